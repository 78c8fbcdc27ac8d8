//! The baseline: plain tantivy as a developer would first set it up for an FAQ. One document
//! per kb row, the question in a `TEXT` field (tantivy's default tokenizer: split on
//! non-alphanumerics, lowercase, drop tokens over 40 bytes; positions indexed), the row's
//! entry as a fast field, `QueryParser` over the question field with its default OR, BM25.
//! An entry ranks by its best row. Built single-threaded (like kefu's build) in RAM, stored as
//! a small container of the index files so it can be loaded from bytes like a kefu bundle.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, Schema, FAST, TEXT};
use tantivy::{Directory, Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument};

const MAGIC: &[u8; 8] = b"KBTANTV1";
/// Rows gathered per query before grouping them into entries.
const GATHER: usize = 50;

/// A built baseline index: its files and the entry names.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    pub files: Vec<(String, Vec<u8>)>,
    pub labels: Vec<String>,
}

impl Built {
    /// Bytes of the index files (what a server or page would have to ship).
    pub fn index_bytes(&self) -> usize {
        self.files.iter().map(|(_, b)| b.len()).sum()
    }

    /// One file: magic, entry names, then (name, bytes) of every index file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        let labels = self.labels.join("\n");
        push(&mut out, labels.as_bytes());
        out.extend((self.files.len() as u32).to_le_bytes());
        for (name, data) in &self.files {
            push(&mut out, name.as_bytes());
            push(&mut out, data);
        }
        out
    }

    /// Reads what [`Built::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Built> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            bail!("not a baseline index file (wrong magic)");
        }
        let labels = String::from_utf8(r.chunk()?.to_vec()).context("entry names are not UTF-8")?;
        let labels = if labels.is_empty() { vec![] } else { labels.split('\n').map(String::from).collect() };
        let n = u32::from_le_bytes(r.take(4)?.try_into().unwrap_or_default()) as usize;
        let mut files = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            let name = String::from_utf8(r.chunk()?.to_vec()).context("file name is not UTF-8")?;
            files.push((name, r.chunk()?.to_vec()));
        }
        Ok(Built { files, labels })
    }
}

fn push(out: &mut Vec<u8>, data: &[u8]) {
    out.extend((data.len() as u64).to_le_bytes());
    out.extend(data);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end =
            self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).context("baseline index file is truncated")?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn chunk(&mut self) -> Result<&'a [u8]> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().unwrap_or_default());
        self.take(usize::try_from(n).context("chunk too large")?)
    }
}

fn schema() -> (Schema, Field, Field) {
    let mut b = Schema::builder();
    let question = b.add_text_field("question", TEXT);
    let entry = b.add_u64_field("entry", FAST);
    (b.build(), question, entry)
}

/// Indexes kb rows `(label, question)`.
pub fn build(rows: &[(String, String)]) -> Result<Built> {
    if rows.is_empty() {
        bail!("the KB has no rows");
    }
    let (schema, question, entry) = schema();
    let dir = RamDirectory::create();
    let index = Index::create(dir.clone(), schema, IndexSettings::default())?;
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 64 * 1024 * 1024)?;
    let mut labels: Vec<String> = Vec::new();
    let mut pos: HashMap<&str, u64> = HashMap::new();
    for (label, text) in rows {
        let id = *pos.entry(label.as_str()).or_insert_with(|| {
            labels.push(label.clone());
            labels.len() as u64 - 1
        });
        let mut doc = TantivyDocument::default();
        doc.add_text(question, text);
        doc.add_u64(entry, id);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let metas = index.load_metas()?;
    let mut paths: Vec<_> = metas.list_segment_files().into_iter().collect();
    paths.sort();
    let mut files = vec![("meta.json".to_string(), dir.atomic_read(Path::new("meta.json"))?)];
    for p in paths {
        if dir.exists(&p).unwrap_or(false) {
            files.push((p.to_string_lossy().into_owned(), dir.atomic_read(&p)?));
        }
    }
    Ok(Built { files, labels })
}

/// A loaded baseline index.
pub struct Baseline {
    reader: IndexReader,
    parser: QueryParser,
    labels: Vec<String>,
}

/// The baseline's answer: entries best first with their best row's score.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ranked {
    pub entries: Vec<(u32, f32)>,
    /// Query terms after the default tokenizer (for a per-term normalised score).
    pub terms: usize,
}

impl Baseline {
    /// Opens an index from its files.
    pub fn open(built: &Built) -> Result<Baseline> {
        let dir = RamDirectory::create();
        for (name, data) in &built.files {
            if name.contains('/') || name.contains('\\') {
                bail!("bad file name `{name}` in baseline index");
            }
            dir.atomic_write(Path::new(name), data)?;
        }
        let index = Index::open(dir)?;
        let (expected, question, _) = schema();
        if index.schema() != expected {
            bail!("baseline index has another schema");
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).num_warming_threads(0).try_into()?;
        let parser = QueryParser::for_index(&index, vec![question]);
        Ok(Baseline { reader, parser, labels: built.labels.clone() })
    }

    /// Entry name of a position.
    pub fn label(&self, entry: u32) -> &str {
        self.labels.get(entry as usize).map(String::as_str).unwrap_or("")
    }

    /// Ranks entries for `query` (at most `k`). Query syntax errors are ignored (lenient parse).
    pub fn search(&self, query: &str, k: usize) -> Ranked {
        let searcher = self.reader.searcher();
        let (q, _) = self.parser.parse_query_lenient(query);
        let terms = {
            let mut n = 0;
            q.query_terms(&mut |_, _| n += 1);
            n
        };
        let Ok(top) = searcher.search(&*q, &TopDocs::with_limit(GATHER).order_by_score()) else {
            return Ranked { entries: vec![], terms };
        };
        let mut out: Vec<(u32, f32)> = Vec::new();
        for (score, addr) in top {
            let seg = searcher.segment_reader(addr.segment_ord);
            let Ok(col) = seg.fast_fields().u64("entry") else { continue };
            let Some(e) = col.first(addr.doc_id) else { continue };
            let e = e as u32;
            if !out.iter().any(|(x, _)| *x == e) {
                out.push((e, score));
                if out.len() == k {
                    break;
                }
            }
        }
        Ranked { entries: out, terms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_round_trips_and_ranks_by_best_row() {
        let rows: Vec<(String, String)> = [
            ("refund", "how do I get a refund"),
            ("refund", "money back for my order"),
            ("card", "my card has not arrived"),
            ("card", "where is my new card"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let built = build(&rows).unwrap();
        assert!(built.index_bytes() > 0);
        let back = Built::from_bytes(&built.to_bytes()).unwrap();
        assert_eq!(back, built);
        let b = Baseline::open(&back).unwrap();
        let r = b.search("Where is my CARD?", 3);
        assert_eq!(b.label(r.entries[0].0), "card");
        assert!(r.terms >= 3);
        assert!(b.search("", 3).entries.is_empty());
        assert!(Built::from_bytes(b"KBTANTV1\x05").is_err());
        assert!(Built::from_bytes(b"nope").is_err());
    }
}
