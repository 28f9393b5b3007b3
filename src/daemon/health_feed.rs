//! Feeds the built-in `_health` output (`[daemon] health_output = true`):
//! every few seconds the sources' fetch state is compared with what the
//! feed last said of each, and a change becomes an item of the `_health`
//! source: failing (after `health_after` failed polls in a row), gone
//! (`410`), moved (a permanent redirect), recovered. What the feed said is
//! read back from its items at start, so a restart repeats nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::config::{Config, HEALTH_NAME};
use crate::model::{Item, ItemId, SourceName};
use crate::shutdown::Shutdown;
use crate::store::{FetchState, ItemQuery, StoreHandle};

/// How often the fetch states are looked at: a problem shows within this.
const CHECK_EVERY: Duration = Duration::from_secs(5);
/// The items read back at start to learn what the feed said last.
const READ_BACK: usize = 1_000;

/// Whether a source is fetched well, as the feed reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Status {
    #[default]
    Ok,
    Failing,
    Gone,
}

/// What the feed last said of one source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Said {
    status: Status,
    moved_to: Option<String>,
}

/// One change to report.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Event {
    source: String,
    kind: EventKind,
    /// The new address, for a move.
    moved_to: Option<String>,
    failures: u32,
    error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    Failing,
    Gone,
    Moved,
    Recovered,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::Failing => "failing",
            EventKind::Gone => "gone",
            EventKind::Moved => "moved",
            EventKind::Recovered => "recovered",
        }
    }

    fn parse(s: &str) -> Option<EventKind> {
        [
            EventKind::Failing,
            EventKind::Gone,
            EventKind::Moved,
            EventKind::Recovered,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

pub async fn run(store: StoreHandle, config: watch::Receiver<Arc<Config>>, mut stop: Shutdown) {
    let mut said: Option<HashMap<String, Said>> = None;
    let mut tick = tokio::time::interval(CHECK_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait() => return,
        }
        let config = config.borrow().clone();
        let Some(after) = config.daemon.health_after else {
            continue;
        };
        let known = match said.take() {
            Some(known) => known,
            None => match store.items(read_back()).await {
                Ok(items) => said_by(&items),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the health feed back");
                    continue;
                }
            },
        };
        said = Some(check(&store, &config, after, known).await);
    }
}

fn read_back() -> ItemQuery {
    ItemQuery {
        sources: Some(vec![health_source()]),
        since: None,
        limit: READ_BACK,
        offset: 0,
    }
}

fn health_source() -> SourceName {
    SourceName::new(HEALTH_NAME).expect("the built-in name is valid")
}

/// One look at the fetch states; the events found are stored, and what
/// the feed now says is returned (unchanged when storing failed, so the
/// next look tries again).
async fn check(
    store: &StoreHandle,
    config: &Config,
    after: u32,
    said: HashMap<String, Said>,
) -> HashMap<String, Said> {
    let states = match store.fetch_states().await {
        Ok(states) => states,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the fetch states for the health feed");
            return said;
        }
    };
    let configured = config
        .sources
        .iter()
        .filter(|s| s.name.as_str() != HEALTH_NAME)
        .filter_map(|s| Some((s.name.as_str(), states.get(s.name.as_str())?)));
    let (events, now_said) = changes(&said, configured, after);
    if events.is_empty() {
        return said;
    }
    let now = Utc::now();
    let items: Vec<Item> = events.iter().map(|e| item(e, now)).collect();
    match store.upsert_items(items).await {
        Ok(_) => {
            store.mark_changed();
            for e in &events {
                tracing::info!(source = %e.source, event = e.kind.as_str(), "source health changed");
            }
            now_said
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot store the health feed's items");
            said
        }
    }
}

/// What the stored items (newest first) said last of each source.
fn said_by(items: &[Item]) -> HashMap<String, Said> {
    let mut said: HashMap<String, Said> = HashMap::new();
    for item in items.iter().rev() {
        let [source, kind, ..] = item.categories.as_slice() else {
            continue;
        };
        let Some(kind) = EventKind::parse(kind) else {
            continue;
        };
        let entry = said.entry(source.clone()).or_default();
        match kind {
            EventKind::Failing => entry.status = Status::Failing,
            EventKind::Gone => entry.status = Status::Gone,
            EventKind::Recovered => entry.status = Status::Ok,
            EventKind::Moved => entry.moved_to = item.link.clone(),
        }
    }
    said
}

/// The events between what was said and the states now, and what is
/// said once they are reported.
fn changes<'a>(
    said: &HashMap<String, Said>,
    states: impl Iterator<Item = (&'a str, &'a FetchState)>,
    after: u32,
) -> (Vec<Event>, HashMap<String, Said>) {
    let mut now_said = said.clone();
    let mut events = Vec::new();
    for (source, state) in states {
        let before = said.get(source).cloned().unwrap_or_default();
        let status = if state.disabled {
            Status::Gone
        } else if state.failures >= after {
            Status::Failing
        } else {
            Status::Ok
        };
        let event = |kind, moved_to| Event {
            source: source.to_string(),
            kind,
            moved_to,
            failures: state.failures,
            error: state.last_error.clone(),
        };
        if status != before.status {
            events.push(event(
                match status {
                    Status::Ok => EventKind::Recovered,
                    Status::Failing => EventKind::Failing,
                    Status::Gone => EventKind::Gone,
                },
                None,
            ));
        }
        if state.moved_to.is_some() && state.moved_to != before.moved_to {
            events.push(event(EventKind::Moved, state.moved_to.clone()));
        }
        now_said.insert(
            source.to_string(),
            Said {
                status,
                moved_to: state.moved_to.clone().or(before.moved_to),
            },
        );
    }
    (events, now_said)
}

fn item(event: &Event, now: DateTime<Utc>) -> Item {
    let source = &event.source;
    let kind = event.kind.as_str();
    let title = match event.kind {
        EventKind::Failing => {
            let n = event.failures;
            let polls = if n == 1 { "poll" } else { "polls" };
            format!("{source} is failing: {n} failed {polls} in a row")
        }
        EventKind::Gone => format!("{source} is gone (410): no longer polled"),
        EventKind::Moved => format!(
            "{source} moved to {}",
            event.moved_to.as_deref().unwrap_or("a new address")
        ),
        EventKind::Recovered => format!("{source} recovered"),
    };
    let summary = event
        .error
        .as_deref()
        .filter(|_| matches!(event.kind, EventKind::Failing | EventKind::Gone))
        .map(|e| format!("<p>{}</p>", html_escape::encode_text(e)));
    Item {
        link: event.moved_to.clone(),
        summary,
        categories: vec![source.clone(), kind.to_string()],
        published: Some(now),
        ..Item::new(
            health_source(),
            ItemId::new(format!("health:{source}:{kind}:{}", now.timestamp())),
            title,
            now,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(failures: u32, disabled: bool, moved_to: Option<&str>) -> FetchState {
        FetchState {
            failures,
            disabled,
            moved_to: moved_to.map(str::to_string),
            last_error: Some("HTTP 500".into()),
            ..FetchState::default()
        }
    }

    fn kinds(
        said: &HashMap<String, Said>,
        s: &FetchState,
    ) -> (Vec<&'static str>, HashMap<String, Said>) {
        let (events, now) = changes(said, [("wire", s)].into_iter(), 3);
        (events.iter().map(|e| e.kind.as_str()).collect(), now)
    }

    #[test]
    fn failing_after_n_polls_then_recovered_each_said_once() {
        let (k, said) = kinds(&HashMap::new(), &state(2, false, None));
        assert!(k.is_empty());
        let (k, said) = kinds(&said, &state(3, false, None));
        assert_eq!(k, ["failing"]);
        let (k, said) = kinds(&said, &state(4, false, None));
        assert!(k.is_empty(), "said once");
        let (k, said) = kinds(&said, &state(4, true, None));
        assert_eq!(k, ["gone"]);
        let (k, _) = kinds(&said, &state(0, false, None));
        assert_eq!(k, ["recovered"]);
    }

    #[test]
    fn a_move_is_said_once_and_what_was_said_reads_back() {
        let moved = state(0, false, Some("https://new.example/feed"));
        let (k, said) = kinds(&HashMap::new(), &moved);
        assert_eq!(k, ["moved"]);
        assert!(kinds(&said, &moved).0.is_empty());

        let (events, _) = changes(&HashMap::new(), [("wire", &moved)].into_iter(), 3);
        let now = Utc::now();
        let mut items: Vec<Item> = events.iter().map(|e| item(e, now)).collect();
        let (failing, _) = changes(
            &HashMap::new(),
            [("wire", &state(5, false, None))].into_iter(),
            3,
        );
        items.insert(0, item(&failing[0], now));
        let read = said_by(&items);
        assert_eq!(
            read["wire"],
            Said {
                status: Status::Failing,
                moved_to: Some("https://new.example/feed".into())
            }
        );
    }
}
