//! Search: open a verified bundle from bytes (native or wasm, no threads, no files) and rank
//! entries for a shopper's message.
//!
//! Every question (main and alternates) is one index document; each entry also has one
//! document for its answer text. An entry's score is its best question's BM25 score, plus
//! its other matching alternates with decreasing weights, plus a small share of its answer's
//! score, so alternates all count for their entry and questions weigh more than answers. Unknown English words are corrected to the nearest KB word
//! (typos), Chinese is matched through unigrams and bigrams.

use crate::analyze::{Analyzer, KefuTokenizer, TermKind, TOKENIZER_NAME};
use crate::bundle::{self, Bundle, BundleError, EntryMeta, Manifest};
use std::collections::HashMap;
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::postings::Postings;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{DocAddress, DocId, DocSet, Index, IndexReader, ReloadPolicy, Searcher, SegmentReader, Term, TERMINATED};

/// Field names of the index schema.
pub(crate) const F_ENTRY: &str = "entry";
pub(crate) const F_QUESTION: &str = "q";
pub(crate) const F_ANSWER: &str = "a";

/// Weight of the answer document next to the best question.
const ANSWER_WEIGHT: f32 = 0.25;
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
/// How many documents are gathered before grouping them into entries. 100 ranks as well as
/// 400 on the shared eval files (acc@1 within 0.1 point) at 60% of the query time.
const GATHER: usize = 100;

/// The schema every bundle index uses.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(TOKENIZER_NAME).set_index_option(IndexRecordOption::WithFreqs),
    );
    let entry = b.add_u64_field(F_ENTRY, FAST);
    let question = b.add_text_field(F_QUESTION, text.clone());
    let answer = b.add_text_field(F_ANSWER, text);
    (b.build(), Fields { entry, question, answer })
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// Written by the builder; the reader maps documents to entries from the fast field once,
    /// at open.
    #[cfg_attr(not(feature = "build"), allow(dead_code))]
    pub entry: Field,
    pub question: Field,
    pub answer: Field,
}

/// One ranked entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Position of the entry in the manifest.
    pub entry: u32,
    /// Combined score (best question + share of answer).
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
}

/// The answer to one search: entries best first, plus what the reply policy needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranking {
    pub hits: Vec<Hit>,
    /// Number of distinct terms the query produced.
    pub query_terms: usize,
    /// Share (0–1, weighted by rarity) of the query's terms the KB knows at all.
    pub known: f32,
    /// Words that were corrected as typos: (typed, used).
    pub corrections: Vec<(String, String)>,
    /// Share of the nearest question documents (up to [`VOTERS`]) that belong to the top entry.
    pub votes: f32,
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

/// A loaded bundle, ready to answer.
pub struct Engine {
    manifest: Manifest,
    analyzer: Analyzer,
    reader: IndexReader,
    fields: Fields,
    /// KB words (ASCII, 3+ letters) by length, for typo correction.
    vocab: HashMap<usize, Vec<String>>,
    /// Entry of every document, per segment (read once from the fast field at open, so a
    /// search never decodes the column again).
    doc_entry: Vec<Vec<u32>>,
    /// Rarity mass of every question document (sum over its distinct terms of
    /// `1 + ln(questions / df)`), per segment, for [`Hit::question_coverage`].
    question_mass: Vec<Vec<f32>>,
    format_version: u16,
    bytes: usize,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("entries", &self.manifest.entries.len()).finish()
    }
}

impl Engine {
    /// Verifies a bundle and opens its index from memory.
    ///
    /// Reads every index structure a search can touch once (term dictionaries, postings,
    /// field norms, the entry column), so a damaged index is an error here rather than at the
    /// shopper's first question. A panic of tantivy on damaged data becomes
    /// [`BundleError::Corrupt`] (native; see [`crate::guard`] for wasm).
    pub fn open(bytes: &[u8]) -> Result<Engine, BundleError> {
        crate::guard::run("opening the index", || Self::open_unguarded(bytes))
    }

    fn open_unguarded(bytes: &[u8]) -> Result<Engine, BundleError> {
        let Bundle { manifest, files, format_version } = bundle::read(bytes)?;
        let dir = RamDirectory::create();
        for (name, data) in &files {
            if name.contains('/') || name.contains('\\') || name.starts_with('.') {
                return Err(BundleError::Malformed(format!("bad index file name `{name}`")));
            }
            use tantivy::Directory;
            dir.atomic_write(Path::new(name), data).map_err(|e| BundleError::Index(e.to_string()))?;
        }
        Self::from_directory(manifest, dir, format_version, bytes.len())
    }

    pub(crate) fn from_directory(
        manifest: Manifest,
        dir: RamDirectory,
        format_version: u16,
        bytes: usize,
    ) -> Result<Engine, BundleError> {
        let index = Index::open(dir).map_err(|e| match e {
            tantivy::TantivyError::OpenReadError(tantivy::directory::error::OpenReadError::FileDoesNotExist(p)) => {
                BundleError::MissingSegment(p.display().to_string())
            }
            other => BundleError::Index(other.to_string()),
        })?;
        let analyzer = Analyzer::new(&manifest.settings.synonyms);
        index.tokenizers().register(TOKENIZER_NAME, KefuTokenizer::new(analyzer.clone()));
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err(BundleError::Index("index schema does not match this kefu version".into()));
        }
        let reader =
            index.reader_builder().reload_policy(ReloadPolicy::Manual).num_warming_threads(0).try_into().map_err(
                |e: tantivy::TantivyError| match e {
                    tantivy::TantivyError::OpenReadError(
                        tantivy::directory::error::OpenReadError::FileDoesNotExist(p),
                    ) => BundleError::MissingSegment(p.display().to_string()),
                    other => BundleError::Index(other.to_string()),
                },
            )?;
        let searcher = reader.searcher();
        let mut vocab: HashMap<usize, Vec<String>> = HashMap::new();
        let mut docs = 0u64;
        let mut doc_entry = Vec::new();
        let mut question_mass = Vec::new();
        for seg in searcher.segment_readers() {
            docs += seg.max_doc() as u64;
            let col = seg.fast_fields().u64(F_ENTRY).map_err(|e| BundleError::Index(e.to_string()))?;
            let mut entries = Vec::with_capacity(seg.max_doc() as usize);
            for doc in 0..seg.max_doc() {
                let entry = col.first(doc).unwrap_or(u64::MAX);
                if entry >= manifest.entries.len() as u64 {
                    return Err(BundleError::Malformed(format!("document {doc} points to no entry")));
                }
                entries.push(entry as u32);
            }
            doc_entry.push(entries);
            let mut mass = vec![0.0f32; seg.max_doc() as usize];
            for field in [fields.question, fields.answer] {
                let is_question = field == fields.question;
                let docs = seg.max_doc();
                check_field(seg, field, |w, df, doc| {
                    if !is_question {
                        return;
                    }
                    match doc {
                        Some(d) => mass[d as usize] += question_idf(docs, df),
                        None if w.len() >= 3 && w.bytes().all(|b| b.is_ascii_lowercase()) => {
                            vocab.entry(w.len()).or_default().push(w.to_string())
                        }
                        None => {}
                    }
                })?;
            }
            question_mass.push(mass);
        }
        let expected_docs = manifest.question_count as u64 + manifest.entries.len() as u64;
        if docs != expected_docs {
            return Err(BundleError::Malformed(format!(
                "index has {docs} documents, manifest expects {expected_docs}"
            )));
        }
        for v in vocab.values_mut() {
            v.sort();
            v.dedup();
        }
        Ok(Engine { manifest, analyzer, reader, fields, vocab, doc_entry, question_mass, format_version, bytes })
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

    /// Ranks entries for `query`, best first, at most `limit`.
    ///
    /// Infallible: if the index turns out to be damaged (see [`Engine::try_search`]) the
    /// ranking is empty, which the reply policy answers by offering a person.
    pub fn search(&self, query: &str, limit: usize) -> Ranking {
        self.search_excluding(query, limit, Exclude::default())
    }

    /// Like [`Engine::search`], ignoring the excluded documents.
    pub fn search_excluding(&self, query: &str, limit: usize, exclude: Exclude) -> Ranking {
        self.try_search_excluding(query, limit, exclude).unwrap_or_default()
    }

    /// Like [`Engine::search`], but damaged index data (a panic inside tantivy that
    /// [`Engine::open`]'s checks did not foresee) is [`BundleError::Corrupt`].
    pub fn try_search(&self, query: &str, limit: usize) -> Result<Ranking, BundleError> {
        self.try_search_excluding(query, limit, Exclude::default())
    }

    /// Like [`Engine::try_search`], ignoring the excluded documents.
    pub fn try_search_excluding(&self, query: &str, limit: usize, exclude: Exclude) -> Result<Ranking, BundleError> {
        crate::guard::run("searching the index", || Ok(self.search_unguarded(query, limit, exclude)))
    }

    fn search_unguarded(&self, query: &str, limit: usize, exclude: Exclude) -> Ranking {
        let searcher = self.reader.searcher();
        let mut ranking = Ranking::default();
        let planned = self.plan(&searcher, query, &mut ranking);
        if planned.is_empty() || limit == 0 {
            return ranking;
        }
        let total_weight: f32 = planned.iter().map(|p| p.weight).sum();
        ranking.known =
            planned.iter().filter(|p| p.df > 0).map(|p| p.weight).sum::<f32>() / total_weight.max(f32::EPSILON);
        // Long messages: only the most telling terms go into the index query (the cost grows
        // with every term's postings); all of them still count for coverage below.
        let cut = if planned.iter().filter(|p| p.df > 0).count() > MAX_QUERY_TERMS {
            let mut weights: Vec<f32> = planned.iter().filter(|p| p.df > 0).map(|p| p.weight).collect();
            *weights.select_nth_unstable_by(MAX_QUERY_TERMS - 1, |a, b| b.total_cmp(a)).1
        } else {
            f32::MIN
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for p in planned.iter().filter(|p| p.df > 0 && p.weight >= cut) {
            let qt = Term::from_field_text(self.fields.question, &p.text);
            let at = Term::from_field_text(self.fields.answer, &p.text);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(TermQuery::new(qt, IndexRecordOption::WithFreqs)), p.boost)),
            ));
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(at, IndexRecordOption::WithFreqs)),
                    p.boost * ANSWER_WEIGHT,
                )),
            ));
        }
        if clauses.is_empty() {
            return ranking;
        }
        let query = BooleanQuery::new(clauses);
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(GATHER).order_by_score()) else {
            return ranking;
        };
        // Group documents into entries.
        struct Acc {
            best_q: f32,
            best_doc: Option<DocAddress>,
            answer: f32,
            /// Later questions' scores, the k-th weighted by `ALTERNATE_DECAY^(k−1)`.
            tail: f32,
            k: i32,
        }
        let mut voters: Vec<u32> = Vec::with_capacity(VOTERS);
        let mut by_entry: HashMap<u32, Acc> = HashMap::new();
        let questions = self.manifest.question_count;
        for (score, addr) in top {
            let Some(&entry) = self.doc_entry.get(addr.segment_ord as usize).and_then(|d| d.get(addr.doc_id as usize))
            else {
                continue;
            };
            if exclude.entry == Some(entry) {
                continue;
            }
            let is_question = addr.segment_ord == 0 && addr.doc_id < questions;
            if is_question && exclude.question == Some(addr.doc_id) {
                continue;
            }
            let acc =
                by_entry.entry(entry).or_insert(Acc { best_q: 0.0, best_doc: None, answer: 0.0, tail: 0.0, k: 0 });
            if is_question {
                if voters.len() < VOTERS {
                    voters.push(entry);
                }
                // Documents come best first: the first of an entry is its best question.
                if acc.best_doc.is_none() {
                    acc.best_q = score;
                    acc.best_doc = Some(addr);
                } else {
                    acc.k += 1;
                    acc.tail += ALTERNATE_DECAY.powi(acc.k) * score;
                }
            } else {
                acc.answer = acc.answer.max(score);
            }
        }
        let mut hits: Vec<(Hit, Option<DocAddress>)> = by_entry
            .into_iter()
            .map(|(entry, a)| {
                let score = a.best_q + a.tail + a.answer;
                (Hit { entry, score, question_score: a.best_q, coverage: 0.0, question_coverage: 0.0 }, a.best_doc)
            })
            .collect();
        hits.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(a.0.entry.cmp(&b.0.entry)));
        hits.truncate(limit);
        for (hit, doc) in &mut hits {
            if let Some(doc) = doc {
                (hit.coverage, hit.question_coverage) = self.coverage(&searcher, &planned, *doc, total_weight);
            }
        }
        ranking.hits = hits.into_iter().map(|(h, _)| h).collect();
        if let Some(top) = ranking.hits.first() {
            ranking.votes = voters.iter().filter(|&&e| e == top.entry).count() as f32 / voters.len().max(1) as f32;
        }
        ranking
    }

    /// Turns a query into weighted index terms (typos corrected, duplicates merged).
    fn plan(&self, searcher: &Searcher, query: &str, ranking: &mut Ranking) -> Vec<Planned> {
        let total_docs = searcher.num_docs().max(1) as f32;
        let mut out: Vec<Planned> = Vec::new();
        for t in self.analyzer.terms(query) {
            if out.iter().any(|p| p.typed == t.text) {
                continue;
            }
            let stopword = match t.kind {
                TermKind::Word => crate::analyze::is_stopword(&t.text),
                TermKind::HanUnigram => crate::analyze::is_han_stopchar(&t.text),
                TermKind::HanBigram => false,
            };
            let df = self.doc_freq(searcher, &t.text);
            // Two Han characters the KB never writes together are, far more often than not,
            // the seam between two words ("期吗" in "过期吗"), not a word of their own: they
            // would only count as unknown and shrink the coverage. Their characters still
            // count as unigrams.
            if df == 0 && t.kind == TermKind::HanBigram {
                continue;
            }
            let mut planned = Planned {
                typed: t.text.clone(),
                text: t.text.clone(),
                df,
                boost: if t.kind == TermKind::HanUnigram { UNIGRAM_WEIGHT } else { 1.0 },
                weight: 0.0,
            };
            if stopword {
                planned.boost *= STOPWORD_WEIGHT;
            }
            if df == 0 && t.kind == TermKind::Word {
                if let Some(fix) = self.correct(&t.text) {
                    ranking.corrections.push((t.text.clone(), fix.clone()));
                    planned.df = self.doc_freq(searcher, &fix);
                    planned.text = fix;
                    planned.boost *= FUZZY_WEIGHT;
                }
            }
            // Rarity weight for coverage: idf, unknown terms count as rare.
            let df_w = planned.df.max(1) as f32;
            planned.weight = planned.boost * (1.0 + (total_docs / df_w).ln()).max(0.1);
            out.push(planned);
        }
        ranking.query_terms = out.len();
        out
    }

    fn doc_freq(&self, searcher: &Searcher, text: &str) -> u64 {
        let q = searcher.doc_freq(&Term::from_field_text(self.fields.question, text)).unwrap_or(0);
        let a = searcher.doc_freq(&Term::from_field_text(self.fields.answer, text)).unwrap_or(0);
        q + a
    }

    /// The nearest KB word to an unknown word: edit distance 1 (2 for long words).
    fn correct(&self, word: &str) -> Option<String> {
        let n = word.len();
        if n < 5 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        let max = if n >= 8 { 2 } else { 1 };
        let hist = letter_histogram(word);
        let mut best: Option<(usize, &String)> = None;
        for len in n.saturating_sub(max)..=n + max {
            for cand in self.vocab.get(&len).into_iter().flatten() {
                // An edit changes the letter counts by at most 2 (a transposition by 0): words
                // whose counts differ more cannot be within `max` edits. Exact, and it skips
                // the distance (which allocates) for most of the vocabulary; measured, it cut
                // sofmattress's p99 (0.25 → 0.19 ms) and left banking77's unchanged.
                let other = letter_histogram(cand);
                let diff: u32 = hist.iter().zip(other.iter()).map(|(a, b)| a.abs_diff(*b) as u32).sum();
                if diff > 2 * max as u32 {
                    continue;
                }
                let d = strsim::osa_distance(word, cand);
                if d <= max && best.is_none_or(|(bd, bc)| d < bd || (d == bd && cand < bc)) {
                    best = Some((d, cand));
                }
            }
        }
        best.map(|(_, c)| c.clone())
    }

    /// Both coverages of one question document: the weighted share of the planned terms it
    /// contains, and the share of its own rarity mass that the query matched.
    fn coverage(&self, searcher: &Searcher, planned: &[Planned], doc: DocAddress, total_weight: f32) -> (f32, f32) {
        let seg = searcher.segment_reader(doc.segment_ord);
        let Ok(inv) = seg.inverted_index(self.fields.question) else { return (0.0, 0.0) };
        let docs = seg.max_doc();
        let (mut hit, mut matched) = (0.0, 0.0);
        let mut seen: Vec<&str> = Vec::new();
        for p in planned.iter().filter(|p| p.df > 0) {
            let term = Term::from_field_text(self.fields.question, &p.text);
            if let Ok(Some(mut postings)) = inv.read_postings(&term, IndexRecordOption::Basic) {
                if contains(&mut postings, doc.doc_id) {
                    hit += p.weight;
                    // Two typed words may land on one indexed term (typo fix, synonym).
                    if !seen.contains(&p.text.as_str()) {
                        seen.push(&p.text);
                        matched += question_idf(docs, postings.doc_freq());
                    }
                }
            }
        }
        let mass = self.question_mass.get(doc.segment_ord as usize).and_then(|m| m.get(doc.doc_id as usize));
        let reverse = match mass {
            Some(&m) if m > 0.0 => (matched / m).clamp(0.0, 1.0),
            _ => 0.0,
        };
        ((hit / total_weight.max(f32::EPSILON)).clamp(0.0, 1.0), reverse)
    }
}

/// Rarity of a question term for [`Hit::question_coverage`]: `1 + ln(docs / df)`.
fn question_idf(docs: u32, df: u32) -> f32 {
    1.0 + (docs.max(1) as f32 / df.max(1) as f32).ln()
}

/// Reads one text field of a segment completely: every field norm, every term of the
/// dictionary (streamed and looked up again), every posting with its frequency. Checks what
/// tantivy trusts: doc ids below `max_doc` and increasing, as many postings as the term's
/// document frequency, as many terms as the dictionary says. `seen_term` is called with each
/// UTF-8 term and its document frequency: once per document that has it (`Some(doc)`, as the
/// postings are read; a damaged index fails the open, so nothing built from them is used) and
/// once with `None` after its postings proved sound.
fn check_field(
    seg: &SegmentReader,
    field: Field,
    mut seen_term: impl FnMut(&str, u32, Option<DocId>),
) -> Result<(), BundleError> {
    let index_err = |e: &dyn std::fmt::Display| BundleError::Index(e.to_string());
    let damaged = |what: String| BundleError::Corrupt { what };
    let max_doc = seg.max_doc();
    let norms = seg.get_fieldnorms_reader(field).map_err(|e| index_err(&e))?;
    for doc in 0..max_doc {
        norms.fieldnorm_id(doc);
    }
    let inv = seg.inverted_index(field).map_err(|e| index_err(&e))?;
    let dict = inv.terms();
    let declared = dict.num_terms() as u64;
    let mut stream = dict.stream().map_err(|e| index_err(&e))?;
    let mut seen = 0u64;
    while stream.advance() {
        seen += 1;
        if seen > declared {
            return Err(damaged(format!("term dictionary yields more than its {declared} terms")));
        }
        let key = stream.key();
        let info = stream.value().clone();
        if dict.get(key).map_err(|e| index_err(&e))?.as_ref() != Some(&info) {
            return Err(damaged("term dictionary lookup disagrees with its stream".into()));
        }
        // Found by the fuzzer: a damaged term info naming millions of documents made this
        // loop run for minutes (decoding garbage blocks) before the count check below.
        if info.doc_freq > max_doc {
            return Err(damaged(format!("term info names {} documents of {max_doc}", info.doc_freq)));
        }
        let mut postings =
            inv.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs).map_err(|e| index_err(&e))?;
        let mut count = 0u32;
        let mut doc = postings.doc();
        let mut last: Option<DocId> = None;
        let word = std::str::from_utf8(key).ok();
        while doc != TERMINATED {
            if doc >= max_doc || last.is_some_and(|l| doc <= l) {
                return Err(damaged(format!("posting list names document {doc} out of order or range")));
            }
            postings.term_freq();
            count += 1;
            if count > info.doc_freq {
                break;
            }
            last = Some(doc);
            if let Some(w) = word {
                seen_term(w, info.doc_freq, Some(doc));
            }
            doc = postings.advance();
        }
        if count != info.doc_freq {
            return Err(damaged(format!("posting list has {count} documents, term info says {}", info.doc_freq)));
        }
        if let Some(w) = word {
            seen_term(w, info.doc_freq, None);
        }
    }
    if seen != declared {
        return Err(damaged(format!("term dictionary yields {seen} of its {declared} terms")));
    }
    Ok(())
}

fn contains(postings: &mut impl DocSet, doc: DocId) -> bool {
    let d = postings.doc();
    if d == doc {
        return true;
    }
    d < doc && d != TERMINATED && postings.seek(doc) == doc
}

struct Planned {
    typed: String,
    text: String,
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
