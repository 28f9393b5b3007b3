//! Requests to hubs: subscription requests and publish pings, as form
//! posts. A hub answers `202 Accepted` (or another `2xx`).

use std::time::Duration;

use url::Url;

/// A hub that does not answer in this long has failed.
const HUB_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("the hub answered {0}")]
    Status(reqwest::StatusCode),
    #[error("the hub is unreachable: {0}")]
    Request(#[from] reqwest::Error),
}

impl HubError {
    /// A request that may succeed later, as opposed to one the hub refused.
    pub fn is_transient(&self) -> bool {
        match self {
            HubError::Status(s) => s.is_server_error() || s.as_u16() == 429,
            HubError::Request(_) => true,
        }
    }
}

#[derive(Clone)]
pub struct HubClient(reqwest::Client);

impl HubClient {
    /// Redirects are not followed: a hub's address is where it answers,
    /// and a redirect could lead the request somewhere else entirely.
    pub fn new() -> Result<HubClient, reqwest::Error> {
        reqwest::Client::builder()
            .timeout(HUB_TIMEOUT)
            .user_agent(crate::fetch::user_agent())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(HubClient)
    }

    /// Posts `fields` as a form to `hub`.
    pub async fn post(&self, hub: &Url, fields: &[(&str, &str)]) -> Result<(), HubError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let response = self
            .0
            .post(hub.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await?;
        match response.status() {
            s if s.is_success() => Ok(()),
            s => Err(HubError::Status(s)),
        }
    }
}
