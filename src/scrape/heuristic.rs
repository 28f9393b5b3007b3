//! Headlines found without selectors. The rule: a link inside a heading
//! (`h1`–`h4`), or a heading inside a link, whose text has at least
//! `MIN_TITLE_WORDS` words, outside `nav`, `header`, `footer` and `aside`,
//! is a headline. Its block is the nearest enclosing `article`, `li`,
//! `section` or `div` that holds no other headline; the block's first
//! `<p>` is its summary, its first `<time>` its date, its first `<img>`
//! its picture. A page needs at least `MIN_HEADLINES` of them.

use std::collections::{HashMap, HashSet};

use dom_query::{NodeId, NodeRef, Selection};
use url::Url;

use super::{collapsed, Headline};
use crate::extract::{absolute, parse_page};
use crate::parse::parse_date;

pub const MIN_HEADLINES: usize = 2;
const MIN_TITLE_WORDS: usize = 3;
const HEADLINE_LINKS: &str =
    "h1 a[href], h2 a[href], h3 a[href], h4 a[href], a[href]:has(h1, h2, h3, h4)";
const FURNITURE: [&str; 4] = ["nav", "header", "footer", "aside"];
const BLOCKS: [&str; 4] = ["article", "li", "section", "div"];

/// The page's headlines, in page order, each link once; none when fewer
/// than `MIN_HEADLINES` are found.
pub fn headlines(html: &str, url: Option<&Url>) -> Vec<Headline> {
    let Some(doc) = parse_page(html) else {
        return Vec::new();
    };
    let links: Vec<NodeRef<'_>> = doc
        .select(HEADLINE_LINKS)
        .nodes()
        .iter()
        .copied()
        .filter(|a| !in_furniture(a))
        .filter(|a| collapsed(&a.text()).split(' ').count() >= MIN_TITLE_WORDS)
        .collect();
    // How many headline links each element holds: a block holds one.
    let mut held: HashMap<NodeId, usize> = HashMap::new();
    for ancestor in links.iter().flat_map(|a| a.ancestors_it(None)) {
        *held.entry(ancestor.id).or_default() += 1;
    }
    let mut seen = HashSet::new();
    let found: Vec<Headline> = links
        .iter()
        .filter_map(|a| headline(a, &held, url))
        .filter(|h| seen.insert(h.link.clone().unwrap_or_else(|| h.title.clone())))
        .collect();
    if found.len() < MIN_HEADLINES {
        return Vec::new();
    }
    found
}

fn in_furniture(node: &NodeRef<'_>) -> bool {
    node.ancestors_it(None).any(|a| {
        a.node_name()
            .is_some_and(|n| FURNITURE.contains(&n.as_ref()))
    })
}

fn headline(a: &NodeRef<'_>, held: &HashMap<NodeId, usize>, url: Option<&Url>) -> Option<Headline> {
    let title = collapsed(&a.text());
    let link = a.attr("href").and_then(|h| absolute(url, &h));
    let block = block_of(a, held);
    let Some(block) = block else {
        return Some(Headline {
            title,
            link,
            ..Headline::default()
        });
    };
    let block = Selection::from(block);
    let summary = block
        .select("p")
        .nodes()
        .iter()
        .find(|p| {
            let text = collapsed(&p.text());
            !text.is_empty() && text != title
        })
        .map(|p| p.inner_html().to_string());
    let time = block.select_single("time");
    let published = time
        .attr("datetime")
        .or_else(|| (!time.is_empty()).then(|| time.text()))
        .and_then(|d| parse_date(d.trim()));
    let image = block
        .select_single("img[src]")
        .attr("src")
        .and_then(|s| absolute(url, &s));
    Some(Headline {
        title,
        link,
        summary,
        published,
        image,
        author: None,
    })
}

/// The nearest block around `a` that holds no other headline link.
fn block_of<'a>(a: &NodeRef<'a>, held: &HashMap<NodeId, usize>) -> Option<NodeRef<'a>> {
    let mut best = None;
    for ancestor in a.ancestors_it(None) {
        if held.get(&ancestor.id).copied().unwrap_or(0) > 1 {
            break;
        }
        if ancestor
            .node_name()
            .is_some_and(|n| BLOCKS.contains(&n.as_ref()))
        {
            best = Some(ancestor);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LISTING: &str = include_str!("../../tests/fixtures/pages/listing.html");

    #[test]
    fn repeated_headline_links_become_entries_with_their_blocks() {
        let base = Url::parse("https://courier.example/").unwrap();
        let found = headlines(LISTING, Some(&base));
        let titles: Vec<&str> = found.iter().map(|h| h.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Harbour ferry returns after storm repairs",
                "Council votes on the new library",
                "Lighthouse keeper retires after forty years"
            ]
        );
        assert_eq!(
            found[0].summary.as_deref(),
            Some("Commuters queue before dawn for the first crossing in six weeks.")
        );
        assert_eq!(
            found[0].published.map(|d| d.to_rfc3339()),
            Some("2026-11-24T07:42:00+00:00".into())
        );
        assert_eq!(
            found[1].image.as_deref(),
            Some("https://courier.example/img/library.jpg")
        );
    }

    #[test]
    fn menus_and_single_links_are_not_a_listing() {
        let page = r#"<nav><h2><a href="/a">Our news in brief today</a></h2>
            <h2><a href="/b">Our sport in brief today</a></h2></nav>
            <h2><a href="/c">The only story on this page</a></h2>"#;
        assert!(headlines(page, None).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// No page, however broken, panics the heuristic or the extractor.
        #[test]
        fn no_page_panics(page in r#"(<(h2|a href="/x"|div|li|nav|p|time datetime="2026-01-02"|article|script|img src="x")>|</(h2|a|div|li|nav|p|time|article|script)>|[a-z ]{0,12}|&[a-z#0-9]{0,5};?|<!--|-->){0,60}"#) {
            let base = Url::parse("https://x.example/").unwrap();
            let _ = headlines(&page, Some(&base));
            let _ = crate::extract::article(&page, Some(&base), None);
            let _ = crate::extract::saved_page::read(page.as_bytes(), Some(&base));
        }
    }
}
