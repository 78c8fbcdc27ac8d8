//! Hand-off to a human: the case the shopper leaves (description, order number, contact,
//! photos, the transcript and the votes) in kefu-server's `POST /api/cases` shape, and the
//! richer payload of the page's `handoff` event. Delivery (IndexedDB outbox, retries, photo
//! uploads) is [`crate::outbox`]; the form is [`crate::intake`].

use crate::chat::{Body, Chat, From, Notice, Offer};
use crate::i18n::{t, tf, Key, Lang};
use kefu_core::reply::{Cue, Emotion, GapRecord, Triage};
use kefu_core::Engine;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Prefix of the loader's fallback outbox in `localStorage` (value: the JSON body to POST);
/// the widget moves such cases into its own outbox when it starts.
pub const OUTBOX_PREFIX: &str = "kefu.outbox.";

/// A photo of the case, as the widget produced it (re-encoded JPEG).
#[derive(Debug, Clone, Default)]
pub struct Photo {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub size: u32,
    pub sha256: String,
}

/// What the shopper typed into the hand-off form.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub description: String,
    pub order_number: String,
    pub contact: String,
    /// The e-mail address the shopper chose to leave (checked), or empty.
    pub email: String,
    pub photos: Vec<Photo>,
}

/// A case ready to go: its id, the body for `POST data-handoff-url` (kefu-server's
/// `/api/cases` shape: snake_case, `role`/`text`/`at` transcript, announced `attachments`),
/// and the richer payload of the page's `handoff` event (camelCase, with the votes, KB gaps
/// and photo details, as a JS object).
pub struct Case {
    pub id: String,
    pub body: String,
    pub event: JsValue,
}

/// A random UUID v4 (kefu-server wants case ids in that form).
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    for x in &mut b {
        *x = (js_sys::Math::random() * 256.0) as u8;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn triage_name(t: Triage) -> &'static str {
    match crate::chat::triage_rank(t) {
        3 => "urgent",
        2 => "complaint",
        1 => "order",
        _ => "product",
    }
}

fn cue_tag(c: Cue) -> Option<String> {
    Some(c.name()).filter(|n| !n.is_empty()).map(|n| n.replace('_', "-"))
}

fn emotion_name(e: Emotion) -> &'static str {
    match crate::chat::emotion_rank(e) {
        2 => "angry",
        1 => "anxious",
        _ => "calm",
    }
}

/// `POST data-handoff-url`: kefu-server's `/api/cases` body (snake_case).
#[derive(Serialize)]
pub(crate) struct CaseBody<'a> {
    pub id: &'a str,
    pub locale: &'a str,
    /// The last 200 messages, each clipped to 4000 characters.
    pub transcript: Vec<BodyLine<'a>>,
    pub order_number: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub description: String,
    pub triage: &'a str,
    pub emotion: &'a str,
    pub promise: Option<&'a str>,
    /// The ids of the photos, uploaded after the case (`PUT {case}/attachments/{id}`).
    pub attachments: Vec<&'a str>,
    /// `handoff:<reason>`, then the cue (`damaged`, `wrong-item` …) if any.
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_session: Option<&'a str>,
    /// The shopper's e-mail address, when they left one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
}

/// One transcript line of [`CaseBody`] (`at`: Unix ms).
#[derive(Serialize)]
pub(crate) struct BodyLine<'a> {
    pub role: &'a str,
    pub text: String,
    pub at: f64,
}

/// The page's `handoff` event (camelCase; `null` for what is not known).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CaseEvent<'a> {
    pub id: &'a str,
    pub created_at: String,
    pub shop: &'a str,
    pub locale: &'a str,
    pub page: &'a str,
    pub reason: &'a str,
    pub cue: Option<String>,
    pub triage: &'a str,
    pub emotion: &'a str,
    pub name: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub order_number: Option<&'a str>,
    pub description: &'a str,
    pub transcript: Vec<EventLine<'a>>,
    pub votes: Vec<Vote<'a>>,
    /// kefu-core's gap records, with their own (snake_case) field names.
    pub gaps: &'a [GapRecord],
    pub photos: Vec<PhotoInfo<'a>>,
}

/// One transcript line of [`CaseEvent`] (`at`: ISO 8601); `agent` and `entry` only when set.
#[derive(Serialize)]
pub(crate) struct EventLine<'a> {
    pub from: &'a str,
    pub text: &'a str,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<&'a str>,
}

/// A 👍/👎 the shopper gave an answer.
#[derive(Serialize)]
pub(crate) struct Vote<'a> {
    pub entry: &'a str,
    pub question: &'a str,
    pub helpful: bool,
}

/// A photo in the `handoff` event (the widget adds its `blob`).
#[derive(Serialize)]
pub(crate) struct PhotoInfo<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub width: u32,
    pub height: u32,
    pub size: u32,
    pub sha256: &'a str,
}

/// Builds the case from the conversation and the form.
pub fn case(chat: &Chat, engine: Option<&Engine>, lang: Lang, reason: &str, form: &Form) -> Case {
    let id = uuid_v4();
    let now = js_sys::Date::now();
    let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let shop = engine.map(|e| e.manifest().settings.name.as_str()).unwrap_or("");
    let trimmed = |s: &str| Some(sendable(s, false).trim().to_string()).filter(|s| !s.is_empty());
    let (contact, order, description) =
        (trimmed(&form.contact), trimmed(&form.order_number), sendable(&form.description, true).trim().to_string());
    // (role, agent name, text, time, KB entry)
    type Line<'a> = (&'static str, Option<&'a str>, String, f64, Option<&'a str>);
    let transcript: Vec<Line> = chat
        .messages
        .iter()
        .map(|m| {
            let (role, agent) = match &m.from {
                From::Bot => ("bot", None),
                From::Shopper => ("shopper", None),
                From::Agent(name) => ("agent", Some(name.as_str())),
                From::System => ("system", None),
            };
            let entry = match &m.body {
                Body::Answer { entry, .. } => Some(entry.as_str()),
                _ => None,
            };
            (role, agent, sendable(&plain_text(&m.body, engine, lang), true), m.at, entry)
        })
        .collect();

    let (triage, emotion) = (triage_name(chat.triage), emotion_name(chat.emotion));
    let promise = chat.promise.as_deref().map(|p| sendable(p, true));
    let mut lines: Vec<BodyLine> = transcript
        .iter()
        .rev()
        .take(MAX_LINES)
        .rev()
        .map(|(role, _, text, at, _)| BodyLine { role, text: clip(text, 4000), at: at.floor() })
        .collect();
    fit_lines(&mut lines, LINES_BUDGET);
    // The agent is told when the transcript starts mid-conversation.
    if lines.len() < transcript.len() {
        if lines.len() == MAX_LINES {
            lines.remove(0);
        }
        let at = lines.first().map_or(now.floor(), |l| l.at);
        let n = (transcript.len() - lines.len()).to_string();
        lines.insert(0, BodyLine { role: "system", text: tf(lang, Key::TranscriptCut, &[("n", &n)]), at });
    }
    let body = CaseBody {
        id: &id,
        locale: lang.tag(),
        transcript: lines,
        order_number: order.as_deref(),
        contact: contact.as_deref(),
        description: clip(&description, 4000),
        triage,
        emotion,
        promise: promise.as_deref(),
        attachments: form.photos.iter().map(|p| p.id.as_str()).collect(),
        tags: std::iter::once(format!("handoff:{reason}")).chain(cue_tag(chat.cue)).collect(),
        bot_session: chat.session.as_deref(),
        email: Some(form.email.trim()).filter(|e| !e.is_empty()),
    };
    let event = CaseEvent {
        id: &id,
        created_at: iso(now),
        shop,
        locale: lang.tag(),
        page: &page,
        reason,
        cue: cue_tag(chat.cue),
        triage,
        emotion,
        name: chat.name.as_deref(),
        contact: contact.as_deref(),
        order_number: order.as_deref(),
        description: &description,
        transcript: transcript
            .iter()
            .map(|(from, agent, text, at, entry)| EventLine { from, text, at: iso(*at), agent: *agent, entry: *entry })
            .collect(),
        votes: chat.votes().into_iter().map(|(entry, question, helpful)| Vote { entry, question, helpful }).collect(),
        gaps: &chat.gaps,
        photos: form
            .photos
            .iter()
            .map(|p| PhotoInfo {
                id: &p.id,
                kind: "image/jpeg",
                width: p.width,
                height: p.height,
                size: p.size,
                sha256: &p.sha256,
            })
            .collect(),
    };
    let (body, event) = (crate::to_json(&body), crate::to_js(&event));
    Case { id, body, event }
}

/// The most transcript lines kefu-server takes.
pub const MAX_LINES: usize = 200;
/// kefu-server's limit on a JSON body: larger ones are refused (`413 body_too_large`), and a
/// refused case is lost.
pub const MAX_JSON_BODY: usize = 256 * 1024;
/// What the transcript lines of a case or a transcript mail may take: the limit less room for
/// the rest of the body (a description of 4,000 characters, order number, contact, promise,
/// ids, tags, e-mail), which is far less.
pub const LINES_BUDGET: usize = MAX_JSON_BODY - 48 * 1024;

/// The bytes `s` takes as a JSON string, quotes included, as `JSON.stringify` writes it
/// (UTF-8; `"`, `\\` and control characters escaped).
pub fn json_len(s: &str) -> usize {
    let inner: usize = s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum();
    inner + 2
}

/// Drops the oldest `lines` until their JSON takes at most `budget` bytes (a conversation of
/// long messages, Chinese at three bytes a character, passes 256 KiB well before 200 lines);
/// returns how many went.
pub(crate) fn fit_lines(lines: &mut Vec<BodyLine>, budget: usize) -> usize {
    // `{"role":…,"text":…,"at":…},` around the two strings: 24 bytes and a time of at most 24.
    let size = |l: &BodyLine| json_len(l.role) + json_len(&l.text) + 48;
    let mut total: usize = lines.iter().map(size).sum();
    let mut cut = 0;
    while total > budget && cut < lines.len() {
        total -= size(&lines[cut]);
        cut += 1;
    }
    lines.drain(..cut);
    cut
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// `s` as kefu-server takes it. The server refuses a text holding a control character other
/// than `\n`, `\t`, `\r` (and a one-line value any control character) with `422`, and a
/// refused case is dropped: text pasted from Word (U+000B for a line break), a PDF, a
/// terminal (ESC) or a mis-decoded page (U+0085) would cost the shopper the whole case. The
/// line breaks among them (VT, FF, NEL, and in a one-line value `\n`, `\r`, `\t`) become
/// `\n` or a space; other control characters, which nobody can see, go.
pub fn sendable(s: &str, multiline: bool) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\t' | '\r' if multiline => Some(c),
            '\u{000B}' | '\u{000C}' | '\u{0085}' if multiline => Some('\n'),
            '\n' | '\t' | '\r' | '\u{000B}' | '\u{000C}' | '\u{0085}' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

fn iso(ms: f64) -> String {
    js_sys::Date::new(&JsValue::from_f64(ms)).to_iso_string().into()
}

/// A message as an agent reads it in the transcript.
pub fn plain_text(body: &Body, engine: Option<&Engine>, lang: Lang) -> String {
    let entry = |id: &str| engine.and_then(|e| e.position_of(id).and_then(|p| e.entry(p)));
    let join = |parts: &[Option<&str>]| parts.iter().flatten().copied().collect::<Vec<_>>().join("\n");
    match body {
        Body::Text(t) => t.clone(),
        Body::Greeting => engine
            .map(|e| e.manifest().settings.greeting.clone())
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| t(lang, Key::DefaultGreeting).to_string()),
        Body::Answer { entry: id, lead, .. } => {
            let text = entry(id).map(|e| e.answer.plain_text()).unwrap_or_else(|| format!("[{id}]"));
            join(&[lead.as_deref(), Some(&text)])
        }
        Body::Clarify { lead, message, candidates } => {
            let titles: Vec<String> =
                candidates.iter().map(|id| entry(id).map(|e| e.title.clone()).unwrap_or_else(|| id.clone())).collect();
            let msg = message.as_deref().unwrap_or(t(lang, Key::DidYouMean));
            join(&[lead.as_deref(), Some(msg), Some(&titles.join(" / "))])
        }
        Body::Handoff { lead, message, promise, offer } => {
            join(&[lead.as_deref(), Some(offer_text(*offer, message.as_deref(), lang)), promise.as_deref()])
        }
        Body::Say { lead, message, promise, .. } => join(&[lead.as_deref(), Some(message), promise.as_deref()]),
        Body::Note { message, promise } => join(&[Some(message), promise.as_deref()]),
        Body::Notice(n) => t(lang, notice_key(*n)).to_string(),
        Body::Case { description, order_number, photos, .. } => {
            let order = order_number.as_ref().map(|o| format!("{} {o}", t(lang, Key::FormOrder)));
            let photos = (!photos.is_empty()).then(|| format!("[{} × {}]", t(lang, Key::PhotoAlt), photos.len()));
            join(&[Some(description.as_str()), order.as_deref(), photos.as_deref()])
        }
        Body::Joined(name) => tf(lang, Key::AgentJoined, &[("name", name)]),
        Body::Rate(r) => match r {
            Some(r) => format!("{} {r}/5", t(lang, Key::RatePrompt)),
            None => t(lang, Key::RatePrompt).to_string(),
        },
    }
}

/// What a hand-off offer says, in the panel and in the transcript alike: the policy's own
/// words, or the widget's for the kind of offer (with the bundle down, always the widget's).
pub fn offer_text(offer: Offer, message: Option<&str>, lang: Lang) -> &str {
    let key = match offer {
        Offer::NoMatch => Key::NoMatch,
        Offer::Requested => Key::HumanOffer,
        Offer::Unavailable => return t(lang, Key::FailEngine),
    };
    message.unwrap_or(t(lang, key))
}

pub fn notice_key(n: Notice) -> Key {
    match n {
        Notice::Thanks => Key::Thanks,
        Notice::SorryVote => Key::SorryVote,
        Notice::Sent => Key::Sent,
        Notice::SentLocal => Key::SentLocal,
        Notice::Queued => Key::Queued,
        Notice::Delivered => Key::Delivered,
        Notice::FailNetwork => Key::FailNetwork,
        Notice::FailCorrupt => Key::FailCorrupt,
        Notice::FailEngine => Key::FailEngine,
        Notice::CaseClosed => Key::CaseClosed,
        Notice::Rated => Key::Rated,
        Notice::PhotoRefused => Key::PhotoRefused,
        Notice::FollowUpFailed => Key::FollowUpFailed,
        Notice::MailSent => Key::MailSent,
        Notice::Refused => Key::Refused,
        Notice::RateFailed => Key::RateFailed,
        Notice::Unsent => Key::Unsent,
        Notice::AddedToCase => Key::AddedToCase,
        Notice::CannotSend => Key::CannotSend,
        Notice::EmailSaved => Key::EmailSaved,
        Notice::EmailKept => Key::EmailKept,
    }
}

/// Sends the shopper's 1–5 rating of a closed case (`POST {case}/rating`, Bearer token).
pub async fn rate(case_url: String, token: String, rating: u8) -> Option<u16> {
    #[derive(Serialize)]
    struct Rating {
        rating: u8,
    }
    let body = crate::to_json(&Rating { rating });
    post_with_token(&format!("{case_url}/rating"), &token, &body).await
}

/// `GET {case}` with the case token: the HTTP status, `None` when the network failed.
pub async fn case_state(case_url: &str, token: &str) -> Option<u16> {
    crate::net::status("GET", case_url, None, Some(token)).await
}

/// `POST {case}/messages` (a shopper follow-up): the HTTP status, `None` when the network
/// failed.
pub async fn post_message(case_url: &str, token: &str, body: &str) -> Option<u16> {
    post_with_token(&format!("{case_url}/messages"), token, body).await
}

/// A JSON `POST` with the case token: the HTTP status, `None` when the network failed.
async fn post_with_token(url: &str, token: &str, body: &str) -> Option<u16> {
    crate::net::status("POST", url, Some(body), Some(token)).await
}

/// The session beacon (kefu-server's `POST /api/sessions`): fire and forget, `keepalive`
/// so it survives the page unloading.
pub fn beacon(url: &str, body: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(req) = crate::net::request("POST", url, Some(body), None, true) else { return };
    let p = window.fetch_with_request(&req);
    // Failures are fine: the next beacon carries the same (growing) counters.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_len_is_the_length_of_the_json_string() {
        for s in
            ["", "abc", "退货", "a\"b\\c\n\r\t\u{8}\u{c}", "\u{1}\u{1f}\u{7f}", "👩\u{200D}👩 \u{2028}", "<script>"]
        {
            assert_eq!(json_len(s), serde_json::to_string(s).unwrap().len(), "{s:?}");
        }
    }

    #[test]
    fn long_conversations_are_cut_from_the_start_to_fit_the_server_body_limit() {
        let long = "我的订单还没到，已经等了很久很久，".repeat(120);
        let mut lines: Vec<BodyLine> = (0..150)
            .map(|i| BodyLine { role: "shopper", text: format!("{i} {long}"), at: 1.7e12 + i as f64 })
            .collect();
        let json = |l: &[BodyLine]| serde_json::to_string(l).unwrap().len();
        assert!(json(&lines) > MAX_JSON_BODY, "the test needs a transcript over the limit");
        let texts: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
        let cut = fit_lines(&mut lines, LINES_BUDGET);
        assert!(cut > 0 && json(&lines) <= LINES_BUDGET, "{}", json(&lines));
        assert_eq!(cut + lines.len(), 150);
        // Only as many as needed, the oldest: the last line dropped would not have fitted.
        let one_more: Vec<BodyLine> =
            texts[cut - 1..].iter().map(|t| BodyLine { role: "shopper", text: t.clone(), at: 1.7e12 }).collect();
        assert!(json(&one_more) > LINES_BUDGET - 48 * one_more.len());
        assert!(lines[0].text.starts_with(&format!("{cut} ")));
        assert!(lines.last().unwrap().text.starts_with("149 "));
        // A short conversation is left alone.
        let mut short = lines.split_off(lines.len() - 3);
        assert_eq!(fit_lines(&mut short, LINES_BUDGET), 0);
        assert_eq!(short.len(), 3);
    }

    #[test]
    fn sendable_text_has_no_control_character_the_server_refuses() {
        // What kefu-server's check_text refuses (crates/kefu-server/src/api.rs).
        let refused = |s: &str, multiline: bool| {
            s.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t' | '\r')))
        };
        let typed = "my cup\u{0007} arrived\u{000B}broken\u{001B}[31m\u{0000}\u{0085}!\u{007F}\u{009F}\n\tok\r";
        assert!(refused(typed, true));
        let multi = sendable(typed, true);
        assert!(!refused(&multi, true), "{multi:?}");
        assert_eq!(multi, "my cup arrived\nbroken[31m\n!\n\tok\r");
        let line = sendable(typed, false);
        assert!(!refused(&line, false), "{line:?}");
        assert_eq!(line, "my cup arrived broken[31m !  ok ");
        // Everything else is left as typed: emoji, RTL, CJK, combining marks, bidi controls
        // (the server removes those itself).
        let fine = "退貨 👩\u{200D}👩\u{200D}👧 مرحبا e\u{0301} \u{202E}x\u{202C}";
        assert_eq!(sendable(fine, true), fine);
        assert_eq!(sendable(fine, false), fine);
    }

    /// The wire names the server and the page's `handoff` callback rely on.
    #[test]
    fn the_transcript_says_what_the_panel_said() {
        use crate::chat::Offer;
        let said = |offer, message: Option<&str>| {
            let body = Body::Handoff { lead: None, message: message.map(String::from), promise: None, offer };
            plain_text(&body, None, Lang::ZhCn)
        };
        // With the bundle down the shopper was told so, whatever the policy would have said.
        assert_eq!(said(Offer::Unavailable, None), t(Lang::ZhCn, Key::FailEngine));
        assert_eq!(said(Offer::Unavailable, Some("x")), t(Lang::ZhCn, Key::FailEngine));
        assert_eq!(said(Offer::NoMatch, None), t(Lang::ZhCn, Key::NoMatch));
        assert_eq!(said(Offer::Requested, Some("好的")), "好的");
    }

    #[test]
    fn case_payload_field_names() {
        let body = CaseBody {
            id: "c1",
            locale: "en",
            transcript: vec![BodyLine { role: "shopper", text: "a\"<".into(), at: 1_700_000_000_123.0 }],
            order_number: None,
            contact: Some("x@y.z"),
            description: "broken".into(),
            triage: "complaint",
            emotion: "calm",
            promise: None,
            attachments: vec!["p1"],
            tags: vec!["handoff:requested".into(), "damaged".into()],
            bot_session: None,
            email: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"id":"c1","locale":"en","transcript":[{"role":"shopper","text":"a\"<","at":1700000000123.0}],"order_number":null,"contact":"x@y.z","description":"broken","triage":"complaint","emotion":"calm","promise":null,"attachments":["p1"],"tags":["handoff:requested","damaged"]}"#
        );
        let gaps = [GapRecord { text: "q".into(), decision: "handoff".into(), ..Default::default() }];
        let event = CaseEvent {
            id: "c1",
            created_at: "2026-01-01T00:00:00.000Z".into(),
            shop: "S",
            locale: "en",
            page: "https://s/",
            reason: "requested",
            cue: None,
            triage: "order",
            emotion: "calm",
            name: Some("Li"),
            contact: None,
            order_number: Some("42"),
            description: "d",
            transcript: vec![
                EventLine { from: "agent", text: "t", at: "T".into(), agent: Some("Wu"), entry: None },
                EventLine { from: "bot", text: "t", at: "T".into(), agent: None, entry: Some("e1") },
            ],
            votes: vec![Vote { entry: "e1", question: "q", helpful: true }],
            gaps: &gaps,
            photos: vec![PhotoInfo { id: "p1", kind: "image/jpeg", width: 2, height: 3, size: 4, sha256: "ab" }],
        };
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            concat!(
                r#"{"id":"c1","createdAt":"2026-01-01T00:00:00.000Z","shop":"S","locale":"en","page":"https://s/","#,
                r#""reason":"requested","cue":null,"triage":"order","emotion":"calm","name":"Li","contact":null,"#,
                r#""orderNumber":"42","description":"d","transcript":[{"from":"agent","text":"t","at":"T","agent":"Wu"},"#,
                r#"{"from":"bot","text":"t","at":"T","entry":"e1"}],"votes":[{"entry":"e1","question":"q","helpful":true}],"#,
                r#""gaps":[{"text":"q","decision":"handoff","top_entry":null,"locale":"","unix_ms":0,"chosen":null}],"#,
                r#""photos":[{"id":"p1","type":"image/jpeg","width":2,"height":3,"size":4,"sha256":"ab"}]}"#
            )
        );
        assert_eq!(serde_json::to_string(&event.gaps[0]).unwrap(), gaps[0].to_json());
    }
}
