//! The form of an article link that two copies of one story share: the
//! same page reached through a feed's tracking parameters, another
//! scheme, a `www.` host or a trailing slash is still the same page.

use url::Url;

/// Query parameters that only say how a reader arrived.
const TRACKING: [&str; 10] = [
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
];

/// `link` reduced to what names the page, or `None` when it names no
/// single article: not http(s), unparsable, or a site's home page, which
/// feeds that lack per-item links give every item.
pub fn canonical_link(link: &str) -> Option<String> {
    let url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    let path = url.path().trim_end_matches('/');
    let query = kept_query(&url);
    if path.is_empty() && query.is_empty() {
        return None;
    }
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Some(format!("{host}{port}{path}{query}"))
}

/// The query without tracking parameters, sorted: parameter order never
/// changes which article a server returns.
fn kept_query(url: &Url) -> String {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn is_tracking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING.contains(&key.as_str())
}

#[cfg(test)]
mod tests {
    use super::canonical_link;

    #[test]
    fn copies_of_one_page_agree() {
        let plain = canonical_link("https://news.example/world/storm-hits-coast");
        assert_eq!(
            plain.as_deref(),
            Some("news.example/world/storm-hits-coast")
        );
        for copy in [
            "http://news.example/world/storm-hits-coast",
            "https://www.news.example/world/storm-hits-coast/",
            "https://NEWS.example/world/storm-hits-coast#comments",
            "https://news.example/world/storm-hits-coast?utm_source=rss&utm_medium=feed",
            "https://news.example/world/storm-hits-coast?fbclid=IwAR0x&gclid=abc",
            " https://news.example/world/storm-hits-coast?UTM_Campaign=x ",
        ] {
            assert_eq!(canonical_link(copy), plain, "{copy}");
        }
    }

    #[test]
    fn what_names_another_page_stays() {
        let a = canonical_link("https://news.example/article?id=1&utm_source=rss");
        assert_eq!(a.as_deref(), Some("news.example/article?id=1"));
        assert_ne!(a, canonical_link("https://news.example/article?id=2"));
        assert_eq!(
            canonical_link("https://news.example/a?b=2&a=1"),
            canonical_link("https://news.example/a?a=1&b=2")
        );
        assert_ne!(
            canonical_link("https://news.example:8443/a"),
            canonical_link("https://news.example/a")
        );
        assert_ne!(
            canonical_link("https://news.example/World/a"),
            canonical_link("https://news.example/world/a")
        );
    }

    #[test]
    fn home_pages_and_other_schemes_name_no_article() {
        for link in [
            "https://news.example/",
            "https://www.news.example",
            "https://news.example/?utm_source=rss",
            "mailto:desk@news.example",
            "not a link",
            "",
        ] {
            assert_eq!(canonical_link(link), None, "{link}");
        }
    }
}
