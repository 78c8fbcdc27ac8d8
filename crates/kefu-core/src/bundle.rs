//! The bundle: one file (`*.kefu`) that carries a whole knowledge base to the browser.
//!
//! ```text
//! offset  size  field
//! 0       8     magic  b"KEFU\0\r\n\x1a"
//! 8       2     format version (little endian)
//! 10      2     flags (0; a bundle with any bit set is refused)
//! 12      4     CRC-32 of the content (everything after this 24-byte header)
//! 16      8     content length in bytes
//! 24      …     content: u32 manifest length, manifest (postcard),
//!               u32 file count, then per file: u16 name length, name, u32 length, bytes
//! ```
//!
//! The manifest lists every index file with its length, so a file that is missing or cut short
//! is named in the error even when the checksum was recomputed by whoever broke it. Since
//! format 5 there is one index file, `kefu.idx`: the compact index of [`crate::index`]
//! (formats up to 4 carried tantivy's segment files). Format 6: the confidence model reads ten
//! features (the tenth, entry coverage, came with [`crate::pool`]). Format 7: the model
//! carries boosted trees beside its weights (`reply::trees`). Format 11: the manifest carries
//! the reply policy's word lists ([`crate::reply::lexicon`]), which the wasm no longer holds.

pub use crate::calibration::Calibration;
use crate::kb::{Answer, Link, Locale, Product, ShopSettings};
use serde::{Deserialize, Serialize};

/// First bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"KEFU\0\r\n\x1a";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u16 = 11;
// 5: the compact index replaces tantivy's segment files. 10: related-word groups in the settings.
// 11: the reply policy's word lists.
const HEADER_LEN: usize = 24;

/// Why a bundle could not be opened. Each cause has its own variant and message.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BundleError {
    #[error("not a kefu bundle (the file does not start with the kefu magic bytes)")]
    BadMagic,
    #[error("bundle is truncated: expected {expected} bytes, found {found}")]
    Truncated { expected: u64, found: u64 },
    #[error("bundle format version {found} is newer than this kefu supports ({supported}); update the widget or rebuild the bundle with this kefu")]
    NewerVersion { found: u16, supported: u16 },
    /// Nothing is wrong with the file: an older format's manifest does not decode any more.
    #[error(
        "bundle was built by an older kefu (format {found}, this kefu reads {supported}): rebuild it with `kefu build`"
    )]
    OlderVersion { found: u16, supported: u16 },
    #[error("bundle is corrupt: checksum mismatch (stored {stored:08x}, computed {computed:08x})")]
    Checksum { stored: u32, computed: u32 },
    #[error("bundle is corrupt: {0}")]
    Malformed(String),
    #[error("bundle is missing index file `{0}`")]
    MissingSegment(String),
    /// The index data is inconsistent in a way only reading it shows (the compact index's
    /// checks failed, or a panic while reading was caught). A checksum that still matches
    /// means the bundle was changed and the checksum recomputed, or the writer was broken.
    #[error("bundle index is damaged ({what})")]
    Corrupt { what: String },
}

/// What a bundle says about itself and its entries; the index holds only the search data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Manifest {
    /// kefu version that wrote the bundle.
    pub kefu_version: String,
    /// Seconds since the Unix epoch (from `SOURCE_DATE_EPOCH` or the newest source file).
    pub built_at: u64,
    /// SHA-256 (hex) over the KB sources as read.
    pub source_hash: String,
    pub settings: ShopSettings,
    /// Entries in index order: the index stores an entry's position in this list.
    pub entries: Vec<EntryMeta>,
    /// Number of questions (main + alternates) indexed.
    pub question_count: u32,
    /// Reply thresholds calibrated at build time.
    pub calibration: Calibration,
    /// Term weights learned at build time ([`crate::learn`]), when the KB is small enough.
    pub learned: Option<crate::learn::Stored>,
    /// The index files and their lengths.
    pub index_files: Vec<(String, u32)>,
    /// The reply policy's word lists, grouped by the module that reads them: the widget reads
    /// them from here, not from its wasm ([`crate::reply::lexicon`]).
    pub words: crate::reply::lexicon::Stored,
}

/// What the widget needs to show an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EntryMeta {
    pub id: String,
    /// The main question (shown on "did you mean" buttons).
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub locale: Locale,
    /// Entry positions of the quick replies (dangling ids are dropped at build).
    pub quick_replies: Vec<u32>,
    pub links: Vec<Link>,
    /// Product cards shown under the answer.
    pub products: Vec<Product>,
    pub answer: Answer,
    /// How many questions the entry has.
    pub question_count: u32,
    /// Its questions are written for a message with an order number
    /// ([`crate::reply::facts::names_an_order`]): the policy may answer it when the shopper
    /// gives one.
    pub takes_order: bool,
    /// The complaint problems its questions are about, by name (`wrong_item`, `damaged` …;
    /// [`crate::reply::Cue::name`]): a complaint is answered with an entry about the same
    /// problem ([`crate::reply::decide::agree_with_cue`]).
    pub complaint_cues: Vec<String>,
}

/// A bundle read and verified: the manifest and the index files.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub manifest: Manifest,
    pub files: Vec<(String, Vec<u8>)>,
    pub format_version: u16,
}

/// Writes a bundle from a manifest and index files. `index_files` of the manifest is filled in.
pub fn write(manifest: &Manifest, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut manifest = manifest.clone();
    manifest.index_files = files.iter().map(|(n, b)| (n.clone(), b.len() as u32)).collect();
    let manifest_bytes = postcard::to_allocvec(&manifest).expect("manifest serializes");
    let mut content = Vec::with_capacity(manifest_bytes.len() + files.iter().map(|f| f.1.len() + 64).sum::<usize>());
    content.extend_from_slice(&(manifest_bytes.len() as u32).to_le_bytes());
    content.extend_from_slice(&manifest_bytes);
    content.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for (name, bytes) in files {
        content.extend_from_slice(&(name.len() as u16).to_le_bytes());
        content.extend_from_slice(name.as_bytes());
        content.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        content.extend_from_slice(bytes);
    }
    let mut out = Vec::with_capacity(HEADER_LEN + content.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&content).to_le_bytes());
    out.extend_from_slice(&(content.len() as u64).to_le_bytes());
    out.extend_from_slice(&content);
    out
}

/// Reads and verifies a bundle: magic, version, length, checksum, manifest, index files.
pub fn read(bytes: &[u8]) -> Result<Bundle, BundleError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
            return Err(BundleError::Truncated { expected: HEADER_LEN as u64, found: bytes.len() as u64 });
        }
        return Err(BundleError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(BundleError::Truncated { expected: HEADER_LEN as u64, found: bytes.len() as u64 });
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version > FORMAT_VERSION {
        return Err(BundleError::NewerVersion { found: version, supported: FORMAT_VERSION });
    }
    if version < FORMAT_VERSION {
        return Err(BundleError::OlderVersion { found: version, supported: FORMAT_VERSION });
    }
    // No flag is defined: a bit set is damage, or a writer this kefu does not know.
    let flags = u16::from_le_bytes([bytes[10], bytes[11]]);
    if flags != 0 {
        return Err(BundleError::Malformed(format!("unknown header flags {flags:#06x}")));
    }
    let stored = u32::from_le_bytes(bytes[12..16].try_into().unwrap());
    let len = u64::from_le_bytes(bytes[16..24].try_into().unwrap());
    let Some(expected) = (HEADER_LEN as u64).checked_add(len) else {
        return Err(BundleError::Malformed(format!("the header's content length {len} is impossible")));
    };
    if (bytes.len() as u64) < expected {
        return Err(BundleError::Truncated { expected, found: bytes.len() as u64 });
    }
    if (bytes.len() as u64) > expected {
        return Err(BundleError::Malformed(format!("{} bytes of trailing data", bytes.len() as u64 - expected)));
    }
    let content = &bytes[HEADER_LEN..];
    let computed = crc32fast::hash(content);
    if stored != computed {
        return Err(BundleError::Checksum { stored, computed });
    }
    let mut r = Reader { buf: content, at: 0 };
    let manifest_len = r.u32("manifest length")? as usize;
    let manifest: Manifest = postcard::from_bytes(r.take(manifest_len, "manifest")?)
        .map_err(|e| BundleError::Malformed(format!("manifest: {e}")))?;
    let count = r.u32("file count")?;
    let mut files = Vec::with_capacity(count.min(1024) as usize);
    for _ in 0..count {
        let name_len = r.u16("file name length")? as usize;
        let name = std::str::from_utf8(r.take(name_len, "file name")?)
            .map_err(|_| BundleError::Malformed("file name is not UTF-8".into()))?
            .to_string();
        let len = r.u32("file length")? as usize;
        let data = r.take(len, &name)?.to_vec();
        files.push((name, data));
    }
    if r.at != content.len() {
        return Err(BundleError::Malformed("data after the last index file".into()));
    }
    for (name, len) in &manifest.index_files {
        match files.iter().find(|(n, _)| n == name) {
            None => return Err(BundleError::MissingSegment(name.clone())),
            Some((_, data)) if data.len() != *len as usize => {
                return Err(BundleError::Malformed(format!(
                    "index file `{name}` has {} bytes, manifest says {len}",
                    data.len()
                )))
            }
            Some(_) => {}
        }
    }
    for (i, e) in manifest.entries.iter().enumerate() {
        if e.quick_replies.iter().any(|&q| q as usize >= manifest.entries.len()) {
            return Err(BundleError::Malformed(format!("entry {i} names a quick reply that does not exist")));
        }
    }
    crate::reply::lexicon::check(&manifest.words).map_err(BundleError::Malformed)?;
    Ok(Bundle { manifest, files, format_version: version })
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], BundleError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(BundleError::Malformed(format!("{what} runs past the end of the bundle")));
        };
        let s = &self.buf[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self, what: &str) -> Result<u32, BundleError> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    fn u16(&mut self, what: &str) -> Result<u16, BundleError> {
        Ok(u16::from_le_bytes(self.take(2, what)?.try_into().unwrap()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let m = Manifest {
            kefu_version: "t".into(),
            entries: vec![EntryMeta { id: "a".into(), ..Default::default() }],
            words: crate::reply::lexicon::bundled(),
            ..Default::default()
        };
        write(&m, &[("meta.json".into(), b"{}".to_vec()), ("x.idx".into(), vec![1, 2, 3])])
    }

    #[test]
    fn round_trip() {
        let b = read(&sample()).unwrap();
        assert_eq!(b.manifest.entries[0].id, "a");
        assert_eq!(b.files.len(), 2);
        assert_eq!(b.manifest.index_files, vec![("meta.json".to_string(), 2), ("x.idx".to_string(), 3)]);
    }

    #[test]
    fn each_corruption_has_its_own_error() {
        let good = sample();
        assert_eq!(read(b"PK\x03\x04zipfile"), Err(BundleError::BadMagic));
        assert!(matches!(read(&good[..good.len() - 5]), Err(BundleError::Truncated { .. })));
        assert!(matches!(read(&good[..10]), Err(BundleError::Truncated { .. })));
        let mut newer = good.clone();
        newer[8] = 12;
        assert_eq!(read(&newer), Err(BundleError::NewerVersion { found: 12, supported: FORMAT_VERSION }));
        let mut older = good.clone();
        older[8] = 10;
        assert_eq!(read(&older), Err(BundleError::OlderVersion { found: 10, supported: FORMAT_VERSION }));
        assert_eq!(
            read(&older).unwrap_err().to_string(),
            "bundle was built by an older kefu (format 10, this kefu reads 11): rebuild it with `kefu build`"
        );
        let mut flags = good.clone();
        flags[10..12].copy_from_slice(&0xffffu16.to_le_bytes());
        assert_eq!(read(&flags), Err(BundleError::Malformed("unknown header flags 0xffff".into())));
        // A length that would wrap past u64::MAX is not taken as trailing data.
        let mut huge = good.clone();
        huge[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            read(&huge),
            Err(BundleError::Malformed(format!("the header's content length {} is impossible", u64::MAX)))
        );
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(matches!(read(&flipped), Err(BundleError::Checksum { .. })));
    }

    #[test]
    fn missing_file_is_named_even_with_a_fixed_checksum() {
        let b = read(&sample()).unwrap();
        let m = b.manifest.clone();
        let mut bytes = write(&m, &b.files[..1]);
        // write() recomputes index_files; put the original list back and fix the checksum.
        let mut m2 = m.clone();
        m2.index_files = b.manifest.index_files.clone();
        let manifest_bytes = postcard::to_allocvec(&m2).unwrap();
        let mut content = Vec::new();
        content.extend_from_slice(&(manifest_bytes.len() as u32).to_le_bytes());
        content.extend_from_slice(&manifest_bytes);
        content.extend_from_slice(&1u32.to_le_bytes());
        content.extend_from_slice(&9u16.to_le_bytes());
        content.extend_from_slice(b"meta.json");
        content.extend_from_slice(&2u32.to_le_bytes());
        content.extend_from_slice(b"{}");
        bytes.truncate(HEADER_LEN);
        bytes[12..16].copy_from_slice(&crc32fast::hash(&content).to_le_bytes());
        bytes[16..24].copy_from_slice(&(content.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&content);
        assert_eq!(read(&bytes).unwrap_err(), BundleError::MissingSegment("x.idx".into()));
    }

    #[test]
    fn garbage_never_panics() {
        for n in 0..200u32 {
            let mut g: Vec<u8> = MAGIC.to_vec();
            g.extend((0..n).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
            let _ = read(&g);
        }
    }
}
