//! Rendered feed bodies, kept with their compressed variants and
//! validators so that a request for an unchanged output does no work:
//! no SQLite, no rendering, no compression.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_compression::tokio::write::{BrotliEncoder, GzipEncoder};
use async_compression::Level;
use axum::http::HeaderValue;
use bytes::Bytes;
use chrono::Utc;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::encoding::Encoding;
use crate::config::{Config, OutputConfig};
use crate::curate;
use crate::metrics::Metrics;
use crate::model::{OutputName, SourceName};
use crate::render::{self, FeedFormat};
use crate::store::{HandleError, Stamp, StoreHandle};

/// How long an entry of an output with `max_age` lives, so items that age
/// out leave even when nothing new arrives.
const AGING_TTL: Duration = Duration::from_secs(60);

/// Brotli quality: close to the best ratio at a fraction of the time of 11;
/// each body is compressed once per change.
const BROTLI_QUALITY: i32 = 6;

/// One output rendered in one format, with everything a response needs
/// made once: each coding's body and ETag, and the `Last-Modified` value.
#[derive(Debug)]
pub struct Rendered {
    /// The config the output was rendered for; a reload replaces it.
    config: Arc<Config>,
    /// The sources the output reads, and where they stood when it was read.
    sources: Vec<SourceName>,
    stamp: Stamp,
    /// The store generation at which `stamp` was last found current: while
    /// the generation stays, a request looks nothing else up.
    checked: AtomicU64,
    expires: Option<Instant>,
    /// In the order of [`Encoding::ALL`].
    variants: [Variant; 3],
    /// Hex digest of the identity body; ETags are this plus a coding suffix.
    pub hash: String,
    /// Whole seconds, as HTTP dates carry them.
    pub last_modified: SystemTime,
    pub last_modified_value: HeaderValue,
}

/// A body in one coding, with its ETag.
#[derive(Debug)]
pub struct Variant {
    pub body: Bytes,
    pub etag: HeaderValue,
}

impl Rendered {
    pub fn variant(&self, encoding: Encoding) -> &Variant {
        &self.variants[encoding.index()]
    }

    pub(super) fn is_fresh(&self, config: &Arc<Config>, store: &StoreHandle) -> bool {
        if !Arc::ptr_eq(&self.config, config) || self.expires.is_some_and(|t| Instant::now() >= t) {
            return false;
        }
        let generation = store.generation();
        if self.checked.load(Ordering::Acquire) == generation {
            return true;
        }
        // Something changed: whether it was one of this output's sources.
        let current = store.stamp(&self.sources) == self.stamp;
        if current {
            self.checked.store(generation, Ordering::Release);
        }
        current
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

/// Each format's rendering of one output, in the order of [`FeedFormat::ALL`].
type Slots = [Option<Arc<Rendered>>; 3];

/// The rendered outputs, by output and format.
#[derive(Debug, Default)]
pub struct FeedCache {
    /// Looked up by the output's name as configured, without a key to make.
    entries: Mutex<HashMap<OutputName, Slots>>,
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
        let cached = self.cached(output, format);
        if let Some(hit) = cached.filter(|e| e.is_fresh(config, sources.store)) {
            return Ok(hit);
        }
        let key = (output.name.clone(), format);
        let lock = self.render_lock(&key);
        let _rendering = lock.lock().await;
        let previous = self.cached(output, format);
        if let Some(hit) = previous
            .as_ref()
            .filter(|e| e.is_fresh(config, sources.store))
        {
            return Ok(hit.clone());
        }
        let started = Instant::now();
        let rendered =
            Arc::new(render_entry(sources.store, config, output, format, previous).await?);
        sources
            .metrics
            .record_render(output.name.as_str(), format, started.elapsed());
        let configured = |name: &OutputName| config.output(name.as_str()).is_some();
        let mut entries = self.lock();
        entries.retain(|name, _| configured(name));
        entries.entry(key.0).or_default()[slot(format)] = Some(rendered.clone());
        drop(entries);
        locked(&self.rendering).retain(|(name, _), _| configured(name));
        Ok(rendered)
    }

    fn cached(&self, output: &OutputConfig, format: FeedFormat) -> Option<Arc<Rendered>> {
        self.lock().get(&output.name)?[slot(format)].clone()
    }

    fn render_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        locked(&self.rendering)
            .entry(key.clone())
            .or_default()
            .clone()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<OutputName, Slots>> {
        locked(&self.entries)
    }
}

fn slot(format: FeedFormat) -> usize {
    match format {
        FeedFormat::Rss => 0,
        FeedFormat::Atom => 1,
        FeedFormat::Json => 2,
    }
}

/// Entries are replaced whole, so a map left by a panicking thread is intact.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) async fn render_entry(
    store: &StoreHandle,
    config: &Arc<Config>,
    output: &OutputConfig,
    format: FeedFormat,
    previous: Option<Arc<Rendered>>,
) -> Result<Rendered, RenderError> {
    let now = Utc::now();
    // Taken before the items are read: a change during the render leaves
    // the entry behind it, so the next request renders again.
    let sources = curate::sources_of(config, output);
    let generation = store.generation();
    let stamp = store.stamp(&sources);
    let (items, states, feeds) = tokio::try_join!(
        store.select(Arc::clone(config), output.clone(), now),
        store.fetch_states(),
        store.source_feeds(),
    )?;
    let origins = render::Origins::new(config, &states, &feeds);
    let body = render::render(format, output, &items, &origins, &config.daemon);
    let newest = render::last_change(&items);
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
    let variant = |body, encoding: Encoding| Variant {
        etag: header_value(format!("\"{hash}{}\"", encoding.etag_suffix())),
        body,
    };
    Ok(Rendered {
        config: config.clone(),
        sources,
        stamp,
        checked: AtomicU64::new(generation),
        expires: output.max_age.map(|_| Instant::now() + AGING_TTL),
        variants: [
            variant(identity, Encoding::Identity),
            variant(gzip, Encoding::Gzip),
            variant(brotli, Encoding::Brotli),
        ],
        last_modified_value: header_value(httpdate::fmt_http_date(last_modified)),
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

/// A header value of text made here (hex, quotes, an HTTP date), which is
/// always valid.
fn header_value(text: String) -> HeaderValue {
    HeaderValue::from_maybe_shared(Bytes::from(text))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
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

    /// A cache over a store of its own, under the config `text`.
    struct Fixture {
        _dir: tempfile::TempDir,
        config: Arc<Config>,
        store: StoreHandle,
        metrics: Metrics,
        cache: FeedCache,
    }

    impl Fixture {
        fn new(text: &str) -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let config = Arc::new(Config::parse(&dir.path().join("feeds.toml"), text).unwrap());
            let store = StoreHandle::open(&config.daemon.database).unwrap();
            Fixture {
                _dir: dir,
                config,
                store,
                metrics: Metrics::new(),
                cache: FeedCache::default(),
            }
        }

        fn sources(&self) -> Sources<'_> {
            Sources {
                store: &self.store,
                metrics: &self.metrics,
            }
        }
    }

    #[tokio::test]
    async fn a_render_in_progress_holds_up_only_its_own_output() {
        let f = Fixture::new(CONFIG);
        let (config, cache) = (&f.config, &f.cache);
        let sources = || f.sources();
        // A render of `slow` that has not finished yet.
        let slow_key = (config.outputs[0].name.clone(), FeedFormat::Rss);
        let slow_lock = cache.render_lock(&slow_key);
        let _slow_render = slow_lock.lock().await;

        let quick = config.output("quick").unwrap();
        let answered = tokio::time::timeout(
            Duration::from_secs(10),
            cache.get(sources(), config, quick, FeedFormat::Rss),
        )
        .await;
        assert!(answered.expect("not held up by `slow`").is_ok());
        // The same output in another format is its own render too.
        let slow = config.output("slow").unwrap();
        let other_format = cache.get(sources(), config, slow, FeedFormat::Atom);
        let answered = tokio::time::timeout(Duration::from_secs(10), other_format).await;
        assert!(answered.expect("not held up").is_ok());
    }

    const TWO_SOURCES: &str = "[daemon]\ndatabase = \"t.db\"\n\
        [[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/wire\"\n\
        [[source]]\nname = \"local\"\nurl = \"http://127.0.0.1:9/local\"\n\
        [[output]]\nname = \"wire-only\"\nsources = [\"wire\"]\n\
        [[output]]\nname = \"both\"\nsources = [\"wire\", \"local\"]\n";

    #[tokio::test]
    async fn a_write_to_one_source_renders_again_only_the_outputs_reading_it() {
        let f = Fixture::new(TWO_SOURCES);
        let (store, metrics) = (&f.store, &f.metrics);
        let get = |name: &str| {
            let output = f.config.output(name).unwrap();
            f.cache.get(f.sources(), &f.config, output, FeedFormat::Rss)
        };
        let wire_only = get("wire-only").await.unwrap();
        let both = get("both").await.unwrap();
        assert_eq!(metrics.renders_total(), 2);

        let local = SourceName::new("local").unwrap();
        let item = crate::model::Item::new(
            local.clone(),
            crate::model::ItemId::new("https://local.example/1"),
            "Ferry timetable changes",
            Utc::now(),
        );
        store.write(move |s| s.upsert_items(&[item])).await.unwrap();
        store.bump_sources(&[local]);

        let wire_only_again = get("wire-only").await.unwrap();
        assert!(Arc::ptr_eq(&wire_only, &wire_only_again), "kept");
        assert_eq!(metrics.renders_total(), 2, "wire-only reads no local item");
        let both_again = get("both").await.unwrap();
        assert_eq!(metrics.renders_total(), 3, "both reads local");
        assert_ne!(both.hash, both_again.hash);
        let body = both_again.variant(Encoding::Identity).body.clone();
        assert!(String::from_utf8_lossy(&body).contains("Ferry timetable changes"));

        // A change naming no source reaches every output.
        store.mark_changed();
        get("wire-only").await.unwrap();
        assert_eq!(metrics.renders_total(), 4);
    }
}
