//! The calibrated reply thresholds and confidence model as data: what `kefu build` learns
//! and the bundle carries. Below both the bundle format (which stores it) and the reply
//! policy (which computes the model's features from a ranking, `reply::confidence`), so
//! neither imports the other.

use serde::{Deserialize, Serialize};

/// Number of ranking features the model reads (see `reply::confidence::features`).
pub const FEATURES: usize = 10;

/// The confidence model: a logistic regression over the features, plus small boosted trees
/// that correct it where the features interact (see `reply::trees`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub weights: [f32; FEATURES],
    pub bias: f32,
    /// Added to the weighted sum before the logistic; empty for a model without trees.
    pub trees: Vec<Tree>,
}

/// A tree of depth two: one split, then one split on each side, four leaf values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub root: Split,
    /// The splits below (`[0]`) and at or above (`[1]`) the root's threshold.
    pub sides: [Split; 2],
}

/// One split: feature `feature` below `threshold` goes to `values[0]`, else `values[1]`
/// (the root's values are unused).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub feature: u8,
    pub threshold: f32,
    pub values: [f32; 2],
}

impl Split {
    /// 0 below the threshold, 1 at or above (a feature out of range reads as 0).
    pub fn side(&self, f: &[f32; FEATURES]) -> usize {
        let x = f.get(self.feature as usize).copied().unwrap_or(0.0);
        usize::from(x >= self.threshold)
    }
}

impl Tree {
    /// The leaf value for a feature vector.
    pub fn value(&self, f: &[f32; FEATURES]) -> f32 {
        let side = &self.sides[self.root.side(f)];
        side.values[side.side(f)]
    }
}

impl Default for Model {
    fn default() -> Self {
        // A prior for KBs too small to calibrate (`reply::calibrate` sets its threshold from
        // out-of-scope questions alone): how much of the message the KB knows and how well
        // message and best question cover each other, both ways, decide. Margin and votes
        // weigh little: in a KB of a dozen entries with one question each, a message about
        // something else that shares "what is" with a single question has a wide margin and
        // every vote (the earlier prior, led by them, answered "what is the weather tomorrow"
        // with the returns policy at 0.87).
        Model { weights: [2.0, 1.0, 3.0, 0.0, 0.0, 0.5, 0.5, 1.0, 3.0, 1.0], bias: -7.0, trees: Vec::new() }
    }
}

impl Model {
    /// The logistic regression's part of the log-odds.
    pub fn linear(&self, f: &[f32; FEATURES]) -> f32 {
        self.bias + self.weights.iter().zip(f).map(|(w, x)| w * x).sum::<f32>()
    }

    /// Probability (0–1) from a feature vector: the logistic of the weighted sum plus the
    /// trees' values.
    pub fn probability(&self, f: &[f32; FEATURES]) -> f32 {
        let z = self.linear(f) + self.trees.iter().map(|t| t.value(f)).sum::<f32>();
        1.0 / (1.0 + libm::expf(-z))
    }
}

/// Thresholds of the reply policy, derived from the KB by leave-one-out at build time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Minimum confidence to answer directly.
    pub answer_min: f32,
    /// Minimum confidence to offer "did you mean" candidates instead of handing over.
    pub clarify_min: f32,
    /// Estimated share of in-scope questions answered wrongly at `answer_min` (held-out run).
    pub est_wrong_rate: f32,
    /// Estimated wrong-answer rate at the worst out-of-scope share from 0 to 60%.
    pub est_wrong_max: f32,
    /// How many of the held-out questions were out-of-domain ones (kefu's own sets).
    pub far_samples: u32,
    /// Estimated share of correct direct answers at `answer_min`.
    pub est_self_service: f32,
    /// Number of held-out questions the estimate is based on.
    pub samples: u32,
    /// The confidence model fitted on the held-out questions.
    pub model: Model,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            answer_min: 0.6,
            clarify_min: 0.35,
            est_wrong_rate: f32::NAN,
            est_wrong_max: f32::NAN,
            far_samples: 0,
            est_self_service: f32::NAN,
            samples: 0,
            model: Model::default(),
        }
    }
}
