//! Search: open a verified bundle from bytes (native or wasm, no threads, no files) and rank
//! entries for a shopper's message, reading the bundle's compact index ([`crate::index`]).
//!
//! Every question (main and alternates) is one index document; each entry also has one
//! document for its answer text. An entry's score is its best question's BM25 score, plus
//! its other matching alternates with decreasing weights, plus a small share of its answer's
//! score, so alternates all count for their entry and questions weigh more than answers; then
//! two views of the entry as a whole: its questions pooled ([`crate::pool`]) and the term
//! weights learned at build time ([`crate::learn`]). Unknown English words are corrected to
//! the nearest KB word (typos), Chinese is matched through unigrams and bigrams.

use crate::analyze::{Analyzer, TermKind};
use crate::bundle::{self, Bundle, BundleError, EntryMeta, Manifest};
use crate::index::{Field, Index};
use crate::learn::{self, Learned};
use crate::pool::{Held, Pool};
use std::collections::HashMap;

/// Name of the compact index inside a bundle.
pub(crate) const INDEX_FILE: &str = "kefu.idx";

/// Weight of the answer document next to the best question.
pub(crate) const ANSWER_WEIGHT: f32 = 0.25;
/// Weight of a Han unigram next to a bigram or a word.
const UNIGRAM_WEIGHT: f32 = 0.6;
/// Weight of a typo-corrected word.
const FUZZY_WEIGHT: f32 = 0.8;
/// An entry's score adds its later alternates: the k-th best question found counts
/// `ALTERNATE_DECAY^(k−1)` of its score, so several matching alternates reinforce an entry,
/// each less than the one before. Measured on the shared eval files: the earlier fixed
/// 1 / 0.5 / 0.25 over the best three gave acc@1 74.3 / 94.7 / 85.7 on the full
/// sofmattress / bitext / banking77 KBs; the geometric 0.6 over every alternate among the
/// gathered documents gives 76.7 / 95.7 / 86.8 (sparse KBs, with two questions an entry,
/// within 0.1 point); 0.7 and 0.8 were no better on the whole.
const ALTERNATE_DECAY: f32 = 0.6;
/// Boost of English function words ("how", "my", "the"): kept, so a query made only of them
/// still finds something, but they barely move the ranking.
const STOPWORD_WEIGHT: f32 = 0.15;
/// Terms of one message that go into the index query, the heaviest first (rarity × boost).
/// 24 bounds the cost of long messages (banking77 full: native p99 1.9 → 1.3 ms) without
/// changing acc@1 on any evaluation file; a long Chinese message keeps its rarest bigrams.
const MAX_QUERY_TERMS: usize = 24;
/// Coverage both ways at which a question counts as the message word for word
/// ([`Ranking::word_for_word`]).
const WORD_FOR_WORD: f32 = 0.999;
/// How many documents are gathered before grouping them into entries. 100 ranks as well as
/// 400 on the shared eval files (acc@1 within 0.1 point) at 60% of the query time.
const GATHER: usize = 100;

/// One ranked entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Position of the entry in the manifest.
    pub entry: u32,
    /// Combined score: best question, its other matching questions (decaying), share of the
    /// answer, and the entry's pooled score ([`crate::pool`]).
    pub score: f32,
    /// Score of the best-matching question alone.
    pub question_score: f32,
    /// Share (0–1, weighted by rarity) of the query's terms found in that best question.
    pub coverage: f32,
    /// The other direction: share (0–1, weighted by rarity) of that best question's terms
    /// that the query has. A paraphrase of the question covers its telling words; a message
    /// about something else that shares one word with it does not ("how long does delivery
    /// take" against "how long until my new card is delivered": the card is missing).
    pub question_coverage: f32,
    /// Share (0–1, weighted by rarity) of the query's terms found in any of the entry's
    /// questions or its answer: a message about the entry's topic finds its words somewhere in the entry,
    /// one about a neighbouring topic leaves the telling one out everywhere.
    pub entry_coverage: f32,
}

/// The answer to one search: entries best first, plus what the reply policy needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranking {
    pub hits: Vec<Hit>,
    /// Number of distinct terms the query produced.
    pub query_terms: usize,
    /// Share (0–1, weighted by rarity) of the query's terms the KB knows at all.
    pub known: f32,
    /// Unknown words searched as another: typo fixes and related shop words (typed, used).
    pub corrections: Vec<(String, String)>,
    /// Share of the nearest question documents (up to [`VOTERS`]) that belong to the top entry.
    pub votes: f32,
    /// The entry of a question with exactly the message's words, when one of the nearest
    /// question documents (up to [`VOTERS`]) is such a question and they all belong to one
    /// entry: the terms of each found in the other (typo fixes and synonyms folded), every
    /// word of the message known. Content staff wrote that very question for the entry.
    /// Only for searches that hide nothing (the calibration's held-out ones leave it `None`).
    pub word_for_word: Option<u32>,
}

/// How many of the nearest questions vote in [`Ranking::votes`].
pub const VOTERS: usize = 10;

impl Ranking {
    /// Relative margin between the best and the runner-up score (1 when alone).
    pub fn margin(&self) -> f32 {
        match self.hits.as_slice() {
            [] => 0.0,
            [_] => 1.0,
            [a, b, ..] if a.score > 0.0 => ((a.score - b.score) / a.score).clamp(0.0, 1.0),
            _ => 0.0,
        }
    }
}

/// Which documents a search ignores (used by leave-one-out calibration and tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct Exclude {
    /// A question document (its global question index).
    pub question: Option<u32>,
    /// A whole entry.
    pub entry: Option<u32>,
}

/// An [`Exclude`] resolved against the engine's documents (see `Engine::left`): the question
/// document, and a hidden entry's question documents and answer document.
#[derive(Debug, Clone, Copy, Default)]
struct Left {
    question: Option<u32>,
    /// The hidden entry's questions `start..end` and its answer document.
    entry: Option<(u32, u32, u32)>,
}

impl Left {
    fn is_none(&self) -> bool {
        self.question.is_none() && self.entry.is_none()
    }
}

/// A loaded bundle, ready to answer.
pub struct Engine {
    manifest: Manifest,
    analyzer: Analyzer,
    index: Index,
    /// KB words (ASCII, 3+ letters) by length, each with its letter counts, for typo
    /// correction.
    vocab: HashMap<usize, Vec<(String, [u8; 27])>>,
    /// Synonyms of the KB's words in `vocab` (a member of a `kefu.toml` group, "package"), with
    /// the word they are indexed as ("parcel"): a typo of a member is fixed to it.
    aliases: HashMap<String, String>,
    /// Entry of every document (questions in entry order, then one answer per entry).
    doc_entry: Vec<u32>,
    /// Rarity mass of every question document (sum over its distinct terms of
    /// `1 + ln(documents / df)`), for [`Hit::question_coverage`].
    question_mass: Vec<f32>,
    /// The questions pooled per entry, the ranking's second view ([`crate::pool`]).
    pool: Pool,
    /// Term weights learned at build time, the third view ([`crate::learn`]).
    learned: Option<Learned>,
    /// For every term of the bundle's related-word groups, the groups it is in.
    related: HashMap<String, Vec<u32>>,
    format_version: u16,
    bytes: usize,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("entries", &self.manifest.entries.len()).finish()
    }
}

/// The documents a query gathers, best first, and the term clauses that scored them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gathered {
    /// (term, boost) of every clause, question field; the answer field has the same terms at
    /// `boost × ANSWER_WEIGHT`.
    pub clauses: Vec<(String, f32)>,
    /// (document, BM25 score), best first, ties by document.
    pub docs: Vec<(u32, f32)>,
}

impl Engine {
    /// Verifies a bundle and opens its index from memory.
    ///
    /// The compact index is checked whole as it is decoded ([`Index::decode`]), so a damaged
    /// index is an error here rather than at the shopper's first question.
    pub fn open(bytes: &[u8]) -> Result<Engine, BundleError> {
        crate::guard::run("opening the index", || Self::open_unguarded(bytes))
    }

    fn open_unguarded(bytes: &[u8]) -> Result<Engine, BundleError> {
        let Bundle { mut manifest, files, format_version } = bundle::read(bytes)?;
        // The policy reads its word lists from here in the browser; the engine keeps no copy.
        crate::reply::lexicon::install(std::mem::take(&mut manifest.words));
        if let Some((name, _)) = files.iter().find(|(n, _)| n != INDEX_FILE) {
            return Err(BundleError::Malformed(format!("unexpected index file `{name}`")));
        }
        let Some((_, data)) = files.iter().find(|(n, _)| n == INDEX_FILE) else {
            return Err(BundleError::MissingSegment(INDEX_FILE.to_string()));
        };
        let index = Index::decode(data)?;
        Self::from_index(manifest, index, format_version, bytes.len())
    }

    fn from_index(manifest: Manifest, index: Index, format_version: u16, bytes: usize) -> Result<Engine, BundleError> {
        let questions = manifest.question_count;
        let expected_docs = questions as u64 + manifest.entries.len() as u64;
        if index.docs() as u64 != expected_docs {
            return Err(BundleError::Malformed(format!(
                "index has {} documents, manifest expects {expected_docs}",
                index.docs()
            )));
        }
        let mut doc_entry = Vec::with_capacity(expected_docs as usize);
        for (i, e) in manifest.entries.iter().enumerate() {
            if doc_entry.len() as u64 + e.question_count as u64 > questions as u64 {
                return Err(BundleError::Malformed(format!("entry {i} has more questions than the manifest counts")));
            }
            doc_entry.extend(std::iter::repeat_n(i as u32, e.question_count as usize));
        }
        if doc_entry.len() != questions as usize {
            return Err(BundleError::Malformed(format!(
                "entries have {} questions, manifest counts {questions}",
                doc_entry.len()
            )));
        }
        doc_entry.extend(0..manifest.entries.len() as u32);
        let docs = index.docs();
        let mut vocab: HashMap<usize, Vec<(String, [u8; 27])>> = HashMap::new();
        let mut question_mass = vec![0.0f32; docs as usize];
        for (term, postings) in index.field(Field::Question).terms() {
            let rarity = question_idf(docs, postings.len() as u32);
            for &(doc, _) in postings {
                question_mass[doc as usize] += rarity;
            }
            if term.len() >= 3 && term.bytes().all(|b| b.is_ascii_lowercase()) {
                vocab.entry(term.len()).or_default().push((term.to_string(), letter_histogram(term)));
            }
        }
        let analyzer = Analyzer::new(&manifest.settings.synonyms);
        let mut aliases = HashMap::new();
        for (member, canon) in analyzer.synonym_words() {
            let indexed = index.field(Field::Question).find(canon).is_some();
            if indexed && member.len() >= 3 && member.bytes().all(|b| b.is_ascii_lowercase()) {
                vocab.entry(member.len()).or_default().push((member.to_string(), letter_histogram(member)));
                aliases.insert(member.to_string(), canon.to_string());
            }
        }
        let pool = Pool::new(&index, &doc_entry, manifest.entries.len(), questions);
        let learned = match &manifest.learned {
            None => None,
            Some(s) => Some(
                Learned::open(s, index.field(Field::Question).terms().count(), manifest.entries.len())
                    .map_err(BundleError::Malformed)?,
            ),
        };
        let mut related: HashMap<String, Vec<u32>> = HashMap::new();
        for (g, group) in manifest.settings.related.iter().enumerate() {
            for term in group {
                related.entry(term.clone()).or_default().push(g as u32);
            }
        }
        Ok(Engine {
            manifest,
            analyzer,
            index,
            vocab,
            aliases,
            doc_entry,
            question_mass,
            pool,
            learned,
            related,
            format_version,
            bytes,
        })
    }

    /// Takes the calibration of a bundle written again with it, `bytes` long: the build's
    /// last step, which saves opening the bundle twice (the engine opened from it would
    /// differ from this one only there).
    #[cfg(feature = "build")]
    pub(crate) fn calibrated(&mut self, calibration: crate::calibration::Calibration, bytes: usize) {
        self.manifest.calibration = calibration;
        self.bytes = bytes;
    }

    /// The bundle's manifest (entries, settings, calibration).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The entry at a manifest position.
    pub fn entry(&self, pos: u32) -> Option<&EntryMeta> {
        self.manifest.entries.get(pos as usize)
    }

    /// The position of the entry with this id.
    pub fn position_of(&self, id: &str) -> Option<u32> {
        self.manifest.entries.iter().position(|e| e.id == id).map(|p| p as u32)
    }

    /// Bundle format version and size in bytes.
    pub fn format(&self) -> (u16, usize) {
        (self.format_version, self.bytes)
    }

    /// The analyzer of this KB.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The compact index (read-only).
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The entry of every question document, in document order.
    pub fn question_entries(&self) -> &[u32] {
        self.doc_entry.get(..self.manifest.question_count as usize).unwrap_or(&[])
    }

    /// The learned term weights the bundle carries, if any.
    pub fn learned(&self) -> Option<&Learned> {
        self.learned.as_ref()
    }

    /// Ranks entries for `query`, best first, at most `limit`.
    ///
    /// Infallible: if the index turns out to be damaged (see [`Engine::try_search`]) the
    /// ranking is empty, which the reply policy answers by offering a person.
    pub fn search(&self, query: &str, limit: usize) -> Ranking {
        self.search_excluding(query, limit, Exclude::default())
    }

    /// Like [`Engine::search`], ignoring the excluded documents.
    pub fn search_excluding(&self, query: &str, limit: usize, exclude: Exclude) -> Ranking {
        self.search_with(query, limit, exclude, self.learned.as_ref())
    }

    /// Like [`Engine::search`], but a panic while reading the index (which [`Engine::open`]'s
    /// checks should make impossible) is [`BundleError::Corrupt`].
    pub fn try_search(&self, query: &str, limit: usize) -> Result<Ranking, BundleError> {
        self.try_search_excluding(query, limit, Exclude::default())
    }

    /// Like [`Engine::try_search`], ignoring the excluded documents.
    pub fn try_search_excluding(&self, query: &str, limit: usize, exclude: Exclude) -> Result<Ranking, BundleError> {
        self.guarded_search(query, limit, exclude, self.learned.as_ref())
    }

    /// Like [`Engine::search_excluding`], with other learned weights than the bundle's (the
    /// calibration asks each held-out question of weights fitted without it).
    pub fn search_with(&self, query: &str, limit: usize, exclude: Exclude, learned: Option<&Learned>) -> Ranking {
        self.guarded_search(query, limit, exclude, learned).unwrap_or_default()
    }

    fn guarded_search(
        &self,
        query: &str,
        limit: usize,
        exclude: Exclude,
        learned: Option<&Learned>,
    ) -> Result<Ranking, BundleError> {
        crate::guard::run("searching the index", || Ok(self.search_unguarded(query, limit, exclude, learned)))
    }

    /// The first step of a search alone: the term clauses of `query` and the documents they
    /// gather with their BM25 scores (what `tests/tantivy_parity.rs` compares with tantivy).
    pub fn gather(&self, query: &str) -> Gathered {
        let planned = self.plan(query, &mut Ranking::default(), Left::default());
        let clauses = queried(&planned).map(|p| (p.text.clone(), p.boost)).collect();
        Gathered { clauses, docs: self.gather_planned(&planned) }
    }

    /// The best GATHER documents of the planned terms, with their scores.
    fn gather_planned(&self, planned: &[Planned]) -> Vec<(u32, f32)> {
        SCRATCH.with_borrow_mut(|Scratch { scores, keys }| {
            scores.clear();
            scores.resize(self.index.docs() as usize, 0.0);
            for p in queried(planned) {
                self.index.score(Field::Question, p.ids[0], p.boost, scores);
                self.index.score(Field::Answer, p.ids[1], p.boost * ANSWER_WEIGHT, scores);
            }
            top_documents(scores, keys, GATHER)
        })
    }

    fn search_unguarded(&self, query: &str, limit: usize, exclude: Exclude, learned: Option<&Learned>) -> Ranking {
        let mut ranking = Ranking::default();
        let planned = self.plan(query, &mut ranking, self.left(exclude));
        if planned.is_empty() || limit == 0 {
            return ranking;
        }
        let total_weight: f32 = planned.iter().map(|p| p.weight).sum();
        ranking.known =
            planned.iter().filter(|p| p.df > 0).map(|p| p.weight).sum::<f32>() / total_weight.max(f32::EPSILON);
        let gathered = self.gather_planned(&planned);
        if gathered.is_empty() {
            return ranking;
        }
        // Group documents into entries.
        struct Acc {
            best_q: f32,
            best_doc: Option<u32>,
            answer: f32,
            /// Later questions' scores, the k-th weighted by `ALTERNATE_DECAY^(k−1)`.
            tail: f32,
            k: i32,
        }
        let mut voters: Vec<u32> = Vec::with_capacity(VOTERS);
        let mut voter_docs: Vec<u32> = Vec::with_capacity(VOTERS);
        // Per entry, in the order first found (a slot per entry: cheaper than hashing).
        let mut slot: Vec<u32> = vec![u32::MAX; self.manifest.entries.len()];
        let mut by_entry: Vec<(u32, Acc)> = Vec::new();
        let questions = self.manifest.question_count;
        for (doc, score) in gathered {
            let Some(&entry) = self.doc_entry.get(doc as usize) else { continue };
            if exclude.entry == Some(entry) {
                continue;
            }
            let is_question = doc < questions;
            if is_question && exclude.question == Some(doc) {
                continue;
            }
            let Some(s) = slot.get_mut(entry as usize) else { continue };
            if *s == u32::MAX {
                *s = by_entry.len() as u32;
                by_entry.push((entry, Acc { best_q: 0.0, best_doc: None, answer: 0.0, tail: 0.0, k: 0 }));
            }
            let acc = &mut by_entry[*s as usize].1;
            if is_question {
                if voters.len() < VOTERS {
                    voters.push(entry);
                    voter_docs.push(doc);
                }
                // Documents come best first: the first of an entry is its best question.
                if acc.best_doc.is_none() {
                    acc.best_q = score;
                    acc.best_doc = Some(doc);
                } else {
                    acc.k += 1;
                    acc.tail += decay(acc.k) * score;
                }
            } else {
                acc.answer = acc.answer.max(score);
            }
        }
        // The entry view: each entry's questions pooled, the held-out question taken out.
        let held = exclude
            .question
            .filter(|&q| q < questions)
            .and_then(|doc| self.doc_entry.get(doc as usize).map(|&entry| Held { doc, entry }));
        let mut pooled = vec![0.0f32; self.manifest.entries.len()];
        for p in queried(&planned) {
            self.pool.score(&self.index, p.ids[0], p.boost, held, &mut pooled);
        }
        let mut hits: Vec<(Hit, Option<u32>)> = by_entry
            .into_iter()
            .map(|(entry, a)| {
                let pool = self.view_weight(entry, held) * pooled.get(entry as usize).copied().unwrap_or(0.0);
                let score = a.best_q + a.tail + a.answer + pool;
                let hit = Hit {
                    entry,
                    score,
                    question_score: a.best_q,
                    coverage: 0.0,
                    question_coverage: 0.0,
                    entry_coverage: 0.0,
                };
                (hit, a.best_doc)
            })
            .collect();
        if let Some(model) = learned {
            self.add_learned(model, &planned, exclude.entry, held, &mut hits);
        }
        hits.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(a.0.entry.cmp(&b.0.entry)));
        hits.truncate(limit);
        for (hit, doc) in &mut hits {
            if let Some(doc) = doc {
                (hit.coverage, hit.question_coverage) = self.coverage(&planned, *doc, total_weight);
            }
            // Found anywhere in the entry: one of its questions, or its answer (where a merchant
            // writes the facts: "do you ship to canada" against an answer that lists Canada).
            let answer_doc = questions + hit.entry;
            let answers = self.index.field(Field::Answer);
            let found: f32 = planned
                .iter()
                .filter(|p| {
                    p.df > 0
                        && (self.pool.has(&self.index, p.ids[0], hit.entry, held)
                            || answers.postings_of(p.ids[1]).binary_search_by_key(&answer_doc, |x| x.0).is_ok())
                })
                .map(|p| p.weight)
                .sum();
            hit.entry_coverage = (found / total_weight.max(f32::EPSILON)).clamp(0.0, 1.0);
        }
        ranking.hits = hits.into_iter().map(|(h, _)| h).collect();
        if let Some(top) = ranking.hits.first() {
            ranking.votes = voters.iter().filter(|&&e| e == top.entry).count() as f32 / voters.len().max(1) as f32;
        }
        if exclude.question.is_none() && exclude.entry.is_none() {
            ranking.word_for_word = self.word_for_word(&planned, &voter_docs, &voters, total_weight);
        }
        ranking
    }

    /// How much the entry-wide views (pool, learned weights) add for an entry: the pool's
    /// [`crate::pool::weight`] of its questions, a held-out one not counted.
    fn view_weight(&self, entry: u32, held: Option<Held>) -> f32 {
        let own = self.manifest.entries.get(entry as usize).map_or(1, |e| e.question_count);
        crate::pool::weight(own.saturating_sub(u32::from(held.is_some_and(|h| h.entry == entry))))
    }

    /// Adds the learned weights' view to the entries found: an entry's probability times
    /// [`learn::FUSE`] times the best lexical score, in the pool's proportion for its number of
    /// questions (none for one or two).
    fn add_learned(
        &self,
        model: &Learned,
        planned: &[Planned],
        hidden: Option<u32>,
        held: Option<Held>,
        hits: &mut [(Hit, Option<u32>)],
    ) {
        let questions = self.manifest.question_count;
        let field = self.index.field(Field::Question);
        let mut features: Vec<(usize, f32)> = Vec::new();
        for p in planned.iter().filter(|p| p.df > 0) {
            if let Some(id) = p.ids[0].filter(|id| !features.iter().any(|f| f.0 == *id)) {
                features.push((id, learn::rarity(questions, field.postings_of(Some(id)).len())));
            }
        }
        if features.is_empty() {
            return;
        }
        learn::normalize(&mut features);
        let probs = model.probabilities(&features, hidden);
        let top = hits.iter().map(|h| h.0.score).fold(0.0f32, f32::max);
        for (hit, _) in hits.iter_mut() {
            let p = probs.get(hit.entry as usize).copied().unwrap_or(0.0);
            hit.score += learn::FUSE * self.view_weight(hit.entry, held) * p * top;
        }
    }

    /// Turns a query into weighted index terms (typos corrected, duplicates merged).
    ///
    /// The excluded documents do not count towards a term's frequency: a held-out question
    /// sees the KB as if it lacked them, so its own words can be unknown, as a shopper's are.
    fn plan(&self, query: &str, ranking: &mut Ranking, left: Left) -> Vec<Planned> {
        let total_docs = self.index.docs().max(1) as f32;
        let mut out: Vec<Planned> = Vec::new();
        // Characters of Chinese words searched as an English related word.
        let mut absorbed: Vec<char> = Vec::new();
        for (i, t) in self.analyzer.terms(query).into_iter().enumerate() {
            if out.iter().any(|p| p.typed == t.text) {
                continue;
            }
            let stopword = match t.kind {
                TermKind::Word | TermKind::Joined { .. } => crate::analyze::is_stopword(&t.text),
                TermKind::HanUnigram => crate::analyze::is_han_stopchar(&t.text),
                TermKind::HanBigram => false,
            };
            let ids = self.ids(&t.text);
            let df = self.doc_freq(ids, left);
            if let TermKind::Joined { parts } = t.kind {
                // A hyphenated word's joined form the KB never writes: its parts stand for
                // it. One the KB writes stands for parts it does not know: the shopper's
                // "back-order" is the KB's "backorder", not a message about "back" and an
                // "order". When the KB knows every part too ("top-up" beside "top up" and
                // "topup"), both readings stay.
                if df == 0 {
                    continue;
                }
                let own = i.saturating_sub(usize::from(parts))..i;
                if out.iter().any(|p| own.contains(&p.from) && p.df == 0) {
                    out.retain(|p| !own.contains(&p.from));
                }
            }
            let mut planned = Planned {
                from: i,
                typed: t.text.clone(),
                text: t.text.clone(),
                ids,
                df,
                boost: if t.kind == TermKind::HanUnigram { UNIGRAM_WEIGHT } else { 1.0 },
                weight: 0.0,
            };
            if stopword {
                planned.boost *= STOPWORD_WEIGHT;
            }
            if df == 0 && matches!(t.kind, TermKind::Word | TermKind::HanBigram) {
                // The stemmer drops a final "e" only from words it recognises ("change" →
                // "chang"), so a misspelt one keeps it ("chnage"): try it without as well.
                // No typo either: a shop word the KB puts another way ("reimbursed" for
                // "refund", 领导 for 投诉), weighed as a typo fix is.
                let fix = match t.kind {
                    TermKind::Word => self
                        .correct(&t.text, left)
                        .or_else(|| t.text.strip_suffix('e').and_then(|w| self.correct(w, left))),
                    _ => None,
                }
                .or_else(|| self.related_known(&t.text, left));
                if t.kind == TermKind::HanBigram && fix.as_ref().is_none_or(|f| out.iter().any(|p| &p.text == f)) {
                    // Two Han characters the KB never writes together are, far more often
                    // than not, the seam between two words ("期吗" in "过期吗"), not a word of
                    // their own: they would only count as unknown and shrink the coverage.
                    // Their characters still count as unigrams.
                    continue;
                }
                if let Some(fix) = fix {
                    if t.kind == TermKind::HanBigram && !fix.chars().any(crate::analyze::is_han) {
                        absorbed.extend(t.text.chars());
                    }
                    ranking.corrections.push((t.text.clone(), fix.clone()));
                    planned.ids = self.ids(&fix);
                    planned.df = self.doc_freq(planned.ids, left);
                    planned.text = fix;
                    planned.boost *= FUZZY_WEIGHT;
                } else if let Some((head, tail)) = self.split_compound(&t.text, left) {
                    // "preorders" where the KB writes "pre-orders", "topup" for "top up":
                    // the two words it is made of, each as a word of the message.
                    for part in [head, tail] {
                        if out.iter().any(|p| p.text == part) {
                            continue;
                        }
                        let ids = self.ids(&part);
                        let df = self.doc_freq(ids, left);
                        let boost = if crate::analyze::is_stopword(&part) { STOPWORD_WEIGHT } else { 1.0 };
                        let weight = rarity_weight(boost, df, total_docs);
                        out.push(Planned { from: i, typed: t.text.clone(), text: part, ids, df, boost, weight });
                    }
                    continue;
                }
            }
            planned.weight = rarity_weight(planned.boost, planned.df, total_docs);
            out.push(planned);
        }
        // A Chinese word searched as an English one (退款 as "refund" at an English shop) stands
        // for its characters: those the KB never writes are not unknown words too. Within
        // Chinese (领导 searched as 投诉) they stay: measured, dropping them there moved zh-beauty
        // sparse to 2.2% wrong (1.9) and its self-service 38.8 → 37.9.
        if !absorbed.is_empty() {
            out.retain(|p| {
                !(p.df == 0 && p.typed.chars().count() == 1 && p.typed.chars().all(|c| absorbed.contains(&c)))
            });
        }
        ranking.query_terms = out.len();
        out
    }

    /// A term's ids in the question and the answer dictionaries.
    fn ids(&self, text: &str) -> [Option<usize>; 2] {
        [self.index.field(Field::Question).find(text), self.index.field(Field::Answer).find(text)]
    }

    /// The documents an [`Exclude`] leaves out, resolved once per search. An entry's
    /// questions are consecutive documents, its answer is document `questions + entry`.
    fn left(&self, exclude: Exclude) -> Left {
        let nq = self.manifest.question_count as usize;
        let own = self.doc_entry.get(..nq).unwrap_or(&[]);
        Left {
            question: exclude.question,
            entry: exclude.entry.map(|e| {
                let (lo, hi) = (own.partition_point(|&x| x < e) as u32, own.partition_point(|&x| x <= e) as u32);
                (lo, hi, nq as u32 + e)
            }),
        }
    }

    /// Documents holding a term, the left-out ones not counted (postings are in document
    /// order, so each count is a binary search).
    fn doc_freq(&self, [q, a]: [Option<usize>; 2], left: Left) -> u64 {
        let questions = self.index.field(Field::Question).postings_of(q);
        let answers = self.index.field(Field::Answer).postings_of(a);
        let mut df = (questions.len() + answers.len()) as u64;
        if let Some(doc) = left.question {
            df -= u64::from(questions.binary_search_by_key(&doc, |x| x.0).is_ok());
        }
        if let Some((start, end, answer)) = left.entry {
            let asked = questions.partition_point(|p| p.0 < end) - questions.partition_point(|p| p.0 < start);
            let answered = answers.binary_search_by_key(&answer, |p| p.0).is_ok();
            df -= (asked + usize::from(answered)) as u64;
        }
        df
    }

    /// The first word related to an unknown one (the bundle's related-word groups, in their
    /// order) that the KB writes, the left-out documents not counted.
    fn related_known(&self, word: &str, left: Left) -> Option<String> {
        let groups = self.related.get(word)?;
        let groups = groups.iter().filter_map(|&g| self.manifest.settings.related.get(g as usize));
        groups.flatten().find(|w| *w != word && self.knows(w, left)).cloned()
    }

    /// Whether the KB writes `word` (a term as the analyzer makes it), the left-out documents
    /// not counted.
    fn knows(&self, word: &str, left: Left) -> bool {
        self.doc_freq(self.ids(word), left) > 0
    }

    /// An unknown word the KB writes as two ("preorders" is "pre" and "order", "topup" is
    /// "top" and "up"): both parts known words of at least three letters, or one of them "up",
    /// "in" or "on" (top-up, log-in, add-on), the first part as long as it can be. Only for
    /// words of letters; the parts are stemmed as the KB's words are.
    fn split_compound(&self, word: &str, left: Left) -> Option<(String, String)> {
        if word.len() < 5 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        let known = |w: &str| self.knows(w, left);
        let short = |w: &str| matches!(w, "up" | "in" | "on");
        let ok = |w: &str| w.len() >= 3 || short(w);
        (2..=word.len() - 2).rev().find_map(|i| {
            let (a, b) = word.split_at(i);
            if !(ok(a) && ok(b)) || (short(a) && short(b)) {
                return None;
            }
            // The first part before the second: most are no word at all.
            let sa = crate::analyze::stem_word(a);
            if !known(&sa) {
                return None;
            }
            let sb = crate::analyze::stem_word(b);
            known(&sb).then_some((sa, sb))
        })
    }

    /// The nearest KB word to an unknown word: edit distance 1 (2 for long words). Words
    /// only the excluded documents have are not candidates. A synonym the KB's word stands
    /// for counts as that word ("pakage" is "package", indexed as "parcel").
    ///
    /// Words of four letters are not corrected, nor words whose stem has four ("arive" →
    /// "ariv"): measured in session 22, correcting those stems (or only stems of a five-letter
    /// word ending in "e") lowered en-shop full self-service 47.9 → 46.2 (46.2 → 47.5 for all
    /// such stems, with bitext sparse 17.5 → 16.3); real words the KB lacks get "fixed".
    ///
    /// Two edits are a typo when at least one of them drops, adds or swaps a letter
    /// ("shiping", "recieving", "adress"), never when both replace one: two letters replaced
    /// in place are another word far more often than a slip of the fingers ("passport" is no
    /// "password", "shipping" no "shopping" twice over).
    fn correct(&self, word: &str, left: Left) -> Option<String> {
        let n = word.len();
        if n < 5 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        let max = if n >= 8 { 2 } else { 1 };
        let hist = letter_histogram(word);
        let mut best: Option<(usize, &String)> = None;
        for len in n.saturating_sub(max)..=n + max {
            for (cand, other) in self.vocab.get(&len).into_iter().flatten() {
                // An edit changes the letter counts by at most 2 (a transposition by 0): words
                // whose counts differ more cannot be within `max` edits. Exact, and it skips
                // the distance (which allocates) for most of the vocabulary; measured, it cut
                // sofmattress's p99 (0.25 → 0.19 ms) and left banking77's unchanged.
                let diff: u32 = hist.iter().zip(other.iter()).map(|(a, b)| a.abs_diff(*b) as u32).sum();
                if diff > 2 * max as u32 {
                    continue;
                }
                let d = strsim::osa_distance(word, cand);
                if d == 2 && two_replaced(word, cand) {
                    continue;
                }
                let better = d <= max && best.is_none_or(|(bd, bc)| d < bd || (d == bd && cand < bc));
                let indexed = self.aliases.get(cand).unwrap_or(cand);
                if better && (left.is_none() || self.knows(indexed, left)) {
                    best = Some((d, cand));
                }
            }
        }
        best.map(|(_, c)| self.aliases.get(c).unwrap_or(c).clone())
    }

    /// [`Ranking::word_for_word`] over the nearest question documents `docs` (with their
    /// `entries`).
    fn word_for_word(&self, planned: &[Planned], docs: &[u32], entries: &[u32], total_weight: f32) -> Option<u32> {
        let mut found = None;
        for (&doc, &entry) in docs.iter().zip(entries) {
            let (message_in_question, question_in_message) = self.coverage(planned, doc, total_weight);
            if message_in_question >= WORD_FOR_WORD && question_in_message >= WORD_FOR_WORD {
                match found {
                    None => found = Some(entry),
                    Some(e) if e == entry => {}
                    // The same words under two entries: no telling which.
                    Some(_) => return None,
                }
            }
        }
        found
    }

    /// Both coverages of one question document: the weighted share of the planned terms it
    /// contains, and the share of its own rarity mass that the query matched.
    fn coverage(&self, planned: &[Planned], doc: u32, total_weight: f32) -> (f32, f32) {
        let questions = self.index.field(Field::Question);
        let docs = self.index.docs();
        let (mut hit, mut matched) = (0.0, 0.0);
        let mut seen: Vec<&str> = Vec::new();
        for p in planned.iter().filter(|p| p.df > 0) {
            let postings = questions.postings_of(p.ids[0]);
            if postings.binary_search_by_key(&doc, |x| x.0).is_ok() {
                hit += p.weight;
                // Two typed words may land on one indexed term (typo fix, synonym).
                if !seen.contains(&p.text.as_str()) {
                    seen.push(&p.text);
                    matched += question_idf(docs, postings.len() as u32);
                }
            }
        }
        let reverse = match self.question_mass.get(doc as usize) {
            Some(&m) if m > 0.0 => (matched / m).clamp(0.0, 1.0),
            _ => 0.0,
        };
        ((hit / total_weight.max(f32::EPSILON)).clamp(0.0, 1.0), reverse)
    }
}

/// Two words of one length that differ in exactly two places (ASCII): two letters replaced
/// in place ([`Engine::correct`]).
fn two_replaced(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 2
}

/// The candidates' floors in [`top_documents`], as shares of the best score, tried in turn.
/// Measured on banking77 full's 4,655 held-out searches (session 24): at least 100
/// documents reached 0.2 of the best in 90% of them (585 on average), 0.1 in 97% (1,716);
/// 7,134 matched at all. (0.3 alone, the floor before 0.2, held in 57%.)
const FLOORS: [f32; 2] = [0.2, 0.1];

/// A search's working memory, kept between searches (one per thread): every document's
/// score, and the keys of [`top_documents`]. Allocated anew, they cost a search a zeroing
/// pass over 120 KB at banking77 full.
#[derive(Default)]
struct Scratch {
    scores: Vec<f32>,
    keys: Vec<u64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Documents [`top_documents`] compares with a floor at once.
const LANES: usize = 16;

/// The best `n` documents by (score desc, document asc), tantivy's order, with their
/// scores (`scores` indexed by document, 0 for those no clause matched; `keys` is working
/// memory).
///
/// Most of a search's documents match only a common word and score far below the best.
/// So the candidates are first the documents scoring at least a share of the best
/// ([`FLOORS`]), found in a pass over the scores that compares sixteen at a time into a bit
/// mask and visits only its set bits. Exact: when `n` documents reach a floor, so does the
/// `n`-th best and every document above it; when none holds `n`, every matched document is
/// a candidate. The calibration's held-out searches spent a third of their time selecting
/// among ~7,100 matched documents of 10,000 on banking77 full. Session 21 found the floor's
/// candidates through the postings of the clauses that could reach it: a random read and a
/// branch per posting, most of a search's selection (session 24, `perf`).
fn top_documents(scores: &[f32], keys: &mut Vec<u64>, n: usize) -> Vec<(u32, f32)> {
    // The best score, over eight lanes (one running maximum is a chain of dependent
    // comparisons the compiler can't vectorise).
    let mut lanes = [0.0f32; 8];
    let mut chunks = scores.chunks_exact(8);
    for c in &mut chunks {
        for (l, &s) in lanes.iter_mut().zip(c) {
            *l = if s > *l { s } else { *l };
        }
    }
    let best = chunks.remainder().iter().chain(&lanes).copied().fold(0.0f32, f32::max);
    if best <= 0.0 || n == 0 {
        return Vec::new();
    }
    // Scores are positive, so their bits order as the floats do; one integer key per
    // document orders both ways.
    let key = |d: usize, s: f32| (u64::from(u32::MAX - s.to_bits()) << 32) | d as u64;
    // Each floor, then every matched document (above zero, as the floor of a tiny best may
    // round to it).
    let tiny = f32::from_bits(1);
    for (i, floor) in FLOORS.iter().map(|f| (best * f).max(tiny)).chain([tiny]).enumerate() {
        keys.clear();
        for (g, group) in scores.chunks(LANES).enumerate() {
            let mut mask = group.iter().enumerate().fold(0u32, |m, (k, &s)| m | (u32::from(s >= floor) << k));
            while mask != 0 {
                let d = g * LANES + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                keys.push(key(d, scores[d]));
            }
        }
        if keys.len() >= n || i == FLOORS.len() {
            break;
        }
    }
    select(keys, n)
}

/// The best `n` of the document keys (score desc, document asc), decoded, best first.
fn select(ranked: &mut [u64], n: usize) -> Vec<(u32, f32)> {
    let ranked = if ranked.len() > n {
        ranked.select_nth_unstable(n - 1);
        &mut ranked[..n]
    } else {
        ranked
    };
    ranked.sort_unstable();
    ranked.iter().map(|&k| ((k & 0xffff_ffff) as u32, f32::from_bits(u32::MAX - (k >> 32) as u32))).collect()
}

/// `ALTERNATE_DECAY^k`, from a table (the same values `powi` gives: it is filled with it).
fn decay(k: i32) -> f32 {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| (0..=GATHER as i32).map(|k| ALTERNATE_DECAY.powi(k)).collect());
    table.get(k as usize).copied().unwrap_or_else(|| ALTERNATE_DECAY.powi(k))
}

/// The planned terms that go into the index query: those the KB has, and of a long message
/// only the most telling (the cost grows with every term's postings; all terms still count
/// for coverage).
fn queried(planned: &[Planned]) -> impl Iterator<Item = &Planned> {
    let cut = if planned.iter().filter(|p| p.df > 0).count() > MAX_QUERY_TERMS {
        let mut weights: Vec<f32> = planned.iter().filter(|p| p.df > 0).map(|p| p.weight).collect();
        *weights.select_nth_unstable_by(MAX_QUERY_TERMS - 1, |a, b| b.total_cmp(a)).1
    } else {
        f32::MIN
    };
    planned.iter().filter(move |p| p.df > 0 && p.weight >= cut)
}

/// Rarity of a question term for [`Hit::question_coverage`]: `1 + ln(docs / df)`.
fn question_idf(docs: u32, df: u32) -> f32 {
    1.0 + libm::logf(docs.max(1) as f32 / df.max(1) as f32)
}

/// A planned term's weight for coverage: its boost times its rarity (idf; an unknown term
/// counts as rare).
fn rarity_weight(boost: f32, df: u64, total_docs: f32) -> f32 {
    boost * (1.0 + libm::logf(total_docs / df.max(1) as f32)).max(0.1)
}

struct Planned {
    /// The message term it was planned from (its index among the analyzer's terms).
    from: usize,
    typed: String,
    text: String,
    /// `text`'s ids in the question and answer dictionaries.
    ids: [Option<usize>; 2],
    df: u64,
    boost: f32,
    weight: f32,
}

/// Counts of a–z in a word, with one more bin for every other character.
fn letter_histogram(word: &str) -> [u8; 27] {
    let mut h = [0u8; 27];
    for b in word.bytes() {
        let i = if b.is_ascii_lowercase() { (b - b'a') as usize } else { 26 };
        h[i] = h[i].saturating_add(1);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::FieldIndex;

    /// Every document's key, sorted: what [`top_documents`] must equal, without its floor.
    fn every_matched(scores: &[f32], n: usize) -> Vec<(u32, f32)> {
        let mut all: Vec<(u32, f32)> =
            scores.iter().enumerate().filter(|(_, &s)| s > 0.0).map(|(d, &s)| (d as u32, s)).collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }

    /// xorshift64: reproducible, no crate.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, m: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % m
        }
    }

    fn field(rng: &mut Rng, docs: u32, terms: usize, lengths: &[u32]) -> FieldIndex {
        let list = (0..terms)
            .map(|t| {
                let share = if t < 2 { 90 } else { 1 + rng.below(30) };
                let mut postings = Vec::new();
                for d in 0..docs {
                    if rng.below(100) < share {
                        postings.push((d, 1 + rng.below(2) as u32));
                    }
                }
                (format!("t{t}"), postings)
            })
            .collect();
        FieldIndex::new(lengths.iter().map(|&l| l as u64).sum(), lengths.to_vec(), list)
    }

    #[test]
    fn two_letters_replaced_in_place_are_another_word() {
        assert!(two_replaced("passport", "password"));
        // A swap differs in two places too, but is one edit: `correct` asks only at two.
        assert_eq!(strsim::osa_distance("passwrod", "password"), 1);
        assert!(!two_replaced("pasword", "password"));
        assert!(!two_replaced("installm", "instal"));
        assert!(!two_replaced("refund", "refund"));
    }

    #[test]
    fn the_floor_never_changes_the_best_documents() {
        // Random indexes: two common terms (most documents, a function word's boost), the
        // rest rarer; equal scores on purpose (term frequency 1 or 2, equal lengths in half
        // the documents).
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut floored = 0;
        for round in 0..200 {
            let docs = 50 + rng.below(400) as u32;
            let terms = 3 + rng.below(20) as usize;
            let lengths: Vec<u32> = (0..docs).map(|d| if d % 2 == 0 { 6 } else { 1 + rng.below(12) as u32 }).collect();
            let (q, a) = (field(&mut rng, docs, terms, &lengths), field(&mut rng, docs, terms, &lengths));
            let index = Index::new(docs, q, a);
            let mut scores = vec![0.0f32; docs as usize];
            for t in 0..terms {
                let boost = if t < 2 { STOPWORD_WEIGHT } else { 1.0 };
                for (f, b) in [(Field::Question, boost), (Field::Answer, boost * ANSWER_WEIGHT)] {
                    let id = index.field(f).find(&format!("t{t}"));
                    if rng.below(3) == 0 || index.field(f).postings_of(id).is_empty() {
                        continue;
                    }
                    index.score(f, id, b, &mut scores);
                }
            }
            let n = [1, 5, 20, 100][round % 4];
            let want = every_matched(&scores, n);
            let best = want.first().map_or(0.0, |d| d.1);
            floored += usize::from(scores.iter().filter(|&&s| s >= best * FLOORS[0] && s > 0.0).count() >= n);
            assert_eq!(top_documents(&scores, &mut Vec::new(), n), want, "round {round}");
        }
        // Both ways were taken: through the floor, and past it to every matched document.
        assert!(floored > 20 && floored < 190, "{floored} of 200 through the floor");
    }
}
