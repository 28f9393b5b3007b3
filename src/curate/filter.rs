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
