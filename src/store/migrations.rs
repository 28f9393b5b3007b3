//! Versioned schema migrations, applied in order at start-up. The schema
//! version is SQLite's `user_version`; each step runs in one transaction.

use rusqlite::Connection;

use super::busy::write_transaction;
use super::{layout, StoreError};

/// Each entry upgrades the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the item model and per-source fetch state.
    "CREATE TABLE items (
        source       TEXT NOT NULL,
        id           TEXT NOT NULL,
        title        TEXT NOT NULL,
        link         TEXT,
        summary      TEXT,
        content      TEXT,
        authors      TEXT NOT NULL DEFAULT '[]',
        categories   TEXT NOT NULL DEFAULT '[]',
        published    INTEGER,
        updated      INTEGER,
        first_seen   INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        PRIMARY KEY (source, id)
    ) WITHOUT ROWID;
    CREATE TABLE sources (
        name          TEXT PRIMARY KEY,
        etag          TEXT,
        last_modified TEXT,
        next_due      INTEGER,
        failures      INTEGER NOT NULL DEFAULT 0,
        last_fetch    INTEGER,
        last_status   TEXT,
        last_error    TEXT
    );",
    // 2: outputs sort by published-else-first-seen, so that time gets its own
    // indexed column; permanent redirects and 410 Gone are remembered.
    "ALTER TABLE items ADD COLUMN sort_time INTEGER NOT NULL DEFAULT 0;
    UPDATE items SET sort_time = coalesce(published, first_seen);
    CREATE INDEX items_by_time ON items (sort_time DESC);
    CREATE INDEX items_by_source_time ON items (source, sort_time DESC);
    ALTER TABLE sources ADD COLUMN moved_to TEXT;
    ALTER TABLE sources ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;",
    // 3: the configured location the fetch state was learnt from, so that
    // editing a source's url or path starts it afresh (a 410 or a redirect
    // learnt for the old address does not stick to the new one).
    "ALTER TABLE sources ADD COLUMN location TEXT;",
    // 4: the files a text source read, so unchanged files are not read again;
    // poll results in the one vocabulary (`not_modified`, not `304`).
    "CREATE TABLE source_files (
        source   TEXT NOT NULL,
        path     TEXT NOT NULL,
        size     INTEGER NOT NULL,
        modified INTEGER NOT NULL,
        PRIMARY KEY (source, path)
    ) WITHOUT ROWID;
    UPDATE sources SET last_status = 'not_modified' WHERE last_status = '304';",
    // 5: the time indexes give items a total order (ties on time broken by
    // first-seen time, then source and id), so a page of many items with one
    // timestamp is read off the index instead of sorting every tied row.
    "DROP INDEX items_by_time;
    DROP INDEX items_by_source_time;
    CREATE INDEX items_by_time ON items (sort_time DESC, first_seen DESC, source, id);
    CREATE INDEX items_by_source_time ON items (source, sort_time DESC, first_seen DESC, id);",
    // 6: the digest of the last body read, so a body resent unchanged by a
    // server without validators is not parsed again.
    "ALTER TABLE sources ADD COLUMN body_hash TEXT;",
    // 7: an item sorts and ages by a date at most an hour past its first
    // sighting (model::DATE_SKEW_SECS, which this number must match), so a
    // date far ahead no longer pins it atop outputs or past `max_age`.
    "UPDATE items SET sort_time = min(sort_time, first_seen + 3600);",
    // 8: an item back under a new id is found by its link among its
    // source's items (rotation.rs); a source's count of such items in the
    // last poll that read entries, for `syndic sources`.
    "CREATE INDEX items_by_link ON items (source, link) WHERE link IS NOT NULL;
    ALTER TABLE sources ADD COLUMN rotated_ids INTEGER NOT NULL DEFAULT 0;",
    // 9: what retention removed, so a source still listing it does not
    // bring it back (tombstones.rs): looked up by id, and by link and title
    // for feeds that rotate their ids; expired by when last listed.
    "CREATE TABLE tombstones (
        source       TEXT NOT NULL,
        id           TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        link         TEXT,
        title        TEXT NOT NULL,
        removed_at   INTEGER NOT NULL,
        last_listed  INTEGER NOT NULL,
        PRIMARY KEY (source, id)
    ) WITHOUT ROWID;
    CREATE INDEX tombstones_by_link ON tombstones (source, link, title) WHERE link IS NOT NULL;
    CREATE INDEX tombstones_by_last_listed ON tombstones (last_listed);",
    // 10: what a source's feed says of itself (title, id, site link), so
    // outputs can tell where each item came from (source_feeds.rs). The
    // validators and body digest are forgotten so that the next poll reads
    // every feed whole once and learns them, instead of waiting for a
    // feed to change.
    "ALTER TABLE sources ADD COLUMN feed_title TEXT;
    ALTER TABLE sources ADD COLUMN feed_id TEXT;
    ALTER TABLE sources ADD COLUMN feed_link TEXT;
    UPDATE sources SET etag = NULL, last_modified = NULL, body_hash = NULL;",
    // 11: the source name an item's public id was derived from, set when
    // its source is renamed (renames.rs) so readers see no new ids; NULL
    // is the item's own source, which every item stored so far published.
    "ALTER TABLE items ADD COLUMN id_source TEXT;",
    // 12: an item's media files (a JSON array of model::Enclosure), its
    // picture and its podcast episode number and explicit mark, so
    // podcasts and video feeds keep what they carry.
    "ALTER TABLE items ADD COLUMN enclosures TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE items ADD COLUMN image TEXT;
    ALTER TABLE items ADD COLUMN episode INTEGER;
    ALTER TABLE items ADD COLUMN explicit INTEGER;",
    // 13: what a feed says of its own schedule (feed_schedule.rs, as JSON),
    // kept because a `304` carries no body to read it from again; and why
    // the next-due time was chosen, for `syndic sources`.
    "ALTER TABLE sources ADD COLUMN feed_schedule TEXT;
    ALTER TABLE sources ADD COLUMN due_reason TEXT;",
    // 14: items become a rowid table with a unique index on (source, id).
    // As a WITHOUT ROWID table its rows lived in the primary key's
    // b-tree, whose cells hold at most about a quarter of a page: every
    // item of a kilobyte or more spilled into an overflow page of its own,
    // mostly empty (5 KB stored per 1.4 KB item). A rowid table keeps a
    // row of up to a page in place; `layout.rs` then moves the file to
    // larger pages, which many such rows fill with little left over. The
    // columns keep their names, order and meaning; rows keep their source
    // order, so one source's items stay on neighbouring pages. Rotated
    // ids are looked up by title instead of link (rotation.rs): both must
    // match, and titles are about half as long as links, which made the
    // link index the largest (150 of 2,190 bytes per item). The index of
    // all items by time is not made again: outputs and `syndic items`
    // read each source off its own time index, and a first poll of 10,000
    // feeds spent a third of its time inserting all over that one.
    "CREATE TABLE items_rowid (
        source       TEXT NOT NULL,
        id           TEXT NOT NULL,
        title        TEXT NOT NULL,
        link         TEXT,
        summary      TEXT,
        content      TEXT,
        authors      TEXT NOT NULL DEFAULT '[]',
        categories   TEXT NOT NULL DEFAULT '[]',
        published    INTEGER,
        updated      INTEGER,
        first_seen   INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        sort_time    INTEGER NOT NULL DEFAULT 0,
        id_source    TEXT,
        enclosures   TEXT NOT NULL DEFAULT '[]',
        image        TEXT,
        episode      INTEGER,
        explicit     INTEGER
    );
    INSERT INTO items_rowid
        SELECT source, id, title, link, summary, content, authors, categories,
               published, updated, first_seen, content_hash, sort_time, id_source,
               enclosures, image, episode, explicit
        FROM items ORDER BY source, id;
    DROP TABLE items;
    ALTER TABLE items_rowid RENAME TO items;
    CREATE UNIQUE INDEX items_by_key ON items (source, id);
    CREATE INDEX items_by_source_time ON items (source, sort_time DESC, first_seen DESC, id);
    CREATE INDEX items_by_title ON items (source, title) WHERE link IS NOT NULL;",
    // 15: notifications (`[[output]] notify`): when each output's target
    // was first seen (items older than that are not sent: adding a target
    // does not replay the output), and each item claimed for a target
    // before it is sent, so it goes at most once, across restarts.
    "CREATE TABLE notification_targets (
        output TEXT NOT NULL,
        target TEXT NOT NULL,
        since INTEGER NOT NULL,
        PRIMARY KEY (output, target)
    ) WITHOUT ROWID;
    CREATE TABLE notification_deliveries (
        output TEXT NOT NULL,
        target TEXT NOT NULL,
        source TEXT NOT NULL,
        item_id TEXT NOT NULL,
        claimed_at INTEGER NOT NULL,
        PRIMARY KEY (output, target, source, item_id)
    ) WITHOUT ROWID;",
    // 16: the article page fetched for each item of a `full_text` source
    // (full_text.rs): the link it was fetched from, so it is fetched again
    // only when the link changes; the sanitized article, applied to the
    // item at every poll since the feed keeps sending its own summary; or
    // why there is none.
    "CREATE TABLE full_text_pages (
        source     TEXT NOT NULL,
        item_id    TEXT NOT NULL,
        link       TEXT NOT NULL,
        content    TEXT,
        reason     TEXT,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (source, item_id),
        CHECK ((content IS NULL) <> (reason IS NULL))
    ) WITHOUT ROWID;",
    // 17: full-text search (search_index.rs). An FTS5 external-content
    // table keyed by the items' own rowid (stable: updates keep it, and
    // VACUUM keeps the rowids of a table with indexes on it), reading its
    // text through a view that turns HTML and JSON lists into words, so
    // the text is not stored twice. Upserts write it themselves
    // (items.rs, search_index.rs): a trigger on insert or update would make
    // each upsert a statement with a savepoint of its own, at which FTS5
    // writes its pending terms to disk, one index segment per item (ingest
    // measured three times slower). Deletes (retention, renames) go
    // through a trigger, once per statement; a rename changes only
    // `source`, which is not indexed. FTS5 writes a segment of its index
    // at each commit and merges segments as they pile up: merging 16 at a
    // time instead of 4, in leaves of 16 KB (the file's page) instead of
    // 4 KB, took ingest from about 4,400 to 5,100 items a second (60,000
    // items, alternating runs). The last step indexes the items stored so
    // far.
    "CREATE VIEW items_search_text (item_rowid, title, summary, content, authors, categories) AS
        SELECT rowid, syndic_search_plain(title), syndic_search_html(summary),
               syndic_search_html(content), syndic_search_list(authors),
               syndic_search_list(categories)
        FROM items;
    CREATE VIRTUAL TABLE items_fts USING fts5(
        title, summary, content, authors, categories,
        content = 'items_search_text', content_rowid = 'item_rowid',
        tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, summary, content, authors, categories)
        VALUES ('delete', old.rowid, syndic_search_plain(old.title),
                syndic_search_html(old.summary), syndic_search_html(old.content),
                syndic_search_list(old.authors), syndic_search_list(old.categories));
    END;
    INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 16);
    INSERT INTO items_fts (items_fts, rank) VALUES ('pgsz', 16000);
    INSERT INTO items_fts (items_fts) VALUES ('rebuild');",
    // 18: WebSub (websub.rs). Each source's subscription: the opaque id
    // of its callback URL, the hub and topic, the secret pushes are signed
    // with, the request awaiting the hub's verification (`pending`, a
    // hub.mode) and since when, failed requests in a row (for backoff),
    // and the lease end of a verified subscription. And for each output,
    // the digest of the items last announced to `[daemon] websub_hub`, so
    // a restart does not announce unchanged outputs again.
    "CREATE TABLE websub_subscriptions (
        source       TEXT PRIMARY KEY,
        callback_id  TEXT NOT NULL UNIQUE,
        hub          TEXT NOT NULL,
        topic        TEXT NOT NULL,
        secret       TEXT NOT NULL,
        pending      TEXT,
        requested_at INTEGER NOT NULL,
        failures     INTEGER NOT NULL DEFAULT 0,
        lease_until  INTEGER
    );
    CREATE TABLE websub_published (
        output TEXT PRIMARY KEY,
        digest TEXT NOT NULL
    ) WITHOUT ROWID;",
];

/// The migration that rebuilt `items` as a rowid table: a database taken
/// past it is moved to the page size of new ones (see `layout.rs`).
const ROWID_ITEMS: u32 = 14;

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Upgrades to `target`; a database newer than this build is refused
/// rather than misread. Each step reads the version again inside its
/// transaction, since another process (a `syndic poll` started beside an
/// `import`) may have taken that step meanwhile.
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let current = version(conn)?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            supported: LATEST,
        });
    }
    for v in current..target.min(LATEST) {
        let applied = write_transaction(conn, |tx| {
            if version(tx)? > v {
                return Ok(false);
            }
            tx.execute_batch(MIGRATIONS[v as usize])?;
            tx.pragma_update(None, "user_version", v + 1)?;
            Ok(true)
        })?;
        if applied {
            tracing::info!(version = v + 1, "database schema migrated");
        }
        if applied && v + 1 == ROWID_ITEMS {
            layout::adopt_page_size(conn);
        }
    }
    Ok(())
}
