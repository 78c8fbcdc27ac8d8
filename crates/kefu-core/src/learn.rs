//! Learned term weights: a multinomial logistic regression with the KB's entries as classes
//! and its question terms as features, fitted natively at build time from the KB's own
//! questions and read in the widget.
//!
//! BM25 and the entry pool ([`crate::pool`]) weigh a word by how rare it is. A regression
//! learns instead what each word says *between* entries: "pending" is common in a bank's
//! questions yet tells a pending transfer from a pending top-up only next to other words, and
//! a word shared by two sibling entries is worth little for either. The engine adds the
//! regression's probability of an entry to that entry's lexical score ([`FUSE`]).
//!
//! Features: each question's distinct terms, valued by rarity (`1 + ln(questions / df)`),
//! scaled to unit length; a message is turned into the same kind of vector. Training is plain
//! stochastic gradient descent on the softmax loss, a fixed number of steps in a fixed order,
//! so a build is reproducible (the fits run in parallel; each is sequential). The bundle keeps only the weights that matter (at least
//! [`PRUNE`] of the largest), quantized to a byte each.
//!
//! Honesty at calibration: a model that saw a held-out question, or the entry being hidden,
//! would make the held-out picture far rosier than a shopper's (measured in a prototype on
//! banking77 full: 99.1% of the KB's own questions ranked right by the model that saw them,
//! 88.2% by one that did not). So the calibration asks each held-out question of a model
//! fitted without it ([`Folds`]), and the shipped weights are fitted like those models.

use crate::index::{Field, Index};
use serde::{Deserialize, Serialize};

/// How much of an entry's lexical score scale the regression's probability adds: an entry
/// with probability `p` gains `FUSE · p · top score` (times the pool's weight for its number
/// of questions, so entries with one or two questions are ranked as without it).
pub const FUSE: f32 = 0.5;
/// Weights smaller than this share of the largest are dropped from the bundle.
pub const PRUNE: f32 = 0.05;
/// Gradient steps of every fit, in passes over the whole KB's questions: the same for each of
/// the calibration's models and for the two halves whose mean ships ([`Folds`]), however
/// many questions each is fitted on. Weights grow with the steps taken, and so does how sure
/// a model is; with one budget the calibration's models are as sure of themselves as the
/// shipped one, and the thresholds they set hold for it.
const PASSES: f32 = 1.0;
/// Learning rate of the first step; it falls linearly to a tenth of that.
const RATE: f32 = 2.0;
/// Largest weight table fitted (terms × entries, 16 MB of floats; the build holds seven at
/// once); a bigger KB ranks without learned weights.
const MAX_CELLS: usize = 4_000_000;

/// The weights as the bundle stores them: per question term (the question field's term id),
/// its (entry, weight) pairs, weights quantized as `value · scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Stored {
    /// What one unit of a quantized weight is worth.
    pub scale: f32,
    /// Per entry.
    pub bias: Vec<f32>,
    /// `offsets[t]..offsets[t + 1]` are term `t`'s pairs; one more than the terms.
    pub offsets: Vec<u32>,
    /// The entry of each pair.
    pub entries: Vec<u32>,
    /// The weight of each pair, in units of `scale`.
    pub values: Vec<i8>,
}

/// Weights ready to score a message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Learned {
    bias: Vec<f32>,
    offsets: Vec<u32>,
    entries: Vec<u32>,
    values: Vec<f32>,
}

impl Learned {
    /// Checks stored weights against the index they were fitted on.
    pub fn open(s: &Stored, terms: usize, classes: usize) -> Result<Learned, String> {
        if s.bias.len() != classes {
            return Err(format!("learned weights have {} entries, the KB {classes}", s.bias.len()));
        }
        if s.offsets.len() != terms + 1 {
            return Err(format!("learned weights have {} terms, the index {terms}", s.offsets.len().saturating_sub(1)));
        }
        if s.entries.len() != s.values.len()
            || s.offsets.windows(2).any(|w| w[0] > w[1])
            || s.offsets.first() != Some(&0)
            || s.offsets.last().map(|&l| l as usize) != Some(s.entries.len())
        {
            return Err("learned weights are inconsistent".into());
        }
        if s.entries.iter().any(|&e| e as usize >= classes) {
            return Err("learned weights name an entry the KB lacks".into());
        }
        if !s.scale.is_finite() || s.bias.iter().any(|b| !b.is_finite()) {
            return Err("learned weights hold a number that is not finite".into());
        }
        Ok(Learned {
            bias: s.bias.clone(),
            offsets: s.offsets.clone(),
            entries: s.entries.clone(),
            values: s.values.iter().map(|&v| f32::from(v) * s.scale).collect(),
        })
    }

    /// Probability of every entry for a message's `(term id, value)` features; a `hidden`
    /// entry gets none (the KB is taken to lack it).
    pub fn probabilities(&self, features: &[(usize, f32)], hidden: Option<u32>) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for &(t, x) in features {
            let (Some(&lo), Some(&hi)) = (self.offsets.get(t), self.offsets.get(t + 1)) else { continue };
            for k in lo as usize..hi as usize {
                logits[self.entries[k] as usize] += x * self.values[k];
            }
        }
        if let Some(l) = hidden.and_then(|h| logits.get_mut(h as usize)) {
            *l = f32::NEG_INFINITY;
        }
        softmax(&mut logits);
        logits
    }
}

/// Rarity of a question term: `1 + ln(questions / df)`.
pub fn rarity(questions: u32, df: usize) -> f32 {
    1.0 + libm::logf(questions.max(1) as f32 / df.max(1) as f32)
}

/// Scales features to unit length (in place).
pub fn normalize<T>(features: &mut [(T, f32)]) {
    let norm = features.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        features.iter_mut().for_each(|(_, x)| *x /= norm);
    }
}

fn softmax(logits: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        logits.iter_mut().for_each(|l| *l = 0.0);
        return;
    }
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = libm::expf(*l - max);
        sum += *l;
    }
    logits.iter_mut().for_each(|l| *l /= sum);
}

/// [`softmax`] for training: a polynomial `exp` the compiler can vectorize (relative error
/// under 2·10⁻⁴, far below what a gradient step needs); with the separate passes below, a
/// fit took 2.5 times less than with `libm::expf`.
#[inline(always)]
fn softmax_fast(logits: &mut [f32]) {
    let max = lanes(logits, f32::NEG_INFINITY, f32::max);
    // Three separate passes: the first and last vectorize; a running sum inside the first
    // would keep it one lane wide.
    logits.iter_mut().for_each(|l| *l = exp_fast(*l - max));
    let inv = 1.0 / lanes(logits, 0.0, |a, b| a + b);
    logits.iter_mut().for_each(|l| *l *= inv);
}

/// Folds `xs` with `f` in eight interleaved lanes, then across them: the order is fixed, so
/// the result is the same however wide the machine's vectors are.
fn lanes(xs: &[f32], init: f32, f: impl Fn(f32, f32) -> f32) -> f32 {
    let mut acc = [init; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            acc[k] = f(acc[k], c[k]);
        }
    }
    for (k, &x) in chunks.remainder().iter().enumerate() {
        acc[k] = f(acc[k], x);
    }
    acc.iter().fold(init, |a, &b| f(a, b))
}

/// `e^x` for `x ≤ 0` as `2^i · 2^f`, `f` in `[0, 1)` by its Taylor polynomial.
#[inline(always)]
fn exp_fast(x: f32) -> f32 {
    let t = x.max(-80.0) * std::f32::consts::LOG2_E;
    let mut i = t as i32;
    i -= i32::from(t < i as f32);
    let f = t - i as f32;
    let p = 1.0
        + f * (std::f32::consts::LN_2 + f * (0.240_226_5 + f * (0.055_504_1 + f * (0.009_618_1 + f * 0.001_333_4))));
    f32::from_bits(((i + 127) as u32) << 23) * p
}

/// The KB's questions as training examples: each question document's features and entry.
pub struct Examples {
    /// Per question document: (term id, value) pairs, unit length.
    rows: Vec<Vec<(u32, f32)>>,
    /// Entry of each question document.
    labels: Vec<u32>,
    terms: usize,
    classes: usize,
}

impl Examples {
    /// Reads the question field of `index`; `doc_entry` maps each question document to its
    /// entry (one per question, in document order).
    pub fn new(index: &Index, doc_entry: &[u32], classes: usize) -> Examples {
        let questions = doc_entry.len() as u32;
        let field = index.field(Field::Question);
        let mut terms = 0;
        let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); questions as usize];
        for (t, (_, postings)) in field.terms().enumerate() {
            terms = t + 1;
            for &(doc, _) in postings.iter().filter(|p| p.0 < questions) {
                rows[doc as usize].push((t as u32, rarity(questions, postings.len())));
            }
        }
        rows.iter_mut().for_each(|row| normalize(row));
        Examples { rows, labels: doc_entry.to_vec(), terms, classes }
    }

    /// Fits the two halves of [`Folds`] on the machine's cores. The shipped weights are their
    /// mean: between them they saw every question, and a mean of two fits is no surer of
    /// itself than either, so the thresholds the calibration sets with the halves (and the
    /// entry groups, fitted alike: [`Examples::fit_groups`]) hold for it. Returns the shipped
    /// weights and the halves' (fold models 0 and 1).
    pub fn fit_halves(&self, folds: &Folds) -> (Option<Stored>, Vec<Option<Stored>>) {
        let fitted = crate::parallel::map(&[0, 1], |&k| self.descend(|d| folds.trains(k, d)));
        let shipped = match (&fitted[0], &fitted[1]) {
            (Some(a), Some(b)) => Some(a.mean(b).store()),
            (Some(one), None) | (None, Some(one)) => Some(one.store()),
            (None, None) => None,
        };
        (shipped, fitted.iter().map(|m| m.as_ref().map(Dense::store)).collect())
    }

    /// Fits the entry groups of [`Folds`] (fold models 2 and up, for the calibration) on the
    /// machine's cores. Apart from the halves, so that the build opens the bundle (which
    /// needs the halves' mean) while these are fitted.
    pub fn fit_groups(&self, folds: &Folds) -> Vec<Option<Stored>> {
        let jobs: Vec<u32> = (2..FOLD_MODELS).collect();
        crate::parallel::map(&jobs, |&k| self.descend(|d| folds.trains(k, d)).as_ref().map(Dense::store))
    }

    /// Fits weights on the questions `keep` accepts (by document); `None` when the KB is too
    /// large for the table, has fewer than two entries, or `keep` takes no question.
    fn descend(&self, keep: impl Fn(u32) -> bool) -> Option<Dense> {
        let (terms, classes) = (self.terms, self.classes);
        if classes < 2 || terms == 0 || terms.saturating_mul(classes) > MAX_CELLS {
            return None;
        }
        let order: Vec<u32> = shuffled(self.rows.len() as u32).into_iter().filter(|&d| keep(d)).collect();
        if order.is_empty() {
            return None;
        }
        let steps = (PASSES * self.rows.len() as f32).ceil() as usize;
        let mut m = Dense { w: vec![0.0f32; terms * classes], bias: vec![0.0f32; classes], classes };
        let run = Descent { rows: &self.rows, labels: &self.labels, order: &order, steps, classes };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { run.avx2(&mut m.w, &mut m.bias) };
            return Some(m);
        }
        run.go(&mut m.w, &mut m.bias);
        Some(m)
    }
}

/// Fitted weights, every term × entry.
struct Dense {
    w: Vec<f32>,
    bias: Vec<f32>,
    classes: usize,
}

impl Dense {
    fn mean(&self, other: &Dense) -> Dense {
        let avg = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| 0.5 * (x + y)).collect();
        Dense { w: avg(&self.w, &other.w), bias: avg(&self.bias, &other.bias), classes: self.classes }
    }

    /// The weights that matter (at least [`PRUNE`] of the largest), a byte each.
    fn store(&self) -> Stored {
        let classes = self.classes;
        let largest = self.w.iter().fold(0.0f32, |m, &v| m.max(v.abs()));
        let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
        let floor = PRUNE * largest;
        let terms = self.w.len() / classes.max(1);
        let mut stored =
            Stored { scale, bias: self.bias.clone(), offsets: Vec::with_capacity(terms + 1), ..Default::default() };
        stored.offsets.push(0);
        for t in 0..terms {
            for (e, &v) in self.w[t * classes..][..classes].iter().enumerate() {
                if v.abs() >= floor && v != 0.0 {
                    stored.entries.push(e as u32);
                    stored.values.push((v / scale).round().clamp(-127.0, 127.0) as i8);
                }
            }
            stored.offsets.push(stored.entries.len() as u32);
        }
        stored
    }
}

/// One fit's gradient steps: softmax loss, learning rate falling linearly to a tenth.
struct Descent<'a> {
    rows: &'a [Vec<(u32, f32)>],
    labels: &'a [u32],
    order: &'a [u32],
    steps: usize,
    classes: usize,
}

impl Descent<'_> {
    /// The same steps compiled for AVX2, eight lanes wide, the same result bit for bit (no
    /// sum changes its order): banking77 full's four fits take 9.8 instead of 11.3 ms, and
    /// the build has little margin over its 50,000 rows/s target.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn avx2(&self, w: &mut [f32], bias: &mut [f32]) {
        self.go(w, bias)
    }

    #[inline(always)]
    fn go(&self, w: &mut [f32], bias: &mut [f32]) {
        let classes = self.classes;
        let mut g = vec![0.0f32; classes];
        for (step, &d) in self.order.iter().cycle().take(self.steps).enumerate() {
            let rate = RATE * (1.0 - 0.9 * step as f32 / self.steps as f32);
            let row = &self.rows[d as usize];
            g.copy_from_slice(bias);
            for &(t, x) in row {
                let wt = &w[t as usize * classes..][..classes];
                g.iter_mut().zip(wt).for_each(|(l, &v)| *l += x * v);
            }
            softmax_fast(&mut g);
            g[self.labels[d as usize] as usize] -= 1.0;
            for &(t, x) in row {
                let wt = &mut w[t as usize * classes..][..classes];
                let step = rate * x;
                wt.iter_mut().zip(&g).for_each(|(v, &gi)| *v -= step * gi);
            }
            bias.iter_mut().zip(&g).for_each(|(b, &gi)| *b -= rate * gi);
        }
    }
}

/// A fixed pseudo-random order of `0..n` (the same every build).
fn shuffled(n: u32) -> Vec<u32> {
    let mut v: Vec<u32> = (0..n).collect();
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
    v
}

/// The calibration's learned weights, so that every held-out question is asked of weights
/// fitted without it:
/// - a hidden alternate of an entry, of the weights fitted on the other half of every
///   entry's questions (`j`-th question of an entry: half `j mod 2`); they know every entry;
/// - a hidden entry's question, of the weights fitted without half of the entries (entry `e`
///   in group `e mod GROUPS`). They know neither the entry nor the others of its group, so
///   its neighbours stand out more than in the shipped model: a harsher picture, not a
///   rosier one (with four groups instead of two, self-service moved −1.1 to +0.8 points
///   on the full files and the build took 4 ms more);
/// - an out-of-domain question, of either half's weights.
///
/// Measured in a prototype on banking77 full: the KB's own questions ranked right 99.1% of
/// the time by a model that saw them, 88.2% by one that did not; a hidden entry's questions
/// were answered past 0.5 probability by a sibling 19% of the time when the entry's class was
/// only masked in a model that had learned it, 31% when it was fitted without it.
#[derive(Debug, Clone)]
pub struct Folds {
    entry: Vec<u32>,
    half: Vec<u32>,
}

/// Entry groups of [`Folds`]: every fit costs the same (a fixed number of steps), and two
/// groups keep the build at four fits.
pub const GROUPS: u32 = 2;
/// Models of [`Folds`]: two halves, then the entry groups.
pub const FOLD_MODELS: u32 = 2 + GROUPS;

impl Folds {
    /// Folds of questions numbered in entry order (`doc_entry`, one per question).
    pub fn new(doc_entry: &[u32]) -> Folds {
        let mut half = Vec::with_capacity(doc_entry.len());
        let mut j = 0u32;
        for (d, &e) in doc_entry.iter().enumerate() {
            j = if d > 0 && doc_entry[d - 1] == e { j + 1 } else { 0 };
            half.push(j % 2);
        }
        Folds { entry: doc_entry.to_vec(), half }
    }

    /// Whether model `k` is fitted on question document `doc`.
    pub fn trains(&self, k: u32, doc: u32) -> bool {
        let d = doc as usize;
        match k {
            0 | 1 => self.half.get(d).is_some_and(|&h| h != k),
            _ => self.entry.get(d).is_some_and(|&e| e % GROUPS != k - 2),
        }
    }

    /// The model a hidden question is asked of.
    pub fn for_question(&self, doc: u32) -> u32 {
        self.half.get(doc as usize).copied().unwrap_or(0)
    }

    /// The model a hidden entry's questions are asked of.
    pub fn for_entry(entry: u32) -> u32 {
        2 + entry % GROUPS
    }

    /// The model the `i`-th out-of-domain question is asked of.
    pub fn for_far(i: usize) -> u32 {
        (i % 2) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_is_close() {
        for k in 0..2000 {
            let x = -(k as f32) * 0.04;
            let (a, b) = (exp_fast(x), libm::expf(x));
            assert!((a - b).abs() <= 2e-4 * b + 1e-30, "{x}: {a} vs {b}");
        }
    }

    #[test]
    fn folds_never_train_on_what_they_are_asked() {
        let doc_entry: Vec<u32> = (0..9u32).flat_map(|e| std::iter::repeat_n(e, 1 + e as usize)).collect();
        let f = Folds::new(&doc_entry);
        for (d, &e) in doc_entry.iter().enumerate() {
            let d = d as u32;
            let k = f.for_question(d);
            assert!(!f.trains(k, d), "question {d} is in its own model");
            // Every entry with two questions or more keeps one in the model.
            let kept = doc_entry.iter().enumerate().filter(|&(o, &oe)| oe == e && f.trains(k, o as u32)).count();
            assert_eq!(kept > 0, e > 0, "question {d}'s model and its entry");
            let k = Folds::for_entry(e);
            assert!(doc_entry.iter().enumerate().all(|(o, &oe)| oe != e || !f.trains(k, o as u32)));
            assert!(doc_entry.iter().enumerate().any(|(o, &oe)| oe != e && f.trains(k, o as u32)));
        }
    }

    #[test]
    fn softmax_of_a_hidden_entry_is_zero_and_the_rest_sum_to_one() {
        let s =
            Stored { scale: 1.0, bias: vec![0.0, 1.0, 2.0], offsets: vec![0, 1], entries: vec![2], values: vec![3] };
        let l = Learned::open(&s, 1, 3).unwrap();
        let p = l.probabilities(&[(0, 1.0)], Some(2));
        assert_eq!(p[2], 0.0);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(p[1] > p[0]);
        assert!(Learned::open(&s, 2, 3).is_err());
        assert!(Learned::open(&Stored { entries: vec![7], ..s.clone() }, 1, 3).is_err());
        let nan = Learned::open(&Stored { scale: f32::NAN, ..s.clone() }, 1, 3).unwrap_err();
        assert!(nan.contains("not finite"), "{nan}");
    }
}
