//! Text helpers every stage shares (parse, normalize, curate, render), kept
//! below them all so that no stage reaches into a later one for them:
//! bytes to UTF-8, HTML to plain text, tags out of plain text, a cut at a
//! word boundary, the words of a text.

pub mod cut;
pub mod decode;
pub mod html_text;
mod slug;
pub mod strip_tags;
mod tag;
pub mod words;

pub use cut::cut_at_word;
pub use html_text::{html_to_text, nesting_depth, text_may_join_words};
pub use slug::slug;
pub use strip_tags::strip_tags;
pub use words::words;
