//! The reply policy: turns a ranking (and what the shopper said before) into one decision per
//! message — answer, clarify, ask, hand off, or small talk — with the reason for it.
//!
//! [`respond`] runs named stages, one function each:
//! normalise, facts and masking (`read`) → triage (`classify`) → a typed choice from the last
//! "did you mean" ([`pick`]) or else retrieve (the engine) →
//! decide ([`decide`]: confidence from [`confidence`], thresholds calibrated at build time by
//! [`calibrate`]) → word (`word`: the service process's rules, sentences from [`wording`]).
//! Merchants can override the thresholds in `kefu.toml`.

// The stages, lowest first; each imports only stages above it in this list.
// Shared word lists, then reading the message: small talk, masking, facts.
pub mod facts;
pub mod lexicon;
pub mod mask;
pub mod pick;
pub mod smalltalk;
// What kind of message it is.
pub mod emotion;
pub mod triage;
// What the conversation so far says about a message that says little on its own.
pub mod follow;
// Retrieval is the engine (`crate::engine`); how sure it is, and the decision.
pub mod confidence;
pub mod decide;
// Build time: the model's boosted trees,
pub mod trees;
// then the calibration, which fits the model and picks the thresholds.
pub mod calibrate;
// Words: working hours and promises, then the sentences.
pub mod hours;
pub mod wording;
// What content staff see afterwards.
pub mod gaps;

use serde::{Deserialize, Serialize};

use crate::analyze::normalize;
use crate::engine::{Engine, Ranking};
use crate::kb::Locale;
pub use confidence::{features, Model, FEATURES};
pub use decide::{decide_ranking, Decision, HandoffReason, Thresholds, COVERAGE_MIN};
pub use emotion::Emotion;
pub use facts::Fact;
pub use gaps::GapRecord;
pub use hours::Now;
pub use smalltalk::Smalltalk;
pub use triage::{Cue, Triage};
use wording::PromiseKind;

/// Longest part of a message the policy reads (the masked text keeps everything).
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// Longest message text kept in a [`GapRecord`] or a pending question.
const MAX_STORED_CHARS: usize = 500;

/// Facts the shopper already gave; never asked again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Facts {
    /// The order number the shopper gave last (the first one of that message).
    pub order_number: Option<String>,
    /// Masked except the last 4 digits.
    pub phone: Option<String>,
    /// Every order number given, oldest first (at most [`facts::MAX_ORDERS`]).
    pub order_numbers: Vec<String>,
    /// Products of the KB the shopper named, as the KB writes them (at most 5).
    pub products: Vec<String>,
}

/// A question put on hold while the policy asks for a missing fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The question, masked, without the facts.
    pub text: String,
    pub triage: Triage,
    pub cue: Cue,
}

/// What the policy remembers across the messages of one conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Conversation {
    pub facts: Facts,
    /// Complaints so far (repeated complaints raise the emotion).
    pub complaints: u32,
    /// Messages seen.
    pub turns: u32,
    /// The language of the last reply.
    pub locale: Option<Locale>,
    /// Facts already asked for (each is asked at most once).
    pub asked: Vec<Fact>,
    /// The question waiting for the fact that was asked for.
    pub pending: Option<Pending>,
    /// The "did you mean" the last reply offered, so that a typed choice ("第二个", "the first
    /// one") picks from it ([`pick`]) and a choice is logged ([`picked_gap`]).
    pub offered: Option<Offered>,
    /// The promise of the last hand-over ("A colleague will confirm within 1 hour…"): "how
    /// long will it take?" afterwards is asked about that case.
    pub promised: Option<String>,
    /// The problem of an urgent message earlier in the conversation (a stolen account, a
    /// double charge): the shopper's later "talk to a person" goes to the same green channel
    /// with the same promise, not the off-hours queue.
    pub urgent: Option<Cue>,
    /// The last message with a topic of the KB (answered, or offered in a "did you mean"):
    /// a short follow-up ("能烤鸡吗", "it's been 10 days") is read with it ([`follow`]).
    pub topic: Option<follow::Topic>,
    /// A hand-over was offered: later messages the KB can't answer, "anyone there?" and "how
    /// long will it take" go with that case ([`follow`]).
    pub handed_off: bool,
    /// Digits that ended the last message and may begin a card the next one completes
    /// ([`mask::card_start`]). Kept in memory for one message, never stored.
    #[serde(skip)]
    pub card_start: Option<mask::CardStart>,
    /// The hand-over message the bot gave last ("A colleague needs to look into your order…"):
    /// the same one again says the new question joins the same message instead.
    pub last_handoff: Option<String>,
    /// The complaint or order problem the shopper raised last: an order number sent on its
    /// own later is that problem's (a smell complaint keeps its 1-hour promise).
    pub problem: Option<(Triage, Cue)>,
    /// How many times in a row the last answer's entry was given again: asked a third time,
    /// the answer evidently did not help, and the bot says so and offers a person. Kept in
    /// memory only, so the widget's saved layout stays as it was and conversations saved
    /// before load as before; after a reload the count starts over.
    #[serde(skip)]
    pub repeats: u32,
}

/// A "did you mean": the entries offered and the question they were offered for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Offered {
    /// Entry ids, in the order shown.
    pub entries: Vec<String>,
    /// The shopper's question, facts cut out (as in its gap record).
    pub question: String,
}

/// The policy's answer to one message: the decision and the words around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub decision: Decision,
    pub triage: Triage,
    /// The specific problem behind the triage class (`damaged`, `delay` …; tags for the ticket).
    pub cue: Cue,
    pub emotion: Emotion,
    /// The language of `lead`, `message` and `promise`.
    pub locale: Locale,
    /// An opening sentence (empathy, acknowledgement) in the reply's language, if any.
    pub lead: Option<String>,
    /// The bot's own words for this decision: the ask (with why), the small-talk reply, the
    /// hand-over note, the "which one do you mean" line. `None` for a plain answer.
    pub message: Option<String>,
    /// The response-time promise made to the shopper, if any.
    pub promise: Option<String>,
    /// When the promise falls due (Unix ms), for the ticket's time-out.
    pub deadline_ms: Option<i64>,
    /// Show a "talk to a person" button next to an answer (complaints).
    pub offer_human: bool,
    /// The message with ID-card and bank-card numbers masked: what may be stored or sent.
    pub masked: String,
    /// The shopper's previous message, masked again: it began a card number this message
    /// completes ("卡号 6228 4800", then "1234 5671"). Whatever stored or sent it replaces
    /// its text with this one.
    pub masked_previous: Option<String>,
    /// Set when the KB could not answer (low confidence, clarify): log it for `kefu gaps`.
    pub gap: Option<GapRecord>,
}

/// Decides the reply to one shopper message, updating the conversation.
///
/// Order of the rules: urgent → green channel; a request for a person → hand-off; small talk;
/// a complaint → acknowledgement + 1-hour promise (with the answer if one clearly matches,
/// else ask for the order number or hand off); an order problem → the answer if one clearly
/// matches, else ask for the order number (once) or hand off with the 2-hour promise; anything
/// else → the ranking's decision. Outside working hours a hand-off takes a message with the
/// next-working-day promise; in peak mode it says the queue time.
pub fn respond(engine: &Engine, conv: &mut Conversation, message: &str, now: Now) -> Reply {
    conv.turns = conv.turns.saturating_add(1);
    let read = read(engine, conv, message);
    let mut kind = classify(conv, &read);
    // A typed choice among the entries just offered is that entry, not a new search (nor
    // small talk: "3" alone is a number, and a choice here).
    let offered = conv.offered.as_ref().map_or(&[][..], |o| &o.entries[..]);
    let picked = pick::chosen(&read.norm, offered.len()).and_then(|i| engine.position_of(&offered[i]));
    if picked.is_some() {
        kind.small = None;
    }
    let (ranking, base) = match picked {
        Some(entry) => (Ranking::default(), Decision::Answer { entry, confidence: 1.0 }),
        None => {
            let ranking = retrieve(engine, &kind.question);
            let base = decide_all(engine, &ranking, &kind, &read.norm, &kind.question);
            let (ranking, base) = match refer_back(engine, conv, &read, &kind, &ranking, &base) {
                Some(referred) => (ranking, referred),
                None => follow_up(engine, conv, &kind, &read.norm, ranking, base),
            };
            let base = of_the_problem(engine, conv, &read, &kind, &ranking, base);
            (ranking, base)
        }
    };
    // A message that names a shop topic is in the shop's words even with a word the KB lacks.
    let shop_words = decide::in_shop_words(&ranking) || wording::names_shop_topic(&read.norm, &ranking.corrections);
    let offered_count = offered.len();
    let mut r = word(engine, conv, &read, &kind, base, shop_words, now);
    // "the second one" / "第四个" with nothing (or fewer options) offered picks nothing: say
    // so, and keep what was offered for the next try.
    if picked.is_none() && kind.triage == Triage::Product && !kind.human && pick::is_choice(&read.norm) {
        r.decision = Decision::Smalltalk { kind: Smalltalk::Opener };
        r.lead = None;
        r.message = Some(wording::no_such_choice(r.locale, offered_count));
        (r.promise, r.deadline_ms, r.offer_human, r.gap) = (None, None, false, None);
        return r;
    }
    // "tk", "zfb" alone (pinyin initials, in a Chinese conversation or shop): nothing in the
    // KB matches them, and "we can't help with that" would be wrong; ask what they stand for.
    let initials = r.locale != Locale::En && wording::is_pinyin_initials(&read.work);
    if initials && !conv.handed_off && r.decision == (Decision::Handoff { reason: HandoffReason::LowConfidence }) {
        r.decision = Decision::Smalltalk { kind: Smalltalk::Opener };
        r.lead = None;
        r.message = Some(wording::what_it_stands_for(r.locale, read.work.trim()));
        (r.promise, r.deadline_ms, r.offer_human, r.gap) = (None, None, false, None);
        (conv.topic, conv.offered) = (None, None);
        return r;
    }
    if about_the_case(conv, &read, &kind, &mut r) {
        r.gap = None;
    } else {
        // A hand-over the shopper asked for or a service rule made; "no ready answer, a
        // colleague can look into it" only offers one.
        conv.handed_off |=
            matches!(r.decision, Decision::Handoff { reason: HandoffReason::Requested | HandoffReason::Rule });
        r.gap = match picked.and_then(|e| engine.entry(e)) {
            Some(e) => picked_gap(conv, &e.id, now.unix_ms),
            None => gap_record(engine, &read, &ranking, &r, now),
        };
        if matches!(r.decision, Decision::Handoff { .. }) && r.promise.is_some() {
            conv.promised = r.promise.clone();
        }
    }
    conv.offered = match &r.decision {
        Decision::Clarify { candidates } => Some(Offered {
            entries: candidates.iter().filter_map(|&c| engine.entry(c)).map(|e| e.id.clone()).collect(),
            question: r.gap.as_ref().map(|g| g.text.clone()).unwrap_or_default(),
        }),
        _ => None,
    };
    answered_again(engine, conv, picked.is_some(), &mut r);
    conv.topic = next_topic(engine, conv.topic.take(), &kind, &r);
    if matches!(r.triage, Triage::Complaint | Triage::Order) {
        conv.problem = Some((r.triage, r.cue));
    }
    r
}

/// The same entry answered a third time in a row ("how long is the warranty" twice, then
/// "HOW LONG IS THE WARRANTY???"): the answer did not help. The reply says so instead of the
/// empathy of a plain repeat, gives the answer once more, and offers a person. A choice
/// tapped from a "did you mean" is no repeat.
fn answered_again(engine: &Engine, conv: &mut Conversation, picked: bool, r: &mut Reply) {
    let last = conv.topic.as_ref().and_then(|t| t.entry.as_deref());
    let again = match r.decision {
        Decision::Answer { entry, .. } => {
            !picked && last.is_some_and(|id| engine.entry(entry).is_some_and(|e| e.id == id))
        }
        _ => false,
    };
    conv.repeats = if again { conv.repeats.saturating_add(1) } else { 0 };
    if conv.repeats >= 2 && r.message.is_none() {
        r.lead = Some(wording::answer_did_not_help(r.locale));
        r.message = Some(wording::offer_human(r.locale));
        r.offer_human = true;
    }
}

/// Stage 4, decide: the ranking's decision, then the rules that hold an answer back or pick
/// another (the triage's cue, the shop's own slip, a topic the message names).
fn decide_all(engine: &Engine, ranking: &Ranking, kind: &Kind, norm: &str, question: &str) -> Decision {
    let base = decide_ranking(engine, ranking, &Thresholds::of(engine));
    let base = decide::agree_with_cue(engine, ranking, kind.triage, kind.cue, base);
    let base = decide::own_slip(engine, ranking, triage::own_mistake(norm), base);
    let smell = kind.triage == Triage::Complaint && kind.cue == Cue::Quality && triage::about_smell(norm);
    let base = decide::about_the_smell(engine, ranking, smell, base);
    let base = decide::topic_named(engine, ranking, question, base);
    decide::erasure_first(engine, ranking, triage::asks_erasure(norm), base)
}

/// A short message that points back at the last answered topic ("can it roast a chicken",
/// "and for bedding?"): the decision [`follow::refer`] settles on, from the message's own best
/// hits and the topic's entry; `None` leaves the message's own decision.
fn refer_back(
    engine: &Engine,
    conv: &Conversation,
    read: &Reading,
    kind: &Kind,
    ranking: &Ranking,
    base: &Decision,
) -> Option<Decision> {
    let topic = conv.topic.as_ref()?;
    // "its CH20240611-5532" answers the ask for the order number: its "its" points at nothing.
    if kind.human || kind.small.is_some() || kind.answers_ask || !follow::is_short(&read.norm) {
        return None;
    }
    let reference = follow::refers_back(&read.norm, !read.found.products.is_empty())?;
    let words = follow::telling_words(&read.norm);
    let Some(topic) = topic.entry.as_deref().and_then(|id| engine.position_of(id)) else {
        return refer_to_question(engine, topic, kind, reference, &words, base);
    };
    if kind.triage != Triage::Product {
        return None;
    }
    // The KB's products an entry names in its title or tags.
    let names = |pos: u32| -> Vec<String> {
        let Some(e) = engine.entry(pos) else { return Vec::new() };
        let text = normalize(&format!("{} {}", e.title, e.tags.join(" ")));
        read.products
            .iter()
            .map(|p| normalize(&p.name))
            .filter(|p| lexicon::find_or_plural(&text, p).is_some())
            .collect()
    };
    let topic_names = names(topic);
    let seen = |pos: u32| -> Option<follow::Seen> {
        let e = engine.entry(pos)?;
        let own = names(pos);
        // Every product it names is one the topic names: the stew pot's spec sheet shares the
        // word 容量 (a tag that reads as a product) with the air fryer's, and is no sheet
        // about the air fryer for "有定时功能吗".
        let about_topic = pos == topic || (!own.is_empty() && own.iter().all(|n| topic_names.contains(n)));
        let text = normalize(&format!("{} {} {}", e.title, e.tags.join(" "), e.answer.plain_text()));
        Some(follow::Seen {
            entry: pos,
            category: e.category.as_str(),
            about_topic,
            other_product: !own.is_empty() && !about_topic,
            fits: follow::has_a_word(&text, &words),
        })
    };
    let answered = match base {
        Decision::Answer { entry, .. } => seen(*entry),
        _ => None,
    };
    let hits: Vec<follow::Seen> = ranking.hits.iter().filter_map(|h| seen(h.entry)).collect();
    let wider: Vec<follow::Seen> = match reference {
        follow::Reference::Ellipsis => {
            let question = conv.topic.as_ref().map(|t| follow::widened(t, &kind.question)).unwrap_or_default();
            retrieve(engine, &question).hits.iter().filter_map(|h| seen(h.entry)).collect()
        }
        follow::Reference::Pronoun => Vec::new(),
    };
    match follow::refer(reference, answered.as_ref(), &seen(topic)?, &hits, &wider) {
        follow::Referred::Keep => None,
        follow::Referred::Answer(entry) => match base {
            Decision::Answer { entry: e, .. } if *e == entry => None,
            _ => Some(Decision::Answer { entry, confidence: Thresholds::of(engine).answer_min }),
        },
        follow::Referred::Clarify => {
            Some(Decision::Clarify { candidates: ranking.hits.iter().take(3).map(|h| h.entry).collect() })
        }
    }
}

/// A short message that points back at a topic that got no answer (a "did you mean", or the
/// order number asked for): "what about canada" after "how long does it take to ship to
/// california", "it hasn't shipped yet" after "i need to update the delivery address on my
/// order". Searched with the topic's question before it, the topic's own first entry answers
/// it when it stays first: the message adds a detail to the question the topic nearly
/// settled (QA: the first got "no ready answer", the second the dispatch time). An ellipsis
/// asks about something else, so it must also name something another entry of that kind
/// knows (Canada is in the international shipping entry): "what about the weather" is never
/// drawn to the topic, though the delivery times say bad weather adds a day.
fn refer_to_question(
    engine: &Engine,
    topic: &follow::Topic,
    kind: &Kind,
    reference: follow::Reference,
    words: &[String],
    base: &Decision,
) -> Option<Decision> {
    if !matches!(kind.triage, Triage::Product | Triage::Order) || words.is_empty() {
        return None;
    }
    let own = retrieve(engine, &topic.question).hits.first()?.entry;
    let wide = retrieve(engine, &follow::widened(topic, &kind.question));
    if wide.hits.first()?.entry != own || matches!(base, Decision::Answer { entry, .. } if *entry == own) {
        return None;
    }
    let category = engine.entry(own)?.category.clone();
    let fits = |pos: u32| {
        engine.entry(pos).is_some_and(|e| {
            let text = normalize(&format!("{} {} {}", e.title, e.tags.join(" "), e.answer.plain_text()));
            pos != own && e.category == category && follow::has_a_word(&text, words)
        })
    };
    if reference == follow::Reference::Ellipsis && !wide.hits.iter().any(|h| fits(h.entry)) {
        return None;
    }
    Some(Decision::Answer { entry: own, confidence: Thresholds::of(engine).answer_min })
}

/// A short question that got a "did you mean" after the shopper raised a complaint or an
/// order problem ("运费谁出" after a broken handle was handed over): the one choice of that
/// kind answers it ([`follow::of_the_problem`]); otherwise the "did you mean" stands.
///
/// A message about postage ("我已经寄回去了 运费12块 能报销吗" after a broken item) leans on the
/// problem at any length, and when it got no answer at all its three best hits are the
/// choice: QA found it told "抱歉，这个问题我这里帮不上忙" with the quality return's postage
/// ranked first.
fn of_the_problem(
    engine: &Engine,
    conv: &Conversation,
    read: &Reading,
    kind: &Kind,
    ranking: &Ranking,
    base: Decision,
) -> Decision {
    let Some((problem, _)) = conv.problem else { return base };
    let postage = follow::about_postage(&read.norm);
    let best: Vec<u32> = ranking.hits.iter().take(3).map(|h| h.entry).collect();
    let candidates = match &base {
        Decision::Clarify { candidates } => candidates,
        Decision::Handoff { reason: HandoffReason::LowConfidence } if postage => &best,
        _ => return base,
    };
    if kind.triage != Triage::Product || kind.human || kind.small.is_some() {
        return base;
    }
    if !(follow::is_short(&read.norm) || postage) {
        return base;
    }
    let offered: Vec<Triage> = candidates
        .iter()
        .map(|&c| engine.entry(c).map_or(Triage::Product, |e| triage::classify(&normalize(&e.title)).0))
        .collect();
    match follow::of_the_problem(problem, &offered) {
        Some(i) => Decision::Answer { entry: candidates[i], confidence: Thresholds::of(engine).answer_min },
        None => base,
    }
}

/// A short product question that got a "did you mean" of its own, searched again with the
/// last topic before it ([`follow`]): the new answer stands only when its entry is the one the
/// message itself ranked first.
fn follow_up(
    engine: &Engine,
    conv: &Conversation,
    kind: &Kind,
    norm: &str,
    ranking: Ranking,
    base: Decision,
) -> (Ranking, Decision) {
    let Some(topic) = conv.topic.as_ref() else { return (ranking, base) };
    // Only a message that nearly decided by itself (a "did you mean") leans on the topic. One
    // that decided nothing stays so: "今天天气怎么样" after the air fryer's capacity shares
    // enough common words with the KB that, searched with the topic, it got the spec sheet.
    let choice = matches!(base, Decision::Clarify { .. });
    if !choice || kind.triage != Triage::Product || kind.human || kind.small.is_some() || !follow::is_short(norm) {
        return (ranking, base);
    }
    let question = follow::widened(topic, &kind.question);
    let wide = retrieve(engine, &question);
    let wide_base = decide_all(engine, &wide, kind, &normalize(&question), &question);
    let settles = ranking.hits.first().map(|h| h.entry);
    let answer = match wide_base {
        Decision::Answer { entry, .. } => follow::widen(settles, Some(entry)),
        _ => None,
    };
    match answer {
        Some(_) => (wide, wide_base),
        None => (ranking, base),
    }
}

/// The conversation's topic after reply `r`: its entry when answered, its question when a
/// "did you mean" was offered or the order number asked for; small talk ("ok", "thanks")
/// keeps the topic; anything else (a hand-over, an unanswered question) ends it.
fn next_topic(engine: &Engine, topic: Option<follow::Topic>, kind: &Kind, r: &Reply) -> Option<follow::Topic> {
    let question = || truncate(&kind.question, MAX_STORED_CHARS).to_string();
    match &r.decision {
        Decision::Answer { entry, .. } if matches!(r.triage, Triage::Product | Triage::Order) => {
            Some(follow::Topic { question: question(), entry: engine.entry(*entry).map(|e| e.id.clone()) })
        }
        // Asked for the order number of a problem: "it's been 10 days" next is about it.
        Decision::Clarify { .. } | Decision::Ask { .. } => Some(follow::Topic { question: question(), entry: None }),
        Decision::Smalltalk { .. } => topic,
        _ => None,
    }
}

/// After a hand-over ([`follow`]): "多久能处理好" / "any update?" with no subject of its own,
/// "hello? anyone there?", or a product question the KB can't answer is about the case that
/// waits for a colleague, not a new question. Rewords `r` so (with the promise made for the
/// case, if one was) and says so; otherwise leaves it. The reply stays a hand-over: the widget
/// adds the message to a case already sent, or opens the form for one not sent yet.
fn about_the_case(conv: &Conversation, read: &Reading, kind: &Kind, r: &mut Reply) -> bool {
    if !conv.handed_off {
        return false;
    }
    // "escalate it" after a hand-over: the escalation path, and the request goes with the
    // case (QA: it got "that goes with your message" and the 1-hour promise, the path unsaid).
    // The escalation's empathy stays before it.
    if kind.escalation {
        r.decision = Decision::Handoff { reason: HandoffReason::Requested };
        r.offer_human = false;
        r.message = Some(wording::escalated_with_case(r.locale));
        r.promise = conv.promised.clone().or(r.promise.take());
        return true;
    }
    // The order number of the problem handed over, sent on its own: noted, with the case.
    let number = read.found.order_numbers.first().filter(|_| kind.question.trim().is_empty() && !kind.answers_ask);
    if let Some(number) = number.filter(|_| !kind.human) {
        r.decision = Decision::Handoff { reason: HandoffReason::Rule };
        r.lead = None;
        r.offer_human = false;
        r.message = Some(wording::order_with_case(r.locale, number));
        r.promise = conv.promised.clone().or(r.promise.take());
        return true;
    }
    // "什么时候给我回复", "还要等多久", "怎么还没人回", "人呢", "still waiting": asks when or
    // chases a reply, and says nothing else. Whatever the triage makes of it (a complaint about
    // the wait, a late order, a call for a person), it is the case already handed over: its
    // promise, not the KB's "busy, about 10 minutes" nor the form again.
    let asks_after_it = (triage::asks_when(&read.norm) || follow::chases_a_reply(&read.norm))
        && follow::only_about_the_case(&read.norm);
    if (kind.triage != Triage::Product || kind.human) && !(asks_after_it && kind.triage != Triage::Urgent) {
        return false;
    }
    let unanswered =
        matches!(r.decision, Decision::Handoff { reason: HandoffReason::LowConfidence | HandoffReason::NoQuery });
    let waits = follow::waits_for_person(kind.small);
    // "已经10天了" after handing over a late parcel: more about the same problem.
    let late = follow::says_elapsed(&read.norm) && follow::is_short(&read.norm);
    if !(unanswered || asks_after_it || waits || late) {
        return false;
    }
    r.decision = Decision::Handoff { reason: HandoffReason::LowConfidence };
    r.lead = None;
    r.offer_human = false;
    r.message = Some(wording::case_with_colleague(r.locale));
    r.promise = conv.promised.clone();
    r.deadline_ms = None;
    true
}

/// Stage 1, normalise, facts and masking: what the shopper said, with ID and bank-card
/// numbers masked, facts (order numbers, phones, products) taken out of the question.
struct Reading {
    /// The message as it may be stored or sent.
    masked: String,
    /// The previous message, masked again (it began a card this one completes).
    masked_previous: Option<String>,
    /// It ends in digits that may begin a card ([`mask::card_start`]).
    card_start: bool,
    /// Which sensitive numbers it held (now masked).
    hidden: mask::Hidden,
    /// The part the policy reads (at most [`MAX_MESSAGE_CHARS`]).
    work: String,
    found: facts::Found,
    /// `work` without the facts: what is searched.
    query: String,
    norm: String,
    locale: Locale,
    /// The shop's products (from its product entries), as the facts were read with them.
    products: Vec<facts::Product>,
}

/// The ID and bank-card numbers of a message, found as the policy finds them at this point
/// of the conversation: right after the bot asked for the order number, a bare number is one.
///
/// Except a number written as a card (four groups of four, Luhn-valid), which is masked as
/// one and so never becomes the order number, asked for or not, "订单号" before it or not: the
/// shop's pattern is not enough to tell, as the default takes any 10 to 20 digits, and masking
/// an order number costs the shopper a retype where leaving a card readable cannot be undone.
/// Only a shop whose pattern says its order numbers are exactly 16 digits (`#{16}`) has it read
/// as an order number; a pattern that merely allows 16 digits among other lengths does not.
fn sensitive_spans(conv: &Conversation, message: &str, pattern: &facts::OrderPattern) -> Vec<mask::Span> {
    let expecting = mask::Expecting {
        order: conv.pending.is_some() && conv.facts.order_number.is_none(),
        sixteen_digit_orders: pattern.sixteen_digits(),
    };
    mask::find_in(message, expecting)
}

/// A message as [`respond`] would store it, for a message kept before it can be answered
/// (the bundle still loading, or failed to load). Without the shop's settings the order
/// pattern is the default, so a number written as a card is masked.
pub fn masked(conv: &Conversation, message: &str) -> String {
    mask::mask_spans(message, &sensitive_spans(conv, message, &facts::OrderPattern::default()))
}

fn read(engine: &Engine, conv: &mut Conversation, message: &str) -> Reading {
    let settings = &engine.manifest().settings;
    let pattern = facts::OrderPattern::of_settings(settings.order_pattern.as_deref());
    let mut spans = sensitive_spans(conv, message, &pattern);
    // The rest of a card the last message began: masked here, and there too.
    let mut masked_previous = None;
    if let Some(begun) = conv.card_start.take() {
        if let Some((span, previous)) = mask::card_end(&begun, message, &spans) {
            spans.insert(0, span);
            masked_previous = Some(previous);
            // Its first part, read as an order number then, is none.
            conv.facts.order_numbers.retain(|o| *o != begun.digits);
            if conv.facts.order_number.as_ref() == Some(&begun.digits) {
                conv.facts.order_number = conv.facts.order_numbers.last().cloned();
            }
        }
    }
    let (masked, masked_at) = mask::mask_spans_at(message, &spans);
    let hidden = mask::Hidden::of(message, &spans);
    conv.card_start = mask::card_start(message, &masked, &spans);
    let card_start = conv.card_start.is_some();
    let work: &str = truncate(&masked, MAX_MESSAGE_CHARS);

    // Facts first: they are cut out of the question before searching, and so are masked
    // numbers the shopper named as an ID or a card, with the naming words.
    let products = facts::products(&engine.manifest().entries);
    let asked = conv.pending.is_some() && conv.facts.order_number.is_none();
    let found = facts::extract_answering(work, &pattern, &products, &[], asked);
    merge_facts(&mut conv.facts, &found);
    let mut cut: Vec<(usize, usize)> = found.spans.clone();
    cut.extend(facts::link_spans(work));
    // A card number the message speaks of further away ("6222 0212 … 退款退到这张卡吧") is
    // cut as well: what is left of it (its last four digits) is no word of the question. A
    // number masked by its checksum alone, in a message that says nothing of a card, stays:
    // it may be an order's, and cutting it lets other entries answer another shop's order.
    let card_spoken_of = mask::speaks_of_a_card(work);
    cut.extend(masked_at.iter().zip(&spans).filter(|(r, _)| r.1 <= work.len()).filter_map(|(&r, span)| {
        let card = card_spoken_of && span.kind == mask::Sensitive::BankCard;
        mask::with_its_cue(work, r).or(card.then_some(r))
    }));
    cut.sort_unstable();
    let query = cut_spans(work, &cut);
    let norm = normalize(&query);
    let locale = wording::pick_locale(settings.locale, work, conv.locale);
    conv.locale = Some(locale);
    let work = work.to_string();
    Reading { masked, masked_previous, card_start, hidden, work, found, query, norm, locale, products }
}

/// Stage 2, triage: what kind of message this is, how the shopper feels, and what to search
/// (a bare order number answers the question that was waiting for it).
struct Kind {
    triage: Triage,
    cue: Cue,
    emotion: Emotion,
    /// A second complaint in the conversation.
    repeat: bool,
    /// The shopper asked for a person.
    human: bool,
    small: Option<Smalltalk>,
    question: String,
    /// The message only gives the fact the bot asked for (the order number of the problem
    /// just described): the problem's acknowledgement was said with the question.
    answers_ask: bool,
    /// The message asks to escalate ("升级", "escalate"): its empathy names the frustration.
    escalation: bool,
    /// "what do i do now" after an urgent problem: its steps again, without the empathy said
    /// with them the first time.
    urgent_again: bool,
}

/// The message answers the ask for the order number with nothing but a number that does not
/// fit the shop's pattern ("its CH20240611-5532"): it answers the waiting question, which is
/// asked again with the number named ([`may_ask_order`]), not searched as a question of its own.
fn mistyped_answer(conv: &Conversation, work: &str, found: &facts::Found) -> bool {
    if conv.pending.is_none() || !found.order_numbers.is_empty() || found.rejected.is_empty() {
        return false;
    }
    let mut rest = work.to_ascii_uppercase();
    for given in &found.rejected {
        rest = rest.replace(given.as_str(), " ");
    }
    facts::only_facts(&normalize(&rest))
}

/// The bot may ask for the order number: it has not yet, or the number given did not fit the
/// pattern and it asks once more, naming it; a second miss goes to a person.
fn may_ask_order(conv: &Conversation, rejected: Option<&str>) -> bool {
    let asked = conv.asked.iter().filter(|f| **f == Fact::OrderNumber).count();
    asked == 0 || (rejected.is_some() && asked < 2)
}

fn classify(conv: &mut Conversation, read: &Reading) -> Kind {
    let Reading { work, found, query, norm, .. } = read;
    let (mut triage, mut cue) = triage::classify(norm);
    let small = smalltalk::classify(norm);
    // "never mind, cancel that" withdraws what came before: no order to cancel.
    if small == Some(Smalltalk::Ack) && smalltalk::dismisses(norm) {
        (triage, cue) = (Triage::Product, Cue::None);
    }
    // "我查一下订单号" / "let me find the order number" only asks for a moment: no order
    // problem of its own, and the one waiting for the number stays pending.
    if small == Some(Smalltalk::Hold) {
        (triage, cue) = (Triage::Product, Cue::None);
    }
    // "are you a real person?" asks what the bot is; the answer says how to reach a person.
    // So does "你是机器人还是真人" in a longer message; "你是机器人吗 我要真人" asks for one.
    let mut human = triage::wants_human(&smalltalk::without_identity(norm)) && small != Some(Smalltalk::Identity);
    // "升级" / "escalate", as the shop's escalation answer tells the shopper to send: a person
    // (a senior colleague) takes it, under the complaint's promise.
    // After a hand-over, escalation words in a longer message ask the same ("this is the 3rd
    // time i'm asking, escalate it", "我要投诉你们主管").
    let escalation = triage::asks_escalation(norm) || (conv.handed_off && follow::asks_to_escalate(norm));
    if escalation {
        human = true;
        (triage, cue) = (Triage::Complaint, Cue::Service);
    }
    let fact_only = !found.order_numbers.is_empty() || !found.phones.is_empty();
    let fact_only = (fact_only && facts::only_facts(norm)) || mistyped_answer(conv, work, found);
    let mut question = query.clone();
    let mut answers_ask = false;
    if fact_only {
        if let Some(p) = conv.pending.take() {
            answers_ask = true;
            question = p.text;
            triage = p.triage;
            cue = p.cue;
        } else if let Some(urgent) = conv.urgent.filter(|_| !found.order_numbers.is_empty()) {
            // The order number of the urgent problem just reported (a double charge, a fire):
            // it joins that case, in the green channel, under its promise.
            triage = Triage::Urgent;
            cue = urgent;
            question.clear();
        } else if !found.order_numbers.is_empty() {
            // A bare order number: the problem raised before (its acknowledgement was said
            // with it), or "look this order up for me".
            answers_ask = conv.problem.is_some();
            (triage, cue) = conv.problem.unwrap_or((Triage::Order, Cue::Tracking));
            question.clear();
        }
    } else if small.is_none() && norm.chars().any(char::is_alphanumeric) {
        let waiting = conv.pending.take();
        // "it's been 10 days" instead of the order number: more of the waiting question (a
        // late order), not a new search that answers whatever entry writes "10 days".
        if let Some(p) =
            waiting.filter(|_| triage == Triage::Product && follow::is_short(norm) && follow::says_elapsed(norm))
        {
            question = p.text;
            triage = p.triage;
            cue = p.cue;
            answers_ask = true;
        }
        if triage == Triage::Product && (!found.order_numbers.is_empty() || !found.rejected.is_empty()) {
            // A question that comes with an order number is about that order.
            triage = Triage::Order;
            cue = Cue::Tracking;
        }
    }
    // "it's been 10 days" after "how long does a refund take": what was asked about is late.
    if triage == Triage::Product && small.is_none() && !human && follow::is_short(norm) {
        if let Some(late) = conv.topic.as_ref().and_then(|t| follow::overdue(t, norm)) {
            triage = Triage::Order;
            cue = match late {
                follow::Overdue::Refund => Cue::Refund,
                follow::Overdue::Order => Cue::Delay,
            };
        }
    }
    // "what do i do now" after a burn: the urgent problem's steps again, in its channel, not
    // a search (that offered wrong items and lost parcels).
    let urgent_again = triage == Triage::Product && small.is_none() && !human && follow::only_what_now(norm);
    let urgent_again = urgent_again && conv.urgent.is_some();
    // Only a request for a person and nothing else ("talk to a person"): a new problem with
    // it (a late parcel) is that problem's, not the earlier urgent one's.
    if triage == Triage::Urgent {
        conv.urgent = Some(cue);
    } else if let Some(urgent) = conv.urgent.filter(|_| (human || urgent_again) && triage == Triage::Product) {
        triage = Triage::Urgent;
        cue = urgent;
    }
    if triage == Triage::Complaint && !fact_only {
        conv.complaints = conv.complaints.saturating_add(1);
    }
    let mut emotion = emotion::detect(work, norm, if triage == Triage::Complaint { conv.complaints } else { 0 });
    if triage == Triage::Urgent && emotion == Emotion::Calm {
        emotion = Emotion::Anxious;
    }
    let repeat = triage == Triage::Complaint && conv.complaints >= 2;
    Kind { triage, cue, emotion, repeat, human, small, question, answers_ask, escalation, urgent_again }
}

/// Stage 3, retrieve: the ranking of the question (none for an empty one).
fn retrieve(engine: &Engine, question: &str) -> Ranking {
    if question.trim().is_empty() {
        Ranking::default()
    } else {
        engine.search(question, 5)
    }
}

/// Stage 5, word: the decision in the service process's terms (green channel, hand-over,
/// small talk, complaint, order problem) and the sentences around it.
/// `shop_words`: the KB knows the message's telling words ([`decide::in_shop_words`]).
fn word(
    engine: &Engine,
    conv: &mut Conversation,
    read: &Reading,
    kind: &Kind,
    base: Decision,
    shop_words: bool,
    now: Now,
) -> Reply {
    let settings = &engine.manifest().settings;
    let Reading { masked, masked_previous, found, locale, .. } = read;
    let locale = *locale;
    let Kind { triage, cue, emotion, repeat, human, small, ref question, answers_ask, escalation, urgent_again } =
        *kind;
    let open = settings.hours.is_open(now);
    let peak = open && settings.peak.on;
    let has_order = conv.facts.order_number.is_some();
    let rejected = found.rejected.first().map(String::as_str);
    let product = conv.facts.products.last().cloned();

    let mut r = Reply {
        decision: base.clone(),
        triage,
        cue,
        emotion,
        locale,
        // Not again when the message only answers the bot's question for the order number.
        // An escalation acknowledges the frustration with how it went so far, then hands over.
        lead: if answers_ask || urgent_again {
            None
        } else if escalation {
            Some(wording::escalation_empathy(locale, conv.turns))
        } else if triage == Triage::Urgent && cue == Cue::Safety && !repeat && triage::only_a_smell(&read.norm) {
            // A smell worries; smoke, a fire or a burn frightens.
            Some(wording::smell_empathy(locale, conv.turns))
        } else {
            wording::empathy(locale, triage, cue, emotion, repeat, conv.turns)
        },
        message: None,
        promise: None,
        deadline_ms: None,
        offer_human: false,
        masked: masked.clone(),
        masked_previous: masked_previous.clone(),
        gap: None,
    };
    let handoff = |r: &mut Reply, reason: HandoffReason| {
        r.decision = Decision::Handoff { reason };
        let mut msg = wording::handoff(locale, reason, triage, cue, open);
        if triage == Triage::Urgent {
            // The tip fits the hazard, read once (`wording::Hazard`); medical help for a
            // swallowed piece comes before anything about leaving a message.
            let hazard = (cue == Cue::Safety).then(|| wording::Hazard::of(&read.norm));
            let tip = wording::urgent_tip(locale, cue, hazard);
            match tip {
                Some(tip) if hazard == Some(wording::Hazard::Swallowed) => msg = format!("{tip}{}{msg}", sep(locale)),
                Some(tip) => msg = format!("{msg}{}{tip}", sep(locale)),
                None => {}
            }
        } else if peak {
            // The queue time goes in the message when the promise is the complaint or
            // after-sales one; for other hand-overs it is the promise itself.
            if matches!(triage, Triage::Complaint | Triage::Order) {
                let queue = PromiseKind::Peak { minutes: settings.peak.queue_minutes };
                let q = wording::promise(locale, settings.locale, queue, &settings.promises, &settings.hours);
                msg = format!("{msg}{}{q}", sep(locale));
            }
            msg = format!("{msg}{}{}", sep(locale), wording::prepare(locale, !has_order));
        }
        r.message = Some(msg);
        let kind = match (triage, open) {
            (Triage::Urgent, _) => Some(PromiseKind::Urgent),
            (_, false) => off_hours(settings, now, triage),
            (Triage::Complaint, true) => Some(PromiseKind::Complaint),
            (Triage::Order, true) => Some(PromiseKind::AfterSales),
            (Triage::Product, true) if peak => Some(PromiseKind::Peak { minutes: settings.peak.queue_minutes }),
            _ => None,
        };
        set_promise(r, kind, settings, now);
    };

    if human {
        // Asked for a person: the form, whatever the triage (an urgent one keeps its channel
        // and promise, see `handoff`).
        handoff(&mut r, HandoffReason::Requested);
    } else if triage == Triage::Urgent {
        handoff(&mut r, HandoffReason::Rule);
    } else if let Some(kind) = small.filter(|_| triage == Triage::Product && found.is_empty()) {
        r.decision = Decision::Smalltalk { kind };
        r.lead = None;
        let greeting = (locale == settings.locale).then_some(settings.greeting.as_str());
        r.message = Some(if kind == Smalltalk::Ack && smalltalk::dismisses(&read.norm) {
            // "never mind": a neutral "OK", not the "Great." an "ok" may get.
            wording::dismissed(locale, conv.turns)
        } else {
            wording::smalltalk(locale, kind, &settings.name, greeting, conv.turns)
        });
        // "that didn't help": a person is one tap away.
        r.offer_human = kind == Smalltalk::NotHelpful;
    } else if triage == Triage::Complaint {
        if !answers_ask {
            // A smell is not yet a fault: new items smell for a while and the KB says what to
            // do; the remedy is named for one that stays.
            let ack = if cue == Cue::Quality && triage::about_smell(&read.norm) {
                wording::smell_ack(locale)
            } else {
                wording::complaint_ack(locale, cue, product.as_deref(), &read.norm)
            };
            r.lead = Some(match r.lead.take() {
                Some(e) => format!("{e}{}{ack}", sep(locale)),
                None => ack,
            });
        }
        r.offer_human = true;
        if let Decision::Answer { .. } = base {
            r.message = Some(wording::offer_human(locale));
            set_promise(&mut r, Some(complaint_or_off_hours(settings, now, open)), settings, now);
        } else if !has_order && may_ask_order(conv, rejected) {
            ask(&mut r, conv, question, locale, rejected);
            set_promise(&mut r, Some(complaint_or_off_hours(settings, now, open)), settings, now);
        } else {
            handoff(&mut r, HandoffReason::Rule);
        }
    } else if triage == Triage::Order {
        match base {
            // No "send me the order number" under an answer to a shopper who just said they
            // don't have it ("I don't know my order number": the answer says where to find it).
            Decision::Answer { .. } if !has_order => {
                if !triage::lacks_order_number(&read.norm) {
                    r.message = Some(wording::order_hint(locale));
                }
            }
            // With the order number in hand the bot can't look the order up itself: a person
            // verifies it and acts (the seeds' order process). An entry written for messages
            // with an order number ("cancel order {{order_id}}") still answers first: its
            // steps let the shopper act at once, and a person is one tap away with the
            // number already noted. Any other entry would be a guess about this order.
            Decision::Answer { entry, .. } if takes_order(engine, entry) => {
                r.offer_human = true;
                r.message = Some(wording::order_noted(locale));
            }
            _ if !has_order && may_ask_order(conv, rejected) => ask(&mut r, conv, question, locale, rejected),
            _ => handoff(&mut r, HandoffReason::Rule),
        }
    } else {
        match base {
            Decision::Answer { .. } => {}
            Decision::Clarify { .. } => r.message = Some(wording::clarify(locale)),
            Decision::Handoff { reason } => {
                handoff(&mut r, reason);
                if reason == HandoffReason::NoQuery && emotion != Emotion::Angry {
                    // "???": no "here's what I have" before asking what the shopper needs.
                    // "😡😡😡" keeps its empathy.
                    r.lead = None;
                }
                // An angry shopper whose words match nothing ("you guys are useless") is not
                // told the shop can't help: the empathy, then a person.
                if reason == HandoffReason::LowConfidence && emotion != Emotion::Angry {
                    // Nothing in the KB is close: say so and name what the FAQ covers. A
                    // message in the shop's own words, or naming one of its products ("how
                    // many watts is the kettle"), is no "we don't do that": the KB just has no
                    // answer for it.
                    // The kind of a product counts too ("the pillow is too firm"), and so do the
                    // shop's own website or app ("网站一直打不开") and a topic the out-of-scope
                    // reply would list ("do you guys ship on weekends?").
                    let ours = shop_words
                        || !found.products.is_empty()
                        || !facts::find_products(&read.work, &facts::product_kinds(&read.products)).is_empty()
                        || triage::about_shop_itself(&read.norm)
                        || wording::names_a_topic(locale, &read.work, &categories(engine));
                    let oos = if ours {
                        wording::no_ready_answer(locale, &categories(engine))
                    } else {
                        wording::out_of_scope(locale, &categories(engine))
                    };
                    r.message = Some(match (open, r.message.take()) {
                        (false, Some(m)) => format!("{oos}{}{m}", sep(locale)),
                        _ => oos,
                    });
                }
            }
            _ => {}
        }
    }
    // An answer that opens with its own apology ("Sorry it got damaged on the way!", "非常抱歉
    //让您…") needs no second one before it: the lead (the empathy, and a complaint's cause
    // and remedy, which such an entry gives in its own words) is left out.
    if let Decision::Answer { entry, .. } = r.decision {
        if engine.entry(entry).is_some_and(|e| wording::opens_with_apology(&e.answer.plain_text())) {
            r.lead = None;
        }
    }
    // The same hand-over as the last one: not the paragraph again, but that this question
    // goes with the earlier one (and the order number) to the same colleague.
    let plain = match r.decision {
        Decision::Handoff { reason } => Some(wording::handoff(locale, reason, triage, cue, open)),
        _ => None,
    };
    let plain = plain.filter(|p| r.message.as_deref().is_some_and(|m| m.contains(p.as_str())));
    if let Some(p) = plain.as_deref().filter(|&p| conv.last_handoff.as_deref() == Some(p)) {
        let again = wording::handoff_again(locale, has_order);
        r.message = r.message.take().map(|m| m.replacen(p, &again, 1));
    }
    conv.last_handoff = plain;
    // Hidden ID or card numbers: say so and why, whatever else the reply says.
    let note = wording::masked_note(locale, read.hidden);
    let note = match (note, read.masked_previous.is_some()) {
        (Some(n), true) => Some(format!("{n}{}{}", sep(locale), wording::masked_previous_note(locale))),
        (n, _) => n,
    };
    if let Some(note) = note {
        r.lead = Some(match r.lead.take() {
            Some(lead) => format!("{lead}{}{note}", sep(locale)),
            None => note,
        });
    }
    r
}

/// The entry is written for messages that carry an order number.
fn takes_order(engine: &Engine, entry: u32) -> bool {
    engine.manifest().entries.get(entry as usize).is_some_and(|e| e.takes_order)
}

/// For `kefu gaps`: a message the KB could not answer, without its facts.
fn gap_record(engine: &Engine, read: &Reading, ranking: &Ranking, r: &Reply, now: Now) -> Option<GapRecord> {
    let unanswered = matches!(
        r.decision,
        Decision::Clarify { .. } | Decision::Handoff { reason: HandoffReason::LowConfidence | HandoffReason::NoQuery }
    );
    if !unanswered || !read.query.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    // Order numbers and phones are cut out: content staff need the question, not the data.
    let text = read.query.split_whitespace().collect::<Vec<_>>().join(" ");
    // Digits that may begin a card are sent masked: the next message may complete it.
    let text = if read.card_start { mask::hide_trailing_digits(&text) } else { text };
    Some(GapRecord {
        text: truncate(&text, MAX_STORED_CHARS).to_string(),
        decision: r.decision.kind().to_string(),
        top_entry: ranking.hits.first().and_then(|h| engine.entry(h.entry)).map(|e| e.id.clone()),
        locale: read.locale.tag().to_string(),
        unix_ms: now.unix_ms,
        chosen: None,
    })
}

/// For `kefu gaps`: the shopper chose entry `id` from the "did you mean" the conversation
/// offered last (tapped, or typed as "第二个"). The question that led there is a phrasing of
/// that entry the KB did not know well enough: content staff can add it to the entry.
/// `None` when `id` was not offered.
pub fn picked_gap(conv: &Conversation, id: &str, unix_ms: i64) -> Option<GapRecord> {
    let offered = conv.offered.as_ref().filter(|o| o.entries.iter().any(|e| e == id) && !o.question.is_empty())?;
    Some(GapRecord {
        text: offered.question.clone(),
        decision: gaps::PICKED.to_string(),
        top_entry: offered.entries.first().cloned(),
        locale: conv.locale.map(|l| l.tag().to_string()).unwrap_or_default(),
        unix_ms,
        chosen: Some(id.to_string()),
    })
}

/// The KB's categories, most entries first (ties by name).
fn categories(engine: &Engine) -> Vec<&str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for e in &engine.manifest().entries {
        match counts.iter_mut().find(|(c, _)| *c == e.category.as_str()) {
            Some((_, n)) => *n += 1,
            None => counts.push((e.category.as_str(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    counts.into_iter().map(|(c, _)| c).collect()
}

/// Sentence separator of a locale.
fn sep(loc: Locale) -> &'static str {
    if loc == Locale::En {
        " "
    } else {
        ""
    }
}

fn complaint_or_off_hours(settings: &crate::kb::ShopSettings, now: Now, open: bool) -> PromiseKind {
    if open {
        return PromiseKind::Complaint;
    }
    off_hours(settings, now, Triage::Complaint).unwrap_or(PromiseKind::Complaint)
}

/// The off-hours promise: a reply before the next opening, or, just before it, within the
/// time the case gets while the team works (a complaint's acknowledgement, an order
/// problem's direction; other questions the acknowledgement's) after it ([`hours`]).
fn off_hours(settings: &crate::kb::ShopSettings, now: Now, triage: Triage) -> Option<PromiseKind> {
    let p = &settings.promises;
    let after = if triage == Triage::Order { p.after_sales_minutes } else { p.complaint_minutes };
    let by = settings.hours.reply_by(now, after)?;
    let today = settings.hours.local(now).weekday() as i64;
    Some(PromiseKind::OffHours {
        days_ahead: by.days_ahead,
        weekday: (today + by.days_ahead).rem_euclid(7) as u8,
        minute: by.minute,
        near: by.near,
    })
}

fn set_promise(r: &mut Reply, kind: Option<PromiseKind>, settings: &crate::kb::ShopSettings, now: Now) {
    let Some(kind) = kind else { return };
    let p = &settings.promises;
    r.promise = Some(wording::promise(r.locale, settings.locale, kind, p, &settings.hours));
    let minutes = |m: u32| now.unix_ms.saturating_add(m as i64 * 60_000);
    r.deadline_ms = match kind {
        PromiseKind::Urgent => Some(minutes(p.urgent_minutes)),
        PromiseKind::Complaint => Some(minutes(p.complaint_minutes)),
        PromiseKind::AfterSales => Some(minutes(p.after_sales_minutes)),
        PromiseKind::Peak { minutes: m } => Some(minutes(m)),
        PromiseKind::OffHours { near, minute, .. } => {
            // The instant of the promised local time (the opening, or after it when near).
            let after = if near { (minute as u32 + 1440 - settings.hours.open.min(1439) as u32) % 1440 } else { 0 };
            settings.hours.reply_by(now, after).map(|by| by.at)
        }
    };
}

/// Turns the reply into an ask for the order number and parks the question. When the
/// shopper gave a number that does not fit the pattern, the ask says so instead of
/// pretending nothing was said.
fn ask(r: &mut Reply, conv: &mut Conversation, question: &str, locale: Locale, rejected: Option<&str>) {
    r.decision = Decision::Ask { fact: Fact::OrderNumber };
    r.message = Some(match rejected {
        Some(given) => wording::recheck_order_number(locale, given),
        None => wording::ask_order_number(locale, r.triage, r.cue),
    });
    conv.asked.push(Fact::OrderNumber);
    conv.pending =
        Some(Pending { text: truncate(question, MAX_STORED_CHARS).to_string(), triage: r.triage, cue: r.cue });
}

fn merge_facts(f: &mut Facts, found: &facts::Found) {
    if let Some(first) = found.order_numbers.first() {
        f.order_number = Some(first.clone());
    }
    for o in &found.order_numbers {
        if !f.order_numbers.contains(o) && f.order_numbers.len() < facts::MAX_ORDERS {
            f.order_numbers.push(o.clone());
        }
    }
    if let Some(p) = found.phones.last() {
        f.phone = Some(p.clone());
    }
    for p in &found.products {
        if !f.products.contains(p) && f.products.len() < 5 {
            f.products.push(p.clone());
        }
    }
}

/// `text` with the byte ranges replaced by spaces.
fn cut_spans(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for &(s, e) in spans {
        if s < last || e > text.len() {
            continue;
        }
        out.push_str(&text[last..s]);
        out.push(' ');
        last = e;
    }
    out.push_str(&text[last..]);
    out
}

/// The first `max` characters of `s`.
fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}
