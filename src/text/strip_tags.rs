//! Plain text made safe to show where a reader may take it for HTML: a
//! title in plain text (a JSON Feed title, a dump line, an RSS title
//! escaped twice) can still hold markup, and feed readers that render
//! titles as HTML would run it.

use super::tag::Tag;

/// `text` without its tag-shaped fragments, whitespace collapsed. A tag,
/// comment or declaration goes, a script's or style's content with it, and
/// one left open runs to the end; a `<` that opens nothing (`a < b`, `5<6`,
/// `<3`) stays. One pass, linear in the length of `text`.
pub fn strip_tags(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        keep(&mut kept, &rest[..open]);
        rest = &rest[open..];
        rest = match Tag::read(rest) {
            Some(tag) => tag.skip_content(tag.rest),
            None => {
                keep(&mut kept, "<");
                &rest[1..]
            }
        };
    }
    keep(&mut kept, rest);
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Appends `piece` to `kept`. A kept `<` and a piece that starts as a tag
/// name would make a new tag once the fragment between them is gone
/// (`<<b>img …>`), so a space keeps them apart.
fn keep(kept: &mut String, piece: &str) {
    if kept.ends_with('<') && piece.starts_with(opens_markup) {
        kept.push(' ');
    }
    kept.push_str(piece);
}

/// Whether a `<` before `c` could open markup, in any reading of it.
fn opens_markup(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn payloads_are_removed() {
        for (payload, left) in [
            ("a<script>alert(1)</script>b", "ab"),
            ("a <SCRIPT type='x>y'>alert('</p>')</script >b", "a b"),
            ("<img src=x onerror=alert(1)>news", "news"),
            ("<svg/onload=alert(1)>news", "news"),
            ("news <iframe src=javascript:alert(1)", "news"),
            ("x<!-- <script>alert(1)</script> -->y", "xy"),
            ("x<!DOCTYPE html>y<?xml version='1.0'?>z", "xyz"),
            ("<style>*{background:url(x)}</style>ok", "ok"),
            ("a</3 onerror=x>b", "ab"),
            ("<details open ontoggle=alert(1)>open</details>", "open"),
            ("<a href=\"x\" title='>'>link</a>", "link"),
        ] {
            assert_eq!(strip_tags(payload), left, "{payload}");
        }
    }

    #[test]
    fn ordinary_text_stays() {
        for text in [
            "a < b",
            "5<6",
            "AT&T",
            "I <3 N.Y.",
            "x << y >> z",
            "Fish &amp; chips",
            "1 <= 2 & 3 > 2",
            "ends with <",
            "<",
            "Café ✓ 𝄞",
        ] {
            assert_eq!(strip_tags(text), text);
        }
    }

    #[test]
    fn removal_never_joins_pieces_into_a_tag() {
        assert_eq!(
            strip_tags("<<b>img src=x onerror=alert(1)>"),
            "< img src=x onerror=alert(1)>"
        );
        assert_eq!(strip_tags("<<!-- -->script>"), "< script>");
        assert_eq!(strip_tags("1<<i></i>/p>"), "1< /p>");
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(strip_tags("  one\t<b>two</b>\n three  "), "one two three");
    }

    proptest! {
        /// Whatever goes in, no `<` that could open markup comes out, and
        /// text without `<` is only collapsed.
        #[test]
        fn no_markup_survives(text in r#"([<>/!?'"= a-zA-Z0-9-]|<script>|</script>|<!--|-->){0,60}"#) {
            let stripped = strip_tags(&text);
            let mut chars = stripped.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '<' {
                    prop_assert!(!chars.peek().copied().is_some_and(opens_markup), "{text:?} → {stripped:?}");
                }
            }
            if !text.contains('<') {
                prop_assert_eq!(stripped, text.split_whitespace().collect::<Vec<_>>().join(" "));
            }
        }

        #[test]
        fn stripping_twice_changes_nothing(text in r#"([<>/!'"= a-z]|<script>|</script>){0,60}"#) {
            let once = strip_tags(&text);
            prop_assert_eq!(strip_tags(&once), once.clone());
        }
    }
}
