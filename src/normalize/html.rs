//! HTML from feeds made safe to serve.

use std::borrow::Cow;

use ammonia::{Builder, UrlRelative};
use url::Url;

use crate::text::{html_to_text, nesting_depth};

/// HTML longer than this is cut (on a tag edge) before sanitizing, and the
/// item says so: no real article is this long, and the parser's cost grows
/// with it.
pub const MAX_HTML_BYTES: usize = 512 * 1024;
/// HTML nesting deeper than this is flattened to its text before
/// sanitizing, and the item says so: the HTML parser's cost grows with the
/// square of the depth (100,000 nested `<div>`s took 89 s; 5,000 items
/// nested 128 deep cost 1.8 s, 64 deep 0.7 s), and no real article nests
/// this deep.
pub const MAX_NESTING: usize = 64;

/// Sanitizes feed HTML with ammonia's allow-list: no script, no event
/// handlers, no `javascript:` or other unsafe URL schemes. Relative URLs in
/// `href`, `src` and the like are made absolute against `base` when there
/// is one.
pub fn sanitize_html(html: &str, base: Option<&Url>) -> String {
    Sanitizer::new().clean(html, base)
}

/// `sanitize_html` for many fragments: building the allow-list costs about
/// as much as cleaning a fragment, so a feed's items share one.
pub struct Sanitizer {
    builder: Builder<'static>,
}

impl Sanitizer {
    pub fn new() -> Self {
        Sanitizer {
            builder: Builder::default(),
        }
    }

    pub fn clean(&mut self, html: &str, base: Option<&Url>) -> String {
        self.builder.url_relative(match base {
            Some(base) => UrlRelative::RewriteWithBase(base.clone()),
            None => UrlRelative::PassThrough,
        });
        let (bounded, note) = bounded(html);
        let visible = super::lazy_images::with_real_images(&bounded);
        let mut clean = self.builder.clean(&visible).to_string();
        if let Some(note) = note {
            clean.push_str(&format!("<p><em>[syndic: {note}]</em></p>"));
        }
        clean
    }
}

/// `html` within `MAX_HTML_BYTES` and `MAX_NESTING`, with a note saying
/// what was done when it was not already.
fn bounded(html: &str) -> (Cow<'_, str>, Option<String>) {
    let (cut, mut note) = if html.len() > MAX_HTML_BYTES {
        let mut end = MAX_HTML_BYTES;
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        // Back to the last tag start, so no half tag is left.
        let end = html[..end].rfind('<').unwrap_or(end);
        let note = format!(
            "content cut at {} KiB of {} KiB",
            end / 1024,
            html.len() / 1024
        );
        (&html[..end], Some(note))
    } else {
        (html, None)
    };
    if nesting_depth(cut) > MAX_NESTING {
        let text = html_escape::encode_text(&html_to_text(cut)).into_owned();
        let flattened = format!("markup nested deeper than {MAX_NESTING} levels, shown as text");
        note = Some(match note {
            Some(cut) => format!("{cut}; {flattened}"),
            None => flattened,
        });
        return (Cow::Owned(format!("<p>{text}</p>")), note);
    }
    (Cow::Borrowed(cut), note)
}

impl Default for Sanitizer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_markup_is_flattened_to_text_and_says_so() {
        let depth = 100_000;
        let html = format!(
            "{}deep text{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let clean = sanitize_html(&html, None);
        assert!(clean.starts_with("<p>deep text</p>"), "{}", &clean[..80]);
        assert!(
            clean.contains(&format!("nested deeper than {MAX_NESTING} levels")),
            "{clean}"
        );
        // Ordinary nesting, and many paragraphs HTML closes by itself, stay.
        let ordinary = format!(
            "<div><ul><li><b>x</b></li></ul></div>{}",
            "<p>para".repeat(500)
        );
        assert!(!sanitize_html(&ordinary, None).contains("[syndic:"));
    }

    #[test]
    fn huge_content_is_cut_on_a_tag_edge_and_says_so() {
        let html = "<p>word word word</p>".repeat(MAX_HTML_BYTES / 10);
        let clean = sanitize_html(&html, None);
        assert!(clean.len() <= MAX_HTML_BYTES + 200, "{}", clean.len());
        assert!(clean.contains("[syndic: content cut at"), "no note");
        let (kept, _) = clean.split_once("<p><em>[syndic:").unwrap();
        assert!(kept.ends_with("<p>word word word</p>"), "half a paragraph");
        let small = "<p>fine</p>";
        assert_eq!(sanitize_html(small, None), small);
    }

    #[test]
    fn sanitizing_removes_scripts_handlers_and_javascript_urls() {
        let html = r#"<p onclick="steal()">Hi<script>alert(1)</script>
            <a href="javascript:alert(2)">x</a><img src="data:text/html,boo" onerror="x()"></p>"#;
        let clean = sanitize_html(html, None);
        for bad in [
            "script",
            "onclick",
            "onerror",
            "javascript:",
            "alert",
            "data:",
        ] {
            assert!(!clean.contains(bad), "{bad} left in {clean}");
        }
        assert!(clean.contains("<p>Hi"), "{clean}");
    }

    #[test]
    fn sanitizing_makes_relative_urls_absolute() {
        let base = Url::parse("http://x.test/blog/post/").unwrap();
        let clean = sanitize_html(
            r#"<a href="../other">o</a><img src="pic.png"><a href="https://elsewhere.test/">e</a>"#,
            Some(&base),
        );
        assert!(
            clean.contains(r#"href="http://x.test/blog/other""#),
            "{clean}"
        );
        assert!(
            clean.contains(r#"src="http://x.test/blog/post/pic.png""#),
            "{clean}"
        );
        assert!(
            clean.contains(r#"href="https://elsewhere.test/""#),
            "{clean}"
        );
    }

    #[test]
    fn a_shared_sanitizer_uses_the_base_of_each_call() {
        let mut sanitizer = Sanitizer::new();
        let a = Url::parse("http://a.test/").unwrap();
        assert_eq!(
            sanitizer.clean(r#"<img src="x.png">"#, Some(&a)),
            r#"<img src="http://a.test/x.png">"#
        );
        assert_eq!(
            sanitizer.clean(r#"<img src="x.png">"#, None),
            r#"<img src="x.png">"#
        );
    }
}
