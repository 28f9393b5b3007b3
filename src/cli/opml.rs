//! `opml export` and `opml import`.

use std::path::Path;

use super::store_access::CliStore;
use super::{print_out, CliError};
use crate::config::{edit, Config, Location};
use crate::fetch::address_policy;
use crate::model::SourceKind;
use crate::opml::{self, Subscription};

/// Prints every feed source reachable by URL; a URL a permanent redirect
/// moved is exported at its new address.
pub fn export(config: &Config) -> Result<(), CliError> {
    // Without a database the config's addresses are exported as written.
    let store = CliStore::reader(config).ok();
    let subs: Vec<Subscription> = config
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Feed)
        .filter_map(|s| {
            let Location::Url(url) = &s.location else {
                return None;
            };
            let moved = store
                .as_ref()
                .and_then(|st| st.fetch_state(&s.name).ok().flatten())
                .and_then(|state| state.moved_to);
            Some(Subscription {
                title: s.name.to_string(),
                xml_url: moved.unwrap_or_else(|| url.to_string()),
                html_url: None,
                tags: s.tags.clone(),
            })
        })
        .collect();
    print_out(&opml::write("syndic sources", &subs))
}

pub fn import(config_path: &Path, file: &Path) -> Result<(), CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Usage(format!("{}: cannot read: {e}", file.display())))?;
    let subs =
        opml::read(&text).map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    let report = edit::append_sources(config_path, &subs).map_err(|e| match e {
        edit::EditError::Config(c) => CliError::Config(c),
        other => CliError::Runtime(other.into()),
    })?;
    let mut out = String::new();
    for (name, url) in &report.added {
        out.push_str(&format!("added   {name}\n"));
        // Imported all the same: a list exported from one's own reader may
        // well hold intranet feeds. But a list from elsewhere could use one
        // to make syndic fetch internal pages, so the user hears of each.
        if url
            .host()
            .is_some_and(|h| address_policy::is_private_host(&h))
        {
            eprintln!(
                "syndic: warning: source `{name}` has a private-network url ({url}); \
                 syndic will fetch it as configured: remove it from {} if that is not meant",
                config_path.display()
            );
        }
    }
    for url in &report.skipped {
        out.push_str(&format!("skipped {url} (already configured or not http)\n"));
    }
    out.push_str(&format!(
        "{} added, {} skipped; {} updated\n",
        report.added.len(),
        report.skipped.len(),
        config_path.display()
    ));
    print_out(&out)
}
