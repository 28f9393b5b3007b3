//! HTML from feeds made safe to serve.

use ammonia::{Builder, UrlRelative};
use url::Url;

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
        self.builder.clean(html).to_string()
    }
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
