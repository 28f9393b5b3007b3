//! `syndic import` end to end through the real binary: files and standard
//! input into a text source, bad files among good ones, wrong sources.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CONFIG: &str = r#"
[daemon]
database = "data/syndic.db"
max_body_kb = 4

[[source]]
name = "wire"
url = "https://example.org/wire.xml"

[[source]]
name = "desk"
kind = "text"
path = "dumps/*.txt"

[[source]]
name = "clippings"
kind = "text"
path = "clippings/*.txt"
"#;

struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, CONFIG).unwrap();
    Setup { dir, config }
}

impl Setup {
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn fixture(&self, name: &str) -> PathBuf {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/dumps")
            .join(name);
        self.file(name, &std::fs::read(path).unwrap())
    }

    fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_syndic"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("SYNDIC_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary runs");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    }

    fn titles(&self, source: &str) -> Vec<String> {
        let out = self.run(
            &["items", "--json", "--limit", "100", "--source", source],
            b"",
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn files_and_standard_input_are_imported_and_listed() {
    let s = setup();
    let titled = s.fixture("titled-article.txt");
    let headers = s.fixture("with-headers.txt");
    let stdin = b"Harvest Fair Moves to the Showground\nRiver Swim Cancelled After Heavy Rain\n";
    let out = s.run(
        &[
            "import",
            "--source",
            "desk",
            arg(&titled),
            "-",
            arg(&headers),
        ],
        stdin,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "{}: 4 new, 0 updated, 0 unchanged\nstandard input: 2 new, 0 updated, 0 unchanged\n{}: 3 new, 0 updated, 0 unchanged\n",
            titled.display(),
            headers.display()
        )
    );

    let titles = s.titles("desk");
    assert_eq!(titles.len(), 9);
    for want in [
        "Harbour Café Named Best Breakfast on the Coast",
        "River Swim Cancelled After Heavy Rain",
        "Rowing Club Opens Its Boathouse to Schools",
    ] {
        assert!(
            titles.iter().any(|t| t == want),
            "{want} missing from {titles:?}"
        );
    }
    assert!(s.titles("clippings").is_empty());

    let again = s.run(&["import", "--source", "desk", arg(&titled)], b"");
    assert_eq!(
        text(&again.stdout),
        format!("{}: 0 new, 0 updated, 4 unchanged\n", titled.display())
    );
}

#[test]
fn the_json_record_of_an_article_carries_its_paragraphs_and_header_fields() {
    let s = setup();
    let headers = s.fixture("with-headers.txt");
    let out = s.run(&["import", "--source", "desk", arg(&headers)], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = s.run(&["items", "--json", "--source", "desk"], b"");
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let article = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["link"].is_string())
        .expect("the article");
    assert_eq!(
        article["id"],
        "https://example.org/local/rowing-club-schools"
    );
    assert_eq!(article["published"], "2026-05-14T09:15:00Z");
    let undated: Vec<&serde_json::Value> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["published"])
        .filter(|p| *p != "2026-05-14T09:15:00Z")
        .collect();
    assert_eq!(
        undated,
        ["2026-05-14T09:14:59Z", "2026-05-14T09:14:58Z"],
        "headlines are shown at the header's date, in page order"
    );
    assert_eq!(article["authors"], serde_json::json!(["Local desk"]));
    let content = article["content"].as_str().unwrap();
    assert!(content.starts_with("<p>Every primary school"), "{content}");
    assert_eq!(content.matches("<p>").count(), 2);
}

#[test]
fn a_bad_file_is_reported_and_the_others_are_imported() {
    let s = setup();
    let good = s.fixture("headlines-sentence-case.txt");
    let empty = s.file("empty.txt", b"");
    let huge = s.file("huge.txt", "Another Headline Here\n".repeat(300).as_bytes());
    let missing = s.dir.path().join("missing.txt");
    let out = s.run(
        &[
            "import",
            "--source",
            "desk",
            arg(&empty),
            arg(&good),
            arg(&huge),
            arg(&missing),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for named in [&empty, &huge, &missing] {
        assert!(
            err.contains(&format!("syndic: {}:", named.display())),
            "{err}"
        );
    }
    assert!(err.contains("3 of 4 files could not be imported"), "{err}");
    assert_eq!(
        text(&out.stdout),
        format!("{}: 5 new, 0 updated, 0 unchanged\n", good.display())
    );
    assert_eq!(s.titles("desk").len(), 5);
}

#[test]
fn only_a_configured_text_source_is_accepted() {
    let s = setup();
    let good = s.fixture("short-paragraphs.txt");
    for (source, why) in [
        ("nowhere", "no source named `nowhere`"),
        ("wire", "source `wire` is a feed source, not a text one"),
    ] {
        let out = s.run(&["import", "--source", source, arg(&good)], b"");
        assert_eq!(out.status.code(), Some(2), "{source}");
        let err = text(&out.stderr);
        assert!(err.contains(why), "{err}");
        assert!(err.contains("text sources: desk, clippings"), "{err}");
    }
    assert!(
        !s.dir.path().join("data/syndic.db").exists(),
        "no database for a refused import"
    );
}
