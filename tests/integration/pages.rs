//! Pages that are not feeds, end to end through the binary: full-text
//! articles, listing pages scraped into items, feed autodiscovery, and
//! saved pages in a text source. A loopback server serves pages written
//! for these tests and counts the requests for each.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use crate::support::{serve, syndic};

const ARTICLE: &str = include_str!("../fixtures/pages/article.html");
const HOSTILE: &str = include_str!("../fixtures/pages/hostile.html");
const LISTING: &str = include_str!("../fixtures/pages/listing.html");
const DISCOVER: &str = include_str!("../fixtures/pages/discover.html");
const SAVED_ARTICLE: &str = include_str!("../fixtures/pages/saved_article.html");
const SAVED_INDEX: &str = include_str!("../fixtures/pages/saved_index.html");

/// The pages served, by path, and how often each was asked for.
#[derive(Clone, Default)]
struct Site {
    pages: Arc<Mutex<HashMap<String, String>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Site {
    fn with(pages: &[(&str, String)]) -> Site {
        let site = Site::default();
        for (path, body) in pages {
            site.set(path, body.clone());
        }
        site
    }

    fn set(&self, path: &str, body: String) {
        self.pages.lock().unwrap().insert(path.to_string(), body);
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    async fn start(self) -> SocketAddr {
        let app = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    ARTICLE
                }),
            )
            .route("/{*path}", get(respond))
            .with_state(self);
        serve(app).await
    }
}

async fn respond(
    State(site): State<Site>,
    UrlPath(path): UrlPath<String>,
) -> axum::response::Response {
    let path = format!("/{path}");
    *site.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let Some(body) = site.pages.lock().unwrap().get(&path).cloned() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let kind = if path.ends_with(".xml") {
        "application/rss+xml"
    } else {
        "text/html; charset=utf-8"
    };
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// An RSS feed of `(title, link path)` entries with one-line summaries.
fn rss(addr: SocketAddr, entries: &[(&str, &str)]) -> String {
    let items: String = entries
        .iter()
        .map(|(title, path)| {
            format!(
                "<item><title>{title}</title><link>http://{addr}{path}</link>\
                 <guid>{title}</guid><description>Summary of {title}.</description></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Courier</title>{items}</channel></rss>")
}

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("feeds.toml");
    std::fs::write(&path, format!("[daemon]\ndatabase = \"syndic.db\"\n{text}")).unwrap();
    path
}

async fn run(config: &Path, args: &[&str]) -> std::process::Output {
    let config = config.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        syndic(&config, &args)
    })
    .await
    .unwrap()
}

async fn poll_ok(config: &Path) {
    let out = run(config, &["poll", "--all"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `syndic items --json`, by title.
async fn items(config: &Path) -> HashMap<String, Value> {
    let out = run(config, &["items", "--json", "--limit", "100"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    all.into_iter()
        .map(|i| (i["title"].as_str().unwrap().to_string(), i))
        .collect()
}

fn field<'a>(item: &'a Value, key: &str) -> &'a str {
    item[key].as_str().unwrap_or("")
}

/// (link, content, reason) recorded for each item's page.
fn pages_recorded(dir: &Path) -> HashMap<String, (String, Option<String>, Option<String>)> {
    let db = rusqlite::Connection::open(dir.join("syndic.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT item_id, link, content, reason FROM full_text_pages")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn huge_page() -> String {
    let mut page = String::from("<html><body><article>");
    while page.len() < 5 * 1024 * 1024 {
        page.push_str(
            "<p>The council met again about the harbour wall, and again nothing was decided.</p>\n",
        );
    }
    page + "</article></body></html>"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_replaces_summaries_with_sanitized_articles_once_per_link() {
    let site = Site::with(&[
        ("/a/ferry", ARTICLE.to_string()),
        ("/a/library", HOSTILE.to_string()),
        ("/a/huge", huge_page()),
    ]);
    let addr = site.clone().start().await;
    let entries = [
        ("Ferry", "/a/ferry"),
        ("Library", "/a/library"),
        ("Slow", "/slow"),
        ("Huge", "/a/huge"),
    ];
    site.set("/feed.xml", rss(addr, &entries));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "timeout = \"1s\"\nmax_body_kb = 1024\n\
             [[source]]\nname = \"courier\"\nurl = \"http://{addr}/feed.xml\"\nfull_text = true\n"
        ),
    );
    poll_ok(&config).await;
    let got = items(&config).await;

    let ferry = &got["Ferry"];
    assert!(
        field(ferry, "content").contains("buy a second vessel"),
        "{ferry}"
    );
    for furniture in ["ADVERTISEMENT", "First!", "Copyright", "Subscribe"] {
        assert!(
            !field(ferry, "content").contains(furniture),
            "{furniture}: {ferry}"
        );
    }
    assert_eq!(field(ferry, "summary"), "Summary of Ferry.");

    let library = field(&got["Library"], "content").to_ascii_lowercase();
    assert!(library.contains("reading garden"), "{library}");
    for bad in [
        "<script",
        "onclick",
        "onerror",
        "onmouseover",
        "javascript:",
        "<iframe",
        "alert(",
    ] {
        assert!(!library.contains(bad), "{bad} survived: {library}");
    }
    assert!(
        library.contains(&format!("href=\"http://{addr}/plans.pdf\"")),
        "{library}"
    );

    // The slow and the huge page kept the feed's summary, with a reason.
    assert_eq!(got["Slow"]["content"], Value::Null);
    assert_eq!(field(&got["Slow"], "summary"), "Summary of Slow.");
    assert_eq!(got["Huge"]["content"], Value::Null);
    let recorded = pages_recorded(dir.path());
    let reason = |id: &str| recorded[id].2.clone().unwrap_or_default();
    assert!(reason("Slow").contains("timed out"), "{recorded:?}");
    assert!(
        reason("Huge").contains("larger than the limit"),
        "{recorded:?}"
    );
    assert!(recorded["Ferry"].1.is_some() && recorded["Ferry"].2.is_none());
    let out = run(&config, &["sources", "--json"]).await;
    let sources: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sources[0]["full_text"]["articles"], 2);
    assert_eq!(sources[0]["full_text"]["failed"], 2);

    // Polled again: no page is fetched again, and the articles stay.
    site.set(
        "/feed.xml",
        rss(addr, &entries).replace("<title>Courier", "<title>Courier again"),
    );
    poll_ok(&config).await;
    assert_eq!(site.hits("/a/ferry"), 1);
    assert_eq!(site.hits("/a/library"), 1);
    assert!(field(&items(&config).await["Ferry"], "content").contains("buy a second vessel"));

    // A link that changes is fetched anew.
    let moved = [("Ferry", "/a/ferry2"), ("Library", "/a/library")];
    site.set(
        "/a/ferry2",
        ARTICLE.replace("second vessel", "third vessel"),
    );
    site.set("/feed.xml", rss(addr, &moved));
    poll_ok(&config).await;
    assert_eq!(site.hits("/a/ferry2"), 1);
    assert_eq!(site.hits("/a/library"), 1);
    assert!(field(&items(&config).await["Ferry"], "content").contains("buy a third vessel"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_fetches_at_most_the_configured_pages_per_poll() {
    let site = Site::with(&[
        ("/a/ferry", ARTICLE.to_string()),
        ("/a/library", HOSTILE.to_string()),
    ]);
    let addr = site.clone().start().await;
    site.set(
        "/feed.xml",
        rss(addr, &[("Ferry", "/a/ferry"), ("Library", "/a/library")]),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[[source]]\nname = \"courier\"\nurl = \"http://{addr}/feed.xml\"\n\
             full_text = true\nfull_text_per_poll = 1\nfull_text_selector = \".story-body\"\n"
        ),
    );
    poll_ok(&config).await;
    assert_eq!(site.hits("/a/ferry") + site.hits("/a/library"), 1);
    poll_ok(&config).await;
    assert_eq!((site.hits("/a/ferry"), site.hits("/a/library")), (1, 1));
    let recorded = pages_recorded(dir.path());
    // The selector matched the story on one page and nothing on the other.
    assert!(recorded["Ferry"]
        .1
        .as_deref()
        .unwrap()
        .contains("Tom Reyes"));
    assert!(
        recorded["Library"]
            .2
            .as_deref()
            .unwrap()
            .contains(".story-body"),
        "{recorded:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_sources_are_scraped_by_selectors_or_by_the_heuristic() {
    let site = Site::with(&[
        ("/news/", LISTING.to_string()),
        ("/news/2026/harbour-ferry-returns", ARTICLE.to_string()),
    ]);
    let addr = site.clone().start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[[source]]\nname = \"picked\"\nkind = \"html\"\nurl = \"http://{addr}/news/\"\n\
             full_text = true\nfull_text_per_poll = 1\n\
             selectors = {{ item = \"li.story\", title = \"h2\", link = \"h2 a\", summary = \".standfirst\", \
             date = \"time\", image = \"img\", author = \".author\" }}\n\
             [[source]]\nname = \"guessed\"\nkind = \"html\"\nurl = \"http://{addr}/news/\"\n"
        ),
    );
    poll_ok(&config).await;
    let out = run(&config, &["items", "--json", "--source", "picked"]).await;
    let picked: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(picked.len(), 3);
    let ferry = picked
        .iter()
        .find(|i| i["title"] == "Harbour ferry returns after storm repairs")
        .unwrap();
    assert_eq!(
        field(ferry, "link"),
        format!("http://{addr}/news/2026/harbour-ferry-returns")
    );
    assert_eq!(field(ferry, "published"), "2026-11-24T07:42:00Z");
    assert_eq!(ferry["authors"], serde_json::json!(["Jane Doe"]));
    assert!(
        field(ferry, "content").contains("buy a second vessel"),
        "full text: {ferry}"
    );
    let library = picked
        .iter()
        .find(|i| i["title"] == "Council votes on the new library")
        .unwrap();
    assert_eq!(field(library, "published"), "2026-11-23T21:10:00Z");
    assert!(field(library, "summary").contains("ten years of debate"));

    let out = run(&config, &["items", "--json", "--source", "guessed"]).await;
    let guessed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let links: Vec<&str> = guessed.iter().map(|i| field(i, "link")).collect();
    assert_eq!(links.len(), 3, "{guessed:?}");
    assert!(links.contains(&"https://other.example/wire/lighthouse"));
    assert!(links.contains(&format!("http://{addr}/news/2026/library-vote").as_str()));

    let out = run(&config, &["sources"]).await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("items found by: selectors"), "{table}");
    assert!(table.contains("items found by: heuristic"), "{table}");
    assert!(
        table.contains("full text: pages with an article 1, without 0\n"),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_naming_its_feed_leads_to_it_and_discover_lists_its_feeds() {
    let site = Site::with(&[("/home", DISCOVER.to_string())]);
    let addr = site.clone().start().await;
    site.set("/feed.xml", rss(addr, &[("Ferry", "/a/ferry")]));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!("[[source]]\nname = \"courier\"\nurl = \"http://{addr}/home\"\n"),
    );
    poll_ok(&config).await;
    assert!(items(&config).await.contains_key("Ferry"));
    poll_ok(&config).await;
    // The second poll went to the feed itself, remembered like a 301.
    assert_eq!((site.hits("/home"), site.hits("/feed.xml")), (1, 2));
    let db = rusqlite::Connection::open(dir.path().join("syndic.db")).unwrap();
    let moved: String = db
        .query_row(
            "SELECT moved_to FROM sources WHERE name = 'courier'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(moved, format!("http://{addr}/feed.xml"));

    let out = run(&config, &["discover", &format!("http://{addr}/home")]).await;
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines,
        [
            format!("rss\thttp://{addr}/feed.xml\tCoast Courier: all news"),
            "atom\thttps://sport.example/atom\tCoast Courier: sport".to_string(),
            format!("json\thttp://{addr}/feed.json\tCoast Courier (JSON)"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_pages_in_a_text_source_become_an_article_or_headlines() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    std::fs::write(saved.join("lighthouse.html"), SAVED_ARTICLE).unwrap();
    std::fs::write(saved.join("front.htm"), SAVED_INDEX).unwrap();
    let config = write_config(
        dir.path(),
        "[[source]]\nname = \"clippings\"\nkind = \"text\"\npath = \"saved/*.htm*\"\n",
    );
    poll_ok(&config).await;
    let got = items(&config).await;
    assert_eq!(got.len(), 1 + 6, "{:?}", got.keys());
    let article = &got["Lighthouse keeper retires after forty years"];
    assert_eq!(
        field(article, "link"),
        "https://courier.example/news/2026/lighthouse-keeper-retires"
    );
    assert_eq!(field(article, "published"), "2026-11-22T15:05:00Z");
    assert_eq!(article["authors"], serde_json::json!(["Ana Ruiz"]));
    assert!(field(article, "content").contains("212 steps"));
    for furniture in ["cookies", "Related", "Copyright"] {
        assert!(
            !field(article, "content").contains(furniture),
            "{furniture}: {article}"
        );
    }
    let headline = &got["School choir wins national title in Cardiff"];
    assert_eq!(
        field(headline, "link"),
        "https://courier.example/news/2026/choir"
    );
    // Read again, the same pages add nothing.
    let out = run(&config, &["poll", "--all"]).await;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(items(&config).await.len(), 7);

    // `syndic import` reads a saved page the same way.
    let elsewhere = dir.path().join("keeper.HTM");
    let retold = SAVED_ARTICLE
        .replace("lighthouse-keeper-retires", "keeper-interview")
        .replace(
            "Lighthouse keeper retires after forty years",
            "The keeper looks back",
        );
    std::fs::write(&elsewhere, retold).unwrap();
    let out = run(
        &config,
        &[
            "import",
            "--source",
            "clippings",
            elsewhere.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = items(&config).await;
    assert_eq!(
        field(&got["The keeper looks back"], "link"),
        "https://courier.example/news/2026/keeper-interview"
    );
}

#[test]
fn a_five_megabyte_page_is_extracted_and_cut_not_refused() {
    let page = huge_page();
    let article = syndic::extract::article(&page, None, None).expect("an article");
    assert!(
        article.content.len() < 600 * 1024,
        "{}",
        article.content.len()
    );
    assert!(article.content.contains("content cut at"));
}

#[test]
fn a_bad_selector_is_reported_with_its_line() {
    let text = "[[source]]\nname = \"a\"\nkind = \"html\"\nurl = \"https://example.org/\"\n\
                selectors = { item = \"li[\" }\n";
    let err = syndic::config::Config::parse(Path::new("feeds.toml"), text).unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("feeds.toml:5:"), "{shown}");
    assert!(shown.contains("`li[` is not a CSS selector"), "{shown}");
    let text = "[[source]]\nname = \"a\"\nkind = \"text\"\npath = \"d/*.txt\"\nfull_text = true\n";
    let shown = syndic::config::Config::parse(Path::new("feeds.toml"), text)
        .unwrap_err()
        .to_string();
    assert!(
        shown.starts_with("feeds.toml:5:") && shown.contains("full_text"),
        "{shown}"
    );
}
