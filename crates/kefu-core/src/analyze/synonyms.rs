//! Synonym folding: every member of a group is rewritten to the group's first member, so
//! "package", "parcel" and "delivery" (or 退款 and 退钱) index and match as one term.

use super::normalize;
use super::tokenize::{tokenize, TermKind};
use std::collections::HashMap;

/// The folded synonym table of one KB.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Single words (stemmed) → canonical term.
    words: HashMap<String, String>,
    /// Phrases (normalized text, longest first) → canonical normalized text.
    phrases: Vec<(String, String)>,
}

impl Synonyms {
    /// Builds the table from groups as written in `kefu.toml`.
    pub fn new(groups: &[Vec<String>]) -> Self {
        let mut s = Synonyms::default();
        for group in groups {
            let Some(head) = group.first() else { continue };
            let head_norm = normalize(head.trim());
            let head_terms = tokenize(&head_norm, 8);
            for member in group.iter().skip(1) {
                let norm = normalize(member.trim());
                if norm.is_empty() || norm == head_norm {
                    continue;
                }
                let terms = tokenize(&norm, 8);
                let single_word = terms.len() == 1 && terms[0].kind == TermKind::Word;
                if single_word && head_terms.len() == 1 && head_terms[0].kind == TermKind::Word {
                    s.words.insert(terms[0].text.clone(), head_terms[0].text.clone());
                } else {
                    s.phrases.push((norm, head_norm.clone()));
                }
            }
        }
        s.phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        s
    }

    /// The canonical term for a single (stemmed) word, if it has one.
    pub fn word(&self, term: &str) -> Option<&str> {
        self.words.get(term).map(String::as_str)
    }

    /// Rewrites phrase synonyms in normalized text (whole words for Latin phrases).
    pub fn fold_phrases(&self, text: &str) -> String {
        if self.phrases.is_empty() {
            return text.to_string();
        }
        let mut out = text.to_string();
        for (from, to) in &self.phrases {
            out = replace_bounded(&out, from, to);
        }
        out
    }
}

/// Replaces `from` with `to` where `from` does not sit inside a longer Latin word.
fn replace_bounded(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !super::is_han(c));
    while let Some(i) = rest.find(from) {
        let before = out.chars().last().or_else(|| rest[..i].chars().last());
        let before = if i > 0 { rest[..i].chars().last() } else { before };
        let after = rest[i + from.len()..].chars().next();
        let first = from.chars().next();
        let last = from.chars().last();
        // The match joins a neighbouring word when both sides of a seam are word characters.
        let joins = |edge: Option<char>, side: Option<char>| word_char(edge) && word_char(side);
        let bounded = !joins(first, before) && !joins(last, after);
        out.push_str(&rest[..i]);
        out.push_str(if bounded { to } else { from });
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}
