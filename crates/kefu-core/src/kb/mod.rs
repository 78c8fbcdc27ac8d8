//! The knowledge-base model: entries as content staff write them, and the readers that turn
//! source text (Markdown with front matter, CSV/TSV, the evaluation TSV) into entries.
//!
//! Readers take `(file label, text)` and never touch the file system; the CLI walks folders.

use serde::{Deserialize, Serialize};

#[cfg(feature = "build")]
mod front_matter;
#[cfg(feature = "build")]
pub mod lint;
#[cfg(feature = "build")]
pub mod markdown;
#[cfg(feature = "build")]
pub mod settings;
#[cfg(feature = "build")]
pub mod table;

/// Language of an entry or of the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    En,
    ZhCn,
    ZhTw,
}

impl Locale {
    /// Parses `zh-CN`, `zh-TW`, `en` (case-insensitive, `_` accepted for `-`).
    pub fn parse(s: &str) -> Option<Locale> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" => Some(Locale::En),
            "zh-cn" | "zh-hans" | "zh" => Some(Locale::ZhCn),
            "zh-tw" | "zh-hk" | "zh-hant" => Some(Locale::ZhTw),
            _ => None,
        }
    }
    /// The BCP-47 tag kefu writes.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
            Locale::ZhTw => "zh-TW",
        }
    }
}

/// A run of text inside a paragraph or list item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Inline {
    Text(String),
    Strong(String),
    Link { text: String, href: String },
}

/// A block of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    Paragraph(Vec<Inline>),
    List { ordered: bool, items: Vec<Vec<Inline>> },
}

/// An answer, already parsed: the widget renders these blocks as DOM nodes, never as HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Answer {
    pub blocks: Vec<Block>,
}

impl Answer {
    /// The answer as plain text (for indexing, the CLI and length checks).
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            if !out.is_empty() {
                out.push('\n');
            }
            match block {
                Block::Paragraph(inl) => push_inlines(&mut out, inl),
                Block::List { ordered, items } => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push('\n');
                        }
                        if *ordered {
                            out.push_str(&format!("{}. ", i + 1));
                        } else {
                            out.push_str("- ");
                        }
                        push_inlines(&mut out, item);
                    }
                }
            }
        }
        out
    }

    /// True when the answer has no visible text.
    pub fn is_empty(&self) -> bool {
        self.plain_text().trim().is_empty()
    }
}

fn push_inlines(out: &mut String, inlines: &[Inline]) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Strong(t) => out.push_str(t),
            Inline::Link { text, .. } => out.push_str(text),
        }
    }
}

/// A link shown under an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A product card shown under an answer (`products:` in the front matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Product {
    pub title: String,
    /// The product page: http(s) or a site-relative path starting with `/`.
    pub url: String,
    /// The product image, same rules as `url`.
    pub image: Option<String>,
    /// The price as shown, such as `¥299` or `$39.90`.
    pub price: Option<String>,
}

/// Where an entry came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SourceRef {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One FAQ entry: questions (main first, then alternates) and the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Entry {
    pub id: String,
    pub questions: Vec<String>,
    pub category: String,
    pub tags: Vec<String>,
    pub locale: Locale,
    pub quick_replies: Vec<String>,
    pub links: Vec<Link>,
    #[serde(default)]
    pub products: Vec<Product>,
    pub answer: Answer,
    /// Where the entry starts; `questions_at[i]` is the line of question `i` (0 if unknown).
    #[serde(skip)]
    pub source: SourceRef,
    #[serde(skip)]
    pub questions_at: Vec<usize>,
    /// Lines of the fields `kefu check` reports on (Markdown entries only).
    #[serde(skip)]
    pub lines: FieldLines,
    /// True for entries imported from the evaluation format, where answers may be empty.
    #[serde(skip)]
    pub answer_optional: bool,
}

/// Lines (1-based) of an entry's front-matter fields, so findings point at the field they are
/// about; 0 where unknown (the field is not written, or the entry is not from Markdown), and
/// findings then point at [`Entry::source`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldLines {
    /// The `id:` line.
    pub id: usize,
    /// The `category:` line.
    pub category: usize,
    /// The line of each quick reply, in order.
    pub quick_replies: Vec<usize>,
    /// The first line of the answer; the `---` above it when the answer is empty.
    pub answer: usize,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem found in a KB source, with the file and line it is about (0: the file as a
/// whole, or a folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn error(file: &str, line: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, file: file.to_string(), line, message: message.into() }
    }
    pub fn warning(file: &str, line: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, file: file.to_string(), line, message: message.into() }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.line {
            0 => write!(f, "{}: {}: {}", self.file, level, self.message),
            line => write!(f, "{}:{}: {}: {}", self.file, line, level, self.message),
        }
    }
}

/// Shop-level settings carried in the bundle (from `kefu.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ShopSettings {
    pub name: String,
    pub locale: Locale,
    pub greeting: String,
    /// Groups of words folded together at build and query time.
    pub synonyms: Vec<Vec<String>>,
    /// kefu's related-word groups that hold a word of the KB, as analyzed terms: a message's
    /// word the KB never writes is searched as a word of its group that it does. Set by the
    /// build, not by `kefu.toml`.
    #[serde(default)]
    pub related: Vec<Vec<String>>,
    /// Merchant overrides of the calibrated reply thresholds.
    pub policy: PolicyOverrides,
    /// When humans answer the chat (`[hours]`; default 09:00–22:00 every day).
    #[serde(default)]
    pub hours: crate::reply::hours::ServiceHours,
    /// Peak mode (`[peak]`; default off, 10-minute queue).
    #[serde(default)]
    pub peak: crate::reply::hours::PeakMode,
    /// Promised response times and wordings (`[promises]`; defaults 3 min / 1 h / 2 h).
    #[serde(default)]
    pub promises: crate::reply::hours::Promises,
    /// The shop's order-number pattern (`[facts] order_number`); `None` = the default,
    /// [`crate::reply::facts::DEFAULT_ORDER_PATTERN`].
    #[serde(default)]
    pub order_pattern: Option<String>,
}

/// Optional merchant overrides for the reply policy (see `reply`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PolicyOverrides {
    pub answer_min: Option<f32>,
    pub margin_min: Option<f32>,
    pub clarify_min: Option<f32>,
    pub coverage_min: Option<f32>,
}

/// A whole knowledge base, ready to build.
#[derive(Debug, Clone, Default)]
pub struct Kb {
    pub entries: Vec<Entry>,
    pub settings: ShopSettings,
}
