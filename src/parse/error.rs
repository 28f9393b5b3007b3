//! Why a document could not be read as a feed, in words a user can act on
//! (the message is stored as the source's last error).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the document is empty")]
    Empty,
    #[error("not a feed: the document is {found}; check that the source URL points at the RSS, Atom or JSON feed itself")]
    NotAFeed { found: String },
    #[error("the document is written in {encoding}, which syndic cannot decode")]
    UnsupportedEncoding { encoding: &'static str },
    #[error("unreadable feed: {message} at line {line}, column {column}")]
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
}

impl ParseError {
    /// A `Malformed` error at byte `offset` of `text`.
    pub(crate) fn malformed_at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        ParseError::Malformed {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let err = ParseError::malformed_at("<a>\n  é<b", 9, "unclosed tag");
        assert_eq!(
            err,
            ParseError::Malformed {
                line: 2,
                column: 5,
                message: "unclosed tag".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "unreadable feed: unclosed tag at line 2, column 5"
        );
    }

    #[test]
    fn offset_past_the_end_or_inside_a_character_is_clamped() {
        let err = ParseError::malformed_at("é", 1, "x");
        assert!(matches!(
            err,
            ParseError::Malformed {
                line: 1,
                column: 1,
                ..
            }
        ));
        let err = ParseError::malformed_at("ab", 99, "x");
        assert!(matches!(
            err,
            ParseError::Malformed {
                line: 1,
                column: 3,
                ..
            }
        ));
    }
}
