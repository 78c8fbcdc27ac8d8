//! Answer-quality evaluation over a labelled query set (the metrics of the shared
//! evaluation README): acc@1, R@3, self-service and wrong-answer rate at the shipped policy,
//! the decision mix, a risk–coverage table and the oracle self-service at 5% wrong.
//!
//! Timing is the caller's: pass the measured latency of each query in.

use crate::engine::{Engine, Ranking};
use crate::kb::table::{EvalQuery, OUT_OF_SCOPE};
use crate::reply::{decide_ranking, Decision, Thresholds};
use serde::Serialize;

/// One query's outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub in_scope: bool,
    pub top1: bool,
    pub top3: bool,
    pub confidence: f32,
    pub decision: &'static str,
    /// A direct answer that was right.
    pub answered_right: bool,
    /// A "did you mean" whose choices hold the query's entry.
    pub offered_right: bool,
    pub micros: f64,
}

/// Scores one query.
pub fn score(engine: &Engine, q: &EvalQuery, ranking: &Ranking, micros: f64, t: &Thresholds) -> Outcome {
    let in_scope = q.label != OUT_OF_SCOPE;
    let label_at = |i: usize| ranking.hits.get(i).and_then(|h| engine.entry(h.entry)).map(|e| e.id.as_str());
    let top1 = in_scope && label_at(0) == Some(q.label.as_str());
    let top3 = in_scope && (0..3).any(|i| label_at(i) == Some(q.label.as_str()));
    let mut o = Outcome {
        in_scope,
        top1,
        top3,
        confidence: engine.manifest().calibration.model.confidence(ranking),
        decision: "",
        answered_right: false,
        offered_right: false,
        micros,
    };
    o.decided(engine, q, &decide_ranking(engine, ranking, t));
    o
}

impl Outcome {
    /// Records a decision on the query: its kind, and whether it answered or offered the
    /// query's entry (the CLI records the whole policy's decision over the ranking's).
    pub fn decided(&mut self, engine: &Engine, q: &EvalQuery, decision: &Decision) {
        let is_label = |entry: u32| self.in_scope && engine.entry(entry).is_some_and(|e| e.id == q.label);
        self.answered_right = matches!(decision, Decision::Answer { entry, .. } if is_label(*entry));
        self.offered_right =
            matches!(decision, Decision::Clarify { candidates } if candidates.iter().any(|&e| is_label(e)));
        self.decision = decision.kind();
    }
}

/// The figures of one evaluation file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub queries: usize,
    pub in_scope: usize,
    pub acc_at_1: f64,
    pub recall_at_3: f64,
    pub self_service: f64,
    pub wrong_rate: f64,
    pub oracle_self_service_at_5: f64,
    /// In-scope queries answered right or offered their entry in a "did you mean" (one tap).
    pub one_tap: f64,
    /// Out-of-scope queries that got a "did you mean" (the shopper taps "none of these").
    pub offered_out_of_scope: f64,
    pub decisions: Vec<(String, usize)>,
    pub risk_coverage: Vec<RiskRow>,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub answer_min: f32,
}

/// One row of the risk–coverage table: at a threshold, what share is answered and how many wrong.
#[derive(Debug, Clone, Serialize)]
pub struct RiskRow {
    pub threshold: f32,
    pub answered: f64,
    pub self_service: f64,
    pub wrong_rate: f64,
}

/// Aggregates outcomes into a report.
pub fn report(outcomes: &[Outcome], answer_min: f32) -> Report {
    let n = outcomes.len().max(1) as f64;
    let in_scope = outcomes.iter().filter(|o| o.in_scope).count();
    let ins = in_scope.max(1) as f64;
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count() as f64;
    let mut decisions: Vec<(String, usize)> = Vec::new();
    for kind in ["answer", "clarify", "ask", "handoff", "smalltalk"] {
        decisions.push((kind.to_string(), outcomes.iter().filter(|o| o.decision == kind).count()));
    }
    let at = |t: f32| {
        let answered = count(&|o| o.confidence >= t);
        let right = count(&|o| o.confidence >= t && o.top1);
        let wrong = answered - right;
        RiskRow { threshold: t, answered: answered / n, self_service: right / ins, wrong_rate: wrong / n }
    };
    let mut oracle = 0.0f64;
    let mut thresholds: Vec<f32> = outcomes.iter().map(|o| o.confidence).collect();
    thresholds.sort_by(|a, b| a.total_cmp(b));
    thresholds.dedup();
    for &t in &thresholds {
        let row = at(t);
        if row.wrong_rate <= 0.05 {
            oracle = oracle.max(row.self_service);
        }
    }
    let risk_coverage = [0.1f32, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95].iter().map(|&t| at(t)).collect();
    let mut lat: Vec<f64> = outcomes.iter().map(|o| o.micros).collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| percentile(&lat, p) / 1000.0;
    Report {
        queries: outcomes.len(),
        in_scope,
        acc_at_1: count(&|o| o.top1) / ins,
        recall_at_3: count(&|o| o.top3) / ins,
        self_service: count(&|o| o.answered_right) / ins,
        wrong_rate: count(&|o| o.decision == "answer" && !o.answered_right) / n,
        oracle_self_service_at_5: oracle,
        one_tap: count(&|o| o.answered_right || o.offered_right) / ins,
        offered_out_of_scope: count(&|o| !o.in_scope && o.decision == "clarify") / (n - in_scope as f64).max(1.0),
        decisions,
        risk_coverage,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        answer_min,
    }
}

/// Nearest-rank percentile (`p` in 0–1) of values sorted ascending; 0 when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        0.0
    } else {
        sorted[((sorted.len() - 1) as f64 * p).round() as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(in_scope: bool, decision: &'static str, answered_right: bool, offered_right: bool) -> Outcome {
        Outcome {
            in_scope,
            top1: answered_right,
            top3: answered_right || offered_right,
            confidence: 0.5,
            decision,
            answered_right,
            offered_right,
            micros: 1.0,
        }
    }

    #[test]
    fn one_tap_counts_right_answers_and_offers_that_hold_the_entry() {
        let outcomes = [
            o(true, "answer", true, false),
            o(true, "clarify", false, true),
            o(true, "clarify", false, false),
            o(true, "handoff", false, false),
            o(false, "clarify", false, false),
            o(false, "handoff", false, false),
        ];
        let r = report(&outcomes, 0.5);
        assert_eq!(r.self_service, 0.25);
        assert_eq!(r.one_tap, 0.5);
        assert_eq!(r.offered_out_of_scope, 0.5);
    }
}
