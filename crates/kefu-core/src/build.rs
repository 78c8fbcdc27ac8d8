//! The native build: entries → tantivy index (one segment, in memory) → compact index
//! ([`crate::index`], exported from tantivy's postings, field norms and token totals) →
//! bundle bytes.
//!
//! Deterministic: the same KB gives the same bytes. Documents are added in entry order by a
//! single-threaded writer (document id = global question index, then one answer document per
//! entry), and nothing random of tantivy's (segment ids, meta.json) goes into the bundle.

use crate::analyze::Analyzer;
use crate::bundle::{self, EntryMeta, Manifest};
use crate::engine::{Engine, ANSWER_WEIGHT, INDEX_FILE};
use crate::kb::Kb;
use crate::learn::{Examples, Folds};
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{DocSet, Index, IndexReader, ReloadPolicy, TantivyDocument, Term, TERMINATED};

/// Errors of the build step.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the knowledge base has no entries")]
    Empty,
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("exporting the index: {0}")]
    Export(String),
    #[error("the built bundle does not open: {0}")]
    Verify(#[from] crate::BundleError),
}

/// Options of one build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Seconds since the epoch to record as the build time.
    pub built_at: u64,
    /// SHA-256 hex of the sources, recorded in the manifest.
    pub source_hash: String,
    /// Skip the leave-one-out calibration (faster; thresholds stay at their defaults).
    pub skip_calibration: bool,
}

/// What the build reports as it goes: (done, total) documents.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Builds a bundle from a KB. Returns the bytes and the engine opened from them.
pub fn build(kb: &Kb, opts: &BuildOptions, progress: Progress) -> Result<(Vec<u8>, Engine), BuildError> {
    if kb.entries.is_empty() {
        return Err(BuildError::Empty);
    }
    let mut span = Spans::new();
    let positions: HashMap<&str, u32> = kb.entries.iter().enumerate().map(|(i, e)| (e.id.as_str(), i as u32)).collect();
    let mut settings = kb.settings.clone();
    // kefu's own synonym classes travel in the bundle beside the KB's, so the widget folds
    // exactly what the build folded.
    settings.synonyms = crate::prior::synonym_groups(kb);
    let mut manifest = Manifest {
        kefu_version: env!("CARGO_PKG_VERSION").to_string(),
        built_at: opts.built_at,
        source_hash: opts.source_hash.clone(),
        settings,
        words: crate::reply::lexicon::bundled(),
        ..Default::default()
    };
    let order_pattern = crate::reply::facts::OrderPattern::of_settings(kb.settings.order_pattern.as_deref());
    let entry_meta = |e: &crate::kb::Entry| EntryMeta {
        id: e.id.clone(),
        title: e.questions.first().cloned().unwrap_or_default(),
        category: e.category.clone(),
        tags: e.tags.clone(),
        locale: e.locale,
        quick_replies: e.quick_replies.iter().filter_map(|q| positions.get(q.as_str()).copied()).collect(),
        links: e.links.clone(),
        products: e.products.clone(),
        answer: e.answer.clone(),
        question_count: e.questions.len() as u32,
        takes_order: e.questions.iter().any(|q| crate::reply::facts::names_an_order(q, &order_pattern)),
        complaint_cues: crate::reply::triage::complaint_cues(&e.questions),
    };
    manifest.question_count = kb.entries.iter().map(|e| e.questions.len() as u32).sum();
    // tantivy indexes on this thread while another reads each entry's questions for order
    // numbers and complaint cues (a tenth of banking77 full's build, done one after the
    // other). Native only: the build never runs in the widget.
    let (index, entries) = std::thread::scope(|s| {
        let entries = s.spawn(|| kb.entries.iter().map(entry_meta).collect::<Vec<EntryMeta>>());
        let index = TantivyIndex::new(kb, &manifest.settings.synonyms, u64::from(manifest.question_count), progress)
            .and_then(|t| t.export());
        (index, entries.join())
    });
    span.mark("index+export || entry meta");
    manifest.entries = entries.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let index = index?;
    // kefu's related-word groups that can lead a message to a word of this KB.
    let analyzer = crate::analyze::Analyzer::new(&manifest.settings.synonyms);
    manifest.settings.related = crate::prior::related_groups(kb, &analyzer, |term| {
        [crate::index::Field::Question, crate::index::Field::Answer]
            .into_iter()
            .any(|f| index.field(f).find(term).is_some())
    });
    span.mark("related groups");
    // Term weights learned from the KB's questions ([`crate::learn`]): the shipped ones and,
    // for the calibration, the same fitted without each held-out question.
    let doc_entry: Vec<u32> =
        kb.entries.iter().enumerate().flat_map(|(i, e)| std::iter::repeat_n(i as u32, e.questions.len())).collect();
    let folds = Folds::new(&doc_entry);
    let examples = Examples::new(&index, &doc_entry, kb.entries.len());
    let (shipped, mut fold_weights) = examples.fit_halves(&folds);
    manifest.learned = shipped;
    span.mark("learned weights");
    let files = vec![(INDEX_FILE.to_string(), index.encode())];

    // Open what was built exactly as a widget would, then calibrate the reply policy on it.
    // The calibration's other learned weights are fitted meanwhile (the engine needs only
    // the shipped ones).
    let bytes = bundle::write(&manifest, &files);
    if opts.skip_calibration {
        let engine = Engine::open(&bytes)?;
        return Ok((bytes, engine));
    }
    let (engine, groups) = std::thread::scope(|s| {
        let groups = s.spawn(|| examples.fit_groups(&folds));
        (Engine::open(&bytes), groups.join())
    });
    let mut engine = engine?;
    fold_weights.extend(groups.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    span.mark("encode+write+open || groups");
    let models = crate::reply::calibrate::Models::open(&engine, folds, &fold_weights)
        .map_err(|e| BuildError::Verify(crate::BundleError::Malformed(e)))?;
    let far = crate::prior::out_of_domain(kb);
    span.mark("models+ood");
    let samples = crate::reply::calibrate::samples(&engine, kb, &far, &models);
    span.mark("held-out searches");
    manifest.calibration = crate::reply::calibrate::fit(&samples);
    span.mark("calibration fit");
    // The bundle again with its calibration; the engine opened from the first differs from
    // one opened from this only there (and in its size).
    let bytes = bundle::write(&manifest, &files);
    engine.calibrated(manifest.calibration, bytes.len());
    span.mark("write");
    Ok((bytes, engine))
}

/// Wall-clock time of the build's phases, printed to stderr when `KEFU_TIMING` is set.
struct Spans {
    on: bool,
    last: std::time::Instant,
}

impl Spans {
    fn new() -> Spans {
        Spans { on: std::env::var_os("KEFU_TIMING").is_some(), last: std::time::Instant::now() }
    }

    fn mark(&mut self, phase: &str) {
        if self.on {
            let now = std::time::Instant::now();
            eprintln!("kefu build: {phase:<28} {:7.2} ms", (now - self.last).as_secs_f64() * 1e3);
            self.last = now;
        }
    }
}

/// Field names of the tantivy schema.
const F_QUESTION: &str = "q";
const F_ANSWER: &str = "a";

/// The KB as tantivy indexes it: what [`build`] exports the compact index from, and what the
/// parity test checks the compact reader's scores against.
pub struct TantivyIndex {
    reader: IndexReader,
    question: Field,
    answer: Field,
}

impl TantivyIndex {
    /// Indexes a KB whose synonym classes are known (`build` adds kefu's own first).
    fn new(kb: &Kb, synonyms: &[Vec<String>], questions: u64, progress: Progress) -> Result<TantivyIndex, BuildError> {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(TOKENIZER_NAME).set_index_option(IndexRecordOption::WithFreqs),
        );
        let question = b.add_text_field(F_QUESTION, text.clone());
        let answer = b.add_text_field(F_ANSWER, text);
        let dir = RamDirectory::create();
        let tokenizers = tantivy::tokenizer::TokenizerManager::default();
        tokenizers.register(TOKENIZER_NAME, KefuTokenizer::new(Analyzer::new(synonyms)));
        let builder = Index::builder().schema(b.build()).tokenizers(tokenizers);
        // A single-segment writer never flushes: its budget only sizes the term hash table
        // (a third of it), which doubles as terms come. 1 MB starts it at 32K slots; the
        // 64 MB and more it had made a 4 MB table written whole each build (a tenth of
        // tantivy's share of banking77 full's build, `perf`). The index is the same.
        let budget = 1 << 20;
        let mut writer = builder.single_segment_index_writer::<TantivyDocument>(dir, budget)?;
        let total = questions + kb.entries.len() as u64;
        let mut done = 0u64;
        let mut tick = |done: u64| {
            if done.is_multiple_of(512) {
                progress(done, total);
            }
        };
        // Questions first (document id = global question index), then one answer document per entry.
        for e in &kb.entries {
            for q in &e.questions {
                let mut doc = TantivyDocument::default();
                doc.add_text(question, q);
                writer.add_document(doc)?;
                done += 1;
                tick(done);
            }
        }
        for e in &kb.entries {
            let mut doc = TantivyDocument::default();
            let mut text = e.answer.plain_text();
            for t in &e.tags {
                text.push(' ');
                text.push_str(t);
            }
            doc.add_text(answer, &text);
            writer.add_document(doc)?;
            done += 1;
            tick(done);
        }
        progress(total, total);
        let index = writer.finalize()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).num_warming_threads(0).try_into()?;
        Ok(TantivyIndex { reader, question, answer })
    }

    /// Indexes a KB exactly as [`build`] does (kefu's synonym classes included).
    pub fn of(kb: &Kb) -> Result<TantivyIndex, BuildError> {
        let questions = kb.entries.iter().map(|e| e.questions.len() as u64).sum();
        TantivyIndex::new(kb, &crate::prior::synonym_groups(kb), questions, &mut |_, _| {})
    }

    /// The postings, field lengths and token totals tantivy computed, as a compact index.
    pub fn export(&self) -> Result<crate::index::Index, BuildError> {
        let searcher = self.reader.searcher();
        let segments = searcher.segment_readers();
        let [seg] = segments else {
            return Err(BuildError::Export(format!("{} segments, expected one", segments.len())));
        };
        let docs = seg.max_doc();
        let mut fields = Vec::with_capacity(2);
        for field in [self.question, self.answer] {
            let norms = seg.get_fieldnorms_reader(field)?;
            let lengths: Vec<u32> = (0..docs).map(|d| norms.fieldnorm(d)).collect();
            let inv = seg.inverted_index(field)?;
            let mut terms = Vec::new();
            let io = |e: std::io::Error| BuildError::Export(e.to_string());
            let mut stream = inv.terms().stream().map_err(io)?;
            while stream.advance() {
                let Ok(text) = std::str::from_utf8(stream.key()) else {
                    return Err(BuildError::Export("a term is not UTF-8".into()));
                };
                let mut postings =
                    inv.read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs).map_err(io)?;
                let mut list = Vec::new();
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    list.push((doc, tantivy::postings::Postings::term_freq(&postings)));
                    doc = postings.advance();
                }
                terms.push((text.to_string(), list));
            }
            fields.push(crate::index::FieldIndex::new(inv.total_num_tokens(), lengths, terms));
        }
        let answer = fields.pop().expect("two fields");
        let question = fields.pop().expect("two fields");
        Ok(crate::index::Index::new(docs, question, answer))
    }

    /// tantivy's own top documents for the clauses of [`Engine::gather`]: each term as a
    /// should-clause on questions (its boost) and on answers (boost × the answer weight),
    /// BM25, best `limit` first.
    pub fn top_docs(&self, clauses: &[(String, f32)], limit: usize) -> Result<Vec<(u32, f32)>, BuildError> {
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (text, boost) in clauses {
            for (field, b) in [(self.question, *boost), (self.answer, *boost * ANSWER_WEIGHT)] {
                let term = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs);
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), b))));
            }
        }
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let top =
            self.reader.searcher().search(&BooleanQuery::new(should), &TopDocs::with_limit(limit).order_by_score())?;
        Ok(top.into_iter().map(|(score, addr)| (addr.doc_id, score)).collect())
    }
}

/// The analyzer as a tantivy tokenizer (registered as [`TOKENIZER_NAME`]).
#[derive(Clone)]
struct KefuTokenizer {
    analyzer: Analyzer,
    token: tantivy::tokenizer::Token,
}

/// The name under which the kefu tokenizer is registered in the index.
const TOKENIZER_NAME: &str = "kefu";

impl KefuTokenizer {
    fn new(analyzer: Analyzer) -> Self {
        KefuTokenizer { analyzer, token: Default::default() }
    }
}

/// Token stream over precomputed terms.
struct KefuTokenStream<'a> {
    terms: std::vec::IntoIter<crate::analyze::Term>,
    token: &'a mut tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for KefuTokenizer {
    type TokenStream<'a> = KefuTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.token.reset();
        // A hyphenated word is indexed as its parts only: its joined form is for matching a
        // message's against a KB that writes the word as one (`TermKind::Joined`).
        let mut terms = self.analyzer.terms(text);
        terms.retain(|t| !matches!(t.kind, crate::analyze::TermKind::Joined { .. }));
        KefuTokenStream { terms: terms.into_iter(), token: &mut self.token }
    }
}

impl tantivy::tokenizer::TokenStream for KefuTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self.terms.next() {
            Some(t) => {
                self.token.text.clear();
                self.token.text.push_str(&t.text);
                self.token.position = t.position;
                self.token.offset_from = 0;
                self.token.offset_to = 0;
                self.token.position_length = 1;
                true
            }
            None => false,
        }
    }
    fn token(&self) -> &tantivy::tokenizer::Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.token
    }
}
