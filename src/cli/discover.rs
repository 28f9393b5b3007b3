//! `syndic discover URL`: the feeds a page offers.

use url::Url;

use super::CliError;
use crate::config::HumanDuration;
use crate::fetch::discover::{feed_links, looks_like_html};
use crate::fetch::{Body, FetchLimits, Fetcher, Origin, Target, Validators, NO_HTTP_OPTIONS};
use crate::model::SourceName;

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// Prints one line per feed `url` offers: its format, address and title.
/// A url that is itself a feed is said to be one.
pub fn discover(url: &str) -> Result<(), CliError> {
    let url = Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| CliError::Usage(format!("`{url}` is not an http(s) URL")))?;
    let runtime = tokio::runtime::Runtime::new().map_err(anyhow::Error::from)?;
    let (bytes, charset, page) = runtime.block_on(fetch(&url))?;
    if !looks_like_html(&bytes) {
        let kind = crate::parse::parse_feed(&bytes, charset.as_deref())
            .map_err(|e| anyhow::anyhow!("{url} is neither a page nor a feed: {e}"))?;
        println!("{url} is itself a feed ({} entries)", kind.entries.len());
        return Ok(());
    }
    let html = crate::extract::decode_page(&bytes, charset.as_deref());
    let found = feed_links(&html, &page);
    if found.is_empty() {
        return Err(anyhow::anyhow!(
            "{url} offers no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed)"
        )
        .into());
    }
    for feed in found {
        println!(
            "{}\t{}\t{}",
            feed.format,
            feed.url,
            feed.title.unwrap_or_default()
        );
    }
    Ok(())
}

async fn fetch(url: &Url) -> Result<(bytes::Bytes, Option<String>, Url), CliError> {
    let fetcher = Fetcher::new(FetchLimits {
        timeout: TIMEOUT,
        max_body: MAX_BODY,
    })
    .map_err(anyhow::Error::from)?;
    let name = SourceName::new("discover").map_err(anyhow::Error::from)?;
    let origin = Origin {
        source: &name,
        configured: Some(url),
        allow_private: false,
        http: &NO_HTTP_OPTIONS,
    };
    let fetched = fetcher
        .fetch(&Target::Http(url.clone()), &Validators::default(), origin)
        .await
        .map_err(|e| anyhow::anyhow!("{url}: {e} (timeout {})", HumanDuration(TIMEOUT)))?;
    match fetched.body {
        Body::Changed {
            bytes,
            charset,
            url: page,
            ..
        } => Ok((bytes, charset, page.unwrap_or_else(|| url.clone()))),
        Body::NotModified => {
            Err(anyhow::anyhow!("{url}: the server answered 304 to a plain request").into())
        }
    }
}
