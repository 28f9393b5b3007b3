//! `opml import` and `opml export` through the real binary.

use crate::support::syndic;

const CONFIG: &str = r#"# my feeds — keep this comment
[daemon]
database = "s.db"

[[source]]
name = "existing"            # trailing comment
url = "https://example.org/a.xml"

[[output]]
name = "all"
sources = ["existing"]
"#;

const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Reader export</title></head><body>
  <outline text="Folder">
    <outline text="Already here" type="rss" xmlUrl="https://example.org/a.xml"/>
    <outline text="Night &amp; Day News!" type="rss" xmlUrl="https://news.example.net/feed"/>
  </outline>
  <outline title="Night &amp; Day News!" xmlUrl="https://other.example.net/rss"/>
  <outline text="Gopher" xmlUrl="gopher://old.example/feed"/>
</body></opml>"#;

/// A folder with the shared config and `opml` as `subs.opml`: the
/// folder, the config's path and the list's path.
fn with_list(opml: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let list = dir.path().join("subs.opml");
    std::fs::write(&config, CONFIG).unwrap();
    std::fs::write(&list, opml).unwrap();
    (dir, config, list)
}

#[test]
fn import_appends_new_feeds_and_keeps_comments() {
    let (_dir, config, opml) = with_list(OPML);

    let out = syndic(&config, &["opml", "import", opml.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("2 added, 2 skipped"), "{stdout}");

    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("# my feeds — keep this comment\n"));
    assert!(text.contains("name = \"existing\"            # trailing comment"));
    assert!(text.contains("name = \"night-day-news\""), "{text}");
    assert!(text.contains("name = \"night-day-news-2\""), "{text}");
    assert_eq!(syndic(&config, &["check"]).status.code(), Some(0));

    let again = syndic(&config, &["opml", "import", opml.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 added, 4 skipped"));
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        text,
        "nothing rewritten"
    );

    let export = syndic(&config, &["opml", "export"]);
    let exported = String::from_utf8_lossy(&export.stdout);
    // Three feeds, two of them in the folder their tag names.
    assert_eq!(exported.matches("<outline ").count(), 4, "{exported}");
    let parsed = syndic::opml::read(&exported).unwrap();
    assert!(parsed
        .iter()
        .any(|s| s.xml_url == "https://news.example.net/feed"));
}

#[test]
fn import_flags_private_network_urls_and_still_adds_them() {
    let (_dir, config, opml) = with_list(
        r#"<opml version="2.0"><body>
  <outline text="Metadata" xmlUrl="http://169.254.169.254/latest/meta-data/"/>
  <outline text="Admin" xmlUrl="http://localhost:8080/admin.rss"/>
  <outline text="Router" xmlUrl="http://[fd00::1]/feed"/>
  <outline text="Public" xmlUrl="https://news.example.net/feed"/>
</body></opml>"#,
    );
    let out = syndic(&config, &["opml", "import", opml.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 added"));
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8080/admin.rss",
        "http://[fd00::1]/feed",
    ] {
        assert!(
            stderr.contains(&format!("private-network url ({url})")),
            "{url}: {stderr}"
        );
    }
    assert!(!stderr.contains("news.example.net"), "{stderr}");
    assert_eq!(stderr.matches("warning").count(), 3, "{stderr}");
}

#[test]
fn import_of_a_broken_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let opml = dir.path().join("broken.opml");
    std::fs::write(&config, CONFIG).unwrap();
    std::fs::write(&opml, "<html><body>not a subscription list</body></html>").unwrap();
    let out = syndic(&config, &["opml", "import", opml.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.opml"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), CONFIG);
}

#[test]
fn folders_and_categories_become_tags_and_export_groups_by_them() {
    let (_dir, config, opml) = with_list(
        r#"<opml version="2.0"><body>
  <outline text="Café Öffentlich">
    <outline text="Stadt">
      <outline text="Rathaus Nachrichten" xmlUrl="https://rathaus.example/feed" category="/Lokal/Politik"/>
    </outline>
    <outline text="Café Öffentlich" xmlUrl="https://cafe.example/rss"/>
  </outline>
  <outline text="Loose" xmlUrl="https://loose.example/rss"/>
</body></opml>"#,
    );
    let out = syndic(&config, &["opml", "import", opml.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed = syndic::config::Config::load(&config).unwrap();
    let tags = |name: &str| {
        parsed
            .source(name)
            .unwrap_or_else(|| panic!("no source {name}"))
            .tags
            .clone()
    };
    assert_eq!(
        tags("rathaus-nachrichten"),
        ["café-öffentlich", "stadt", "lokal", "politik"]
    );
    assert_eq!(tags("café-öffentlich"), ["café-öffentlich"]);
    assert!(tags("loose").is_empty());

    let export = syndic(&config, &["opml", "export"]);
    let exported = String::from_utf8_lossy(&export.stdout);
    let folder = exported
        .find("<outline text=\"café-öffentlich\"")
        .unwrap_or_else(|| panic!("no folder for the tag: {exported}"));
    let close = exported[folder..].find("</outline>").unwrap() + folder;
    let inside = &exported[folder..close];
    assert!(
        inside.contains("https://rathaus.example/feed"),
        "{exported}"
    );
    assert!(inside.contains("https://cafe.example/rss"), "{exported}");
    assert!(!inside.contains("loose.example"), "{exported}");
    // Read back, every source keeps all its tags.
    let back = syndic::opml::read(&exported).unwrap();
    let rathaus = back
        .iter()
        .find(|s| s.xml_url == "https://rathaus.example/feed")
        .unwrap();
    assert_eq!(
        rathaus.tags,
        ["café-öffentlich", "stadt", "lokal", "politik"]
    );
}
