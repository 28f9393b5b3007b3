//! `[daemon] websub_hub` and `websub_safety_interval`, and whether a hub
//! can reach this daemon at all (a `base_url` written in the config).

use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::duration::HumanDuration;
use super::{Checker, ConfigError};

/// A subscribed source is still polled this often, in case the hub
/// stops pushing without telling.
pub const DEFAULT_SAFETY_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSubSettings {
    /// The hub outputs advertise and that is told when they change.
    pub hub: Option<Url>,
    /// `base_url` when the config writes one: the public address a hub
    /// calls back. `None` (the default address made from `listen`) means
    /// no hub could reach the callback, so nothing is subscribed.
    pub callback_base: Option<Url>,
    /// How often a source with an active subscription is still polled.
    pub safety_interval: Duration,
}

impl WebSubSettings {
    /// The callback URL of the subscription known by `id`.
    pub fn callback(&self, id: &str) -> Option<String> {
        let base = self.callback_base.as_ref()?;
        Some(format!(
            "{}/websub/{id}",
            base.as_str().trim_end_matches('/')
        ))
    }
}

impl Checker<'_> {
    pub(super) fn websub(
        &self,
        hub: Option<Spanned<String>>,
        safety_interval: Option<Spanned<HumanDuration>>,
        callback_base: Option<Url>,
    ) -> Result<WebSubSettings, ConfigError> {
        let hub = match hub {
            Some(s) => Some(
                Url::parse(s.get_ref())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| {
                        self.error(
                            Some(s.span()),
                            format!("websub_hub `{}` is not an http(s) URL: write it as `https://hub.example/`", s.get_ref()),
                        )
                    })?,
            ),
            None => None,
        };
        let safety_interval = match safety_interval {
            Some(d) => self.interval(d.get_ref().0, Some(d.span()))?,
            None => DEFAULT_SAFETY_INTERVAL,
        };
        Ok(WebSubSettings {
            hub,
            callback_base,
            safety_interval,
        })
    }
}
