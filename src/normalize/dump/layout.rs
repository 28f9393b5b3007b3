//! From classified blocks to stories: which paragraphs make one article,
//! and which lines are headlines of their own.
//!
//! Prose blocks in a row are one article — a dump saved from a page keeps
//! blank lines between paragraphs of the same story — unless a block opens
//! with a title line, which starts a new article. A block of a single
//! headline-like line right before untitled prose is that article's title
//! (the common "title, blank line, body" shape), not a headline.

use super::blocks::{Block, BlockKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Story<'a> {
    Article {
        title: Option<&'a str>,
        paragraphs: Vec<&'a str>,
    },
    Headline(&'a str),
}

/// The stories of `blocks`, in page order; at most `max` of them, so a
/// dump of millions of lines holds no more than the items it can give.
pub(super) fn stories<'a>(blocks: &[Block<'a>], max: usize) -> Vec<Story<'a>> {
    let mut stories = Vec::new();
    let mut open: Option<(Option<&'a str>, Vec<&'a str>)> = None;
    let mut pending_title: Option<&'a str> = None;
    for (i, block) in blocks.iter().enumerate() {
        if stories.len() >= max {
            break;
        }
        match block.kind {
            BlockKind::Headlines => {
                close(&mut open, &mut stories);
                let next_untitled_prose = blocks
                    .get(i + 1)
                    .is_some_and(|b| b.kind == BlockKind::Prose { titled: false });
                match block.lines {
                    [only] if next_untitled_prose => pending_title = Some(only),
                    lines => {
                        let room = max.saturating_sub(stories.len());
                        stories.extend(lines.iter().take(room).map(|l| Story::Headline(l)));
                    }
                }
            }
            BlockKind::Prose { titled } => {
                let (title, body) = match (titled, block.lines) {
                    (true, [first, rest @ ..]) => (Some(first.as_ref()), rest),
                    (_, lines) => (pending_title.take(), lines),
                };
                let paragraphs = body.iter().map(|l| l.as_ref());
                match &mut open {
                    Some((_, existing)) if title.is_none() => existing.extend(paragraphs),
                    _ => {
                        close(&mut open, &mut stories);
                        open = Some((title, paragraphs.collect()));
                    }
                }
            }
        }
    }
    close(&mut open, &mut stories);
    stories.truncate(max);
    stories
}

fn close<'a>(open: &mut Option<(Option<&'a str>, Vec<&'a str>)>, stories: &mut Vec<Story<'a>>) {
    if let Some((title, paragraphs)) = open.take() {
        stories.push(Story::Article { title, paragraphs });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::dump::text::Line;

    fn block<'a>(lines: &'a [Line<'a>], kind: BlockKind) -> Block<'a> {
        Block { lines, kind }
    }

    fn owned<'a>(lines: &[&'a str]) -> Vec<Line<'a>> {
        lines.iter().map(|&s| Line::from(s)).collect()
    }

    #[test]
    fn untitled_prose_blocks_join_and_a_title_line_starts_a_new_article() {
        let (a, b, c) = (owned(&["p1", "p2"]), owned(&["p3"]), owned(&["T", "p4"]));
        let untitled = BlockKind::Prose { titled: false };
        let blocks = [
            block(&a, untitled),
            block(&b, untitled),
            block(&c, BlockKind::Prose { titled: true }),
        ];
        let got = stories(&blocks, usize::MAX);
        assert_eq!(
            got,
            [
                Story::Article {
                    title: None,
                    paragraphs: vec!["p1", "p2", "p3"]
                },
                Story::Article {
                    title: Some("T"),
                    paragraphs: vec!["p4"]
                },
            ]
        );
    }

    #[test]
    fn a_lone_headline_before_prose_titles_it() {
        let (t, p, h) = (owned(&["Title"]), owned(&["p1"]), owned(&["H1", "H2"]));
        let blocks = [
            block(&t, BlockKind::Headlines),
            block(&p, BlockKind::Prose { titled: false }),
            block(&h, BlockKind::Headlines),
        ];
        let got = stories(&blocks, usize::MAX);
        assert_eq!(stories(&blocks, 2).len(), 2, "cut at two stories");
        assert_eq!(
            got,
            [
                Story::Article {
                    title: Some("Title"),
                    paragraphs: vec!["p1"]
                },
                Story::Headline("H1"),
                Story::Headline("H2"),
            ]
        );
    }
}
