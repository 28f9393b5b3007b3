//! Stories to items: ids, HTML content, header overrides and dates.
//!
//! Ids come from the text, never from the file (see [`super::identity`]),
//! so the same dump read again or re-encoded adds nothing, and a headline
//! repeated in a later dump is the same item. Items without a date of
//! their own get `published = None` and the dump's date as `first_seen`:
//! the store keeps `first_seen` from the first sighting and leaves it out
//! of the content hash, so reading the item again is "unchanged" however
//! the file's date moved, while outputs still sort it by when it was first
//! seen. Each item is dated a second before the one above it, so that
//! outputs, which sort by time, list a dump's stories in the order the
//! page showed them.

use std::collections::hash_map::{Entry, RandomState};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use chrono::{DateTime, TimeDelta, Utc};

use super::blocks::Unit;
use super::headers::Headers;
use super::identity::{article_id, headline_id};
use super::layout::{Content, Meta, Story};
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

/// The items of a dump, made story by story as the layout hands them
/// over; the first occurrence is kept when two stories of the same dump
/// have the same id.
pub(super) struct Items<'a> {
    builder: Builder<'a>,
    first_article: bool,
    /// The kept items, by a hash of their id: the ids are in the items
    /// already, and a copy would hold every id of the dump twice.
    by_hash: HashMap<u64, usize>,
    hasher: RandomState,
    /// Kept ids whose hash another kept id had first.
    collided: HashSet<ItemId>,
    items: Vec<Item>,
    max: usize,
}

impl<'a> Items<'a> {
    pub fn new(headers: &'a Headers, meta: &DumpMeta<'a>) -> Self {
        Items {
            builder: Builder {
                source: meta.source,
                headers,
                // A clock set wrong on the machine that wrote the file must
                // not pin its items above everything else.
                seen_at: headers.date.unwrap_or(meta.fallback_date).min(meta.now),
            },
            first_article: true,
            by_hash: HashMap::new(),
            hasher: RandomState::new(),
            collided: HashSet::new(),
            items: Vec::new(),
            max: meta.max_items,
        }
    }

    pub fn add(&mut self, story: Story<'_>) {
        if self.items.len() >= self.max {
            return;
        }
        let item = match story {
            Story::Article {
                title,
                content,
                meta,
            } if !content.is_empty() => {
                let item = self
                    .builder
                    .article(title.as_ref(), &content, meta, self.first_article);
                self.first_article = false;
                Some(item)
            }
            Story::Article { title, meta, .. } => {
                title.and_then(|t| self.builder.headline(&t, None, meta))
            }
            Story::Headline {
                title,
                standfirst,
                meta,
            } => self.builder.headline(&title, standfirst.as_ref(), meta),
        };
        if let Some(mut item) = item.filter(|i| self.is_new(&i.id)) {
            let place = self.items.len();
            let earlier = i64::try_from(place).ok().and_then(TimeDelta::try_seconds);
            if let Some(t) = earlier.and_then(|d| item.first_seen.checked_sub_signed(d)) {
                item.first_seen = t;
            }
            self.items.push(item);
        }
    }

    /// Whether no item kept so far has `id`; if none has, it will be the
    /// next one kept.
    fn is_new(&mut self, id: &ItemId) -> bool {
        let next = self.items.len();
        match self.by_hash.entry(self.hasher.hash_one(id)) {
            Entry::Vacant(slot) => {
                slot.insert(next);
                true
            }
            Entry::Occupied(first) if self.items.get(*first.get()).is_some_and(|i| i.id == *id) => {
                false
            }
            Entry::Occupied(_) => self.collided.insert(id.clone()),
        }
    }

    pub fn finish(self) -> Vec<Item> {
        self.items
    }
}

impl Builder<'_> {
    /// The header's title and link belong to the first article; its date
    /// and authors describe the whole page, unless the story has its own.
    fn article(
        &self,
        title_unit: Option<&Unit<'_>>,
        content: &[Content<'_>],
        meta: Meta,
        first: bool,
    ) -> Item {
        let opening = content
            .iter()
            .find_map(|c| match c {
                Content::Paragraph(u) => Some(u.text.as_ref()),
                _ => None,
            })
            .unwrap_or_default();
        // The header's title, else the title line, else the opening
        // sentence: the first that is more than markup is shown.
        let written: Vec<String> = first
            .then(|| self.headers.title.clone())
            .flatten()
            .into_iter()
            .chain(title_unit.map(|t| t.text.to_string()))
            .chain([title_from_opening(opening)])
            .collect();
        let title = written
            .iter()
            .map(|t| strip_tags(t))
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| UNTITLED.to_string());
        let link = first
            .then(|| self.headers.link.clone())
            .flatten()
            .or(meta.link);
        let id = match &link {
            Some(link) => ItemId::new(link.clone()),
            None => article_id(&title, opening),
        };
        let summary = (!opening.is_empty())
            .then(|| html_escape::encode_text(&cut_at_word(opening, SUMMARY_MAX)).into_owned());
        Item {
            title,
            link,
            summary,
            content: Some(render(content)),
            authors: self.authors(meta.authors),
            published: meta.date.or(self.headers.date),
            ..self.bare(id)
        }
    }

    fn authors(&self, own: Vec<String>) -> Vec<String> {
        if own.is_empty() {
            self.headers.authors.clone()
        } else {
            own
        }
    }

    /// `None` for a line that is nothing but markup: without a title a
    /// headline says nothing.
    fn headline(&self, line: &Unit<'_>, standfirst: Option<&Unit<'_>>, meta: Meta) -> Option<Item> {
        let title = strip_tags(&line.text);
        (!title.is_empty()).then(|| Item {
            link: meta.link,
            summary: standfirst.map(|s| html_escape::encode_text(&s.text).into_owned()),
            published: meta.date,
            title,
            ..self.bare(headline_id(&line.text))
        })
    }

    fn bare(&self, id: ItemId) -> Item {
        Item::new(self.source.clone(), id, String::new(), self.seen_at)
    }
}

/// An article's content as HTML: paragraphs, `<h3>` subheads, and list
/// points gathered into `<ul>` lists; one block to a line. Written into
/// one string, since an article can be most of a 16 MiB dump.
fn render(content: &[Content<'_>]) -> String {
    let mut html = String::new();
    let mut in_list = false;
    for part in content {
        let (open, close, unit) = match part {
            Content::Paragraph(u) => ("<p>", "</p>", u),
            Content::Subhead(u) => ("<h3>", "</h3>", u),
            Content::Point(u) => ("<li>", "</li>", u),
        };
        let is_point = matches!(part, Content::Point(_));
        if in_list && !is_point {
            html.push_str("</ul>");
        }
        let list_goes_on = in_list && is_point;
        if !html.is_empty() && !list_goes_on {
            html.push('\n');
        }
        if is_point && !in_list {
            html.push_str("<ul>");
        }
        in_list = is_point;
        html.push_str(open);
        push_inline(&mut html, unit);
        html.push_str(close);
    }
    if in_list {
        html.push_str("</ul>");
    }
    // Grown by doubling, the string can hold twice its text; a dump of
    // thousands of articles would keep all that room in its items.
    html.shrink_to_fit();
    html
}

/// A unit's text as HTML: the Markdown's inline markup, or escaped text.
fn push_inline(html: &mut String, unit: &Unit<'_>) {
    match unit.html() {
        Some(inline) => html.push_str(inline),
        None => {
            html_escape::encode_text_to_string(&unit.text, html);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::dump::blocks::Mark;

    /// A dump of `source` read at the epoch, with no cap on items.
    fn meta(source: &SourceName) -> DumpMeta<'_> {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        DumpMeta {
            source,
            origin: "test",
            fallback_date: now,
            now,
            max_items: usize::MAX,
        }
    }

    #[test]
    fn ids_whose_hashes_collide_are_still_told_apart() {
        let source = SourceName::new("dumps").unwrap();
        let meta = meta(&source);
        let headers = Headers::default();
        let mut made = Items::new(&headers, &meta);
        let (first, other) = (ItemId::new("a"), ItemId::new("b"));
        assert!(made.is_new(&first));
        made.items.push(made.builder.bare(first.clone()));
        // As if `other` hashed as `first` does.
        let index = made.by_hash.remove(&made.hasher.hash_one(&first));
        made.by_hash
            .insert(made.hasher.hash_one(&other), index.unwrap());
        assert!(made.is_new(&other));
        assert!(!made.is_new(&other));
    }

    #[test]
    fn titles_lose_markup_and_content_is_escaped_html() {
        let source = SourceName::new("dumps").unwrap();
        let meta = meta(&source);
        let unit = |t: &'static str, mark| Unit::plain(t.into(), mark);
        let (bold, body, point) = (
            unit("<b>Bold</b> move", Mark::Plain),
            unit("Body & text.", Mark::Plain),
            unit("a point", Mark::Bullet),
        );
        let (fire, svg) = (
            unit("Fire <img src=x onerror=alert(1)> downtown", Mark::Plain),
            unit("<svg/onload=alert(1)>", Mark::Plain),
        );
        let stories = vec![
            Story::Article {
                title: Some(bold),
                content: vec![Content::Paragraph(body), Content::Point(point)],
                meta: Meta::default(),
            },
            Story::Headline {
                title: fire.clone(),
                standfirst: None,
                meta: Meta::default(),
            },
            Story::Headline {
                title: svg,
                standfirst: None,
                meta: Meta::default(),
            },
        ];
        let headers = Headers::default();
        let mut made = Items::new(&headers, &meta);
        for story in stories {
            made.add(story);
        }
        let got = made.finish();
        let titles: Vec<&str> = got.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Bold move", "Fire downtown"]);
        assert_eq!(
            got[0].content.as_deref(),
            Some("<p>Body &amp; text.</p>\n<ul><li>a point</li></ul>")
        );
        assert!(got[0].id.as_str().starts_with("article:"));
        assert_eq!(got[1].id, headline_id(&fire.text));
    }
}
