//! An item against an output's `include` and `exclude` patterns. Each
//! field is searched on its own, so a match never spans two fields and
//! `^`/`$` are a field's start and end.

use std::cell::OnceCell;

use crate::config::{Field, FieldSets, OutputConfig};
use crate::model::Item;
use crate::text::html_to_text;

/// True when `item` matches one of the output's `include` patterns (or
/// there are none) and none of its `exclude` patterns.
pub fn passes(output: &OutputConfig, item: &Item) -> bool {
    if output.include.is_empty() && output.exclude.is_empty() {
        return true;
    }
    let text = ItemText::new(item);
    (output.include.is_empty() || text.matches(&output.include)) && !text.matches(&output.exclude)
}

/// An item's fields as patterns read them. Summary and content are HTML:
/// their text (without tags or attributes) is made at most once, when a
/// pattern first needs it, and shared by every pattern of both lists.
struct ItemText<'a> {
    item: &'a Item,
    summary: OnceCell<Option<String>>,
    content: OnceCell<Option<String>>,
}

impl<'a> ItemText<'a> {
    fn new(item: &'a Item) -> Self {
        ItemText {
            item,
            summary: OnceCell::new(),
            content: OnceCell::new(),
        }
    }

    fn matches(&self, sets: &FieldSets) -> bool {
        Field::ALL.into_iter().any(|field| {
            sets.get(field)
                .is_some_and(|set| self.any(field, |text| set.is_match(text)))
        })
    }

    /// True when `hit` holds for one of `field`'s texts (one per author,
    /// one per category).
    fn any(&self, field: Field, mut hit: impl FnMut(&str) -> bool) -> bool {
        let item = self.item;
        match field {
            Field::Title => hit(&item.title),
            Field::Link => item.link.as_deref().is_some_and(hit),
            Field::Author => item.authors.iter().any(|a| hit(a)),
            Field::Category => item.categories.iter().any(|c| hit(c)),
            Field::Summary => text_of(&self.summary, item.summary.as_deref()).is_some_and(hit),
            Field::Content => text_of(&self.content, item.content.as_deref()).is_some_and(hit),
        }
    }
}

/// The text of `html`, made the first time it is asked for.
fn text_of<'c>(cell: &'c OnceCell<Option<String>>, html: Option<&str>) -> Option<&'c str> {
    cell.get_or_init(|| html.map(html_to_text)).as_deref()
}
