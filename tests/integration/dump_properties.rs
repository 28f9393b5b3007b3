//! Properties of the dump normalizer over generated input: nothing panics,
//! every item has a title, ids are unique and the same every time, and
//! line ends do not matter.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use syndic::model::{Item, SourceName};
use syndic::normalize::dump::{dump_items, DumpError, DumpMeta};

fn run(bytes: &[u8]) -> Result<Vec<Item>, DumpError> {
    let source = SourceName::new("prop").unwrap();
    let date = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    dump_items(
        bytes,
        &DumpMeta {
            source: &source,
            origin: "generated.txt",
            fallback_date: date,
            now: date,
            max_items: usize::MAX,
        },
    )
    .map(|dump| dump.items)
}

fn check_items(items: &[Item]) -> Result<(), TestCaseError> {
    prop_assert!(!items.is_empty(), "a dump that is accepted has items");
    let mut ids = std::collections::HashSet::new();
    for item in items {
        prop_assert!(!item.title.trim().is_empty(), "empty title in {item:?}");
        prop_assert!(ids.insert(item.id.clone()), "duplicate id {}", item.id);
    }
    Ok(())
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .replace(['“', '”'], "\"")
        .replace(['‘', '’'], "'")
        .replace(['–', '—'], "-")
}

/// Lower-case words of letters and digits, in order.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,9}",
        "[A-Z][a-z]{0,9}",
        "[A-Z]\\.[A-Z]\\.",
        "[a-z]{2,8}[.,;:!?]",
        "[\"“‘(]?[A-Za-zéüß’]{1,8}[\"”’)]?",
        "[0-9$£€%]{1,5}",
        "[-–—…&<>*#]",
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(word(), 1..40).prop_map(|w| w.join(" ")),
        2 => Just(String::new()),
        1 => "(Title|Link|Date|Author|title|DATE) ?: ?[ -~]{0,30}",
        1 => Just("Link: https://example.org/a".to_string()),
        1 => Just("Date: 2026-02-03".to_string()),
        1 => "[ \t\u{a0}]{0,4}",
    ]
}

fn document() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(line(), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(items) = run(&bytes) {
            check_items(&items)?;
            prop_assert_eq!(run(&bytes).unwrap(), items);
        }
    }

    #[test]
    fn line_structured_text_gives_titled_stable_items(lines in document()) {
        let text = lines.join("\n");
        match run(text.as_bytes()) {
            Ok(items) => {
                check_items(&items)?;
                let again = run(text.as_bytes()).unwrap();
                let ids = |items: &[Item]| items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
                prop_assert_eq!(ids(&again), ids(&items));
                prop_assert_eq!(run(text.replace('\n', "\r\n").as_bytes()).unwrap(), items.clone());
                prop_assert_eq!(run(text.replace('\n', "\r").as_bytes()).unwrap(), items);
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(message.starts_with("generated.txt"), "{}", message);
            }
        }
    }

    #[test]
    fn prose_and_headlines_around_each_other_never_lose_a_line(
        lines in prop::collection::vec(prop::collection::vec(word(), 1..30).prop_map(|w| w.join(" ")), 1..20),
    ) {
        // Without blank lines or headers every line is a headline, a
        // paragraph or part of a wrapped one, so its words are found again,
        // in order, in some item (list markers and markup aside).
        let is_header = |l: &str| l.split_once(':').is_some_and(|(k, _)| {
            ["title", "link", "date", "author"].contains(&k.trim().to_lowercase().as_str())
        });
        prop_assume!(!is_header(&lines[0]));
        prop_assume!(lines.iter().any(|l| l.chars().any(char::is_alphanumeric)));
        // Three capitalised lines of a word or two in a row are a menu,
        // which is dropped by design.
        let menu_entry = |l: &String| l.split(' ').count() <= 2 && l.starts_with(char::is_uppercase);
        prop_assume!(!lines.windows(3).any(|w| w.iter().all(menu_entry)));
        let text = lines.join("\n");
        let items = run(text.as_bytes()).unwrap();
        let item_words: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                let all = format!(
                    "{} {} {}",
                    i.title,
                    i.summary.as_deref().unwrap_or_default(),
                    i.content.as_deref().unwrap_or_default()
                );
                words(&html_escape::decode_html_entities(&all))
            })
            .collect();
        for line in &lines {
            let want = words(line);
            if want.is_empty() {
                continue;
            }
            let found = item_words
                .iter()
                .any(|have| have.windows(want.len()).any(|w| w == want.as_slice()));
            prop_assert!(found, "line {:?} lost in {:?}", line, items);
        }
    }
}
