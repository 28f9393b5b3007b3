//! `[daemon] database`: a path keeps the SQLite file; a `postgres://`
//! URL selects PostgreSQL, whose password comes from
//! `database_password_env` or `database_password_file`, never from the
//! URL (the config is shown, shared and checked in).

use std::path::PathBuf;

use toml::Spanned;
use url::Url;

use super::secret::{Secret, SecretFrom};
use super::{Checker, ConfigError, DaemonSettings, OutputConfig, SourceConfig};

/// A PostgreSQL database to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresTarget {
    /// The URL as written, which carries no password.
    pub url: String,
    /// Read at every config load; `None` leaves it to libpq's usual
    /// sources (none for this driver but trust or a `.pgpass`-free setup).
    pub password: Option<Secret>,
}

/// The keys, as read.
pub struct RawDatabase {
    pub database: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
    pub password_file: Option<Spanned<String>>,
}

/// Where the store lives: the SQLite file (always named, so commands that
/// open it by path still have one) and, when the URL selects it,
/// PostgreSQL.
pub struct Database {
    pub sqlite: PathBuf,
    pub postgres: Option<PostgresTarget>,
}

impl Checker<'_> {
    pub(super) fn database(&self, raw: RawDatabase) -> Result<Database, ConfigError> {
        let written = raw.database.as_ref().map(|d| d.get_ref().as_str());
        let postgres = match &raw.database {
            Some(url) if is_postgres_url(url.get_ref()) => Some(PostgresTarget {
                url: self.postgres_url(url)?,
                password: self.database_password(raw.password_env, raw.password_file)?,
            }),
            _ => {
                let stray = raw.password_env.as_ref().or(raw.password_file.as_ref());
                if let Some(key) = stray {
                    return Err(self.error(
                        Some(key.span()),
                        "a database password is only for `database = \"postgres://…\"`; an SQLite file has none".into(),
                    ));
                }
                None
            }
        };
        Ok(Database {
            sqlite: self.folder().join(match &postgres {
                Some(_) => "syndic.db",
                None => written.unwrap_or("syndic.db"),
            }),
            postgres,
        })
    }

    fn postgres_url(&self, written: &Spanned<String>) -> Result<String, ConfigError> {
        let url = Url::parse(written.get_ref()).map_err(|e| {
            self.error(
                Some(written.span()),
                format!("database URL is not readable ({e}): write it as `postgres://user@host:5432/syndic`"),
            )
        })?;
        if url.password().is_some() {
            // Located by line number alone: the usual excerpt of the line
            // would print the password.
            let line = self.text[..written.span().start].matches('\n').count() + 1;
            return Err(self.error(
                None,
                format!("line {line}: the database URL carries a password: take it out and name where it is read from with `database_password_env = \"VARIABLE\"` or `database_password_file = \"path\"`"),
            ));
        }
        Ok(written.get_ref().clone())
    }

    fn database_password(
        &self,
        env: Option<Spanned<String>>,
        file: Option<Spanned<String>>,
    ) -> Result<Option<Secret>, ConfigError> {
        let (from, span) =
            match (env, file) {
                (None, None) => return Ok(None),
                (Some(var), None) => (SecretFrom::Env(var.get_ref().clone()), var.span()),
                (None, Some(path)) => (
                    SecretFrom::File(self.folder().join(path.get_ref())),
                    path.span(),
                ),
                (Some(env), Some(_)) => return Err(self.error(
                    Some(env.span()),
                    "both `database_password_env` and `database_password_file` are set: keep one"
                        .into(),
                )),
            };
        Secret::read(from)
            .map(Some)
            .map_err(|e| self.error(Some(span), format!("the database password: {e}")))
    }
}

impl Checker<'_> {
    /// Refuses, on a PostgreSQL store, the features only the SQLite store
    /// keeps so far (their tables were not carried over).
    pub(super) fn refuse_sqlite_only(
        &self,
        daemon: &DaemonSettings,
        sources: &[SourceConfig],
        outputs: &[OutputConfig],
    ) -> Result<(), ConfigError> {
        if daemon.postgres.is_none() {
            return Ok(());
        }
        let hub = daemon
            .websub
            .hub
            .as_ref()
            .map(|_| "`websub_hub` is set".to_string());
        let feature = hub
            .or_else(|| {
                sources
                    .iter()
                    .find(|s| s.full_text.is_some())
                    .map(|s| format!("source `{}` has `full_text`", s.name))
            })
            .or_else(|| {
                outputs.iter().find_map(|o| {
                    let key = if !o.notify.is_empty() {
                        "notify"
                    } else if o.query.is_some() {
                        "query"
                    } else {
                        return None;
                    };
                    Some(format!("output `{}` has `{key}`", o.name))
                })
            });
        match feature {
            Some(feature) => Err(self.error(
                None,
                format!("{feature}, which needs the SQLite store for now; with `database = \"postgres://…\"` remove it (see the README's PostgreSQL section)"),
            )),
            None => Ok(()),
        }
    }
}

fn is_postgres_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    fn parse(daemon: &str) -> Result<Config, String> {
        Config::parse(
            Path::new("/srv/syndic/feeds.toml"),
            &format!("[daemon]\n{daemon}\n"),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_path_keeps_sqlite_and_a_url_selects_postgres() {
        let sqlite = parse("database = \"data/s.db\"").unwrap();
        assert!(sqlite.daemon.postgres.is_none());
        assert_eq!(sqlite.daemon.database, Path::new("/srv/syndic/data/s.db"));
        let pg = parse("database = \"postgres://syndic@db.internal:5432/feeds\"").unwrap();
        let target = pg.daemon.postgres.unwrap();
        assert_eq!(target.url, "postgres://syndic@db.internal:5432/feeds");
        assert!(target.password.is_none());
    }

    #[test]
    fn a_password_in_the_url_is_refused_at_its_line() {
        let e =
            parse("listen = \"127.0.0.1:8080\"\ndatabase = \"postgres://syndic:hunter2@db/feeds\"")
                .unwrap_err();
        assert!(e.contains("carries a password"), "{e}");
        assert!(e.contains("line 3"), "names the line: {e}");
        assert!(!e.contains("hunter2"), "shows the password: {e}");
    }

    #[test]
    fn the_password_comes_from_the_environment_or_a_file() {
        std::env::set_var("SYNDIC_TEST_PG_PASSWORD", "s3cret");
        let pg = parse("database = \"postgres://syndic@db/feeds\"\ndatabase_password_env = \"SYNDIC_TEST_PG_PASSWORD\"").unwrap();
        assert_eq!(
            pg.daemon.postgres.unwrap().password.unwrap().expose(),
            "s3cret"
        );
        let e = parse("database = \"postgres://syndic@db/feeds\"\ndatabase_password_env = \"SYNDIC_TEST_PG_UNSET\"").unwrap_err();
        assert!(
            e.contains("SYNDIC_TEST_PG_UNSET") && e.contains("not set"),
            "{e}"
        );
        let e = parse("database = \"s.db\"\ndatabase_password_file = \"pw\"").unwrap_err();
        assert!(e.contains("only for"), "{e}");
    }

    #[test]
    fn sqlite_only_features_are_refused_on_postgres() {
        let text = "[daemon]\ndatabase = \"postgres://syndic@db/feeds\"\n\
                    [[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\nfull_text = true\n";
        let e = Config::parse(Path::new("/srv/feeds.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("source `wire` has `full_text`") && e.contains("SQLite"),
            "{e}"
        );
        let sqlite = text.replace("database = \"postgres://syndic@db/feeds\"", "");
        assert!(Config::parse(Path::new("/srv/feeds.toml"), &sqlite).is_ok());
    }

    #[test]
    fn a_websub_hub_is_refused_on_postgres() {
        let e = parse(
            "database = \"postgres://syndic@db/feeds\"\nwebsub_hub = \"https://hub.example/\"",
        )
        .unwrap_err();
        assert!(
            e.contains("`websub_hub` is set") && e.contains("SQLite"),
            "{e}"
        );
        assert!(parse("websub_hub = \"https://hub.example/\"").is_ok());
    }

    #[test]
    fn an_output_query_is_refused_on_postgres() {
        let text = "[daemon]\ndatabase = \"postgres://syndic@db/feeds\"\n\
                    [[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\n\
                    [[output]]\nname = \"found\"\nsources = [\"wire\"]\nquery = \"ceasefire\"\n";
        let e = Config::parse(Path::new("/srv/feeds.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("output `found` has `query`"), "{e}");
    }
}
