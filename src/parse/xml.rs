//! The one reader of every XML dialect (RSS 0.9x, 1.0, 2.0, Atom 0.3 and
//! 1.0): a quick-xml event walk that ignores mismatched end tags, reads
//! unescaped HTML inside fields as HTML, and keeps every entry completed
//! before the point where the document breaks off. Being lenient is the
//! point: real feeds break the rules a strict reader would enforce.
//!
//! The walk knows the shape all these formats share: containers (`rss`,
//! `rdf:RDF`, `channel`, `feed`) hold feed fields and entries (`item`,
//! `entry`), and entries hold fields. Every other element is read whole as
//! a field, so its own children (an image's title, say) are never
//! mistaken for the feed's.

use std::borrow::Cow;
use std::time::Duration;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::dates::parse_date;
use super::fields::{
    attribute, combine_base, duration, explicit, guessed_text, length, non_empty, permalink, plain,
    push_trimmed, rss_author, ttl, typed_text,
};
use super::{Dialect, Enclosure, ParseError, ParsedEntry, ParsedFeed, Text};
use crate::feed_schedule;

pub(super) fn parse(
    xml: &str,
    dialect: Dialect,
    max_entries: usize,
) -> Result<ParsedFeed, ParseError> {
    let mut walk = Walk {
        reader: Reader::from_str(xml),
        atom: dialect.is_atom(),
        feed: ParsedFeed {
            dialect,
            ..ParsedFeed::default()
        },
        feed_authors: Vec::new(),
        feed_link_is_alternate: false,
        feed_title_fallback: None,
        own_prefix: None,
        sy_period: None,
        sy_frequency: None,
        current: None,
        max_entries,
    };
    let config = walk.reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let outcome = walk.run();
    let mut feed = walk.feed;
    feed.title = feed.title.or(walk.feed_title_fallback);
    match outcome {
        Err(message) if feed.title.is_none() && feed.link.is_none() && feed.entries.is_empty() => {
            let at = usize::try_from(walk.reader.error_position()).unwrap_or(usize::MAX);
            Err(ParseError::malformed_at(xml, at, message))
        }
        _ => Ok(feed),
    }
}

struct Walk<'a> {
    reader: Reader<&'a [u8]>,
    atom: bool,
    feed: ParsedFeed,
    feed_authors: Vec<String>,
    feed_link_is_alternate: bool,
    /// `dc:title`, for a channel without `<title>`.
    feed_title_fallback: Option<String>,
    /// The prefix of the feed's own elements when the document writes them
    /// prefixed (`<r:rss><r:channel><r:title>`).
    own_prefix: Option<String>,
    /// `sy:updatePeriod` and `sy:updateFrequency` as written, until both
    /// are read.
    sy_period: Option<String>,
    sy_frequency: Option<String>,
    current: Option<Draft>,
    /// Entries are trimmed to this many (the newest) whenever twice as many
    /// have been read, so memory never holds more.
    max_entries: usize,
}

/// An entry being read.
#[derive(Default)]
struct Draft {
    entry: ParsedEntry,
    link_is_alternate: bool,
    permalink: Option<String>,
    /// Values from extensions (Dublin Core, iTunes, Media RSS), used only
    /// where the entry's own elements say nothing.
    fallback: Fallback,
}

#[derive(Default)]
struct Fallback {
    title: Option<Text>,
    summary: Option<Text>,
    authors: Vec<String>,
    /// `media:thumbnail`, the entry's picture before `itunes:image`.
    thumbnail: Option<String>,
    itunes_image: Option<String>,
    /// `itunes:duration`: the episode's, so the first enclosure's.
    duration: Option<Duration>,
}

impl<'a> Walk<'a> {
    /// Reads to the end, or to the first error the walk cannot step over.
    fn run(&mut self) -> Result<(), String> {
        loop {
            match self.reader.read_event().map_err(|e| e.to_string())? {
                Event::Start(e) => self.start(e, true)?,
                Event::Empty(e) => self.start(e, false)?,
                Event::End(_) => self.close_entry(),
                // An entry still open here was cut off: it is dropped
                // rather than stored half-read.
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    fn start(&mut self, e: BytesStart<'a>, has_end: bool) -> Result<(), String> {
        let local = local_name(&e);
        if matches!(local, "item" | "entry") {
            self.close_entry();
            let own_base = attribute(&e, "xml:base");
            let base = combine_base(self.feed.base.as_deref(), own_base.as_deref());
            self.current = Some(Draft {
                entry: ParsedEntry {
                    base,
                    ..ParsedEntry::default()
                },
                ..Draft::default()
            });
            if !has_end {
                self.close_entry();
            }
            return Ok(());
        }
        if self.current.is_none() && matches!(local, "rss" | "RDF" | "channel" | "feed") {
            if local != "RDF" && self.own_prefix.is_none() {
                self.own_prefix = prefix(&e).map(str::to_string);
            }
            let own_base = attribute(&e, "xml:base");
            let base = combine_base(self.feed.base.as_deref(), own_base.as_deref());
            self.feed.base = base.or(self.feed.base.take());
            return Ok(());
        }
        let inner = if has_end {
            let text = self.reader.read_text(e.name());
            text.and_then(|t| Ok(t.decode()?))
                .map_err(|err| err.to_string())?
        } else {
            Cow::Borrowed("")
        };
        let field = Field::new(&e, &inner, self.atom, self.own_prefix.as_deref());
        match self.current.as_mut() {
            Some(draft) => draft.field(&field),
            None => self.feed_field(&field),
        }
        Ok(())
    }

    fn close_entry(&mut self) {
        if let Some(draft) = self.current.take() {
            let mut entry = draft.entry;
            let fallback = draft.fallback;
            entry.link = entry.link.or(draft.permalink);
            entry.title = entry.title.or(fallback.title);
            entry.summary = entry.summary.or(fallback.summary);
            if entry.authors.is_empty() {
                entry.authors = fallback.authors;
            }
            if entry.authors.is_empty() && self.atom {
                entry.authors = self.feed_authors.clone();
            }
            entry.image = fallback.thumbnail.or(fallback.itunes_image);
            if let Some(first) = entry.enclosures.first_mut() {
                first.duration = first.duration.or(fallback.duration);
            }
            self.feed.entries.push(entry);
            if self.feed.entries.len() / 2 >= self.max_entries {
                super::keep_newest(&mut self.feed, self.max_entries);
            }
        }
    }

    fn feed_field(&mut self, field: &Field<'_, '_>) {
        if (field.prefix, field.local) == (Some("dc"), "title") {
            self.feed_title_fallback = self
                .feed_title_fallback
                .take()
                .or_else(|| field.text().map(|t| plain(&t)));
        }
        if field.prefix == Some("sy") {
            self.syndication_field(field);
        }
        if !field.core {
            return;
        }
        match field.local {
            "title" if self.feed.title.is_none() => {
                self.feed.title = field.text().map(|t| plain(&t));
            }
            "link" => {
                if let Some((href, alternate)) = field.atom_link() {
                    if self.feed.link.is_none() || (alternate && !self.feed_link_is_alternate) {
                        self.feed.link = Some(href);
                        self.feed_link_is_alternate = alternate;
                    }
                } else if self.feed.link.is_none() {
                    self.feed.link = non_empty(&field.value().value);
                }
            }
            "id" if self.atom && self.feed.id.is_none() => {
                self.feed.id = non_empty(&field.value().value);
            }
            "ttl" => self.feed.schedule.ttl = ttl(&field.value().value),
            "skipHours" => self.feed.schedule.skip_hours = feed_schedule::skip_hours(field.inner),
            "skipDays" => self.feed.schedule.skip_days = feed_schedule::skip_days(field.inner),
            "author" => self.feed_authors.extend(field.author()),
            _ => {}
        }
    }
}

impl Walk<'_> {
    /// `sy:updatePeriod` and `sy:updateFrequency`, in either order.
    fn syndication_field(&mut self, field: &Field<'_, '_>) {
        let value = field.value().value;
        match field.local {
            "updatePeriod" => self.sy_period = Some(value),
            "updateFrequency" => self.sy_frequency = Some(value),
            _ => return,
        }
        if let Some(period) = &self.sy_period {
            self.feed.schedule.update_every =
                feed_schedule::update_every(period, self.sy_frequency.as_deref());
        }
    }
}

impl Draft {
    fn field(&mut self, field: &Field<'_, '_>) {
        let entry = &mut self.entry;
        match (field.prefix, field.local) {
            (Some("content"), "encoded") => {
                entry.content = entry.content.take().or_else(|| field.html());
            }
            (Some("dc"), "creator" | "author") => {
                push_trimmed(&mut entry.authors, &field.value().value);
            }
            (Some("dc"), "subject") => push_trimmed(&mut entry.categories, &field.value().value),
            (Some("dc"), "date") | (Some("dcterms"), "issued" | "created") => {
                entry.published = entry.published.or_else(|| field.date());
            }
            (Some("dcterms"), "modified") => entry.updated = entry.updated.or_else(|| field.date()),
            (Some("xhtml"), "body") => {
                entry.content = entry.content.take().or_else(|| field.html())
            }
            (Some("dc"), "title") => {
                self.fallback.title = self.fallback.title.take().or_else(|| field.text())
            }
            (Some("dc"), "description") | (Some("itunes"), "summary") => {
                self.fallback.summary = self.fallback.summary.take().or_else(|| field.text());
            }
            (Some("media"), "description" | "group") => {
                self.fallback.summary = self
                    .fallback
                    .summary
                    .take()
                    .or_else(|| field.media_description());
                if field.local == "group" {
                    self.media_group(field.inner);
                }
            }
            (Some("media"), "content" | "thumbnail") => self.media_element(field.element),
            (Some("itunes"), "duration") => {
                self.fallback.duration = self.fallback.duration.or(duration(&field.value().value));
            }
            (Some("itunes"), "episode") => {
                entry.episode = entry.episode.or(field.value().value.trim().parse().ok());
            }
            (Some("itunes"), "explicit") => {
                entry.explicit = entry.explicit.or(explicit(&field.value().value));
            }
            (Some("itunes"), "image") => {
                self.fallback.itunes_image = self
                    .fallback
                    .itunes_image
                    .take()
                    .or_else(|| attribute(field.element, "href").and_then(|h| non_empty(&h)));
            }
            (Some("itunes"), "author") => {
                push_trimmed(&mut self.fallback.authors, &field.value().value)
            }
            _ if field.core => self.core_field(field),
            _ => {}
        }
    }

    fn core_field(&mut self, field: &Field<'_, '_>) {
        let entry = &mut self.entry;
        match field.local {
            "title" => entry.title = entry.title.take().or_else(|| field.text()),
            "link" if field.is_enclosure_link() => {
                entry.enclosures.extend(field.atom_enclosure());
            }
            "enclosure" => entry.enclosures.extend(rss_enclosure(field.element)),
            "link" => {
                if let Some((href, alternate)) = field.atom_link() {
                    if entry.link.is_none() || (alternate && !self.link_is_alternate) {
                        entry.link = Some(href);
                        self.link_is_alternate = alternate;
                    }
                } else if entry.link.is_none() {
                    entry.link = non_empty(&field.value().value);
                }
            }
            "guid" | "id" if entry.id.is_none() => {
                entry.id = non_empty(&field.value().value);
                let is_permalink = attribute(field.element, "isPermaLink")
                    .is_none_or(|p| !p.trim().eq_ignore_ascii_case("false"));
                self.permalink = entry
                    .id
                    .as_deref()
                    .and_then(|id| permalink(id, is_permalink));
            }
            "description" => self.summary_or_content(field.html()),
            // RSS 2.0 allows an XHTML `<body>` in an item.
            "body" => entry.content = entry.content.take().or_else(|| field.html()),
            "summary" => self.summary_or_content(field.text()),
            "content" if attribute(field.element, "src").is_none() => {
                entry.content = entry.content.take().or_else(|| field.text());
            }
            "author" => entry.authors.extend(field.author()),
            "category" => {
                let term = attribute(field.element, "term")
                    .or_else(|| attribute(field.element, "label"))
                    .unwrap_or_else(|| field.value().value);
                push_trimmed(&mut entry.categories, &term);
            }
            "pubDate" | "published" | "issued" | "created" => {
                entry.published = entry.published.or_else(|| field.date());
            }
            "updated" | "modified" => entry.updated = entry.updated.or_else(|| field.date()),
            _ => {}
        }
    }
}

impl Draft {
    /// A `media:content` (a file of the entry) or `media:thumbnail` (its
    /// picture).
    fn media_element(&mut self, element: &BytesStart<'_>) {
        let Some(url) = attribute(element, "url").and_then(|u| non_empty(&u)) else {
            return;
        };
        if local_name(element) == "thumbnail" {
            self.fallback.thumbnail.get_or_insert(url);
            return;
        }
        let attr = |name| attribute(element, name);
        self.entry.enclosures.push(Enclosure {
            mime_type: attr("type").and_then(|t| non_empty(&t)),
            length: attr("fileSize").and_then(|l| length(&l)),
            duration: attr("duration").and_then(|d| duration(&d)),
            ..Enclosure::new(url)
        });
    }

    /// The `media:content` and `media:thumbnail` inside a `media:group`
    /// (its variants of one file: every one is kept, readers pick).
    fn media_group(&mut self, inner: &str) {
        let mut reader = Reader::from_str(inner);
        reader.config_mut().check_end_names = false;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e))
                    if matches!(local_name(&e), "content" | "thumbnail") =>
                {
                    self.media_element(&e);
                }
                Ok(Event::Eof) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }

    /// An item with both `<description>` and `<summary>` keeps the first
    /// as its summary and the second as its content (as feedparser does).
    fn summary_or_content(&mut self, text: Option<Text>) {
        let entry = &mut self.entry;
        if entry.summary.is_none() {
            entry.summary = text;
        } else if entry.content.is_none() {
            entry.content = text;
        }
    }
}

/// One element read whole: its start tag and its raw inside.
struct Field<'e, 'i> {
    element: &'e BytesStart<'e>,
    prefix: Option<&'e str>,
    local: &'e str,
    /// Unprefixed, or prefixed the way feeds write their own namespace.
    core: bool,
    inner: &'i str,
    atom: bool,
}

impl<'e, 'i> Field<'e, 'i> {
    fn new(
        element: &'e BytesStart<'e>,
        inner: &'i str,
        atom: bool,
        own_prefix: Option<&str>,
    ) -> Self {
        let prefix = prefix(element);
        let core = matches!(prefix, None | Some("atom" | "rss"))
            || (prefix.is_some() && prefix == own_prefix);
        Field {
            element,
            prefix,
            local: local_name(element),
            core,
            inner,
            atom,
        }
    }

    fn value(&self) -> Inner {
        Inner::read(self.inner)
    }

    /// A text field as its format types it.
    fn text(&self) -> Option<Text> {
        let inner = self.value();
        if !self.atom {
            return if inner.markup {
                non_empty(&inner.value).map(Text::html)
            } else {
                guessed_text(&inner.value)
            };
        }
        let mode = attribute(self.element, "mode");
        if mode.as_deref().map(str::trim) == Some("base64") {
            return None;
        }
        let kind = attribute(self.element, "type");
        let kind = match kind.as_deref().map(str::trim) {
            Some(k @ ("xhtml" | "application/xhtml+xml")) => k,
            Some("html") if inner.markup => {
                return typed_text(Some("html"), &escaped_html_in_div(self.inner));
            }
            _ if inner.markup => "html",
            // Atom 0.3 marks escaped HTML with a mode rather than a type.
            None if mode.as_deref() == Some("escaped") => "html",
            Some(k) => k,
            None => "text",
        };
        typed_text(Some(kind), &inner.value)
    }

    /// A field that is HTML by convention (RSS description).
    fn html(&self) -> Option<Text> {
        non_empty(&self.value().value).map(Text::html)
    }

    fn date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        parse_date(&self.value().value)
    }

    /// An Atom link: its `href` and whether it is the alternate one.
    fn atom_link(&self) -> Option<(String, bool)> {
        let href = non_empty(&attribute(self.element, "href")?)?;
        let rel = attribute(self.element, "rel");
        let alternate = rel.as_deref().is_none_or(|r| r.trim() == "alternate");
        Some((href, alternate))
    }

    fn is_enclosure_link(&self) -> bool {
        attribute(self.element, "rel").is_some_and(|r| r.trim() == "enclosure")
    }

    /// Atom `<link rel="enclosure" href type length title>`.
    fn atom_enclosure(&self) -> Option<Enclosure> {
        let attr = |name| attribute(self.element, name);
        Some(Enclosure {
            mime_type: attr("type").and_then(|t| non_empty(&t)),
            length: attr("length").and_then(|l| length(&l)),
            title: attr("title").and_then(|t| non_empty(&t)),
            ..Enclosure::new(non_empty(&attr("href")?)?)
        })
    }

    /// `media:description`, or the one inside a `media:group`.
    fn media_description(&self) -> Option<Text> {
        if self.local == "description" {
            let kind = attribute(self.element, "type");
            return typed_text(Some(kind.as_deref().unwrap_or("text")), &self.value().value);
        }
        let mut reader = Reader::from_str(self.inner);
        reader.config_mut().check_end_names = false;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) if local_name(&e) == "description" => {
                    let inner = reader.read_text(e.name()).ok()?.decode().ok()?;
                    return Field::new(&e, &inner, self.atom, None).media_description();
                }
                Ok(Event::Eof) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// An RSS `email (Name)` author, or an Atom person's name or email.
    fn author(&self) -> Option<String> {
        if !self.inner.contains('<') {
            return rss_author(&self.value().value);
        }
        let mut reader = Reader::from_str(self.inner);
        reader.config_mut().check_end_names = false;
        let (mut name, mut email) = (None, None);
        while let Ok(event) = reader.read_event() {
            match event {
                Event::Start(e) => {
                    let Some(text) = reader
                        .read_text(e.name())
                        .ok()
                        .and_then(|t| t.decode().ok())
                    else {
                        break;
                    };
                    let value = non_empty(&Inner::read(&text).value);
                    match local_name(&e) {
                        "name" => name = name.or(value),
                        "email" => email = email.or(value),
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        name.or(email)
    }
}

/// The inside of an element as a value: text with its references decoded
/// and CDATA unwrapped, or, when it holds elements (unescaped HTML, XHTML),
/// the markup itself.
struct Inner {
    value: String,
    markup: bool,
}

impl Inner {
    fn read(raw: &str) -> Self {
        let markup = Segments(raw).any(|s| matches!(s, Segment::Markup(_)));
        let mut value = String::with_capacity(raw.len());
        for segment in Segments(raw) {
            match (segment, markup) {
                (Segment::Text(t), false) => value.push_str(&html_escape::decode_html_entities(t)),
                (Segment::CData(t), false) => value.push_str(t),
                (Segment::CData(t), true) => value.push_str(&html_escape::encode_text(t)),
                (Segment::Text(t) | Segment::Markup(t), true) => value.push_str(t),
                (Segment::Markup(_) | Segment::Comment, false) | (Segment::Comment, true) => {}
            }
        }
        Inner { value, markup }
    }
}

/// `type="html"` content that wraps its escaped HTML in an XHTML `<div>`
/// anyway (TypePad does): the div is dropped and its text unescaped, as
/// though the div were not there. Other markup is kept as it stands.
fn escaped_html_in_div(raw: &str) -> String {
    let trimmed = raw.trim();
    let inside = trimmed
        .strip_prefix("<div")
        .and_then(|rest| rest.strip_suffix("</div>"))
        .and_then(|rest| rest.get(rest.find('>')? + 1..))
        .filter(|inside| !inside.contains('<'));
    Inner::read(inside.unwrap_or(raw)).value
}

enum Segment<'a> {
    Text(&'a str),
    CData(&'a str),
    Comment,
    /// A `<` that opens a tag, with what follows up to the next `<`.
    Markup(&'a str),
}

/// Splits raw element content into text, CDATA sections, comments and
/// markup.
struct Segments<'a>(&'a str);

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let rest = self.0;
        if rest.is_empty() {
            return None;
        }
        let sections = [("<![CDATA[", "]]>"), ("<!--", "-->")];
        for (i, (open, close)) in sections.into_iter().enumerate() {
            if let Some(body) = rest.strip_prefix(open) {
                let end = body.find(close).unwrap_or(body.len());
                self.0 = body.get(end + close.len()..).unwrap_or_default();
                let content = &body[..end];
                return Some(if i == 0 {
                    Segment::CData(content)
                } else {
                    Segment::Comment
                });
            }
        }
        let is_tag = rest.starts_with('<');
        let from = usize::from(is_tag);
        let end = rest[from..].find('<').map_or(rest.len(), |i| i + from);
        self.0 = &rest[end..];
        let piece = &rest[..end];
        Some(if is_tag {
            Segment::Markup(piece)
        } else {
            Segment::Text(piece)
        })
    }
}

/// RSS `<enclosure url length type>`.
fn rss_enclosure(element: &BytesStart<'_>) -> Option<Enclosure> {
    let attr = |name| attribute(element, name);
    Some(Enclosure {
        mime_type: attr("type").and_then(|t| non_empty(&t)),
        length: attr("length").and_then(|l| length(&l)),
        ..Enclosure::new(non_empty(&attr("url")?)?)
    })
}

fn prefix<'e>(e: &'e BytesStart<'_>) -> Option<&'e str> {
    let name = e.name().into_inner();
    let colon = name.iter().position(|&b| b == b':')?;
    std::str::from_utf8(&name[..colon]).ok()
}

fn local_name<'e>(e: &'e BytesStart<'_>) -> &'e str {
    let name = e.name().into_inner();
    let local = match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    std::str::from_utf8(local).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rss(xml: &str) -> ParsedFeed {
        parse(xml, Dialect::Rss20, usize::MAX).unwrap()
    }

    #[test]
    fn reads_the_publishers_schedule() {
        let feed = rss(
            r#"<rss xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
            <title>T</title><sy:updateFrequency>4</sy:updateFrequency>
            <sy:updatePeriod>daily</sy:updatePeriod>
            <skipHours><hour>1</hour><hour>2</hour></skipHours>
            <skipDays><day>Sunday</day></skipDays></channel></rss>"#,
        );
        let schedule = feed.schedule;
        assert_eq!(
            schedule.update_every,
            Some(std::time::Duration::from_secs(6 * 3600))
        );
        assert_eq!(schedule.skip_hours, 0b110);
        assert_eq!(schedule.skip_days, 1 << 6);
    }

    #[test]
    fn reads_rss_fields_and_unescaped_html() {
        let feed = rss(
            r#"<rss><channel><title>Feed &amp; Co</title><link>http://x.test/</link><ttl>30</ttl>
            <image><title>Not the title</title></image>
            <item><title>One</title><guid isPermaLink="true">http://x.test/1</guid>
              <description><p>Hello <b>world</b></p></description>
              <dc:creator>Ann</dc:creator><author>b@x.test (Bob)</author>
              <category>News</category><dc:subject>Local</dc:subject>
              <pubDate>Tue, 02 Jan 2024 10:00:00 +0100</pubDate>
              <content:encoded><![CDATA[<p>Full & more</p>]]></content:encoded>
            </item></channel></rss>"#,
        );
        assert_eq!(feed.title.as_deref(), Some("Feed & Co"));
        assert_eq!(feed.link.as_deref(), Some("http://x.test/"));
        assert_eq!(feed.id, None);
        assert_eq!(
            feed.schedule.ttl,
            Some(std::time::Duration::from_secs(1800))
        );
        let e = &feed.entries[0];
        assert_eq!(e.id.as_deref(), Some("http://x.test/1"));
        assert_eq!(e.link.as_deref(), Some("http://x.test/1"));
        assert_eq!(e.title, Some(Text::plain("One")));
        assert_eq!(e.summary, Some(Text::html("<p>Hello <b>world</b></p>")));
        assert_eq!(e.content, Some(Text::html("<p>Full & more</p>")));
        assert_eq!(e.authors, ["Ann", "Bob"]);
        assert_eq!(e.categories, ["News", "Local"]);
        assert_eq!(
            e.published.unwrap().to_rfc3339(),
            "2024-01-02T09:00:00+00:00"
        );
    }

    #[test]
    fn reads_atom_03() {
        let feed = parse(
            r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:base="http://x.test/">
              <title mode="escaped" type="text/html">A &lt;i&gt;B&lt;/i&gt;</title>
              <link rel="alternate" type="text/html" href="/home"/>
              <id> tag:x.test,2004:feed </id>
              <author><name>Feed Writer</name></author>
              <entry xml:base="posts/"><title>E</title><id>tag:x.test,2004:1</id>
                <link rel="replies" href="/c"/><link rel="alternate" href="e1"/>
                <issued>2004-01-02T03:04:05Z</issued><modified>2004-01-03T03:04:05Z</modified>
                <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div></content>
                <content type="image/png" mode="base64">iVBOR</content>
              </entry></feed>"#,
            Dialect::Atom03,
            usize::MAX,
        )
        .unwrap();
        assert_eq!(feed.title.as_deref(), Some("A B"));
        assert_eq!(feed.link.as_deref(), Some("/home"));
        assert_eq!(feed.id.as_deref(), Some("tag:x.test,2004:feed"));
        assert_eq!(feed.base.as_deref(), Some("http://x.test/"));
        let e = &feed.entries[0];
        assert_eq!(e.link.as_deref(), Some("e1"));
        assert_eq!(e.base.as_deref(), Some("http://x.test/posts/"));
        assert_eq!(e.content, Some(Text::html("<p>Hi</p>")));
        assert_eq!(e.authors, ["Feed Writer"]);
        assert_eq!(
            e.published.unwrap().to_rfc3339(),
            "2004-01-02T03:04:05+00:00"
        );
        assert_eq!(e.updated.unwrap().to_rfc3339(), "2004-01-03T03:04:05+00:00");
    }

    #[test]
    fn prefixed_feeds_and_extension_fallbacks() {
        let feed = rss(
            r#"<r:rss xmlns:r="http://backend.userland.com/rss2"><r:channel><dc:title>Dc</dc:title>
              <r:item><dc:title>Fallback</dc:title><r:title>Own</r:title>
                <itunes:summary>Spoken</itunes:summary><itunes:author>Host</itunes:author></r:item>
              <item><media:group><media:title>m</media:title><media:description>Clip text</media:description></media:group></item>
              <item><xhtml:body xmlns:xhtml="http://www.w3.org/1999/xhtml"><xhtml:p>x</xhtml:p></xhtml:body></item>
            </r:channel></r:rss>"#,
        );
        assert_eq!(feed.title.as_deref(), Some("Dc"));
        let [a, b, c] = feed.entries.as_slice() else {
            panic!("{:?}", feed.entries)
        };
        assert_eq!(a.title, Some(Text::plain("Own")));
        assert_eq!(a.summary, Some(Text::plain("Spoken")));
        assert_eq!(a.authors, ["Host"]);
        assert_eq!(b.summary, Some(Text::plain("Clip text")));
        assert_eq!(c.content, Some(Text::html("<xhtml:p>x</xhtml:p>")));
    }

    #[test]
    fn a_truncated_document_keeps_its_complete_entries() {
        let feed = rss(
            "<rss><channel><title>T</title><item><title>A</title></item><item><title>B</title><description>cut",
        );
        let titles: Vec<_> = feed.entries.iter().map(|e| e.title.clone()).collect();
        assert_eq!(titles, [Some(Text::plain("A"))]);
    }

    #[test]
    fn an_unclosed_item_ends_where_the_next_begins() {
        let feed = rss(
            "<rss><channel><item><title>A</title><item><title>B</title></item></channel></rss>",
        );
        assert_eq!(feed.entries.len(), 2);
    }

    #[test]
    fn nothing_readable_is_an_error_with_a_position() {
        match parse(
            "<rss><channel><title>never closed",
            Dialect::Rss20,
            usize::MAX,
        ) {
            Err(ParseError::Malformed { line: 1, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn inner_values() {
        let text = Inner::read("a &amp; b <![CDATA[<x> & y]]><!-- c -->");
        assert!(!text.markup);
        assert_eq!(text.value, "a & b <x> & y");
        let markup = Inner::read("<p>a &amp; b</p><![CDATA[1 < 2]]>");
        assert!(markup.markup);
        assert_eq!(markup.value, "<p>a &amp; b</p>1 &lt; 2");
        assert_eq!(Inner::read("<![CDATA[unclosed").value, "unclosed");
    }
}
