//! `render` and `export`: outputs as feed documents on stdout or as
//! static files a web server can serve.

use std::path::Path;

use super::store_access::CliStore;
use super::{known_output, print_out, CliError};
use crate::atomic_write::write_atomically;
use crate::config::Config;
use crate::render::{render as render_feed, stylesheet, FeedFormat};

pub fn render(config: &Config, output: &str, format: FeedFormat) -> Result<(), CliError> {
    let output = known_output(config, output)?;
    let store = CliStore::reader(config)?;
    let items = store.select(config, output)?;
    let origins = store.origins(config)?;
    print_out(&render_feed(
        format,
        output,
        &items,
        &origins,
        &config.daemon,
    ))
}

/// Writes `DIR/{output}.{rss,atom,json}` for every output; each file is
/// replaced atomically, so a web server serving DIR never sees half a feed.
pub fn export(config: &Config, dir: &Path) -> Result<(), CliError> {
    let store = CliStore::reader(config)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Runtime(anyhow::anyhow!("cannot create {}: {e}", dir.display())))?;
    let origins = store.origins(config)?;
    let mut report = String::new();
    for output in &config.outputs {
        let items = store.select(config, output)?;
        for format in FeedFormat::ALL {
            let path = dir.join(format!("{}.{}", output.name, format.extension()));
            let body = render_feed(format, output, &items, &origins, &config.daemon);
            write_atomically(&path, &body).map_err(|e| {
                CliError::Runtime(anyhow::anyhow!("cannot write {}: {e}", path.display()))
            })?;
            report.push_str(&format!(
                "wrote {} ({} items)\n",
                path.display(),
                items.len()
            ));
        }
    }
    if config.outputs.is_empty() {
        report.push_str("no outputs configured; nothing written\n");
    } else {
        // What the RSS and Atom files name, so a browser shows them as pages.
        let path = dir.join(stylesheet::FILE_NAME);
        write_atomically(&path, stylesheet::XSL).map_err(|e| {
            CliError::Runtime(anyhow::anyhow!("cannot write {}: {e}", path.display()))
        })?;
        report.push_str(&format!("wrote {}\n", path.display()));
    }
    print_out(&report)
}
