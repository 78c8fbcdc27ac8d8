//! The native build: entries → tantivy index (one segment, in memory) → bundle bytes.
//!
//! Deterministic: the same KB gives the same bytes. Documents are added in entry order by a
//! single-threaded writer, and the segment's random id is replaced by one derived from the
//! content, so a rebuild only changes the bundle when the KB changed.

use crate::analyze::{Analyzer, KefuTokenizer, TOKENIZER_NAME};
use crate::bundle::{self, EntryMeta, Manifest};
use crate::engine::{schema, Engine};
use crate::kb::Kb;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use tantivy::directory::RamDirectory;
use tantivy::{Directory, Index, TantivyDocument};

/// Errors of the build step.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the knowledge base has no entries")]
    Empty,
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
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
        ..Default::default()
    };
    for e in &kb.entries {
        manifest.entries.push(EntryMeta {
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
        });
        manifest.question_count += e.questions.len() as u32;
    }

    let (schema, fields) = schema();
    let dir = RamDirectory::create();
    let analyzer = Analyzer::new(&manifest.settings.synonyms);
    let mut builder = Index::builder().schema(schema);
    let tokenizers = tantivy::tokenizer::TokenizerManager::default();
    tokenizers.register(TOKENIZER_NAME, KefuTokenizer::new(analyzer));
    builder = builder.tokenizers(tokenizers);
    let budget = 64 * 1024 * 1024
        + kb.entries
            .iter()
            .map(|e| e.questions.iter().map(|q| q.len()).sum::<usize>() + e.answer.plain_text().len())
            .sum::<usize>()
            * 64;
    let mut writer = builder.single_segment_index_writer::<TantivyDocument>(dir.clone(), budget)?;
    let total = manifest.question_count as u64 + kb.entries.len() as u64;
    let mut done = 0u64;
    // Questions first (document id = global question index), then one answer document per entry.
    for (pos, e) in kb.entries.iter().enumerate() {
        for q in &e.questions {
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.entry, pos as u64);
            doc.add_text(fields.question, q);
            writer.add_document(doc)?;
            done += 1;
            if done % 512 == 0 {
                progress(done, total);
            }
        }
    }
    for (pos, e) in kb.entries.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.entry, pos as u64);
        let mut text = e.answer.plain_text();
        for t in &e.tags {
            text.push(' ');
            text.push_str(t);
        }
        doc.add_text(fields.answer, &text);
        writer.add_document(doc)?;
        done += 1;
        if done % 512 == 0 {
            progress(done, total);
        }
    }
    progress(total, total);
    let index = writer.finalize()?;
    let files = collect_files(&index, &dir, &manifest)?;

    // Open what was built exactly as a widget would, then calibrate the reply policy on it.
    let bytes = bundle::write(&manifest, &files);
    let engine = Engine::open(&bytes)?;
    if opts.skip_calibration {
        return Ok((bytes, engine));
    }
    manifest.calibration = crate::reply::calibrate::calibrate(&engine, kb, &crate::prior::out_of_domain(kb));
    let bytes = bundle::write(&manifest, &files);
    let engine = Engine::open(&bytes)?;
    Ok((bytes, engine))
}

/// Reads the index files out of the RAM directory, renaming the segment id deterministically.
fn collect_files(index: &Index, dir: &RamDirectory, manifest: &Manifest) -> Result<Vec<(String, Vec<u8>)>, BuildError> {
    let metas = index.load_metas()?;
    let mut hasher = Sha256::new();
    hasher.update(postcard::to_allocvec(manifest).unwrap_or_default());
    let digest = hasher.finalize();
    let mut meta_json = read_file(dir, "meta.json")?;
    let mut renames = Vec::new();
    for (i, seg) in metas.segments.iter().enumerate() {
        let old = seg.id().uuid_string();
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        id[15] = id[15].wrapping_add(i as u8);
        let new: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let hyphen = |s: &str| format!("{}-{}-{}-{}-{}", &s[..8], &s[8..12], &s[12..16], &s[16..20], &s[20..]);
        meta_json = meta_json.replace(&hyphen(&old), &hyphen(&new)).replace(&old, &new);
        renames.push((old, new));
    }
    let mut paths: Vec<_> = metas.list_segment_files().into_iter().collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        if !dir.exists(&path).unwrap_or(false) {
            continue;
        }
        let mut name = path.to_string_lossy().to_string();
        for (old, new) in &renames {
            name = name.replace(old.as_str(), new.as_str());
        }
        let bytes = dir.atomic_read(&path).map_err(tantivy::TantivyError::from)?;
        files.push((name, bytes));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.insert(0, ("meta.json".to_string(), meta_json.into_bytes()));
    Ok(files)
}

fn read_file(dir: &RamDirectory, name: &str) -> Result<String, BuildError> {
    let bytes = dir.atomic_read(Path::new(name)).map_err(|e| tantivy::TantivyError::from(e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
