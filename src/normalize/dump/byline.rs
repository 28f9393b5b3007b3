//! Bylines: `By Jane Doe, Reuters`, `By Jane Doe and John Roe`, `Von Max
//! Mustermann`, `Par Marie Dupont`, `Автор: Иван Петров`. A byline is an
//! opening word and nothing but names after it, so `By the river` or
//! `Por fin llega la lluvia` stay text.

/// Words that open a byline, lower case.
const OPENERS: &[&str] = &[
    "by",
    "von",
    "par",
    "por",
    "di",
    "door",
    "автор:",
    "авторы:",
    "текст:",
    "written by",
];

/// Words that join names.
const AND: &[&str] = &["and", "und", "et", "y", "e", "en", "и", "&"];

/// News agencies named after the reporter (`By Jane Doe, Reuters`): not
/// authors.
const AGENCIES: &[&str] = &[
    "reuters",
    "ap",
    "afp",
    "dpa",
    "associated press",
    "bloomberg",
    "efe",
    "ansa",
    "tass",
    "тасс",
    "риа новости",
    "kyodo",
    "xinhua",
    "pa",
    "staff",
    "staff writer",
    "correspondent",
];

/// Longest byline, in characters.
const BYLINE_MAX: usize = 100;

/// The authors a byline names, or `None` when `line` is not a byline.
pub(super) fn byline(line: &str) -> Option<Vec<String>> {
    if line.len() > BYLINE_MAX * 4 || line.chars().count() > BYLINE_MAX {
        return None;
    }
    let lower = line.to_lowercase();
    let opener = OPENERS
        .iter()
        .find(|o| lower.starts_with(*o) && lower[o.len()..].starts_with(' '))?;
    let names = line.get(opener.len()..)?.trim();
    let mut authors = Vec::new();
    for part in names.split([',', ';', '|']) {
        let mut rest = part.trim();
        loop {
            let words: Vec<&str> = rest.split(' ').collect();
            let cut = words
                .iter()
                .position(|w| AND.contains(&w.to_lowercase().as_str()));
            let name = cut.map_or(rest.to_string(), |at| words[..at].join(" "));
            if !name.is_empty() && !AGENCIES.contains(&name.to_lowercase().as_str()) {
                if !is_name(&name) {
                    return None;
                }
                authors.push(name);
            }
            match cut {
                Some(at) => rest = rest.splitn(at + 2, ' ').last().unwrap_or_default(),
                None => break,
            }
        }
    }
    (!authors.is_empty()).then_some(authors)
}

/// One to four words, each capitalised, lower-case particles such as
/// `van` or `de` aside.
fn is_name(name: &str) -> bool {
    const PARTICLES: &[&str] = &[
        "van", "von", "de", "der", "den", "da", "del", "la", "le", "di", "bin",
    ];
    let words: Vec<&str> = name.split(' ').collect();
    (1..=4).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase) || PARTICLES.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Option<Vec<String>> {
        byline(line)
    }

    #[test]
    fn bylines_name_their_authors() {
        assert_eq!(names("By Jane Doe, Reuters").unwrap(), ["Jane Doe"]);
        assert_eq!(
            names("By Jane Doe and John Roe").unwrap(),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            names("By Ann Lee, Bo Chen and Cy Park").unwrap(),
            ["Ann Lee", "Bo Chen", "Cy Park"]
        );
        assert_eq!(names("Von Max Mustermann").unwrap(), ["Max Mustermann"]);
        assert_eq!(names("Автор: Иван Петров").unwrap(), ["Иван Петров"]);
        assert_eq!(names("Par Marie de la Tour").unwrap(), ["Marie de la Tour"]);
    }

    #[test]
    fn sentences_that_open_like_bylines_are_not() {
        for line in [
            "By the river, a new path opens",
            "Por fin llega la lluvia",
            "De nouvelles règles pour les vélos",
            "Bypass Plan Approved",
            "By",
        ] {
            assert_eq!(names(line), None, "{line}");
        }
    }
}
