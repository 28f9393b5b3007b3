//! Dumps written or saved as Markdown: `# Title`, `## Subhead`, `**bold**`,
//! `*By …*`, lists and `[links](url)`, read with a Markdown parser so that
//! no `#` or `**` is left in titles or text, and turned into the same
//! units as plain text.

use std::borrow::Cow;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::blocks::{Mark, Unit};
use super::text::Line;

/// Whether the lines are Markdown: an ATX heading, a link written as
/// `[text](http…)`, or a line all in bold. Plain text has none of these.
pub(super) fn is_markdown(lines: &[Line<'_>]) -> bool {
    lines.iter().any(|l| {
        let heading = l.trim_start_matches('#');
        (l.starts_with('#') && l.len() - heading.len() <= 6 && heading.starts_with(' '))
            || l.contains("](http")
            || (l.len() > 4 && l.starts_with("**") && l.ends_with("**"))
    })
}

/// Text parsed in parts of about this many bytes: the parser builds a
/// tree of all the text it is given, several times the text's size, and
/// a Markdown dump can be 16 MiB.
const PART_BYTES: usize = 64 * 1024;

/// The first `budget` units of Markdown `lines`, parsed a part at a
/// time. Each cut is at a blank line before an unindented one, which
/// closes every list, quote and paragraph, so the parts parse as the
/// whole text would. Fenced code, raw HTML and link reference definitions
/// reach across blank lines, so text with a sign of any of them is parsed
/// whole.
pub(super) fn units<'a>(
    lines: impl Iterator<Item = Line<'a>> + Clone,
    budget: usize,
) -> Vec<Unit<'static>> {
    let whole = lines
        .clone()
        .any(|l| l.contains("```") || l.contains("~~~") || l.contains("]:") || l.contains('<'));
    let mut builder = Builder::default();
    let mut part: Vec<Line<'a>> = Vec::new();
    let mut bytes = 0;
    for line in lines {
        if !whole && bytes >= PART_BYTES && is_cut(part.last(), &line) {
            builder.read(&text(&part));
            if builder.units.len() >= budget {
                break;
            }
            part.clear();
            bytes = 0;
        }
        bytes += line.len() + 1;
        part.push(line);
    }
    if builder.units.len() < budget {
        builder.read(&text(&part));
    }
    builder.units.truncate(budget);
    builder.units
}

/// Whether a part can end after `last` and the next begin with `next`.
fn is_cut(last: Option<&Line<'_>>, next: &Line<'_>) -> bool {
    last.is_some_and(|l| l.is_empty()) && !next.is_empty() && next.indent == 0
}

/// Lines as Markdown text again. Indents are kept to three columns: four
/// would make an indented line a code block, which a saved page never
/// means.
fn text(lines: &[Line<'_>]) -> String {
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&"   "[..line.indent.min(3)]);
        text.push_str(line);
    }
    text
}

/// A unit being read.
#[derive(Default)]
struct Open {
    text: String,
    html: String,
    mark: Option<Mark>,
    links: Vec<String>,
    /// Characters of text inside links and inside emphasis.
    linked: usize,
    emphasized: usize,
    in_link: bool,
    in_emphasis: usize,
}

#[derive(Default)]
struct Builder {
    units: Vec<Unit<'static>>,
    open: Open,
}

impl Builder {
    fn read(&mut self, text: &str) {
        for event in Parser::new_ext(text, Options::empty()) {
            self.event(event);
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => self.start(Mark::Heading(depth(level))),
            // A paragraph inside a list item is that item's text.
            Event::Start(Tag::Paragraph) if self.open.mark.is_none() => {
                self.start(Mark::Paragraph);
            }
            Event::Start(Tag::Item) => self.start(Mark::Bullet),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.open.in_link = true;
                self.open.links.push(dest_url.to_string());
                let href = html_escape::encode_double_quoted_attribute(&dest_url).into_owned();
                self.open.html.push_str(&format!("<a href=\"{href}\">"));
            }
            Event::End(TagEnd::Link) => {
                self.open.in_link = false;
                self.open.html.push_str("</a>");
            }
            Event::Start(Tag::Strong | Tag::Emphasis) => self.open.in_emphasis += 1,
            Event::End(TagEnd::Strong | TagEnd::Emphasis) => {
                self.open.in_emphasis = self.open.in_emphasis.saturating_sub(1);
            }
            Event::Text(text) | Event::Code(text) => self.text(&text),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item) => self.finish(),
            _ => {}
        }
    }

    fn start(&mut self, mark: Mark) {
        self.finish();
        self.open.mark = Some(mark);
    }

    fn text(&mut self, text: &str) {
        let open = &mut self.open;
        let count = text.chars().filter(|c| !c.is_whitespace()).count();
        if open.in_link {
            open.linked += count;
        }
        if open.in_emphasis > 0 {
            open.emphasized += count;
        }
        open.text.push_str(text);
        open.html.push_str(&html_escape::encode_text(text));
    }

    /// Closes the open unit: a paragraph that is all emphasis reads as a
    /// title or byline, one that is all one link links its text.
    fn finish(&mut self) {
        let open = std::mem::take(&mut self.open);
        let Some(mut mark) = open.mark else {
            return;
        };
        let text = open.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return;
        }
        let letters = text.chars().filter(|c| !c.is_whitespace()).count();
        let all_linked = open.links.len() == 1 && open.linked == letters;
        if mark == Mark::Paragraph && open.emphasized == letters {
            mark = Mark::Emphasized;
        }
        let html = (!all_linked && open.html.trim() != html_escape::encode_text(&text))
            .then(|| open.html.trim().to_string());
        let link = all_linked.then(|| open.links.into_iter().next()).flatten();
        let mut unit = Unit::plain(Cow::Owned(text), mark).with(html, link);
        unit.opens_block = true;
        self.units.push(unit);
    }
}

fn depth(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line<'_>> {
        text.lines().map(Line::from).collect()
    }

    fn units_of(text: &str) -> Vec<Unit<'static>> {
        units(text.lines().map(Line::from), usize::MAX)
    }

    /// The units of `text` parsed in one piece.
    fn whole(text: &str) -> Vec<Unit<'static>> {
        let mut builder = Builder::default();
        builder.read(&super::text(&lines(text)));
        builder.units
    }

    #[test]
    fn parts_parse_as_the_whole_text_does() {
        let story = "# Harbour *Reopens*\n\n**By Ann Lee**\n\nThe harbour reopened\non Monday, [see](https://e.org/h).\n\n- one\n\n- two\n  goes on\n\n   more of two\n\n1. first\n2. second\n\n> quoted\n\n";
        let text = story.repeat(4 * PART_BYTES / story.len());
        assert_eq!(units_of(&text), whole(&text));
        let fenced = format!("```text\n{text}");
        assert_eq!(units_of(&fenced), whole(&fenced));
        let first = units(text.lines().map(Line::from), 3);
        assert_eq!(units_of(&text)[..3], first[..]);
    }

    #[test]
    fn markdown_is_recognised_by_its_marks() {
        let lines = |t: &'static str| t.lines().map(Line::from).collect::<Vec<_>>();
        assert!(is_markdown(&lines("# Title\n\nText.")));
        assert!(is_markdown(&lines("See [this](https://example.org).")));
        assert!(is_markdown(&lines("**Bold Title**\n\nText.")));
        assert!(!is_markdown(&lines("#hashtag news\n- a list")));
    }

    #[test]
    fn headings_paragraphs_items_and_links() {
        let got = units_of("# Big *News*\n\n*By Ann Lee*\n\nText with [a link](https://e.org/a) & more.\n\n- [Item](https://e.org/i)\n");
        let summary: Vec<(&str, Mark, Option<&str>)> = got
            .iter()
            .map(|u| (u.text.as_ref(), u.mark, u.link()))
            .collect();
        assert_eq!(
            summary,
            [
                ("Big News", Mark::Heading(1), None),
                ("By Ann Lee", Mark::Emphasized, None),
                ("Text with a link & more.", Mark::Paragraph, None),
                ("Item", Mark::Bullet, Some("https://e.org/i")),
            ]
        );
        assert_eq!(
            got[2].html(),
            Some("Text with <a href=\"https://e.org/a\">a link</a> &amp; more.")
        );
    }
}
