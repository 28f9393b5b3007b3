//! An item against an output's `include` and `exclude` patterns. Each
//! field is searched on its own, so a match never spans two fields and
//! `^`/`$` are a field's start and end. The test runs inside SQLite, on
//! stored rows, before they are made items.

use std::cell::OnceCell;
use std::ops::Range;

use regex::RegexSet;

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

/// One list of patterns, with the words of its patterns for each field
/// whose patterns are all plain words: looking for words is cheaper than
/// a case-insensitive expression, and than making a field's text (HTML
/// made text, JSON lists read).
struct Patterns {
    sets: FieldSets,
    /// In the order of [`Field::ALL`].
    words: [Option<PlainWords>; Field::ALL.len()],
}

impl Patterns {
    fn new(sets: &FieldSets) -> Patterns {
        let words = Field::ALL.map(|field| sets.get(field).and_then(PlainWords::of));
        Patterns {
            sets: sets.clone(),
            words,
        }
    }

    fn any_matches(&self, text: &ItemText<'_>) -> bool {
        Field::ALL
            .into_iter()
            .zip(&self.words)
            .any(|(field, words)| {
                let Some(set) = self.sets.get(field) else {
                    return false;
                };
                // Most items lack the words: what is stored tells, without
                // the text made or the list read.
                if let Some(words) = words {
                    if !text.fields.may_hold(field, words) {
                        return false;
                    }
                }
                text.any(field, |t| set.is_match(t))
            })
    }
}

/// Patterns that are each a plain word or words (ASCII letters, digits,
/// `-`, `_`, single spaces), split into their words, so the stored form of
/// a field can show that its text holds none of them.
struct PlainWords {
    words: Vec<Word>,
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
            words.extend(pattern.split(' ').filter(|w| !w.is_empty()).map(Word::new));
            if !plain || words.len() == start {
                return None;
            }
            patterns.push(start..words.len());
        }
        Some(PlainWords { words, patterns })
    }

    /// False when the text of `html` can match none of the patterns: a
    /// pattern's words are in the text only where they are in the HTML,
    /// unless markup joins words or entities spell them.
    fn may_match_html(&self, html: &str) -> bool {
        self.may_match(html) || text_may_join_words(html)
    }

    /// False when `stored` holds the words of none of the patterns.
    fn may_match(&self, stored: &str) -> bool {
        self.patterns
            .iter()
            .any(|words| self.words[words.clone()].iter().all(|w| w.in_text(stored)))
    }
}

/// One word, looked for as a case-insensitive pattern finds it.
struct Word {
    lower: Vec<u8>,
    /// The byte searched for first: the word's rarest in text.
    rare: usize,
    /// Holds `k` or `s`, which case-insensitive patterns also find as the
    /// Kelvin sign and the long s.
    folds_beyond_ascii: bool,
}

/// Letters from the most to the least frequent in English text.
const BY_FREQUENCY: &[u8] = b"etaoinshrdlcumwfgypbvkjxqz";

impl Word {
    fn new(word: &str) -> Word {
        let lower = word.to_ascii_lowercase().into_bytes();
        let rank = |b: &u8| {
            BY_FREQUENCY
                .iter()
                .position(|f| f == b)
                .unwrap_or(usize::MAX)
        };
        let rare = (0..lower.len())
            .max_by_key(|&i| rank(&lower[i]))
            .unwrap_or(0);
        let folds_beyond_ascii = lower.iter().any(|b| matches!(b, b'k' | b's'));
        Word {
            lower,
            rare,
            folds_beyond_ascii,
        }
    }

    /// True when `text` may hold the word: it does, ignoring ASCII case,
    /// or it holds a character that folds to one of its letters.
    fn in_text(&self, text: &str) -> bool {
        let text = text.as_bytes();
        let b = self.lower[self.rare];
        let found = memchr::memchr2_iter(b, b.to_ascii_uppercase(), text).any(|at| {
            at.checked_sub(self.rare)
                .and_then(|start| text.get(start..start + self.lower.len()))
                .is_some_and(|window| window.eq_ignore_ascii_case(&self.lower))
        });
        found
            || (self.folds_beyond_ascii
                && ["\u{212a}", "\u{17f}"]
                    .iter()
                    .any(|c| memchr::memmem::find(text, c.as_bytes()).is_some()))
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
    /// False when `field` cannot hold any of `words`, as its stored form
    /// shows: a JSON list's strings hold such words only where its text
    /// does (they are never escaped), HTML as `may_match_html` tells.
    fn may_hold(&self, field: Field, words: &PlainWords) -> bool {
        match field {
            Field::Title => words.may_match(self.title),
            Field::Link => self.link.is_some_and(|l| words.may_match(l)),
            Field::Author => words.may_match(self.authors.json),
            Field::Category => words.may_match(self.categories.json),
            Field::Summary => self.summary.is_some_and(|h| words.may_match_html(h)),
            Field::Content => self.content.is_some_and(|h| words.may_match_html(h)),
        }
    }

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
    const WORDS: [&str; 8] = [
        "light",
        "house",
        "l",
        "ighthouse",
        "old",
        "\u{212a}",
        "\u{17f}",
        "-",
    ];
    const BETWEEN: [&str; 10] = [
        "",
        "<b>",
        "</b>",
        "&#108;",
        " ",
        "<p>",
        "<!-- c -->",
        "&amp;",
        "\n",
        "<script>x</script>",
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
