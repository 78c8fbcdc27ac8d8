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
    /// The parts of a hyphenated word written as one ("pre-order" → "preorder", after its
    /// parts "pre" and "order"): shoppers write "preorder", "e-mail", "top-up" either way. A
    /// joined form the KB never writes is dropped from a message, like a Han seam. `parts`:
    /// how many terms before it are its parts.
    Joined { parts: u8 },
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
/// memo hashes with `rustc-hash` (std's SipHash was an eighth of the memo's time, `perf`).
/// The widget stems one message at a time and keeps no memo.
fn stem(word: &str) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::cell::RefCell;
        thread_local! {
            static MEMO: RefCell<rustc_hash::FxHashMap<String, String>> = RefCell::default();
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
        stem_once(word)
    }
}

/// The English stem of a lowercase word, not remembered.
pub(crate) fn stem_once(word: &str) -> String {
    stemmer().stem(word).into_owned()
}

/// Tokenizes already-normalized text into at most `limit` terms.
pub(crate) fn tokenize(text: &str, limit: usize) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut pos = 0usize;
    let mut word = String::new();
    let mut prev_han: Option<char> = None;
    // A hyphenated word being read: its parts so far, joined, and how many.
    let mut joined = String::new();
    let mut parts = 0usize;
    let push = |terms: &mut Vec<Term>, pos: &mut usize, text: String, kind: TermKind| {
        terms.push(Term { text, position: *pos, kind });
        *pos += 1;
    };
    for c in text.chars() {
        if terms.len() >= limit {
            break;
        }
        if !is_han(c) && c.is_alphanumeric() {
            prev_han = None;
            if word.chars().count() < MAX_WORD_CHARS {
                word.push(c);
            }
            continue;
        }
        if c == '\'' {
            // "don't" → "dont": apostrophes join, they do not split (normalize has folded
            // typographic ones, "don’t", into this one).
            prev_han = None;
            continue;
        }
        if c == '-' && !word.is_empty() {
            // A hyphen after a word: the parts are words of their own, and the whole,
            // joined, is one more term when the last part ends.
            prev_han = None;
            joined.push_str(&word);
            parts += 1;
            flush_word(&mut word, &mut terms, &mut pos);
            continue;
        }
        end_word(&mut word, &mut joined, &mut parts, &mut terms, &mut pos);
        if is_han(c) {
            if let Some(p) = prev_han {
                push(&mut terms, &mut pos, format!("{p}{c}"), TermKind::HanBigram);
            }
            push(&mut terms, &mut pos, c.to_string(), TermKind::HanUnigram);
            prev_han = Some(c);
        } else {
            prev_han = None;
        }
    }
    end_word(&mut word, &mut joined, &mut parts, &mut terms, &mut pos);
    terms.truncate(limit);
    terms
}

/// Ends the word being read and, if it was the last part of a hyphenated word of two parts or
/// more, adds the joined form as a [`TermKind::Joined`] term ("top-up" → "topup").
fn end_word(word: &mut String, joined: &mut String, parts: &mut usize, terms: &mut Vec<Term>, pos: &mut usize) {
    if *parts > 0 && !word.is_empty() {
        joined.push_str(word);
        *parts += 1;
    }
    flush_word(word, terms, pos);
    if *parts >= 2 && joined.chars().count() <= MAX_WORD_CHARS {
        let text = if joined.chars().all(|c| c.is_ascii_alphabetic()) { stem(joined) } else { joined.clone() };
        let parts = (*parts).min(usize::from(u8::MAX)) as u8;
        terms.push(Term { text, position: *pos, kind: TermKind::Joined { parts } });
        *pos += 1;
    }
    joined.clear();
    *parts = 0;
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
