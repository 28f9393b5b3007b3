//! The command line: parses arguments, loads the config, runs one command,
//! and maps failures to the contract's exit codes.

mod discover;
mod import;
mod inspect;
mod migrate;
mod opml;
mod poll;
mod render;
mod search;
mod store_access;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, ConfigError, HumanDuration};
use crate::render::FeedFormat;

#[derive(Debug, Parser)]
#[command(
    name = "syndic",
    version,
    about = "A feed daemon: polls RSS, Atom and text dumps, serves curated feeds"
)]
pub struct Cli {
    /// The config file.
    #[arg(long, global = true, env = "SYNDIC_CONFIG", default_value = crate::config::DEFAULT_CONFIG)]
    config: PathBuf,

    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon: scheduler and feed server until SIGTERM; SIGHUP reloads the config.
    Run,
    /// Validate the config and print a summary.
    Check,
    /// Poll due sources once (or every source with --all) and print what changed.
    Poll {
        /// Poll every source, due or not.
        #[arg(long)]
        all: bool,
        /// Only these sources.
        sources: Vec<String>,
    },
    /// Ingest plain-text dumps into a text source (`-` reads standard input).
    Import {
        #[arg(long)]
        source: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print an output feed to standard output.
    Render {
        output: String,
        #[arg(long, value_enum, default_value_t = FeedFormat::Rss)]
        format: FeedFormat,
    },
    /// Write every output in every format as static files into DIR.
    Export { dir: PathBuf },
    /// Show each source: last fetch, result, next due, item count.
    Sources {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List stored items, newest first.
    Items {
        #[arg(long)]
        source: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over stored items, best match first.
    ///
    /// Syntax: words (all must match), "a phrase", `a OR b`, `-word`
    /// (must not match), `word*` (prefix), `field:word` with the fields
    /// title, summary, content, text, author and category.
    Search {
        /// The query; quote it when it has several words.
        #[arg(allow_hyphen_values = true)]
        query: String,
        /// Only this source (repeat for more).
        #[arg(long)]
        source: Vec<String>,
        /// Only items of this age or younger, such as `7d` or `12h`.
        #[arg(long)]
        since: Option<HumanDuration>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Print the feeds a web page offers (its autodiscovery links).
    Discover { url: String },
    /// Copy the store into another database: `postgres://user@host/db` or an SQLite file.
    Migrate {
        #[arg(long)]
        to: String,
        /// The environment variable holding the target's PostgreSQL password.
        #[arg(long)]
        password_env: Option<String>,
    },
    /// Subscription lists.
    Opml {
        #[command(subcommand)]
        action: OpmlAction,
    },
}

#[derive(Debug, Subcommand)]
enum OpmlAction {
    /// Print every feed source as OPML.
    Export,
    /// Append the feeds of an OPML file to the config as sources.
    Import { file: PathBuf },
}

/// A failure, classified by the exit code the contract gives it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad usage or bad config: exit 2.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Anything that went wrong while working: exit 1.
    #[error("{0:#}")]
    Runtime(#[from] anyhow::Error),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Config(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }
}

/// Entry point for the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    init_logging(cli.log_format);
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("syndic: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SYNDIC_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour_wanted())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Colour only for a person at a terminal: journald and log files would
/// keep the escape codes as bytes. `NO_COLOR` (set and not empty) turns
/// it off there too (no-color.org).
fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    let refused = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !refused && std::io::stderr().is_terminal()
}

fn dispatch(cli: Cli) -> Result<(), CliError> {
    let config = || Config::load(&cli.config);
    match cli.command {
        Command::Check => inspect::check(&config()?),
        Command::Discover { url } => discover::discover(&url),
        Command::Migrate { to, password_env } => {
            migrate::migrate(&config()?, &to, password_env.as_deref())
        }
        Command::Items {
            source,
            limit,
            json,
        } => inspect::items(&config()?, source.as_deref(), limit, json),
        Command::Sources { json } => inspect::sources(&config()?, json),
        Command::Search {
            query,
            source,
            since,
            limit,
            json,
        } => search::search(
            &config()?,
            &search::SearchArgs {
                query: &query,
                sources: &source,
                since,
                limit,
                json,
            },
        ),
        Command::Run => crate::daemon::run(config()?).map_err(|e| CliError::Runtime(e.into())),
        Command::Poll { all, sources } => poll::poll(&config()?, all, &sources),
        Command::Import { source, files } => import::import(&config()?, &source, &files),
        Command::Render { output, format } => render::render(&config()?, &output, format),
        Command::Export { dir } => render::export(&config()?, &dir),
        Command::Opml {
            action: OpmlAction::Export,
        } => opml::export(&config()?),
        Command::Opml {
            action: OpmlAction::Import { file },
        } => opml::import(&cli.config, &file),
    }
}

/// Opens the config's database, reporting which file failed.
/// Writes to stdout; a closed pipe (`syndic items | head`) is not an error.
fn print_out(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(anyhow::Error::from(e).into()),
        _ => Ok(()),
    }
}

/// Looks up a configured source by name, or explains which names exist.
fn known_source<'c>(
    config: &'c Config,
    name: &str,
) -> Result<&'c crate::config::SourceConfig, CliError> {
    let names = config.sources.iter().map(|s| s.name.as_str());
    config
        .source(name)
        .ok_or_else(|| unknown("source", name, config, names))
}

/// Looks up a configured output by name, or explains which names exist.
fn known_output<'c>(
    config: &'c Config,
    name: &str,
) -> Result<&'c crate::config::OutputConfig, CliError> {
    let names = config.outputs.iter().map(|o| o.name.as_str());
    config
        .output(name)
        .ok_or_else(|| unknown("output", name, config, names))
}

/// The usage error for a name the config does not define, listing in
/// config order the `kind`s it does.
fn unknown<'a>(
    kind: &str,
    name: &str,
    config: &Config,
    names: impl Iterator<Item = &'a str>,
) -> CliError {
    let names: Vec<&str> = names.collect();
    let known = if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    };
    CliError::Usage(format!(
        "no {kind} named `{name}` in {}; configured {kind}s: {known}",
        config.file.display()
    ))
}
