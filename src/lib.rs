//! syndic: a feed daemon. Polls RSS, Atom and plain-text news dumps,
//! normalizes them into one item model stored in SQLite, and serves curated
//! outputs as RSS 2.0, Atom 1.0 and JSON Feed.

pub mod allocator;
pub mod atomic_write;
pub mod cli;
pub mod config;
pub mod css_selector;
pub mod curate;
pub mod daemon;
pub mod extract;

pub mod feed_schedule;
pub mod fetch;
pub mod full_text;
pub mod item_record;
pub mod metrics;
pub mod model;
pub mod normalize;
pub mod notifications;
pub mod opml;
pub mod parse;
pub mod poll;
pub mod render;
pub mod scheduler;
pub mod scrape;
pub mod search;
pub mod server;
pub mod shutdown;
pub mod store;
pub mod text;
pub mod websub;
