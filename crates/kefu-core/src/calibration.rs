//! The calibrated reply thresholds and confidence model as data: what `kefu build` learns
//! and the bundle carries. Below both the bundle format (which stores it) and the reply
//! policy (which computes the model's features from a ranking, `reply::confidence`), so
//! neither imports the other.

use serde::{Deserialize, Serialize};

/// Number of ranking features the model reads (see `reply::confidence::features`).
pub const FEATURES: usize = 10;

/// The logistic confidence model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub weights: [f32; FEATURES],
    pub bias: f32,
}

impl Default for Model {
    fn default() -> Self {
        // A prior for KBs too small to calibrate: coverage, margin and votes dominate.
        Model { weights: [4.0, 3.0, 1.0, 1.0, 1.0, 2.0, 1.0, 0.0, 0.0, 0.0], bias: -6.5 }
    }
}

impl Model {
    /// Probability (0–1) from a feature vector: the logistic of the weighted sum.
    pub fn probability(&self, f: &[f32; FEATURES]) -> f32 {
        let z: f32 = self.bias + self.weights.iter().zip(f).map(|(w, x)| w * x).sum::<f32>();
        1.0 / (1.0 + libm::expf(-z))
    }
}

/// Thresholds of the reply policy, derived from the KB by leave-one-out at build time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
