//! The shape of `feeds.toml` as serde reads it. Fields that later checks
//! refer to keep their spans so an error can point at the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::access::AccessKind;
use super::duration::HumanDuration;
use super::notify::RawNotify;
use super::schedule::ScheduleKind;
use crate::model::{OutputName, SourceKind, SourceName};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub daemon: RawDaemon,
    #[serde(default)]
    pub source: Vec<RawSource>,
    #[serde(default)]
    pub output: Vec<RawOutput>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDaemon {
    pub listen: Option<Spanned<String>>,
    pub database: Option<Spanned<String>>,
    pub database_password_env: Option<Spanned<String>>,
    pub database_password_file: Option<Spanned<String>>,
    pub base_url: Option<Spanned<String>>,
    pub interval: Option<Spanned<HumanDuration>>,
    pub timeout: Option<HumanDuration>,
    pub max_body_kb: Option<Spanned<u64>>,
    pub concurrency: Option<Spanned<usize>>,
    pub per_host: Option<Spanned<usize>>,
    pub max_connections: Option<Spanned<usize>>,
    pub max_items: Option<Spanned<usize>>,
    pub keep: Option<Spanned<usize>>,
    pub max_age: Option<HumanDuration>,
    pub schedule: Option<ScheduleKind>,
    pub min_interval: Option<Spanned<HumanDuration>>,
    pub max_interval: Option<Spanned<HumanDuration>>,
    pub health_output: Option<Spanned<bool>>,
    pub health_after: Option<Spanned<u32>>,
    pub websub_hub: Option<Spanned<String>>,
    pub websub_safety_interval: Option<Spanned<HumanDuration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub name: Spanned<SourceName>,
    #[serde(default)]
    pub kind: SourceKind,
    pub url: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub interval: Option<Spanned<HumanDuration>>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub keep: Option<Spanned<usize>>,
    pub max_age: Option<HumanDuration>,
    #[serde(default)]
    pub allow_private: bool,
    pub user_agent: Option<Spanned<String>>,
    pub headers: Option<Spanned<BTreeMap<String, String>>>,
    pub auth: Option<Spanned<RawAuth>>,
    pub http2: Option<Spanned<bool>>,
    pub renamed_from: Option<Spanned<SourceName>>,
    pub accept_push: Option<Spanned<bool>>,
    pub token_env: Option<Spanned<String>>,
    pub token_file: Option<Spanned<String>>,
    pub full_text: Option<Spanned<bool>>,
    pub full_text_selector: Option<Spanned<String>>,
    pub full_text_per_poll: Option<Spanned<usize>>,
    pub selectors: Option<Spanned<RawSelectors>>,
}

/// `selectors = { item = "…", … }` of a `kind = "html"` source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSelectors {
    pub item: Spanned<String>,
    pub title: Option<Spanned<String>>,
    pub link: Option<Spanned<String>>,
    pub summary: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub image: Option<Spanned<String>>,
    pub author: Option<Spanned<String>>,
}

/// `auth = { … }`: where the credentials are read from, never the
/// credentials themselves.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    pub basic_user: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<String>,
    pub bearer_env: Option<String>,
    pub bearer_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    pub name: Spanned<OutputName>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub limit: Option<Spanned<usize>>,
    pub max_age: Option<HumanDuration>,
    #[serde(default)]
    pub prefer: Vec<Spanned<String>>,
    pub access: Option<Spanned<AccessKind>>,
    #[serde(default)]
    pub notify: Vec<Spanned<RawNotify>>,
    pub token_env: Option<Spanned<String>>,
    pub token_file: Option<Spanned<String>>,
    pub query: Option<Spanned<String>>,
}
