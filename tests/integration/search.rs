//! Full-text search on a real SQLite file: ranking, the query syntax,
//! scripts other than Latin, and the index kept in step through updates,
//! retention, renames and the migration that builds it.

use chrono::{Duration, TimeZone, Utc};
use syndic::config::Retention;
use syndic::model::{Item, ItemId, SourceName};
use syndic::search::{words, SearchQuery};
use syndic::store::{SearchFilter, Store};

fn name(s: &str) -> SourceName {
    SourceName::new(s).unwrap()
}

fn item(source: &str, id: &str, title: &str, content: &str) -> Item {
    Item {
        content: Some(format!("<p>{content}</p>")),
        ..Item::new(
            name(source),
            ItemId::new(id),
            title,
            Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(),
        )
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("syndic.db")).unwrap();
    (dir, store)
}

/// The ids of the matches of `query` over every source, best first.
fn found(store: &Store, query: &str) -> Vec<String> {
    let query = SearchQuery::parse(query).unwrap();
    let filter = SearchFilter {
        limit: 50,
        ..SearchFilter::default()
    };
    store
        .search(&query, &filter)
        .unwrap()
        .into_iter()
        .map(|hit| hit.item.id.as_str().to_string())
        .collect()
}

#[test]
fn a_title_match_ranks_above_a_passing_mention() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_items(&[
            item(
                "wire",
                "mention",
                "Markets today",
                "Stocks rose; a ceasefire was mentioned once.",
            ),
            item(
                "wire",
                "headline",
                "Ceasefire agreed in the north",
                "Both sides signed.",
            ),
            item("wire", "other", "Weather", "Rain all week."),
        ])
        .unwrap();
    assert_eq!(found(&store, "ceasefire"), ["headline", "mention"]);
}

#[test]
fn more_of_the_words_ranks_higher() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_items(&[
            item(
                "wire",
                "once",
                "Report",
                "The harbour flooded after a storm and more.",
            ),
            item(
                "wire",
                "often",
                "Report",
                "Storm, storm, storm: the storm season.",
            ),
        ])
        .unwrap();
    assert_eq!(found(&store, "storm"), ["often", "once"]);
}

#[test]
fn phrases_prefixes_negation_or_and_fields() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_items(&[
            item(
                "wire",
                "talks",
                "Peace talks resume",
                "Delegates met in Geneva.",
            ),
            item(
                "wire",
                "split",
                "Talks on peace",
                "A report, not the phrase.",
            ),
            item(
                "wire",
                "election",
                "Elections called",
                "Voters go to the polls.",
            ),
            item(
                "wire",
                "sponsored",
                "Peace talks, sponsored",
                "Brought to you by.",
            ),
        ])
        .unwrap();
    assert_eq!(found(&store, "\"peace talks\" -sponsored"), ["talks"]);
    let mut both = found(&store, "peace talks -sponsored");
    both.sort();
    assert_eq!(both, ["split", "talks"]);
    assert_eq!(found(&store, "elect*"), ["election"]);
    assert!(found(&store, "elect").is_empty(), "a word is not a prefix");
    let mut either = found(&store, "geneva OR voters");
    either.sort();
    assert_eq!(either, ["election", "talks"]);
    assert_eq!(found(&store, "title:report"), Vec::<String>::new());
    assert_eq!(found(&store, "content:report"), ["split"]);
}

#[test]
fn authors_and_categories_are_searchable_by_field() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_item(&Item {
            authors: vec!["Jane Doe".into()],
            categories: vec!["Science".into()],
            ..item("wire", "1", "Comet seen", "Bright.")
        })
        .unwrap();
    assert_eq!(found(&store, "author:doe"), ["1"]);
    assert_eq!(found(&store, "tag:science"), ["1"]);
    assert!(found(&store, "title:doe").is_empty());
}

#[test]
fn case_and_diacritics_are_folded() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_item(&item("wire", "1", "Café Zürich ÉTÉ", "Crème brûlée."))
        .unwrap();
    for q in ["cafe", "ZURICH", "ete", "creme brulee", "café"] {
        assert_eq!(found(&store, q), ["1"], "{q}");
    }
}

#[test]
fn cyrillic_chinese_japanese_and_arabic_are_found() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_items(&[
            item(
                "wire",
                "ru",
                "Москва: переговоры",
                "Делегации встретились в Москве.",
            ),
            item("wire", "zh", "北京市今天下雨", "北京的天气预报说明天晴。"),
            item("wire", "ja", "東京タワーの夜景", "きれいです。"),
            item(
                "wire",
                "ar",
                "القاهرة تستضيف المحادثات",
                "وصلت الوفود إلى القاهرة.",
            ),
            item("wire", "en", "Beijing weather", "Rain in the capital."),
        ])
        .unwrap();
    assert_eq!(found(&store, "москва"), ["ru"]);
    assert_eq!(found(&store, "ПЕРЕГОВОРЫ"), ["ru"]);
    assert_eq!(found(&store, "москв*"), ["ru"]);
    assert_eq!(found(&store, "北京"), ["zh"]);
    assert_eq!(found(&store, "天气"), ["zh"], "a word inside a sentence");
    assert!(found(&store, "京北").is_empty(), "characters in order");
    assert_eq!(found(&store, "タワー"), ["ja"]);
    assert_eq!(found(&store, "القاهرة"), ["ar"]);
}

#[test]
fn snippets_mark_the_matched_words() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_items(&[
            item(
                "wire",
                "en",
                "Report",
                "Long text before. The <b>harbour</b> flooded.",
            ),
            item("wire", "zh", "新闻", "北京的天气预报说明天晴。"),
        ])
        .unwrap();
    let filter = SearchFilter {
        limit: 5,
        ..SearchFilter::default()
    };
    let hits = store
        .search(&SearchQuery::parse("harbour").unwrap(), &filter)
        .unwrap();
    let (start, end) = (words::HIT_START, words::HIT_END);
    assert!(
        hits[0]
            .snippet
            .contains(&format!("The {start}harbour{end} flooded")),
        "{:?}",
        hits[0].snippet
    );
    let hits = store
        .search(&SearchQuery::parse("天气").unwrap(), &filter)
        .unwrap();
    assert!(
        hits[0].snippet.contains(&format!("的{start}天气{end}预")),
        "{:?}",
        hits[0].snippet
    );
}

#[test]
fn sources_and_since_narrow_the_matches() {
    let (_dir, mut store) = temp_store();
    let old = Item {
        published: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        ..item("desk", "old", "Flood warning", "")
    };
    store
        .upsert_items(&[item("wire", "w", "Flood warning", ""), old])
        .unwrap();
    let query = SearchQuery::parse("flood").unwrap();
    let ids = |filter: SearchFilter| -> Vec<String> {
        store
            .search(
                &query,
                &SearchFilter {
                    limit: 10,
                    ..filter
                },
            )
            .unwrap()
            .into_iter()
            .map(|h| h.item.id.as_str().to_string())
            .collect()
    };
    assert_eq!(
        ids(SearchFilter {
            sources: Some(vec![name("desk")]),
            ..SearchFilter::default()
        }),
        ["old"]
    );
    assert_eq!(
        ids(SearchFilter {
            since: Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()),
            ..SearchFilter::default()
        }),
        ["w"]
    );
    assert!(ids(SearchFilter {
        sources: Some(vec![]),
        ..SearchFilter::default()
    })
    .is_empty());
}

#[test]
fn an_update_replaces_the_indexed_words() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_item(&item("wire", "1", "Storm nears", "Winds rising."))
        .unwrap();
    store
        .upsert_item(&item("wire", "1", "Storm passes", "Calm returns."))
        .unwrap();
    assert!(found(&store, "nears").is_empty());
    assert!(found(&store, "winds").is_empty());
    assert_eq!(found(&store, "calm passes"), ["1"]);
    store.check_search_index().unwrap();
}

#[test]
fn retention_takes_removed_items_out_of_the_index() {
    let (_dir, mut store) = temp_store();
    let items: Vec<Item> = (1..=3)
        .map(|n| Item {
            published: Some(Utc::now() - Duration::hours(n)),
            ..item(
                "wire",
                &format!("{n}"),
                &format!("Bulletin {n}"),
                "Harbour news.",
            )
        })
        .collect();
    store.upsert_items(&items).unwrap();
    let rules = [(
        name("wire"),
        Retention {
            keep: Some(1),
            max_age: None,
        },
    )];
    assert_eq!(store.prune(&rules, &[], Utc::now()).unwrap(), 2);
    assert_eq!(found(&store, "harbour"), ["1"]);
    store.check_search_index().unwrap();
}

#[test]
fn a_rename_keeps_one_indexed_copy_of_each_item() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_items(&[
            item("old", "same", "Harbour closes", ""),
            item("old", "only-old", "Harbour reopens", ""),
            item("new", "same", "Harbour closes", ""),
        ])
        .unwrap();
    store.adopt_renamed(&[(name("old"), name("new"))]).unwrap();
    let mut ids = found(&store, "harbour");
    ids.sort();
    assert_eq!(ids, ["only-old", "same"]);
    store.check_search_index().unwrap();
}

#[test]
fn the_migration_indexes_items_stored_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    drop(Store::open_at_version(&path, 16).unwrap());
    // A row as version 16 wrote it, with no index to keep in step.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO items (source, id, title, content, first_seen, content_hash)
             VALUES ('wire', '1', 'Earlier flood', '<p>Stored at version 16.</p>', 0, 'h')",
            [],
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(found(&store, "flood"), ["1"]);
    assert_eq!(
        found(&store, "version"),
        ["1"],
        "HTML content indexed as text"
    );
    store.check_search_index().unwrap();
    let mut store = store;
    store
        .upsert_item(&item("wire", "2", "Later flood", ""))
        .unwrap();
    let mut ids = found(&store, "flood");
    ids.sort();
    assert_eq!(ids, ["1", "2"]);
    store.check_search_index().unwrap();
}

#[test]
fn an_item_back_under_a_new_id_is_indexed_once_under_its_first() {
    let (_dir, mut store) = temp_store();
    let first = Item {
        link: Some("https://example.org/story".into()),
        ..item("wire", "first", "Harbour storm", "Waves.")
    };
    store.upsert_item(&first).unwrap();
    // The feed rotates its ids: same link and title, new id, new text.
    let again = Item {
        id: ItemId::new("second"),
        content: Some("<p>Breakwater holds.</p>".into()),
        ..first.clone()
    };
    store.upsert_item(&again).unwrap();
    assert_eq!(found(&store, "breakwater"), ["first"]);
    assert!(found(&store, "waves").is_empty());
    assert_eq!(found(&store, "harbour"), ["first"]);
    store.check_search_index().unwrap();
}

#[test]
fn a_full_text_page_replacing_the_content_is_what_is_found() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_item(&item("wire", "1", "Harbour", "A teaser."))
        .unwrap();
    // A full-text source stores the fetched article as the item's content.
    store
        .upsert_item(&item(
            "wire",
            "1",
            "Harbour",
            "The whole article on dredging.",
        ))
        .unwrap();
    assert_eq!(found(&store, "dredging"), ["1"]);
    assert!(found(&store, "teaser").is_empty());
    store.check_search_index().unwrap();
}

#[test]
fn readers_search_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("syndic.db");
    Store::open(&path)
        .unwrap()
        .upsert_item(&item("wire", "1", "Harbour", "<i>flood</i>"))
        .unwrap();
    let reader = Store::open_reader(&path).unwrap();
    assert_eq!(found(&reader, "flood"), ["1"]);
}

const CONFIG: &str = r#"
[daemon]
database = "data/test.db"

[[source]]
name = "wire"
url = "https://example.org/wire.xml"

[[source]]
name = "desk"
url = "https://example.org/desk.xml"
"#;

/// A config whose database holds a few stories of two sources.
fn cli_setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let mut store = Store::open(&dir.path().join("data/test.db")).unwrap();
    store
        .upsert_items(&[
            Item {
                link: Some("https://example.org/ceasefire".into()),
                ..item(
                    "wire",
                    "1",
                    "Ukraine ceasefire talks",
                    "Delegates met again.",
                )
            },
            item(
                "desk",
                "2",
                "Markets",
                "Stocks rose as ceasefire hopes grew in Ukraine.",
            ),
            item("desk", "3", "Weather", "Rain."),
        ])
        .unwrap();
    (dir, config)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_search_command_ranks_and_marks_matches() {
    let (_dir, config) = cli_setup();
    let out = crate::support::syndic(&config, &["search", "ukraine ceasefire"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    let first = text
        .find("Ukraine ceasefire talks")
        .expect("title match listed");
    let second = text.find("Markets").expect("content match listed");
    assert!(first < second, "{text}");
    assert!(text.contains("https://example.org/ceasefire"), "{text}");
    assert!(text.contains("**ceasefire**"), "{text}");
    assert!(!text.contains("Weather"), "{text}");
}

#[test]
fn search_json_keeps_the_item_keys_and_adds_score_and_snippet() {
    let (_dir, config) = cli_setup();
    let out = crate::support::syndic(
        &config,
        &[
            "search",
            "ceasefire -talks",
            "--json",
            "--source",
            "desk",
            "--since",
            "7d",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = hits.as_array().unwrap();
    // The stories were first seen long before the last 7 days and are undated.
    assert!(hits.is_empty(), "{hits:?}");

    let out = crate::support::syndic(
        &config,
        &[
            "search",
            "ceasefire -talks",
            "--json",
            "--source",
            "desk",
            "--limit",
            "5",
        ],
    );
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1);
    for key in [
        "id",
        "source",
        "title",
        "link",
        "summary",
        "content",
        "authors",
        "categories",
        "published",
        "updated",
        "score",
        "snippet",
    ] {
        assert!(hits[0].get(key).is_some(), "missing {key}");
    }
    assert_eq!(hits[0]["id"], "2");
    assert!(hits[0]["snippet"]
        .as_str()
        .unwrap()
        .contains("**ceasefire**"));
}

#[test]
fn a_query_with_nothing_to_find_or_an_unknown_source_is_bad_usage() {
    let (_dir, config) = cli_setup();
    for args in [
        &["search", "-spam"][..],
        &["search", "\"\""],
        &["search", "x", "--source", "ghost"],
    ] {
        let out = crate::support::syndic(&config, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn an_output_query_combines_with_sources_and_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{CONFIG}
[[output]]
name = \"floods\"
sources = [\"wire\"]
query = \"flood* OR deluge\"
exclude = [\"title:sponsored\"]

[[output]]
name = \"everywhere\"
query = \"flood\"

[[output]]
name = \"mine\"
query = \"flood\"
access = \"token\"
token_file = \"token.txt\"
"
    );
    std::fs::write(
        dir.path().join("token.txt"),
        "a-long-enough-secret-token-for-tests\n",
    )
    .unwrap();
    let config = syndic::config::Config::parse(&dir.path().join("feeds.toml"), &text).unwrap();
    let mut store = Store::open(&config.daemon.database).unwrap();
    let at = |h: i64| Item {
        published: Some(Utc::now() - Duration::hours(h)),
        ..item("wire", &format!("{h}"), "", "")
    };
    store
        .upsert_items(&[
            Item {
                title: "Flooding in the valley".into(),
                ..at(1)
            },
            Item {
                title: "A deluge of mail".into(),
                ..at(2)
            },
            Item {
                title: "Sponsored: flood insurance".into(),
                ..at(3)
            },
            Item {
                title: "Dry spell".into(),
                ..at(4)
            },
            Item {
                title: "Flood on the desk".into(),
                ..item("desk", "d", "", "")
            },
        ])
        .unwrap();
    let titles = |output: &str| -> Vec<String> {
        let output = config.output(output).unwrap();
        syndic::curate::select(&store, &config, output, Utc::now())
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect()
    };
    assert_eq!(
        titles("floods"),
        ["Flooding in the valley", "A deluge of mail"]
    );
    // A public output defined by a query alone searches the sources a
    // public output names (wire), not desk, which none does…
    assert_eq!(titles("everywhere"), ["Sponsored: flood insurance"]);
    // …and a private one every source.
    let mine = titles("mine");
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert!(mine.contains(&"Flood on the desk".to_string()));
}

/// Items a poll stores go through the writer's grouped transactions, a
/// savepoint per poll: what they index is found once committed.
#[tokio::test]
async fn items_a_poll_stores_through_the_writer_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[daemon]\ndatabase = \"syndic.db\"\n\
                [[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n";
    let config = syndic::config::Config::parse(&dir.path().join("feeds.toml"), text).unwrap();
    std::fs::create_dir(dir.path().join("dumps")).unwrap();
    std::fs::write(
        dir.path().join("dumps/monday.txt"),
        "Storm Warning Issued for the Coast\nMarket Hall Reopens on Saturday\n",
    )
    .unwrap();
    let store = syndic::store::StoreHandle::open(&config.daemon.database).unwrap();
    let poller = syndic::poll::Poller::new(
        &config.daemon,
        syndic::fetch::FetchSlots::new(8, 2),
        store.clone(),
    )
    .unwrap();
    poller.poll(config.source("desk").unwrap()).await;
    let titles = store
        .read(|s| {
            let query = SearchQuery::parse("storm coast").unwrap();
            let filter = SearchFilter {
                limit: 10,
                ..SearchFilter::default()
            };
            Ok(s.search(&query, &filter)?
                .into_iter()
                .map(|hit| hit.item.title)
                .collect::<Vec<_>>())
        })
        .await
        .unwrap();
    assert_eq!(titles, ["Storm Warning Issued for the Coast"]);
    store.write(|s| s.check_search_index()).await.unwrap();
}
