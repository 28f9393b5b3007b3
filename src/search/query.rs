//! The search syntax users write, translated into an FTS5 MATCH
//! expression. Every word and phrase reaches FTS5 inside double quotes,
//! so nothing a user types (brackets, colons, `NEAR`, `^`, stray quotes)
//! is read as FTS5 syntax: a query is either translated or refused with
//! a `QueryError`, never an SQLite syntax error.
//!
//! The syntax: words (all must match), `"a phrase"`, `a OR b` (either;
//! binds tighter than the implicit AND), `-word` or `-"a phrase"` (must
//! not match), `word*` (prefix), and `field:word` or `field:"a phrase"`
//! with the fields `title`, `summary`, `content`, `author` and
//! `category` (also `tag`).

use std::fmt;

use super::words::spaced;

/// The longest query accepted, in characters: a bound on the work one
/// request can ask of the index.
pub const MAX_QUERY_CHARS: usize = 500;

/// A query in the user's syntax and its FTS5 translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    text: String,
    fts: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the search query has no word to look for")]
    Empty,
    #[error("the search query only excludes words: add a word to look for")]
    OnlyExcludes,
    #[error("the search query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
}

impl SearchQuery {
    pub fn parse(text: &str) -> Result<SearchQuery, QueryError> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let fts = translate(&lex(text))?;
        Ok(SearchQuery {
            text: text.trim().to_string(),
            fts,
        })
    }

    /// The query as the user wrote it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The FTS5 MATCH expression.
    pub fn fts5(&self) -> &str {
        &self.fts
    }
}

impl fmt::Display for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One word or phrase of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    text: String,
    negated: bool,
    prefix: bool,
    /// FTS5 column names the term is limited to; empty is every column.
    columns: &'static [&'static str],
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Term(Term),
    Or,
}

/// The columns a `field:` prefix names, or `None` when it is no field
/// (then `10:30` or `re:invent` is searched as the text it is).
fn columns_of(field: &str) -> Option<&'static [&'static str]> {
    Some(match field.to_lowercase().as_str() {
        "title" => &["title"],
        "summary" => &["summary"],
        "content" => &["content"],
        "text" => &["summary", "content"],
        "author" | "authors" => &["authors"],
        "category" | "categories" | "tag" | "tags" => &["categories"],
        _ => return None,
    })
}

fn lex(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (token, after) = next_token(rest);
        tokens.extend(token);
        rest = after.trim_start();
    }
    tokens
}

/// Reads one token off the start of `s` (which starts with no space).
fn next_token(s: &str) -> (Option<Token>, &str) {
    let (negated, s) = match s.strip_prefix('-') {
        Some(rest) if !rest.is_empty() && !rest.starts_with(char::is_whitespace) => (true, rest),
        _ => (false, s),
    };
    let (columns, s) = field_prefix(s);
    if let Some(quoted) = s.strip_prefix('"') {
        let end = quoted.find('"').unwrap_or(quoted.len());
        let after = quoted.get(end + 1..).unwrap_or("");
        let prefix = after.starts_with('*');
        let after = after.strip_prefix('*').unwrap_or(after);
        let term = Term {
            text: quoted[..end].to_string(),
            negated,
            prefix,
            columns,
        };
        return (Some(Token::Term(term)), after);
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let (word, after) = s.split_at(end);
    if word == "OR" && !negated && columns.is_empty() {
        return (Some(Token::Or), after);
    }
    let prefix = word.ends_with('*');
    let term = Term {
        text: word.trim_end_matches('*').to_string(),
        negated,
        prefix,
        columns,
    };
    (Some(Token::Term(term)), after)
}

/// A leading `field:` naming a known field, and what follows it.
fn field_prefix(s: &str) -> (&'static [&'static str], &str) {
    if let Some((field, rest)) = s.split_once(':') {
        let is_word = !field.is_empty() && field.chars().all(char::is_alphabetic);
        if let Some(columns) = columns_of(field).filter(|_| is_word) {
            if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
                return (columns, rest);
            }
        }
    }
    (&[], s)
}

/// The FTS5 expression: `(A AND (B OR C)) NOT (D OR E)`. Terms with no
/// letter or digit would be empty phrases and are dropped.
fn translate(tokens: &[Token]) -> Result<String, QueryError> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut excluded = Vec::new();
    let mut joined_by_or = false;
    for token in tokens {
        let term = match token {
            Token::Or => {
                joined_by_or = true;
                continue;
            }
            Token::Term(term) if !term.text.chars().any(char::is_alphanumeric) => continue,
            Token::Term(term) => term,
        };
        if term.negated {
            excluded.push(fts_term(term));
        } else if let (true, Some(last)) = (joined_by_or, groups.last_mut()) {
            last.push(fts_term(term));
        } else {
            groups.push(vec![fts_term(term)]);
        }
        joined_by_or = false;
    }
    if groups.is_empty() {
        return Err(if excluded.is_empty() {
            QueryError::Empty
        } else {
            QueryError::OnlyExcludes
        });
    }
    let wanted: Vec<String> = groups
        .iter()
        .map(|alternatives| format!("({})", alternatives.join(" OR ")))
        .collect();
    let mut fts = format!("({})", wanted.join(" AND "));
    if !excluded.is_empty() {
        fts.push_str(&format!(" NOT ({})", excluded.join(" OR ")));
    }
    Ok(fts)
}

/// One term as an FTS5 string, quoted, with its column filter and prefix
/// star.
fn fts_term(term: &Term) -> String {
    let mut out = String::new();
    if !term.columns.is_empty() {
        out.push_str(&format!("{{{}}} : ", term.columns.join(" ")));
    }
    out.push('"');
    out.push_str(&spaced(term.text.trim()).trim().replace('"', "\"\""));
    out.push('"');
    if term.prefix {
        out.push_str(" *");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts(q: &str) -> String {
        SearchQuery::parse(q).unwrap().fts5().to_string()
    }

    #[test]
    fn words_are_all_wanted_and_quoted() {
        assert_eq!(
            fts("ukraine ceasefire"),
            r#"(("ukraine") AND ("ceasefire"))"#
        );
    }

    #[test]
    fn or_binds_the_terms_beside_it() {
        assert_eq!(
            fts("storm rain OR snow"),
            r#"(("storm") AND ("rain" OR "snow"))"#
        );
        assert_eq!(fts("OR storm OR"), r#"(("storm"))"#);
        assert_eq!(
            fts("storm or rain"),
            r#"(("storm") AND ("or") AND ("rain"))"#
        );
    }

    #[test]
    fn phrases_prefixes_negations_and_fields() {
        assert_eq!(
            fts(r#""peace talks" elect* -"press release" title:vote"#),
            r#"(("peace talks") AND ("elect" *) AND ({title} : "vote")) NOT ("press release")"#
        );
        assert_eq!(fts("author:\"Jane Doe\""), r#"(({authors} : "Jane Doe"))"#);
        assert_eq!(fts("tag:world"), r#"(({categories} : "world"))"#);
    }

    #[test]
    fn unknown_fields_and_punctuation_are_plain_text() {
        assert_eq!(fts("at 10:30"), r#"(("at") AND ("10:30"))"#);
        assert_eq!(fts("nope:x"), r#"(("nope:x"))"#);
        assert_eq!(fts("a - b"), r#"(("a") AND ("b"))"#);
    }

    #[test]
    fn fts5_syntax_in_input_stays_text() {
        for q in [
            r#"NEAR(a b) ^x {title}:y AND "unclosed"#,
            r#"a"b"c "" ")" (*) * : NOT"#,
        ] {
            let fts = fts(q);
            // Every quote the user typed is doubled inside a quoted string.
            assert!(fts.starts_with("(("), "{fts}");
        }
        assert_eq!(fts(r#"say "he said ""#), r#"(("say") AND ("he said"))"#);
    }

    #[test]
    fn chinese_words_become_phrases_of_their_characters() {
        assert_eq!(fts("北京"), r#"(("北  京"))"#);
    }

    #[test]
    fn queries_with_nothing_to_find_are_refused() {
        assert_eq!(SearchQuery::parse("  "), Err(QueryError::Empty));
        assert_eq!(SearchQuery::parse("* - ()"), Err(QueryError::Empty));
        assert_eq!(SearchQuery::parse("-spam"), Err(QueryError::OnlyExcludes));
        let long = "a ".repeat(MAX_QUERY_CHARS);
        assert_eq!(SearchQuery::parse(&long), Err(QueryError::TooLong));
    }
}
