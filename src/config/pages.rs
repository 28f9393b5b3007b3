//! `full_text`, `full_text_selector`, `full_text_per_poll` and, for
//! `kind = "html"` sources, `selectors`: web pages read as articles or as
//! listings. Every selector is compiled here, so a bad one is reported
//! with its line before anything is polled.

use toml::Spanned;

use super::raw::RawSelectors;
use super::{Checker, ConfigError};
use crate::css_selector::CssSelector;
use crate::model::{SourceKind, SourceName};
use crate::scrape::ListingSelectors;

/// Pages fetched for one poll when `full_text_per_poll` is not set: a
/// feed's usual batch of new items, without a first poll of a long feed
/// sending hundreds of requests to one site.
pub const DEFAULT_PER_POLL: usize = 10;

/// `full_text = true` and its options.
#[derive(Debug, Clone)]
pub struct FullText {
    /// `full_text_selector`: the article is what it matches, instead of
    /// what readability finds.
    pub selector: Option<CssSelector>,
    /// Pages fetched at most in one poll; the others wait for the next.
    pub per_poll: usize,
}

/// The `[[source]]` keys this module reads.
pub struct RawPages {
    pub full_text: Option<Spanned<bool>>,
    pub selector: Option<Spanned<String>>,
    pub per_poll: Option<Spanned<usize>>,
    pub selectors: Option<Spanned<RawSelectors>>,
}

impl Checker<'_> {
    pub(super) fn pages(
        &self,
        source: &SourceName,
        kind: SourceKind,
        raw: RawPages,
    ) -> Result<(Option<FullText>, Option<ListingSelectors>), ConfigError> {
        let selectors = match raw.selectors {
            Some(s) if kind != SourceKind::Html => {
                return Err(self.error(
                    Some(s.span()),
                    format!("source `{source}`: `selectors` are for pages: add `kind = \"html\"`"),
                ))
            }
            Some(s) => Some(self.listing_selectors(s.into_inner())?),
            None => None,
        };
        Ok((
            self.full_text(source, kind, raw.full_text, raw.selector, raw.per_poll)?,
            selectors,
        ))
    }

    fn full_text(
        &self,
        source: &SourceName,
        kind: SourceKind,
        on: Option<Spanned<bool>>,
        selector: Option<Spanned<String>>,
        per_poll: Option<Spanned<usize>>,
    ) -> Result<Option<FullText>, ConfigError> {
        let Some(on) = on.filter(|o| *o.get_ref()) else {
            let stray = selector
                .as_ref()
                .map(Spanned::span)
                .or(per_poll.as_ref().map(Spanned::span));
            return match stray {
                Some(span) => Err(self.error(
                    Some(span),
                    format!("source `{source}`: `full_text_selector` and `full_text_per_poll` need `full_text = true`"),
                )),
                None => Ok(None),
            };
        };
        if kind == SourceKind::Text {
            return Err(self.error(
                Some(on.span()),
                format!("source `{source}`: `full_text` is for feeds and pages (`kind = \"feed\"` or `\"html\"`), whose items link to articles"),
            ));
        }
        let per_poll = match per_poll {
            Some(n) if *n.get_ref() == 0 => {
                return Err(self.error(
                    Some(n.span()),
                    "`full_text_per_poll` must be at least 1".into(),
                ))
            }
            Some(n) => n.into_inner(),
            None => DEFAULT_PER_POLL,
        };
        Ok(Some(FullText {
            selector: selector.map(|s| self.css(&s)).transpose()?,
            per_poll,
        }))
    }

    fn listing_selectors(&self, raw: RawSelectors) -> Result<ListingSelectors, ConfigError> {
        let optional = |s: Option<Spanned<String>>| s.map(|s| self.css(&s)).transpose();
        Ok(ListingSelectors {
            item: self.css(&raw.item)?,
            title: optional(raw.title)?,
            link: optional(raw.link)?,
            summary: optional(raw.summary)?,
            date: optional(raw.date)?,
            image: optional(raw.image)?,
            author: optional(raw.author)?,
        })
    }

    fn css(&self, s: &Spanned<String>) -> Result<CssSelector, ConfigError> {
        CssSelector::new(s.get_ref()).map_err(|e| self.error(Some(s.span()), e.to_string()))
    }
}
