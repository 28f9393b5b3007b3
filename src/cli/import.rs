//! `syndic import --source NAME FILE…`: dumps named on the command line
//! (`-` for standard input) stored into a text source, file by file, so
//! one bad file is reported and the rest still go in.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use chrono::Utc;

use super::print_out;
use super::store_access::CliStore;
use super::CliError;
use crate::config::{Config, SourceConfig};
use crate::fetch::read_input;
use crate::model::SourceKind;
use crate::poll::{dump_cut_warning, dump_file_items};

pub fn import(config: &Config, source: &str, files: &[PathBuf]) -> Result<(), CliError> {
    let source = text_source(config, source)?;
    let mut store = CliStore::writer(config)?;
    // Before anything is stored, so entries already held under the old
    // name are recognised rather than stored again.
    if let Some(rename) = source.rename() {
        store.adopt_renamed(vec![rename])?;
    }
    let now = Utc::now();
    let max_items = config.daemon.max_items;
    let mut failed = 0;
    for file in files {
        let read = read_input(file, config.daemon.max_body_bytes)
            .map_err(|e| e.to_string())
            .and_then(|dump| {
                let items = dump_file_items(&dump, &source.name, now, max_items);
                items.map_err(|e| e.to_string())
            });
        let items = match read {
            Ok(dump) => {
                for warning in &dump.warnings {
                    eprintln!("syndic: warning: {warning}");
                }
                if let Some(cut) = dump_cut_warning(&shown(file), dump.items.len(), max_items) {
                    eprintln!("syndic: {cut}");
                }
                dump.items
            }
            Err(e) => {
                eprintln!("syndic: {e}");
                failed += 1;
                continue;
            }
        };
        let summary = store.upsert_items(items)?;
        let mut line = format!(
            "{}: {} new, {} updated, {} unchanged",
            shown(file),
            summary.inserted,
            summary.updated,
            summary.unchanged
        );
        if summary.tombstoned > 0 {
            line.push_str(&format!(
                "; {} removed by retention before, left out",
                summary.tombstoned
            ));
        }
        line.push('\n');
        print_out(&line)?;
    }
    if failed > 0 {
        return Err(CliError::Runtime(anyhow!(
            "{failed} of {} files could not be imported (see above)",
            files.len()
        )));
    }
    Ok(())
}

fn shown(file: &Path) -> String {
    if file == Path::new("-") {
        "standard input".into()
    } else {
        file.display().to_string()
    }
}

/// The named source when it is a text source; otherwise a usage error that
/// lists the text sources there are.
fn text_source<'c>(config: &'c Config, name: &str) -> Result<&'c SourceConfig, CliError> {
    let texts: Vec<&str> = config
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Text)
        .map(|s| s.name.as_str())
        .collect();
    let why = match config.source(name) {
        Some(s) if s.kind == SourceKind::Text => return Ok(s),
        Some(s) => format!(
            "source `{name}` is a {} source, not a text one",
            s.kind.as_str()
        ),
        None => format!("no source named `{name}`"),
    };
    let choices = if texts.is_empty() {
        "there are none: add a [[source]] with `kind = \"text\"`".to_string()
    } else {
        format!("text sources: {}", texts.join(", "))
    };
    Err(CliError::Usage(format!(
        "{why} in {}; {choices}",
        config.file.display()
    )))
}
