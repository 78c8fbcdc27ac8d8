//! Decide: from a ranking and the calibrated thresholds, the retrieval part of the policy —
//! answer, "did you mean", or hand over — and the decision types the later stages word.

use serde::{Deserialize, Serialize};

use super::facts::Fact;
use super::smalltalk::Smalltalk;
use super::triage::{Cue, Triage};
use crate::calibration::Calibration;
use crate::engine::{Engine, Ranking};
use crate::kb::PolicyOverrides;

/// What the bot does with one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// One entry clearly wins: show its answer.
    Answer { entry: u32, confidence: f32 },
    /// Two or three close candidates: "did you mean …" buttons.
    Clarify { candidates: Vec<u32> },
    /// A fact is missing (e.g. the order number of an order problem): ask for it, saying why.
    Ask { fact: Fact },
    /// Hand the conversation to a human.
    Handoff { reason: HandoffReason },
    /// Greeting, thanks, goodbye, "ok": answered without the index.
    Smalltalk { kind: Smalltalk },
}

/// Why a conversation goes to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandoffReason {
    /// Nothing in the KB is close enough.
    LowConfidence,
    /// The message is empty of searchable words.
    NoQuery,
    /// The shopper asked for a person.
    Requested,
    /// Triage says a human must handle it (urgent, complaint, an order to look up).
    Rule,
}

impl Decision {
    /// Short machine name: `answer`, `clarify`, `ask`, `handoff`, `smalltalk`.
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::Answer { .. } => "answer",
            Decision::Clarify { .. } => "clarify",
            Decision::Ask { .. } => "ask",
            Decision::Handoff { .. } => "handoff",
            Decision::Smalltalk { .. } => "smalltalk",
        }
    }
}

/// Thresholds in force: calibrated ones, with merchant overrides applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub answer_min: f32,
    pub clarify_min: f32,
    pub margin_min: f32,
    /// Share of the query (idf-weighted) the best question must cover before the bot answers
    /// on its own; below it the best it does is offer candidates. Default [`COVERAGE_MIN`].
    pub coverage_min: f32,
}

/// Default coverage floor for answering: none, the calibrated confidence decides. Coverage
/// is one of the model's features, and its trees learn where a thin match is a guess; the
/// calibration counts the policy's rules in its estimate. The floor used to be 30% (when the
/// model was a weighted sum and held-out questions knew their own words): on the shared eval
/// files it then held back right answers to real shoppers' long, noisy messages (15 on
/// sofmattress full, 5.9 points) and kept out almost no wrong ones. A merchant can still
/// set `coverage_min` in `kefu.toml`.
pub const COVERAGE_MIN: f32 = 0.0;

/// A message whose terms the KB knows (this share, idf-weighted) and of which one of the three
/// best entries' questions covers at least [`FAMILIAR_COVERAGE`] is never called out of scope: it gets "did you
/// mean" choices even below the clarify threshold (never a direct answer).
const FAMILIAR_KNOWN: f32 = 0.95;
const FAMILIAR_COVERAGE: f32 = 0.5;

/// The KB knows the message's telling words ([`FAMILIAR_KNOWN`] of them, idf-weighted): a
/// question in the shop's own terms, even when no entry covers it.
pub fn in_shop_words(ranking: &Ranking) -> bool {
    ranking.known >= FAMILIAR_KNOWN
}

impl Thresholds {
    /// Thresholds of a bundle (calibration + `kefu.toml` overrides).
    pub fn of(engine: &Engine) -> Thresholds {
        let m = engine.manifest();
        Thresholds::with(&m.calibration, &m.settings.policy)
    }

    /// Thresholds of a calibration with a KB's overrides applied (the build's calibration
    /// reads the rules' part, margin and coverage floor, before it has a calibration).
    pub fn with(c: &Calibration, o: &PolicyOverrides) -> Thresholds {
        Thresholds {
            answer_min: o.answer_min.unwrap_or(c.answer_min),
            clarify_min: o.clarify_min.unwrap_or(c.clarify_min),
            margin_min: o.margin_min.unwrap_or(0.0),
            coverage_min: o.coverage_min.unwrap_or(COVERAGE_MIN),
        }
    }
}

/// A runner-up within this share of the top score, covering the message (nearly) as well,
/// makes a tie: "did you mean" instead of an answer.
const TIE_SCORE: f32 = 0.95;
const TIE_COVERAGE: f32 = 0.05;
const TIE_HELD: f32 = 0.9;

/// The rules that keep a confident top entry from a direct answer, whatever its confidence:
/// two entries matching the message equally well ("退货运费谁出": change of mind or a quality
/// problem?) are a question back to the shopper; a margin under the merchant's minimum or a
/// coverage under the floor is a guess. The calibration applies the same rules to its
/// held-out questions, so its estimate is of the policy as shipped.
pub fn held_back(ranking: &Ranking, margin_min: f32, coverage_min: f32) -> bool {
    let Some(top) = ranking.hits.first() else { return true };
    let tie = ranking.hits.get(1).is_some_and(|second| {
        let close = second.score >= top.score * TIE_SCORE && second.coverage >= top.coverage - TIE_COVERAGE;
        // Both questions hold the whole message and each says more than it does ("退货运费谁出"
        // in "无理由退货运费谁出" and in "质量问题退货运费谁出"): the message does not say which.
        let both_hold_it = [top, second].iter().all(|h| h.coverage >= 0.99 && h.question_coverage < 0.99);
        close || (both_hold_it && second.score >= top.score * TIE_HELD)
    });
    tie || ranking.margin() < margin_min || top.coverage < coverage_min
}

/// Decides from a ranking alone (the retrieval part of the policy).
pub fn decide_ranking(engine: &Engine, ranking: &Ranking, t: &Thresholds) -> Decision {
    let Some(top) = ranking.hits.first() else {
        let reason = if ranking.query_terms == 0 { HandoffReason::NoQuery } else { HandoffReason::LowConfidence };
        return Decision::Handoff { reason };
    };
    let confidence = engine.manifest().calibration.model.confidence(ranking);
    // A KB question typed word for word is its entry's, whatever the pooled ranking says
    // ("what's your phone number", written under the contact entry, against the many
    // questions of changing one's own phone number). On the shared eval files 97 queries are
    // a KB question but for case and punctuation, every one of them of that question's entry.
    if let Some(entry) = ranking.word_for_word {
        return Decision::Answer { entry, confidence };
    }
    if confidence >= t.answer_min && !held_back(ranking, t.margin_min, t.coverage_min) {
        return Decision::Answer { entry: top.entry, confidence };
    }
    // Below the clarify threshold the KB may still know every word of the message and have a
    // question that covers most of it ("can i retrun a opened item"): show the closest topics
    // rather than saying the shop can't help. Only a message with words the KB has never seen,
    // or that no question covers, gets the out-of-scope reply.
    let familiar = in_shop_words(ranking) && ranking.hits.iter().take(3).any(|h| h.coverage >= FAMILIAR_COVERAGE);
    if (confidence >= t.clarify_min || familiar) && ranking.hits.len() >= 2 {
        let best = ranking.hits[0].score;
        let candidates =
            ranking.hits.iter().take(3).filter(|h| h.score >= best * 0.6).map(|h| h.entry).collect::<Vec<_>>();
        if candidates.len() >= 2 {
            return Decision::Clarify { candidates };
        }
        return Decision::Clarify { candidates: ranking.hits.iter().take(2).map(|h| h.entry).collect() };
    }
    Decision::Handoff { reason: HandoffReason::LowConfidence }
}

/// The shopper's own slip ("I ordered the wrong size") is no wrong item sent by the shop: an
/// answer from an entry about wrong items ("that's our warehouse's mistake") goes to the next
/// of the three best entries that is not about one, or, when there is none, becomes a "did you
/// mean" among them, as a "did you mean" already offering it lists it last. A KB question
/// typed word for word keeps its entry.
pub fn own_slip(engine: &Engine, ranking: &Ranking, own_mistake: bool, base: Decision) -> Decision {
    if !own_mistake || ranking.word_for_word.is_some() {
        return base;
    }
    let wrong_item =
        |e: u32| engine.entry(e).is_some_and(|m| m.complaint_cues.iter().any(|c| c == Cue::WrongItem.name()));
    let (entry, confidence) = match base {
        Decision::Answer { entry, confidence } => (entry, confidence),
        // "Did you mean": the wrong-item entry, if offered, comes last.
        Decision::Clarify { mut candidates } => {
            candidates.sort_by_key(|&e| wrong_item(e));
            return Decision::Clarify { candidates };
        }
        _ => return base,
    };
    if !wrong_item(entry) {
        return base;
    }
    match ranking.hits.iter().take(3).find(|h| !wrong_item(h.entry)) {
        Some(h) if h.score >= ranking.hits[0].score * 0.6 => Decision::Answer { entry: h.entry, confidence },
        _ if ranking.hits.len() >= 2 => {
            // The entries about something else first, the wrong-item one last.
            let mut candidates: Vec<u32> = ranking.hits.iter().take(3).map(|h| h.entry).collect();
            candidates.sort_by_key(|&e| wrong_item(e));
            Decision::Clarify { candidates }
        }
        _ => Decision::Handoff { reason: HandoffReason::LowConfidence },
    }
}

/// A message that names the topic of one of the three best entries in the words content staff
/// gave it (one of its tags: "你们退货政策是什么" names 退货, "return policy" names "return") is
/// about something the shop covers, even when the ranking is too unsure for a "did you mean"
/// (an unknown word like 政策 weighs as a rare one). Instead of a hand-off that says the shop
/// can't help, the shopper gets the closest entries to choose from: those the tag belongs to
/// first, then the others of the three within reach of the best. Tags of at least two
/// characters (Chinese) or three letters, whole words. A "did you mean" puts the entries whose
/// tag is named first; other decisions are kept as they are.
/// The shared eval files have no tags, so eval outcomes never depend on this.
///
/// A request to delete what the shop keeps about the shopper ([`super::triage::asks_erasure`])
/// is for the KB's entry on deleting one's data (an entry whose title or tags are such a request:
/// "怎么注销账号", tagged 删除数据), or a person. Among the five best, those entries come first in
/// the "did you mean", and an answer from another entry (the phone number's, when the shopper
/// names one) becomes that choice; with none among them the decision stands (a KB may title
/// its deletion entry otherwise: turning its "did you mean" into a hand-over cost banking77 and
/// zh-service a right choice each). Not an answer to a KB question typed word for word.
pub fn erasure_first(engine: &Engine, ranking: &Ranking, erasure: bool, base: Decision) -> Decision {
    let answer = matches!(base, Decision::Answer { .. }) && ranking.word_for_word.is_none();
    let clarify = matches!(base, Decision::Clarify { .. });
    if !erasure || !(answer || clarify || base == (Decision::Handoff { reason: HandoffReason::LowConfidence })) {
        return base;
    }
    let deletes = |entry: u32| {
        engine.entry(entry).is_some_and(|e| {
            let text = crate::analyze::normalize(&format!("{} {}", e.title, e.tags.join(" ")));
            super::triage::asks_erasure(&text)
        })
    };
    let mut candidates: Vec<u32> = ranking.hits.iter().take(5).map(|h| h.entry).filter(|&e| deletes(e)).collect();
    if candidates.is_empty() {
        return base;
    }
    match &base {
        Decision::Answer { entry, .. } if deletes(*entry) => return base,
        Decision::Answer { entry, .. } => candidates.push(*entry),
        Decision::Clarify { candidates: offered } => candidates.extend(offered.iter().copied()),
        _ => candidates.extend(ranking.hits.iter().take(2).map(|h| h.entry)),
    }
    let mut seen = Vec::new();
    candidates.retain(|e| {
        !seen.contains(e) && {
            seen.push(*e);
            true
        }
    });
    candidates.truncate(3);
    Decision::Clarify { candidates }
}

/// An answer is held back the same way when the message names a tag of another of the three
/// best entries and none of the answered one's ("东西要退货" answered with warranty repairs,
/// whose "修东西要多久" and "保修要寄回去吗" share 东西, 要 and 寄回去 ≈ 退货, while 退货 is the
/// returns entry's tag, in none of the warranty questions): the merchant's own topic word
/// points elsewhere, so the shopper picks. Not an answer to a KB question typed word for word.
pub fn topic_named(engine: &Engine, ranking: &Ranking, question: &str, base: Decision) -> Decision {
    let clarify = matches!(base, Decision::Clarify { .. });
    let answer = matches!(base, Decision::Answer { .. }) && ranking.word_for_word.is_none();
    if !(clarify || answer || base == (Decision::Handoff { reason: HandoffReason::LowConfidence }))
        || ranking.hits.len() < 2
    {
        return base;
    }
    let text = crate::analyze::normalize(question);
    // Where each of the five best entries' tags is named in the message (byte spans).
    let spans = |entry: u32| -> Vec<(usize, usize)> {
        let Some(e) = engine.entry(entry) else { return Vec::new() };
        e.tags
            .iter()
            .filter_map(|tag| {
                let tag = crate::analyze::normalize(tag.trim());
                let long_enough = if tag.is_ascii() { tag.len() >= 3 } else { tag.chars().count() >= 2 };
                if !long_enough {
                    return None;
                }
                super::lexicon::find_or_plural(&text, &tag)
            })
            .collect()
    };
    let found: Vec<(u32, Vec<(usize, usize)>)> =
        ranking.hits.iter().take(5).map(|h| (h.entry, spans(h.entry))).collect();
    let all: Vec<(usize, usize)> = found.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    // A tag named only inside a longer named tag does not count: "退货运费谁出" names 退货运费
    // (the return-shipping entries'), not 运费 (shipping fees).
    let named = |entry: u32| {
        found
            .iter()
            .filter(|(e, _)| *e == entry)
            .flat_map(|(_, s)| s.iter())
            .any(|&(a, b)| !all.iter().any(|&(c, d)| c <= a && b <= d && d - c > b - a))
    };
    if let Decision::Clarify { candidates: offered } = &base {
        // A "did you mean" offers the entries whose tag the message names first, from the five
        // best ("我要退货": the returns entry, fourth, before warranty repairs, whose "寄回去"
        // folds onto 退货), then the choices it had, three in all.
        let mut candidates: Vec<u32> =
            ranking.hits.iter().take(5).filter(|h| named(h.entry)).map(|h| h.entry).take(3).collect();
        if candidates.is_empty() {
            return base;
        }
        for &e in offered {
            if candidates.len() < 3 && !candidates.contains(&e) {
                candidates.push(e);
            }
        }
        return Decision::Clarify { candidates };
    }
    let top: Vec<&crate::engine::Hit> = ranking.hits.iter().take(3).collect();
    let mut candidates: Vec<u32> = top.iter().filter(|h| named(h.entry)).map(|h| h.entry).collect();
    if candidates.is_empty() {
        return base;
    }
    if let Decision::Answer { entry, .. } = base {
        // Kept when the answered entry names the topic itself: a tag of its own, or the named
        // words in its title, its first question ("优惠券用不了怎么办": the coupon entries' tag
        // 优惠券 is in the coupon-problem entry's title too). As written: a synonym of the
        // word (寄回去 for 退货) is what misled the ranking.
        let words: Vec<&str> = all.iter().filter_map(|&(a, b)| text.get(a..b)).collect();
        let own = engine.entry(entry).is_some_and(|e| {
            let title = crate::analyze::normalize(&e.title);
            words.iter().any(|w| title.contains(w))
        });
        // An answer another rule chose below the top (a complaint's own entry) stands.
        if own || candidates.contains(&entry) || top[0].entry != entry {
            return base;
        }
        // The named entries first, then the one the ranking would have answered with.
        candidates.truncate(2);
        candidates.push(entry);
        return Decision::Clarify { candidates };
    }
    let best = top[0].score;
    for h in &top {
        if !candidates.contains(&h.entry) && h.score >= best * 0.6 {
            candidates.push(h.entry);
        }
    }
    if candidates.len() < 2 {
        if let Some(h) = top.iter().find(|h| !candidates.contains(&h.entry)) {
            candidates.push(h.entry);
        }
    }
    Decision::Clarify { candidates }
}

/// A complaint about the goods that came (a wrong item, or damaged) is answered with an
/// entry about that problem. When the answer's entry is about no such problem and one of the
/// next two is ("发错颜色了": "拍错颜色了" under changing an order outranks "颜色发错了" under a
/// wrong item), that one answers: the acknowledgement already told the shopper it is our
/// mistake, and the steps for changing an order would contradict it. A KB question typed word
/// for word keeps its entry, and other decisions are kept as they are.
pub fn agree_with_cue(engine: &Engine, ranking: &Ranking, triage: Triage, cue: Cue, base: Decision) -> Decision {
    let Decision::Answer { entry, confidence } = base else { return base };
    let about = |e: u32| engine.entry(e).is_some_and(|m| m.complaint_cues.iter().any(|c| c == cue.name()));
    // An item unlike its listing is no packing error: an entry about another problem of the
    // goods ("that's our warehouse's mistake") is no answer to it; the complaint's own words
    // and a person are.
    if triage == Triage::Complaint && cue == Cue::NotAsDescribed && ranking.word_for_word.is_none() {
        let other = |e: u32| engine.entry(e).is_some_and(|m| !m.complaint_cues.is_empty()) && !about(e);
        return if other(entry) { Decision::Handoff { reason: HandoffReason::LowConfidence } } else { base };
    }
    if triage != Triage::Complaint || !matches!(cue, Cue::WrongItem | Cue::Damaged) || ranking.word_for_word.is_some() {
        return base;
    }
    match entry_about(ranking, entry, about) {
        Some(e) => Decision::Answer { entry: e, confidence },
        None => base,
    }
}

/// The entry among the ranking's first three that is `about` what the message complains of:
/// `entry` (the answer) itself when it is, else the best other one. `None` when none is.
fn entry_about(ranking: &Ranking, entry: u32, about: impl Fn(u32) -> bool) -> Option<u32> {
    if about(entry) {
        return Some(entry);
    }
    ranking.hits.iter().take(3).map(|h| h.entry).find(|&e| e != entry && about(e))
}

/// A complaint of a smell is answered only by an entry that speaks of one ("a light latex
/// smell when new fades after 2–3 days"): "空气炸锅有异味" outranked the air fryer's care
/// entry with its spec sheet. One of the next two that does answers instead; with none, the
/// complaint goes on as unanswered (the order number, a person).
pub fn about_the_smell(engine: &Engine, ranking: &Ranking, smell: bool, base: Decision) -> Decision {
    let Decision::Answer { entry, confidence } = base else { return base };
    if !smell {
        return base;
    }
    let speaks = |e: u32| {
        engine.entry(e).is_some_and(|m| {
            let text = format!("{} {}", m.title, m.answer.plain_text());
            super::triage::speaks_of_smell(&crate::analyze::normalize(&text))
        })
    };
    match entry_about(ranking, entry, speaks) {
        Some(e) => Decision::Answer { entry: e, confidence },
        None => Decision::Handoff { reason: HandoffReason::LowConfidence },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Hit;

    fn hit(entry: u32, score: f32, coverage: f32) -> Hit {
        Hit { entry, score, question_score: score, coverage, question_coverage: coverage, entry_coverage: coverage }
    }

    fn ranking(hits: Vec<Hit>) -> Ranking {
        Ranking { hits, query_terms: 3, known: 1.0, ..Default::default() }
    }

    #[test]
    fn ties_thin_coverage_and_small_margins_hold_an_answer_back() {
        let clear = ranking(vec![hit(0, 10.0, 0.9), hit(1, 4.0, 0.3)]);
        assert!(!held_back(&clear, 0.0, COVERAGE_MIN));
        // A runner-up as good on both counts: a question back to the shopper.
        let tie = ranking(vec![hit(0, 10.0, 0.9), hit(1, 9.8, 0.88)]);
        assert!(held_back(&tie, 0.0, COVERAGE_MIN));
        // Close in score but covering much less: not a tie.
        let close = ranking(vec![hit(0, 10.0, 0.9), hit(1, 9.8, 0.4)]);
        assert!(!held_back(&close, 0.0, COVERAGE_MIN));
        // Both questions hold the whole message and say more ("退货运费谁出" in "无理由…" and
        // "质量问题…"): a tie a little further apart in score too; not when either question
        // is the message itself, nor when the runner-up is well behind.
        let held = |top_q: f32, second: f32| {
            let mut r = ranking(vec![hit(0, 10.0, 1.0), hit(1, second, 1.0)]);
            r.hits[0].question_coverage = top_q;
            r.hits[1].question_coverage = 0.7;
            held_back(&r, 0.0, COVERAGE_MIN)
        };
        assert!(held(0.7, 9.2));
        assert!(!held(1.0, 9.2));
        assert!(!held(0.7, 8.5));
        // The best question covers less of the message than a merchant's floor.
        let thin = ranking(vec![hit(0, 10.0, 0.2)]);
        assert!(held_back(&thin, 0.0, 0.3));
        assert!(!held_back(&thin, 0.0, COVERAGE_MIN));
        // A merchant's margin minimum.
        assert!(held_back(&clear, 0.7, COVERAGE_MIN));
        assert!(held_back(&Ranking::default(), 0.0, COVERAGE_MIN));
    }
}
