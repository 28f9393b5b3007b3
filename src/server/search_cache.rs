//! Rendered search feeds, kept like outputs (`cache.rs`) until the store
//! or the config changes, keyed by the query's FTS5 form and the format,
//! so `?q=a%20b` and `?q=a++b` share one entry. At most `CAPACITY` are
//! kept; the least recently asked for goes first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use super::cache::{render_entry, RenderError, Rendered, Sources};
use crate::config::{Config, OutputConfig};
use crate::render::FeedFormat;
use crate::search::SearchQuery;

/// Distinct searches kept rendered.
const CAPACITY: usize = 256;

type Key = (String, FeedFormat);

#[derive(Debug, Default)]
pub struct SearchCache {
    entries: Mutex<HashMap<Key, (Arc<Rendered>, Instant)>>,
}

impl SearchCache {
    /// The feed of `output` (a search), rendered when the stored items or
    /// the config changed since it last was. Unlike outputs, a burst of
    /// one new query may render it more than once: the rate limit bounds
    /// how many renders one client can ask for.
    pub async fn get(
        &self,
        sources: Sources<'_>,
        config: &Arc<Config>,
        output: &OutputConfig,
        query: &SearchQuery,
        format: FeedFormat,
    ) -> Result<Arc<Rendered>, RenderError> {
        let key = (query.fts5().to_string(), format);
        let previous = {
            let mut entries = self.lock();
            match entries.get_mut(&key) {
                Some((hit, used)) if hit.is_fresh(config, sources.store) => {
                    *used = Instant::now();
                    return Ok(hit.clone());
                }
                found => found.map(|(old, _)| old.clone()),
            }
        };
        let started = Instant::now();
        let rendered =
            Arc::new(render_entry(sources.store, config, output, format, previous).await?);
        sources
            .metrics
            .record_render("search", format, started.elapsed());
        let mut entries = self.lock();
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            let oldest = entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(key, (rendered.clone(), Instant::now()));
        Ok(rendered)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, (Arc<Rendered>, Instant)>> {
        // Entries are replaced whole, so a map left by a panic is intact.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
