//! The analyzer: one pipeline used when the index is built and when a shopper asks, so the
//! two always agree.
//!
//! text → [`normalize`] (width folding, lowercase, traditional → simplified) →
//! synonym folding → [`tokenize`] (Han unigrams + bigrams, stemmed Latin words) → terms.

mod normalize;
mod synonyms;
mod tokenize;

pub use normalize::{
    is_bidi_control, is_invisible, normalize, script_of, simplify, to_traditional, traditional, visible, Script,
};
pub use synonyms::Synonyms;
pub use tokenize::{is_han, TermKind};

/// English function words (stemmed) that say nothing about what a shopper wants.
pub fn is_stopword(term: &str) -> bool {
    matches!(
        term,
        "a" | "an"
            | "the"
            | "i"
            | "me"
            | "my"
            | "to"
            | "is"
            | "are"
            | "am"
            | "be"
            | "it"
            | "of"
            | "for"
            | "on"
            | "in"
            | "at"
            | "and"
            | "or"
            | "so"
            | "this"
            | "that"
            | "you"
            | "your"
            // Chat spellings of the same ("can u ship to …", "ur site").
            | "u"
            | "ur"
            | "do"
            | "doe"
            | "did"
            | "pleas"
            | "pls"
            | "plz"
            | "pl"
            | "with"
            | "there"
            | "just"
            | "would"
            | "could"
            | "should"
            | "will"
            | "shall"
            | "was"
            | "were"
            | "been"
            | "have"
            | "has"
            | "had"
            | "we"
            | "us"
            | "our"
            | "im"
            | "hi"
            | "hello"
            | "hey"
    )
}

/// The English stem of a lowercase word, as the analyzer makes it, without the build's
/// per-thread memo: the parts tried for a split compound are mostly no words at all, which
/// would only crowd the KB's stems out of it.
pub(crate) fn stem_word(word: &str) -> String {
    tokenize::stem_once(word)
}

/// Chinese function characters (particles, pronouns, "how/what" words), as single-character
/// terms: like English function words they are kept but barely move the ranking. Their
/// bigrams (我们, 怎么) are left alone: they are common, so their weight is low anyway.
pub fn is_han_stopchar(term: &str) -> bool {
    let mut chars = term.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else { return false };
    "的了吗呢吧啊么嘛呀哦哈是我你您们他她它在有和与就都也还又这那个一请把被给让怎什啥".contains(c)
}

use std::sync::Arc;

/// Upper bound on the terms taken from one text: a 10,000-character paste must not cost more
/// than a long question.
pub const MAX_TERMS: usize = 512;

/// A term with its position, as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub position: usize,
    pub kind: TermKind,
}

/// The analyzer of one KB (its synonyms are part of it).
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    synonyms: Arc<Synonyms>,
}

impl Analyzer {
    /// An analyzer that folds the given synonym groups.
    pub fn new(synonym_groups: &[Vec<String>]) -> Self {
        Analyzer { synonyms: Arc::new(Synonyms::new(synonym_groups)) }
    }

    /// The single-word synonyms (stemmed member, canonical term): words the index never
    /// holds, as they are folded onto their group's first word.
    pub fn synonym_words(&self) -> impl Iterator<Item = (&str, &str)> {
        self.synonyms.words()
    }

    /// The terms of `text`, in order, at most [`MAX_TERMS`].
    pub fn terms(&self, text: &str) -> Vec<Term> {
        let normalized = normalize(text);
        let folded = self.synonyms.fold_phrases(&normalized);
        let mut terms = tokenize::tokenize(&folded, MAX_TERMS);
        for t in &mut terms {
            if matches!(t.kind, TermKind::Word | TermKind::Joined { .. }) {
                if let Some(canon) = self.synonyms.word(&t.text) {
                    t.text = canon.to_string();
                }
            }
        }
        terms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(a: &Analyzer, s: &str) -> Vec<String> {
        a.terms(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn a_hyphenated_word_gives_its_parts_and_then_its_joined_form() {
        let terms = Analyzer::default().terms("Can I pre-order the top-up card? e-mail me");
        let got: Vec<(&str, TermKind)> = terms.iter().map(|t| (t.text.as_str(), t.kind)).collect();
        let want = [
            ("can", TermKind::Word),
            ("i", TermKind::Word),
            ("pre", TermKind::Word),
            ("order", TermKind::Word),
            ("preorder", TermKind::Joined { parts: 2 }),
            ("the", TermKind::Word),
            ("top", TermKind::Word),
            ("up", TermKind::Word),
            ("topup", TermKind::Joined { parts: 2 }),
            ("card", TermKind::Word),
            ("e", TermKind::Word),
            ("mail", TermKind::Word),
            ("email", TermKind::Joined { parts: 2 }),
            ("me", TermKind::Word),
        ];
        assert_eq!(got, want);
        assert!(terms.windows(2).all(|w| w[0].position < w[1].position), "positions increase");
        // A hyphen that joins nothing ("- item", "x-", "a--b") makes no joined term.
        let loose = Analyzer::default().terms("- item x- a--b");
        assert!(loose.iter().all(|t| t.kind == TermKind::Word), "{loose:?}");
    }

    #[test]
    fn traditional_and_simplified_give_the_same_terms() {
        let a = Analyzer::default();
        assert_eq!(texts(&a, "退貨怎麼申請"), texts(&a, "退货怎么申请"));
        assert!(texts(&a, "退貨").contains(&"退货".to_string()));
    }

    #[test]
    fn han_unigrams_and_bigrams_have_increasing_positions() {
        let terms = Analyzer::default().terms("退货运费");
        let got: Vec<_> = terms.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(got, ["退", "退货", "货", "货运", "运", "运费", "费"]);
        assert!(terms.windows(2).all(|w| w[0].position < w[1].position));
    }

    #[test]
    fn english_is_lowercased_and_stemmed() {
        let a = Analyzer::default();
        assert_eq!(texts(&a, "Refunds REFUNDED"), ["refund", "refund"]);
    }

    #[test]
    fn full_width_is_folded() {
        let a = Analyzer::default();
        assert_eq!(texts(&a, "ＯＲＤＥＲ１２３"), texts(&a, "order123"));
    }

    #[test]
    fn synonyms_fold_words_and_phrases() {
        let a = Analyzer::new(&[
            vec!["parcel".into(), "package".into(), "money back".into()],
            vec!["退款".into(), "退钱".into()],
        ]);
        assert_eq!(texts(&a, "packages"), texts(&a, "parcel"));
        assert_eq!(texts(&a, "money back"), texts(&a, "parcel"));
        assert_eq!(texts(&a, "怎么退錢"), texts(&a, "怎么退款"));
    }

    #[test]
    fn hostile_input_is_bounded() {
        let a = Analyzer::default();
        assert!(a.terms("").is_empty());
        assert!(a.terms("😀😀🎉").is_empty());
        assert!(a.terms("\u{0}\u{1b}[31m\u{7f}").len() <= 2);
        let long = "退货".repeat(5_000);
        assert!(a.terms(&long).len() <= MAX_TERMS);
        let mixed = texts(&a, "iPhone15 退货 refund");
        assert!(mixed.contains(&"iphone15".to_string()) && mixed.contains(&"退货".to_string()));
    }
}
