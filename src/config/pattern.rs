//! Include/exclude patterns: a case-insensitive regular expression, with an
//! optional leading field name (`title:`, `author:`…) limiting where it
//! matches.

use regex::RegexBuilder;

/// The largest compiled form one pattern may take; a runaway repetition
/// such as `a{1000}{1000}` is refused instead of eating memory.
pub const SIZE_LIMIT: usize = 1 << 20;

/// A part of an item a pattern can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Summary,
    Content,
    Author,
    Category,
    Link,
}

impl Field {
    /// Every field, cheapest to read first: summary and content are HTML
    /// made into text, so a match found before them spares that work.
    pub const ALL: [Field; 6] = [
        Field::Title,
        Field::Link,
        Field::Author,
        Field::Category,
        Field::Summary,
        Field::Content,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Summary => "summary",
            Field::Content => "content",
            Field::Author => "author",
            Field::Category => "category",
            Field::Link => "link",
        }
    }

    fn named(word: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == word)
    }
}

/// Words that look meant as a field but are none: read as text they would
/// silently match nothing, so they are refused instead.
const NEAR_MISSES: [&str; 11] = [
    "titles",
    "summaries",
    "contents",
    "authors",
    "categories",
    "links",
    "tag",
    "tags",
    "url",
    "body",
    "description",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("`{word}:` is not a field; the fields are title, summary, content, author, category and link, in lowercase (to match the text `{word}:` write `(?:{word}:)`)")]
    UnknownField { word: String },
    #[error("invalid regular expression `{regex}`{}: {reason}", in_field(*field))]
    Regex {
        regex: String,
        field: Option<Field>,
        reason: String,
    },
}

fn in_field(field: Option<Field>) -> String {
    field.map_or_else(String::new, |f| format!(" (after `{}:`)", f.name()))
}

/// A checked pattern: the field it is limited to (`None`: every field) and
/// its regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub field: Option<Field>,
    pub regex: String,
}

impl Pattern {
    pub fn new(source: &str) -> Result<Self, PatternError> {
        let (field, regex) = split_field(source)?;
        RegexBuilder::new(regex)
            .case_insensitive(true)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| PatternError::Regex {
                regex: regex.to_string(),
                field,
                // The last line of regex's message is the reason; the
                // lines above repeat the pattern with a caret.
                reason: e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("syntax error")
                    .to_string(),
            })?;
        Ok(Pattern {
            field,
            regex: regex.to_string(),
        })
    }
}

/// Splits a leading `field:` off `source`. Only a run of ASCII letters
/// right before the first `:` is taken for a field name, so `Update: `,
/// `10:30` or `(?:title:)` stay plain expressions.
fn split_field(source: &str) -> Result<(Option<Field>, &str), PatternError> {
    let Some((word, rest)) = source.split_once(':') else {
        return Ok((None, source));
    };
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Ok((None, source));
    }
    if let Some(field) = Field::named(word) {
        return Ok((Some(field), rest));
    }
    let lower = word.to_ascii_lowercase();
    if Field::named(&lower).is_some() || NEAR_MISSES.contains(&lower.as_str()) {
        return Err(PatternError::UnknownField {
            word: word.to_string(),
        });
    }
    Ok((None, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(source: &str) -> (Option<Field>, String) {
        let p = Pattern::new(source).unwrap();
        (p.field, p.regex)
    }

    #[test]
    fn a_field_word_and_colon_limit_the_pattern() {
        assert_eq!(parts("title:^rare"), (Some(Field::Title), "^rare".into()));
        assert_eq!(parts("author:Jane"), (Some(Field::Author), "Jane".into()));
        assert_eq!(parts("link:a:b"), (Some(Field::Link), "a:b".into()));
        assert_eq!(parts("category:"), (Some(Field::Category), "".into()));
    }

    #[test]
    fn other_leading_words_are_text() {
        assert_eq!(parts("ukraine"), (None, "ukraine".into()));
        assert_eq!(parts("Update: x"), (None, "Update: x".into()));
        assert_eq!(parts("10:30"), (None, "10:30".into()));
        assert_eq!(parts("(?:title:)x"), (None, "(?:title:)x".into()));
        assert_eq!(parts(" title:x"), (None, " title:x".into()));
        assert_eq!(parts(":x"), (None, ":x".into()));
    }

    #[test]
    fn near_misses_are_refused() {
        for source in ["Title:x", "authors:Jane", "tags:a", "URL:x", "body:x"] {
            assert!(
                matches!(Pattern::new(source), Err(PatternError::UnknownField { .. })),
                "{source}"
            );
        }
    }

    #[test]
    fn a_bad_expression_names_the_field() {
        let e = Pattern::new("title:(open").unwrap_err().to_string();
        assert!(
            e.starts_with("invalid regular expression `(open` (after `title:`): "),
            "{e}"
        );
        let e = Pattern::new("(open").unwrap_err().to_string();
        assert!(e.starts_with("invalid regular expression `(open`: "), "{e}");
    }
}
