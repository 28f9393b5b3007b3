//! Optional `Key: value` lines at the top of a dump (`Title`, `Link`,
//! `Date`, `Author`), which state what would otherwise be guessed.
//!
//! The first block is a header block only when every line in it is a
//! header with a known key: a headline such as `Breaking: Storm nears`
//! must not be mistaken for one. A header that is there but unreadable
//! refuses the file, since the writer meant something we cannot honour —
//! except a date: dates are written in too many ways to refuse a story
//! over one, so an unreadable date is a warning and the file's own time
//! stands in for it.

use chrono::{DateTime, NaiveDateTime, Utc};
use url::Url;

use super::dates::absolute;
use super::text::Line;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Headers {
    pub title: Option<String>,
    pub link: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
}

impl Headers {
    /// A title or link says the dump holds an article, whatever its
    /// first block looks like.
    pub fn declare_article(&self) -> bool {
        self.title.is_some() || self.link.is_some()
    }
}

/// A header line that could not be used: its 1-based line number and
/// what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HeaderProblem {
    pub line: usize,
    pub problem: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Title,
    Link,
    Date,
    Author,
}

/// The header block of a dump.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct HeaderBlock {
    pub headers: Headers,
    /// Index of the first line after the block.
    pub body_start: usize,
    /// Headers that were left out, with why.
    pub warnings: Vec<HeaderProblem>,
}

/// Reads the header block, if there is one.
pub(super) fn read_headers(lines: &[Line<'_>]) -> Result<HeaderBlock, HeaderProblem> {
    let start = lines.iter().take_while(|l| l.is_empty()).count();
    let block_len = lines[start..].iter().take_while(|l| !l.is_empty()).count();
    let block = &lines[start..start + block_len];
    let parsed: Option<Vec<(Key, &str)>> = block.iter().map(|l| header_line(l)).collect();
    let Some(parsed) = parsed.filter(|p| !p.is_empty()) else {
        return Ok(HeaderBlock::default());
    };
    let mut headers = Headers::default();
    let mut warnings = Vec::new();
    let mut first_line_of = Vec::<(Key, usize)>::new();
    for (offset, (key, value)) in parsed.into_iter().enumerate() {
        let line = start + offset + 1;
        if key != Key::Author {
            if let Some(&(_, earlier)) = first_line_of.iter().find(|(k, _)| *k == key) {
                return Err(HeaderProblem {
                    line,
                    problem: format!(
                        "`{}` is given twice (also on line {earlier}): keep one",
                        name(key)
                    ),
                });
            }
            first_line_of.push((key, line));
        }
        if key == Key::Date && !value.is_empty() {
            match date(value) {
                Ok(d) => headers.date = Some(d),
                Err(problem) => warnings.push(HeaderProblem { line, problem }),
            }
            continue;
        }
        apply(&mut headers, key, value).map_err(|problem| HeaderProblem { line, problem })?;
    }
    Ok(HeaderBlock {
        headers,
        body_start: start + block_len,
        warnings,
    })
}

fn header_line(line: &str) -> Option<(Key, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = match key.trim().to_ascii_lowercase().as_str() {
        "title" => Key::Title,
        "link" => Key::Link,
        "date" => Key::Date,
        "author" => Key::Author,
        _ => return None,
    };
    Some((key, value.trim()))
}

fn name(key: Key) -> &'static str {
    match key {
        Key::Title => "Title",
        Key::Link => "Link",
        Key::Date => "Date",
        Key::Author => "Author",
    }
}

fn apply(headers: &mut Headers, key: Key, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!(
            "`{}:` has no value: give one or remove the line",
            name(key)
        ));
    }
    match key {
        Key::Title => headers.title = Some(value.to_string()),
        Key::Link => headers.link = Some(link(value)?),
        Key::Date => headers.date = Some(date(value)?),
        Key::Author => headers.authors.push(value.to_string()),
    }
    Ok(())
}

fn link(value: &str) -> Result<String, String> {
    Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
        .ok_or_else(|| {
            format!("`Link: {value}` is not an absolute http(s) URL: write it as `Link: https://example.org/story`")
        })
}

/// RFC 3339, RFC 2822, or a date as people write it (see
/// [`super::dates`]), times without a zone read as UTC.
pub(super) fn date(value: &str) -> Result<DateTime<Utc>, String> {
    let zoned =
        DateTime::parse_from_rfc3339(value).or_else(|_| DateTime::parse_from_rfc2822(value));
    if let Ok(t) = zoned {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M"))
        .map(|n| n.and_utc());
    naive.ok().or_else(|| absolute(value)).ok_or_else(|| {
        format!("`Date: {value}` is not a date, so the file's time is used: write it as `2026-11-20`, `20 November 2026`, `2026-11-20 08:30` (UTC) or RFC 3339 (`2026-11-20T08:30:00Z`)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line<'_>> {
        text.lines().map(Line::from).collect()
    }

    #[test]
    fn reads_a_header_block_case_insensitively() {
        let text = lines("TITLE: A story\nlink : https://example.org/a\nDate: 2026-03-01 07:45\nAuthor: Ann\nAuthor: Bo\n\nBody.");
        let block = read_headers(&text).unwrap();
        let (h, next) = (block.headers, block.body_start);
        assert_eq!(next, 5);
        assert_eq!(h.title.as_deref(), Some("A story"));
        assert_eq!(h.link.as_deref(), Some("https://example.org/a"));
        assert_eq!(h.date.unwrap().to_rfc3339(), "2026-03-01T07:45:00+00:00");
        assert_eq!(h.authors, ["Ann", "Bo"]);
    }

    #[test]
    fn a_block_with_other_lines_is_not_a_header() {
        let text = lines("Title: Looks like one\nBut this line is prose.\n\nMore.");
        assert_eq!(read_headers(&text).unwrap(), HeaderBlock::default());
        let text = lines("Breaking: Storm nears the coast");
        assert_eq!(read_headers(&text).unwrap(), HeaderBlock::default());
    }

    #[test]
    fn unusable_headers_are_located_and_explained() {
        let block = read_headers(&lines("\nTitle: x\nDate: last Tuesday")).unwrap();
        assert_eq!(block.headers.date, None);
        let warning = &block.warnings[0];
        assert_eq!(warning.line, 3);
        assert!(
            warning.problem.contains("is not a date"),
            "{}",
            warning.problem
        );
        let err = read_headers(&lines("Link: /relative/path")).unwrap_err();
        assert!(
            err.problem.contains("absolute http(s) URL"),
            "{}",
            err.problem
        );
        let err = read_headers(&lines("Title: a\nTitle: b")).unwrap_err();
        assert_eq!((err.line, err.problem.contains("line 1")), (2, true));
        assert!(read_headers(&lines("Author:")).is_err());
    }

    #[test]
    fn dates_in_every_accepted_form() {
        for (text, want) in [
            ("2026-11-20", "2026-11-20T00:00:00+00:00"),
            ("2026-11-20 08:30", "2026-11-20T08:30:00+00:00"),
            ("2026-11-20T08:30:00+02:00", "2026-11-20T06:30:00+00:00"),
            ("Fri, 20 Nov 2026 08:30:00 GMT", "2026-11-20T08:30:00+00:00"),
            ("20.11.2026 08:30", "2026-11-20T08:30:00+00:00"),
            ("20 novembre 2026", "2026-11-20T00:00:00+00:00"),
        ] {
            assert_eq!(date(text).unwrap().to_rfc3339(), want, "{text}");
        }
    }
}
