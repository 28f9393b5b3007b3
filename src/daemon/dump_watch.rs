//! Dump folders watched: a file written into a text source's folder wakes
//! that source's poll once the write has settled, instead of waiting for
//! its interval. The interval's scan stays, for filesystems that send no
//! notifications (network mounts) and for events lost in an overflow.
//!
//! A write has settled when the file is closed after writing (or moved
//! into place) and a short quiet spell follows; a file still being written
//! without being closed waits for a longer quiet spell, so a half-written
//! dump is not read, then read again whole.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use glob::{MatchOptions, Pattern};
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::config::{Config, Location};
use crate::model::{SourceKind, SourceName};
use crate::shutdown::Shutdown;

/// After a file is closed or moved into place: long enough for the
/// events of one save to arrive together.
const CLOSED_QUIET: Duration = Duration::from_millis(150);
/// After other changes (data written, file still open): a writer that
/// pauses this long mid-file is slower than any save we expect.
const OPEN_QUIET: Duration = Duration::from_millis(1000);

/// The same rules as the scan's glob: `*` stays within a folder, hidden
/// files are not dumps.
const MATCHING: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: true,
};

/// A text source's pattern and where to watch for it.
struct Watched {
    source: SourceName,
    pattern: Pattern,
    root: PathBuf,
    mode: RecursiveMode,
}

/// Sends the name of each text source whose folder changed to `wake`,
/// following config reloads, until `stop` fires.
pub async fn run(
    mut config: watch::Receiver<Arc<Config>>,
    wake: mpsc::UnboundedSender<SourceName>,
    mut stop: Shutdown,
) {
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let mut watcher = match notify::recommended_watcher(move |event| {
        // The receiver is gone only when the daemon stops.
        let _ = events_tx.send(event);
    }) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch dump folders; they are scanned at their interval");
            return;
        }
    };
    let mut watched = watch_all(&mut watcher, &config.borrow_and_update(), &[]);
    let mut settling: HashMap<SourceName, Instant> = HashMap::new();
    loop {
        let next = settling.values().min().copied();
        tokio::select! {
            Some(event) = events.recv() => note(&watched, event, &mut settling),
            _ = sleep_until(next) => wake_settled(&mut settling, &wake),
            changed = config.changed() => {
                if changed.is_err() { return }
                watched = watch_all(&mut watcher, &config.borrow_and_update(), &watched);
            }
            _ = stop.wait() => return,
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Records an event against every source whose pattern a path of it
/// matches, pushing back its wake-up to the quiet spell the event asks.
fn note(
    watched: &[Watched],
    event: notify::Result<Event>,
    settling: &mut HashMap<SourceName, Instant>,
) {
    let event = match event {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "dump folder watch error; the interval's scan still runs");
            return;
        }
    };
    let Some(quiet) = quiet_after(&event.kind) else {
        return;
    };
    for w in watched {
        if event
            .paths
            .iter()
            .any(|p| w.pattern.matches_path_with(p, MATCHING))
        {
            settling.insert(w.source.clone(), Instant::now() + quiet);
        }
    }
}

/// How long to wait for quiet after an event; `None` for events that
/// change no dump (reads, deletions: deleting a dump removes nothing
/// stored, so there is nothing to poll for).
fn quiet_after(kind: &EventKind) -> Option<Duration> {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => {
            Some(CLOSED_QUIET)
        }
        EventKind::Create(CreateKind::Folder) => None,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any | EventKind::Other => {
            Some(OPEN_QUIET)
        }
        EventKind::Access(_) | EventKind::Remove(_) => None,
    }
}

fn wake_settled(
    settling: &mut HashMap<SourceName, Instant>,
    wake: &mpsc::UnboundedSender<SourceName>,
) {
    let now = Instant::now();
    settling.retain(|source, at| {
        if *at > now {
            return true;
        }
        tracing::debug!(%source, "dump folder changed: polling it now");
        // The scheduler is gone only when the daemon stops.
        let _ = wake.send(source.clone());
        false
    });
}

/// Watches the folders of the text sources in `config`, dropping the
/// watches of `before` that are no longer needed.
fn watch_all(
    watcher: &mut RecommendedWatcher,
    config: &Config,
    before: &[Watched],
) -> Vec<Watched> {
    let now: Vec<Watched> = config
        .sources
        .iter()
        .filter_map(|s| match (&s.kind, &s.location) {
            (SourceKind::Text, Location::Path(pattern)) => watched(&s.name, pattern),
            _ => None,
        })
        .collect();
    for old in before {
        if !now.iter().any(|w| w.root == old.root) {
            // Already gone with its folder, at worst.
            let _ = watcher.unwatch(&old.root);
        }
    }
    for w in &now {
        if before
            .iter()
            .any(|old| old.root == w.root && old.mode == w.mode)
        {
            continue;
        }
        if let Err(e) = watcher.watch(&w.root, w.mode) {
            tracing::warn!(
                source = %w.source,
                folder = %w.root.display(),
                error = %e,
                "cannot watch the dump folder; it is scanned at its interval"
            );
        }
    }
    now
}

fn watched(source: &SourceName, pattern: &Path) -> Option<Watched> {
    let (root, mode) = watch_root(pattern);
    let pattern = Pattern::new(pattern.to_str()?).ok()?;
    Some(Watched {
        source: source.clone(),
        pattern,
        root,
        mode,
    })
}

/// The folder to watch for a glob: its leading components without
/// wildcards; recursive when wildcards span folders below it. A plain
/// file path watches the file's folder (editors replace files, and a
/// watch on the file itself would end with the old one).
fn watch_root(pattern: &Path) -> (PathBuf, RecursiveMode) {
    let is_wild = |c: &Component| {
        c.as_os_str()
            .to_str()
            .is_some_and(|s| s.contains(['*', '?', '[']))
    };
    let components: Vec<Component> = pattern.components().collect();
    let fixed = components.iter().take_while(|c| !is_wild(c)).count();
    let below = components.len() - fixed;
    let root: PathBuf = if below == 0 {
        pattern
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf)
    } else {
        components[..fixed].iter().collect()
    };
    let mode = if below > 1 {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    (root, mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_above_the_wildcards_is_watched() {
        assert_eq!(
            watch_root(Path::new("/srv/dumps/*.txt")),
            (PathBuf::from("/srv/dumps"), RecursiveMode::NonRecursive)
        );
        assert_eq!(
            watch_root(Path::new("/srv/dumps/**/*.txt")),
            (PathBuf::from("/srv/dumps"), RecursiveMode::Recursive)
        );
        assert_eq!(
            watch_root(Path::new("/srv/dumps/today.txt")),
            (PathBuf::from("/srv/dumps"), RecursiveMode::NonRecursive)
        );
    }

    #[test]
    fn closing_a_written_file_settles_sooner_than_writing_it() {
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let written = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Content));
        assert_eq!(quiet_after(&closed), Some(CLOSED_QUIET));
        assert_eq!(quiet_after(&written), Some(OPEN_QUIET));
        assert_eq!(
            quiet_after(&EventKind::Remove(notify::event::RemoveKind::File)),
            None
        );
    }

    #[test]
    fn events_wake_only_the_sources_whose_pattern_matches() {
        let dumps = watched(
            &SourceName::new("dumps").unwrap(),
            Path::new("/srv/dumps/*.txt"),
        )
        .unwrap();
        let mut settling = HashMap::new();
        let event = |path: &str| {
            Ok(
                Event::new(EventKind::Access(AccessKind::Close(AccessMode::Write)))
                    .add_path(path.into()),
            )
        };
        let all = [dumps];
        note(&all, event("/srv/dumps/.today.txt.swp"), &mut settling);
        note(&all, event("/srv/dumps/sub/today.txt"), &mut settling);
        note(&all, event("/srv/dumps/today.md"), &mut settling);
        assert!(settling.is_empty());
        note(&all, event("/srv/dumps/today.txt"), &mut settling);
        assert_eq!(settling.len(), 1);
    }
}
