//! Trees: small gradient-boosted trees that refine the logistic confidence model where its
//! features interact (a high coverage means more with a clear margin than in a tie).
//!
//! Fitted at build time on the calibration's held-out questions, after the logistic
//! regression, starting from its log-odds. Each tree has depth two (four leaves) and every
//! split is **monotone**: a tree never gives a lower value for a higher feature. All ten
//! features are "more is more likely right", so this is a prior of the domain, and it keeps
//! the trees from learning quirks of the held-out questions that real shoppers lack
//! (measured: the same trees without the constraint answered more out-of-scope questions).
//! Newton steps on the logistic loss, a leaf needs `MIN_LEAF` (50) questions, values shrink by
//! `RATE` (0.1); splits are searched over at most `BINS` (64) quantile bins per feature (10 ms for
//! banking77 full's 4,702 held-out questions). Evaluating a tree is two comparisons
//! (`calibration::Tree`), cheap in the wasm.

use crate::calibration::{Split, Tree, FEATURES};

/// Trees fitted.
pub const ROUNDS: usize = 60;
/// Shrinkage of each tree's values.
const RATE: f64 = 0.1;
/// Fewest held-out questions in a leaf.
const MIN_LEAF: usize = 50;
/// Ridge on leaf values (in units of the weights, which are scaled to average 1).
const LAMBDA: f64 = 1.0;

/// Candidate thresholds per feature: at most this many bins (quantiles of the samples).
const BINS: usize = 64;

/// Fits the trees. `base`: the starting log-odds of each sample (the logistic model's),
/// `weights`: each sample's weight in the loss.
///
/// Splits are searched over histograms: each feature's values fall into at most `BINS`
/// quantile bins once, and a node sums its samples' gradients per bin (the second child is
/// the parent minus the first), so a round costs two passes over the samples.
pub fn boost(xs: &[[f32; FEATURES]], right: &[bool], weights: &[f64], base: &[f64]) -> Vec<Tree> {
    let n = xs.len();
    if n < 4 * MIN_LEAF {
        return Vec::new();
    }
    let mean = weights.iter().sum::<f64>() / n as f64;
    let w: Vec<f64> = weights.iter().map(|x| x / mean.max(f64::MIN_POSITIVE)).collect();
    let cuts: Vec<Vec<f32>> = (0..FEATURES).map(|f| cuts(xs.iter().map(|x| x[f]))).collect();
    let bins: Vec<[u8; FEATURES]> =
        xs.iter().map(|x| std::array::from_fn(|f| cuts[f].partition_point(|&c| c <= x[f]) as u8)).collect();
    let mut margin = base.to_vec();
    let mut trees = Vec::with_capacity(ROUNDS);
    let (mut g, mut h) = (vec![0.0f64; n], vec![0.0f64; n]);
    let mut side = vec![0u8; n];
    for _ in 0..ROUNDS {
        for i in 0..n {
            let p = 1.0 / (1.0 + libm::exp(-margin[i]));
            let y = if right[i] { 1.0 } else { 0.0 };
            g[i] = w[i] * (p - y);
            h[i] = w[i] * p * (1.0 - p);
        }
        let all = Histogram::of(&bins, &g, &h, |_| true);
        let Some(root) = best_split(&all, &cuts, (f64::MIN, f64::MAX)) else { break };
        let mid = (root.values[0] + root.values[1]) / 2.0;
        for i in 0..n {
            side[i] = u8::from(xs[i][root.feature] >= root.threshold);
        }
        let below = Histogram::of(&bins, &g, &h, |i| side[i] == 0);
        let above = all.minus(&below);
        let mut sides = [Split { feature: 0, threshold: f32::MAX, values: [0.0; 2] }; 2];
        for (s, hist) in [below, above].iter().enumerate() {
            let bounds = if s == 0 { (f64::MIN, mid) } else { (mid, f64::MAX) };
            let leaf = root.children[s].value().clamp(bounds.0, bounds.1);
            sides[s] = match best_split(hist, &cuts, bounds) {
                Some(c) => Split {
                    feature: c.feature as u8,
                    threshold: c.threshold,
                    values: [(c.values[0] * RATE) as f32, (c.values[1] * RATE) as f32],
                },
                // No split worth making: one value on both sides.
                None => Split { feature: 0, threshold: f32::MAX, values: [(leaf * RATE) as f32; 2] },
            };
        }
        let tree =
            Tree { root: Split { feature: root.feature as u8, threshold: root.threshold, values: [0.0; 2] }, sides };
        for i in 0..n {
            margin[i] += f64::from(tree.value(&xs[i]));
        }
        trees.push(tree);
    }
    trees
}

/// Thresholds between a feature's quantiles (every gap between distinct values when there
/// are few), ascending. A value's bin is the number of thresholds at or below it.
fn cuts(values: impl Iterator<Item = f32>) -> Vec<f32> {
    let mut v: Vec<f32> = values.collect();
    v.sort_by(f32::total_cmp);
    let n = v.len();
    let mut out: Vec<f32> = Vec::new();
    for q in 1..BINS {
        let at = q * n / BINS;
        if at == 0 || at >= n {
            continue;
        }
        // The first value above the quantile's, so equal values share a bin.
        let next = v[at..].iter().position(|&x| x > v[at - 1]).map(|k| at + k);
        if let Some(j) = next {
            let c = v[j - 1] + (v[j] - v[j - 1]) / 2.0;
            if out.last().is_none_or(|&l| c > l) {
                out.push(c);
            }
        }
    }
    out
}

/// Sums of a node's gradients and hessians, and its sample count.
#[derive(Debug, Clone, Copy, Default)]
struct Node {
    g: f64,
    h: f64,
    n: usize,
}

impl Node {
    /// The Newton step of the node's leaf value.
    fn value(&self) -> f64 {
        -self.g / (self.h + LAMBDA)
    }

    fn score(&self) -> f64 {
        self.g * self.g / (self.h + LAMBDA)
    }

    fn add(&mut self, other: &Node) {
        self.g += other.g;
        self.h += other.h;
        self.n += other.n;
    }

    fn minus(&self, other: &Node) -> Node {
        Node { g: self.g - other.g, h: self.h - other.h, n: self.n - other.n }
    }
}

/// Per feature and bin, the node's sums.
struct Histogram {
    bins: Vec<[Node; BINS]>,
    total: Node,
}

impl Histogram {
    fn of(bins: &[[u8; FEATURES]], g: &[f64], h: &[f64], inside: impl Fn(usize) -> bool) -> Histogram {
        let mut hist = Histogram { bins: vec![[Node::default(); BINS]; FEATURES], total: Node::default() };
        for (i, b) in bins.iter().enumerate() {
            if !inside(i) {
                continue;
            }
            let one = Node { g: g[i], h: h[i], n: 1 };
            hist.total.add(&one);
            for (f, &bin) in b.iter().enumerate() {
                hist.bins[f][bin as usize].add(&one);
            }
        }
        hist
    }

    fn minus(&self, other: &Histogram) -> Histogram {
        let bins = self.bins.iter().zip(&other.bins).map(|(a, b)| std::array::from_fn(|k| a[k].minus(&b[k]))).collect();
        Histogram { bins, total: self.total.minus(&other.total) }
    }
}

struct Found {
    feature: usize,
    threshold: f32,
    /// Leaf values below and above, clamped to the bounds.
    values: [f64; 2],
    children: [Node; 2],
}

/// The best monotone split of a node, with leaf values within `bounds`.
fn best_split(hist: &Histogram, cuts: &[Vec<f32>], bounds: (f64, f64)) -> Option<Found> {
    let node = hist.total;
    let mut best: Option<(f64, Found)> = None;
    for (f, cut) in cuts.iter().enumerate() {
        let mut left = Node::default();
        // A split after bin b sends bins 0..=b below the threshold cut[b].
        for (b, &threshold) in cut.iter().enumerate() {
            left.add(&hist.bins[f][b]);
            let right = node.minus(&left);
            if right.n < MIN_LEAF {
                break;
            }
            if left.n < MIN_LEAF {
                continue;
            }
            let (vl, vr) = (left.value(), right.value());
            let gain = left.score() + right.score() - node.score();
            if vl <= vr && gain > 1e-9 && best.as_ref().is_none_or(|(b, _)| gain > *b) {
                let values = [vl.clamp(bounds.0, bounds.1), vr.clamp(bounds.0, bounds.1)];
                best = Some((gain, Found { feature: f, threshold, values, children: [left, right] }));
            }
        }
    }
    best.map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Right answers need both features high: an interaction a weighted sum can't draw.
    fn data() -> (Vec<[f32; FEATURES]>, Vec<bool>) {
        let mut xs = Vec::new();
        let mut right = Vec::new();
        for i in 0..40 {
            for j in 0..40 {
                let mut x = [0.0; FEATURES];
                x[0] = i as f32 / 40.0;
                x[1] = j as f32 / 40.0;
                xs.push(x);
                right.push(x[0] > 0.5 && x[1] > 0.5);
            }
        }
        (xs, right)
    }

    fn loss(xs: &[[f32; FEATURES]], right: &[bool], trees: &[Tree]) -> f64 {
        xs.iter()
            .zip(right)
            .map(|(x, &y)| {
                let z = f64::from(trees.iter().map(|t| t.value(x)).sum::<f32>());
                let p = 1.0 / (1.0 + (-z).exp());
                -(if y { p } else { 1.0 - p }).max(1e-12).ln()
            })
            .sum::<f64>()
            / xs.len() as f64
    }

    #[test]
    fn trees_learn_an_interaction_and_lower_the_loss() {
        let (xs, right) = data();
        let w = vec![1.0; xs.len()];
        let trees = boost(&xs, &right, &w, &vec![0.0; xs.len()]);
        assert_eq!(trees.len(), ROUNDS);
        assert!(loss(&xs, &right, &trees) < 0.5 * loss(&xs, &right, &[]), "{}", loss(&xs, &right, &trees));
        let at = |a: f32, b: f32| {
            let mut x = [0.0; FEATURES];
            (x[0], x[1]) = (a, b);
            trees.iter().map(|t| t.value(&x)).sum::<f32>()
        };
        assert!(at(0.9, 0.9) > at(0.9, 0.1) && at(0.9, 0.9) > at(0.1, 0.9));
    }

    #[test]
    fn trees_never_lower_the_value_for_a_higher_feature() {
        // Labels that fall with feature 0: a monotone tree can't follow them.
        let (xs, _) = data();
        let right: Vec<bool> = xs.iter().map(|x| x[0] < 0.3 || x[1] > 0.7).collect();
        let trees = boost(&xs, &right, &vec![1.0; xs.len()], &vec![0.0; xs.len()]);
        for j in 0..20 {
            let mut last = f32::MIN;
            for i in 0..=20 {
                let mut x = [0.0; FEATURES];
                (x[0], x[1]) = (i as f32 / 20.0, j as f32 / 20.0);
                let v = trees.iter().map(|t| t.value(&x)).sum::<f32>();
                assert!(v >= last - 1e-6, "falls at {i}/{j}: {v} < {last}");
                last = v;
            }
        }
    }

    #[test]
    fn thresholds_fall_between_distinct_values_and_are_at_most_bins_minus_one() {
        // Few distinct values: a threshold in every gap, equal values in one bin.
        let few = cuts([3.0f32, 1.0, 2.0, 2.0, 1.0, 3.0].into_iter().cycle().take(600));
        assert_eq!(few, [1.5, 2.5]);
        let many = cuts((0..10_000).map(|i| (i as f32).sqrt()));
        assert!(many.len() < BINS && many.len() > BINS / 2, "{}", many.len());
        assert!(many.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn too_few_samples_give_no_trees() {
        let x = [[0.5; FEATURES]; 10];
        assert!(boost(&x, &[true; 10], &[1.0; 10], &[0.0; 10]).is_empty());
    }
}
