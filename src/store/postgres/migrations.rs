//! Versioned schema migrations for PostgreSQL, applied in order at
//! start-up: its own list (the SQLite one in `../migrations.rs` carries that
//! file's history), recorded in `schema_migrations`. Every process runs
//! them under one advisory lock, so several starting at once apply each
//! step once.

use tokio_postgres::Client;

use crate::store::StoreError;

/// Each entry upgrades the schema from version `i` to `i + 1`.
///
/// Times are Unix seconds (`BIGINT`), as in the SQLite store, so a copy
/// between the two is exact. Keys are compared byte-wise (`COLLATE "C"`)
/// as SQLite compares them, so pages and ties come in the same order.
const MIGRATIONS: &[&str] = &[
    // 1: the SQLite schema as of its version 16, less the SQLite-only
    // features (notifications, full-text pages); and a generation number
    // every process advances after a commit that changed items, which a
    // server process reads to learn that its render cache is stale.
    r#"CREATE TABLE items (
        source       TEXT COLLATE "C" NOT NULL,
        id           TEXT COLLATE "C" NOT NULL,
        title        TEXT NOT NULL,
        link         TEXT,
        summary      TEXT,
        content      TEXT,
        authors      TEXT NOT NULL DEFAULT '[]',
        categories   TEXT NOT NULL DEFAULT '[]',
        published    BIGINT,
        updated      BIGINT,
        first_seen   BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        sort_time    BIGINT NOT NULL,
        id_source    TEXT,
        enclosures   TEXT NOT NULL DEFAULT '[]',
        image        TEXT,
        episode      BIGINT,
        explicit     BOOLEAN,
        PRIMARY KEY (source, id)
    );
    CREATE INDEX items_by_source_time ON items (source, sort_time DESC, first_seen DESC, id);
    CREATE INDEX items_by_title ON items (source, title) WHERE link IS NOT NULL;
    CREATE TABLE sources (
        name          TEXT COLLATE "C" PRIMARY KEY,
        etag          TEXT,
        last_modified TEXT,
        next_due      BIGINT,
        failures      BIGINT NOT NULL DEFAULT 0,
        last_fetch    BIGINT,
        last_status   TEXT,
        last_error    TEXT,
        moved_to      TEXT,
        disabled      BOOLEAN NOT NULL DEFAULT false,
        location      TEXT,
        body_hash     TEXT,
        rotated_ids   BIGINT NOT NULL DEFAULT 0,
        feed_title    TEXT,
        feed_id       TEXT,
        feed_link     TEXT,
        feed_schedule TEXT,
        due_reason    TEXT
    );
    CREATE INDEX sources_by_due ON sources (next_due);
    CREATE TABLE source_files (
        source   TEXT COLLATE "C" NOT NULL,
        path     TEXT COLLATE "C" NOT NULL,
        size     BIGINT NOT NULL,
        modified BIGINT NOT NULL,
        PRIMARY KEY (source, path)
    );
    CREATE TABLE tombstones (
        source       TEXT COLLATE "C" NOT NULL,
        id           TEXT COLLATE "C" NOT NULL,
        content_hash TEXT NOT NULL,
        link         TEXT,
        title        TEXT NOT NULL,
        removed_at   BIGINT NOT NULL,
        last_listed  BIGINT NOT NULL,
        PRIMARY KEY (source, id)
    );
    CREATE INDEX tombstones_by_link ON tombstones (source, link, title) WHERE link IS NOT NULL;
    CREATE INDEX tombstones_by_last_listed ON tombstones (last_listed);
    CREATE SEQUENCE store_generation;"#,
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Any fixed number, the same in every syndic: the advisory lock that
/// serializes migrations across processes.
const MIGRATION_LOCK: i64 = 0x5379_6e64_6963;

/// Brings the schema up to [`LATEST`]; a database migrated by a newer
/// syndic is refused.
pub async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .await?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    let found = u32::try_from(found).unwrap_or(0);
    if found > LATEST {
        return Err(StoreError::TooNew {
            found,
            supported: LATEST,
        });
    }
    for (version, sql) in (1..).zip(MIGRATIONS).skip(found as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
