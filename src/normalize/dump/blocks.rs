//! From lines to units, the logical lines a reader sees: blocks (runs of
//! non-blank lines) are cut into units, joining the lines of a wrapped
//! paragraph back into one, taking list markers off list items and URLs
//! off the lines they link.

use std::borrow::Cow;

use super::byline::byline;
use super::cjk;
use super::dates::is_date_line;
use super::furniture::furniture;
use super::text::Line;
use super::wrap::{is_full, is_wrapped, width, WrapLine};

/// How a unit was marked up by its writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// A line or wrapped paragraph of plain text.
    Plain,
    /// A list item, marker removed.
    Bullet,
    /// A Markdown heading of this level.
    Heading(u8),
    /// A Markdown paragraph: prose, since Markdown marks its titles.
    Paragraph,
    /// A Markdown paragraph all in bold or italics: a title or byline.
    Emphasized,
}

/// One logical line. Kept small, since a dump of short lines holds
/// millions: what few units have lives behind one pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unit<'a> {
    /// Plain text, markup removed.
    pub text: Cow<'a, str>,
    pub mark: Mark,
    /// First unit after a blank line (or of the file).
    pub opens_block: bool,
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Extra {
    html: Option<String>,
    link: Option<String>,
}

impl<'a> Unit<'a> {
    pub fn plain(text: Cow<'a, str>, mark: Mark) -> Self {
        Unit {
            text,
            mark,
            opens_block: false,
            extra: None,
        }
    }

    /// With inline HTML for the text (when Markdown gave it links), and
    /// the URL the unit links to: given after it, or a whole URL line
    /// (then `text` is empty).
    pub fn with(self, html: Option<String>, link: Option<String>) -> Self {
        let extra = (html.is_some() || link.is_some()).then(|| Box::new(Extra { html, link }));
        Unit { extra, ..self }
    }

    pub fn html(&self) -> Option<&str> {
        self.extra.as_ref()?.html.as_deref()
    }

    pub fn link(&self) -> Option<&str> {
        self.extra.as_ref()?.link.as_deref()
    }

    /// A line that is only a URL.
    pub fn is_url(&self) -> bool {
        self.text.is_empty() && self.link().is_some()
    }
}

/// Lines read from one block for each unit still to make: wrapped
/// paragraphs take several lines a unit.
pub(super) const LINES_PER_UNIT: usize = 4;

/// The first `budget` units of `lines`, in order; they borrow the text the
/// lines do, not the lines, which can go once the units are made. The
/// budget keeps a dump of millions of one-word lines from costing a unit
/// each when only its first items are kept.
pub(super) fn units<'a>(lines: &[Line<'a>], budget: usize) -> Vec<Unit<'a>> {
    let mut units = Vec::new();
    for block in lines.split(|l| l.is_empty()).filter(|b| !b.is_empty()) {
        let room = budget.saturating_sub(units.len());
        if room == 0 {
            break;
        }
        let block = &block[..block.len().min(room.saturating_mul(LINES_PER_UNIT))];
        let first = units.len();
        block_units(block, &mut units);
        units.truncate(budget);
        if let Some(unit) = units.get_mut(first) {
            unit.opens_block = true;
        }
    }
    units
}

fn block_units<'a>(block: &[Line<'a>], out: &mut Vec<Unit<'a>>) {
    let parsed: Vec<Parsed<'a>> = block.iter().map(parse_line).collect();
    let wrap_lines: Vec<WrapLine<'_>> = parsed
        .iter()
        .zip(block)
        .map(|(p, l)| WrapLine {
            text: &p.text,
            indent: l.indent,
        })
        .collect();
    let plain: Vec<WrapLine<'_>> = wrap_lines
        .iter()
        .zip(&parsed)
        .filter(|(_, p)| p.link.is_none())
        .map(|(w, _)| *w)
        .collect();
    let wrapped = is_wrapped(&plain);
    let width = width(&plain);
    let base_indent = block.iter().map(|l| l.indent).min().unwrap_or(0);
    let joins: Vec<bool> = (0..parsed.len())
        .map(|i| {
            wrapped
                && i > 0
                && parsed[i - 1].link.is_none()
                && parsed[i].link.is_none()
                && parsed[i].mark == Mark::Plain
                && is_full(&wrap_lines[i - 1], &wrap_lines[i], width)
                && !stands_alone(wrap_lines[i - 1].text)
                && !stands_alone(wrap_lines[i].text)
        })
        .collect();
    drop(wrap_lines);
    let mut open: Option<Unit<'a>> = None;
    for (i, line) in parsed.into_iter().enumerate() {
        let joins = joins[i] && !opens_paragraph(block, i, base_indent, open.as_ref());
        match (&mut open, joins) {
            (Some(unit), true) => append(&mut unit.text, &line.text),
            _ => {
                out.extend(open.take());
                open = Some(line.into_unit());
            }
        }
    }
    out.extend(open);
}

/// A line that is never part of a paragraph, however it is wrapped: a
/// byline, a date or furniture under a title.
fn stands_alone(text: &str) -> bool {
    furniture(text).is_some() || byline(text).is_some() || is_date_line(text)
}

/// An indented line under one that is not opens a paragraph, unless it
/// is the hanging indent of a wrapped list item.
fn opens_paragraph(block: &[Line<'_>], i: usize, base: usize, open: Option<&Unit<'_>>) -> bool {
    block[i].indent > base
        && block[i - 1].indent == base
        && open.is_some_and(|u| u.mark != Mark::Bullet)
}

/// Adds a wrapped line to its paragraph: with a space, or without one
/// between CJK characters.
fn append(text: &mut Cow<'_, str>, line: &str) {
    let owned = text.to_mut();
    if !cjk::joins_tight(owned, line) {
        owned.push(' ');
    }
    owned.push_str(line);
}

/// A line with its list marker and link taken off.
struct Parsed<'a> {
    text: Cow<'a, str>,
    mark: Mark,
    link: Option<String>,
}

impl<'a> Parsed<'a> {
    fn into_unit(self) -> Unit<'a> {
        Unit::plain(self.text, self.mark).with(None, self.link)
    }
}

/// Borrows the text the line borrows; a line that had to be cleaned
/// owns its text, and so does its unit.
fn parse_line<'a>(line: &Line<'a>) -> Parsed<'a> {
    match &line.text {
        Cow::Borrowed(text) => {
            let (text, mark, link) = parse_text(text);
            Parsed {
                text: Cow::Borrowed(text),
                mark,
                link: link.map(String::from),
            }
        }
        Cow::Owned(text) => {
            let (text, mark, link) = parse_text(text);
            Parsed {
                text: Cow::Owned(text.to_string()),
                mark,
                link: link.map(String::from),
            }
        }
    }
}

fn parse_text(text: &str) -> (&str, Mark, Option<&str>) {
    if let Some(url) = whole_url(text) {
        return ("", Mark::Plain, Some(url));
    }
    let (text, mark) = match strip_marker(text) {
        Some(rest) => (rest, Mark::Bullet),
        None => (text, Mark::Plain),
    };
    let (text, link) = split_trailing_url(text);
    (text, mark, link)
}

/// The text of a list item: `- `, `* `, `• `, `· `, `・`, `1. `, `1) `.
pub(super) fn strip_marker(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "• ", "· ", "– ", "・", "‧ ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some(rest.trim_start()).filter(|r| !r.is_empty());
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = line[digits..]
        .strip_prefix(". ")
        .or_else(|| line[digits..].strip_prefix(") "))?;
    (1..=3)
        .contains(&digits)
        .then_some(rest)
        .filter(|r| !r.is_empty())
}

/// `https://…` or `<https://…>` filling the whole line.
fn whole_url(line: &str) -> Option<&str> {
    let bare = line
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix('>'))
        .unwrap_or(line);
    is_url(bare).then_some(bare)
}

fn is_url(word: &str) -> bool {
    (word.starts_with("https://") || word.starts_with("http://"))
        && word.len() > 10
        && !word.contains(char::is_whitespace)
}

/// `Headline - https://…`, `Headline https://…`, `Headline <https://…>`:
/// the text without the URL and its separator, and the URL.
fn split_trailing_url(line: &str) -> (&str, Option<&str>) {
    let Some((before, last)) = line.rsplit_once(' ') else {
        return (line, None);
    };
    let Some(url) = whole_url(last) else {
        return (line, None);
    };
    let text = before.trim_end_matches([' ', '-', '|', '–', '—', ':']);
    if text.is_empty() {
        return (line, None);
    }
    (text, Some(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units_of(text: &str) -> Vec<(String, Mark, Option<String>)> {
        let lines: Vec<Line<'_>> = text.lines().map(Line::from).collect();
        units(&lines, usize::MAX)
            .into_iter()
            .map(|u| (u.text.to_string(), u.mark, u.link().map(String::from)))
            .collect()
    }

    #[test]
    fn wrapped_lines_join_and_list_lines_do_not() {
        let got = units_of("The port authority confirmed on Monday that dredging of the inner\nharbour will begin in the second week of January, two years later\nthan first planned.\n\nStorm Hits Coast\nFerries Cancelled");
        let texts: Vec<&str> = got.iter().map(|u| u.0.as_str()).collect();
        assert_eq!(texts, [
            "The port authority confirmed on Monday that dredging of the inner harbour will begin in the second week of January, two years later than first planned.",
            "Storm Hits Coast",
            "Ferries Cancelled",
        ]);
    }

    #[test]
    fn markers_and_urls_come_off() {
        let got = units_of("- Storm Hits Coast\n1) Ferries Cancelled - https://example.org/f\nhttps://example.org/x");
        assert_eq!(got[0], ("Storm Hits Coast".into(), Mark::Bullet, None));
        assert_eq!(
            got[1],
            (
                "Ferries Cancelled".into(),
                Mark::Bullet,
                Some("https://example.org/f".into())
            )
        );
        assert_eq!(
            got[2],
            ("".into(), Mark::Plain, Some("https://example.org/x".into()))
        );
        assert_eq!(strip_marker("2026 was a year"), None);
        assert_eq!(strip_marker("-5 degrees"), None);
    }

    #[test]
    fn no_more_units_than_the_budget() {
        let text = "One Line\n".repeat(100) + "\nAnother Block";
        let lines: Vec<Line<'_>> = text.lines().map(Line::from).collect();
        assert_eq!(units(&lines, 7).len(), 7);
    }

    #[test]
    fn an_indented_line_opens_a_paragraph() {
        let got = units_of("    The regional transport company will restore night bus services\nbetween the valley towns from the first weekend of December, ending\na gap of three years.\n    Buses will run every hour between midnight and five in the\nmorning on Fridays.");
        assert_eq!(got.len(), 2, "{got:?}");
    }
}
