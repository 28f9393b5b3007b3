//! Retention as outputs see it: each source's `keep` and `max_age`
//! applied, sparing every item an output currently shows.

use chrono::Utc;

use crate::config::{Config, Retention};
use crate::model::{ItemId, SourceName};
use crate::store::{Store, StoreError};

/// Applies every source's retention; what outputs show is protected.
/// Runs without retention rules too, as tombstones left by earlier rules
/// still expire, and those of sources no longer configured go.
pub fn prune(store: &mut Store, config: &Config) -> Result<usize, StoreError> {
    // A renamed source's old name is not configured: its tombstones would
    // go below if the first poll under the new name had not moved them yet.
    store.adopt_renamed(&config.renames())?;
    let now = Utc::now();
    let rules = rules(config);
    let mut protected: Vec<(SourceName, ItemId)> = Vec::new();
    // Curating every output is the costly part; without rules nothing
    // is removed, so nothing needs protecting.
    if !rules.is_empty() {
        for output in &config.outputs {
            let shown = super::select(store, config, output, now)?;
            protected.extend(shown.into_iter().map(|i| (i.source, i.id)));
        }
    }
    store.forget_tombstones_except(&configured(config))?;
    store.prune(&rules, &protected, now)
}

/// The sources with retention rules, and their rules.
pub fn rules(config: &Config) -> Vec<(SourceName, Retention)> {
    config
        .sources
        .iter()
        .filter(|s| s.retention != Default::default())
        .map(|s| (s.name.clone(), s.retention))
        .collect()
}

/// Every configured source's name: tombstones of others guard nothing.
pub fn configured(config: &Config) -> Vec<SourceName> {
    config.sources.iter().map(|s| s.name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Item;
    use crate::store::ItemQuery;
    use chrono::TimeZone;

    fn item(n: u32) -> Item {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, n, 0, 0).unwrap();
        Item {
            published: Some(at),
            ..Item::new(
                SourceName::new("wire").unwrap(),
                ItemId::new(format!("story-{n}")),
                format!("Story {n}"),
                at,
            )
        }
    }

    #[test]
    fn keeps_what_an_output_shows_beyond_the_keep_count() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\nkeep = 1\n\
                    [[output]]\nname = \"front\"\nsources = [\"wire\"]\nlimit = 2\n";
        let config = Config::parse(&dir.path().join("feeds.toml"), text).unwrap();
        let mut store = Store::open(&config.daemon.database).unwrap();
        store
            .upsert_items(&(1..=4).map(item).collect::<Vec<_>>())
            .unwrap();

        assert_eq!(prune(&mut store, &config).unwrap(), 2);
        let left: Vec<String> = store
            .items(&ItemQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect();
        assert_eq!(
            left,
            ["Story 4", "Story 3"],
            "the output still shows story 3"
        );
    }

    fn config(dir: &std::path::Path, text: &str) -> Config {
        Config::parse(&dir.join("feeds.toml"), text).unwrap()
    }

    /// A store whose source `wire` (`keep = 1`) had two of its three items
    /// removed, leaving two tombstones.
    fn wire_pruned_to_one(dir: &std::path::Path) -> Store {
        let before = config(
            dir,
            "[[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\nkeep = 1\n",
        );
        let mut store = Store::open(&before.daemon.database).unwrap();
        store
            .upsert_items(&(1..=3).map(item).collect::<Vec<_>>())
            .unwrap();
        assert_eq!(prune(&mut store, &before).unwrap(), 2);
        store
    }

    #[test]
    fn a_pass_without_rules_drops_the_tombstones_of_removed_sources() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = wire_pruned_to_one(dir.path());
        let after = config(
            dir.path(),
            "[[source]]\nname = \"other\"\nurl = \"https://other.example/feed\"\n",
        );
        assert_eq!(prune(&mut store, &after).unwrap(), 0);
        assert!(store.tombstone_counts().unwrap().is_empty());
    }

    #[test]
    fn a_pass_before_the_first_poll_under_a_new_name_keeps_its_tombstones() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = wire_pruned_to_one(dir.path());
        let renamed = config(
            dir.path(),
            "[[source]]\nname = \"world\"\nrenamed_from = \"wire\"\nurl = \"https://wire.example/feed\"\nkeep = 1\n",
        );
        assert_eq!(prune(&mut store, &renamed).unwrap(), 0);
        assert_eq!(store.tombstone_counts().unwrap().get("world"), Some(&2));
        assert_eq!(store.item_counts().unwrap().get("world"), Some(&1));
    }
}
