//! The conversation, free of the DOM: who said what, the votes on answers, the facts the
//! reply policy remembers, and the step from a shopper's message to the bot's reply.
//! Messages name KB entries by id (not position), so a saved conversation still renders
//! after the bundle is rebuilt; the UI turns these records into DOM nodes.

use kefu_core::reply::{self, Conversation, Cue, Decision, Emotion, HandoffReason, Now, Triage};
use kefu_core::Engine;
use serde::{Deserialize, Serialize};

/// Who a message is from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum From {
    Bot,
    Shopper,
    /// A human agent (name as the agent signs).
    Agent(String),
    System,
}

/// Why the bot offers a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Offer {
    /// The KB has no good answer.
    NoMatch,
    /// The shopper asked for a person, or triage says a person must handle it.
    Requested,
    /// The KB could not be loaded or read.
    Unavailable,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// Plain text (shopper, agent).
    Text(String),
    /// The shop's greeting, rendered from the bundle in force.
    Greeting,
    /// A KB answer; `vote` is the shopper's thumbs up (true) or down (false); `human`: offer
    /// a person next to it (complaints).
    Answer { entry: String, lead: Option<String>, question: String, vote: Option<bool>, human: bool },
    /// "Did you mean" buttons; `message` is kefu-core's "which one do you mean" line.
    Clarify { lead: Option<String>, message: Option<String>, candidates: Vec<String> },
    /// The bot offers to pass the conversation to a person.
    Handoff { lead: Option<String>, message: Option<String>, promise: Option<String>, offer: Offer },
    /// The bot's own words: asking for a missing fact, small talk.
    Say { lead: Option<String>, message: String, promise: Option<String>, human: bool },
    /// A widget notice, by i18n key name (rendered in the current language).
    Notice(Notice),
    /// "How did the agent do?" 1–5 after a case is closed; the shopper's rating once given.
    Rate(Option<u8>),
    /// The case the shopper left for a human (shown on the shopper's side, with its photos
    /// and how its delivery is going).
    Case { id: String, description: String, order_number: Option<String>, photos: Vec<PhotoRef>, status: CaseStatus },
    /// An agent joined the live chat (their display name). New variants go last: a saved
    /// conversation (postcard) names variants by position.
    Joined(String),
    /// What the reply policy says under an answer: the complaint's response-time promise and
    /// its offer of a person, the order hint. Its own bubble right under the answer, so the
    /// shopper reads what `kefu ask` and `kefu chat` print (the answer stays the bot's
    /// message a vote or a pick refers to).
    Note { message: String, promise: Option<String> },
}

/// A photo of a hand-off case (its bytes and thumbnail live in IndexedDB under `id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: String,
    pub width: u32,
    pub height: u32,
}

/// How a hand-off case's delivery is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStatus {
    /// Being sent.
    Sending,
    /// Saved on the device; sent when the network or the server is back.
    Waiting,
    /// The server confirmed the case and every photo.
    Sent,
    /// Passed to the page's `handoff` event only (no server).
    Local,
    /// The server refused it for good (a 4xx): what the shopper wrote went back into the form.
    /// New variants go last (postcard names them by position).
    Refused,
    /// Nobody could be given it: no hand-off URL (or one the page's CSP blocks) and no page
    /// listener took it. Its words stay in the chat, for the shopper to copy.
    Unsent,
}

/// The widget's own notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    Thanks,
    SorryVote,
    Sent,
    SentLocal,
    Queued,
    Delivered,
    FailNetwork,
    FailCorrupt,
    FailEngine,
    CaseClosed,
    Rated,
    PhotoRefused,
    FollowUpFailed,
    /// The conversation was e-mailed to the shopper.
    MailSent,
    /// The shopper's e-mail address was stored with their case; or kept for the next one.
    EmailSaved,
    EmailKept,
    /// The server refused the shopper's case; its text is back in the form.
    Refused,
    /// The rating could not be sent (offline for a while, or refused).
    RateFailed,
    /// Text of a message kept on this device that was not a case kefu wrote is in the form.
    Unsent,
    /// What the shopper just typed was added to the case they left (no agent has joined yet).
    AddedToCase,
    /// A hand-off could not be sent from this page (no hand-off URL, or one the page's CSP
    /// blocks) and no page listener took it.
    CannotSend,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub from: From,
    pub body: Body,
    /// Milliseconds since the Unix epoch.
    pub at: f64,
}

/// Everything that survives a reload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Chat {
    pub messages: Vec<Message>,
    pub conversation: Conversation,
    /// From `kefu('identify', …)` or the hand-off form.
    pub name: Option<String>,
    pub order_number: Option<String>,
    pub contact: Option<String>,
    /// The most pressing triage class and the strongest emotion seen, and the latest
    /// response-time promise: they travel with a hand-off case.
    pub triage: Triage,
    pub emotion: Emotion,
    pub promise: Option<String>,
    /// The specific problem last recognised (`damaged`, `delay` …): it decides which
    /// hand-off fields are asked for, and tags the case.
    pub cue: Cue,
    /// Messages the KB could not answer (kefu-core's gap records), for the merchant's gaps log.
    pub gaps: Vec<reply::GapRecord>,
    /// How many of `gaps` have not been reported to the page yet.
    pub gaps_new: u32,
    /// The case handed to kefu-server, whose agent replies the widget follows.
    pub case: Option<CaseLink>,
    /// This conversation's id for kefu-server's `/api/sessions` (self-service rate).
    pub session: Option<String>,
    /// What the shopper typed after leaving a case, before an agent joined: each goes to the
    /// case as a follow-up (`POST {case}/messages`) once the case has reached the server, and
    /// leaves this list only when the server has it.
    pub held: Vec<HeldFollowUp>,
    /// The last message asked for a person ("转人工", "talk to a person"): the UI opens the
    /// hand-off form at once instead of offering a button. Not stored.
    #[serde(skip)]
    pub form_requested: bool,
    /// A message already shown changed (masked after the fact): the UI redraws the log.
    /// Not stored.
    #[serde(skip)]
    pub redraw: bool,
}

/// A message for the case the shopper left ([`Chat::held`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldFollowUp {
    /// Its `client_msg_id` (a UUID, given when it is first sent; empty until then): a retry,
    /// after a lost answer or a reload, is the same message to the server.
    pub id: String,
    /// As the bot stored it: masked.
    pub text: String,
}

/// Where to follow a hand-off case's events (kefu-server's `GET /api/cases/{id}/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseLink {
    /// The case's URL (`…/api/cases/{id}`) and its token.
    pub url: String,
    pub token: String,
    /// The last event shown (resume point after a reload).
    pub last_event: u64,
    /// The agent closed the case.
    pub closed: bool,
}

impl CaseLink {
    pub fn events_url(&self) -> String {
        format!("{}/events?token={}&last_event_id={}", self.url, self.token, self.last_event)
    }
}

/// Rank of a triage class (higher is more pressing).
pub fn triage_rank(t: Triage) -> u8 {
    match t {
        Triage::Product => 0,
        Triage::Order => 1,
        Triage::Complaint => 2,
        Triage::Urgent => 3,
        #[allow(unreachable_patterns)]
        _ => 1,
    }
}

/// Rank of an emotion (higher is stronger).
pub fn emotion_rank(e: Emotion) -> u8 {
    match e {
        Emotion::Calm => 0,
        Emotion::Anxious => 1,
        Emotion::Angry => 2,
        #[allow(unreachable_patterns)]
        _ => 1,
    }
}

impl Chat {
    /// A conversation that starts with the greeting.
    pub fn new(now: f64) -> Chat {
        Chat { messages: vec![Message { from: From::Bot, body: Body::Greeting, at: now }], ..Chat::default() }
    }

    pub fn push(&mut self, from: From, body: Body, at: f64) -> usize {
        self.messages.push(Message { from, body, at });
        self.messages.len() - 1
    }

    /// The shopper's message and the bot's reply to it. Returns the index of the first new
    /// message.
    pub fn ask(&mut self, engine: &Engine, text: &str, now: Now) -> usize {
        let first = self.push(From::Shopper, Body::Text(text.to_string()), now.unix_ms as f64);
        self.reply(engine, first, now);
        first
    }

    /// The bot's reply to the shopper's message at `index` (already in the log, e.g. asked
    /// while the bundle was loading).
    pub fn reply(&mut self, engine: &Engine, index: usize, now: Now) {
        let Some(Message { body: Body::Text(text), .. }) = self.messages.get(index) else { return };
        let text = text.clone();
        let r = reply::respond(engine, &mut self.conversation, &text, now);
        // With a case left and no agent yet, the message also goes to that case, and a reply
        // that would hand over again says it was added instead (no second form, no "leave a
        // message" for a message the case will have).
        let to_case = self.hold(&r.masked);
        self.form_requested = !to_case && matches!(r.decision, Decision::Handoff { reason: HandoffReason::Requested });
        // Store only what may be stored: kefu-core masks ID and bank card numbers.
        if r.masked != text {
            self.messages[index].body = Body::Text(r.masked.clone());
        }
        // The shopper's message before began a card this one completes: it is kept masked
        // too, here and among the messages held for the case.
        if let Some(previous) = &r.masked_previous {
            let before = self.messages[..index].iter_mut().rev().find(|m| m.from == From::Shopper);
            if let Some(Message { body: Body::Text(old), .. }) = before {
                for h in self.held.iter_mut().filter(|h| h.text == *old) {
                    h.text = previous.clone();
                }
                *old = previous.clone();
                self.redraw = true;
            }
        }
        if triage_rank(r.triage) > triage_rank(self.triage) {
            self.triage = r.triage;
        }
        if r.cue != Cue::None {
            self.cue = r.cue;
        }
        if emotion_rank(r.emotion) > emotion_rank(self.emotion) {
            self.emotion = r.emotion;
        }
        if r.promise.is_some() {
            self.promise = r.promise.clone();
        }
        // "没用" / "that didn't help" typed under an answer is a thumbs-down on it (unless the
        // shopper voted already): the agent sees it, and the hand-off form starts from the
        // question that answer missed.
        if r.decision == (Decision::Smalltalk { kind: reply::Smalltalk::NotHelpful }) {
            let last = self.messages[..index].iter_mut().rev().find(|m| matches!(m.body, Body::Answer { .. }));
            if let Some(Message { body: Body::Answer { vote: vote @ None, .. }, .. }) = last {
                *vote = Some(false);
            }
        }
        let at = now.unix_ms as f64;
        if let Some(g) = r.gap.clone() {
            self.gaps.push(g);
            self.gaps_new += 1;
        }
        let (lead, message, promise, human) = (r.lead, r.message, r.promise, r.offer_human);
        let handoff =
            |offer| Body::Handoff { lead: lead.clone(), message: message.clone(), promise: promise.clone(), offer };
        let body = match r.decision {
            Decision::Answer { entry, .. } => match engine.entry(entry) {
                Some(e) => {
                    let answer =
                        Body::Answer { entry: e.id.clone(), lead: lead.clone(), question: r.masked, vote: None, human };
                    match (message.clone(), promise.clone()) {
                        (None, None) => answer,
                        (Some(m), p) => {
                            self.push(From::Bot, answer, at);
                            Body::Note { message: m, promise: p }
                        }
                        (None, Some(p)) => {
                            self.push(From::Bot, answer, at);
                            Body::Note { message: p, promise: None }
                        }
                    }
                }
                None => handoff(Offer::NoMatch),
            },
            Decision::Clarify { candidates } => {
                let ids: Vec<String> =
                    candidates.iter().filter_map(|c| engine.entry(*c)).map(|e| e.id.clone()).collect();
                if ids.is_empty() {
                    handoff(Offer::NoMatch)
                } else {
                    Body::Clarify { lead: lead.clone(), message: message.clone(), candidates: ids }
                }
            }
            Decision::Handoff { reason } => handoff(match reason {
                HandoffReason::Requested | HandoffReason::Rule => Offer::Requested,
                _ => Offer::NoMatch,
            }),
            Decision::Ask { .. } | Decision::Smalltalk { .. } => match &message {
                Some(m) => Body::Say { lead: lead.clone(), message: m.clone(), promise: promise.clone(), human },
                None => handoff(Offer::NoMatch),
            },
            // A decision this widget does not know yet: offer a person rather than nothing.
            #[allow(unreachable_patterns)]
            _ => handoff(Offer::NoMatch),
        };
        match body {
            Body::Handoff { .. } if to_case => self.push(From::System, Body::Notice(Notice::AddedToCase), at),
            body => self.push(From::Bot, body, at),
        };
    }

    /// The case this conversation's next messages belong to until an agent joins: the last
    /// one the shopper left, on its way to the server, or there with a token to write to it
    /// by (not refused, not only handed to the page's `handoff` event, not closed). Its id.
    pub fn open_case(&self) -> Option<&str> {
        let (id, status) = self.messages.iter().rev().find_map(|m| match &m.body {
            Body::Case { id, status, .. } => Some((id.as_str(), *status)),
            _ => None,
        })?;
        let link = self.case.as_ref().filter(|c| c.url.ends_with(id));
        let open = match status {
            CaseStatus::Sending | CaseStatus::Waiting => link.is_none_or(|c| !c.closed),
            CaseStatus::Sent => link.is_some_and(|c| !c.closed && !c.token.is_empty()),
            CaseStatus::Local | CaseStatus::Refused | CaseStatus::Unsent => false,
        };
        open.then_some(id)
    }

    /// Keeps `text` (already masked) for the open case, as [`Chat::reply`] does, when the bot
    /// cannot answer it (the bundle failed). False when no case is open.
    pub fn hold_for_case(&mut self, text: &str, at: f64) -> bool {
        let held = self.hold(text);
        if held {
            self.push(From::System, Body::Notice(Notice::AddedToCase), at);
        }
        held
    }

    /// Adds `text` to [`Chat::held`] when a case is open; whether it did.
    fn hold(&mut self, text: &str) -> bool {
        let open = self.open_case().is_some();
        if open {
            self.held.push(HeldFollowUp { id: String::new(), text: text.to_string() });
        }
        open
    }

    /// The shopper picked an entry (quick reply or "did you mean"): show it without a search.
    pub fn pick(&mut self, engine: &Engine, id: &str, at: f64) -> Option<usize> {
        let e = engine.entry(engine.position_of(id)?)?;
        let first = self.push(From::Shopper, Body::Text(e.title.clone()), at);
        self.conversation.turns += 1;
        // A choice from "did you mean": the question it answers goes to the gaps log as a
        // phrasing of this entry. The list is then used up.
        if let Some(g) = reply::picked_gap(&self.conversation, &e.id, at as i64) {
            self.gaps.push(g);
            self.gaps_new += 1;
        }
        self.conversation.offered = None;
        self.push(
            From::Bot,
            Body::Answer { entry: e.id.clone(), lead: None, question: e.title.clone(), vote: None, human: false },
            at,
        );
        Some(first)
    }

    /// Sets (or clears, when the same vote is given again) the vote on answer `index`.
    /// Returns the vote now in force.
    pub fn vote(&mut self, index: usize, helpful: bool) -> Option<Option<bool>> {
        match self.messages.get_mut(index).map(|m| &mut m.body) {
            Some(Body::Answer { vote, .. }) => {
                *vote = if *vote == Some(helpful) { None } else { Some(helpful) };
                Some(*vote)
            }
            _ => None,
        }
    }

    /// `text` as the server would keep it: ID and bank-card numbers masked, the conversation's
    /// known order number kept readable (a follow-up to the agent, a message the page pushes).
    pub fn masked(&self, text: &str) -> String {
        let order = self.known_order_number();
        kefu_core::reply::mask::mask_keeping(text, &order.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// The order number to prefill: what the shopper said, else what the page told us.
    pub fn known_order_number(&self) -> Option<String> {
        self.conversation.facts.order_number.clone().or_else(|| self.order_number.clone()).or_else(|| {
            // Bundles whose reply policy found none: a run of 12–20 digits the shopper typed.
            self.messages.iter().rev().find_map(|m| match (&m.from, &m.body) {
                (From::Shopper, Body::Text(t)) => order_number_in(t),
                _ => None,
            })
        })
    }

    /// What to prefill the hand-off description with: the shopper's messages since the last
    /// answer they did not reject, newest last (at most 3), as many whole ones as the field
    /// holds ([`crate::COMPOSER_MAX`] characters): three long messages would otherwise fill it
    /// with 6,000 characters, of which the case carried only 4,000 while the chat showed all.
    /// (The transcript carries every message anyway.)
    pub fn open_question(&self) -> String {
        let mut out: Vec<&str> = Vec::new();
        let mut used = 0;
        for m in self.messages.iter().rev() {
            match (&m.from, &m.body) {
                (From::Shopper, Body::Text(t)) => {
                    used += t.chars().count() + usize::from(!out.is_empty());
                    if used > crate::COMPOSER_MAX {
                        if out.is_empty() {
                            return t.chars().take(crate::COMPOSER_MAX).collect();
                        }
                        break;
                    }
                    out.push(t)
                }
                (From::Bot, Body::Answer { vote: Some(false), .. }) => {}
                (From::Bot, Body::Answer { .. }) if !out.is_empty() => break,
                _ => {}
            }
            if out.len() == 3 {
                break;
            }
        }
        out.reverse();
        out.join("\n")
    }

    /// The agent the shopper is talking to: the last one who joined or wrote since the case
    /// was handed over, while the case is open.
    pub fn agent(&self) -> Option<&str> {
        self.case.as_ref().filter(|c| !c.closed && !c.token.is_empty())?;
        self.messages.iter().rev().take_while(|m| !matches!(m.body, Body::Case { .. })).find_map(|m| {
            match (&m.from, &m.body) {
                (_, Body::Joined(name)) => Some(name.as_str()),
                (From::Agent(name), _) => Some(name.as_str()),
                _ => None,
            }
        })
    }

    /// Shopper messages and bot answers so far (for the session beacon).
    pub fn counts(&self) -> (u32, u32) {
        let shopper = self.messages.iter().filter(|m| m.from == From::Shopper).count() as u32;
        let answered = self.messages.iter().filter(|m| matches!(m.body, Body::Answer { .. })).count() as u32;
        (shopper, answered)
    }

    /// Votes given so far: (entry id, question, helpful).
    pub fn votes(&self) -> Vec<(&str, &str, bool)> {
        self.messages
            .iter()
            .filter_map(|m| match &m.body {
                Body::Answer { entry, question, vote: Some(v), .. } => Some((entry.as_str(), question.as_str(), *v)),
                _ => None,
            })
            .collect()
    }
}

/// The first run of 12–20 ASCII digits (spaces and dashes inside allowed), digits only.
pub fn order_number_in(text: &str) -> Option<String> {
    let mut digits = String::new();
    let mut gap = false;
    let flush = |d: &mut String| {
        let ok = (12..=20).contains(&d.len());
        let out = if ok { Some(d.clone()) } else { None };
        d.clear();
        out
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            gap = false;
        } else if (c == ' ' || c == '-') && !digits.is_empty() && !gap {
            gap = true;
        } else if let Some(n) = flush(&mut digits) {
            return Some(n);
        } else {
            gap = false;
        }
    }
    flush(&mut digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(entry: &str, q: &str) -> Body {
        Body::Answer { entry: entry.into(), lead: None, question: q.into(), vote: None, human: false }
    }

    #[test]
    fn finds_order_numbers() {
        assert_eq!(order_number_in("订单 2024052112345678 还没到"), Some("2024052112345678".into()));
        assert_eq!(order_number_in("order 2024-0521-1234-5678 please"), Some("2024052112345678".into()));
        assert_eq!(order_number_in("call 123456"), None);
        assert_eq!(order_number_in("3 items, 12 days"), None);
    }

    #[test]
    fn votes_toggle() {
        let mut c = Chat::new(0.0);
        c.push(From::Bot, answer("a", "q"), 0.0);
        assert_eq!(c.vote(1, true), Some(Some(true)));
        assert_eq!(c.vote(1, true), Some(None));
        assert_eq!(c.vote(1, false), Some(Some(false)));
        assert_eq!(c.vote(0, true), None);
        assert_eq!(c.votes(), vec![("a", "q", false)]);
    }

    #[test]
    fn agent_is_who_joined_or_wrote_last_while_the_case_is_open() {
        let mut c = Chat::new(0.0);
        let case = |id: &str| Body::Case {
            id: id.into(),
            description: "d".into(),
            order_number: None,
            photos: vec![],
            status: CaseStatus::Sent,
        };
        c.push(From::Shopper, case("c1"), 0.0);
        c.push(From::System, Body::Joined("Lily".into()), 0.0);
        assert_eq!(c.agent(), None, "no case followed");
        c.case = Some(CaseLink { url: "u".into(), token: "t".into(), last_event: 0, closed: false });
        assert_eq!(c.agent(), Some("Lily"));
        c.push(From::Agent("Bob".into()), Body::Text("hi".into()), 0.0);
        assert_eq!(c.agent(), Some("Bob"));
        c.push(From::Shopper, case("c2"), 0.0);
        assert_eq!(c.agent(), None, "a new case starts without an agent");
        c.push(From::System, Body::Joined("Wu".into()), 0.0);
        assert_eq!(c.agent(), Some("Wu"));
        c.case.as_mut().unwrap().closed = true;
        assert_eq!(c.agent(), None, "closed: back to the bot");
    }

    #[test]
    fn messages_after_a_case_is_left_are_held_for_it_until_it_is_closed() {
        let mut c = Chat::new(0.0);
        let case = |id: &str, status| Body::Case {
            id: id.into(),
            description: "d".into(),
            order_number: None,
            photos: vec![],
            status,
        };
        assert_eq!(c.open_case(), None);
        assert!(!c.hold_for_case("more", 0.0), "no case: nothing held");
        // On its way (saved on the device, waiting for the network) or delivered: held.
        let link = CaseLink { url: "/api/cases/c1".into(), token: "t".into(), last_event: 0, closed: false };
        for status in [CaseStatus::Sending, CaseStatus::Waiting, CaseStatus::Sent] {
            let mut c = c.clone();
            c.case = (status == CaseStatus::Sent).then(|| link.clone());
            c.push(From::Shopper, case("c1", status), 0.0);
            assert_eq!(c.open_case(), Some("c1"));
            assert!(c.hold_for_case("还有 枕头也脏了", 1.0));
            assert_eq!(c.held, [HeldFollowUp { id: String::new(), text: "还有 枕头也脏了".into() }]);
            assert_eq!(c.messages.last().unwrap().body, Body::Notice(Notice::AddedToCase));
        }
        // Refused (its words went back into the form), or only handed to the page: no case.
        for status in [CaseStatus::Refused, CaseStatus::Local] {
            let mut c = c.clone();
            c.push(From::Shopper, case("c1", status), 0.0);
            assert_eq!(c.open_case(), None, "{status:?}");
        }
        // Delivered: open once the server's token is known, to write to the case with.
        c.push(From::Shopper, case("c1", CaseStatus::Sent), 0.0);
        assert_eq!(c.open_case(), None, "a receiver that gave no token");
        c.case = Some(CaseLink { url: "/api/cases/c1".into(), token: "t".into(), last_event: 0, closed: false });
        assert_eq!(c.open_case(), Some("c1"));
        // Closed: back to the bot; a new case is open again although the old link is closed.
        c.case.as_mut().unwrap().closed = true;
        assert_eq!(c.open_case(), None);
        c.push(From::Shopper, case("c2", CaseStatus::Sending), 0.0);
        assert_eq!(c.open_case(), Some("c2"));
    }

    #[test]
    fn open_question_collects_unanswered() {
        let mut c = Chat::new(0.0);
        c.push(From::Shopper, Body::Text("one".into()), 0.0);
        c.push(From::Bot, answer("a", "one"), 0.0);
        c.push(From::Shopper, Body::Text("two".into()), 0.0);
        c.push(From::Bot, Body::Handoff { lead: None, message: None, promise: None, offer: Offer::NoMatch }, 0.0);
        c.push(From::Shopper, Body::Text("three".into()), 0.0);
        assert_eq!(c.open_question(), "two\nthree");
    }

    #[test]
    fn open_question_fits_the_description_field() {
        let long = |i: usize| format!("{i} {}", "do you sell cars ".repeat(200)).chars().take(1990).collect::<String>();
        let mut c = Chat::new(0.0);
        for i in 0..3 {
            c.push(From::Shopper, Body::Text(long(i)), 0.0);
        }
        // Only the newest of the three fits in 2,000 characters; a short one after it too.
        assert_eq!(c.open_question(), long(2));
        c.push(From::Shopper, Body::Text("trucks?".into()), 0.0);
        assert_eq!(c.open_question(), format!("{}\ntrucks?", long(2)));
        assert!(c.open_question().chars().count() <= crate::COMPOSER_MAX);
        // A message longer than the field (an older widget kept it) is cut to it.
        let mut c = Chat::new(0.0);
        c.push(From::Shopper, Body::Text("x".repeat(3000)), 0.0);
        assert_eq!(c.open_question().chars().count(), crate::COMPOSER_MAX);
    }
}
