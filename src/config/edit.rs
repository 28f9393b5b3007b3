//! Changes to `feeds.toml` made by commands (`opml import`): edited with
//! toml_edit so the user's comments and layout survive, validated before
//! anything is written, and written atomically.

use std::collections::HashSet;
use std::path::Path;

use toml_edit::{value, Array, ArrayOfTables, DocumentMut, Item, Table};

use super::{Config, ConfigError};
use crate::atomic_write::write_atomically;
use crate::opml::Subscription;
use crate::text::slug;

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{path}: {message}", path = path.display())]
    Unwritable {
        path: std::path::PathBuf,
        message: String,
    },
}

/// What an append did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AppendReport {
    /// Each new source's name and url.
    pub added: Vec<(String, url::Url)>,
    /// URLs already configured.
    pub skipped: Vec<String>,
}

/// Appends a `[[source]]` for every subscription whose URL the config does
/// not have yet, naming each after its title.
pub fn append_sources(path: &Path, subs: &[Subscription]) -> Result<AppendReport, EditError> {
    let unwritable = |message: String| EditError::Unwritable {
        path: path.to_path_buf(),
        message,
    };
    let current = Config::load(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| unwritable(e.to_string()))?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| unwritable(e.to_string()))?;
    let mut urls: HashSet<String> = current
        .sources
        .iter()
        .map(|s| s.location.to_string())
        .collect();
    let mut names: HashSet<String> = current.sources.iter().map(|s| s.name.to_string()).collect();
    let mut report = AppendReport::default();
    let mut new_tables = Vec::new();
    for sub in subs {
        let Ok(url) = url::Url::parse(&sub.xml_url) else {
            report.skipped.push(sub.xml_url.clone());
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || !urls.insert(url.to_string()) {
            report.skipped.push(sub.xml_url.clone());
            continue;
        }
        let name = unique_name(&source_name(&sub.title, &url), &mut names);
        let mut table = Table::new();
        table.insert("name", value(name.as_str()));
        table.insert("url", value(url.as_str()));
        if !sub.tags.is_empty() {
            table.insert(
                "tags",
                value(Array::from_iter(sub.tags.iter().map(String::as_str))),
            );
        }
        new_tables.push(table);
        report.added.push((name, url));
    }
    if new_tables.is_empty() {
        return Ok(report);
    }
    let sources = doc
        .entry("source")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| unwritable("`source` is not an array of [[source]] tables".into()))?;
    for t in new_tables {
        sources.push(t);
    }
    let updated = doc.to_string();
    Config::parse(path, &updated)?;
    write_atomically(path, &updated).map_err(|e| unwritable(e.to_string()))?;
    Ok(report)
}

/// A source name from a feed title, falling back to the host.
fn source_name(title: &str, url: &url::Url) -> String {
    // Room for the `-2` that tells names apart within the 64 bytes allowed.
    let name = slug(title, 56);
    if name.is_empty() {
        url.host_str().unwrap_or("feed").replace('.', "-")
    } else {
        name
    }
}

fn unique_name(base: &str, taken: &mut HashSet<String>) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}
