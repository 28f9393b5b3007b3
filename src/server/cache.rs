//! Rendered feed bodies, kept with their compressed variants and
//! validators so that a request for an unchanged output does no work:
//! no SQLite, no rendering, no compression.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_compression::tokio::write::{BrotliEncoder, GzipEncoder};
use async_compression::Level;
use bytes::Bytes;
use chrono::Utc;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::encoding::Encoding;
use crate::config::{Config, OutputConfig};
use crate::curate;
use crate::metrics::Metrics;
use crate::model::OutputName;
use crate::render::{self, FeedFormat};
use crate::store::{HandleError, StoreHandle};

/// How long an entry of an output with `max_age` lives, so items that age
/// out leave even when nothing new arrives.
const AGING_TTL: Duration = Duration::from_secs(60);

/// Brotli quality: close to the best ratio at a fraction of the time of 11;
/// each body is compressed once per change.
const BROTLI_QUALITY: i32 = 6;

/// One output rendered in one format, with everything a response needs.
#[derive(Debug)]
pub struct Rendered {
    /// The store generation the items were read at.
    generation: u64,
    /// The config the output was rendered for; a reload replaces it.
    config: Arc<Config>,
    expires: Option<Instant>,
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
    /// Hex digest of the identity body; ETags are this plus a coding suffix.
    pub hash: String,
    /// Whole seconds, as HTTP dates carry them.
    pub last_modified: SystemTime,
}

impl Rendered {
    pub fn body(&self, encoding: Encoding) -> Bytes {
        match encoding {
            Encoding::Identity => self.identity.clone(),
            Encoding::Gzip => self.gzip.clone(),
            Encoding::Brotli => self.brotli.clone(),
        }
    }

    pub fn etag(&self, encoding: Encoding) -> String {
        format!("\"{}{}\"", self.hash, encoding.etag_suffix())
    }

    fn is_fresh(&self, config: &Arc<Config>, generation: u64) -> bool {
        self.generation == generation
            && Arc::ptr_eq(&self.config, config)
            && self.expires.is_none_or(|t| Instant::now() < t)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("reading items: {0}")]
    Store(#[from] HandleError),
    #[error("compressing: {0}")]
    Compress(#[from] std::io::Error),
}

type Key = (OutputName, FeedFormat);

/// The rendered outputs, keyed by output and format.
#[derive(Debug, Default)]
pub struct FeedCache {
    entries: Mutex<HashMap<Key, Arc<Rendered>>>,
    /// One lock per output and format, held while rendering it: a burst of
    /// requests for a stale output renders it once, and a slow output
    /// delays only its own requests.
    rendering: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

/// What a render needs from the server.
pub struct Sources<'a> {
    pub store: &'a StoreHandle,
    pub metrics: &'a Metrics,
}

impl FeedCache {
    /// The current body of `output` in `format`, rendered only when the
    /// stored items, the config or the age window changed since last time.
    pub async fn get(
        &self,
        sources: Sources<'_>,
        config: &Arc<Config>,
        output: &OutputConfig,
        format: FeedFormat,
    ) -> Result<Arc<Rendered>, RenderError> {
        let key = (output.name.clone(), format);
        if let Some(hit) = self.fresh(&key, config, sources.store.generation()) {
            return Ok(hit);
        }
        let lock = self.render_lock(&key);
        let _rendering = lock.lock().await;
        // Read before the items: a change during the render leaves the
        // entry one generation behind, so the next request renders again.
        let generation = sources.store.generation();
        if let Some(hit) = self.fresh(&key, config, generation) {
            return Ok(hit);
        }
        let previous = self.lock().get(&key).cloned();
        let started = Instant::now();
        let rendered = Arc::new(
            render_entry(sources.store, config, output, format, generation, previous).await?,
        );
        sources
            .metrics
            .record_render(output.name.as_str(), format, started.elapsed());
        let configured = |(name, _): &Key| config.output(name.as_str()).is_some();
        let mut entries = self.lock();
        entries.retain(|key, _| configured(key));
        entries.insert(key, rendered.clone());
        drop(entries);
        locked(&self.rendering).retain(|key, _| configured(key));
        Ok(rendered)
    }

    fn render_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        locked(&self.rendering)
            .entry(key.clone())
            .or_default()
            .clone()
    }

    fn fresh(&self, key: &Key, config: &Arc<Config>, generation: u64) -> Option<Arc<Rendered>> {
        self.lock()
            .get(key)
            .filter(|e| e.is_fresh(config, generation))
            .cloned()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Arc<Rendered>>> {
        locked(&self.entries)
    }
}

/// Entries are replaced whole, so a map left by a panicking thread is intact.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

async fn render_entry(
    store: &StoreHandle,
    config: &Arc<Config>,
    output: &OutputConfig,
    format: FeedFormat,
    generation: u64,
    previous: Option<Arc<Rendered>>,
) -> Result<Rendered, RenderError> {
    let now = Utc::now();
    let (owned_config, owned_output) = (config.clone(), output.clone());
    let (body, newest) = store
        .read(move |s| {
            let items = curate::select(s, &owned_config, &owned_output, now)?;
            let origins = render::Origins::read(s, &owned_config)?;
            let body = render::render(
                format,
                &owned_output,
                &items,
                &origins,
                &owned_config.daemon,
            );
            Ok((body, render::last_change(&items)))
        })
        .await?;
    let identity = Bytes::from(body);
    let hash = hex_digest(&identity);
    let rendered_at = whole_seconds(SystemTime::now());
    let last_modified = match previous {
        Some(p) if p.hash == hash => p.last_modified,
        previous => {
            // An item dated in the future (a publisher's clock or zone
            // error) must not make Last-Modified later than the response.
            let newest = newest.map_or(rendered_at, |t| whole_seconds(t.into()).min(rendered_at));
            match previous {
                // The body changed without a newer item (an update, a
                // removal): the document itself changed now.
                Some(p) if newest <= p.last_modified => {
                    rendered_at.max(p.last_modified + Duration::from_secs(1))
                }
                _ => newest,
            }
        }
    };
    let (gzip, brotli) = compress(identity.clone()).await?;
    Ok(Rendered {
        generation,
        config: config.clone(),
        expires: output.max_age.map(|_| Instant::now() + AGING_TTL),
        identity,
        gzip,
        brotli,
        hash,
        last_modified,
    })
}

/// Both compressed variants, made on the blocking pool: compression is
/// CPU work that would otherwise stall requests on this worker.
async fn compress(body: Bytes) -> Result<(Bytes, Bytes), std::io::Error> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        runtime.block_on(async {
            let mut gzip = GzipEncoder::with_quality(Vec::new(), Level::Default);
            gzip.write_all(&body).await?;
            gzip.shutdown().await?;
            let mut brotli =
                BrotliEncoder::with_quality(Vec::new(), Level::Precise(BROTLI_QUALITY));
            brotli.write_all(&body).await?;
            brotli.shutdown().await?;
            Ok((
                Bytes::from(gzip.into_inner()),
                Bytes::from(brotli.into_inner()),
            ))
        })
    })
    .await
    .map_err(std::io::Error::other)?
}

fn hex_digest(body: &[u8]) -> String {
    Sha256::digest(body)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "[daemon]\ndatabase = \"t.db\"\n\
        [[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/feed\"\n\
        [[output]]\nname = \"slow\"\nsources = [\"wire\"]\n\
        [[output]]\nname = \"quick\"\nsources = [\"wire\"]\n";

    #[tokio::test]
    async fn a_render_in_progress_holds_up_only_its_own_output() {
        let dir = tempfile::tempdir().unwrap();
        let config = Arc::new(Config::parse(&dir.path().join("feeds.toml"), CONFIG).unwrap());
        let store = StoreHandle::open(&config.daemon.database).unwrap();
        let metrics = Metrics::new();
        let cache = FeedCache::default();
        let sources = || Sources {
            store: &store,
            metrics: &metrics,
        };
        // A render of `slow` that has not finished yet.
        let slow_key = (config.outputs[0].name.clone(), FeedFormat::Rss);
        let slow_lock = cache.render_lock(&slow_key);
        let _slow_render = slow_lock.lock().await;

        let quick = config.output("quick").unwrap();
        let answered = tokio::time::timeout(
            Duration::from_secs(10),
            cache.get(sources(), &config, quick, FeedFormat::Rss),
        )
        .await;
        assert!(answered.expect("not held up by `slow`").is_ok());
        // The same output in another format is its own render too.
        let slow = config.output("slow").unwrap();
        let other_format = cache.get(sources(), &config, slow, FeedFormat::Atom);
        let answered = tokio::time::timeout(Duration::from_secs(10), other_format).await;
        assert!(answered.expect("not held up").is_ok());
    }
}
