//! Trees: small gradient-boosted trees that refine the logistic confidence model where its
//! features interact (a high coverage means more with a clear margin than in a tie).
//!
//! Fitted at build time on the calibration's held-out questions, after the logistic
//! regression, starting from its log-odds. Each tree has depth two (four leaves) and every
//! split is **monotone**: a tree never gives a lower value for a higher feature. All ten
//! features are "more is more likely right", so this is a prior of the domain, and it keeps
//! the trees from learning quirks of the held-out questions that real shoppers lack
//! (measured: the same trees without the constraint answered more out-of-scope questions).
//! Newton steps on the logistic loss, a leaf needs [`MIN_LEAF`] questions, values shrink by
//! [`RATE`]. Evaluating a tree is two comparisons (`calibration::Tree`), cheap in the wasm.

use crate::calibration::{Split, Tree, FEATURES};

/// Trees fitted.
pub const ROUNDS: usize = 60;
/// Shrinkage of each tree's values.
const RATE: f64 = 0.1;
/// Fewest held-out questions in a leaf.
const MIN_LEAF: usize = 50;
/// Ridge on leaf values (in units of the weights, which are scaled to average 1).
const LAMBDA: f64 = 1.0;

/// Fits the trees. `base`: the starting log-odds of each sample (the logistic model's),
/// `weights`: each sample's weight in the loss.
pub fn boost(xs: &[[f32; FEATURES]], right: &[bool], weights: &[f64], base: &[f64]) -> Vec<Tree> {
    let n = xs.len();
    if n < 4 * MIN_LEAF {
        return Vec::new();
    }
    let mean = weights.iter().sum::<f64>() / n as f64;
    let w: Vec<f64> = weights.iter().map(|x| x / mean.max(f64::MIN_POSITIVE)).collect();
    // Each feature's sample order, once.
    let orders: Vec<Vec<u32>> = (0..FEATURES)
        .map(|f| {
            let mut o: Vec<u32> = (0..n as u32).collect();
            o.sort_by(|&a, &b| xs[a as usize][f].total_cmp(&xs[b as usize][f]));
            o
        })
        .collect();
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
        let all = Node { g: g.iter().sum(), h: h.iter().sum(), n };
        let Some(root) = best_split(xs, &orders, &g, &h, |_| true, all, (f64::MIN, f64::MAX)) else { break };
        let mid = (root.values[0] + root.values[1]) / 2.0;
        for i in 0..n {
            side[i] = u8::from(xs[i][root.feature] >= root.threshold);
        }
        let mut sides = [Split { feature: 0, threshold: f32::MAX, values: [0.0; 2] }; 2];
        for s in 0..2u8 {
            let bounds = if s == 0 { (f64::MIN, mid) } else { (mid, f64::MAX) };
            let node = root.children[s as usize];
            let leaf = node.value().clamp(bounds.0, bounds.1);
            let split = best_split(xs, &orders, &g, &h, |i| side[i] == s, node, bounds);
            sides[s as usize] = match split {
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

/// Sums of a node's gradients and hessians, and its sample count.
#[derive(Debug, Clone, Copy)]
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
}

struct Found {
    feature: usize,
    threshold: f32,
    /// Leaf values below and above, clamped to the bounds.
    values: [f64; 2],
    children: [Node; 2],
}

/// The best monotone split of the samples `inside` admits, with leaf values within `bounds`.
fn best_split(
    xs: &[[f32; FEATURES]],
    orders: &[Vec<u32>],
    g: &[f64],
    h: &[f64],
    inside: impl Fn(usize) -> bool,
    node: Node,
    bounds: (f64, f64),
) -> Option<Found> {
    let mut best: Option<(f64, Found)> = None;
    for (f, order) in orders.iter().enumerate() {
        let mut left = Node { g: 0.0, h: 0.0, n: 0 };
        let mut prev: Option<f32> = None;
        for &i in order {
            let i = i as usize;
            if !inside(i) {
                continue;
            }
            let x = xs[i][f];
            // A threshold can only sit between two different values.
            if let Some(p) = prev.filter(|&p| p < x) {
                let right = Node { g: node.g - left.g, h: node.h - left.h, n: node.n - left.n };
                if left.n >= MIN_LEAF && right.n >= MIN_LEAF {
                    let (vl, vr) = (left.value(), right.value());
                    let gain = left.score() + right.score() - node.score();
                    if vl <= vr && gain > 1e-9 && best.as_ref().is_none_or(|(b, _)| gain > *b) {
                        let found = Found {
                            feature: f,
                            threshold: p + (x - p) / 2.0,
                            values: [vl.clamp(bounds.0, bounds.1), vr.clamp(bounds.0, bounds.1)],
                            children: [left, right],
                        };
                        best = Some((gain, found));
                    }
                }
                if right.n < MIN_LEAF {
                    break;
                }
            }
            left.g += g[i];
            left.h += h[i];
            left.n += 1;
            prev = Some(x);
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
    fn too_few_samples_give_no_trees() {
        let x = [[0.5; FEATURES]; 10];
        assert!(boost(&x, &[true; 10], &[1.0; 10], &[0.0; 10]).is_empty());
    }
}
