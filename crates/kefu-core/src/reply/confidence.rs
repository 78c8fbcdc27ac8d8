//! Confidence: how likely the top-ranked entry is the right answer, from features of the
//! ranking. The weights are fitted per KB at build time (see [`super::calibrate`]).

use crate::engine::Ranking;

pub use crate::calibration::{Model, FEATURES};

/// Features of a ranking that predict a correct top answer:
/// coverage of the query by the best question, relative margin to the runner-up, share of the
/// query the KB knows, log score, coverage gap to the runner-up, share of the nearest
/// questions that belong to the top entry (votes), a softmax over entry scores, the share of
/// the best question that the query covers (the other direction), and the smaller of the two
/// coverages (a paraphrase matches both ways; a message about something else shares a word),
/// and the share of the query found anywhere in the top entry's questions.
pub fn features(r: &Ranking) -> [f32; FEATURES] {
    let Some(top) = r.hits.first() else { return [0.0; FEATURES] };
    let second_cov = r.hits.get(1).map_or(0.0, |h| h.coverage);
    let tau = (0.15 * top.score).max(1e-3);
    let z: f32 = r.hits.iter().take(5).map(|h| libm::expf((h.score - top.score) / tau)).sum();
    [
        top.coverage,
        r.margin(),
        r.known,
        libm::logf(1.0 + top.score) / 4.0,
        (top.coverage - second_cov).max(0.0),
        r.votes,
        1.0 / z.max(1.0),
        top.question_coverage,
        top.coverage.min(top.question_coverage),
        top.entry_coverage,
    ]
}

impl Model {
    /// Probability (0–1) that the top entry of a ranking is right.
    pub fn confidence(&self, r: &Ranking) -> f32 {
        if r.hits.is_empty() {
            return 0.0;
        }
        self.probability(&features(r))
    }
}
