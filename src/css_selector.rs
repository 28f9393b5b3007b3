//! A CSS selector from the config, compiled when the config is read so
//! that a poll never meets one it cannot use.

use dom_query::Matcher;

#[derive(Debug, Clone)]
pub struct CssSelector {
    text: String,
    matcher: Matcher,
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a CSS selector syndic can read")]
pub struct CssError(String);

impl CssSelector {
    pub fn new(text: &str) -> Result<Self, CssError> {
        let matcher = Matcher::new(text).map_err(|_| CssError(text.to_string()))?;
        Ok(CssSelector {
            text: text.to_string(),
            matcher,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }
}
