//! One scoring for every system: per-query outcomes in, the eval README's figures out.
//!
//! The figures come from `kefu_core::eval::report`, the code behind `kefu eval`, so acc@1,
//! R@3, self-service, wrong-answer rate and the oracle self-service at 5% wrong mean the same
//! for kefu, tantivy, MiniSearch and FlexSearch.
//!
//! - kefu's "answered" is its shipped reply policy deciding `answer`; its confidence is the
//!   policy's calibrated confidence.
//! - A peer has no reply policy: it "answers" whenever it returns a hit (its wrong-answer rate
//!   is reported as it is). It has no calibrated confidence either, so it may bring several
//!   candidate scores (raw top score, score per query term, share of the top entry's score
//!   against the runner-up, …) and the oracle takes whichever gives it the best figure.

use kefu_core::eval::{self, Outcome};
use serde::{Deserialize, Serialize};

/// One query's outcome, in the same shape for every system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryOutcome {
    /// The query has a right answer in the KB (label is not `__none__`).
    #[serde(rename = "i")]
    pub in_scope: bool,
    /// The first entry is right.
    #[serde(rename = "a")]
    pub top1: bool,
    /// The right entry is among the first three.
    #[serde(rename = "r")]
    pub top3: bool,
    /// The system gave a direct answer (kefu: its reply policy said `answer`; a peer: any hit).
    #[serde(rename = "d")]
    pub answered: bool,
    /// That direct answer was the right entry.
    #[serde(rename = "ok")]
    pub answered_right: bool,
    /// Confidence candidates (see the module docs); the first is the system's own.
    #[serde(rename = "c")]
    pub conf: Vec<f32>,
}

/// The answer-quality figures of one system on one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    pub queries: usize,
    pub in_scope: usize,
    pub acc_at_1: f64,
    pub recall_at_3: f64,
    /// Correct direct answers / in-scope queries, at the shipped policy.
    pub self_service: f64,
    /// Wrong direct answers / all queries, at the shipped policy.
    pub wrong_rate: f64,
    /// Share of queries answered directly at the shipped policy.
    pub answered: f64,
    pub oracle_self_service_at_5: f64,
    /// Which confidence candidate gave the oracle figure.
    pub oracle_confidence: usize,
    /// Risk–coverage curve of that confidence: (answered share, wrong-answer rate, self-service).
    pub curve: Vec<[f64; 3]>,
}

/// Scores a system's outcomes on one file.
pub fn accuracy(outcomes: &[QueryOutcome]) -> Accuracy {
    let candidates = outcomes.iter().map(|o| o.conf.len()).max().unwrap_or(0).max(1);
    let as_eval = |c: usize| -> Vec<Outcome> {
        outcomes
            .iter()
            .map(|o| Outcome {
                in_scope: o.in_scope,
                top1: o.in_scope && o.top1,
                top3: o.in_scope && o.top3,
                confidence: o.conf.get(c).copied().unwrap_or(0.0),
                decision: if o.answered { "answer" } else { "handoff" },
                answered_right: o.in_scope && o.answered && o.answered_right,
                offered_right: false,
                micros: 0.0,
            })
            .collect()
    };
    let mut best: Option<(usize, eval::Report)> = None;
    for c in 0..candidates {
        let r = eval::report(&as_eval(c), 0.0);
        if best.as_ref().is_none_or(|(_, b)| r.oracle_self_service_at_5 > b.oracle_self_service_at_5) {
            best = Some((c, r));
        }
    }
    let (c, r) = best.expect("at least one candidate");
    let n = outcomes.len().max(1) as f64;
    Accuracy {
        queries: outcomes.len(),
        in_scope: r.in_scope,
        acc_at_1: r.acc_at_1,
        recall_at_3: r.recall_at_3,
        self_service: r.self_service,
        wrong_rate: r.wrong_rate,
        answered: outcomes.iter().filter(|o| o.answered).count() as f64 / n,
        oracle_self_service_at_5: r.oracle_self_service_at_5,
        oracle_confidence: c,
        curve: curve(outcomes, c, 60),
    }
}

/// Risk–coverage curve: for thresholds from the highest confidence down, the share of all
/// queries answered, the wrong-answer rate (wrong / all queries) and the self-service; at most
/// about `points` points, evenly spread over the answered share.
pub fn curve(outcomes: &[QueryOutcome], c: usize, points: usize) -> Vec<[f64; 3]> {
    let n = outcomes.len();
    if n == 0 {
        return vec![];
    }
    let in_scope = outcomes.iter().filter(|o| o.in_scope).count().max(1) as f64;
    let mut sorted: Vec<(f32, bool)> =
        outcomes.iter().map(|o| (o.conf.get(c).copied().unwrap_or(0.0), o.in_scope && o.top1)).collect();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = vec![[0.0, 0.0, 0.0]];
    let (mut right, mut wrong) = (0usize, 0usize);
    let step = (n as f64 / points.max(1) as f64).max(1.0);
    let mut next = step;
    for (i, &(conf, ok)) in sorted.iter().enumerate() {
        if ok {
            right += 1;
        } else {
            wrong += 1;
        }
        let last_of_tie = sorted.get(i + 1).is_none_or(|x| x.0 != conf);
        if last_of_tie && ((i + 1) as f64 >= next || i + 1 == n) {
            out.push([(i + 1) as f64 / n as f64, wrong as f64 / n as f64, right as f64 / in_scope]);
            while next <= (i + 1) as f64 {
                next += step;
            }
        }
    }
    out
}

/// Latency summary of one run, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

impl Latency {
    pub fn of(ms: &[f64]) -> Latency {
        let sorted = crate::sorted(ms);
        Latency {
            queries: ms.len(),
            p50_ms: eval::percentile(&sorted, 0.5),
            p99_ms: eval::percentile(&sorted, 0.99),
            mean_ms: if ms.is_empty() { 0.0 } else { ms.iter().sum::<f64>() / ms.len() as f64 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(in_scope: bool, top1: bool, answered: bool, conf: &[f32]) -> QueryOutcome {
        QueryOutcome { in_scope, top1, top3: top1, answered, answered_right: answered && top1, conf: conf.to_vec() }
    }

    #[test]
    fn figures_follow_the_eval_readme() {
        // 4 in scope (3 right at top), 1 out of scope; the policy answers 3 of them.
        let out = vec![
            o(true, true, true, &[0.9, 0.1]),
            o(true, true, true, &[0.8, 0.2]),
            o(true, false, true, &[0.7, 0.9]),
            o(true, true, false, &[0.2, 0.3]),
            o(false, false, false, &[0.1, 0.95]),
        ];
        let a = accuracy(&out);
        assert_eq!(a.in_scope, 4);
        assert_eq!(a.acc_at_1, 0.75);
        assert_eq!(a.self_service, 0.5);
        assert!((a.wrong_rate - 0.2).abs() < 1e-9);
        assert!((a.answered - 0.6).abs() < 1e-9);
        // Candidate 0: answering the two most confident is 2 right, 0 wrong → 0.5.
        assert_eq!(a.oracle_confidence, 0);
        assert_eq!(a.oracle_self_service_at_5, 0.5);
        assert_eq!(a.curve.first(), Some(&[0.0, 0.0, 0.0]));
        assert_eq!(a.curve.last().map(|p| p[0]), Some(1.0));
    }

    #[test]
    fn out_of_scope_answers_are_wrong_even_when_flagged_right() {
        let out = vec![o(false, true, true, &[1.0])];
        let a = accuracy(&out);
        assert_eq!(a.self_service, 0.0);
        assert_eq!(a.wrong_rate, 1.0);
    }
}
