//! Config errors that point at the file, line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the config file: {source}", path = path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Located),
}

/// A message tied to a place in the config file.
#[derive(Debug)]
pub struct Located {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending line, shown under the message.
    pub excerpt: String,
}

impl Located {
    /// Locates `span` (a byte range of `text`); a missing span points at the
    /// top of the file.
    pub fn new(path: &Path, text: &str, span: Option<Range<usize>>, message: String) -> Self {
        let start = span.map_or(0, |s| s.start.min(text.len()));
        let before = &text[..floor_char_boundary(text, start)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let excerpt = text[line_start..]
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        Located {
            path: path.to_path_buf(),
            line,
            column,
            message,
            excerpt,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        if !self.excerpt.trim().is_empty() {
            let pad = " ".repeat(self.line.to_string().len());
            let caret = " ".repeat(self.column.saturating_sub(1));
            write!(
                f,
                "\n{pad} |\n{} | {}\n{pad} | {caret}^",
                self.line, self.excerpt
            )?;
        }
        Ok(())
    }
}
