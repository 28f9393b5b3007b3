//! Titles that cannot run. Hostile titles reach syndic every way a source
//! can deliver one (JSON Feed, text dumps, RSS escaped once or twice or in
//! CDATA, Atom text and HTML titles); every output's titles are then shown
//! the way naive readers show them, as HTML, in headless Chromium. A
//! payload that runs asks the loopback server for `/pwned/N`.
//!
//! The same payloads inserted as they were written must run (each at
//! least once), or the browser run would prove nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::support;

/// How a hostile title reaches syndic.
#[derive(Clone, Copy, Debug)]
enum Via {
    JsonTitle,
    /// A dump file holding only the line.
    DumpLine,
    /// A dump's `Title:` header.
    DumpHeader,
    /// RSS `<title>` escaped once: `&lt;script&gt;`.
    RssEscaped,
    /// RSS `<title>` escaped twice: `&amp;lt;script&amp;gt;`.
    RssDoubleEscaped,
    /// RSS `<title><![CDATA[<script>…]]>`.
    RssCdata,
    /// RSS `<title><![CDATA[&lt;script&gt;…]]>`.
    RssCdataEscaped,
    /// RSS `<title>&#x3C;script&#x3E;`.
    RssHexRefs,
    /// Atom `<title type="text">`, escaped once.
    AtomText,
    /// Atom `<title type="html">` holding the markup.
    AtomHtml,
    /// Atom `<title type="html">` holding the markup escaped as text.
    AtomHtmlEscaped,
}

/// Each payload, `{n}` standing for its number, with the way it comes in.
/// Every one makes a request to `/pwned/{n}` when a browser reads it as
/// HTML, in a page's source or through `innerHTML`.
const VECTORS: &[(Via, &str)] = &[
    (Via::JsonTitle, "<script>fetch('/pwned/{n}')</script>"),
    (Via::JsonTitle, "<img src=x onerror=fetch('/pwned/{n}')>"),
    (Via::JsonTitle, "<svg/onload=fetch('/pwned/{n}')>"),
    (Via::JsonTitle, "<img src=x onerror=fetch('/pwned/{n}') "),
    (Via::DumpLine, "<img src=/pwned/{n}>"),
    (Via::DumpLine, "<iframe src=/pwned/{n}></iframe>"),
    (Via::DumpLine, "<ScRiPt>fetch('/pwned/{n}')</sCrIpT>"),
    (
        Via::DumpHeader,
        "<details open ontoggle=fetch('/pwned/{n}')>",
    ),
    (Via::DumpHeader, "<body onload=fetch('/pwned/{n}')>"),
    (Via::RssEscaped, "<object data=/pwned/{n}></object>"),
    (
        Via::RssEscaped,
        "<video><source onerror=fetch('/pwned/{n}')></video>",
    ),
    (
        Via::RssDoubleEscaped,
        "<script>fetch('/pwned/{n}')</script>",
    ),
    (
        Via::RssDoubleEscaped,
        "<img src=x onerror=fetch('/pwned/{n}')>",
    ),
    (Via::RssCdata, "<audio src=x onerror=fetch('/pwned/{n}')>"),
    (Via::RssCdata, "<input type=image src=/pwned/{n}>"),
    (Via::RssCdataEscaped, "<svg/onload=fetch('/pwned/{n}')>"),
    (Via::RssHexRefs, "<img srcset=/pwned/{n}>"),
    (Via::RssHexRefs, "<embed src=/pwned/{n}>"),
    (Via::AtomText, "<script src=/pwned/{n}></script>"),
    (Via::AtomText, "<link rel=stylesheet href=/pwned/{n}>"),
    (
        Via::AtomHtml,
        "<iframe srcdoc=\"<img src=/pwned/{n}>\"></iframe>",
    ),
    (Via::AtomHtml, "<style>@import '/pwned/{n}';</style>"),
    (
        Via::AtomHtmlEscaped,
        "<table background=/pwned/{n}><tr><td>x</td></tr></table>",
    ),
    (
        Via::AtomHtmlEscaped,
        "<img src=x onerror=fetch('/pwned/{n}')>",
    ),
];

/// The title vector `n` carries, markup as written.
fn title(n: usize) -> String {
    let markup = VECTORS[n].1.replace("{n}", &n.to_string());
    format!("Vector {n} says {markup} end")
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn rss_title(via: Via, title: &str) -> Option<String> {
    Some(match via {
        Via::RssEscaped => xml_escape(title),
        Via::RssDoubleEscaped => xml_escape(&xml_escape(title)),
        Via::RssCdata => format!("<![CDATA[{title}]]>"),
        Via::RssCdataEscaped => format!("<![CDATA[{}]]>", xml_escape(title)),
        Via::RssHexRefs => title
            .replace('&', "&#x26;")
            .replace('<', "&#x3C;")
            .replace('>', "&#x3E;"),
        _ => return None,
    })
}

fn atom_title(via: Via, title: &str) -> Option<String> {
    Some(match via {
        Via::AtomText => format!("<title type=\"text\">{}</title>", xml_escape(title)),
        Via::AtomHtml => format!("<title type=\"html\">{}</title>", xml_escape(title)),
        Via::AtomHtmlEscaped => {
            format!(
                "<title type=\"html\">{}</title>",
                xml_escape(&xml_escape(title))
            )
        }
        _ => return None,
    })
}

fn rss_source() -> String {
    let items: String = (0..VECTORS.len())
        .filter_map(|n| {
            let title = rss_title(VECTORS[n].0, &title(n))?;
            Some(format!(
                "<item><guid isPermaLink=\"false\">rss-{n}</guid><title>{title}</title>\
                 <description>body</description></item>"
            ))
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>r</title>\
         <link>http://x.test/</link><description>d</description>{items}</channel></rss>"
    )
}

fn atom_source() -> String {
    let entries: String = (0..VECTORS.len())
        .filter_map(|n| {
            let title = atom_title(VECTORS[n].0, &title(n))?;
            Some(format!(
                "<entry><id>urn:atom:{n}</id>{title}<updated>2026-01-01T00:00:00Z</updated>\
                 <content>body</content></entry>"
            ))
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>a</title>\
         <id>urn:atom</id><updated>2026-01-01T00:00:00Z</updated>{entries}</feed>"
    )
}

fn json_source() -> String {
    let items: Vec<serde_json::Value> = (0..VECTORS.len())
        .filter(|&n| matches!(VECTORS[n].0, Via::JsonTitle))
        .map(|n| serde_json::json!({"id": format!("json-{n}"), "title": title(n), "content_text": "body"}))
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "j",
        "items": items,
    })
    .to_string()
}

/// One dump file per dump vector, named by its number.
fn write_dumps(dir: &Path) {
    for (n, (via, _)) in VECTORS.iter().enumerate() {
        let text = match via {
            Via::DumpLine => format!("{}\n", title(n)),
            Via::DumpHeader => format!(
                "Title: {}\n\nThe council met on Tuesday and voted to reopen the pier next spring, \
                 after two years of repairs.\n",
                title(n)
            ),
            _ => continue,
        };
        std::fs::write(dir.join(format!("{n}.txt")), text).expect("write dump");
    }
}

/// What the loopback server serves: the sources, the pages that show
/// titles, and a count of what payloads asked for.
#[derive(Default)]
struct Site {
    sources: BTreeMap<&'static str, String>,
    /// The HTML each case page shows.
    cases: Vec<String>,
    /// Case pages the browser asked for.
    loaded: BTreeSet<String>,
    /// Numbers of the payloads that ran.
    pwned: Vec<String>,
}

type Shared = Arc<Mutex<Site>>;

async fn answer(State(site): State<Shared>, uri: Uri) -> Response {
    let mut site = site.lock().expect("not poisoned");
    let path = uri.path();
    if let Some(n) = path.strip_prefix("/pwned/") {
        site.pwned.push(n.to_string());
        return StatusCode::NO_CONTENT.into_response();
    }
    if let Some(body) = site.sources.get(path.trim_start_matches('/')) {
        return body.clone().into_response();
    }
    if path == "/index" {
        let frames: String = (0..site.cases.len())
            .map(|k| {
                format!("<iframe src=\"/raw/{k}\"></iframe><iframe src=\"/dom/{k}\"></iframe>")
            })
            .collect();
        return html(format!(
            "<!doctype html><meta charset=utf-8><body>{frames}</body>"
        ));
    }
    let case = |prefix: &str| {
        let k: usize = path.strip_prefix(prefix)?.parse().ok()?;
        site.cases.get(k).cloned()
    };
    let page = if let Some(title) = case("/raw/") {
        // A reader that puts the title into its page's source.
        format!("<!doctype html><meta charset=utf-8><body><h1>{title}</h1></body>")
    } else if let Some(title) = case("/dom/") {
        // A reader that sets the title as `innerHTML`. In JSON every `<`
        // is inside a string, so writing it as `\u003c` keeps the script
        // element whole whatever the title holds.
        let literal = serde_json::to_string(&title)
            .expect("strings serialize")
            .replace('<', "\\u003c");
        format!(
            "<!doctype html><meta charset=utf-8><body><h1 id=t></h1>\
             <script>document.getElementById('t').innerHTML = {literal};</script></body>"
        )
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    site.loaded.insert(path.to_string());
    html(page)
}

fn html(page: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// Loads `/index` (every case page in frames) in headless Chromium until
/// the pages are idle, then returns the payloads that ran.
async fn browse(site: &Shared, addr: SocketAddr, cases: Vec<String>) -> Vec<String> {
    {
        let mut site = site.lock().expect("not poisoned");
        site.cases = cases;
        site.loaded.clear();
        site.pwned.clear();
    }
    let profile = tempfile::tempdir().expect("temp dir");
    support::browser::dom(profile.path(), &format!("http://{addr}/index")).await;
    // A request sent just before the browser quit may still be in flight.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let site = site.lock().expect("not poisoned");
    assert_eq!(
        site.loaded.len(),
        2 * site.cases.len(),
        "the browser did not load every case page"
    );
    site.pwned.clone()
}

/// The titles of an RSS or Atom document as a reader that decodes only the
/// named XML references (`&lt;`, `&amp;`…) has them, and as one with a
/// real XML parser has them.
fn xml_titles(xml: &str) -> Vec<String> {
    let mut titles = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find("<title") {
        rest = &rest[open..];
        let Some(start) = rest.find('>') else { break };
        let Some(end) = rest.find("</title>") else {
            break;
        };
        titles.push(
            rest[start + 1..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[end..];
    }
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("syndic's output parses");
    titles.extend(feed.title.map(|t| t.content));
    titles.extend(
        feed.entries
            .into_iter()
            .filter_map(|e| e.title.map(|t| t.content)),
    );
    titles
}

fn json_titles(json: &str) -> Vec<String> {
    let feed: serde_json::Value = serde_json::from_str(json).expect("syndic's output parses");
    let items = feed["items"].as_array().cloned().unwrap_or_default();
    std::iter::once(&feed["title"])
        .chain(items.iter().map(|i| &i["title"]))
        .filter_map(|t| t.as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_titles_do_not_run_in_readers_that_render_html() {
    if !support::browser::available() {
        return;
    }
    let site: Shared = Arc::default();
    site.lock().expect("not poisoned").sources = BTreeMap::from([
        ("feed.rss", rss_source()),
        ("feed.atom", atom_source()),
        ("feed.json", json_source()),
    ]);
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(Arc::clone(&site));
    let addr = support::serve(app).await;

    // The payloads as written run, every one of them.
    let written = (0..VECTORS.len()).map(title).collect();
    let ran: BTreeSet<String> = browse(&site, addr, written).await.into_iter().collect();
    for n in 0..VECTORS.len() {
        assert!(
            ran.contains(&n.to_string()),
            "payload {n} did not run even as written, so it proves nothing: {}",
            title(n)
        );
    }

    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("dumps")).expect("dumps dir");
    write_dumps(&dir.path().join("dumps"));
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[daemon]
database = "syndic.db"

[[source]]
name = "json"
url = "http://{addr}/feed.json"

[[source]]
name = "rss"
url = "http://{addr}/feed.rss"

[[source]]
name = "atom"
url = "http://{addr}/feed.atom"

[[source]]
name = "dumps"
kind = "text"
path = "dumps/*.txt"

[[output]]
name = "all"
title = "Everything <b>&</b> more"
sources = ["json", "rss", "atom", "dumps"]
limit = 1000
"#
        ),
    )
    .expect("write config");
    let run = |args: &'static [&'static str]| {
        let config = config.clone();
        tokio::task::spawn_blocking(move || support::syndic(&config, args))
    };
    let polled = run(&["poll", "--all"]).await.expect("poll ran");
    assert!(polled.status.success(), "{polled:?}");

    let mut shown = BTreeSet::new();
    for (format, args) in [
        ("rss", &["render", "all", "--format", "rss"][..]),
        ("atom", &["render", "all", "--format", "atom"][..]),
        ("json", &["render", "all", "--format", "json"][..]),
    ] {
        let out = run(args).await.expect("render ran");
        assert!(out.status.success(), "{out:?}");
        let body = String::from_utf8(out.stdout).expect("UTF-8 output");
        let titles = match format {
            "json" => json_titles(&body),
            _ => xml_titles(&body),
        };
        for n in 0..VECTORS.len() {
            let mark = format!("Vector {n} says");
            assert!(
                titles.iter().any(|t| t.starts_with(&mark)),
                "{format}: no title of vector {n} in\n{body}"
            );
        }
        shown.extend(titles);
    }

    let ran = browse(&site, addr, shown.iter().cloned().collect()).await;
    assert!(
        ran.is_empty(),
        "payloads {ran:?} ran from syndic's titles:\n{shown:#?}"
    );
}
