//! One integration-test binary: every module below is a suite, and
//! `support` holds what they share (the binary runner, loopback servers).

mod support;

mod adaptive;
mod attribution;
mod browser_pages;
mod cli;
mod config_errors;
mod curate;
mod daemon_lifecycle;
mod dump_labelled;
mod dump_properties;
mod dump_watch;
mod dumps;
mod fetch;
mod health;
mod hostile;
mod http_options;
mod import;
mod media;
mod migrate;
mod notify;
mod opml;
mod pages;
mod parse;
mod parse_corpus;
mod parse_props;
mod poll;
mod postgres_cli;
mod postgres_harness;
mod private_outputs;
mod push;
mod renames;
mod render;
mod render_cli;
mod scheduler;
mod search;
mod search_server;
mod server;
mod store;
mod store_backends;
mod stories;
mod story_matcher;
mod systemd_unit;
mod websub;
mod websub_hub;
