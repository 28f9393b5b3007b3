//! What each unit is to a reader: prose, a title-like line, a list item,
//! a byline, a date, a URL, or furniture.
//!
//! Prose and titles are told apart by several independent signals — a
//! line's length, how it ends, how many sentences it holds, how many of
//! its words are capitalised — each voting "prose", "title" or
//! abstaining, so no single signal decides: a headline ending in `?`, a
//! list in sentence case or an article of short paragraphs still come out
//! right. Menus are found by structure: a run of one- and two-word lines.

use chrono::{DateTime, Utc};

use super::blocks::{Mark, Unit};
use super::byline::byline;
use super::cjk;
use super::dates::line_date;
use super::furniture::{furniture, is_nav_entry, Furniture, NAV_RUN, NAV_RUN_MAX};
use super::sentences::inner_breaks;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Role {
    /// Navigation, sharing, advertising, credits, footers: dropped.
    Chrome,
    /// Heads a list of headlines.
    SectionLabel,
    /// Heads links to other pages.
    RelatedLabel,
    Byline(Box<[String]>),
    Date(DateTime<Utc>),
    /// A URL on a line of its own.
    Url,
    /// A Markdown heading of this level.
    Heading(u8),
    /// A short line that reads as a title: an article's title, a
    /// headline or a subhead, as the layout decides.
    Title,
    Prose,
    /// A list item: a headline or a point in an article.
    Bullet,
}

/// The role of each unit; `now` is the time relative dates count from.
pub(super) fn roles(units: &[Unit<'_>], now: DateTime<Utc>) -> Vec<Role> {
    let mut roles: Vec<Role> = units.iter().map(|u| role(u, now)).collect();
    mark_menus(units, &mut roles);
    roles
}

fn role(unit: &Unit<'_>, now: DateTime<Utc>) -> Role {
    if unit.is_url() {
        return Role::Url;
    }
    match furniture(&unit.text) {
        Some(Furniture::Chrome) => return Role::Chrome,
        Some(Furniture::SectionLabel) => return Role::SectionLabel,
        Some(Furniture::RelatedLabel) => return Role::RelatedLabel,
        None => {}
    }
    if let Some(authors) = byline(&unit.text) {
        return Role::Byline(authors.into_boxed_slice());
    }
    if let Some(date) = line_date(&unit.text, now) {
        return Role::Date(date);
    }
    match unit.mark {
        Mark::Heading(level) => Role::Heading(level),
        Mark::Bullet => Role::Bullet,
        Mark::Paragraph => Role::Prose,
        Mark::Emphasized => Role::Title,
        Mark::Plain if is_prose(&unit.text) => Role::Prose,
        Mark::Plain => Role::Title,
    }
}

/// Makes the title-like lines of the first block text: a `Title:` or
/// `Link:` header says the dump holds an article, whatever its lines look
/// like.
pub(super) fn as_article_text(units: &[Unit<'_>], roles: &mut [Role]) {
    let first_block = 1 + units.iter().skip(1).take_while(|u| !u.opens_block).count();
    for role in roles.iter_mut().take(first_block) {
        if matches!(role, Role::Title | Role::Bullet) {
            *role = Role::Prose;
        }
    }
}

/// Runs of [`NAV_RUN`] to [`NAV_RUN_MAX`] menu-sized title lines are a
/// menu.
fn mark_menus(units: &[Unit<'_>], roles: &mut [Role]) {
    let mut start = 0;
    while start < units.len() {
        let is_entry = |i: usize| {
            matches!(roles[i], Role::Title | Role::Chrome) && is_nav_entry(&units[i].text)
        };
        let len = (start..units.len()).take_while(|&i| is_entry(i)).count();
        if (NAV_RUN..=NAV_RUN_MAX).contains(&len) {
            roles[start..start + len].fill(Role::Chrome);
        }
        start += len.max(1);
    }
}

/// A line this long is a paragraph whatever else it looks like.
const PARAGRAPH_CHARS: usize = 200;
const PARAGRAPH_WORDS: usize = 35;

/// Lines this long lean towards prose …
const LONG_CHARS: usize = 160;
const LONG_WORDS: usize = 24;
/// … and lines this short towards titles.
const SHORT_CHARS: usize = 130;
const SHORT_WORDS: usize = 18;

/// A line whose signals cancel out is prose when it ends with a period,
/// or from this many words on: a long sentence-case headline has none.
const UNDECIDED_PARAGRAPH_WORDS: usize = LONG_WORDS;

/// CJK lines without a sentence end are titles up to this many
/// characters.
const CJK_TITLE_CHARS: usize = 60;

/// Whether a plain line reads as prose rather than as a title.
pub(super) fn is_prose(line: &str) -> bool {
    if cjk::is_cjk_text(line) {
        return line.chars().any(cjk::is_sentence_end) || line.chars().count() > CJK_TITLE_CHARS;
    }
    // Titles do not end in a colon; a lead-in to a list does.
    if matches!(last_char(line), Some(':' | ',' | ';')) {
        return true;
    }
    match lean(line) {
        0 => {
            (line.ends_with('.') && !line.ends_with("..."))
                || word_count(line) >= UNDECIDED_PARAGRAPH_WORDS
        }
        votes => votes > 0,
    }
}

/// The votes on one line: positive for prose, negative for a title.
fn lean(line: &str) -> i32 {
    let chars = line.chars().count();
    let words = word_count(line);
    if chars >= PARAGRAPH_CHARS || words >= PARAGRAPH_WORDS {
        return 5;
    }
    let mut votes = 0;
    if chars >= LONG_CHARS || words >= LONG_WORDS {
        votes += 1;
    } else if chars <= SHORT_CHARS && words <= SHORT_WORDS {
        votes -= 1;
    }
    votes += match last_char(line) {
        Some('.') if !line.ends_with("...") => 1,
        Some(c) if c.is_alphanumeric() => -1,
        _ => 0,
    };
    if !inner_breaks(line).is_empty() {
        votes += 1;
    }
    votes += match capital_share(line) {
        Some(s) if s >= 0.75 => -1,
        Some(s) if s <= 0.4 => 1,
        _ => 0,
    };
    votes
}

pub(super) fn word_count(line: &str) -> usize {
    line.split(' ').count()
}

/// The last character that is not a closing quote or bracket.
fn last_char(line: &str) -> Option<char> {
    line.trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']', '\u{bb}'])
        .chars()
        .next_back()
}

/// Share of capitalised words among those after the first that are long
/// enough to matter (short ones such as "of" and "to" stay lower case even
/// in titles); `None` with fewer than two such words.
pub(super) fn capital_share(line: &str) -> Option<f64> {
    let significant: Vec<char> = line
        .split(' ')
        .skip(1)
        .filter_map(|w| {
            let w = w.trim_start_matches(|c: char| !c.is_alphanumeric());
            let first = w.chars().next()?;
            (first.is_alphabetic() && w.chars().count() >= 4).then_some(first)
        })
        .collect();
    if significant.len() < 2 {
        return None;
    }
    let capitals = significant.iter().filter(|c| c.is_uppercase()).count();
    Some(capitals as f64 / significant.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_prose_are_told_apart() {
        for title in [
            "Council Approves New Cycle Lanes",
            "Council approves new cycle lanes by the river",
            "Will the harbour reopen before spring?",
            "Government confirms it will raise the minimum wage by more than inflation for the third year in a row",
            "杭州地铁新线路正式开通运营",
        ] {
            assert!(!is_prose(title), "{title}");
        }
        for prose in [
            "The café reopened this week after a long refurbishment.",
            "The survey found two shipwrecks and a reef unknown to fishermen.",
            "The plan includes:",
            "新线路将城北多个居住区与市中心连接起来。",
            &"word ".repeat(40),
        ] {
            assert!(is_prose(prose.trim()), "{prose}");
        }
    }

    #[test]
    fn a_run_of_short_lines_is_a_menu() {
        let units: Vec<Unit<'_>> = ["World", "Business", "Sport", "Storm Hits the Coast"]
            .into_iter()
            .map(|t| Unit::plain(t.into(), Mark::Plain))
            .collect();
        let got = roles(&units, DateTime::<Utc>::UNIX_EPOCH);
        assert_eq!(got, [Role::Chrome, Role::Chrome, Role::Chrome, Role::Title]);
    }
}
