//! Splitting normalized text into terms: Han characters become unigrams and bigrams (Chinese
//! has no spaces, and most shop words are one or two characters), other letters and digits
//! become words, English words are stemmed.

use super::Term;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

/// What a term is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// One Han character.
    HanUnigram,
    /// Two adjacent Han characters.
    HanBigram,
    /// A word of letters and digits (English words stemmed).
    Word,
}

/// Longest word kept; longer runs are cut (they are never real shop vocabulary).
const MAX_WORD_CHARS: usize = 40;

/// True for CJK ideographs (the blocks shop text uses).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF | 0x30000..=0x3134F)
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Words remembered per thread by [`stem`]; past this the memo starts over (a KB's vocabulary
/// is a few thousand words).
#[cfg(not(target_arch = "wasm32"))]
const STEM_MEMO_MAX: usize = 50_000;

/// The English stem of a lowercase word. Natively each thread remembers the stems it made: a
/// build stems the KB's few thousand words again and again (indexing, then every held-out
/// search of the calibration), and the stemmer was a tenth of banking77 full's build. The
/// widget stems one message at a time and keeps no memo.
fn stem(word: &str) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::cell::RefCell;
        use std::collections::HashMap;
        thread_local! {
            static MEMO: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
        }
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            if let Some(s) = memo.get(word) {
                return s.clone();
            }
            let s = stemmer().stem(word).into_owned();
            if memo.len() >= STEM_MEMO_MAX {
                memo.clear();
            }
            memo.insert(word.to_string(), s.clone());
            s
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        stemmer().stem(word).into_owned()
    }
}

/// Tokenizes already-normalized text into at most `limit` terms.
pub(crate) fn tokenize(text: &str, limit: usize) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut pos = 0usize;
    let mut word = String::new();
    let mut prev_han: Option<char> = None;
    let push = |terms: &mut Vec<Term>, pos: &mut usize, text: String, kind: TermKind| {
        terms.push(Term { text, position: *pos, kind });
        *pos += 1;
    };
    for c in text.chars() {
        if terms.len() >= limit {
            break;
        }
        if is_han(c) {
            flush_word(&mut word, &mut terms, &mut pos);
            if let Some(p) = prev_han {
                push(&mut terms, &mut pos, format!("{p}{c}"), TermKind::HanBigram);
            }
            push(&mut terms, &mut pos, c.to_string(), TermKind::HanUnigram);
            prev_han = Some(c);
        } else if c.is_alphanumeric() {
            prev_han = None;
            if word.chars().count() < MAX_WORD_CHARS {
                word.push(c);
            }
        } else if c == '\'' {
            // "don't" → "dont": apostrophes join, they do not split (normalize has folded
            // typographic ones, "don’t", into this one).
            prev_han = None;
        } else {
            prev_han = None;
            flush_word(&mut word, &mut terms, &mut pos);
        }
    }
    flush_word(&mut word, &mut terms, &mut pos);
    terms.truncate(limit);
    terms
}

fn flush_word(word: &mut String, terms: &mut Vec<Term>, pos: &mut usize) {
    if word.is_empty() {
        return;
    }
    let text = if word.chars().all(|c| c.is_ascii_alphabetic()) { stem(word) } else { word.clone() };
    terms.push(Term { text, position: *pos, kind: TermKind::Word });
    *pos += 1;
    word.clear();
}
