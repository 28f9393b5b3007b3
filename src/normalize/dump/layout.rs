//! From units and their roles to stories: which units make one article,
//! which lines are headlines of their own, and what is left out.
//!
//! Prose opens an article or goes on with the open one. A title line
//! followed by prose (bylines and dates may stand between) opens a new
//! article — unless it is a subhead: a short line inside a story that
//! plainly continues (no byline or date of its own, and the prose after it
//! shares words with the story so far). A title followed by a single
//! sentence and then no more prose is a headline with its standfirst.
//! Title lines with no prose after them are headlines, as are list items
//! outside an article; list items inside an article (after a lead-in
//! ending in `:`, or with the article's prose going on after them) are
//! points of it. Furniture is skipped without closing the article it
//! interrupts, and a "related" list after an article is skipped whole.
//!
//! Stories own their units, taken from the list as they are laid out:
//! the layout only ever looks ahead, and once a story is made into an
//! item its text can go, so a dump of thousands of stories never holds
//! all their text twice.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::blocks::{Mark, Unit};
use super::cjk;
use super::roles::{word_count, Role};
use super::sentences::inner_breaks;

/// A part of an article's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Content<'a> {
    Paragraph(Unit<'a>),
    Subhead(Unit<'a>),
    /// A point of a bulleted list.
    Point(Unit<'a>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Meta {
    pub link: Option<String>,
    pub authors: Vec<String>,
    pub date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Story<'a> {
    Article {
        title: Option<Unit<'a>>,
        content: Vec<Content<'a>>,
        meta: Meta,
    },
    Headline {
        title: Unit<'a>,
        standfirst: Option<Unit<'a>>,
        meta: Meta,
    },
}

impl Story<'_> {
    fn meta_mut(&mut self) -> &mut Meta {
        match self {
            Story::Article { meta, .. } | Story::Headline { meta, .. } => meta,
        }
    }
}

/// A subhead is a title line of at most this many words.
const SUBHEAD_WORDS: usize = 10;

/// Words the prose after a subhead shares with the story so far, at
/// least this many and this share of its own: two wire stories share a
/// dateline's words (`Reuters`, `Monday`), a story and its next section
/// share what it is about.
const TOPIC_OVERLAP: usize = 2;
const TOPIC_SHARE: f64 = 0.25;

/// A standfirst is one sentence of at most this many words.
const STANDFIRST_WORDS: usize = 45;

/// The stories of `units`, in page order, handed to `emit` one by one as
/// each is complete (only the last story can still grow, so a dump of
/// thousands never holds them all); at most `max` of them.
pub(super) fn stories<'a>(
    units: Vec<Unit<'a>>,
    roles: Vec<Role>,
    max: usize,
    emit: &mut dyn FnMut(Story<'a>),
) {
    let top_heading = roles
        .iter()
        .filter_map(|r| match r {
            Role::Heading(level) => Some(*level),
            _ => None,
        })
        .min();
    let mut layout = Layout {
        units,
        roles,
        last: None,
        count: 0,
        emit,
        open: false,
        pending: Meta::default(),
        skipping_related: false,
        topic: Topic::default(),
        top_heading,
    };
    let mut i = 0;
    while i < layout.units.len() && layout.count < max {
        i = layout.step(i);
    }
    if let Some(last) = layout.last.take() {
        (layout.emit)(last);
    }
}

struct Layout<'a, 'e> {
    /// The units, those before the one being laid out taken.
    units: Vec<Unit<'a>>,
    /// The roles, bylines' names taken as they are reached.
    roles: Vec<Role>,
    /// The story being laid out: the only one that can still grow.
    last: Option<Story<'a>>,
    /// Stories made so far, the last included.
    count: usize,
    emit: &'e mut dyn FnMut(Story<'a>),
    /// Whether the last story is an article that prose may go on with.
    open: bool,
    /// Byline and date seen before the story they describe.
    pending: Meta,
    skipping_related: bool,
    /// The words of the open article, gathered as far as asked for.
    topic: Topic,
    /// The highest level of Markdown heading: deeper ones are subheads.
    top_heading: Option<u8>,
}

impl<'a> Layout<'a, '_> {
    /// Lays out the unit at `i`; returns the index of the next one.
    fn step(&mut self, i: usize) -> usize {
        match &self.roles[i] {
            Role::Chrome => {}
            Role::SectionLabel => {
                self.open = false;
                self.skipping_related = false;
            }
            Role::RelatedLabel => self.skipping_related = self.open || self.skipping_related,
            Role::Url => self.link(i),
            Role::Byline(_) => self.byline(i),
            &Role::Date(date) => {
                self.meta_target().date.get_or_insert(date);
            }
            Role::Prose => {
                self.skipping_related = false;
                self.prose(i);
            }
            Role::Title | Role::Heading(_) | Role::Bullet if self.skipping_related => {}
            Role::Heading(level) => return self.heading(i, *level),
            Role::Title => return self.title(i),
            Role::Bullet => self.bullet(i),
        }
        i + 1
    }

    fn push(&mut self, story: Story<'a>) {
        if let Some(done) = self.last.replace(story) {
            (self.emit)(done);
        }
        self.count += 1;
    }

    /// Where a byline or date goes: the article that has not started its
    /// text yet, else the next story.
    fn meta_target(&mut self) -> &mut Meta {
        let fresh = self.open
            && matches!(self.last.as_ref(), Some(Story::Article { content, .. }) if content.is_empty());
        match self.last.as_mut() {
            Some(story) if fresh => story.meta_mut(),
            _ => &mut self.pending,
        }
    }

    /// The names are taken, not copied: the layout never looks back at a
    /// byline, and a dump of thousands of stories has as many.
    fn byline(&mut self, i: usize) {
        let Role::Byline(authors) = &mut self.roles[i] else {
            return;
        };
        let authors = std::mem::take(authors);
        let meta = self.meta_target();
        if meta.authors.is_empty() {
            meta.authors = authors.into_vec();
        }
    }

    fn link(&mut self, i: usize) {
        let unit = &self.units[i];
        if let Some(meta) = self.last.as_mut().map(Story::meta_mut) {
            if meta.link.is_none() {
                meta.link = unit.link().map(String::from);
            }
        }
    }

    fn prose(&mut self, i: usize) {
        let unit = take(&mut self.units, i);
        match self.last.as_mut() {
            Some(Story::Article { content, .. }) if self.open => {
                content.push(Content::Paragraph(unit));
            }
            _ => self.open_article(None, vec![Content::Paragraph(unit)]),
        }
    }

    fn open_article(&mut self, title: Option<Unit<'a>>, content: Vec<Content<'a>>) {
        let mut meta = std::mem::take(&mut self.pending);
        if let Some(title) = &title {
            meta.link = meta.link.or_else(|| title.link().map(String::from));
        }
        self.push(Story::Article {
            title,
            content,
            meta,
        });
        self.open = true;
        self.topic = Topic::default();
    }

    fn headline(&mut self, title: Unit<'a>, standfirst: Option<Unit<'a>>) {
        let mut meta = std::mem::take(&mut self.pending);
        meta.link = meta.link.or_else(|| title.link().map(String::from));
        self.push(Story::Headline {
            title,
            standfirst,
            meta,
        });
        self.open = false;
    }

    /// A Markdown heading: a subhead under a higher one, the title of the
    /// prose after it, or else a headline.
    fn heading(&mut self, i: usize, level: u8) -> usize {
        let unit = take(&mut self.units, i);
        let deeper = self.top_heading.is_some_and(|top| level > top);
        let next = self.next_text(i).map(|j| &self.roles[j]);
        match self.last.as_mut() {
            Some(Story::Article { content, .. }) if self.open && deeper => {
                content.push(Content::Subhead(unit));
            }
            _ if next == Some(&Role::Prose) => self.open_article(Some(unit), Vec::new()),
            _ => self.headline(unit, None),
        }
        i + 1
    }

    fn title(&mut self, i: usize) -> usize {
        let next = self.next_text(i);
        let meta_between = next.is_some_and(|j| {
            self.roles[i + 1..j]
                .iter()
                .any(|r| matches!(r, Role::Byline(_) | Role::Date(_)))
        });
        let Some(j) = next.filter(|&j| self.roles[j] == Role::Prose) else {
            let unit = take(&mut self.units, i);
            self.headline(unit, None);
            return i + 1;
        };
        if !meta_between && self.is_subhead(i, j) {
            if let Some(Story::Article { content, .. }) = self.last.as_mut() {
                content.push(Content::Subhead(take(&mut self.units, i)));
            }
            return i + 1;
        }
        let unit = take(&mut self.units, i);
        if !meta_between && self.is_standfirst(j) {
            let standfirst = take(&mut self.units, j);
            self.headline(unit, Some(standfirst));
            return j + 1;
        }
        self.open_article(Some(unit), Vec::new());
        i + 1
    }

    fn bullet(&mut self, i: usize) {
        let unit = take(&mut self.units, i);
        let in_article = self.open
            && match self.last.as_ref() {
                Some(Story::Article { content, .. }) => {
                    lead_in(content.last()) || self.prose_after_list(i)
                }
                _ => false,
            };
        match self.last.as_mut() {
            Some(Story::Article { content, .. }) if in_article => {
                content.push(Content::Point(unit))
            }
            _ => self.headline(unit, None),
        }
    }

    /// Whether the article's prose goes on after the list that `i` is in.
    fn prose_after_list(&self, i: usize) -> bool {
        let after =
            (i..self.units.len()).find(|&j| !matches!(self.roles[j], Role::Bullet | Role::Chrome));
        after.is_some_and(|j| self.roles[j] == Role::Prose)
    }

    /// The next unit after `i` that is not furniture, a byline or a date.
    fn next_text(&self, i: usize) -> Option<usize> {
        (i + 1..self.units.len()).find(|&j| {
            !matches!(
                self.roles[j],
                Role::Chrome | Role::Byline(_) | Role::Date(_) | Role::Url
            )
        })
    }

    /// A short title line inside an open article whose prose after it
    /// continues the story.
    fn is_subhead(&mut self, i: usize, prose: usize) -> bool {
        let Some(Story::Article { title, content, .. }) = self.last.as_ref() else {
            return false;
        };
        if !self.open || content.is_empty() || word_count(&self.units[i].text) > SUBHEAD_WORDS {
            return false;
        }
        self.topic.catch_up(title.as_ref(), content);
        let after = topic_words(&self.units[prose].text);
        let shared = after.intersection(&self.topic.words).count();
        shared >= TOPIC_OVERLAP && shared as f64 >= TOPIC_SHARE * after.len() as f64
    }

    /// Whether the prose at `j` is a standfirst: one sentence, with no
    /// more prose after it.
    fn is_standfirst(&self, j: usize) -> bool {
        let unit = &self.units[j];
        let one_sentence = inner_breaks(&unit.text).is_empty()
            && word_count(&unit.text) <= STANDFIRST_WORDS
            && unit.mark != Mark::Paragraph;
        let more_prose = self
            .next_text(j)
            .is_some_and(|k| matches!(self.roles[k], Role::Prose | Role::Bullet));
        one_sentence && !more_prose
    }
}

/// The words of an article, gathered part by part, so that a long read
/// with many subheads is read once rather than at each subhead.
#[derive(Default)]
struct Topic {
    words: HashSet<String>,
    /// Parts of the content already gathered, the title being part 0.
    parts: usize,
}

impl Topic {
    fn catch_up(&mut self, title: Option<&Unit<'_>>, content: &[Content<'_>]) {
        if self.parts == 0 {
            if let Some(title) = title {
                self.words.extend(topic_words(&title.text));
            }
            self.parts = 1;
        }
        for part in content.iter().skip(self.parts - 1) {
            let (Content::Paragraph(u) | Content::Subhead(u) | Content::Point(u)) = part;
            self.words.extend(topic_words(&u.text));
        }
        self.parts = content.len() + 1;
    }
}

/// Whether the last part of an article leads in to a list.
fn lead_in(last: Option<&Content<'_>>) -> bool {
    matches!(last, Some(Content::Paragraph(u) | Content::Point(u)) if u.text.ends_with(':'))
        || matches!(last, Some(Content::Point(_)))
}

/// The unit at `i`, leaving an empty one in its place: the layout never
/// looks back at it.
fn take<'a>(units: &mut [Unit<'a>], i: usize) -> Unit<'a> {
    std::mem::replace(&mut units[i], Unit::plain(Cow::Borrowed(""), Mark::Plain))
}

/// The words that say what a text is about: those of five letters or
/// more, lower case, without a plural or possessive `s`; for CJK text,
/// pairs of characters.
fn topic_words(text: &str) -> HashSet<String> {
    let mut words = HashSet::new();
    let chars: Vec<char> = text.chars().filter(|c| cjk::is_cjk(*c)).collect();
    words.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    for word in text.split(|c: char| !c.is_alphanumeric() && c != '\'') {
        let word = word.to_lowercase();
        let word = word.trim_end_matches("'s").trim_end_matches('s');
        if word.chars().count() >= 5 && !word.chars().any(cjk::is_cjk) {
            words.insert(word.to_string());
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lay(units: &[Unit<'static>], roles: &[Role]) -> Vec<String> {
        let mut all = Vec::new();
        stories(units.to_vec(), roles.to_vec(), usize::MAX, &mut |s| {
            all.push(s)
        });
        all.iter()
            .map(|s| match s {
                Story::Article { title, content, .. } => format!(
                    "article {:?} {}",
                    title.as_ref().map(|t| t.text.as_ref()),
                    content.len()
                ),
                Story::Headline {
                    title, standfirst, ..
                } => {
                    format!("headline {} {}", title.text, standfirst.is_some())
                }
            })
            .collect()
    }

    fn unit(text: &'static str) -> Unit<'static> {
        Unit::plain(text.into(), Mark::Plain)
    }

    #[test]
    fn titles_prose_and_headlines() {
        let units = [
            unit("Harbour Reopens"),
            unit("The harbour reopened on Monday after the storm repairs."),
            unit("Storm Warning Issued"),
            unit("Ferries Cancelled"),
        ];
        let roles = [Role::Title, Role::Prose, Role::Title, Role::Title];
        assert_eq!(
            lay(&units, &roles),
            [
                "headline Harbour Reopens true",
                "headline Storm Warning Issued false",
                "headline Ferries Cancelled false"
            ]
        );
    }

    #[test]
    fn a_subhead_continues_the_story_and_a_new_topic_opens_another() {
        let units = [
            unit("School Fight"),
            unit("The council wants to close the village school this summer."),
            unit("The school has few pupils."),
            unit("Money"),
            unit("The council says the school costs too much to keep."),
            unit("Orchestra News"),
            unit("A conductor from Finland was appointed yesterday."),
            unit("She starts in September."),
        ];
        let roles = [
            Role::Title,
            Role::Prose,
            Role::Prose,
            Role::Title,
            Role::Prose,
            Role::Title,
            Role::Prose,
            Role::Prose,
        ];
        assert_eq!(
            lay(&units, &roles),
            [
                "article Some(\"School Fight\") 4",
                "article Some(\"Orchestra News\") 2"
            ]
        );
    }
}
