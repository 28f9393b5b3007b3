//! Plain-text dumps, from bytes to items and into a real store: the
//! shapes a saved news page takes, every encoding it may arrive in, the
//! files that must be refused, and re-imports that must add nothing.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use syndic::fetch::{read_changed, DumpGlobError, FileStamps};
use syndic::model::{Item, SourceName};
use syndic::normalize::dump::{dump_items, DumpError, DumpMeta};
use syndic::poll::dump_file_items;
use syndic::store::{Store, UpsertSummary};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dumps")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn desk() -> SourceName {
    SourceName::new("desk").unwrap()
}

fn file_date() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 2, 8, 0, 0).unwrap()
}

fn parse(bytes: &[u8]) -> Result<Vec<Item>, DumpError> {
    let source = desk();
    dump_items(
        bytes,
        &DumpMeta {
            source: &source,
            origin: "test.txt",
            fallback_date: file_date(),
            now: now(),
            max_items: usize::MAX,
        },
    )
    .map(|dump| dump.items)
}

fn items(name: &str) -> Vec<Item> {
    parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn titles(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.title.as_str()).collect()
}

fn headlines(items: &[Item]) -> Vec<&str> {
    items
        .iter()
        .filter(|i| i.content.is_none())
        .map(|i| i.title.as_str())
        .collect()
}

fn articles(items: &[Item]) -> Vec<&Item> {
    items.iter().filter(|i| i.content.is_some()).collect()
}

/// The paragraphs of an article's content, unwrapped from their `<p>`.
fn paragraphs(item: &Item) -> Vec<&str> {
    let content = item.content.as_deref().unwrap_or_default();
    content
        .split('\n')
        .map(|p| {
            p.strip_prefix("<p>")
                .and_then(|p| p.strip_suffix("</p>"))
                .unwrap_or_else(|| panic!("not a paragraph: {p:?}"))
        })
        .collect()
}

#[test]
fn an_article_without_title_is_named_after_its_opening_sentence() {
    let items = items("article-only.txt");
    assert_eq!(items.len(), 1);
    let article = &items[0];
    assert_eq!(
        article.title,
        "The regional transport board said on Thursday that it would replace the entire fleet of diesel buses on the coastal\u{2026}"
    );
    assert!(article.title.chars().count() <= 120);
    let paras = paragraphs(article);
    assert_eq!(paras.len(), 3);
    assert!(paras[0].starts_with("The regional transport board said"));
    assert!(
        paras[2].ends_with("before the summer &amp; hope to start building in the autumn."),
        "text is HTML-escaped: {}",
        paras[2]
    );
    assert_eq!(article.summary.as_deref(), Some(paras[0]));
    assert_eq!(article.link, None);
    assert!(article.id.as_str().starts_with("article:"));
}

#[test]
fn title_case_headlines_are_trimmed_and_whitespace_collapsed() {
    let items = items("headlines-title-case.txt");
    assert_eq!(
        titles(&items),
        [
            "Museum Reopens East Wing After Two-Year Restoration",
            "Storm Warning Issued for Northern Coastal Towns",
            "Farmers Report Best Apple Harvest in a Decade",
            "Local Bakery Wins Regional Bread Award",
            "New Footbridge Links Park to Riverside Market",
            "Chess Club Celebrates Fiftieth Anniversary With Open Tournament",
        ]
    );
    for item in &items {
        assert_eq!(
            (&item.link, &item.content, &item.summary),
            (&None, &None, &None)
        );
        assert!(item.id.as_str().starts_with("headline:"));
        assert!(item.authors.is_empty() && item.categories.is_empty());
    }
}

#[test]
fn sentence_case_and_punctuated_headline_lists_stay_headlines() {
    let sentence_case = items("headlines-sentence-case.txt");
    assert_eq!(headlines(&sentence_case).len(), 5);
    assert_eq!(
        sentence_case[2].title,
        "Students design a garden for the children's hospital"
    );
    let punctuated = items("headlines-punctuated.txt");
    assert_eq!(
        headlines(&punctuated),
        [
            "Is the Old Lighthouse Finally Up for Sale?",
            "City Marathon Breaks Its Own Entry Record!",
            "Can a four-day week work for small shops?",
            "What Happens to the Market Square Now?",
            "Schools out early as snow arrives!",
        ]
    );
}

#[test]
fn a_title_line_names_the_article_and_is_not_a_paragraph() {
    let items = items("titled-article.txt");
    assert_eq!(items.len(), 4);
    let article = &articles(&items)[0];
    assert_eq!(
        article.title,
        "Harbour Café Named Best Breakfast on the Coast"
    );
    let paras = paragraphs(article);
    assert_eq!(paras.len(), 3);
    assert!(paras[1].contains("was \u{201c}overwhelmed\u{201d} by the news"));
    assert_eq!(
        headlines(&items),
        [
            "Coastal Path Reopens After Landslip Repairs",
            "Harbour Master Warns of Unusually High Tides This Weekend",
            "Festival Organisers Announce Line-Up for Summer Concerts",
        ]
    );
}

#[test]
fn a_title_alone_above_the_body_names_it() {
    let items = items("title-above-body.txt");
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].title,
        "Beekeepers Count Their Hives After a Cold Spring"
    );
    assert_eq!(paragraphs(&items[0]).len(), 2);
}

#[test]
fn header_lines_override_title_link_date_and_author() {
    let items = items("with-headers.txt");
    assert_eq!(items.len(), 3);
    let article = &items[0];
    assert_eq!(article.title, "Rowing Club Opens Its Boathouse to Schools");
    assert_eq!(
        article.link.as_deref(),
        Some("https://example.org/local/rowing-club-schools")
    );
    assert_eq!(
        article.id.as_str(),
        "https://example.org/local/rowing-club-schools"
    );
    let dated = Utc.with_ymd_and_hms(2026, 5, 14, 9, 15, 0).unwrap();
    assert_eq!(article.published, Some(dated));
    assert_eq!(article.authors, ["Local desk"]);
    assert_eq!(paragraphs(article).len(), 2);
    for headline in &items[1..] {
        assert_eq!(headline.published, None);
        assert!(headline.authors.is_empty());
        assert!(
            headline.first_seen <= dated,
            "dated by the header, not the file"
        );
    }
    assert_eq!(
        headlines(&items),
        [
            "Allotment Waiting List Falls for the First Time in Years",
            "Bridge Painting Work to Close One Lane Overnight",
        ]
    );
}

#[test]
fn a_title_header_makes_short_lines_an_article() {
    let items = items("headers-over-short-lines.txt");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, "Notes From the Council Meeting");
    assert_eq!(items[0].authors, ["Ward reporter"]);
    assert_eq!(
        paragraphs(&items[0]),
        [
            "Budget approved",
            "New parking rules from March",
            "Library roof to be repaired"
        ]
    );
}

#[test]
fn blank_lines_between_paragraphs_keep_one_story_until_a_title_line() {
    let items = items("two-articles.txt");
    assert_eq!(
        titles(&items),
        [
            "Night Trains Return to the Mountain Line",
            "Town Hall Clock Chimes Again"
        ]
    );
    for article in &items {
        assert_eq!(paragraphs(article).len(), 2, "{}", article.title);
    }
}

#[test]
fn short_sentences_make_an_article_titled_by_the_first() {
    let items = items("short-paragraphs.txt");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, "The village shop has a new owner");
    assert_eq!(paragraphs(&items[0]).len(), 5);
}

#[test]
fn undated_items_are_first_seen_at_the_file_date_in_page_order() {
    let items = items("titled-article.txt");
    assert!(items.iter().all(|i| i.published.is_none()));
    assert_eq!(items[0].first_seen, file_date());
    assert!(items.windows(2).all(|w| w[0].first_seen > w[1].first_seen));
}

fn encode_utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

fn encode_latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("fixture is Latin-1"))
        .collect()
}

fn encode_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn every_encoding_and_line_end_gives_the_same_items() {
    for name in ["latin1-text.txt", "titled-article.txt", "with-headers.txt"] {
        let utf8 = String::from_utf8(fixture(name)).unwrap();
        let expected = parse(utf8.as_bytes()).unwrap();
        let mut variants: Vec<(&str, Vec<u8>)> = vec![
            (
                "UTF-8 with BOM",
                [&[0xEF, 0xBB, 0xBF][..], utf8.as_bytes()].concat(),
            ),
            ("UTF-16LE", encode_utf16(&utf8, false)),
            ("UTF-16BE", encode_utf16(&utf8, true)),
            ("windows-1252", encode_1252(&utf8)),
            ("CRLF", utf8.replace('\n', "\r\n").into_bytes()),
            ("CR", utf8.replace('\n', "\r").into_bytes()),
            (
                "windows-1252 CRLF",
                encode_1252(&utf8.replace('\n', "\r\n")),
            ),
            (
                "tabs and trailing spaces",
                utf8.replace(' ', "\t").replace('\n', " \t\n").into_bytes(),
            ),
        ];
        if utf8.chars().all(|c| u32::from(c) < 0x100) {
            variants.push(("ISO-8859-1", encode_latin1(&utf8)));
        }
        for (encoding, bytes) in variants {
            assert_eq!(parse(&bytes).unwrap(), expected, "{name} in {encoding}");
        }
    }
    let latin = items("latin1-text.txt");
    assert_eq!(
        latin[0].title,
        "Crème Brûlée Festival Draws Record Crowds to Old Town"
    );
    assert_eq!(
        latin[2].title,
        "Señora García Opens Tapas Bar on Rue de l'Église"
    );
}

#[test]
fn what_is_not_text_is_refused_by_name() {
    let refused = |bytes: &[u8]| parse(bytes).unwrap_err().to_string();
    for empty in [&b""[..], b" \n\t\r\n", b"\xEF\xBB\xBF\n\n", b"* * *\n---\n"] {
        let message = refused(empty);
        assert!(message.starts_with("test.txt: no text"), "{message}");
    }
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0";
    let message = refused(png);
    assert!(message.contains("test.txt: not a text file"), "{message}");
    let controls: Vec<u8> = (0..400u32)
        .map(|i| if i % 7 == 0 { 0x01 } else { b'a' })
        .collect();
    assert!(refused(&controls).contains("control"));
    let message = refused(b"Title: Only a title\n\n");
    assert!(message.contains("no text after them"), "{message}");
    let message = refused(b"Menu\nSign in\nShare\n");
    assert!(message.contains("only page furniture"), "{message}");
}

#[test]
fn the_seed_sample_gives_one_article_and_sixteen_headlines() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/sample-dump.txt"
    ));
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: no sample dump at {}", path.display());
        return;
    };
    let items = parse(&bytes).unwrap();
    let articles = articles(&items);
    assert_eq!(articles.len(), 1);
    assert_eq!(
        articles[0].title,
        "The Kremlin stated on Sunday that communication with U.S. President Donald Trump's team is progressing well, but warned\u{2026}"
    );
    assert_eq!(paragraphs(articles[0]).len(), 5);
    let headlines = headlines(&items);
    assert_eq!(headlines.len(), 16);
    assert_eq!(
        headlines[0],
        "South Korea Assures U.S. on Trade Deal Commitments Amid Tariff Concerns"
    );
    assert_eq!(
        headlines[15],
        "Ohio Man Indicted for Alleged Threat Against Vice President JD Vance, Faces Additional Federal Charges"
    );
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every dump a glob matches, read and normalized as a poll of a text
/// source reads them: each file on its own.
#[derive(Debug)]
struct Batch {
    files: usize,
    items: Vec<Item>,
    failures: Vec<String>,
}

fn read_dump_files(pattern: &Path, max_bytes: u64) -> Result<Batch, DumpGlobError> {
    let found = read_changed(pattern, &FileStamps::default(), max_bytes)?;
    let mut batch = Batch {
        files: found.matched,
        items: Vec::new(),
        failures: found.failures.iter().map(|f| f.to_string()).collect(),
    };
    for file in &found.changed {
        match dump_file_items(file, &desk(), now(), usize::MAX) {
            Ok(dump) => batch.items.extend(dump.items),
            Err(e) => batch.failures.push(e.to_string()),
        }
    }
    batch.failures.sort();
    Ok(batch)
}

fn store_batch(store: &mut Store, pattern: &Path, max_bytes: u64) -> UpsertSummary {
    let batch = read_dump_files(pattern, max_bytes).unwrap();
    assert!(batch.failures.is_empty(), "{:?}", batch.failures);
    store.upsert_items(&batch.items).unwrap()
}

fn summary(inserted: usize, updated: usize, unchanged: usize) -> UpsertSummary {
    UpsertSummary {
        inserted,
        updated,
        unchanged,
        tombstoned: 0,
        rotated: 0,
    }
}

#[test]
fn importing_again_or_re_encoded_or_later_touched_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db/syndic.db")).unwrap();
    let dumps = dir.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    let utf8 = fixture("titled-article.txt");
    let file = write(&dumps, "monday.txt", &utf8);
    let pattern = dumps.join("*.txt");
    assert_eq!(store_batch(&mut store, &pattern, 1 << 20), summary(4, 0, 0));
    assert_eq!(store_batch(&mut store, &pattern, 1 << 20), summary(0, 0, 4));

    // A later modification time changes nothing a reader sees.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(store_batch(&mut store, &pattern, 1 << 20), summary(0, 0, 4));

    // The same page saved in windows-1252 with CRLF, in another file.
    let legacy = encode_1252(&String::from_utf8(utf8).unwrap().replace('\n', "\r\n"));
    let copy = write(dir.path(), "copy.txt", &legacy);
    assert_eq!(store_batch(&mut store, &copy, 1 << 20), summary(0, 0, 4));
}

#[test]
fn a_headline_repeated_in_a_later_dump_is_the_same_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("syndic.db")).unwrap();
    let first = write(
        dir.path(),
        "first.txt",
        b"Ferry Service Resumes After Strike\nNew Mayor Sworn In at Town Hall\n",
    );
    let second = write(
        dir.path(),
        "second.txt",
        b"New Mayor Sworn In at Town Hall  \n\nSchool Choir Tours Three Countries\n",
    );
    assert_eq!(store_batch(&mut store, &first, 4096), summary(2, 0, 0));
    assert_eq!(store_batch(&mut store, &second, 4096), summary(1, 0, 1));
}

#[test]
fn bad_files_are_reported_by_name_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a-good.txt",
        &fixture("headlines-punctuated.txt"),
    );
    write(dir.path(), "b-empty.txt", b"\n   \n");
    write(
        dir.path(),
        "c-binary.txt",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
    );
    write(
        dir.path(),
        "d-huge.txt",
        "Big News Today\n".repeat(400).as_bytes(),
    );
    write(dir.path(), "e-good.txt", &fixture("short-paragraphs.txt"));
    write(dir.path(), ".hidden.txt", b"Hidden Line Never Read\n");
    std::fs::create_dir(dir.path().join("f-folder.txt")).unwrap();

    let batch = read_dump_files(&dir.path().join("*.txt"), 4096).unwrap();
    assert_eq!(batch.files, 5);
    assert_eq!(batch.items.len(), 5 + 1);
    let failures = &batch.failures;
    assert_eq!(failures.len(), 3, "{failures:?}");
    for (message, (want_name, want)) in failures.iter().zip([
        ("b-empty.txt", "no text to import"),
        ("c-binary.txt", "not a text file"),
        ("d-huge.txt", "6000 bytes or more, over the limit of 4096"),
    ]) {
        assert!(
            message.contains(want_name) && message.contains(want),
            "{message}"
        );
    }
}

#[test]
fn patterns_without_matches_are_empty_and_bad_patterns_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let batch = read_dump_files(&dir.path().join("none/*.txt"), 4096).unwrap();
    assert_eq!((batch.files, batch.items.len()), (0, 0));
    let err = read_dump_files(&dir.path().join("[z-a"), 4096).unwrap_err();
    assert!(
        err.to_string().contains("not a valid glob pattern"),
        "{err}"
    );
    let plain = write(
        dir.path(),
        "one [draft].txt",
        b"Draft Headline Kept As Is\n",
    );
    let batch = read_dump_files(&plain, 4096).unwrap();
    assert_eq!(titles(&batch.items), ["Draft Headline Kept As Is"]);
}

#[test]
fn a_story_saved_again_after_an_edit_updates_the_stored_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("syndic.db")).unwrap();
    let opening = "The regional transport board said on Thursday that it would replace \
        the entire fleet of diesel buses on the coastal routes with electric ones.";
    let story = |title: &str, opening: &str, more: &str| {
        format!("{title}\n\n{opening}\n\nThe first buses arrive in spring.{more}\n")
    };
    let title = "Electric Buses for the Coast";
    let dir_path = dir.path().to_path_buf();
    let store_text = |store: &mut Store, name: &str, text: String| {
        let path = write(&dir_path, name, text.as_bytes());
        store_batch(store, &path, 1 << 20)
    };
    assert_eq!(
        store_text(&mut store, "a.txt", story(title, opening, "")),
        summary(1, 0, 0)
    );
    let one_word = opening.replace("Thursday", "Friday");
    let edits = [
        ("word.txt", story(title, &one_word, "")),
        (
            "appended.txt",
            story(
                title,
                &one_word,
                "\n\nDrivers will be trained over the winter.",
            ),
        ),
        (
            "typo.txt",
            story(
                "Electric Buses For the Coast Routes",
                &one_word,
                "\n\nDrivers will be trained over the winter.",
            ),
        ),
    ];
    for (name, text) in edits {
        let got = store_text(&mut store, name, text);
        assert_eq!((got.inserted, got.updated), (0, 1), "{name}");
    }
    let stored = store.items(&syndic::store::ItemQuery {
        limit: 10,
        ..Default::default()
    });
    let stored = stored.unwrap();
    assert_eq!(stored.len(), 1, "one story, updated in place");
    assert_eq!(stored[0].title, "Electric Buses For the Coast Routes");

    let other = story(
        "Night Trains Return",
        "Night trains return to the mountain line \
        after eleven years, the rail company said.",
        "",
    );
    assert_eq!(store_text(&mut store, "other.txt", other), summary(1, 0, 0));
    let same_title_new_story = story(
        "Electric Buses For the Coast Routes",
        "A second order of forty buses was placed by the city of Eastport, whose \
        own depot will be rebuilt for charging.",
        "",
    );
    assert_eq!(
        store_text(&mut store, "column.txt", same_title_new_story),
        summary(1, 0, 0),
        "one title over another story is another item"
    );
}

#[test]
fn an_article_stored_under_an_id_of_the_old_form_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("syndic.db")).unwrap();
    let path = write(dir.path(), "titled.txt", &fixture("titled-article.txt"));
    let batch = read_dump_files(&path, 1 << 20).unwrap();
    // The article as stored before ids had halves: the hash of its title
    // and text.
    let mut old = batch.items[0].clone();
    assert!(old.id.as_str().starts_with("article:"));
    old.id = syndic::model::ItemId::new(format!(
        "article:{}",
        syndic::model::ItemId::from_text(&old.title, "its text")
    ));
    store.upsert_items(&[old]).unwrap();
    let again = store.upsert_items(&batch.items).unwrap();
    assert_eq!(
        (again.inserted, again.rotated),
        (3, 1),
        "the article is not added again"
    );
}

#[test]
fn a_markdown_dump_of_endless_items_gives_its_first_max_items() {
    let source = desk();
    let list: String = (0..50_000)
        .map(|i| format!("- [Link {i}](https://example.org/{i})\n"))
        .collect();
    let text = format!("# Links\n\n{list}");
    let dump = dump_items(
        text.as_bytes(),
        &DumpMeta {
            source: &source,
            origin: "test.txt",
            fallback_date: file_date(),
            now: now(),
            max_items: 10,
        },
    )
    .unwrap();
    assert_eq!(dump.items.len(), 10);
    assert_eq!(dump.items[0].title, "Links");
    assert_eq!(dump.items[1].link.as_deref(), Some("https://example.org/0"));
    assert_eq!(dump.items[9].title, "Link 8");
}
