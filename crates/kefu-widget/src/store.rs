//! Persistence: the conversation lives in `sessionStorage` (one tab, survives navigations
//! and reloads, gone when the tab closes), encoded as postcard bytes in base64 — the wasm
//! already carries postcard for the bundle manifest, so this costs almost nothing.
//! Each save also keeps the conversation in IndexedDB for other tabs and later visits
//! ([`crate::history`]).
//! The open hand-off case (where to follow agent replies) is also kept in `localStorage`,
//! so the next visit shows what the agent wrote meanwhile. Hand-off cases and photos that
//! still have to be delivered live in IndexedDB ([`crate::outbox`]).
//! Storage that is missing or full (private mode, quotas) only means nothing is remembered.

use crate::chat::{CaseLink, Chat};
use web_sys::Storage;

/// Key of the saved conversation.
pub const CHAT_KEY: &str = "kefu.v2.chat";
/// The layout of a saved [`Chat`], written before its bytes (`"3."` + base64). postcard has
/// no field names: bytes of another layout would fail to decode, or worse decode into a
/// wrong conversation, so this changes whenever `Chat` or anything in it does (3: the
/// conversation's offered entries and the gap records' chosen entry; 4: its urgent problem;
/// 5: messages held for the case the shopper left).
pub const LAYOUT: &str = "5";
/// Key of the hand-off case the widget follows (`localStorage`).
pub const CASE_KEY: &str = "kefu.v1.case";
/// When the shopper last started a new conversation (ms since the epoch, `localStorage`):
/// photo drafts made before it are gone even if deleting them had not finished.
pub const DRAFTS_CLEARED_KEY: &str = "kefu.v1.drafts-cleared";
/// Key the loader reads to reopen the panel after a navigation (`"1"` when open).
pub const OPEN_KEY: &str = "kefu.v1.open";
/// The e-mail address the shopper left (`sessionStorage`: this tab only).
pub const EMAIL_KEY: &str = "kefu.v1.email";

fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The saved conversation, if there is one that this version can read.
pub fn load() -> Option<Chat> {
    let text = session()?.get_item(CHAT_KEY).ok().flatten()?;
    decode_or_warn(&text)
}

/// Saves the conversation for this tab, and for other tabs and later visits
/// ([`crate::history`], IndexedDB).
pub fn save(chat: &Chat) {
    let data = encode(chat);
    if let Some(s) = session() {
        let _ = s.set_item(CHAT_KEY, &data);
    }
    crate::history::save(chat, data);
}

pub fn clear() {
    if let Some(s) = session() {
        let _ = s.remove_item(CHAT_KEY);
    }
}

/// Marks every photo draft made until now as discarded (synchronous, so a reload right after
/// "new conversation" cannot bring them back while their deletion is still under way).
pub fn mark_drafts_cleared(at_ms: f64) {
    if let Some(s) = local() {
        let _ = s.set_item(DRAFTS_CLEARED_KEY, &format!("{at_ms}"));
    }
}

/// Puts the drafts-cleared marker back to `now` when it lies in the future: the device's
/// clock was ahead when the shopper started a new conversation and has been put right since.
/// Left there, it would keep every conversation started before the clock catches up (days,
/// a year) from being kept for other tabs and visits, since [`crate::history::save`] skips
/// conversations started before it. Called when the widget starts, before its conversation.
pub fn settle_drafts_cleared(now: f64) {
    if let Some(at) = settled_marker(drafts_cleared_at(), now) {
        mark_drafts_cleared(at);
    }
}

/// The marker to write instead of `at` (`None`: `at` is not in the future).
pub(crate) fn settled_marker(at: f64, now: f64) -> Option<f64> {
    (at > now).then_some(now)
}

/// When drafts were last discarded (0 when never).
pub fn drafts_cleared_at() -> f64 {
    local().and_then(|s| s.get_item(DRAFTS_CLEARED_KEY).ok().flatten()).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

/// `localStorage`, when the browser lets the page use it.
pub(crate) fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The followed case from an earlier visit, if any (JSON `{url, token, lastEvent, closed}`).
pub fn load_case() -> Option<CaseLink> {
    let text = local()?.get_item(CASE_KEY).ok().flatten()?;
    let v = js_sys::JSON::parse(&text).ok()?;
    let get = |k: &str| crate::get(&v, k);
    Some(CaseLink {
        url: get("url").as_string()?,
        token: get("token").as_string()?,
        last_event: get("lastEvent").as_f64().unwrap_or(0.0) as u64,
        closed: get("closed").as_bool().unwrap_or(false),
    })
}

/// Remembers the followed case (`None` forgets it).
pub fn save_case(case: Option<&CaseLink>) {
    let Some(s) = local() else { return };
    let _ = match case {
        Some(c) => {
            #[derive(serde::Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Saved<'a> {
                url: &'a str,
                token: &'a str,
                last_event: u64,
                closed: bool,
            }
            let saved = Saved { url: &c.url, token: &c.token, last_event: c.last_event, closed: c.closed };
            s.set_item(CASE_KEY, &crate::to_json(&saved))
        }
        None => s.remove_item(CASE_KEY),
    };
}

/// What the shopper has typed and not sent yet (`sessionStorage`: this tab).
pub const TYPED_KEY: &str = "kefu.v1.typed";

/// Text typed into the composer and the hand-off form and not sent yet, and whether the form
/// was open: a reload or a navigation in the tab (a phone that dropped the page while the
/// shopper was in the photo gallery, a click on the shop's own menu) gives it back.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Typed {
    pub input: String,
    pub description: String,
    pub order: String,
    pub contact: String,
    pub email: String,
    pub form_open: bool,
}

impl Typed {
    /// As it may be kept: ID and bank card numbers masked as they would be on sending (the
    /// order number kept readable), like everything else the widget keeps.
    pub fn masked(&self) -> Typed {
        let order = kefu_core::reply::mask::order_number(&self.order);
        let keep = [order.as_str()];
        Typed {
            input: kefu_core::reply::mask::mask_keeping(&self.input, &keep),
            description: kefu_core::reply::mask::mask_keeping(&self.description, &keep),
            contact: kefu_core::reply::mask::mask_keeping(&self.contact, &keep),
            email: self.email.clone(),
            order,
            form_open: self.form_open,
        }
    }

    fn is_empty(&self) -> bool {
        *self == Typed::default()
    }
}

/// Keeps what the shopper has typed for this tab (nothing when there is nothing).
pub fn save_typed(typed: &Typed) {
    let Some(s) = session() else { return };
    let _ = if typed.is_empty() {
        s.remove_item(TYPED_KEY)
    } else {
        s.set_item(TYPED_KEY, &crate::to_json(&typed.masked()))
    };
}

/// What the shopper had typed in this tab before a reload or a navigation.
pub fn load_typed() -> Option<Typed> {
    let text = session()?.get_item(TYPED_KEY).ok().flatten()?;
    serde_wasm_bindgen::from_value(js_sys::JSON::parse(&text).ok()?).ok()
}

/// The e-mail address the shopper left in this tab, if any.
pub fn load_email() -> Option<String> {
    session()?.get_item(EMAIL_KEY).ok().flatten().filter(|e| !e.is_empty())
}

/// Remembers (or with `None` forgets) the shopper's e-mail address for this tab.
pub fn save_email(email: Option<&str>) {
    if let Some(s) = session() {
        let _ = match email {
            Some(e) => s.set_item(EMAIL_KEY, e),
            None => s.remove_item(EMAIL_KEY),
        };
    }
}

pub fn set_open(open: bool) {
    if let Some(s) = session() {
        let _ = if open { s.set_item(OPEN_KEY, "1") } else { s.remove_item(OPEN_KEY) };
    }
}

pub fn encode(chat: &Chat) -> String {
    format!("{LAYOUT}.{}", base64(&postcard::to_allocvec(chat).unwrap_or_default()))
}

/// The conversation saved by [`encode`]; `Err` says why it can't be read (an older widget's
/// layout, or damaged), for the console: the shopper then starts a new conversation.
pub fn decode(text: &str) -> Result<Chat, String> {
    let Some(data) = text.strip_prefix(LAYOUT).and_then(|t| t.strip_prefix('.')) else {
        return Err("the saved conversation is from another version of the widget".into());
    };
    let bytes = unbase64(data).ok_or("the saved conversation is damaged (not base64)")?;
    postcard::from_bytes(&bytes).map_err(|e| format!("the saved conversation is damaged ({e})"))
}

/// [`decode`], telling the console when a saved conversation could not be read.
pub fn decode_or_warn(text: &str) -> Option<Chat> {
    decode(text).map_err(|why| crate::warn(&format!("kefu: {why}; starting a new conversation"))).ok()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Body, From};

    #[test]
    fn typed_text_is_kept_masked_with_the_order_number_readable() {
        let typed = Typed {
            input: "卡号 6222021234567890128 退款".into(),
            description: "订单 2024052112345678 身份证 110101199003074578".into(),
            order: "2024052112345678".into(),
            contact: "13800138000".into(),
            email: "li@example.com".into(),
            form_open: true,
        };
        let kept = typed.masked();
        assert!(!kept.input.contains("6222021234567890128") && kept.input.ends_with("0128 退款"), "{}", kept.input);
        assert!(kept.description.contains("2024052112345678"), "{}", kept.description);
        assert!(!kept.description.contains("110101199003074578"), "{}", kept.description);
        assert_eq!(
            (kept.order.as_str(), kept.contact.as_str(), kept.email.as_str()),
            ("2024052112345678", "13800138000", "li@example.com")
        );
        assert!(kept.form_open);
        // Field names of the kept JSON; a value kept by an older widget (fields missing) reads.
        let json = serde_json::to_string(&Typed { form_open: true, ..Typed::default() }).unwrap();
        assert_eq!(json, r#"{"input":"","description":"","order":"","contact":"","email":"","formOpen":true}"#);
        assert_eq!(
            serde_json::from_str::<Typed>(r#"{"input":"hi"}"#).unwrap(),
            Typed { input: "hi".into(), ..Typed::default() }
        );
        assert!(Typed::default().is_empty() && !kept.is_empty());
    }

    #[test]
    fn a_drafts_cleared_marker_in_the_future_is_brought_back_to_now() {
        assert_eq!(settled_marker(2_000.0, 1_000.0), Some(1_000.0));
        assert_eq!(settled_marker(1_000.0, 1_000.0), None);
        assert_eq!(settled_marker(500.0, 1_000.0), None);
        assert_eq!(settled_marker(0.0, 1_000.0), None);
    }

    #[test]
    fn base64_round_trips() {
        for n in 0..20 {
            let v: Vec<u8> = (0..n).map(|i| (i * 37 + 5) as u8).collect();
            assert_eq!(unbase64(&base64(&v)).unwrap(), v);
        }
        assert_eq!(base64(b"kefu"), "a2VmdQ==");
        assert!(unbase64("a2V*").is_none());
    }

    #[test]
    fn chat_round_trips() {
        let mut c = Chat::new(1.0);
        c.push(From::Shopper, Body::Text("退貨運費誰出".into()), 2.0);
        c.push(From::Agent("Li".into()), Body::Text("<b>hi</b>".into()), 3.0);
        c.order_number = Some("2024052112345678".into());
        assert_eq!(decode(&encode(&c)), Ok(c));
        assert!(decode("garbage!").is_err());
        assert!(decode("3.garbage!").is_err());
    }

    #[test]
    fn a_chat_with_gap_records_and_offered_entries_round_trips() {
        // postcard has no field names: a field left out when empty (serde's
        // skip_serializing_if) made every chat with a gap record unreadable after a reload.
        let mut c = Chat::new(1.0);
        let gap = |chosen: Option<&str>| kefu_core::reply::GapRecord {
            text: "a".into(),
            decision: "clarify".into(),
            top_entry: Some("e1".into()),
            locale: "en".into(),
            unix_ms: 5,
            chosen: chosen.map(String::from),
        };
        c.gaps = vec![gap(None), gap(Some("e2")), kefu_core::reply::GapRecord::default()];
        c.conversation.offered =
            Some(kefu_core::reply::Offered { entries: vec!["e1".into(), "e2".into()], question: "q".into() });
        assert_eq!(decode(&encode(&c)), Ok(c.clone()));
        // Another layout's bytes are refused, not misread.
        let old = encode(&c).replacen(LAYOUT, "2", 1);
        assert!(decode(&old).is_err());
    }
}
