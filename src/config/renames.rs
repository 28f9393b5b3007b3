//! `renamed_from`: a source may name the one it was before, so its stored
//! items keep their identity. The old name must be gone from the config and
//! claimed once, or two sources would compete for the same stored items.

use std::collections::{HashMap, HashSet};

use super::raw::RawSource;
use super::{Checker, ConfigError};
use crate::model::SourceName;

pub(super) fn check(checker: &Checker<'_>, sources: &[RawSource]) -> Result<(), ConfigError> {
    let names: HashSet<&SourceName> = sources.iter().map(|s| s.name.get_ref()).collect();
    let mut claimed: HashMap<&SourceName, &SourceName> = HashMap::new();
    for source in sources {
        let Some(old) = &source.renamed_from else {
            continue;
        };
        let new = source.name.get_ref();
        let old_name = old.get_ref();
        let problem = if old_name == new {
            Some(format!(
                "source `{new}` is `renamed_from` itself: remove `renamed_from`"
            ))
        } else if names.contains(old_name) {
            Some(format!(
                "source `{new}` is `renamed_from = \"{old_name}\"`, but a source of that name still exists: remove or rename one of them"
            ))
        } else {
            claimed.insert(old_name, new).map(|first| format!(
                "sources `{first}` and `{new}` are both `renamed_from = \"{old_name}\"`: only one source can take over its items"
            ))
        };
        if let Some(message) = problem {
            return Err(checker.error(Some(old.span()), message));
        }
    }
    Ok(())
}
