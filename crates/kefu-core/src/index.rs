//! The compact index: what a bundle carries for search, and what the widget reads instead of
//! tantivy's segment files.
//!
//! `kefu build` indexes the KB with tantivy (its tokenizer pipeline, its writer). What
//! tantivy's BM25 needs at query time is then exported here: for each field, every term with
//! its postings (document, term frequency), every document's field length as tantivy stored
//! it (its one-byte field norm, decoded), and the field's token total. Reading that needs no
//! term-dictionary automaton, no bit-packed blocks, no skip lists, no columnar store: a few
//! kilobytes of code instead of tantivy's ~450 KB (brotli) in the wasm. Scoring follows
//! tantivy's BM25 formula term by term (same `k1`, `b`, idf and length normalisation); the
//! test `crates/kefu-core/tests/tantivy_parity.rs` runs every query of the shared eval files
//! through both and compares the scored documents.
//!
//! Wire form: postcard of [`Wire`], postings delta-coded. [`Index::decode`] checks everything
//! a search relies on (sorted unique terms, increasing in-range documents, non-zero
//! frequencies, one length per document, a token total that covers the frequencies), so a
//! damaged or forged bundle is an error at open and a search never indexes out of range.

use crate::bundle::BundleError;
use serde::{Deserialize, Serialize};

/// BM25 parameters, tantivy's.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// The two text fields, in wire order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Questions (main and alternates): documents `0..questions`.
    Question = 0,
    /// Answer text with tags: one document per entry, after the questions.
    Answer = 1,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    docs: u32,
    fields: Vec<WireField>,
}

#[derive(Serialize, Deserialize)]
struct WireField {
    total_tokens: u64,
    /// Field length of every document (tantivy's field norm, decoded).
    lengths: Vec<u32>,
    /// Sorted, unique.
    terms: Vec<String>,
    /// Per term: (document gap, term frequency); the first gap is the document itself.
    postings: Vec<Vec<(u32, u32)>>,
}

/// One field, ready to score.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldIndex {
    total_tokens: u64,
    lengths: Vec<u32>,
    terms: Vec<String>,
    /// Per term: (document, term frequency), documents increasing.
    postings: Vec<Vec<(u32, u32)>>,
    /// Per term and posting, BM25's term-frequency factor `tf / (tf + k1 · (1 − b + b ·
    /// length / average length))`, computed once at open as tantivy computes it per hit.
    factors: Vec<Vec<f32>>,
}

/// The whole index of a bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    docs: u32,
    fields: [FieldIndex; 2],
}

impl FieldIndex {
    /// Builds a field from absolute postings (the exporter's and the tests' way in).
    pub fn new(total_tokens: u64, lengths: Vec<u32>, mut terms: Vec<(String, Vec<(u32, u32)>)>) -> FieldIndex {
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let (terms, postings) = terms.into_iter().unzip();
        let mut f = FieldIndex { total_tokens, lengths, terms, postings, factors: Vec::new() };
        f.prepare();
        f
    }

    /// Computes [`FieldIndex::factors`] (documents are known to be in range).
    fn prepare(&mut self) {
        let docs = self.lengths.len().max(1);
        // A field with no tokens has no postings to score; 1 keeps its norms finite.
        let average = if self.total_tokens == 0 { 1.0 } else { self.total_tokens as f32 / docs as f32 };
        let norms: Vec<f32> = self.lengths.iter().map(|&len| length_norm(len, average)).collect();
        self.factors = self
            .postings
            .iter()
            .map(|list| {
                list.iter()
                    .map(|&(doc, tf)| {
                        let tf = tf as f32;
                        tf / (tf + norms[doc as usize])
                    })
                    .collect()
            })
            .collect();
    }

    /// A document's length in this field (tantivy's decoded field norm; 0 out of range).
    pub fn length(&self, doc: u32) -> u32 {
        self.lengths.get(doc as usize).copied().unwrap_or(0)
    }

    /// Position of a term in the dictionary (its id for [`Index::score`]).
    pub fn find(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.as_str().cmp(term)).ok()
    }

    /// The postings of the term with this id (empty for `None`).
    pub fn postings_of(&self, id: Option<usize>) -> &[(u32, u32)] {
        id.and_then(|i| self.postings.get(i)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every term with its document frequency, in dictionary order.
    pub fn terms(&self) -> impl Iterator<Item = (&str, &[(u32, u32)])> {
        self.terms.iter().map(String::as_str).zip(self.postings.iter().map(Vec::as_slice))
    }
}

/// tantivy's idf: `ln(1 + (N − n + 0.5) / (n + 0.5))`.
pub fn idf(doc_freq: u32, docs: u32) -> f32 {
    let x = (docs.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    libm::logf(1.0 + x)
}

/// BM25's length normalisation of a document, `k1 · (1 − b + b · length / average)`: a term
/// frequency `tf` scores `tf / (tf + norm)`.
pub fn length_norm(length: u32, average: f32) -> f32 {
    K1 * (1.0 - B + B * length as f32 / average)
}

/// BM25's weight of one clause: `idf · (k1 + 1) · boost`.
pub fn clause_weight(doc_freq: u32, docs: u32, boost: f32) -> f32 {
    idf(doc_freq, docs) * (1.0 + K1) * boost
}

impl Index {
    /// An index of `docs` documents from its two fields.
    pub fn new(docs: u32, question: FieldIndex, answer: FieldIndex) -> Index {
        Index { docs, fields: [question, answer] }
    }

    /// Number of documents (questions and answers).
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// One field.
    pub fn field(&self, f: Field) -> &FieldIndex {
        &self.fields[f as usize]
    }

    /// Adds the BM25 score of one term clause (the term's id from [`FieldIndex::find`]) to
    /// `scores` (indexed by document). `boost` multiplies the clause as tantivy's `BoostQuery`
    /// does. Every clause adds a positive amount to each document it matches, so the documents
    /// matched are those whose score is not zero.
    pub fn score(&self, f: Field, id: Option<usize>, boost: f32, scores: &mut [f32]) {
        let field = self.field(f);
        let Some(t) = id.filter(|&t| t < field.postings.len()) else { return };
        let (postings, factors) = (&field.postings[t], &field.factors[t]);
        let weight = clause_weight(postings.len() as u32, self.docs, boost);
        for (&(doc, _), &factor) in postings.iter().zip(factors) {
            scores[doc as usize] += weight * factor;
        }
    }

    /// Serialises the index (postcard, documents delta-coded).
    pub fn encode(&self) -> Vec<u8> {
        let fields = self
            .fields
            .iter()
            .map(|f| WireField {
                total_tokens: f.total_tokens,
                lengths: f.lengths.clone(),
                terms: f.terms.clone(),
                postings: f
                    .postings
                    .iter()
                    .map(|list| {
                        let mut prev = 0;
                        list.iter()
                            .map(|&(doc, tf)| {
                                let gap = doc.wrapping_sub(prev);
                                prev = doc;
                                (gap, tf)
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        postcard::to_allocvec(&Wire { docs: self.docs, fields }).expect("index serializes")
    }

    /// Reads and checks an encoded index.
    pub fn decode(bytes: &[u8]) -> Result<Index, BundleError> {
        let damaged = |what: String| BundleError::Corrupt { what };
        let wire: Wire = postcard::from_bytes(bytes).map_err(|e| damaged(format!("index does not decode: {e}")))?;
        let docs = wire.docs;
        let [q, a]: [WireField; 2] =
            wire.fields.try_into().map_err(|_| damaged("index does not have exactly two fields".into()))?;
        let mut fields = Vec::with_capacity(2);
        for (name, w) in [("question", q), ("answer", a)] {
            if w.lengths.len() != docs as usize {
                return Err(damaged(format!("{name} field has {} lengths for {docs} documents", w.lengths.len())));
            }
            if w.terms.len() != w.postings.len() {
                return Err(damaged(format!(
                    "{name} field has {} terms but {} posting lists",
                    w.terms.len(),
                    w.postings.len()
                )));
            }
            if let Some(pair) = w.terms.windows(2).find(|p| p[0] >= p[1]) {
                return Err(damaged(format!("{name} terms out of order near `{}`", pair[1])));
            }
            let mut frequencies = 0u64;
            let mut postings = Vec::with_capacity(w.postings.len());
            for (term, list) in w.terms.iter().zip(w.postings) {
                if list.is_empty() {
                    return Err(damaged(format!("{name} term `{term}` has no documents")));
                }
                let mut abs = Vec::with_capacity(list.len());
                let mut doc: Option<u32> = None;
                for (gap, tf) in list {
                    let next = match doc {
                        None => Some(gap),
                        Some(d) if gap > 0 => d.checked_add(gap),
                        Some(_) => None,
                    };
                    let Some(next) = next.filter(|&n| n < docs) else {
                        return Err(damaged(format!("{name} term `{term}` names a document out of order or range")));
                    };
                    if tf == 0 {
                        return Err(damaged(format!("{name} term `{term}` has a zero frequency")));
                    }
                    frequencies += tf as u64;
                    abs.push((next, tf));
                    doc = Some(next);
                }
                postings.push(abs);
            }
            if w.total_tokens < frequencies {
                return Err(damaged(format!("{name} field's token total {} is below its postings", w.total_tokens)));
            }
            let mut f = FieldIndex {
                total_tokens: w.total_tokens,
                lengths: w.lengths,
                terms: w.terms,
                postings,
                factors: Vec::new(),
            };
            f.prepare();
            fields.push(f);
        }
        let [question, answer]: [FieldIndex; 2] = fields.try_into().map_err(|_| damaged("fields".into()))?;
        Ok(Index { docs, fields: [question, answer] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Index {
        let q = FieldIndex::new(
            5,
            vec![3, 2, 0],
            vec![
                ("refund".into(), vec![(0, 1), (1, 1)]),
                ("when".into(), vec![(0, 1)]),
                ("where".into(), vec![(1, 1)]),
                ("order".into(), vec![(0, 1)]),
            ],
        );
        let a = FieldIndex::new(2, vec![0, 0, 2], vec![("money".into(), vec![(2, 1)]), ("back".into(), vec![(2, 1)])]);
        Index::new(3, q, a)
    }

    #[test]
    fn round_trip_and_lookup() {
        let i = small();
        let back = Index::decode(&i.encode()).unwrap();
        assert_eq!(back, i);
        assert_eq!(back.field(Field::Question).postings_of(back.field(Field::Question).find("refund")).len(), 2);
        assert_eq!(back.field(Field::Question).postings_of(back.field(Field::Question).find("nothing")).len(), 0);
        let q = back.field(Field::Question);
        let contains = |term: &str, doc: u32| q.postings_of(q.find(term)).iter().any(|p| p.0 == doc);
        assert!(contains("where", 1));
        assert!(!contains("where", 0));
    }

    #[test]
    fn bm25_prefers_the_shorter_document_and_the_rarer_term() {
        let i = small();
        let mut scores = vec![0.0; 3];
        i.score(Field::Question, i.field(Field::Question).find("refund"), 1.0, &mut scores);
        assert!(scores[0] > 0.0 && scores[1] > 0.0 && scores[2] == 0.0, "{scores:?}");
        assert!(scores[1] > scores[0], "the two-word question scores higher: {scores:?}");
        let mut rare = vec![0.0; 3];
        i.score(Field::Question, i.field(Field::Question).find("where"), 1.0, &mut rare);
        assert!(rare[1] > scores[1], "a term in one document weighs more than one in two");
        let mut boosted = vec![0.0; 3];
        i.score(Field::Question, i.field(Field::Question).find("where"), 0.5, &mut boosted);
        assert!((boosted[1] - rare[1] * 0.5).abs() < 1e-6);
    }

    #[test]
    fn damage_is_an_error_naming_it() {
        let mut bad = small();
        bad.fields[0].postings[0] = vec![(1, 1), (0, 1)];
        let err = Index::decode(&bad.encode()).unwrap_err();
        assert!(err.to_string().contains("out of order"), "{err}");
        let mut bad = small();
        bad.fields[1].lengths.pop();
        assert!(Index::decode(&bad.encode()).unwrap_err().to_string().contains("lengths"));
        let mut bad = small();
        bad.fields[0].postings[1] = vec![(0, 0)];
        assert!(Index::decode(&bad.encode()).unwrap_err().to_string().contains("frequency"));
        let mut bad = small();
        bad.fields[0].total_tokens = 1;
        assert!(Index::decode(&bad.encode()).unwrap_err().to_string().contains("token total"));
        let mut bad = small();
        bad.fields[0].terms.swap(0, 1);
        assert!(Index::decode(&bad.encode()).unwrap_err().to_string().contains("out of order"));
        assert!(Index::decode(&[1, 2, 3]).is_err());
    }
}
