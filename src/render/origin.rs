//! Where an output's items came from: each source's name, its feed's
//! title, id and URLs, for the attribution every rendered item carries.

use std::collections::HashMap;

use url::Url;

use crate::config::{Config, Location, SourceConfig};
use crate::model::{Item, SourceKind, SourceName};
use crate::store::{FetchState, SourceFeed, Store, StoreError};

/// One source as outputs name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub name: SourceName,
    /// The feed's own title, else the source's name.
    pub title: String,
    /// Where readers can subscribe to the source: the http(s) URL of a
    /// feed source, where a permanent redirect led if one did. A path or
    /// `file://` URL means nothing to a reader (and would expose the
    /// server's folders); a text source's URL is a page, not a feed.
    pub feed_url: Option<String>,
    /// The feed's Atom id, else its URL.
    pub id: Option<String>,
    /// The site the feed belongs to.
    pub site: Option<String>,
}

impl Origin {
    /// A source only known by name.
    fn named(name: &SourceName) -> Origin {
        Origin {
            name: name.clone(),
            title: name.to_string(),
            feed_url: None,
            id: None,
            site: None,
        }
    }
}

/// The origin of every configured source.
#[derive(Debug, Clone, Default)]
pub struct Origins(HashMap<SourceName, Origin>);

impl Origins {
    /// Origins from the config and what the store learnt of each feed.
    pub fn read(store: &Store, config: &Config) -> Result<Origins, StoreError> {
        Ok(Origins::new(
            config,
            &store.fetch_states()?,
            &store.source_feeds()?,
        ))
    }

    /// `states` and `feeds` are by source name; what was learnt about a
    /// source before its configured location changed is not its feed's.
    pub fn new(
        config: &Config,
        states: &HashMap<String, FetchState>,
        feeds: &HashMap<String, SourceFeed>,
    ) -> Origins {
        let origins = config
            .sources
            .iter()
            .map(|source| {
                let location = source.location.to_string();
                let state = states
                    .get(source.name.as_str())
                    .filter(|s| s.location.as_deref() == Some(location.as_str()));
                let feed = state.and_then(|_| feeds.get(source.name.as_str()));
                let moved_to = state.and_then(|s| s.moved_to.as_deref());
                (source.name.clone(), origin(source, moved_to, feed))
            })
            .collect();
        Origins(origins)
    }

    /// The origin of `item`; an item of a source the config no longer
    /// names is attributed by its source's name alone.
    pub fn of(&self, item: &Item) -> Origin {
        self.named(&item.source)
    }

    /// The origin of the source `name`.
    pub fn named(&self, name: &SourceName) -> Origin {
        self.0
            .get(name)
            .cloned()
            .unwrap_or_else(|| Origin::named(name))
    }
}

fn origin(source: &SourceConfig, moved_to: Option<&str>, feed: Option<&SourceFeed>) -> Origin {
    let feed_url = match (&source.location, source.kind) {
        (Location::Url(url), SourceKind::Feed) => moved_to
            .and_then(|m| Url::parse(m).ok())
            .or_else(|| Some(url.clone()))
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(String::from),
        _ => None,
    };
    let feed = feed.cloned().unwrap_or_default();
    Origin {
        name: source.name.clone(),
        title: feed.title.unwrap_or_else(|| source.name.to_string()),
        id: feed.id.or_else(|| feed_url.clone()),
        feed_url,
        site: feed.link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
[[source]]
name = "wire"
url = "https://wire.test/feed"

[[source]]
name = "local"
url = "file:///srv/feeds/local.xml"

[[source]]
name = "notes"
kind = "text"
url = "https://notes.test/today.txt"

[[output]]
name = "all"
sources = ["wire", "local", "notes"]
"#;

    fn config() -> Config {
        Config::parse(std::path::Path::new("feeds.toml"), CONFIG).unwrap()
    }

    fn item(source: &str) -> Item {
        Item::new(
            SourceName::new(source).unwrap(),
            crate::model::ItemId::new("1"),
            "t",
            chrono::Utc::now(),
        )
    }

    fn state(location: &str, moved_to: Option<&str>) -> FetchState {
        FetchState {
            location: Some(location.into()),
            moved_to: moved_to.map(Into::into),
            ..FetchState::default()
        }
    }

    #[test]
    fn only_web_feeds_have_urls() {
        let origins = Origins::new(&config(), &HashMap::new(), &HashMap::new());
        let wire = origins.of(&item("wire"));
        assert_eq!(wire.title, "wire");
        assert_eq!(wire.feed_url.as_deref(), Some("https://wire.test/feed"));
        assert_eq!(wire.id.as_deref(), Some("https://wire.test/feed"));
        for name in ["local", "notes", "gone"] {
            let o = origins.of(&item(name));
            assert_eq!((o.title.as_str(), o.feed_url, o.id), (name, None, None));
        }
    }

    #[test]
    fn what_the_feed_said_applies_to_its_location_only() {
        let feed = SourceFeed {
            title: Some("The Wire".into()),
            id: Some("tag:wire.test,2026:feed".into()),
            link: Some("https://wire.test/".into()),
        };
        let feeds = HashMap::from([("wire".to_string(), feed)]);
        let here = HashMap::from([(
            "wire".to_string(),
            state("https://wire.test/feed", Some("https://new.wire.test/feed")),
        )]);
        let wire = Origins::new(&config(), &here, &feeds).of(&item("wire"));
        assert_eq!(wire.title, "The Wire");
        assert_eq!(wire.id.as_deref(), Some("tag:wire.test,2026:feed"));
        assert_eq!(wire.feed_url.as_deref(), Some("https://new.wire.test/feed"));
        assert_eq!(wire.site.as_deref(), Some("https://wire.test/"));

        let elsewhere = HashMap::from([(
            "wire".to_string(),
            state("https://old.test/feed", Some("https://old.test/moved")),
        )]);
        let wire = Origins::new(&config(), &elsewhere, &feeds).of(&item("wire"));
        assert_eq!(wire.title, "wire");
        assert_eq!(wire.feed_url.as_deref(), Some("https://wire.test/feed"));
        assert_eq!(wire.site, None);
    }
}
