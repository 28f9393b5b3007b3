//! Stories to items: ids from content, escaped paragraphs, header
//! overrides and dates.
//!
//! Ids come from the text, never from the file, so the same dump read
//! again or re-encoded adds nothing, and a headline repeated in a later
//! dump is the same item. Undated items get `published = None` and the
//! dump's date as `first_seen`: the store keeps `first_seen` from the first
//! sighting and leaves it out of the content hash, so reading the item
//! again is "unchanged" however the file's date moved, while outputs still
//! sort it by when it was first seen. Each item is dated a second before
//! the one above it, so that outputs, which sort by time, list a dump's
//! stories in the order the page showed them.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};

use super::headers::Headers;
use super::layout::Story;
use super::title::title_from_opening;
use super::DumpMeta;
use crate::model::{Item, ItemId, SourceName};
use crate::normalize::UNTITLED;
use crate::text::{cut_at_word, strip_tags};

/// Longest summary, in characters: the first paragraph, cut.
const SUMMARY_MAX: usize = 300;

struct Builder<'a> {
    source: &'a SourceName,
    headers: &'a Headers,
    seen_at: DateTime<Utc>,
}

/// The items of a dump, first occurrence kept when two stories of the
/// same dump have the same id.
pub(super) fn items(stories: Vec<Story<'_>>, headers: &Headers, meta: &DumpMeta) -> Vec<Item> {
    let builder = Builder {
        source: meta.source,
        headers,
        // A clock set wrong on the machine that wrote the file must not
        // pin its items above everything else.
        seen_at: headers.date.unwrap_or(meta.fallback_date).min(meta.now),
    };
    let mut first_article = true;
    let mut ids = HashSet::new();
    stories
        .into_iter()
        .filter_map(|story| match story {
            Story::Article { title, paragraphs } if !paragraphs.is_empty() => {
                let item = builder.article(title, &paragraphs, first_article);
                first_article = false;
                Some(item)
            }
            Story::Article { title, .. } => title.and_then(|t| builder.headline(t)),
            Story::Headline(line) => builder.headline(line),
        })
        .filter(|item| ids.insert(item.id.clone()))
        .take(meta.max_items)
        .enumerate()
        .map(|(place, mut item)| {
            let earlier = i64::try_from(place).ok().and_then(TimeDelta::try_seconds);
            if let Some(t) = earlier.and_then(|d| item.first_seen.checked_sub_signed(d)) {
                item.first_seen = t;
            }
            item
        })
        .collect()
}

impl Builder<'_> {
    /// The header's title and link belong to the first article; its date
    /// and authors describe the whole page.
    fn article(&self, title_line: Option<&str>, paragraphs: &[&str], first: bool) -> Item {
        // The header's title, else the title line, else the opening
        // sentence: the first that is more than markup is shown.
        let written: Vec<String> = first
            .then(|| self.headers.title.clone())
            .flatten()
            .into_iter()
            .chain(title_line.map(String::from))
            .chain([title_from_opening(
                paragraphs.first().copied().unwrap_or_default(),
            )])
            .collect();
        let title = written
            .iter()
            .map(|t| strip_tags(t))
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| UNTITLED.to_string());
        // Ids come from the title as written, so that they stay what they
        // were before titles lost their markup.
        let id_title = written.first().map_or("", String::as_str);
        let link = first.then(|| self.headers.link.clone()).flatten();
        let id = match &link {
            Some(link) => ItemId::new(link.clone()),
            None => prefixed("article", id_title, &paragraphs.join("\n")),
        };
        let content = paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>", html_escape::encode_text(p)))
            .collect::<Vec<_>>()
            .join("\n");
        let summary = paragraphs
            .first()
            .map(|p| html_escape::encode_text(&cut_at_word(p, SUMMARY_MAX)).into_owned());
        Item {
            title,
            link,
            summary,
            content: Some(content),
            authors: self.headers.authors.clone(),
            published: self.headers.date,
            ..self.bare(id)
        }
    }

    /// `None` for a line that is nothing but markup: without a title a
    /// headline says nothing.
    fn headline(&self, line: &str) -> Option<Item> {
        let title = strip_tags(line);
        (!title.is_empty()).then(|| Item {
            title,
            ..self.bare(prefixed("headline", line, ""))
        })
    }

    fn bare(&self, id: ItemId) -> Item {
        Item::new(self.source.clone(), id, String::new(), self.seen_at)
    }
}

/// A content id that does not change when only letter case or the style
/// of quotes and dashes does, as happens when a page is copied again or
/// re-encoded into a charset without curly quotes.
fn prefixed(kind: &str, title: &str, text: &str) -> ItemId {
    let hash = ItemId::from_text(&fold(title), &fold(text));
    ItemId::new(format!("{kind}:{hash}"))
}

fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_quotes_and_dashes() {
        assert_eq!(
            fold("\u{201c}Trump\u{2019}s\u{201d} Plan \u{2014} Day"),
            "\"trump's\" plan - day"
        );
        assert_eq!(
            prefixed("headline", "It\u{2019}s Here", ""),
            prefixed("headline", "it's here", "")
        );
    }

    #[test]
    fn titles_lose_markup_and_ids_keep_the_title_as_written() {
        let source = SourceName::new("dumps").unwrap();
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let meta = DumpMeta {
            source: &source,
            origin: "test",
            fallback_date: now,
            now,
            max_items: usize::MAX,
        };
        let headers = Headers {
            title: Some("<script>alert(1)</script>".into()),
            ..Headers::default()
        };
        let line = "Fire <img src=x onerror=alert(1)> downtown";
        let stories = vec![
            Story::Article {
                title: Some("<b>Bold</b> move"),
                paragraphs: vec!["Body text."],
            },
            Story::Headline(line),
            Story::Headline("<svg/onload=alert(1)>"),
            Story::Headline("a < b, AT&T"),
        ];
        let got = items(stories, &headers, &meta);
        let titles: Vec<&str> = got.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Bold move", "Fire downtown", "a < b, AT&T"]);
        assert_eq!(
            got[0].id,
            prefixed("article", "<script>alert(1)</script>", "Body text.")
        );
        assert_eq!(got[1].id, prefixed("headline", line, ""));
    }
}
