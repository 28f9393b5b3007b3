//! Full-text search, the parts every stage shares: the documented query
//! syntax translated into an SQLite FTS5 expression (`query.rs`), and the
//! way text is cut into words for the index and for queries alike
//! (`words.rs`). The index itself lives in the store.

mod query;
pub mod words;

pub use query::{QueryError, SearchQuery, MAX_QUERY_CHARS};
