//! An item against an output's `include` and `exclude` patterns. Each
//! field is searched on its own, so a match never spans two fields and
//! `^`/`$` are a field's start and end. The test runs inside SQLite, on
//! stored rows, before they are made items.

use std::cell::OnceCell;
use std::ops::Range;

use regex::{RegexSet, RegexSetBuilder};

use crate::config::{Field, FieldSets, OutputConfig};
use crate::store::StoredFields;
use crate::text::{html_to_text, text_may_join_words};

/// An output's patterns, ready to test items or stored rows.
pub struct Filter {
    include: Patterns,
    exclude: Patterns,
}

impl Filter {
    /// `None` when the output has no patterns: every item passes.
    pub fn of(output: &OutputConfig) -> Option<Filter> {
        if output.include.is_empty() && output.exclude.is_empty() {
            return None;
        }
        Some(Filter {
            include: Patterns::new(&output.include),
            exclude: Patterns::new(&output.exclude),
        })
    }

    /// True when the stored item `row` matches one of the `include`
    /// patterns (or there are none) and none of the `exclude` patterns.
    pub fn passes(&self, row: &StoredFields<'_>) -> bool {
        let text = ItemText::new(Fields::of_row(row));
        (self.include.sets.is_empty() || self.include.any_matches(&text))
            && !self.exclude.any_matches(&text)
    }
}

/// One list of patterns, with the words of its HTML fields' patterns when
/// they are all plain words.
struct Patterns {
    sets: FieldSets,
    summary_words: Option<PlainWords>,
    content_words: Option<PlainWords>,
}

impl Patterns {
    fn new(sets: &FieldSets) -> Patterns {
        let words = |field| sets.get(field).and_then(PlainWords::of);
        Patterns {
            summary_words: words(Field::Summary),
            content_words: words(Field::Content),
            sets: sets.clone(),
        }
    }

    fn any_matches(&self, text: &ItemText<'_>) -> bool {
        Field::ALL.into_iter().any(|field| {
            let Some(set) = self.sets.get(field) else {
                return false;
            };
            let (words, html) = match field {
                Field::Summary => (&self.summary_words, text.fields.summary),
                Field::Content => (&self.content_words, text.fields.content),
                _ => (&None, None),
            };
            // Most items lack the words: the HTML tells, without its text.
            if let (Some(words), Some(html)) = (words, html) {
                if !words.may_match(html) {
                    return false;
                }
            }
            text.any(field, |t| set.is_match(t))
        })
    }
}

/// Patterns that are each a plain word or words (ASCII letters, digits,
/// `-`, `_`, single spaces), split into their words, so the HTML of a
/// field can show that the text holds none of them.
struct PlainWords {
    words: RegexSet,
    /// Each pattern's words in `words`.
    patterns: Vec<Range<usize>>,
}

impl PlainWords {
    fn of(set: &RegexSet) -> Option<PlainWords> {
        let mut words = Vec::new();
        let mut patterns = Vec::new();
        for pattern in set.patterns() {
            let plain = pattern
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b' '));
            let start = words.len();
            words.extend(pattern.split(' ').filter(|w| !w.is_empty()));
            if !plain || words.len() == start {
                return None;
            }
            patterns.push(start..words.len());
        }
        let words = RegexSetBuilder::new(words)
            .case_insensitive(true)
            .build()
            .ok()?;
        Some(PlainWords { words, patterns })
    }

    /// False when the text of `html` can match none of the patterns: a
    /// pattern's words are in the text only where they are in the HTML,
    /// unless markup joins words or entities spell them.
    fn may_match(&self, html: &str) -> bool {
        if text_may_join_words(html) {
            return true;
        }
        let found = self.words.matches(html);
        self.patterns
            .iter()
            .any(|words| words.clone().all(|w| found.matched(w)))
    }
}

/// The fields patterns search, borrowed from an item or a stored row.
struct Fields<'a> {
    title: &'a str,
    link: Option<&'a str>,
    authors: JsonList<'a>,
    categories: JsonList<'a>,
    summary: Option<&'a str>,
    content: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn of_row(row: &StoredFields<'a>) -> Self {
        Fields {
            title: row.title,
            link: row.link,
            authors: JsonList::new(row.authors),
            categories: JsonList::new(row.categories),
            summary: row.summary,
            content: row.content,
        }
    }
}

/// Authors or categories as stored, read when a pattern first asks.
struct JsonList<'a> {
    json: &'a str,
    read: OnceCell<Vec<String>>,
}

impl<'a> JsonList<'a> {
    fn new(json: &'a str) -> Self {
        JsonList {
            json,
            read: OnceCell::new(),
        }
    }

    fn strings(&self) -> &[String] {
        self.read.get_or_init(|| StoredFields::list(self.json))
    }
}

/// An item's fields as patterns read them. Summary and content are HTML:
/// their text (without tags or attributes) is made at most once, when a
/// pattern first needs it, and shared by every pattern of both lists.
struct ItemText<'a> {
    fields: Fields<'a>,
    summary: OnceCell<Option<String>>,
    content: OnceCell<Option<String>>,
}

impl<'a> ItemText<'a> {
    fn new(fields: Fields<'a>) -> Self {
        ItemText {
            fields,
            summary: OnceCell::new(),
            content: OnceCell::new(),
        }
    }

    /// True when `hit` holds for one of `field`'s texts (one per author,
    /// one per category).
    fn any(&self, field: Field, mut hit: impl FnMut(&str) -> bool) -> bool {
        let f = &self.fields;
        match field {
            Field::Title => hit(f.title),
            Field::Link => f.link.is_some_and(hit),
            Field::Author => f.authors.strings().iter().any(|a| hit(a)),
            Field::Category => f.categories.strings().iter().any(|c| hit(c)),
            Field::Summary => text_of(&self.summary, f.summary).is_some_and(hit),
            Field::Content => text_of(&self.content, f.content).is_some_and(hit),
        }
    }
}

/// The text of `html`, made the first time it is asked for.
fn text_of<'c>(cell: &'c OnceCell<Option<String>>, html: Option<&str>) -> Option<&'c str> {
    cell.get_or_init(|| html.map(html_to_text)).as_deref()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config::Pattern;

    /// Words and what may stand between them in HTML: markup that joins
    /// them in the text, markup and spaces that part them, entities.
    const WORDS: [&str; 8] = ["light", "house", "l", "ighthouse", "old", "\u{212a}", "\u{17f}", "-"];
    const BETWEEN: [&str; 10] = [
        "", "<b>", "</b>", "&#108;", " ", "<p>", "<!-- c -->", "&amp;", "\n", "<script>x</script>",
    ];
    const PATTERNS: [&str; 8] = [
        "lighthouse",
        "old lighthouse",
        "light-house",
        "house",
        "k",
        "s",
        "content:^light",
        "summary:old",
    ];

    /// The test as it stood before plain words were looked for in the
    /// HTML: every field's text made and searched.
    fn by_text(include: &FieldSets, exclude: &FieldSets, row: &StoredFields<'_>) -> bool {
        let text = ItemText::new(Fields::of_row(row));
        let matches = |sets: &FieldSets| {
            Field::ALL.into_iter().any(|field| {
                sets.get(field)
                    .is_some_and(|set| text.any(field, |t| set.is_match(t)))
            })
        };
        (include.is_empty() || matches(include)) && !matches(exclude)
    }

    fn sets(picked: &[usize]) -> FieldSets {
        let patterns: Vec<Pattern> = picked
            .iter()
            .map(|&i| Pattern::new(PATTERNS[i]).unwrap())
            .collect();
        FieldSets::new(&patterns).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn plain_words_looked_for_in_the_html_judge_as_the_text_does(
            content in proptest::collection::vec((0..WORDS.len(), 0..BETWEEN.len()), 0..8),
            summary in proptest::collection::vec((0..WORDS.len(), 0..BETWEEN.len()), 0..4),
            include in proptest::collection::vec(0..PATTERNS.len(), 0..3),
            exclude in proptest::collection::vec(0..PATTERNS.len(), 0..2),
        ) {
            let html = |pieces: &[(usize, usize)]| {
                pieces.iter().map(|&(w, b)| format!("{}{}", WORDS[w], BETWEEN[b])).collect::<String>()
            };
            let (content, summary) = (html(&content), html(&summary));
            let (include, exclude) = (sets(&include), sets(&exclude));
            let row = StoredFields {
                title: "Harbour news",
                link: None,
                authors: "[\"Desk\"]",
                categories: "[]",
                summary: Some(&summary),
                content: Some(&content),
            };
            let filter = Filter {
                include: Patterns::new(&include),
                exclude: Patterns::new(&exclude),
            };
            prop_assert_eq!(filter.passes(&row), by_text(&include, &exclude, &row));
        }
    }
}
