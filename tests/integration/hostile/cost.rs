//! Bodies built to cost CPU or memory: each is read with a bound, and
//! the item or the poll says what was cut.

use axum::routing::get;
use axum::Router;
use syndic::config::Config;
use syndic::fetch::FetchSlots;
use syndic::model::SourceName;
use syndic::normalize::html::MAX_NESTING;
use syndic::poll::{PollOutcome, Poller};
use syndic::store::{ItemQuery, StoreHandle};

use crate::support::serve;

/// A poller over one source `name` of `kind` served at `url`, with
/// `daemon` lines added to `[daemon]`.
fn poller(
    dir: &std::path::Path,
    daemon: &str,
    kind: &str,
    url: &str,
) -> (Config, Poller, StoreHandle) {
    let text = format!(
        "[daemon]\ndatabase = \"syndic.db\"\n{daemon}\n\
         [[source]]\nname = \"hostile\"\nkind = \"{kind}\"\nurl = \"{url}\"\n"
    );
    let config = Config::parse(&dir.join("feeds.toml"), &text).expect("config");
    let store = StoreHandle::open(&config.daemon.database).expect("store");
    let poller = Poller::new(&config.daemon, FetchSlots::new(4, 2), store.clone()).expect("poller");
    (config, poller, store)
}

async fn serve_body(body: String) -> String {
    let addr = serve(Router::new().route("/body", get(move || async move { body }))).await;
    format!("http://{addr}/body")
}

async fn items(store: &StoreHandle) -> Vec<syndic::model::Item> {
    let query = ItemQuery {
        sources: Some(vec![SourceName::new("hostile").expect("name")]),
        limit: 100_000,
        ..Default::default()
    };
    store.read(move |s| s.items(&query)).await.expect("items")
}

fn rss(items: &str) -> String {
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>H</title>{items}</channel></rss>")
}

#[tokio::test]
async fn markup_nested_past_the_limit_is_flattened_and_marked() {
    // Quadratic in depth through the HTML parser: 100,000 levels took
    // 89 s of CPU before nesting was bounded.
    let depth = 100_000;
    let content = format!(
        "{}deep story{}",
        "&lt;div&gt;".repeat(depth),
        "&lt;/div&gt;".repeat(depth)
    );
    let body = rss(&format!(
        "<item><title>Deep</title><guid>d</guid><description>{content}</description></item>"
    ));
    let dir = tempfile::tempdir().expect("temp dir");
    let (config, poller, store) = poller(dir.path(), "", "feed", &serve_body(body).await);
    let report = poller.poll(&config.sources[0]).await;
    assert!(
        matches!(report.outcome, PollOutcome::Stored { .. }),
        "{:?}",
        report.outcome
    );
    let stored = items(&store).await;
    let summary = stored[0].summary.as_deref().unwrap_or_default();
    assert!(summary.contains("deep story"), "the text is kept");
    assert!(
        summary.contains(&format!("nested deeper than {MAX_NESTING} levels")),
        "the item says what was done: {}",
        &summary[..summary.len().min(200)]
    );
    assert!(!summary.contains("<div"), "no markup left to nest");
}

#[tokio::test]
async fn a_feed_of_more_items_than_max_items_keeps_the_newest_and_says_so() {
    let entries: String = (0..40)
        .map(|i| {
            format!(
                "<item><title>Story {i}</title><guid>s{i}</guid><pubDate>{}</pubDate></item>",
                // Written oldest last, so document order is not date order.
                (chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(20_000 - i)).to_rfc2822()
            )
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = serve_body(rss(&entries)).await;
    let (config, poller, store) = poller(dir.path(), "max_items = 10", "feed", &url);
    match poller.poll(&config.sources[0]).await.outcome {
        PollOutcome::Stored { summary, warning } => {
            assert_eq!(summary.inserted, 10);
            let warning = warning.expect("the cut is reported");
            assert!(
                warning.contains("holds 40 entries; kept the newest 10"),
                "{warning}"
            );
        }
        other => panic!("{other:?}"),
    }
    let mut titles: Vec<String> = items(&store).await.into_iter().map(|i| i.title).collect();
    titles.sort();
    let mut newest: Vec<String> = (0..10).map(|i| format!("Story {i}")).collect();
    newest.sort();
    assert_eq!(titles, newest);
}

#[tokio::test]
async fn a_dump_of_endless_one_word_lines_gives_at_most_max_items() {
    let lines: String = (0..50_000).map(|i| format!("word{i}\n")).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = serve_body(lines).await;
    let (config, poller, store) = poller(dir.path(), "max_items = 100", "text", &url);
    match poller.poll(&config.sources[0]).await.outcome {
        PollOutcome::Stored { summary, warning } => {
            assert_eq!(summary.inserted, 100);
            assert!(warning
                .expect("cut reported")
                .contains("kept the first 100 items"));
        }
        other => panic!("{other:?}"),
    }
    let stored = items(&store).await;
    assert!(
        stored.iter().any(|i| i.title == "word0"),
        "the top of the page is kept"
    );
    assert!(!stored.iter().any(|i| i.title == "word100"));
}

#[tokio::test]
async fn the_same_body_again_without_validators_is_not_parsed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = serve_body(rss("<item><title>Once</title><guid>o</guid></item>")).await;
    let (config, poller, _store) = poller(dir.path(), "", "feed", &url);
    let first = poller.poll(&config.sources[0]).await.outcome;
    assert!(matches!(first, PollOutcome::Stored { .. }), "{first:?}");
    let again = poller.poll(&config.sources[0]).await.outcome;
    assert!(matches!(again, PollOutcome::NotModified), "{again:?}");
}
