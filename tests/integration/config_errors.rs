//! Each config rule refuses a bad file with the file, line and column.

use std::path::Path;

use syndic::config::{Config, ConfigError, Location};

const SOURCE: &str =
    "[[source]]\nname = \"a\"\nurl = \"https://example.org/a.xml\"\ntags = [\"world\"]\n";

/// Parses `text` and returns the error's line and its full message,
/// failing if the text was accepted.
fn error_of(text: &str) -> (usize, String) {
    match Config::parse(Path::new("conf/feeds.toml"), text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(ConfigError::Invalid(located)) => {
            let line = located.line;
            let shown = ConfigError::Invalid(located).to_string();
            assert!(
                shown.starts_with(&format!("conf/feeds.toml:{line}:")),
                "{shown}"
            );
            (line, shown)
        }
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

fn assert_error(text: &str, line: usize, needle: &str) {
    let (got_line, shown) = error_of(text);
    assert_eq!(got_line, line, "wrong line in: {shown}");
    assert!(shown.contains(needle), "`{needle}` missing from: {shown}");
}

#[test]
fn shipped_config_is_valid() {
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"))
        .expect("shipped feeds.toml checks clean");
    assert!(config.sources.len() >= 3);
    assert!(config
        .sources
        .iter()
        .any(|s| s.kind == syndic::model::SourceKind::Text));
    assert!(!config.outputs.is_empty());
}

#[test]
fn unknown_keys_are_errors() {
    assert_error(
        &format!("{SOURCE}intervl = \"5m\"\n"),
        5,
        "unknown field `intervl`",
    );
    assert_error("[daemon]\nport = 80\n", 2, "unknown field `port`");
    assert_error("[deamon]\n", 1, "unknown field `deamon`");
}

#[test]
fn allow_private_is_a_boolean_off_by_default() {
    let parse = |text: &str| Config::parse(Path::new("conf/feeds.toml"), text).unwrap();
    assert!(!parse(SOURCE).sources[0].allow_private);
    assert!(parse(&format!("{SOURCE}allow_private = true\n")).sources[0].allow_private);
    let (line, shown) = error_of(&format!("{SOURCE}allow_private = \"yes\"\n"));
    assert_eq!(line, 5, "{shown}");
    assert!(shown.contains("conf/feeds.toml:5:17:"), "{shown}");
    assert!(shown.contains("expected a boolean"), "{shown}");
    assert_error(
        &format!("{SOURCE}allow_privat = true\n"),
        5,
        "unknown field `allow_privat`",
    );
}

#[test]
fn syntax_errors_point_at_the_line() {
    assert_error("[daemon]\nlisten = \"127.0.0.1:8080\n", 2, "");
    assert_error("\n\n[[source]\n", 3, "");
}

#[test]
fn durations_are_checked() {
    assert_error(
        &format!("{SOURCE}interval = \"5 minutes\"\n"),
        5,
        "`90s`, `15m`",
    );
    assert_error(&format!("{SOURCE}interval = 15\n"), 5, "");
    // At the key at fault, not at the source's name.
    assert_error(&format!("{SOURCE}interval = \"10s\"\n"), 5, "too short");
    assert_error("[daemon]\n\ninterval = \"2s\"\n", 3, "too short");
    assert_error("[daemon]\nmax_age = \"7w\"\n", 2, "invalid duration `7w`");
}

#[test]
fn names_must_be_unique_and_well_formed() {
    assert_error(&format!("{SOURCE}{SOURCE}"), 6, "duplicate source name `a`");
    assert_error(
        "[[source]]\nname = \"a b\"\nurl = \"https://x.org\"\n",
        2,
        "invalid name",
    );
    let output = "[[output]]\nname = \"o\"\nsources = [\"a\"]\n";
    assert_error(
        &format!("{SOURCE}{output}{output}"),
        9,
        "duplicate output name `o`",
    );
}

#[test]
fn renamed_from_names_a_source_that_is_gone_and_only_once() {
    let renamed = |name: &str, old: &str| {
        format!(
            "[[source]]\nname = \"{name}\"\nurl = \"https://x.org\"\nrenamed_from = \"{old}\"\n"
        )
    };
    let config = Config::parse(Path::new("feeds.toml"), &renamed("b", "old")).unwrap();
    let source = config.source("b").unwrap();
    assert_eq!(source.renamed_from.as_ref().unwrap().as_str(), "old");
    assert!(Config::parse(Path::new("feeds.toml"), SOURCE)
        .unwrap()
        .renames()
        .is_empty());

    assert_error(
        &format!("{SOURCE}{}", renamed("b", "a")),
        8,
        "a source of that name still exists",
    );
    assert_error(
        &format!("{}{SOURCE}", renamed("b", "a")),
        4,
        "a source of that name still exists",
    );
    assert_error(&renamed("b", "b"), 4, "`renamed_from` itself");
    assert_error(
        &format!("{}{}", renamed("b", "old"), renamed("c", "old")),
        8,
        "sources `b` and `c` are both `renamed_from = \"old\"`",
    );
    assert_error(&renamed("b", "no way"), 4, "invalid name");
}

#[test]
fn a_source_needs_exactly_one_location() {
    assert_error("[[source]]\nname = \"a\"\n", 2, "neither `url` nor `path`");
    assert_error(
        "[[source]]\nname = \"a\"\nurl = \"https://x.org\"\npath = \"x\"\n",
        3,
        "both `url` and `path`",
    );
    assert_error(
        "[[source]]\nname = \"a\"\nurl = \"ftp://x.org/f\"\n",
        3,
        "scheme `ftp`",
    );
    assert_error(
        "[[source]]\nname = \"a\"\nurl = \"not a url\"\n",
        3,
        "not a valid URL",
    );
}

#[test]
fn outputs_refer_only_to_existing_sources_and_tags() {
    assert_error(
        &format!("{SOURCE}[[output]]\nname = \"o\"\nsources = [\"a\", \"missing\"]\n"),
        7,
        "source `missing`",
    );
    assert_error(
        &format!("{SOURCE}[[output]]\nname = \"o\"\ntags = [\"sport\"]\n"),
        7,
        "tag `sport`",
    );
    assert_error(
        &format!("{SOURCE}[[output]]\nname = \"o\"\n"),
        6,
        "selects nothing",
    );
}

#[test]
fn prefer_names_sources_the_output_reads() {
    let other = "[[source]]\nname = \"b\"\nurl = \"https://example.org/b.xml\"\n";
    assert_error(
        &format!("{SOURCE}{other}[[output]]\nname = \"o\"\nsources = [\"a\"]\nprefer = [\"zz\"]\n"),
        11,
        "source `zz`, which no [[source]] defines",
    );
    assert_error(
        &format!("{SOURCE}{other}[[output]]\nname = \"o\"\nsources = [\"a\"]\nprefer = [\"b\"]\n"),
        11,
        "prefers source `b`, which it does not read",
    );
    let by_tag = format!("{SOURCE}{other}[[output]]\nname = \"o\"\nsources = [\"b\"]\ntags = [\"world\"]\nprefer = [\"a\", \"b\"]\n");
    let config = Config::parse(Path::new("conf/feeds.toml"), &by_tag).unwrap();
    let prefer: Vec<&str> = config.outputs[0]
        .prefer
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(prefer, ["a", "b"]);
}

#[test]
fn patterns_must_compile() {
    assert_error(
        &format!(
            "{SOURCE}[[output]]\nname = \"o\"\nsources = [\"a\"]\nexclude = [\"ok\", \"(open\"]\n"
        ),
        8,
        "invalid regular expression `(open`",
    );
}

#[test]
fn field_patterns_are_checked_at_their_line() {
    let out = "[[output]]\nname = \"o\"\nsources = [\"a\"]\n";
    assert_error(
        &format!("{SOURCE}{out}include = [\n  \"ok\",\n  \"title:(open\",\n]\n"),
        10,
        "invalid regular expression `(open` (after `title:`)",
    );
    assert_error(
        &format!("{SOURCE}{out}exclude = [\"authors:Jane\"]\n"),
        8,
        "`authors:` is not a field",
    );
}

#[test]
fn numbers_are_range_checked() {
    let out = "[[output]]\nname = \"o\"\nsources = [\"a\"]\n";
    assert_error(&format!("{SOURCE}{out}limit = 0\n"), 8, "`limit`");
    assert_error("[daemon]\nconcurrency = 0\n", 2, "`concurrency`");
    assert_error("[daemon]\nlisten = \"localhost\"\n", 2, "127.0.0.1:8080");
    assert_error(
        "[daemon]\nbase_url = \"feeds.example.org\"\n",
        2,
        "base_url",
    );
}

#[test]
fn paths_resolve_against_the_config_folder() {
    let text = "[daemon]\ndatabase = \"state/s.db\"\n[[source]]\nname = \"d\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n[[source]]\nname = \"f\"\nurl = \"file:///srv/feed.xml\"\n";
    let config = Config::parse(Path::new("/etc/syndic/feeds.toml"), text).expect("valid");
    assert_eq!(config.daemon.database, Path::new("/etc/syndic/state/s.db"));
    assert_eq!(
        config.sources[0].location,
        Location::Path("/etc/syndic/dumps/*.txt".into())
    );
    assert_eq!(
        config.sources[1].location,
        Location::Path("/srv/feed.xml".into())
    );
}

#[test]
fn defaults_fill_what_is_unsaid() {
    let config = Config::parse(Path::new("feeds.toml"), SOURCE).expect("valid");
    assert_eq!(config.daemon.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.sources[0].interval, config.daemon.interval);
    assert_eq!(
        config.daemon.public_url("/opml"),
        "http://127.0.0.1:8080/opml"
    );
}

#[test]
fn a_missing_secret_names_the_source_and_what_to_set() {
    let var = "SYNDIC_TEST_TOKEN_NEVER_SET";
    let (line, shown) = error_of(&format!("{SOURCE}auth = {{ bearer_env = \"{var}\" }}\n"));
    assert_eq!(line, 5, "{shown}");
    assert!(shown.contains("conf/feeds.toml:5:8:"), "{shown}");
    assert!(
        shown.contains(&format!(
            "source `a`: auth: environment variable `{var}` is not set: it should hold the bearer token (or use `bearer_file`"
        )),
        "{shown}"
    );
    assert_error(
        &format!("{SOURCE}auth = {{ basic_user = \"me\", password_file = \"no/such/file\" }}\n"),
        5,
        "conf/no/such/file` cannot be read",
    );
}

#[test]
fn auth_takes_one_kind_of_credentials_from_one_place() {
    let cases = [
        ("auth = { basic_user = \"me\" }", "add `password_env"),
        (
            "auth = { bearer_env = \"A\", bearer_file = \"b\" }",
            "both `bearer_env` and `bearer_file`",
        ),
        (
            "auth = { basic_user = \"me\", password_env = \"A\", bearer_env = \"B\" }",
            "keep one kind",
        ),
        ("auth = { password_env = \"A\" }", "without `basic_user`"),
        ("auth = { }", "write `{ bearer_env"),
        (
            "auth = { bearer = \"inline-secret\" }",
            "unknown field `bearer`",
        ),
    ];
    for (line, needle) in cases {
        assert_error(&format!("{SOURCE}{line}\n"), 5, needle);
    }
}

#[test]
fn headers_syndic_sets_or_that_are_hop_by_hop_are_refused() {
    for (name, why) in [
        (
            "Authorization",
            "carries credentials, which belong in `auth",
        ),
        ("authorization", "carries credentials"),
        ("Host", "set by syndic from the url"),
        ("Content-Length", "request body"),
        ("If-None-Match", "conditional GET"),
        ("If-Modified-Since", "conditional GET"),
        ("Accept-Encoding", "decodes gzip"),
        ("User-Agent", "`user_agent = "),
        ("Connection", "hop-by-hop"),
        ("Transfer-Encoding", "hop-by-hop"),
        ("Upgrade", "hop-by-hop"),
    ] {
        let (line, shown) = error_of(&format!(
            "{SOURCE}headers = {{ \"X-Ok\" = \"1\", \"{name}\" = \"v\" }}\n"
        ));
        assert_eq!(line, 5, "{shown}");
        assert!(
            shown.contains(&format!("source `a`: header `{name}` ")) && shown.contains(why),
            "{shown}"
        );
    }
    assert_error(
        &format!("{SOURCE}headers = {{ \"Bad Name\" = \"v\" }}\n"),
        5,
        "`Bad Name` is not a valid header name",
    );
    assert_error(
        &format!("{SOURCE}headers = {{ \"X-Key\" = \"a\\nb\" }}\n"),
        5,
        "one line of printable text",
    );
    assert_error(
        &format!("{SOURCE}headers = {{ \"X-Key\" = \"a\", \"x-key\" = \"b\" }}\n"),
        5,
        "given twice",
    );
    assert_error(&format!("{SOURCE}user_agent = \"\"\n"), 5, "`user_agent`");
    let config = Config::parse(
        Path::new("conf/feeds.toml"),
        &format!("{SOURCE}headers = {{ \"Accept\" = \"application/json\" }}\n"),
    )
    .expect("a source may say what it accepts");
    assert_eq!(config.sources[0].http.headers.len(), 1);
}

#[test]
fn http_options_apply_to_urls_only() {
    assert_error(
        "[[source]]\nname = \"f\"\npath = \"feed.xml\"\n\nhttp2 = false\n",
        5,
        "source `f` reads a file",
    );
}
