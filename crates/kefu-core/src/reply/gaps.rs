//! KB gaps: the log of questions the bot could not answer, and the clustering that turns it
//! into a to-do list for content staff ("37 shoppers asked about delivery to Nepal").
//!
//! The widget or server appends one [`GapRecord`] per unanswered message as a JSON line
//! (`respond` fills `Reply::gap`). [`cluster`] groups the logged texts: the analyzer's terms
//! (Chinese unigrams and bigrams, stemmed English words, stop words dropped), TF-IDF weights,
//! cosine similarity, a greedy leader pass, one reassignment pass, then agglomerative merging
//! of clusters whose centroids are close. No ML dependencies. An inverted index over the
//! centroids keeps it near-linear: 100,000 lines take about 2 s.

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

/// `acc + v` (both sorted), added term by term in the order the vectors come, as [`sum`] does:
/// a running sum is bit for bit the sum of the members.
fn add_into(acc: &Vector, v: &Vector) -> Vector {
    let mut out = Vec::with_capacity(acc.len() + v.len());
    let (mut i, mut j) = (0, 0);
    while i < acc.len() || j < v.len() {
        if j == v.len() || (i < acc.len() && acc[i].0 < v[j].0) {
            out.push(acc[i]);
            i += 1;
        } else if i == acc.len() || v[j].0 < acc[i].0 {
            out.push((v[j].0, 0.0 + v[j].1));
            j += 1;
        } else {
            out.push((acc[i].0, acc[i].1 + v[j].1));
            i += 1;
            j += 1;
        }
    }
    out
}

/// Centroids with an inverted index (term → centroids that have it, with its weight there),
/// so that a text is only compared with the centroids it shares a term with. The others
/// would score 0.
struct Index {
    cents: Vec<Vector>,
    postings: Vec<Vec<(u32, f32)>>,
    /// Per centroid, parallel to its vector: where each term sits in that term's postings.
    slots: Vec<Vec<u32>>,
    /// Scratch: scores by centroid, and which were touched.
    score: Vec<f32>,
    touched: Vec<u32>,
}

impl Index {
    fn new(terms: usize) -> Index {
        Index {
            cents: Vec::new(),
            postings: vec![Vec::new(); terms],
            slots: Vec::new(),
            score: Vec::new(),
            touched: Vec::new(),
        }
    }

    fn push(&mut self, c: Vector) {
        let id = self.cents.len() as u32;
        let slots = c
            .iter()
            .map(|&(t, w)| {
                let p = &mut self.postings[t as usize];
                p.push((id, w));
                p.len() as u32 - 1
            })
            .collect();
        self.cents.push(c);
        self.slots.push(slots);
        self.score.push(0.0);
    }

    /// Replaces centroid `c` by `v`, whose terms include all of the old one's (the weights
    /// of a sum are positive, so terms are never lost).
    fn set(&mut self, c: usize, v: Vector) {
        let (old, old_slots) = (&self.cents[c], &self.slots[c]);
        let mut slots = Vec::with_capacity(v.len());
        let mut i = 0;
        for &(t, w) in &v {
            let p = &mut self.postings[t as usize];
            if i < old.len() && old[i].0 == t {
                let slot = old_slots[i];
                p[slot as usize].1 = w;
                slots.push(slot);
                i += 1;
            } else {
                p.push((c as u32, w));
                slots.push(p.len() as u32 - 1);
            }
        }
        debug_assert_eq!(i, old.len(), "a centroid lost a term");
        self.cents[c] = v;
        self.slots[c] = slots;
    }

    /// The dot products of `v` with every centroid that shares a term with it and passes
    /// `keep`, summed in term order as [`dot`] does (so bit for bit the same); `touched`
    /// lists them.
    fn scores(&mut self, v: &Vector, keep: impl Fn(u32) -> bool) {
        for &c in &self.touched {
            self.score[c as usize] = 0.0;
        }
        self.touched.clear();
        for &(t, w) in v {
            for &(c, cw) in &self.postings[t as usize] {
                if !keep(c) {
                    continue;
                }
                let s = &mut self.score[c as usize];
                if *s == 0.0 {
                    self.touched.push(c);
                }
                *s += cw * w;
            }
        }
    }

    /// The nearest centroid (the first of equals); with no shared term, the first centroid
    /// at 0, as a scan of all would find.
    fn nearest(&mut self, v: &Vector) -> Option<(usize, f32)> {
        if self.cents.is_empty() {
            return None;
        }
        self.scores(v, |_| true);
        let mut best = (0usize, 0.0f32);
        for &c in &self.touched {
            let (c, s) = (c as usize, self.score[c as usize]);
            if s > best.1 || (s == best.1 && c < best.0) {
                best = (c, s);
            }
        }
        Some(best)
    }
}

/// Groups similar texts. `threshold` is the cosine (0–1) above which a text joins a cluster
/// (0.3–0.4 suits short shop questions). Texts without usable words are left out.
/// Clusters come biggest first.
///
/// Near-linear for real logs: centroids keep running sums, and a text or a centroid is only
/// compared with the centroids it shares a term with (an inverted index); the clusters are
/// the same as comparing with every centroid.
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
    // Greedy leader pass: each text joins the nearest centroid, or starts a cluster.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut sums: Vec<Vector> = Vec::new();
    let mut index = Index::new(names.len());
    for &d in &docs {
        match index.nearest(&vecs[d]) {
            Some((c, s)) if s >= threshold => {
                groups[c].push(d);
                sums[c] = add_into(&sums[c], &vecs[d]);
                index.set(c, unit(sums[c].clone()));
            }
            _ => {
                groups.push(vec![d]);
                sums.push(vecs[d].clone());
                index.push(vecs[d].clone());
            }
        }
    }
    // One reassignment pass: every text to its nearest centroid.
    let mut regrouped: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for &d in &docs {
        let (c, _) = index.nearest(&vecs[d]).unwrap_or((0, 0.0));
        regrouped[c].push(d);
    }
    let mut groups: Vec<Vec<usize>> = regrouped.into_iter().filter(|g| !g.is_empty()).collect();
    // Agglomerative merging of close clusters: the closest pair first (the first of equals),
    // until no pair reaches the threshold. Only pairs that share a term can.
    let centroid = |g: &Vec<usize>| unit(sum(&g.iter().map(|&m| &vecs[m]).collect::<Vec<_>>()));
    let mut index = Index::new(names.len());
    for g in &groups {
        index.push(centroid(g));
    }
    let mut alive = vec![true; groups.len()];
    let mut left = groups.len();
    // Pairs (a < b) at or above the threshold, and each cluster's partners in them.
    let mut close: HashMap<(usize, usize), f32> = HashMap::new();
    let mut partners: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    let pairs_of = |a: usize, index: &mut Index, alive: &[bool], only_after: bool| -> Vec<(usize, f32)> {
        let v = index.cents[a].clone();
        index.scores(&v, |c| alive[c as usize] && c as usize != a && (!only_after || c as usize > a));
        index.touched.iter().map(|&c| (c as usize, index.score[c as usize])).filter(|&(_, s)| s >= threshold).collect()
    };
    if groups.len() > 1 {
        for a in 0..groups.len() {
            for (b, s) in pairs_of(a, &mut index, &alive, true) {
                close.insert((a, b), s);
                partners[a].push(b);
                partners[b].push(a);
            }
        }
    }
    loop {
        let mut best: Option<((usize, usize), f32)> = None;
        for (&k, &s) in &close {
            if best.is_none_or(|(bk, bs)| s > bs || (s == bs && k < bk)) {
                best = Some((k, s));
            }
        }
        let Some(((a, b), _)) = best else { break };
        for x in [a, b] {
            for p in std::mem::take(&mut partners[x]) {
                close.remove(&(x.min(p), x.max(p)));
                partners[p].retain(|&q| q != x);
            }
        }
        alive[b] = false;
        left -= 1;
        let moved = std::mem::take(&mut groups[b]);
        groups[a].extend(moved);
        index.set(a, centroid(&groups[a]));
        if left > 2000 {
            // Pathologically many singletons: stop merging early, as before.
            break;
        }
        for (c, s) in pairs_of(a, &mut index, &alive, false) {
            close.insert((a.min(c), a.max(c)), s);
            partners[a].push(c);
            partners[c].push(a);
        }
    }
    let mut cents: Vec<Vector> = Vec::with_capacity(left + loners.len());
    let mut kept: Vec<Vec<usize>> = Vec::with_capacity(left + loners.len());
    for ((g, c), alive) in groups.into_iter().zip(index.cents).zip(alive) {
        if alive {
            kept.push(g);
            cents.push(c);
        }
    }
    let mut groups = kept;
    for &l in &loners {
        groups.push(vec![l]);
        cents.push(full[l].clone());
    }
    let vecs: Vec<&Vector> = (0..texts.len()).map(|i| if vecs[i].is_empty() { &full[i] } else { &vecs[i] }).collect();
    into_clusters(groups, cents, &vecs, &names)
}

/// The clusters of `groups` (text indices) with their centroids: members nearest the centroid
/// first, named by the centroid's three heaviest terms, largest clusters first.
fn into_clusters(groups: Vec<Vec<usize>>, cents: Vec<Vector>, vecs: &[&Vector], names: &[String]) -> Vec<Cluster> {
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .zip(cents)
        .map(|(members, c)| {
            // The dot with the centroid once per member, not once per comparison.
            let mut keyed: Vec<(f32, usize)> = members.iter().map(|&m| (dot(&c, vecs[m]), m)).collect();
            keyed.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let members = keyed.into_iter().map(|(_, m)| m).collect();
            let mut top: Vec<(u32, f32)> = c;
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

    /// Unanswered messages of a shop in both languages: three topics, one written three ways.
    const SHOP_MESSAGES: [&str; 12] = [
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

    #[test]
    fn similar_questions_cluster_in_both_languages() {
        let texts = SHOP_MESSAGES;
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

    /// The clustering as it was before the inverted index: every text against every centroid,
    /// every centroid re-summed from its members, every pair of clusters compared.
    #[allow(clippy::needless_range_loop)]
    fn naive(texts: &[&str], analyzer: &Analyzer, threshold: f32) -> Vec<Cluster> {
        let (full, names) = vectors(texts, analyzer);
        // Terms found in one text only never make two texts similar, but they dilute the cosine
        // of the terms that do ("到西" in "能送到西藏吗"): similarity is measured without them.
        let mut df: HashMap<u32, u32> = HashMap::new();
        for v in &full {
            for &(t, _) in v {
                *df.entry(t).or_default() += 1;
            }
        }
        let vecs: Vec<Vector> =
            full.iter().map(|v| unit(v.iter().copied().filter(|(t, _)| df[t] > 1).collect())).collect();
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
        let vecs: Vec<&Vector> =
            (0..texts.len()).map(|i| if vecs[i].is_empty() { &full[i] } else { &vecs[i] }).collect();
        into_clusters(groups, cents, &vecs, &names)
    }

    /// Random texts of `words` words from a vocabulary of `vocab`, some repeated with a word
    /// changed (so that clusters form), deterministic.
    fn random_texts(n: usize, vocab: usize, seed: u64) -> Vec<String> {
        let mut x = seed;
        let mut next = move || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) as usize
        };
        let words: Vec<String> =
            (0..vocab).map(|_| (0..3 + next() % 6).map(|_| (b'a' + (next() % 26) as u8) as char).collect()).collect();
        let mut out: Vec<String> = Vec::with_capacity(n);
        for _ in 0..n {
            if !out.is_empty() && next() % 3 == 0 {
                let mut t: Vec<String> = out[next() % out.len()].split(' ').map(String::from).collect();
                let i = next() % t.len();
                t[i] = words[next() % vocab].clone();
                out.push(t.join(" "));
            } else {
                out.push((0..2 + next() % 5).map(|_| words[next() % vocab].as_str()).collect::<Vec<_>>().join(" "));
            }
        }
        out
    }

    #[test]
    fn the_inverted_index_gives_the_same_clusters_as_comparing_with_every_centroid() {
        let a = Analyzer::default();
        let shop = SHOP_MESSAGES;
        for t in [0.0, 0.1, 0.3, 0.5, 1.0] {
            assert_eq!(cluster(&shop, &a, t), naive(&shop, &a, t), "threshold {t}");
        }
        // From one cluster to more than 2,000 (where merging stops after the first merge).
        let mut sizes = Vec::new();
        for (n, vocab, seed, thresholds) in [
            (300, 40, 1, &[0.2, 0.3, 0.45][..]),
            (1500, 300, 2, &[0.2, 0.3, 0.45]),
            (2500, 2000, 3, &[0.2, 0.3, 0.45]),
            (4000, 4000, 4, &[0.45]),
        ] {
            let texts = random_texts(n, vocab, seed);
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            for &t in thresholds {
                let c = cluster(&texts, &a, t);
                sizes.push(c.len());
                assert_eq!(c, naive(&texts, &a, t), "{n} texts, vocabulary {vocab}, threshold {t}");
            }
        }
        assert!(sizes.contains(&1) && sizes.iter().any(|&s| s > 2000), "{sizes:?}");
    }

    #[test]
    fn twenty_thousand_distinct_messages_cluster() {
        // Before the inverted index: 7.8 s (release build, 2 shared cores), quadratic in the
        // texts; now about 0.2 s. The time is printed, not asserted (a shared machine's timing
        // is no test); the clusters are checked against the plain algorithm above.
        let texts = random_texts(20_000, 30_000, 7);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let start = std::time::Instant::now();
        let c = cluster(&texts, &Analyzer::default(), 0.3);
        eprintln!("20,000 distinct messages: {} clusters in {:?}", c.len(), start.elapsed());
        assert!(c.len() > 1000, "{} clusters", c.len());
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
