//! Entries picked by the config's CSS selectors, as RSS-Bridge's
//! CSS-selector bridge does.

use dom_query::{NodeRef, Selection};
use url::Url;

use super::{collapsed, Headline, ListingSelectors};
use crate::css_selector::CssSelector;
use crate::extract::{absolute, parse_page};
use crate::parse::parse_date;

/// The entries `selectors.item` picks that have a title.
pub fn selected_headlines(
    html: &str,
    url: Option<&Url>,
    selectors: &ListingSelectors,
) -> Vec<Headline> {
    let Some(doc) = parse_page(html) else {
        return Vec::new();
    };
    let items = doc.select_matcher(selectors.item.matcher());
    items
        .nodes()
        .iter()
        .filter_map(|node| headline(Selection::from(*node), url, selectors))
        .collect()
}

fn headline(item: Selection<'_>, url: Option<&Url>, s: &ListingSelectors) -> Option<Headline> {
    let within = |selector: &Option<CssSelector>| {
        selector
            .as_ref()
            .map(|sel| item.select_single_matcher(sel.matcher()))
            .filter(|found| !found.is_empty())
    };
    let link_node = within(&s.link).unwrap_or_else(|| item.select_single("a[href]"));
    let link = href(&link_node).and_then(|h| absolute(url, &h));
    let title = within(&s.title)
        .map(|t| collapsed(&t.text()))
        .or_else(|| Some(collapsed(&link_node.text())))
        .filter(|t| !t.is_empty())?;
    let published = within(&s.date).and_then(|d| {
        let text = d.attr("datetime").unwrap_or_else(|| d.text());
        parse_date(text.trim())
    });
    let image = within(&s.image)
        .and_then(|i| first_attr(&i, "img", "src"))
        .and_then(|src| absolute(url, &src));
    Some(Headline {
        title,
        link,
        summary: within(&s.summary).map(|p| p.inner_html().to_string()),
        published,
        image,
        author: within(&s.author)
            .map(|a| collapsed(&a.text()))
            .filter(|a| !a.is_empty()),
    })
}

/// The `href` of the selection, else of the first link inside it.
fn href(found: &Selection<'_>) -> Option<String> {
    first_attr(found, "a[href]", "href")
}

/// `name` of the selection's first node, else of the first `inner` in it.
fn first_attr(found: &Selection<'_>, inner: &str, name: &str) -> Option<String> {
    let node: &NodeRef<'_> = found.nodes().first()?;
    node.attr(name)
        .or_else(|| found.select_single(inner).attr(name))
        .map(|v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = include_str!("../../tests/fixtures/pages/listing.html");

    fn sel(s: &str) -> Option<CssSelector> {
        Some(CssSelector::new(s).unwrap())
    }

    #[test]
    fn every_field_is_read_from_its_selector() {
        let selectors = ListingSelectors {
            item: CssSelector::new("li.story").unwrap(),
            title: sel("h2"),
            link: sel("h2 a"),
            summary: sel(".standfirst"),
            date: sel("time"),
            image: sel("img"),
            author: sel(".author"),
        };
        let base = Url::parse("https://courier.example/news/").unwrap();
        let found = selected_headlines(LISTING, Some(&base), &selectors);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].title, "Harbour ferry returns after storm repairs");
        assert_eq!(
            found[0].link.as_deref(),
            Some("https://courier.example/news/2026/harbour-ferry-returns")
        );
        assert_eq!(
            found[0].image.as_deref(),
            Some("https://courier.example/img/ferry.jpg")
        );
        assert_eq!(found[1].author.as_deref(), Some("Sam Lee"));
        assert_eq!(
            found[1].published.map(|d| d.to_rfc3339()),
            Some("2026-11-23T21:10:00+00:00".into())
        );
        assert_eq!(
            found[2].link.as_deref(),
            Some("https://other.example/wire/lighthouse")
        );
        assert_eq!(found[2].image, None);
        assert!(found[2]
            .summary
            .as_deref()
            .unwrap()
            .contains("hands over the keys"));
    }

    #[test]
    fn without_field_selectors_the_first_link_names_the_entry() {
        let selectors = ListingSelectors {
            item: CssSelector::new("li.story").unwrap(),
            title: None,
            link: None,
            summary: None,
            date: None,
            image: None,
            author: None,
        };
        let found = selected_headlines(LISTING, None, &selectors);
        assert_eq!(found[1].title, "Council votes on the new library");
        // No base: a relative link cannot be made absolute, so none.
        assert_eq!(found[1].link, None);
    }
}
