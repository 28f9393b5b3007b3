//! An entry's media files and picture, made fit to store: absolute http(s)
//! URLs only (a reader or podcast app fetches them), one enclosure per URL.

use url::Url;

use crate::model::Enclosure;

/// The enclosures with absolute http(s) URLs, in feed order. A URL given
/// several times (an RSS `<enclosure>` repeated as `media:content`) is one
/// file: the first mention wins, later ones fill in what it left out.
pub(super) fn enclosures(list: &[Enclosure], base: Option<&Url>) -> Vec<Enclosure> {
    let mut kept: Vec<Enclosure> = Vec::with_capacity(list.len());
    for enclosure in list {
        let Some(url) = web_url(base, &enclosure.url) else {
            continue;
        };
        match kept.iter_mut().find(|k| k.url == url) {
            Some(k) => {
                k.mime_type = k.mime_type.take().or_else(|| enclosure.mime_type.clone());
                k.length = k.length.or(enclosure.length);
                k.duration = k.duration.or(enclosure.duration);
                k.title = k.title.take().or_else(|| enclosure.title.clone());
            }
            None => kept.push(Enclosure {
                url,
                ..enclosure.clone()
            }),
        }
    }
    kept
}

/// The item's picture: the one the entry names, else the first image of
/// its (sanitized, so already absolute) content.
pub(super) fn image(
    named: Option<&str>,
    content: Option<&str>,
    base: Option<&Url>,
) -> Option<String> {
    named
        .and_then(|n| web_url(base, n))
        .or_else(|| web_url(None, &first_img_src(content?)?))
}

/// `url` made absolute against `base`, when that gives an http(s) URL.
fn web_url(base: Option<&Url>, url: &str) -> Option<String> {
    let url = url.trim();
    let url = match base {
        Some(base) => base.join(url).ok()?,
        None => Url::parse(url).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.into())
}

/// The `src` of the first `<img>` in sanitized HTML, which the sanitizer
/// writes in one shape: lowercase names, double-quoted, escaped values.
fn first_img_src(html: &str) -> Option<String> {
    let start = html.find("<img ")?;
    let tag = &html[start..start + html[start..].find('>')?];
    let value = tag.split(" src=\"").nth(1)?.split('"').next()?;
    Some(html_escape::decode_html_entities(value).into_owned())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn enclosures_are_absolute_web_urls_one_per_url() {
        let base = Url::parse("https://pod.test/feed/").ok();
        let list = [
            Enclosure {
                mime_type: Some("audio/mpeg".into()),
                ..Enclosure::new("ep1.mp3")
            },
            Enclosure::new("ftp://pod.test/ep1.mp3"),
            Enclosure::new("javascript:alert(1)"),
            Enclosure {
                length: Some(10),
                duration: Some(Duration::from_secs(5)),
                mime_type: Some("audio/ogg".into()),
                ..Enclosure::new("https://pod.test/feed/ep1.mp3")
            },
            Enclosure::new("https://cdn.test/ep1.mp4"),
        ];
        let kept = enclosures(&list, base.as_ref());
        assert_eq!(
            kept,
            [
                Enclosure {
                    mime_type: Some("audio/mpeg".into()),
                    length: Some(10),
                    duration: Some(Duration::from_secs(5)),
                    ..Enclosure::new("https://pod.test/feed/ep1.mp3")
                },
                Enclosure::new("https://cdn.test/ep1.mp4"),
            ]
        );
    }

    #[test]
    fn image_is_the_named_one_else_the_first_in_content() {
        let base = Url::parse("https://x.test/a/").ok();
        let html = r#"<p>hi</p><img alt="x" src="https://x.test/i.png?a=1&amp;b=2"><img src="https://x.test/2.png">"#;
        assert_eq!(
            image(Some("p.jpg"), Some(html), base.as_ref()).as_deref(),
            Some("https://x.test/a/p.jpg")
        );
        assert_eq!(
            image(None, Some(html), base.as_ref()).as_deref(),
            Some("https://x.test/i.png?a=1&b=2")
        );
        assert_eq!(
            image(Some("data:image/png;base64,AA"), None, base.as_ref()),
            None
        );
        assert_eq!(image(None, Some("<p>no image</p>"), None), None);
    }
}
