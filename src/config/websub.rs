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
        let hub = hub
            .map(|s| self.http_url(s.get_ref(), &s, "websub_hub", "https://hub.example/"))
            .transpose()?;
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    fn websub(daemon: &str) -> Result<WebSubSettings, String> {
        Config::parse(Path::new("feeds.toml"), &format!("[daemon]\n{daemon}\n"))
            .map(|c| c.daemon.websub)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn callbacks_only_under_a_written_base_url() {
        let off = websub("listen = \"0.0.0.0:8080\"").unwrap();
        assert_eq!(off.callback("abc"), None);
        assert_eq!(off.hub, None);
        assert_eq!(off.safety_interval, DEFAULT_SAFETY_INTERVAL);
        let on = websub("base_url = \"https://feeds.example/\"\nwebsub_safety_interval = \"6h\"")
            .unwrap();
        assert_eq!(
            on.callback("abc").as_deref(),
            Some("https://feeds.example/websub/abc")
        );
        assert_eq!(on.safety_interval, Duration::from_secs(6 * 3600));
    }

    #[test]
    fn the_hub_must_be_an_http_url() {
        let hub = websub("websub_hub = \"https://hub.example/\"").unwrap().hub;
        assert_eq!(
            hub.map(String::from).as_deref(),
            Some("https://hub.example/")
        );
        let refused = websub("websub_hub = \"ftp://hub.example/\"").unwrap_err();
        assert!(
            refused.contains(":2:") && refused.contains("websub_hub"),
            "{refused}"
        );
    }
}
