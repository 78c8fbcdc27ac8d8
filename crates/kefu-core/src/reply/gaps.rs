//! KB gaps: the log of questions the bot could not answer, and the clustering that turns it
//! into a to-do list for content staff ("37 shoppers asked about delivery to Nepal").
//!
//! The widget or server appends one [`GapRecord`] per unanswered message as a JSON line
//! (`respond` fills `Reply::gap`). [`cluster`] groups the logged texts: the analyzer's terms
//! (Chinese unigrams and bigrams, stemmed English words, stop words dropped), TF-IDF weights,
//! cosine similarity, a greedy leader pass, one reassignment pass, then agglomerative merging
//! of clusters whose centroids are close. No ML dependencies; fine for tens of thousands of
//! lines.

use crate::analyze::{Analyzer, TermKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One unanswered message, as logged. JSON field names are the Rust ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GapRecord {
    /// The message, ID and card numbers masked (at most 500 characters).
    pub text: String,
    /// What the bot did instead of answering: `clarify` or `handoff` (empty when a hand-made
    /// log leaves it out: an unanswered message).
    #[serde(default)]
    pub decision: String,
    /// The id of the entry ranked first, if any.
    #[serde(default)]
    pub top_entry: Option<String>,
    /// The reply language: `zh-CN`, `zh-TW`, `en`.
    #[serde(default)]
    pub locale: String,
    /// When (Unix ms).
    #[serde(default)]
    pub unix_ms: i64,
    /// With `decision` `picked`: the entry the shopper chose from "did you mean" for this
    /// question. The question is then a phrasing of that entry worth adding to it.
    /// Always written, even empty: the widget keeps its records in postcard, which has no
    /// field names and cannot read a record with a field left out.
    #[serde(default)]
    pub chosen: Option<String>,
}

/// The `decision` of a record that says which offered entry the shopper chose.
pub const PICKED: &str = "picked";

impl GapRecord {
    /// The record as one JSON line (no trailing newline), for callers without serde_json.
    pub fn to_json(&self) -> String {
        let top = match &self.top_entry {
            Some(t) => json_str(t),
            None => "null".to_string(),
        };
        let chosen = match &self.chosen {
            Some(c) => format!(",\"chosen\":{}", json_str(c)),
            None => ",\"chosen\":null".to_string(),
        };
        format!(
            "{{\"text\":{},\"decision\":{},\"top_entry\":{},\"locale\":{},\"unix_ms\":{}{}}}",
            json_str(&self.text),
            json_str(&self.decision),
            top,
            json_str(&self.locale),
            self.unix_ms,
            chosen
        )
    }
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_str(&mut out, s);
    out
}

/// Appends `s` as a JSON string literal: quotes, backslashes and control characters escaped,
/// also U+2028/U+2029 (some JavaScript parsers reject them) and `<` (so the text can never
/// close a script element it is pasted into). Hand-written because the widget must not pull
/// serde_json into its wasm; the log writer and the widget share it.
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// English words that say nothing about the topic (after stemming), and Chinese particles.
const STOP: &[&str] = &[
    "a", "an", "the", "i", "me", "my", "we", "our", "you", "your", "it", "is", "are", "was", "were", "be", "been",
    "am", "to", "of", "in", "on", "at", "for", "with", "and", "or", "but", "so", "do", "doe", "did", "have", "has",
    "had", "can", "could", "will", "would", "should", "this", "that", "there", "what", "which", "how", "when", "where",
    "who", "why", "pleas", "pls", "plz", "hi", "hello", "ok", "not", "no", "yes", "if", "as", "by", "from", "about",
    "any", "some", "one", "me", "u", "ur", "s", "t", "m", "want", "get", "know", "tell", "need", "he", "she", "they",
    "them", "us", "的", "了", "吗", "呢", "吧", "啊", "我", "你", "您", "是", "在", "有", "么", "怎", "么", "这", "那",
    "个", "请", "问", "可以", "可", "以", "能不", "不能", "能", "否", "能否", "是否", "怎么", "什么", "什", "有没",
    "没有", "没", "你们", "们", "我们", "请问", "一下", "一", "下", "为什", "为", "嘛", "呀", "哪", "哪里", "一个",
    "如何", "多少", "啥",
];

/// Letters of an English word that decide its cluster term.
const PREFIX: usize = 5;
/// Weight of a Han unigram next to a bigram or a word.
const UNIGRAM: f32 = 0.3;

/// A group of similar logged messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Indices of the member texts, most typical first.
    pub members: Vec<usize>,
    /// The heaviest terms of the centroid (a label for people).
    pub terms: Vec<String>,
}

type Vector = Vec<(u32, f32)>;

fn dot(a: &Vector, b: &Vector) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

fn unit(mut v: Vector) -> Vector {
    let n = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if n > 0.0 {
        for (_, w) in &mut v {
            *w /= n;
        }
    }
    v
}

/// Sum of vectors (sparse), as a sorted vector.
fn sum(vectors: &[&Vector]) -> Vector {
    let mut acc: HashMap<u32, f32> = HashMap::new();
    for v in vectors {
        for &(t, w) in v.iter() {
            *acc.entry(t).or_default() += w;
        }
    }
    let mut out: Vector = acc.into_iter().collect();
    out.sort_unstable_by_key(|&(t, _)| t);
    out
}

/// TF-IDF unit vectors of the texts, and the term list.
fn vectors(texts: &[&str], analyzer: &Analyzer) -> (Vec<Vector>, Vec<String>) {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut tfs: Vec<HashMap<u32, f32>> = Vec::with_capacity(texts.len());
    let mut df: HashMap<u32, u32> = HashMap::new();
    for text in texts {
        let mut tf: HashMap<u32, f32> = HashMap::new();
        for term in analyzer.terms(text) {
            if STOP.contains(&term.text.as_str()) || term.text.chars().all(|c| c.is_ascii_digit() || c == '*') {
                continue;
            }
            // A Han bigram across a particle ("藏吗", "能送") is noise, not a word.
            if term.kind == TermKind::HanBigram
                && term.text.chars().any(|c| {
                    let mut b = [0u8; 4];
                    STOP.contains(&&*c.encode_utf8(&mut b))
                })
            {
                continue;
            }
            // Light stemming on top of the analyzer's: English words share their first five
            // letters ("deliv" for deliver / delivery / delivered).
            let key = if term.kind == TermKind::Word && term.text.is_ascii() && term.text.len() > PREFIX {
                term.text[..PREFIX].to_string()
            } else {
                term.text.clone()
            };
            let id = *ids.entry(key).or_insert_with(|| {
                names.push(term.text.clone());
                names.len() as u32 - 1
            });
            *tf.entry(id).or_default() += if term.kind == TermKind::HanUnigram { UNIGRAM } else { 1.0 };
        }
        for &id in tf.keys() {
            *df.entry(id).or_default() += 1;
        }
        tfs.push(tf);
    }
    let n = texts.len() as f32;
    let out = tfs
        .into_iter()
        .map(|tf| {
            let mut v: Vector = tf
                .into_iter()
                .map(|(id, w)| (id, w * ((n + 1.0) / (df[&id] as f32 + 1.0)).ln().max(0.0) + w * 0.1))
                .collect();
            v.sort_unstable_by_key(|&(t, _)| t);
            unit(v)
        })
        .collect();
    (out, names)
}

/// Groups similar texts. `threshold` is the cosine (0–1) above which a text joins a cluster
/// (0.3–0.4 suits short shop questions). Texts without usable words are left out.
/// Clusters come biggest first.
pub fn cluster(texts: &[&str], analyzer: &Analyzer, threshold: f32) -> Vec<Cluster> {
    let (full, names) = vectors(texts, analyzer);
    // Terms found in one text only never make two texts similar, but they dilute the cosine
    // of the terms that do ("到西" in "能送到西藏吗"): similarity is measured without them.
    let mut df: HashMap<u32, u32> = HashMap::new();
    for v in &full {
        for &(t, _) in v {
            *df.entry(t).or_default() += 1;
        }
    }
    let vecs: Vec<Vector> = full.iter().map(|v| unit(v.iter().copied().filter(|(t, _)| df[t] > 1).collect())).collect();
    let docs: Vec<usize> = (0..texts.len()).filter(|&i| !vecs[i].is_empty()).collect();
    // Texts whose words are all unique to them stay on their own.
    let loners: Vec<usize> = (0..texts.len()).filter(|&i| vecs[i].is_empty() && !full[i].is_empty()).collect();
    // Greedy leader pass.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut centroids: Vec<Vector> = Vec::new();
    for &d in &docs {
        let best = centroids
            .iter()
            .enumerate()
            .map(|(c, v)| (c, dot(v, &vecs[d])))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((c, s)) if s >= threshold => {
                groups[c].push(d);
                let members: Vec<&Vector> = groups[c].iter().map(|&m| &vecs[m]).collect();
                centroids[c] = unit(sum(&members));
            }
            _ => {
                groups.push(vec![d]);
                centroids.push(vecs[d].clone());
            }
        }
    }
    // One reassignment pass: every text to its nearest centroid.
    let mut regrouped: Vec<Vec<usize>> = vec![Vec::new(); centroids.len()];
    for &d in &docs {
        let (c, _) = centroids
            .iter()
            .enumerate()
            .map(|(c, v)| (c, dot(v, &vecs[d])))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .unwrap_or((0, 0.0));
        regrouped[c].push(d);
    }
    let mut groups: Vec<Vec<usize>> = regrouped.into_iter().filter(|g| !g.is_empty()).collect();
    // Agglomerative merging of close clusters.
    let centroid = |g: &Vec<usize>| unit(sum(&g.iter().map(|&m| &vecs[m]).collect::<Vec<_>>()));
    let mut cents: Vec<Vector> = groups.iter().map(centroid).collect();
    loop {
        let mut best: Option<(usize, usize, f32)> = None;
        for a in 0..groups.len() {
            for b in a + 1..groups.len() {
                let s = dot(&cents[a], &cents[b]);
                if s >= threshold && best.is_none_or(|(_, _, bs)| s > bs) {
                    best = Some((a, b, s));
                }
            }
        }
        let Some((a, b, _)) = best else { break };
        let moved = groups.remove(b);
        cents.remove(b);
        groups[a].extend(moved);
        cents[a] = centroid(&groups[a]);
        if groups.len() > 2000 {
            // Pathologically many singletons: stop merging early rather than go quadratic forever.
            break;
        }
    }
    for &l in &loners {
        groups.push(vec![l]);
        cents.push(full[l].clone());
    }
    let vecs: Vec<&Vector> = (0..texts.len()).map(|i| if vecs[i].is_empty() { &full[i] } else { &vecs[i] }).collect();
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .zip(cents)
        .map(|(mut members, c)| {
            members.sort_by(|&x, &y| dot(&c, vecs[y]).total_cmp(&dot(&c, vecs[x])).then(x.cmp(&y)));
            let mut top: Vec<(u32, f32)> = c.clone();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let terms = top.iter().take(3).map(|(t, _)| names[*t as usize].clone()).collect();
            Cluster { members, terms }
        })
        .collect();
    out.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.members[0].cmp(&b.members[0])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_questions_cluster_in_both_languages() {
        let texts = [
            "can you deliver to nepal",
            "do you ship to nepal?",
            "delivery to nepal possible",
            "cash on delivery option not showing",
            "is cash on delivery available",
            "退货运费谁出",
            "退貨運費誰出",
            "退货的运费谁承担",
            "😀",
            "能送到西藏吗",
            "西藏可以发货吗",
            "西藏地区能不能送",
        ];
        let c = cluster(&texts, &Analyzer::default(), 0.3);
        let find = |i: usize| c.iter().position(|k| k.members.contains(&i)).unwrap();
        assert_eq!(find(0), find(1));
        assert_eq!(find(0), find(2));
        assert_eq!(find(3), find(4));
        assert_ne!(find(0), find(3));
        assert_eq!(find(5), find(6));
        assert_eq!(find(5), find(7));
        assert_ne!(find(5), find(0));
        assert_eq!(find(9), find(10));
        assert_eq!(find(9), find(11));
        assert_ne!(find(9), find(5));
        // The emoji has no words: in no cluster.
        assert!(c.iter().all(|k| !k.members.contains(&8)));
        assert!(c[0].members.len() >= 3);
        assert!(c.iter().any(|k| k.terms.iter().any(|t| t == "nepal")));
    }

    #[test]
    fn json_lines_escape_what_they_must() {
        let r = GapRecord {
            text: "a \"quote\"\nnew line \\ 退货".into(),
            decision: "handoff".into(),
            top_entry: None,
            locale: "en".into(),
            unix_ms: 5,
            chosen: None,
        };
        assert_eq!(
            r.to_json(),
            "{\"text\":\"a \\\"quote\\\"\\nnew line \\\\ 退货\",\"decision\":\"handoff\",\"top_entry\":null,\"locale\":\"en\",\"unix_ms\":5,\"chosen\":null}"
        );
        let picked = GapRecord { decision: PICKED.into(), chosen: Some("return-7-day".into()), ..r };
        assert!(picked.to_json().ends_with(",\"unix_ms\":5,\"chosen\":\"return-7-day\"}"), "{}", picked.to_json());
    }
}
