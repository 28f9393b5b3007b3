//! Reads and validates `feeds.toml` into a [`Config`] the rest of syndic
//! can trust: names unique, references resolved, paths absolute.

mod access;
mod database;
mod duration;
pub mod edit;
mod error;
mod filter;
mod health;
mod http_options;
mod notify;
mod pages;
mod pattern;
mod push;
mod raw;
mod renames;
mod schedule;
mod secret;
mod token;
mod websub;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use url::Url;

pub use access::Access;
pub use database::PostgresTarget;
pub use duration::{DurationError, HumanDuration};
pub use error::{ConfigError, Located};
pub use filter::FieldSets;
pub use health::HEALTH_NAME;
pub use http_options::{Auth, HttpOptions};
pub use notify::NotifyTarget;
pub use pages::FullText;
pub use pattern::{Field, Pattern, PatternError};
pub use schedule::Schedule;
pub use secret::{Secret, SecretError, SecretFrom};
pub use websub::{WebSubSettings, DEFAULT_SAFETY_INTERVAL};

use crate::model::{OutputName, SourceKind, SourceName};
use crate::search::SearchQuery;
use raw::{RawConfig, RawDaemon, RawOutput, RawSource};

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub file: PathBuf,
    pub daemon: DaemonSettings,
    pub sources: Vec<SourceConfig>,
    pub outputs: Vec<OutputConfig>,
}

#[derive(Debug, Clone)]
pub struct DaemonSettings {
    pub listen: SocketAddr,
    /// Absolute path of the SQLite file, the store unless `postgres` is set.
    pub database: PathBuf,
    /// `database = "postgres://…"`: the store is this PostgreSQL database.
    pub postgres: Option<PostgresTarget>,
    /// Public URL used in self links, without a trailing slash.
    pub base_url: Url,
    /// Poll interval for sources that set none.
    pub interval: Duration,
    /// Total time one fetch may take.
    pub timeout: Duration,
    pub max_body_bytes: u64,
    /// Fetches in flight at once, over all hosts.
    pub concurrency: usize,
    /// Fetches in flight at once to one host.
    pub per_host: usize,
    /// HTTP connections the feed server holds open at once; more are
    /// refused at once with a `503`.
    pub max_connections: usize,
    /// Entries kept from one poll of a feed (the newest): a feed of
    /// millions of tiny items costs no more than this many.
    pub max_items: usize,
    pub retention: Retention,
    pub schedule: Schedule,
    /// With `health_output = true`: failed polls in a row after which the
    /// `_health` output reports a source failing.
    pub health_after: Option<u32>,
    pub websub: WebSubSettings,
}

/// How many items a source keeps and for how long; `None` keeps all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub keep: Option<usize>,
    pub max_age: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub name: SourceName,
    pub kind: SourceKind,
    pub location: Location,
    pub interval: Duration,
    /// `[daemon] schedule`, for every source.
    pub schedule: Schedule,
    pub tags: Vec<String>,
    pub retention: Retention,
    /// Redirects and DNS answers may lead into private networks.
    pub allow_private: bool,
    pub http: HttpOptions,
    /// The name this source had before; its stored items, fetch state and
    /// tombstones are moved to the new name at the next write.
    pub renamed_from: Option<SourceName>,
    /// Set for a text source that accepts dumps at `POST /ingest/{name}`:
    /// the token senders must show.
    pub push_token: Option<Secret>,
    /// `full_text = true`: items are completed with their pages' articles.
    pub full_text: Option<FullText>,
    /// A `kind = "html"` source's selectors; `None` uses the heuristic.
    pub selectors: Option<crate::scrape::ListingSelectors>,
}

impl SourceConfig {
    /// False for a source only pushed to, which has nothing to fetch.
    pub fn is_polled(&self) -> bool {
        self.location != Location::Push
    }

    /// (old name, new name) when the source was renamed.
    pub fn rename(&self) -> Option<(SourceName, SourceName)> {
        let old = self.renamed_from.clone()?;
        Some((old, self.name.clone()))
    }
}

/// Where a source is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An `http` or `https` URL.
    Url(Url),
    /// An absolute path; for text sources a glob pattern.
    Path(PathBuf),
    /// Nowhere: a text source only pushed to (`accept_push`).
    Push,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Url(u) => write!(f, "{u}"),
            Location::Path(p) => write!(f, "{}", p.display()),
            Location::Push => f.write_str("(pushed to /ingest)"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutputConfig {
    pub name: OutputName,
    pub title: String,
    pub description: Option<String>,
    pub sources: Vec<SourceName>,
    pub tags: Vec<String>,
    /// An item must match one of these (none: every item passes).
    pub include: FieldSets,
    /// An item matching any of these is dropped.
    pub exclude: FieldSets,
    pub limit: usize,
    pub max_age: Option<Duration>,
    /// Whose copy of a story several sources carry is shown, most
    /// preferred first; unlisted sources after them, earliest copy first.
    pub prefer: Vec<SourceName>,
    /// Public, or only for whoever shows the output's token.
    pub access: Access,
    /// Where each new item is sent.
    pub notify: Vec<NotifyTarget>,
    /// Only items matching this full-text query (`query = "…"`).
    pub query: Option<SearchQuery>,
    /// Where the output is served, which its self links name.
    pub served_as: ServedAs,
}

/// Where an output is served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ServedAs {
    /// `/feeds/{name}.{ext}`: an `[[output]]` of the config.
    #[default]
    Configured,
    /// `/search.{ext}?q=…`: a search asked for over HTTP.
    Search,
}

pub const DEFAULT_CONFIG: &str = "feeds.toml";
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_INTERVAL: Duration = Duration::from_secs(30 * 60);
const MIN_INTERVAL: Duration = Duration::from_secs(60);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_BODY_KB: u64 = 16 * 1024;
const DEFAULT_CONCURRENCY: usize = 64;
const DEFAULT_PER_HOST: usize = 2;
/// Well under the usual limit of 1,024 open files, which fetches and the
/// database share.
const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// More than any real feed carries in one document.
const DEFAULT_MAX_ITEMS: usize = 5_000;
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 10_000;

impl DaemonSettings {
    /// The public URL of `path` (which starts with `/`) under `base_url`.
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.as_str().trim_end_matches('/'))
    }
}

impl Config {
    /// Reads and validates the config at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Validates `text` as if read from `path`; relative paths resolve
    /// against `path`'s folder.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let checker = Checker { path, text };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| checker.error(e.span(), e.message().to_string()))?;
        checker.build(raw)
    }

    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name.as_str() == name)
    }

    /// Every `renamed_from`, as (old name, new name).
    pub fn renames(&self) -> Vec<(SourceName, SourceName)> {
        self.sources
            .iter()
            .filter_map(SourceConfig::rename)
            .collect()
    }

    pub fn output(&self, name: &str) -> Option<&OutputConfig> {
        self.outputs.iter().find(|o| o.name.as_str() == name)
    }

    /// The folder relative paths in the config resolve against.
    pub fn folder(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }
}

/// Holds the file being checked so every rule can report a located error.
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Checker<'_> {
    fn error(&self, span: Option<Range<usize>>, message: String) -> ConfigError {
        ConfigError::Invalid(Located::new(self.path, self.text, span, message))
    }

    fn folder(&self) -> PathBuf {
        let parent = self.path.parent().unwrap_or(Path::new("."));
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf())
    }

    fn build(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let daemon = self.daemon(raw.daemon)?;
        let mut sources = self.sources(raw.source, &daemon)?;
        let mut outputs = self.outputs(raw.output, &sources)?;
        self.refuse_sqlite_only(&daemon, &sources, &outputs)?;
        self.add_health(&daemon, &mut sources, &mut outputs)?;
        Ok(Config {
            file: std::path::absolute(self.path).unwrap_or_else(|_| self.path.to_path_buf()),
            daemon,
            sources,
            outputs,
        })
    }

    fn daemon(&self, raw: RawDaemon) -> Result<DaemonSettings, ConfigError> {
        let schedule = self.schedule(&raw)?;
        let health_after = self.health_after(health::RawHealth {
            output: raw.health_output,
            after: raw.health_after,
        })?;
        let listen = match raw.listen {
            Some(a) => a.get_ref().parse().map_err(|_| {
                self.error(
                    Some(a.span()),
                    format!("listen `{}` is not an address and port: write it as `127.0.0.1:8080` or `[::1]:8080`", a.get_ref()),
                )
            })?,
            None => DEFAULT_LISTEN.parse().expect("default listen address is valid"),
        };
        let written_base_url = raw
            .base_url
            .map(|s| {
                let text = s.get_ref().trim_end_matches('/');
                self.http_url(text, &s, "base_url", "https://feeds.example.org")
            })
            .transpose()?;
        let base_url = written_base_url.clone().unwrap_or_else(|| {
            Url::parse(&format!("http://{listen}")).expect("socket address forms a URL")
        });
        let websub = self.websub(raw.websub_hub, raw.websub_safety_interval, written_base_url)?;
        let interval = match raw.interval {
            Some(d) => self.interval(d.get_ref().0, Some(d.span()))?,
            None => DEFAULT_INTERVAL,
        };
        let positive = |v: Option<Spanned<usize>>, key: &str, default: usize| match v {
            Some(n) if *n.get_ref() == 0 => {
                Err(self.error(Some(n.span()), format!("`{key}` must be at least 1")))
            }
            Some(n) => Ok(n.into_inner()),
            None => Ok(default),
        };
        let max_body_kb = match raw.max_body_kb {
            Some(n) if *n.get_ref() == 0 => {
                return Err(self.error(Some(n.span()), "`max_body_kb` must be at least 1".into()))
            }
            Some(n) => n.into_inner(),
            None => DEFAULT_MAX_BODY_KB,
        };
        let database = self.database(database::RawDatabase {
            database: raw.database,
            password_env: raw.database_password_env,
            password_file: raw.database_password_file,
        })?;
        Ok(DaemonSettings {
            schedule,
            listen,
            database: database.sqlite,
            postgres: database.postgres,
            base_url,
            interval,
            timeout: raw.timeout.map_or(DEFAULT_TIMEOUT, |d| d.0),
            max_body_bytes: max_body_kb.saturating_mul(1024),
            concurrency: positive(raw.concurrency, "concurrency", DEFAULT_CONCURRENCY)?,
            per_host: positive(raw.per_host, "per_host", DEFAULT_PER_HOST)?,
            max_connections: positive(
                raw.max_connections,
                "max_connections",
                DEFAULT_MAX_CONNECTIONS,
            )?,
            max_items: positive(raw.max_items, "max_items", DEFAULT_MAX_ITEMS)?,
            retention: Retention {
                keep: raw.keep.map(|k| positive(Some(k), "keep", 0)).transpose()?,
                max_age: raw.max_age.map(|d| d.0),
            },
            health_after,
            websub,
        })
    }

    /// `text` (the value of `key`, written at `at`) as an http(s) URL.
    fn http_url(
        &self,
        text: &str,
        at: &Spanned<String>,
        key: &str,
        example: &str,
    ) -> Result<Url, ConfigError> {
        Url::parse(text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                self.error(
                    Some(at.span()),
                    format!(
                        "{key} `{}` is not an http(s) URL: write it as `{example}`",
                        at.get_ref()
                    ),
                )
            })
    }

    fn interval(&self, d: Duration, span: Option<Range<usize>>) -> Result<Duration, ConfigError> {
        if d < MIN_INTERVAL {
            return Err(self.error(
                span,
                format!(
                    "interval {} is too short: polling more often than every {} is impolite to servers",
                    HumanDuration(d),
                    HumanDuration(MIN_INTERVAL)
                ),
            ));
        }
        Ok(d)
    }

    fn sources(
        &self,
        raw: Vec<RawSource>,
        daemon: &DaemonSettings,
    ) -> Result<Vec<SourceConfig>, ConfigError> {
        renames::check(self, &raw)?;
        let mut seen = HashSet::new();
        raw.into_iter()
            .map(|s| {
                if !seen.insert(s.name.get_ref().clone()) {
                    return Err(self.error(
                        Some(s.name.span()),
                        format!(
                            "duplicate source name `{}`: each [[source]] needs its own name",
                            s.name.get_ref()
                        ),
                    ));
                }
                self.source(s, daemon)
            })
            .collect()
    }

    fn source(&self, s: RawSource, daemon: &DaemonSettings) -> Result<SourceConfig, ConfigError> {
        let name_span = s.name.span();
        let name = s.name.into_inner();
        let push = push::RawPush {
            accept_push: s.accept_push,
            token: token::RawToken {
                token_env: s.token_env,
                token_file: s.token_file,
            },
        };
        let location = match (s.url, s.path) {
            (None, None) if push.accepts() => Location::Push,
            (Some(url), None) => self.url_location(&url)?,
            (None, Some(path)) => Location::Path(self.folder().join(path.get_ref())),
            (Some(url), Some(_)) => {
                return Err(self.error(
                    Some(url.span()),
                    format!("source `{name}` has both `url` and `path`: keep one"),
                ))
            }
            (None, None) => {
                return Err(self.error(
                    Some(name_span),
                    format!("source `{name}` has neither `url` nor `path`: add `url = \"https://…\"` or `path = \"dumps/*.txt\"`"),
                ))
            }
        };
        let raw_http = http_options::RawHttpOptions {
            user_agent: s.user_agent,
            headers: s.headers,
            auth: s.auth,
            http2: s.http2,
        };
        if let (Location::Path(_), Some(span)) = (&location, raw_http.first_span()) {
            return Err(self.error(
                Some(span),
                format!("source `{name}` reads a file: `user_agent`, `headers`, `auth` and `http2` apply to http(s) urls only"),
            ));
        }
        let http = self.http_options(&name, raw_http)?;
        let push_token = self.push_token(&name, s.kind, push)?;
        let raw_pages = pages::RawPages {
            full_text: s.full_text,
            selector: s.full_text_selector,
            per_poll: s.full_text_per_poll,
            selectors: s.selectors,
        };
        let (full_text, selectors) = self.pages(&name, s.kind, raw_pages)?;
        let interval = match s.interval {
            Some(d) => self.interval(d.get_ref().0, Some(d.span()))?,
            None => daemon.interval,
        };
        let keep = match s.keep {
            Some(k) if *k.get_ref() == 0 => {
                return Err(self.error(Some(k.span()), "`keep` must be at least 1".into()))
            }
            k => k.map(Spanned::into_inner).or(daemon.retention.keep),
        };
        Ok(SourceConfig {
            name,
            kind: s.kind,
            location,
            interval,
            schedule: daemon.schedule,
            tags: s.tags,
            retention: Retention {
                keep,
                max_age: s.max_age.map(|d| d.0).or(daemon.retention.max_age),
            },
            allow_private: s.allow_private,
            http,
            renamed_from: s.renamed_from.map(Spanned::into_inner),
            push_token,
            full_text,
            selectors,
        })
    }

    fn url_location(&self, url: &Spanned<String>) -> Result<Location, ConfigError> {
        let bad =
            |why: &str| self.error(Some(url.span()), format!("url `{}` {why}", url.get_ref()));
        let parsed = Url::parse(url.get_ref()).map_err(|e| {
            bad(&format!(
                "is not a valid URL ({e}): write it as `https://example.org/feed.xml`"
            ))
        })?;
        match parsed.scheme() {
            "http" | "https" => Ok(Location::Url(parsed)),
            "file" => parsed.to_file_path().map(Location::Path).map_err(|_| {
                bad("is not a usable file URL: write `file:///absolute/path` or use `path`")
            }),
            other => Err(bad(&format!(
                "has scheme `{other}`: only http, https and file are read"
            ))),
        }
    }

    fn outputs(
        &self,
        raw: Vec<RawOutput>,
        sources: &[SourceConfig],
    ) -> Result<Vec<OutputConfig>, ConfigError> {
        let known_tags: HashSet<&str> = sources
            .iter()
            .flat_map(|s| s.tags.iter().map(String::as_str))
            .collect();
        let mut seen = HashSet::new();
        raw.into_iter()
            .map(|o| {
                if !seen.insert(o.name.get_ref().clone()) {
                    return Err(self.error(
                        Some(o.name.span()),
                        format!(
                            "duplicate output name `{}`: each [[output]] needs its own name",
                            o.name.get_ref()
                        ),
                    ));
                }
                self.output(o, sources, &known_tags)
            })
            .collect()
    }

    fn output(
        &self,
        o: RawOutput,
        sources: &[SourceConfig],
        known_tags: &HashSet<&str>,
    ) -> Result<OutputConfig, ConfigError> {
        let name_span = o.name.span();
        let name = o.name.into_inner();
        if o.sources.is_empty() && o.tags.is_empty() && o.query.is_none() {
            return Err(self.error(
                Some(name_span),
                format!("output `{name}` selects nothing: add `sources = [\"…\"]`, `tags = [\"…\"]` and/or `query = \"…\"`"),
            ));
        }
        let query = o
            .query
            .map(|q| {
                SearchQuery::parse(q.get_ref()).map_err(|e| {
                    self.error(Some(q.span()), format!("output `{name}`: `query`: {e}"))
                })
            })
            .transpose()?;
        let chosen = o
            .sources
            .iter()
            .map(|s| self.source_named(s, sources, &name))
            .collect::<Result<Vec<_>, _>>()?;
        for t in &o.tags {
            if !known_tags.contains(t.get_ref().as_str()) {
                return Err(self.error(
                    Some(t.span()),
                    format!(
                        "output `{name}` names tag `{}`, which no source has; known tags: {}",
                        t.get_ref(),
                        list(known_tags.iter().copied())
                    ),
                ));
            }
        }
        let limit = match o.limit {
            Some(l) if !(1..=MAX_LIMIT).contains(l.get_ref()) => {
                return Err(self.error(
                    Some(l.span()),
                    format!("`limit` must be between 1 and {MAX_LIMIT}"),
                ))
            }
            Some(l) => l.into_inner(),
            None => DEFAULT_LIMIT,
        };
        let compile = |sources: &[Spanned<String>], key: &str| {
            let patterns = sources
                .iter()
                .map(|s| {
                    Pattern::new(s.get_ref()).map_err(|e| self.error(Some(s.span()), e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            FieldSets::new(&patterns).map_err(|e| {
                self.error(
                    Some(name_span.clone()),
                    format!(
                        "output `{name}`: its `{key}` patterns cannot be compiled together: {e}"
                    ),
                )
            })
        };
        let include = compile(&o.include, "include")?;
        let exclude = compile(&o.exclude, "exclude")?;
        let prefer = self.preferred(&o.prefer, sources, &name, &chosen, &o.tags)?;
        let token = token::RawToken {
            token_env: o.token_env,
            token_file: o.token_file,
        };
        let access = self.access(&name, o.access, token)?;
        let notify = self.notify_targets(&name, o.notify)?;
        Ok(OutputConfig {
            title: o.title.unwrap_or_else(|| name.to_string()),
            name,
            description: o.description,
            sources: chosen,
            tags: o.tags.into_iter().map(Spanned::into_inner).collect(),
            include,
            exclude,
            limit,
            max_age: o.max_age.map(|d| d.0),
            prefer,
            access,
            notify,
            query,
            served_as: ServedAs::Configured,
        })
    }

    /// The source `s` names, or an error listing the known ones.
    fn source_named(
        &self,
        s: &Spanned<String>,
        sources: &[SourceConfig],
        output: &OutputName,
    ) -> Result<SourceName, ConfigError> {
        sources
            .iter()
            .find(|c| c.name.as_str() == s.get_ref())
            .map(|c| c.name.clone())
            .ok_or_else(|| {
                self.error(
                    Some(s.span()),
                    format!(
                        "output `{output}` names source `{}`, which no [[source]] defines; known sources: {}",
                        s.get_ref(),
                        list(sources.iter().map(|c| c.name.as_str()))
                    ),
                )
            })
    }

    /// `prefer`: sources the output reads, by name or tag.
    fn preferred(
        &self,
        prefer: &[Spanned<String>],
        sources: &[SourceConfig],
        output: &OutputName,
        named: &[SourceName],
        tags: &[Spanned<String>],
    ) -> Result<Vec<SourceName>, ConfigError> {
        prefer
            .iter()
            .map(|p| {
                let source = self.source_named(p, sources, output)?;
                let read = named.contains(&source)
                    || sources.iter().any(|s| {
                        s.name == source && s.tags.iter().any(|t| tags.iter().any(|o| o.get_ref() == t))
                    });
                if read {
                    Ok(source)
                } else {
                    Err(self.error(
                        Some(p.span()),
                        format!("output `{output}` prefers source `{source}`, which it does not read: add it to `sources` or drop it from `prefer`"),
                    ))
                }
            })
            .collect()
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = names.collect();
    if v.is_empty() {
        return "(none)".into();
    }
    v.sort_unstable();
    v.join(", ")
}
