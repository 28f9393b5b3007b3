//! The one item model every source is normalized into, and the names that
//! identify sources, outputs and items.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Why a name was refused; names appear in URLs, file names and logs, so
/// they are kept to a portable alphabet.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid name `{0}`: use 1 to 64 letters, digits, `-`, `_` or `.`, not starting with `.`")]
pub struct NameError(pub String);

/// A source's name: letters of any script (an imported `Café Öffentlich`
/// is `café-öffentlich`); axum decodes them from `/ingest/{name}`.
fn check_source_name(s: &str) -> Result<(), NameError> {
    check_name_chars(s, char::is_alphanumeric)
}

/// An output's name is its feeds' file name in self links, written into
/// documents as is: ASCII keeps those links plain URLs.
fn check_output_name(s: &str) -> Result<(), NameError> {
    check_name_chars(s, |c| c.is_ascii_alphanumeric())
}

fn check_name_chars(s: &str, letter: impl Fn(char) -> bool) -> Result<(), NameError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('.')
        && s.chars().all(|c| letter(c) || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(NameError(s.to_string()))
    }
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $check:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
                let s = s.into();
                $check(&s)?;
                Ok(Self(s))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

name_type!(
    /// The configured name of a source, unique in the config.
    SourceName,
    check_source_name
);
name_type!(
    /// The configured name of an output; it is the file name in `/feeds/{name}.rss`.
    OutputName,
    check_output_name
);

/// An item's id, stable across polls: the entry's guid/id, else its link,
/// else a hash of title and content.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(String);

impl ItemId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The fallback id for entries with neither guid nor link.
    pub fn from_text(title: &str, content: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(title.as_bytes());
        hasher.update([0]);
        hasher.update(content.as_bytes());
        Self(format!("sha256:{}", hex(&hasher.finalize()[..16])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A digest of everything a reader sees in an item; a change means the
/// stored item must be updated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentHash(String);

impl ContentHash {
    /// The digest of a whole fetched body, to tell a resent unchanged one.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        Self(hex(&Sha256::digest(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// What kind of source a config entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// RSS, Atom (or JSON Feed) over HTTP or from a file.
    #[default]
    Feed,
    /// Plain-text news dumps.
    Text,
    /// A web page listing stories, scraped into items.
    Html,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Text => "text",
            SourceKind::Html => "html",
        }
    }
}

/// How one poll of a source ended: the one word logs, metrics,
/// `syndic poll`, `syndic sources` and the database all use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollResult {
    /// New content was read and stored.
    Ok,
    /// Nothing changed: a `304`, or no dump file changed.
    NotModified,
    Error,
    /// `410 Gone`: the source is disabled until its location changes.
    Gone,
    /// Not fetched, because an earlier poll found it gone.
    Disabled,
}

impl PollResult {
    pub const ALL: [PollResult; 5] = [
        PollResult::Ok,
        PollResult::NotModified,
        PollResult::Error,
        PollResult::Gone,
        PollResult::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PollResult::Ok => "ok",
            PollResult::NotModified => "not_modified",
            PollResult::Error => "error",
            PollResult::Gone => "gone",
            PollResult::Disabled => "disabled",
        }
    }

    pub fn parse(word: &str) -> Option<PollResult> {
        Self::ALL.into_iter().find(|r| r.as_str() == word)
    }
}

impl fmt::Display for PollResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How far past its first sighting an item's date may lie when it is
/// ordered and aged, in seconds. Publishers' clocks and time-zone slips put
/// honest dates minutes, at times an hour, ahead of ours; a date further
/// ahead (a scheduled post, year 9999) would otherwise keep the item atop
/// every output and younger than any `max_age` until that date comes.
pub const DATE_SKEW_SECS: i64 = 3600;

/// A media file an item carries: a podcast episode's audio, a video, an
/// image gallery's pictures. Stored as JSON, so the field names are the
/// stored form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enclosure {
    /// Absolute http(s) URL.
    pub url: String,
    pub mime_type: Option<String>,
    /// Bytes, as the feed claims them (never checked).
    pub length: Option<u64>,
    pub duration: Option<Duration>,
    pub title: Option<String>,
}

impl Enclosure {
    pub fn new(url: impl Into<String>) -> Self {
        Enclosure {
            url: url.into(),
            mime_type: None,
            length: None,
            duration: None,
            title: None,
        }
    }

    /// Podcast apps play what is declared as audio; a missing type is
    /// not guessed from the file name.
    pub fn is_audio(&self) -> bool {
        self.mime_type
            .as_deref()
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("audio/"))
    }
}

/// One normalized item, whatever source it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub source: SourceName,
    pub id: ItemId,
    /// The source name the public id was derived from, when that is not
    /// `source`: the item was stored before its source was renamed, and
    /// readers already hold the id it was published under.
    pub id_source: Option<SourceName>,
    /// Plain text.
    pub title: String,
    /// Absolute URL.
    pub link: Option<String>,
    /// Sanitized HTML.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Media files, in feed order, one per URL.
    pub enclosures: Vec<Enclosure>,
    /// Absolute http(s) URL of the item's picture.
    pub image: Option<String>,
    /// A podcast episode's number (`itunes:episode`).
    pub episode: Option<u32>,
    /// Whether a podcast episode is marked explicit (`itunes:explicit`).
    pub explicit: Option<bool>,
    /// When syndic first stored it; kept on updates.
    pub first_seen: DateTime<Utc>,
    /// Other sources carrying the same story, when an output shows their
    /// copies as this one. Never stored: it depends on the output.
    pub also_in: Vec<SourceName>,
}

impl Item {
    /// An item with only what every item has; the rest empty. Fill in more
    /// with struct update syntax: `Item { link: Some(..), ..Item::new(..) }`.
    pub fn new(
        source: SourceName,
        id: ItemId,
        title: impl Into<String>,
        first_seen: DateTime<Utc>,
    ) -> Item {
        Item {
            source,
            id,
            id_source: None,
            title: title.into(),
            link: None,
            summary: None,
            content: None,
            authors: Vec::new(),
            categories: Vec::new(),
            published: None,
            updated: None,
            enclosures: Vec::new(),
            image: None,
            episode: None,
            explicit: None,
            first_seen,
            also_in: Vec::new(),
        }
    }

    /// A digest of the fields a reader sees; `first_seen` is excluded so that
    /// re-reading an unchanged entry is a no-op.
    pub fn content_hash(&self) -> ContentHash {
        let mut h = Sha256::new();
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        field(&self.title);
        field(self.link.as_deref().unwrap_or(""));
        field(self.summary.as_deref().unwrap_or(""));
        field(self.content.as_deref().unwrap_or(""));
        field(&self.authors.join("\u{1f}"));
        field(&self.categories.join("\u{1f}"));
        field(&self.published.map(|t| t.to_rfc3339()).unwrap_or_default());
        field(&self.updated.map(|t| t.to_rfc3339()).unwrap_or_default());
        field(&serde_json::to_string(&self.enclosures).unwrap_or_default());
        field(self.image.as_deref().unwrap_or(""));
        field(&self.episode.map(|n| n.to_string()).unwrap_or_default());
        field(self.explicit.map_or("", |e| if e { "yes" } else { "no" }));
        ContentHash(hex(&h.finalize()[..16]))
    }

    /// The store's order, a total one: newest sort time, then newest
    /// arrival, then source and id (the time indexes' own order).
    pub fn newest_first(a: &Item, b: &Item) -> std::cmp::Ordering {
        b.sort_time()
            .cmp(&a.sort_time())
            .then(b.first_seen.cmp(&a.first_seen))
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.id.cmp(&b.id))
    }

    /// The time outputs sort and age by: published, else first seen, but
    /// never later than first seen plus [`DATE_SKEW_SECS`]. The store's
    /// `sort_time` column holds the same.
    pub fn sort_time(&self) -> DateTime<Utc> {
        self.believable(self.published.unwrap_or(self.first_seen))
    }

    /// `claimed`, or the latest date this item can believably carry when
    /// `claimed` lies further ahead of its first sighting.
    pub fn believable(&self, claimed: DateTime<Utc>) -> DateTime<Utc> {
        let latest = self
            .first_seen
            .checked_add_signed(chrono::TimeDelta::seconds(DATE_SKEW_SECS))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        claimed.min(latest)
    }

    /// The id outputs publish: the item's own id when it is already a
    /// global IRI (`http(s):`, `tag:`, `urn:`), else a `urn:uuid:` derived
    /// from id and the source's name when the item was first stored, so
    /// that it is a valid Atom id and never changes, not even when the
    /// source is renamed.
    pub fn public_id(&self) -> String {
        if is_global_iri(self.id.as_str()) {
            return self.id.as_str().to_string();
        }
        let named = self.id_source.as_ref().unwrap_or(&self.source);
        let mut h = Sha256::new();
        h.update(named.as_str().as_bytes());
        h.update([0]);
        h.update(self.id.as_str().as_bytes());
        let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or_default();
        // RFC 9562 version 8 (custom) with the standard variant bits.
        b[6] = (b[6] & 0x0f) | 0x80;
        b[8] = (b[8] & 0x3f) | 0x80;
        let x = hex(&b);
        format!(
            "urn:uuid:{}-{}-{}-{}-{}",
            &x[..8],
            &x[8..12],
            &x[12..16],
            &x[16..20],
            &x[20..]
        )
    }
}

fn is_global_iri(id: &str) -> bool {
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    url::Url::parse(id).is_ok_and(|u| match u.scheme() {
        "http" | "https" => u.host().is_some(),
        "tag" | "urn" => u.path().contains(':'),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_are_checked() {
        assert!(SourceName::new("example-world").is_ok());
        assert!(SourceName::new("a.b_c-9").is_ok());
        assert!(SourceName::new("café-öffentlich").is_ok());
        assert!(SourceName::new("новости").is_ok());
        for bad in ["", ".hidden", "has space", "slash/", "a→b", &"x".repeat(65)] {
            assert!(SourceName::new(bad).is_err(), "{bad:?} accepted");
        }
        assert!(OutputName::new("world").is_ok());
        assert!(
            OutputName::new("café").is_err(),
            "output names are URL file names"
        );
    }

    #[test]
    fn text_id_is_stable_and_distinguishes_fields() {
        assert_eq!(ItemId::from_text("a", "b"), ItemId::from_text("a", "b"));
        assert_ne!(ItemId::from_text("ab", ""), ItemId::from_text("a", "b"));
    }

    #[test]
    fn public_id_keeps_global_iris_and_derives_the_rest() {
        let mut item = sample();
        for global in [
            "https://example.org/a?b=1",
            "tag:example.org,2024:post-1",
            "urn:isbn:0451450523",
        ] {
            item.id = ItemId::new(global);
            assert_eq!(item.public_id(), global);
        }
        for local in ["42", "sha256:00ff", "mailto:x@example.org", "https://a b"] {
            item.id = ItemId::new(local);
            let id = item.public_id();
            assert!(id.starts_with("urn:uuid:"), "{local:?} gave {id}");
            assert_eq!(id.len(), "urn:uuid:".len() + 36);
            assert_eq!(id, item.public_id(), "stable");
        }
        item.id = ItemId::new("42");
        let mut other = item.clone();
        other.source = SourceName::new("t").unwrap();
        assert_ne!(item.public_id(), other.public_id());
        other.id_source = Some(item.source.clone());
        assert_eq!(item.public_id(), other.public_id(), "renamed keeps its id");
    }

    fn sample() -> Item {
        Item::new(
            SourceName::new("s").unwrap(),
            ItemId::new("1"),
            "t",
            Utc::now(),
        )
    }

    #[test]
    fn sort_time_is_at_most_a_skew_past_first_seen() {
        let item = sample();
        let soon = item.first_seen + chrono::TimeDelta::minutes(30);
        let far = Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap();
        let past = item.first_seen - chrono::TimeDelta::days(3);
        let at = |published| {
            Item {
                published,
                ..item.clone()
            }
            .sort_time()
        };
        assert_eq!(at(Some(soon)), soon, "within the skew");
        assert_eq!(at(Some(past)), past);
        assert_eq!(at(None), item.first_seen);
        assert_eq!(
            at(Some(far)),
            item.first_seen + chrono::TimeDelta::seconds(DATE_SKEW_SECS)
        );
    }

    #[test]
    fn hash_ignores_first_seen_but_not_content() {
        let item = Item {
            content: Some("<p>x</p>".into()),
            ..sample()
        };
        let mut later = item.clone();
        later.first_seen += chrono::Duration::hours(1);
        assert_eq!(item.content_hash(), later.content_hash());
        later.content = Some("<p>y</p>".into());
        assert_ne!(item.content_hash(), later.content_hash());
        let mut longer = item.clone();
        longer.enclosures = vec![Enclosure::new("https://x.test/a.mp3")];
        assert_ne!(item.content_hash(), longer.content_hash());
        let mut timed = longer.clone();
        timed.enclosures[0].duration = Some(Duration::from_secs(61));
        assert_ne!(longer.content_hash(), timed.content_hash());
        let mut pictured = item.clone();
        pictured.image = Some("https://x.test/a.jpg".into());
        assert_ne!(item.content_hash(), pictured.content_hash());
        let mut clean = item.clone();
        clean.explicit = Some(false);
        assert_ne!(item.content_hash(), clean.content_hash());
    }
}
