//! Lazy-loaded images made visible: pages leave `src` empty or a
//! placeholder and let a script fill it from `data-src` or `srcset`, or
//! give only a `<picture>`'s `<source>` the real file. Feed readers run
//! no scripts, and the sanitizer keeps no `srcset`, so the real file is
//! written into `src` before sanitizing (which then makes it absolute).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// An `<img>` or `<source>` start tag, or the end of a `<picture>`.
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<(img|source)\b[^>]*>|</picture\s*>").unwrap_or_else(|e| panic!("{e}"))
});

/// One attribute: its name and its value, quoted either way or bare.
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Attributes lazy-loading scripts read the real image from, in the
/// order they are trusted.
const LAZY_SOURCES: [&str; 5] = [
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-srcset",
    "srcset",
];

/// `html` with every `<img>` that has no usable `src` given the one its
/// lazy-loading attributes, or its `<picture>`'s first `<source>`, name.
pub(super) fn with_real_images(html: &str) -> Cow<'_, str> {
    let mut picture_source: Option<String> = None;
    TAG.replace_all(html, |c: &Captures<'_>| {
        let tag = &c[0];
        let Some(kind) = c.get(1).map(|k| k.as_str().to_ascii_lowercase()) else {
            picture_source = None;
            return tag.to_string();
        };
        let attrs = attributes(tag);
        if kind == "source" {
            picture_source = picture_source.take().or_else(|| lazy_url(&attrs));
            return tag.to_string();
        }
        let has_src = attrs
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("src") && usable(v));
        match lazy_url(&attrs).or_else(|| picture_source.clone()) {
            Some(url) if !has_src => img_with_src(&attrs, &url),
            _ => tag.to_string(),
        }
    })
}

fn attributes(tag: &str) -> Vec<(&str, &str)> {
    ATTR.captures_iter(tag)
        .filter_map(|c| {
            let value = c.get(2).or(c.get(3)).or(c.get(4))?;
            Some((c.get(1)?.as_str(), value.as_str()))
        })
        .collect()
}

/// The first real image URL the lazy-loading attributes name.
fn lazy_url(attrs: &[(&str, &str)]) -> Option<String> {
    LAZY_SOURCES.iter().find_map(|name| {
        let (n, value) = attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        let url = if n.ends_with("srcset") {
            value.split(',').next()?.split_whitespace().next()?
        } else {
            value.trim()
        };
        usable(url).then(|| url.to_string())
    })
}

/// A placeholder (`data:` pixel, empty) is no image.
fn usable(url: &str) -> bool {
    let url = url.trim();
    !url.is_empty()
        && !url
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
}

/// The `<img>` again, its `src` the real file (values stay as written,
/// references and all, so only quotes need escaping).
fn img_with_src(attrs: &[(&str, &str)], url: &str) -> String {
    let mut tag = format!("<img src=\"{}\"", url.replace('"', "&quot;"));
    for (name, value) in attrs.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("src")) {
        tag.push_str(&format!(" {name}=\"{}\"", value.replace('"', "&quot;")));
    }
    tag.push('>');
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_images_get_their_real_src() {
        assert_eq!(
            with_real_images(
                r#"<img src="data:image/gif;base64,R0" data-src="/a.jpg" alt='x "y"'>"#
            ),
            r#"<img src="/a.jpg" data-src="/a.jpg" alt="x &quot;y&quot;">"#
        );
        assert_eq!(
            with_real_images(r#"<img srcset="/s.jpg 480w, /l.jpg 1024w">"#),
            r#"<img src="/s.jpg" srcset="/s.jpg 480w, /l.jpg 1024w">"#
        );
        assert_eq!(
            with_real_images(
                r#"<picture><source srcset="/p.webp" type="image/webp"><img alt="p"></picture><img alt="q">"#
            ),
            r#"<picture><source srcset="/p.webp" type="image/webp"><img src="/p.webp" alt="p"></picture><img alt="q">"#
        );
    }

    #[test]
    fn real_images_are_left_alone() {
        let html = r#"<p><img src="/real.jpg" data-src="/other.jpg"></p>"#;
        assert_eq!(with_real_images(html), html);
        assert!(matches!(with_real_images("<p>text</p>"), Cow::Borrowed(_)));
    }
}
