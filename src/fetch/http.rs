//! One HTTP fetch: conditional request, redirects followed by hand (and
//! only to http(s), and only to where the source may go), the body read in
//! chunks and cut off at the size limit.

use std::future::Future;
use std::net::IpAddr;

use bytes::BytesMut;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
    LOCATION, USER_AGENT,
};
use reqwest::{Client, Response, StatusCode};
use tokio::time::Instant;
use url::Url;

use crate::config::Auth;

use super::address_policy::Range;
use super::clients::ClientKind;
use super::headers::{cache_max_age, charset, link_header, retry_after};
use super::resolver::PrivateAnswer;
use super::{
    Body, BodySlot, FetchError, Fetched, Fetcher, Origin, Refusal, Validators, MAX_REDIRECTS,
    SMALL_BODY,
};

const ACCEPT_FEEDS: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.8, */*;q=0.5";

pub async fn fetch(
    fetcher: &Fetcher,
    url: &Url,
    validators: &Validators,
    origin: Origin<'_>,
) -> Result<Fetched, FetchError> {
    let guarded = !fetcher.may_reach_private(origin);
    let client = fetcher.clients.get(ClientKind {
        guarded,
        http1_only: origin.http.http1_only,
    });
    // Credentials and extra headers go only where the config sends them,
    // as browsers and curl do: a redirect, even a permanent one, to
    // another scheme, host or port must not collect them.
    let trusted = origin.configured.unwrap_or(url).origin();
    let mut deadline = Instant::now() + fetcher.timeout;
    let mut current = url.clone();
    let mut all_permanent = true;
    for hop in 0..=MAX_REDIRECTS {
        let hop = Hop {
            origin,
            url: &current,
            redirected: hop > 0,
            trusted: current.origin() == trusted,
        };
        if guarded {
            // A literal address is connected to without a lookup, so the
            // resolver never sees it.
            refuse_private_literal(fetcher, &hop)?;
        }
        let response = request(fetcher, client, &hop, validators, deadline).await?;
        let status = response.status();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            all_permanent &= matches!(
                status,
                StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
            );
            current = redirect_target(&response, &current)?;
            continue;
        }
        let moved_to = (all_permanent && current != *url).then_some(current);
        return finish(fetcher, response, validators, moved_to, &mut deadline).await;
    }
    Err(FetchError::TooManyRedirects)
}

/// One request of a fetch: where, and how it was reached.
struct Hop<'a> {
    origin: Origin<'a>,
    url: &'a Url,
    redirected: bool,
    /// At the configured url's origin: credentials and headers may go.
    trusted: bool,
}

impl Hop<'_> {
    fn refusal(&self, name: Option<String>, address: IpAddr, range: Range) -> FetchError {
        FetchError::Private(Box::new(Refusal {
            source: self.origin.source.clone(),
            url: self.url.clone(),
            redirected: self.redirected,
            name,
            address,
            range,
        }))
    }
}

fn refuse_private_literal(fetcher: &Fetcher, hop: &Hop<'_>) -> Result<(), FetchError> {
    let address: IpAddr = match hop.url.host() {
        Some(url::Host::Ipv4(ip)) => ip.into(),
        Some(url::Host::Ipv6(ip)) => ip.into(),
        _ => return Ok(()),
    };
    match fetcher.overrides.private_range(address) {
        Some(range) => Err(hop.refusal(None, address, range)),
        None => Ok(()),
    }
}

async fn request(
    fetcher: &Fetcher,
    client: &Client,
    hop: &Hop<'_>,
    validators: &Validators,
    deadline: Instant,
) -> Result<Response, FetchError> {
    let options = hop.origin.http;
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_FEEDS));
    if let Some(agent) = &options.user_agent {
        headers.insert(USER_AGENT, agent.clone());
    }
    if hop.trusted {
        // After syndic's Accept, so a source's own replaces it.
        for (name, value) in &options.headers {
            headers.insert(name.clone(), value.clone());
        }
    }
    let mut request = client.get(hop.url.clone()).headers(headers);
    if let Some(etag) = &validators.etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    if let Some(date) = &validators.last_modified {
        request = request.header(IF_MODIFIED_SINCE, date);
    }
    if let (true, Some(auth)) = (hop.trusted, &options.auth) {
        // reqwest marks these sensitive: HTTP/2 never indexes them.
        request = match auth {
            Auth::Basic { user, password } => request.basic_auth(user, Some(password.expose())),
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
        };
    }
    let sent = tokio::time::timeout_at(deadline, request.send())
        .await
        .map_err(|_| timed_out(fetcher))?;
    sent.map_err(|e| match private_answer(&e) {
        Some(p) => hop.refusal(Some(p.host.clone()), p.address, p.range),
        None => classify(fetcher, e),
    })
}

/// The resolver's refusal, from under the connector's and reqwest's errors.
fn private_answer(e: &reqwest::Error) -> Option<&PrivateAnswer> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(p) = c.downcast_ref::<PrivateAnswer>() {
            return Some(p);
        }
        cause = c.source();
    }
    None
}

fn redirect_target(response: &Response, from: &Url) -> Result<Url, FetchError> {
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(FetchError::BadRedirect)?;
    let next = from.join(location).map_err(|_| FetchError::BadRedirect)?;
    if matches!(next.scheme(), "http" | "https") {
        Ok(next)
    } else {
        Err(FetchError::RedirectScheme(next.to_string()))
    }
}

async fn finish(
    fetcher: &Fetcher,
    response: Response,
    sent: &Validators,
    moved_to: Option<Url>,
    deadline: &mut Instant,
) -> Result<Fetched, FetchError> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = match status {
        StatusCode::NOT_MODIFIED => Body::NotModified,
        StatusCode::GONE => return Err(FetchError::Gone),
        s if s.is_success() => {
            let url = Some(response.url().clone());
            let (bytes, slot) = read_body(fetcher, response, deadline).await?;
            Body::Changed {
                charset: charset(&headers),
                url,
                bytes,
                slot,
            }
        }
        s => {
            return Err(FetchError::Status {
                status: s.as_u16(),
                retry_after: retry_after(&headers),
            })
        }
    };
    Ok(Fetched {
        body,
        validators: new_validators(&headers, sent),
        max_age: cache_max_age(&headers),
        moved_to,
        link_header: link_header(&headers),
    })
}

/// The validators to keep: the response's, else (on a 304 that repeats
/// none) the ones sent.
fn new_validators(headers: &HeaderMap, sent: &Validators) -> Validators {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    Validators {
        etag: text(ETAG).or_else(|| sent.etag.clone()),
        last_modified: text(LAST_MODIFIED).or_else(|| sent.last_modified.clone()),
    }
}

/// Reads the (already decompressed) body, refusing it as soon as it passes
/// the limit, so neither a huge file nor a compression bomb fills memory.
/// A body that grows large waits for a large-body slot, returned with it;
/// the wait moves the deadline, since it is not the server's time.
async fn read_body(
    fetcher: &Fetcher,
    mut response: Response,
    deadline: &mut Instant,
) -> Result<(bytes::Bytes, BodySlot), FetchError> {
    let limit = fetcher.max_body;
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(FetchError::TooLarge { limit });
    }
    let mut body = BytesMut::new();
    let mut slot = BodySlot::default();
    while let Some(chunk) = within(fetcher, *deadline, response.chunk()).await? {
        let len = body.len() + chunk.len();
        if len as u64 > limit {
            return Err(FetchError::TooLarge { limit });
        }
        if len > SMALL_BODY && !slot.is_held() {
            let waiting = Instant::now();
            slot = fetcher.body_slots.large().await;
            *deadline += waiting.elapsed();
            // Room for the rest at once: growing by doubling would copy the
            // body and could hold twice the limit. Pages never written to
            // are not resident, so an over-estimate costs nothing.
            let expected = announced.unwrap_or(limit).min(limit);
            body.reserve(
                usize::try_from(expected)
                    .unwrap_or(len)
                    .saturating_sub(body.len()),
            );
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body.freeze(), slot))
}

/// `step`, failed as a timeout when `deadline` passes first.
async fn within<T>(
    fetcher: &Fetcher,
    deadline: Instant,
    step: impl Future<Output = Result<T, reqwest::Error>>,
) -> Result<T, FetchError> {
    match tokio::time::timeout_at(deadline, step).await {
        Ok(done) => done.map_err(|e| classify(fetcher, e)),
        Err(_) => Err(timed_out(fetcher)),
    }
}

fn timed_out(fetcher: &Fetcher) -> FetchError {
    FetchError::Timeout(crate::config::HumanDuration(fetcher.timeout))
}

fn classify(fetcher: &Fetcher, e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        timed_out(fetcher)
    } else if e.is_connect() {
        FetchError::Connect(e)
    } else {
        FetchError::Transfer(e)
    }
}
