//! Field conventions shared by every parser: how a raw value becomes a
//! `Text`, an author name, a ttl, a base.

use std::time::Duration;

use quick_xml::events::BytesStart;

use super::{Text, TextKind};
use crate::text::html_to_text;

/// The trimmed value, or `None` when nothing is left.
pub(super) fn non_empty(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// An RSS text field. RSS does not say whether a title is text or HTML;
/// feeds put escaped markup and entities in both, so the value decides.
pub(super) fn guessed_text(value: &str) -> Option<Text> {
    let value = non_empty(value)?;
    Some(if looks_like_markup(&value) {
        Text::html(value)
    } else {
        Text::plain(value)
    })
}

/// An Atom text construct or content, from its `type` (and, for Atom 0.3,
/// `mode`) attribute. `None` for content that is not text at all
/// (an image, base64 data).
pub(super) fn typed_text(kind: Option<&str>, value: &str) -> Option<Text> {
    let kind = kind.map(str::trim).unwrap_or("text").to_ascii_lowercase();
    let value = match kind.as_str() {
        "xhtml" | "application/xhtml+xml" => Text::html(strip_xhtml_div(value)),
        "html" | "text/html" => Text::html(value.to_string()),
        "" | "text" | "text/plain" => Text::plain(value.to_string()),
        other if other.starts_with("text/") => Text::plain(value.to_string()),
        _ => return None,
    };
    Some(value).filter(|t| !t.value.trim().is_empty())
}

/// A text value as plain text: markup stripped and whitespace collapsed.
pub(super) fn plain(text: &Text) -> String {
    match text.kind {
        TextKind::Html => html_to_text(&text.value),
        TextKind::Plain => text.value.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// True when `value` holds a tag or an entity reference, the signs that a
/// field meant as text is really HTML.
pub(super) fn looks_like_markup(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        match b {
            b'<' => next.is_ascii_alphabetic() || next == b'/' || next == b'!',
            b'&' => next == b'#' || entity_follows(&value[i + 1..]),
            _ => false,
        }
    })
}

fn entity_follows(rest: &str) -> bool {
    let len = rest
        .bytes()
        .take(33)
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    len > 0 && rest[len..].starts_with(';')
}

/// The inside of an Atom XHTML construct, without the wrapping `<div>` the
/// format requires.
fn strip_xhtml_div(value: &str) -> String {
    let trimmed = value.trim();
    let is_div = trimmed.starts_with("<div") || trimmed.contains(":div");
    let inner = trimmed
        .strip_prefix('<')
        .filter(|_| is_div && trimmed.ends_with("div>"))
        .and_then(|_| {
            let open_end = trimmed.find('>')? + 1;
            let close_start = trimmed.rfind("</")?;
            (open_end <= close_start).then(|| &trimmed[open_end..close_start])
        });
    inner.unwrap_or(trimmed).to_string()
}

/// An author from RSS `<author>`, conventionally `email (Name)`: the name
/// when there is one.
pub(super) fn rss_author(value: &str) -> Option<String> {
    let value = value.trim();
    let named = value
        .strip_suffix(')')
        .and_then(|v| v.split_once('('))
        .map(|(_, name)| name.trim())
        .filter(|name| !name.is_empty());
    non_empty(named.unwrap_or(value))
}

/// RSS `<ttl>`, in minutes.
pub(super) fn ttl(value: &str) -> Option<Duration> {
    let minutes: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(minutes.saturating_mul(60)))
}

/// A media file's size in bytes. `0` is how many feeds write "unknown".
pub(super) fn length(value: &str) -> Option<u64> {
    value.trim().parse().ok().filter(|&n| n > 0)
}

/// `itunes:duration` and Media RSS `duration`: seconds (fractions
/// dropped), `MM:SS` or `HH:MM:SS`.
pub(super) fn duration(value: &str) -> Option<Duration> {
    let parts: Vec<&str> = value.trim().split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let mut seconds: u64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let whole = if i + 1 == parts.len() {
            part.split_once('.').map_or(*part, |(w, _)| w)
        } else {
            part
        };
        let n: u64 = whole.trim().parse().ok()?;
        seconds = seconds.checked_mul(60)?.checked_add(n)?;
    }
    Some(Duration::from_secs(seconds)).filter(|d| !d.is_zero())
}

/// `itunes:explicit`: Apple's `true`/`false`, and the `yes`, `explicit`,
/// `no` and `clean` of its older documentation, still common.
pub(super) fn explicit(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "explicit" => Some(true),
        "false" | "no" | "clean" => Some(false),
        _ => None,
    }
}

/// A guid that is a permalink serves as the link when there is none.
pub(super) fn permalink(guid: &str, is_permalink: bool) -> Option<String> {
    let guid = guid.trim();
    let is_url = guid.starts_with("http://") || guid.starts_with("https://");
    (is_permalink && is_url).then(|| guid.to_string())
}

/// An element's own `xml:base` resolved against the enclosing one when
/// that is absolute; otherwise as written, left for `normalize` to resolve
/// along the chain document URL, feed base, entry base.
pub(super) fn combine_base(outer: Option<&str>, base: Option<&str>) -> Option<String> {
    let base = base.map(str::trim).filter(|b| !b.is_empty())?;
    match outer {
        None => Some(base.to_string()),
        Some(outer) => Some(
            url::Url::parse(outer)
                .and_then(|o| o.join(base))
                .map_or_else(|_| base.to_string(), String::from),
        ),
    }
}

/// The value of the attribute named exactly `name` (prefix included, as
/// in `xml:base`), with its references decoded.
pub(super) fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| {
            let raw = String::from_utf8_lossy(&a.value);
            html_escape::decode_html_entities(&raw).into_owned()
        })
}

/// Adds `value` to `list` unless it is empty.
pub(super) fn push_trimmed(list: &mut Vec<String>, value: &str) {
    if let Some(value) = non_empty(value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_text_is_html_only_when_it_looks_like_it() {
        assert_eq!(
            guessed_text(" Tom & Jerry "),
            Some(Text::plain("Tom & Jerry"))
        );
        assert_eq!(guessed_text("1 < 2"), Some(Text::plain("1 < 2")));
        assert_eq!(guessed_text("<b>bold</b>"), Some(Text::html("<b>bold</b>")));
        assert_eq!(guessed_text("AT&amp;T"), Some(Text::html("AT&amp;T")));
        assert_eq!(guessed_text("caf&#233;"), Some(Text::html("caf&#233;")));
        assert_eq!(guessed_text("   "), None);
    }

    #[test]
    fn atom_types() {
        assert_eq!(typed_text(None, "a < b"), Some(Text::plain("a < b")));
        assert_eq!(
            typed_text(Some("html"), "<i>x</i>"),
            Some(Text::html("<i>x</i>"))
        );
        assert_eq!(
            typed_text(
                Some("xhtml"),
                "\n <div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hi</p></div>\n"
            ),
            Some(Text::html("<p>Hi</p>"))
        );
        assert_eq!(
            typed_text(Some("xhtml"), "<p>no div</p>"),
            Some(Text::html("<p>no div</p>"))
        );
        assert_eq!(typed_text(Some(""), "t"), Some(Text::plain("t")));
        assert_eq!(typed_text(Some("image/png"), "iVBOR"), None);
        assert_eq!(typed_text(Some("html"), "  "), None);
    }

    #[test]
    fn plain_strips_markup_and_collapses_space() {
        assert_eq!(
            plain(&Text::html("A <b>bold</b>\n move &amp; more")),
            "A bold move & more"
        );
        assert_eq!(plain(&Text::plain(" a \n b ")), "a b");
    }

    #[test]
    fn rss_author_prefers_the_name() {
        assert_eq!(
            rss_author("jo@example.com (Jo Writer)").as_deref(),
            Some("Jo Writer")
        );
        assert_eq!(
            rss_author("jo@example.com").as_deref(),
            Some("jo@example.com")
        );
        assert_eq!(
            rss_author("jo@example.com ()").as_deref(),
            Some("jo@example.com ()")
        );
        assert_eq!(rss_author(" "), None);
    }

    #[test]
    fn ttl_and_permalink() {
        assert_eq!(ttl(" 60 "), Some(Duration::from_secs(3600)));
        assert_eq!(ttl("soon"), None);
        assert_eq!(
            permalink("https://x.test/a", true).as_deref(),
            Some("https://x.test/a")
        );
        assert_eq!(permalink("https://x.test/a", false), None);
        assert_eq!(permalink("tag:x.test,2024:1", true), None);
    }

    #[test]
    fn lengths_and_durations() {
        assert_eq!(length(" 1234 "), Some(1234));
        assert_eq!(length("0"), None);
        assert_eq!(length("big"), None);
        assert_eq!(duration("3725"), Some(Duration::from_secs(3725)));
        assert_eq!(duration("62:05"), Some(Duration::from_secs(3725)));
        assert_eq!(duration("1:02:05"), Some(Duration::from_secs(3725)));
        assert_eq!(duration("12.5"), Some(Duration::from_secs(12)));
        assert_eq!(duration("1:2:3:4"), None);
        assert_eq!(duration("soon"), None);
        assert_eq!(duration(""), None);
        assert_eq!(explicit(" Yes "), Some(true));
        assert_eq!(explicit("clean"), Some(false));
        assert_eq!(explicit("maybe"), None);
    }

    #[test]
    fn bases_combine_when_the_outer_one_is_absolute() {
        assert_eq!(
            combine_base(Some("http://x.test/a/"), Some("b/")).as_deref(),
            Some("http://x.test/a/b/")
        );
        assert_eq!(combine_base(Some("a/"), Some("b/")).as_deref(), Some("b/"));
        assert_eq!(combine_base(Some("http://x.test/"), None), None);
        assert_eq!(combine_base(None, Some(" ")), None);
    }
}
