//! Curation against a real SQLite store: which sources, which items, in
//! which order, and one entry per story.

use chrono::{DateTime, Duration, TimeZone, Utc};
use syndic::config::Config;
use syndic::curate::select;
use syndic::model::{Item, ItemId, SourceName};
use syndic::store::{ItemQuery, Store};

const SOURCES: &str = r#"
[daemon]
database = "syndic.db"

[[source]]
name = "wire"
url = "https://wire.example/feed"
tags = ["world"]

[[source]]
name = "desk"
url = "https://desk.example/feed"
tags = ["world", "local"]

[[source]]
name = "tech"
url = "https://tech.example/feed"
tags = ["tech"]
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    config: Config,
}

/// A store in a temp dir and a config of the three sources plus `outputs`.
fn fixture(outputs: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    let config = Config::parse(&path, &format!("{SOURCES}\n{outputs}")).unwrap();
    let store = Store::open(&config.daemon.database).unwrap();
    Fixture {
        _dir: dir,
        store,
        config,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

fn hours_ago(h: i64) -> DateTime<Utc> {
    now() - Duration::hours(h)
}

/// An item published `h` hours ago with a unique link.
fn item(source: &str, id: &str, title: &str, h: i64) -> Item {
    Item {
        link: Some(format!("https://{source}.example/{id}")),
        published: Some(hours_ago(h)),
        ..Item::new(
            SourceName::new(source).unwrap(),
            ItemId::new(id),
            title,
            hours_ago(h),
        )
    }
}

impl Fixture {
    fn add(&mut self, items: &[Item]) {
        self.store.upsert_items(items).unwrap();
    }

    fn select(&self, output: &str) -> Vec<Item> {
        let output = self.config.output(output).unwrap();
        select(&self.store, &self.config, output, now()).unwrap()
    }

    fn ids(&self, output: &str) -> Vec<String> {
        self.select(output)
            .iter()
            .map(|i| i.id.as_str().to_string())
            .collect()
    }
}

#[test]
fn sources_and_tags_are_united() {
    let mut f = fixture(
        r#"
[[output]]
name = "world"
tags = ["world"]

[[output]]
name = "local-and-tech"
sources = ["tech"]
tags = ["local"]

[[output]]
name = "tech-only"
sources = ["tech"]
"#,
    );
    f.add(&[
        item("wire", "w1", "Wire one", 1),
        item("desk", "d1", "Desk one", 2),
        item("tech", "t1", "Tech one", 3),
    ]);
    assert_eq!(f.ids("world"), ["w1", "d1"]);
    assert_eq!(f.ids("local-and-tech"), ["d1", "t1"]);
    assert_eq!(f.ids("tech-only"), ["t1"]);
}

#[test]
fn include_and_exclude_match_text_case_insensitively() {
    let mut f = fixture(
        r#"
[[output]]
name = "filtered"
tags = ["world"]
include = ["harbou?r", "news from the coast"]
exclude = ["sponsored"]
"#,
    );
    let mut in_title = item("wire", "title", "HARBOUR reopens", 1);
    let mut in_summary = item("wire", "summary", "Ferries resume", 2);
    in_summary.summary = Some("<p>The <b>harbor</b> is busy again.</p>".into());
    let mut across_tags = item("desk", "across", "Weather", 3);
    across_tags.summary = Some("<p>News from <em>the</em>\n coast</p>".into());
    let mut excluded = item("desk", "excluded", "Harbour tours", 4);
    excluded.summary = Some("<p><i>SPONSORED</i> content</p>".into());
    let mut excluded_by_title = item("wire", "excluded-title", "Sponsored: harbour", 5);
    excluded_by_title.summary = Some("<p>fine</p>".into());
    let unrelated = item("wire", "unrelated", "Mountain road closed", 6);
    in_title.summary = None;
    f.add(&[
        in_title,
        in_summary,
        across_tags,
        excluded,
        excluded_by_title,
        unrelated,
    ]);
    assert_eq!(f.ids("filtered"), ["title", "summary", "across"]);
}

#[test]
fn a_word_only_in_the_content_passes_include() {
    let mut f = fixture(
        r#"
[[output]]
name = "ukraine"
tags = ["world"]
include = ["ukraine"]
"#,
    );
    let mut in_body = item("wire", "body", "Talks resume", 1);
    in_body.summary = Some("<p>Diplomats met again.</p>".into());
    in_body.content = Some("<p>The talks on <b>Ukraine</b> went on all night.</p>".into());
    let mut elsewhere = item("wire", "elsewhere", "Talks resume elsewhere", 2);
    elsewhere.content = Some("<p>The talks on trade went on all night.</p>".into());
    f.add(&[in_body, elsewhere]);
    assert_eq!(f.ids("ukraine"), ["body"]);
}

#[test]
fn an_author_prefix_limits_the_pattern_to_authors() {
    let mut f = fixture(
        r#"
[[output]]
name = "no-jane"
tags = ["world"]
exclude = ["author:Jane"]
"#,
    );
    let mut by_jane = item("wire", "by-jane", "Harbour reopens", 1);
    by_jane.authors = vec!["Bob Smith".into(), "JANE Doe".into()];
    // Names Jane everywhere but in its authors: kept.
    let mut about_jane = item("desk", "about-jane", "Jane Doe wins the race", 2);
    about_jane.summary = Some("<p>Jane led from the start.</p>".into());
    about_jane.content = Some("<p>Jane ran.</p>".into());
    about_jane.categories = vec!["Jane".into()];
    about_jane.link = Some("https://desk.example/jane".into());
    about_jane.authors = vec!["Bob Smith".into()];
    let unsigned = item("wire", "unsigned", "Storm warning", 3);
    f.add(&[by_jane, about_jane, unsigned]);
    assert_eq!(f.ids("no-jane"), ["about-jane", "unsigned"]);
}

#[test]
fn category_and_link_prefixes_match_their_fields() {
    let mut f = fixture(
        r#"
[[output]]
name = "sport"
tags = ["world"]
include = ["category:^sport$"]

[[output]]
name = "opinion"
tags = ["world"]
include = ["link:/opinion/"]
"#,
    );
    let mut sport = item("wire", "sport", "Cup final tonight", 1);
    sport.categories = vec!["News".into(), "Sport".into()];
    // "Sport" in the title and a category merely containing it.
    let mut sporty = item("wire", "sporty", "Sport centre opens", 2);
    sporty.categories = vec!["Sports policy".into()];
    let mut opinion = item("desk", "opinion", "Why the bridge matters", 3);
    opinion.link = Some("https://desk.example/opinion/bridge".into());
    let mut mentions = item("desk", "mentions", "Letters", 4);
    mentions.summary = Some("<p>Send your /opinion/ pieces</p>".into());
    f.add(&[sport, sporty, opinion, mentions]);
    assert_eq!(f.ids("sport"), ["sport"]);
    assert_eq!(f.ids("opinion"), ["opinion"]);
}

#[test]
fn markup_in_content_is_not_its_text_but_the_link_is_matched() {
    let mut f = fixture(
        r#"
[[output]]
name = "anywhere"
tags = ["world"]
include = ["ukraine"]

[[output]]
name = "content"
tags = ["world"]
include = ["content:ukraine"]

[[output]]
name = "link"
tags = ["world"]
include = ["link:ukraine"]
"#,
    );
    // Ukraine only inside a tag of its content, and in its own link.
    let mut linked = item("wire", "linked", "Further reading", 1);
    linked.link = Some("https://wire.example/ukraine-talks".into());
    linked.content = Some(
        r#"<p>See <a href="https://news.example/ukraine" title="Ukraine">the report</a>.</p>"#
            .into(),
    );
    // Ukraine only inside a tag of its content.
    let mut attribute_only = item("desk", "attribute", "More reading", 2);
    attribute_only.content = Some(r#"<p><img alt="ukraine map" src="m.png">Maps</p>"#.into());
    let mut in_text = item("desk", "text", "Talks", 3);
    in_text.content = Some("<p>Talks on Ukraine</p>".into());
    f.add(&[linked, attribute_only, in_text]);
    assert_eq!(f.ids("anywhere"), ["linked", "text"]);
    assert_eq!(f.ids("content"), ["text"]);
    assert_eq!(f.ids("link"), ["linked"]);
}

#[test]
fn max_age_uses_published_else_first_seen() {
    let mut f = fixture(
        r#"
[[output]]
name = "week"
sources = ["wire"]
max_age = "7d"
"#,
    );
    let fresh = item("wire", "fresh", "Fresh", 24);
    let old = item("wire", "old", "Old", 24 * 8);
    // Arrived yesterday but dated last month: its date decides.
    let mut backdated = item("wire", "backdated", "Backdated", 24 * 30);
    backdated.first_seen = hours_ago(24);
    // Undated and seen two days ago: first seen decides.
    let mut undated = item("wire", "undated", "Undated", 48);
    undated.published = None;
    let mut undated_old = item("wire", "undated-old", "Undated old", 24 * 9);
    undated_old.published = None;
    f.add(&[fresh, old, backdated, undated, undated_old]);
    assert_eq!(f.ids("week"), ["fresh", "undated"]);
}

#[test]
fn limit_keeps_the_newest() {
    let mut f = fixture(
        r#"
[[output]]
name = "three"
tags = ["world"]
limit = 3
"#,
    );
    let items: Vec<Item> = (0..10)
        .map(|i| {
            item(
                if i % 2 == 0 { "wire" } else { "desk" },
                &format!("i{i}"),
                &format!("Story {i}"),
                i,
            )
        })
        .collect();
    f.add(&items);
    assert_eq!(f.ids("three"), ["i0", "i1", "i2"]);
}

#[test]
fn the_same_story_from_two_sources_appears_once() {
    let mut f = fixture(
        r#"
[[output]]
name = "world"
tags = ["world"]
"#,
    );
    let newer_link = item("wire", "a", "Bridge opens to traffic after five years", 1);
    let mut same_link = item("desk", "b", "The bridge opens to traffic", 2);
    same_link.link = newer_link.link.clone();
    let newer_title = item(
        "desk",
        "c",
        "Storm hits the coast, thousands lose power!",
        3,
    );
    let same_title = item(
        "wire",
        "d",
        "  storm HITS the coast, thousands lose power ",
        4,
    );
    let distinct = item("wire", "e", "Storm hits the hills, thousands lose power", 5);
    // The same global id from two sources is the same story too.
    let mut global = item("wire", "https://news.example/42", "Rates rise", 6);
    global.link = Some("https://wire.example/rates".into());
    let mut global_again = global.clone();
    global_again.source = SourceName::new("desk").unwrap();
    global_again.link = Some("https://desk.example/rates".into());
    global_again.title = "Rates up".into();
    global_again.published = Some(hours_ago(7));
    f.add(&[
        newer_link,
        same_link,
        newer_title,
        same_title,
        distinct,
        global,
        global_again,
    ]);
    // Each story is shown as its earliest copy, naming the other source.
    assert_eq!(
        stories(&f.select("world")),
        [
            ("desk", "b", vec!["wire"]),
            ("wire", "d", vec!["desk"]),
            ("wire", "e", vec![]),
            ("desk", "https://news.example/42", vec!["wire"]),
        ]
    );
}

/// Source, id and other sources of each item shown.
fn stories(items: &[Item]) -> Vec<(&str, &str, Vec<&str>)> {
    items
        .iter()
        .map(|i| {
            let also: Vec<&str> = i.also_in.iter().map(|s| s.as_str()).collect();
            (i.source.as_str(), i.id.as_str(), also)
        })
        .collect()
}

/// A headline long enough to tell a story by, that one feed uses daily.
const BRIEFING: &str = "Morning briefing: the news you need to start your day";

#[test]
fn one_source_s_items_under_one_headline_stay_apart() {
    let mut f = fixture("[[output]]\nname = \"world\"\ntags = [\"world\"]\n");
    let briefings: Vec<Item> = [1, 3, 5]
        .map(|h| item("wire", &format!("brief-{h}"), BRIEFING, h))
        .into();
    f.add(&briefings);
    f.add(&[item("desk", "brief", BRIEFING, 2)]);
    assert_eq!(
        stories(&f.select("world")),
        [
            ("desk", "brief", vec!["wire"]),
            ("wire", "brief-3", vec![]),
            ("wire", "brief-5", vec![]),
        ],
        "the desk's briefing joins the nearest wire briefing, never two"
    );
}

#[test]
fn an_output_of_one_source_shows_all_its_items() {
    let mut f = fixture("[[output]]\nname = \"tech\"\nsources = [\"tech\"]\n");
    let first = item("tech", "a", BRIEFING, 1);
    let mut again = item("tech", "b", BRIEFING, 2);
    again.link = first.link.clone();
    f.add(&[first, again]);
    assert_eq!(
        stories(&f.select("tech")),
        [("tech", "a", vec![]), ("tech", "b", vec![])]
    );
}

#[test]
fn prefer_chooses_whose_copy_is_shown() {
    let mut f = fixture(
        r#"
[[output]]
name = "world"
tags = ["world"]
prefer = ["wire"]
"#,
    );
    let mut early = item("desk", "d1", "Bridge opens", 5);
    let mut late = item("wire", "w1", "Bridge opens", 1);
    early.link = Some("https://www.news.example/bridge/?utm_source=rss".into());
    late.link = Some("http://news.example/bridge".into());
    f.add(&[early, late]);
    assert_eq!(stories(&f.select("world")), [("wire", "w1", vec!["desk"])]);
}

#[test]
fn an_earlier_copy_past_the_limit_is_shown_in_its_place() {
    let mut f = fixture("[[output]]\nname = \"world\"\ntags = [\"world\"]\nlimit = 2\n");
    f.add(&[
        item(
            "wire",
            "new",
            "Storm hits the coast, thousands lose power",
            1,
        ),
        item(
            "wire",
            "other",
            "Ferry strike ends after two weeks of talks",
            2,
        ),
        item(
            "desk",
            "first",
            "Storm hits the coast, thousands lose power",
            6,
        ),
    ]);
    assert_eq!(
        stories(&f.select("world")),
        [("wire", "other", vec![]), ("desk", "first", vec!["wire"])]
    );
}

#[test]
fn newest_first_by_published_else_first_seen() {
    let mut f = fixture(
        r#"
[[output]]
name = "world"
tags = ["world"]
"#,
    );
    let published_3h = item("wire", "p3", "Published three hours ago", 3);
    let mut seen_2h = item("desk", "s2", "Undated, seen two hours ago", 0);
    seen_2h.published = None;
    seen_2h.first_seen = hours_ago(2);
    // Seen just now, but published yesterday: sorts by its date.
    let mut published_24h = item("desk", "p24", "Published yesterday", 24);
    published_24h.first_seen = hours_ago(0);
    let published_1h = item("wire", "p1", "Published an hour ago", 1);
    f.add(&[published_3h, seen_2h, published_24h, published_1h]);
    assert_eq!(f.ids("world"), ["p1", "s2", "p3", "p24"]);
}

#[test]
fn filters_that_drop_most_items_still_fill_the_limit() {
    let mut f = fixture(
        r#"
[[output]]
name = "rare"
tags = ["world"]
include = ["^rare"]
limit = 5

[[output]]
name = "all-rare"
tags = ["world"]
include = ["^rare"]
limit = 100
"#,
    );
    let items: Vec<Item> = (0..600)
        .map(|i| {
            let title = if i % 97 == 0 {
                format!("Rare {i}")
            } else {
                format!("Common {i}")
            };
            item(
                if i % 3 == 0 { "wire" } else { "desk" },
                &format!("n{i}"),
                &title,
                i,
            )
        })
        .collect();
    f.add(&items);
    assert_eq!(f.ids("rare"), ["n0", "n97", "n194", "n291", "n388"]);
    assert_eq!(
        f.ids("all-rare"),
        ["n0", "n97", "n194", "n291", "n388", "n485", "n582"]
    );
}

#[test]
fn merging_sources_gives_the_store_order() {
    let mut f = fixture(
        r#"
[[output]]
name = "everything"
tags = ["world", "tech"]
limit = 40
"#,
    );
    // Uneven sources, shared timestamps: the merge must match one query
    // over all rows (the store orders ties by arrival, then source and id).
    let items: Vec<Item> = (0..90)
        .map(|i| {
            let source = ["wire", "wire", "wire", "desk", "tech"][i % 5];
            let mut it = item(
                source,
                &format!("x{i:02}"),
                &format!("Story {i}"),
                (i / 4) as i64,
            );
            it.first_seen = hours_ago((i % 3) as i64);
            it
        })
        .collect();
    f.add(&items);
    let expected: Vec<String> = f
        .store
        .items(&ItemQuery {
            limit: 40,
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|i| i.id.as_str().to_string())
        .collect();
    assert_eq!(f.ids("everything"), expected);
}

#[test]
fn an_empty_store_selects_nothing() {
    let f = fixture(
        r#"
[[output]]
name = "world"
tags = ["world"]
"#,
    );
    assert!(f.select("world").is_empty());
}
