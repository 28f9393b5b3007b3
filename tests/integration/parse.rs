//! `parse_feed` and `feed_items` on fixture feeds: each format, each
//! encoding, the malformations real feeds have, and sanitizing.

use chrono::{DateTime, Utc};
use syndic::model::{Item, SourceName};
use syndic::normalize::feed::feed_items;
use syndic::parse::{parse_feed, Dialect, ParseError, ParsedFeed, Text};
use url::Url;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/feeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parsed(name: &str) -> ParsedFeed {
    parsed_with_charset(name, None)
}

fn parsed_with_charset(name: &str, charset: Option<&str>) -> ParsedFeed {
    parse_feed(&fixture(name), charset).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn now() -> DateTime<Utc> {
    at("2024-06-01T12:00:00Z")
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

fn items(feed: &ParsedFeed, document: &str) -> Vec<Item> {
    let source = SourceName::new("fixture").unwrap();
    let url = Url::parse(document).unwrap();
    feed_items(feed, &source, Some(&url), now())
}

fn titles(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.title.as_str()).collect()
}

fn ids(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.id.as_str()).collect()
}

#[test]
fn rss_091_items_are_identified_by_their_links() {
    let feed = parsed("rss091.xml");
    assert_eq!(feed.dialect, Dialect::Rss091);
    assert_eq!(feed.title.as_deref(), Some("Valley Orchard Notes"));
    assert_eq!(feed.link.as_deref(), Some("http://orchard.example/"));
    let items = items(&feed, "http://orchard.example/rss.xml");
    assert_eq!(
        ids(&items),
        [
            "http://orchard.example/notes/pruning",
            "http://orchard.example/notes/cider"
        ]
    );
    assert_eq!(
        titles(&items),
        ["Pruning the old pear trees", "Cider pressing day"]
    );
    assert_eq!(
        items[1].summary.as_deref(),
        Some("Forty litres from the late apples.")
    );
    assert_eq!(items[0].published, None);
    assert_eq!(items[0].first_seen, now());
}

#[test]
fn rss_092_duplicates_are_one_item_and_missing_titles_are_made() {
    let feed = parsed("rss092.xml");
    assert_eq!(feed.dialect, Dialect::Rss092);
    assert_eq!(feed.entries.len(), 3);
    let items = items(&feed, "http://rowing.example/rss");
    assert_eq!(
        titles(&items),
        [
            "Spring regatta results",
            "The boathouse roof is being replaced over the summer, so the winter storage racks move to the east shed until…"
        ]
    );
    assert_eq!(items[0].categories, ["Racing"]);
}

#[test]
fn rss_10_reads_dublin_core_dates_and_creators() {
    let feed = parsed("rss10.rdf");
    assert_eq!(feed.dialect, Dialect::Rss10);
    assert_eq!(
        feed.title.as_deref(),
        Some("Northgate Library Acquisitions")
    );
    let items = items(&feed, "http://library.example/rss");
    assert_eq!(
        ids(&items),
        [
            "http://library.example/new/atlas",
            "http://library.example/new/ferns"
        ]
    );
    assert_eq!(items[0].authors, ["Ines Halloran"]);
    assert_eq!(items[0].categories, ["Maps"]);
    assert_eq!(items[0].published, Some(at("2024-03-05T08:30:00Z")));
    assert_eq!(items[1].authors, ["Tomas Reyes", "Ada Kwan"]);
    assert_eq!(items[1].published, Some(at("2024-03-06T00:00:00Z")));
    assert_eq!(items[1].summary, None);
}

#[test]
fn rss_20_reads_content_encoded_creators_and_ttl() {
    let feed = parsed("rss20.xml");
    assert_eq!(feed.dialect, Dialect::Rss20);
    assert_eq!(
        feed.schedule.ttl,
        Some(std::time::Duration::from_secs(45 * 60))
    );
    let items = items(&feed, "https://lantern.example/feed.xml");
    let market = &items[0];
    assert_eq!(market.id.as_str(), "lantern-2024-0117");
    assert_eq!(market.title, "Market hall reopens after repairs");
    assert_eq!(
        market.link.as_deref(),
        Some("https://lantern.example/2024/market-hall")
    );
    assert_eq!(market.published, Some(at("2024-01-17T07:15:00Z")));
    assert_eq!(market.updated, None);
    assert_eq!(market.authors, ["Marta Novak", "Sam Okafor"]);
    assert_eq!(market.categories, ["Local", "Markets"]);
    assert_eq!(
        market.summary.as_deref(),
        Some("The hall opens on <b>Saturday</b>.")
    );
    let content = market.content.as_deref().unwrap();
    assert!(content.starts_with("<p>The market hall opens again on Saturday.</p>"));
    assert!(content.contains(r#"src="https://lantern.example/img/hall.jpg""#));
    assert!(content.contains(r#"href="https://lantern.example/stalls""#));

    let bridge = &items[1];
    assert_eq!(bridge.id.as_str(), "https://lantern.example/2024/bridge");
    assert_eq!(
        bridge.link.as_deref(),
        Some("https://lantern.example/2024/bridge")
    );
    assert_eq!(bridge.title, "Bridge closed & buses diverted");
    assert_eq!(bridge.published, Some(at("2024-01-18T17:40:00Z")));
}

#[test]
fn atom_resolves_xml_base_and_flattens_html_and_xhtml_titles() {
    let feed = parsed("atom10.xml");
    assert_eq!(feed.dialect, Dialect::Atom10);
    // Read by the strict crate, with the bases it drops scanned separately.
    assert_eq!(feed.title.as_deref(), Some("Field Notes"));
    assert_eq!(feed.link.as_deref(), Some("./"));
    assert_eq!(
        feed.base.as_deref(),
        Some("https://fieldnotes.example/blog/")
    );
    assert_eq!(
        feed.entries[0].title,
        Some(Text::html("Counting <b>swifts</b> at dusk"))
    );
    assert_eq!(
        feed.entries[0].base.as_deref(),
        Some("https://fieldnotes.example/blog/2024/04/")
    );

    let items = items(&feed, "https://mirror.example/fieldnotes.atom");
    let swifts = &items[0];
    assert_eq!(swifts.id.as_str(), "tag:fieldnotes.example,2024:swifts");
    assert_eq!(swifts.title, "Counting swifts at dusk");
    assert_eq!(
        swifts.link.as_deref(),
        Some("https://fieldnotes.example/blog/2024/04/swifts")
    );
    assert_eq!(swifts.published, Some(at("2024-04-01T23:30:00Z")));
    assert_eq!(swifts.updated, Some(at("2024-04-02T08:00:00Z")));
    assert_eq!(swifts.authors, ["Priya Raman"]);
    assert_eq!(swifts.categories, ["birds"]);
    assert_eq!(
        swifts.summary.as_deref(),
        Some("<p>Thirty-one swifts over the river.</p>")
    );
    let content = swifts.content.as_deref().unwrap();
    assert!(content.contains(r#"src="https://fieldnotes.example/blog/2024/04/swifts.jpg""#));
    assert!(content.contains(r#"href="https://fieldnotes.example/blog/about""#));

    let moths = &items[1];
    assert_eq!(moths.title, "Moths & lamps");
    assert_eq!(
        moths.link.as_deref(),
        Some("https://fieldnotes.example/blog/moths")
    );
    assert_eq!(moths.authors, ["guest@fieldnotes.example"]);
    assert_eq!(moths.published, Some(at("2024-03-20T22:00:00Z")));
    assert_eq!(moths.updated, Some(at("2024-03-20T22:00:00Z")));
    assert_eq!(
        moths.content.as_deref(),
        Some("<p>A lamp and a white sheet.</p>")
    );
}

#[test]
fn atom_03_is_read_by_the_lenient_pass() {
    let feed = parsed("atom03.xml");
    assert_eq!(feed.dialect, Dialect::Atom03);
    assert_eq!(feed.title.as_deref(), Some("Old Draft Weblog"));
    let items = items(&feed, "http://draft.example/atom.xml");
    let entry = &items[0];
    assert_eq!(entry.id.as_str(), "tag:draft.example,2004:still");
    assert_eq!(
        entry.link.as_deref(),
        Some("http://draft.example/2004/06/still")
    );
    assert_eq!(entry.published, Some(at("2004-06-01T15:00:00Z")));
    assert_eq!(entry.updated, Some(at("2004-06-01T12:00:00Z")));
    assert_eq!(entry.authors, ["Lee Park"]);
    assert_eq!(entry.content.as_deref(), Some("<p>Nobody upgraded.</p>"));
}

#[test]
fn json_feed() {
    let feed = parsed("jsonfeed.json");
    assert_eq!(feed.dialect, Dialect::JsonFeed);
    assert_eq!(feed.title.as_deref(), Some("Kettle Hill Weather"));
    assert_eq!(feed.link.as_deref(), Some("https://weather.example/"));
    let items = items(&feed, "https://weather.example/feed.json");
    assert_eq!(ids(&items), ["obs-2024-05-01", "42"]);
    let frost = &items[0];
    assert_eq!(frost.title, "Frost on the first of May");
    assert_eq!(
        frost.link.as_deref(),
        Some("https://weather.example/obs/2024-05-01")
    );
    assert_eq!(frost.content.as_deref(), Some("<p>Minus one at dawn.</p>"));
    assert_eq!(frost.published, Some(at("2024-05-01T04:00:00Z")));
    assert_eq!(frost.categories, ["frost", "spring"]);
    assert_eq!(frost.authors, ["Station Log"]);
    let rain = &items[1];
    assert_eq!(rain.title, "Rain gauge emptied. 12 mm overnight.");
    assert_eq!(
        rain.content.as_deref(),
        Some("<p>Rain gauge emptied. 12 mm overnight.</p>")
    );
    assert_eq!(rain.published, Some(at("2024-05-02T07:00:00Z")));
    assert_eq!(rain.authors, ["Night Observer"]);
}

/// (fixture, HTTP charset, feed title, first entry title)
const ENCODED: [(&str, Option<&str>, &str, &str); 6] = [
    (
        "windows-1252.xml",
        None,
        "Café Chronicle",
        "\u{201c}Open late\u{201d} on Fridays \u{2013} coffee €2",
    ),
    (
        "latin1-http-charset.xml",
        Some("ISO-8859-1"),
        "Gazette de la Vallée",
        "Fête du village à Noël",
    ),
    ("koi8-r.xml", None, "Новости города", "Мост открыт"),
    ("shift_jis.xml", None, "町のお知らせ", "桜が咲きました"),
    (
        "utf-16le-bom.xml",
        None,
        "Ålborg Harbour Log",
        "Ice in the inner basin ❄",
    ),
    (
        "utf-8-bom.xml",
        None,
        "Bäckerei Blatt",
        "Brötchen ab sechs Uhr",
    ),
];

#[test]
fn every_encoding_is_decoded() {
    for (name, charset, feed_title, entry_title) in ENCODED {
        let feed = parsed_with_charset(name, charset);
        assert_eq!(feed.title.as_deref(), Some(feed_title), "{name}");
        let items = items(&feed, "http://encodings.example/feed");
        assert_eq!(items[0].title, entry_title, "{name}");
    }
    let feed = parsed("windows-1252.xml");
    let items = items(&feed, "http://cafe.example/feed");
    assert_eq!(
        items[0].summary.as_deref(),
        Some("Don\u{2019}t miss the crème brûlée.")
    );
}

#[test]
fn html_entities_xml_does_not_define_are_read() {
    let feed = parsed("html-entities.xml");
    assert_eq!(feed.title.as_deref(), Some("Café Society"));
    let items = items(&feed, "http://society.example/feed");
    assert_eq!(items[0].title, "Autumn programme — talks & walks…");
    let summary = items[0].summary.as_deref().unwrap();
    assert!(
        summary.starts_with("Tickets £5 – members free."),
        "{summary}"
    );
    assert!(summary.contains(r#"href="http://society.example/tickets""#));
}

#[test]
fn stray_ampersands_and_angle_brackets_are_text() {
    let feed = parsed("stray-ampersand.xml");
    assert_eq!(feed.title.as_deref(), Some("Fish & Chips Weekly"));
    assert_eq!(
        feed.link.as_deref(),
        Some("http://chips.example/?from=feed&lang=en")
    );
    let items = items(&feed, "http://chips.example/feed");
    assert_eq!(items[0].title, "Salt & vinegar: a history");
    assert_eq!(
        items[0].link.as_deref(),
        Some("http://chips.example/read?id=12&page=2")
    );
    assert_eq!(
        items[0].summary.as_deref(),
        Some("Rock &amp; roll at the chip shop, 3 &lt; 4 portions.")
    );
}

#[test]
fn bad_dates_are_read_when_possible_and_none_otherwise() {
    let feed = parsed("bad-dates.xml");
    let items = items(&feed, "http://dates.example/feed");
    let published: Vec<_> = items.iter().map(|i| (i.id.as_str(), i.published)).collect();
    let evening = Some(at("2024-03-05T19:00:00Z"));
    assert_eq!(
        published,
        [
            ("named-zone", evening),
            ("wrong-day-name", evening),
            ("iso-no-zone", evening),
            ("two-digit-year", evening),
            ("nonsense", None),
            ("missing", None),
            ("impossible", None),
        ]
    );
}

#[test]
fn unknown_elements_and_namespaces_are_ignored() {
    let feed = parsed("unknown-namespaces.xml");
    assert_eq!(feed.title.as_deref(), Some("Trail Reports"));
    let items = items(&feed, "http://trails.example/feed");
    assert_eq!(titles(&items), ["Ridge path reopened"]);
    assert_eq!(
        items[0].link.as_deref(),
        Some("http://trails.example/ridge")
    );
}

#[test]
fn whitespace_before_the_declaration_and_a_missing_version() {
    let feed = parsed("leading-whitespace.xml");
    assert_eq!(feed.dialect, Dialect::Rss20);
    assert_eq!(feed.title.as_deref(), Some("Whitespace First"));
    assert_eq!(feed.entries[0].title, Some(Text::plain("Still read")));
}

#[test]
fn a_truncated_document_keeps_its_complete_items() {
    let feed = parsed("truncated.xml");
    assert_eq!(feed.title.as_deref(), Some("Cut Short"));
    let items = items(&feed, "http://cut.example/feed");
    assert_eq!(ids(&items), ["cut-1", "cut-2"]);
    assert_eq!(items[0].summary.as_deref(), Some("All here."));
}

#[test]
fn html_left_unescaped_in_a_description_is_kept() {
    let feed = parsed("naked-html.xml");
    let items = items(&feed, "http://naked.example/feed");
    assert_eq!(
        items[0].summary.as_deref(),
        Some("<p>Markup left <b>unescaped</b><br>by the publisher.</p>")
    );
    assert_eq!(items[0].title, "Markup left unescaped by the publisher.");
}

#[test]
fn sanitizing_removes_scripts_and_resolves_relative_urls() {
    let feed = parsed("sanitize.xml");
    let items = items(&feed, "http://unsafe.example/feeds/main.xml");
    let item = &items[0];
    assert_eq!(item.title, "Hostile title");
    assert_eq!(
        item.link.as_deref(),
        Some("http://unsafe.example/stories/unsafe")
    );
    let summary = item.summary.as_deref().unwrap();
    for unsafe_part in [
        "script",
        "alert",
        "onclick",
        "onerror",
        "javascript:",
        "iframe",
        "evil.example",
    ] {
        assert!(
            !summary.contains(unsafe_part),
            "{unsafe_part} survived: {summary}"
        );
    }
    assert!(summary.contains(r#"href="http://unsafe.example/feeds/more.html""#));
    assert!(summary.contains(r#"src="http://unsafe.example/img/pic.png""#));
}

#[test]
fn feeds_without_ids_give_the_same_ids_on_every_poll() {
    let doc = br#"<rss version="2.0"><channel><title>No ids</title>
        <item><title>One</title><description>first text</description></item>
        <item><title>Two</title><description>second text</description></item>
        <item><title>One</title><description>first text</description></item>
        </channel></rss>"#;
    let source = SourceName::new("noids").unwrap();
    let poll = || {
        let feed = parse_feed(doc, None).unwrap();
        feed_items(&feed, &source, None, Utc::now())
    };
    let (first, second) = (poll(), poll());
    assert_eq!(first.len(), 2);
    assert_eq!(ids(&first), ids(&second));
    assert_ne!(first[0].id, first[1].id);
    assert_eq!(first[0].content_hash(), second[0].content_hash());
}

#[test]
fn what_cannot_be_read_is_a_clear_error() {
    match parse_feed(&fixture("not-a-feed.html"), None) {
        Err(ParseError::NotAFeed { found }) => assert_eq!(found, "an HTML page"),
        other => panic!("{other:?}"),
    }
    assert_eq!(parse_feed(b"", None).unwrap_err(), ParseError::Empty);
    assert_eq!(parse_feed(b" \r\n\t", None).unwrap_err(), ParseError::Empty);
    let binary: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(matches!(
        parse_feed(&binary, None),
        Err(ParseError::NotAFeed { .. })
    ));
    let message = parse_feed(b"<rss><channel><title>never", None)
        .unwrap_err()
        .to_string();
    assert!(message.contains("line 1"), "{message}");
}

#[test]
fn escaped_html_wrapped_in_a_div_is_read_as_html() {
    // TypePad writes `type="html"` content inside an XHTML div anyway.
    let xml = br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:t,1</id>
        <content type="html"><div xmlns="http://www.w3.org/1999/xhtml">Example &lt;b&gt;Atom&lt;/b&gt;</div></content>
        </entry></feed>"#;
    let feed = parse_feed(xml, None).unwrap();
    assert_eq!(
        feed.entries[0].content,
        Some(Text::html("Example <b>Atom</b>"))
    );
    let items = items(&feed, "http://typepad.example/atom.xml");
    assert_eq!(items[0].content.as_deref(), Some("Example <b>Atom</b>"));
}

#[test]
fn an_item_with_summary_and_description_keeps_both() {
    for (first, second) in [("summary", "description"), ("description", "summary")] {
        let xml = format!(
            "<rss version=\"2.0\"><channel><item><guid>g</guid>\
             <{first}>First said</{first}><{second}>Second said</{second}>\
             </item></channel></rss>"
        );
        let feed = parse_feed(xml.as_bytes(), None).unwrap();
        let entry = &feed.entries[0];
        let text = |t: &Option<Text>| t.as_ref().map(|t| t.value.clone());
        assert_eq!(
            text(&entry.summary).as_deref(),
            Some("First said"),
            "{first}"
        );
        assert_eq!(
            text(&entry.content).as_deref(),
            Some("Second said"),
            "{first}"
        );
    }
}

#[test]
fn rss_written_with_atom_links_and_ids_is_read_whole() {
    // Podlove's examples mix Atom elements into RSS 2.0 items.
    let xml = br#"<rss version="2.0"><channel><title>Podcast</title>
        <link href="http://podlove.example/"/>
        <item><title>Fiat Lux</title><link href="http://podlove.example/1"/>
        <id>urn:uuid:3241ace2</id><updated>2012-03-26T23:25:19Z</updated>
        <summary>First episode</summary></item></channel></rss>"#;
    let feed = parse_feed(xml, None).unwrap();
    assert_eq!(feed.link.as_deref(), Some("http://podlove.example/"));
    let items = items(&feed, "http://podlove.example/feed");
    let item = &items[0];
    assert_eq!(item.id.as_str(), "urn:uuid:3241ace2");
    assert_eq!(item.link.as_deref(), Some("http://podlove.example/1"));
    assert_eq!(item.updated, Some(at("2012-03-26T23:25:19Z")));
}
