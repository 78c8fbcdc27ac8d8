//! The entry pool: the KB's questions pooled per entry, a second view the engine ranks with.
//!
//! The index scores questions one by one, and BM25 counts a term's rarity over questions. A KB
//! with many alternates per entry then undervalues the words an entry is about: "pin" in 200
//! alternates of "change my PIN" is common among questions, yet it tells that entry from the
//! others. Here each entry is one document (the sum of its questions' term frequencies and
//! lengths) and rarity is counted over entries, so such a word weighs what it tells. The engine
//! adds this score to an entry's question score, in proportion to how much more than its best
//! question the pool knows ([`weight`]): nothing for an entry with one or two questions.
//!
//! Derived when a bundle is opened, from the question postings: nothing in the bundle, and the
//! same in wasm as natively.

use crate::index::{clause_weight, length_norm, Field, Index};

/// Entries pooled from the question postings.
#[derive(Debug, Clone, Default)]
pub struct Pool {
    /// Per question term (the question field's term id): (entry, pooled term frequency),
    /// entries increasing.
    postings: Vec<Vec<(u32, u32)>>,
    /// Pooled length (tokens) of every entry.
    lengths: Vec<u32>,
    /// Sum of `lengths`.
    total: u64,
}

/// A question taken out of the pool for one search, as if the KB did not have it (a held-out
/// question at calibration): its document and its entry.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub doc: u32,
    pub entry: u32,
}

/// How much of an entry's pooled score the engine adds: `1 − 2 / questions`, at least 0. An
/// entry with one or two questions has little the pool knows beyond its best question (its
/// score would only count the same words twice); one with many alternates gets nearly all.
pub fn weight(questions: u32) -> f32 {
    (1.0 - 2.0 / questions.max(1) as f32).max(0.0)
}

impl Pool {
    /// Pools the question field of `index`; `doc_entry` maps each question document to its
    /// entry (questions are numbered in entry order, so an entry's documents are adjacent).
    pub fn new(index: &Index, doc_entry: &[u32], entries: usize, questions: u32) -> Pool {
        let field = index.field(Field::Question);
        let mut lengths = vec![0u32; entries];
        for doc in 0..questions {
            if let Some(len) = doc_entry.get(doc as usize).and_then(|&e| lengths.get_mut(e as usize)) {
                *len += field.length(doc);
            }
        }
        let postings = field
            .terms()
            .map(|(_, list)| {
                let mut pooled: Vec<(u32, u32)> = Vec::new();
                for &(doc, tf) in list {
                    let Some(&e) = doc_entry.get(doc as usize).filter(|_| doc < questions) else { continue };
                    match pooled.last_mut() {
                        Some((last, sum)) if *last == e => *sum += tf,
                        _ => pooled.push((e, tf)),
                    }
                }
                pooled
            })
            .collect();
        let total = lengths.iter().map(|&l| u64::from(l)).sum();
        Pool { postings, lengths, total }
    }

    /// Whether any of `entry`'s questions has the term (`held`'s question not counted).
    pub fn has(&self, index: &Index, term: Option<usize>, entry: u32, held: Option<Held>) -> bool {
        let Some(list) = term.and_then(|t| self.postings.get(t)) else { return false };
        let Ok(i) = list.binary_search_by_key(&entry, |&(e, _)| e) else { return false };
        match held.filter(|h| h.entry == entry) {
            None => true,
            Some(h) => list[i].1 > held_tf(index, term, h),
        }
    }

    /// Adds, for every entry a clause reaches, its pooled BM25 for the clause (`term`: the
    /// question field's term id, `boost` as in the index) to `scores` (indexed by entry).
    /// `held`'s question is taken out of its entry: its frequency, its length, and the entry
    /// itself from the term's entry count when no other question of it has the term.
    pub fn score(&self, index: &Index, term: Option<usize>, boost: f32, held: Option<Held>, scores: &mut [f32]) {
        let Some(list) = term.and_then(|t| self.postings.get(t)) else { return };
        let field = index.field(Field::Question);
        let own = held.map_or(0, |h| held_tf(index, term, h));
        let held_len = held.map_or(0, |h| field.length(h.doc));
        let held_pooled = held.and_then(|h| list.binary_search_by_key(&h.entry, |&(e, _)| e).ok().map(|i| list[i].1));
        let gone = u32::from(own > 0 && held_pooled == Some(own));
        let entries = self.lengths.len() as u32;
        let average = (self.total.saturating_sub(u64::from(held_len)) as f32 / entries.max(1) as f32).max(1.0);
        let w = clause_weight(list.len() as u32 - gone, entries, boost);
        for &(e, tf) in list {
            let (mut tf, mut len) = (tf, self.lengths[e as usize]);
            if held.is_some_and(|h| h.entry == e) {
                tf -= own;
                len = len.saturating_sub(held_len);
            }
            if tf == 0 {
                continue;
            }
            let tf = tf as f32;
            if let Some(slot) = scores.get_mut(e as usize) {
                *slot += w * tf / (tf + length_norm(len, average));
            }
        }
    }
}

/// The held-out question's own frequency of a question term (0 if it lacks it).
fn held_tf(index: &Index, term: Option<usize>, held: Held) -> u32 {
    let list = index.field(Field::Question).postings_of(term);
    list.binary_search_by_key(&held.doc, |&(d, _)| d).map_or(0, |i| list[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::FieldIndex;

    /// An index of `questions` (each: entry, terms), one empty answer per entry.
    fn index(questions: &[(u32, &[&str])], entries: usize) -> (Index, Vec<u32>) {
        let mut terms: std::collections::BTreeMap<&str, Vec<(u32, u32)>> = Default::default();
        let mut lengths = Vec::new();
        for (doc, (_, words)) in questions.iter().enumerate() {
            for w in words.iter() {
                let list = terms.entry(w).or_default();
                match list.last_mut() {
                    Some((d, tf)) if *d == doc as u32 => *tf += 1,
                    _ => list.push((doc as u32, 1)),
                }
            }
            lengths.push(words.len() as u32);
        }
        let total: u64 = lengths.iter().map(|&l| l as u64).sum();
        let docs = (questions.len() + entries) as u32;
        lengths.resize(docs as usize, 0);
        let q = FieldIndex::new(total, lengths, terms.into_iter().map(|(t, p)| (t.to_string(), p)).collect());
        let a = FieldIndex::new(0, vec![0; docs as usize], Vec::new());
        let mut doc_entry: Vec<u32> = questions.iter().map(|(e, _)| *e).collect();
        doc_entry.extend(0..entries as u32);
        (Index::new(docs, q, a), doc_entry)
    }

    fn scores(questions: &[(u32, &[&str])], word: &str, held: Option<u32>) -> Vec<f32> {
        let (idx, doc_entry) = index(questions, 2);
        let pool = Pool::new(&idx, &doc_entry, 2, questions.len() as u32);
        let held = held.map(|doc| Held { doc, entry: doc_entry[doc as usize] });
        let mut s = vec![0.0; 2];
        pool.score(&idx, idx.field(Field::Question).find(word), 1.0, held, &mut s);
        s
    }

    const KB: &[(u32, &[&str])] = &[
        (0, &["change", "pin"]),
        (0, &["new", "pin", "pin"]),
        (0, &["reset", "pin", "code"]),
        (1, &["card", "pin", "blocked"]),
        (1, &["card", "lost"]),
    ];

    #[test]
    fn a_held_question_scores_as_if_the_kb_lacked_it() {
        for held in 0..KB.len() as u32 {
            let without: Vec<(u32, &[&str])> =
                KB.iter().enumerate().filter(|(i, _)| *i as u32 != held).map(|(_, q)| *q).collect();
            for word in ["pin", "card", "code", "change", "lost"] {
                assert_eq!(
                    scores(KB, word, Some(held)),
                    scores(&without, word, None),
                    "question {held} held out, word {word}"
                );
            }
        }
    }

    #[test]
    fn an_entry_all_of_whose_questions_say_a_word_wins_it() {
        let pin = scores(KB, "pin", None);
        assert!(pin[0] > pin[1], "three questions about the PIN beat one: {pin:?}");
        let card = scores(KB, "card", None);
        assert_eq!(card[0], 0.0);
        assert!(card[1] > 0.0);
        // Rarity over entries: "card" is in one entry of two, "pin" in both.
        assert!(card[1] > pin[0], "{card:?} vs {pin:?}");
    }

    #[test]
    fn an_entry_has_a_word_while_a_question_other_than_the_held_one_has_it() {
        let (idx, doc_entry) = index(KB, 2);
        let pool = Pool::new(&idx, &doc_entry, 2, KB.len() as u32);
        let term = |w: &str| idx.field(Field::Question).find(w);
        let held = |doc: u32| Some(Held { doc, entry: doc_entry[doc as usize] });
        assert!(pool.has(&idx, term("code"), 0, None));
        assert!(!pool.has(&idx, term("code"), 1, None));
        // "code" is only in question 2: held out, entry 0 no longer has it; "pin" it still has.
        assert!(!pool.has(&idx, term("code"), 0, held(2)));
        assert!(pool.has(&idx, term("pin"), 0, held(2)));
        // Holding out a question of another entry changes nothing here.
        assert!(pool.has(&idx, term("code"), 0, held(4)));
        assert!(!pool.has(&idx, None, 0, None));
    }

    #[test]
    fn the_pool_weighs_nothing_for_one_or_two_questions() {
        assert_eq!((weight(0), weight(1), weight(2)), (0.0, 0.0, 0.0));
        assert_eq!(weight(4), 0.5);
        assert!(weight(100) > 0.97);
    }
}
