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

    /// Every single-word member (stemmed) with its canonical term.
    pub fn words(&self) -> impl Iterator<Item = (&str, &str)> {
        self.words.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Rewrites phrase synonyms in normalized text (whole words for Latin phrases). A phrase
    /// of Latin words matches word by word as the words stem ("promo codes", "payment plans"
    /// for "promo code", "payment plan"), as its single-word synonyms do.
    pub fn fold_phrases(&self, text: &str) -> String {
        if self.phrases.is_empty() {
            return text.to_string();
        }
        let mut out = text.to_string();
        let mut words = None;
        for (from, to) in &self.phrases {
            let latin = from.split(' ').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()));
            if latin {
                let found = words.get_or_insert_with(|| stemmed_words(&out));
                if let Some(folded) = replace_words(&out, found, from, to) {
                    out = folded;
                    words = None;
                }
            } else {
                out = replace_bounded(&out, from, to);
                words = None;
            }
        }
        out
    }
}

/// The Latin words of `text` (letters and digits): byte range and stem.
fn stemmed_words(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    let word_char = |c: char| c.is_alphanumeric() && !super::is_han(c);
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (start, word_char(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((s, i, super::stem_word(&text[s..i])));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// `text` with each run of its `words` (from [`stemmed_words`]) that stems as the words of
/// the phrase `from` do, with only spaces between them, replaced by `to`; `None` when none is.
fn replace_words(text: &str, words: &[(usize, usize, String)], from: &str, to: &str) -> Option<String> {
    let stems: Vec<String> = from.split(' ').map(super::stem_word).collect();
    let n = stems.len();
    let mut out = String::with_capacity(text.len());
    let (mut last, mut found) = (0, false);
    let mut i = 0;
    while i + n <= words.len() {
        let run = &words[i..i + n];
        let same = run.iter().zip(&stems).all(|(w, s)| w.2 == *s);
        let spaced = run.windows(2).all(|p| text[p[0].1..p[1].0].chars().all(|c| c == ' '));
        if same && spaced {
            out.push_str(&text[last..run[0].0]);
            out.push_str(to);
            last = run[n - 1].1;
            found = true;
            i += n;
        } else {
            i += 1;
        }
    }
    if !found {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_matches_its_plural_and_inflected_words() {
        let groups = vec![
            vec!["voucher".to_string(), "promo code".to_string(), "discount code".to_string()],
            vec!["instalments".to_string(), "payment plan".to_string()],
            vec!["退款".to_string(), "退钱".to_string()],
        ];
        let s = Synonyms::new(&groups);
        assert_eq!(s.fold_phrases("can i use a promo code"), "can i use a voucher");
        assert_eq!(s.fold_phrases("can i use promo codes"), "can i use voucher");
        assert_eq!(s.fold_phrases("got any promo codes?"), "got any voucher?");
        assert_eq!(s.fold_phrases("do you have discount codes"), "do you have voucher");
        assert_eq!(s.fold_phrases("do you offer payment plans"), "do you offer instalments");
        assert_eq!(s.fold_phrases("我想退钱"), "我想退款");
        // Not inside other words, nor across other words or punctuation.
        assert_eq!(s.fold_phrases("promo coder"), "promo coder");
        assert_eq!(s.fold_phrases("apromo code"), "apromo code");
        assert_eq!(s.fold_phrases("promo, codes"), "promo, codes");
    }
}
