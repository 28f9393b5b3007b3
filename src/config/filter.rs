//! An output's `include` or `exclude` list compiled for matching: one
//! regex set per field, holding the patterns limited to that field and
//! those for every field, so each field's text is searched once for all
//! of them.

use regex::{RegexSet, RegexSetBuilder};

use super::pattern::{Field, Pattern, SIZE_LIMIT};

#[derive(Debug, Clone, Default)]
pub struct FieldSets {
    /// In the order of [`Field::ALL`]; `None` where no pattern applies.
    sets: [Option<RegexSet>; Field::ALL.len()],
}

impl FieldSets {
    pub fn new(patterns: &[Pattern]) -> Result<FieldSets, regex::Error> {
        let mut sets: [Option<RegexSet>; Field::ALL.len()] = Default::default();
        for (slot, field) in sets.iter_mut().zip(Field::ALL) {
            let regexes: Vec<&str> = patterns
                .iter()
                .filter(|p| p.field.is_none_or(|f| f == field))
                .map(|p| p.regex.as_str())
                .collect();
            if regexes.is_empty() {
                continue;
            }
            *slot = Some(
                RegexSetBuilder::new(&regexes)
                    .case_insensitive(true)
                    // Each pattern was checked against the one-pattern
                    // limit; together they may need that much apiece.
                    .size_limit(SIZE_LIMIT.saturating_mul(regexes.len()))
                    .build()?,
            );
        }
        Ok(FieldSets { sets })
    }

    pub fn is_empty(&self) -> bool {
        self.sets.iter().all(Option::is_none)
    }

    /// The patterns that apply to `field`, if any.
    pub fn get(&self, field: Field) -> Option<&RegexSet> {
        let i = Field::ALL.iter().position(|&f| f == field)?;
        self.sets[i].as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(sources: &[&str]) -> FieldSets {
        let patterns: Vec<Pattern> = sources.iter().map(|s| Pattern::new(s).unwrap()).collect();
        FieldSets::new(&patterns).unwrap()
    }

    #[test]
    fn field_patterns_join_only_their_field() {
        let s = sets(&["ukraine", "author:^jane"]);
        assert!(s.get(Field::Author).unwrap().is_match("JANE Doe"));
        assert!(s.get(Field::Author).unwrap().is_match("Ukraine desk"));
        assert!(!s.get(Field::Title).unwrap().is_match("Jane Doe"));
        assert!(s.get(Field::Content).unwrap().is_match("in Ukraine"));
    }

    #[test]
    fn fields_without_patterns_have_no_set() {
        let s = sets(&["link:example"]);
        assert!(s.get(Field::Title).is_none());
        assert!(s.get(Field::Link).is_some());
        assert!(!s.is_empty());
        assert!(sets(&[]).is_empty());
    }
}
