//! Everything a source yields, turned into the one item model: stable ids,
//! absolute URLs, sanitized HTML, plain-text titles, UTC times.

pub mod dump;
pub mod feed;
pub mod html;
mod lazy_images;
mod media;
pub mod source_feed;

/// The title of an item that has no text to name it by.
const UNTITLED: &str = "(untitled)";
