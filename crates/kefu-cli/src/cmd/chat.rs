//! `kefu chat BUNDLE`: a multi-turn session on the terminal, one shopper message per line.
//!
//! Every message goes through `kefu_core::reply::respond` with the conversation so far, the
//! same call the widget makes (`kefu-widget/src/chat.rs`), and the reply is printed as the
//! widget words it: the opening line, the answer or the bot's own words, the promise, and the
//! buttons it shows. `kefu ask` prints the last reply of a conversation the same way.

use anyhow::Result;
use kefu_core::reply::{respond, Conversation, Decision, HandoffReason, Now, Reply};
use kefu_core::Engine;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The bundle (.kefu).
    pub bundle: PathBuf,
    /// The shop's offset from UTC in minutes for working hours (a `[hours] utc_offset` in
    /// kefu.toml takes precedence, as in the widget).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub utc_offset: i32,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let engine = super::open_bundle(&args.bundle)?;
    let mut conv = Conversation::default();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    let interactive = std::io::IsTerminal::is_terminal(&stdin);
    if interactive {
        writeln!(out, "kefu chat: {} entries; one message per line, Ctrl-D ends.", engine.manifest().entries.len())?;
    }
    let (mut input, mut buf) = (stdin.lock(), Vec::new());
    for n in 1.. {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = super::lossy_line(&buf, "stdin", n);
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let reply = respond(&engine, &mut conv, text, now(args.utc_offset));
        // The message as kept: ID and card numbers masked, as the widget shows it.
        if !interactive {
            writeln!(out, "> {}", super::gaps::printable(&reply.masked))?;
        }
        // The message before began a card this one completes: it is kept masked now too.
        if let Some(previous) = &reply.masked_previous {
            writeln!(out, "(previous message now kept as: {})", super::gaps::printable(previous))?;
        }
        write!(out, "{}", say(&engine, &reply))?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The current time as the widget would pass it.
pub fn now(utc_offset_minutes: i32) -> Now {
    let unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    Now { unix_ms, utc_offset_minutes }
}

/// Replies to each message in turn on one conversation, as at `now_ms` (Unix milliseconds)
/// when given, else now; returns the last reply.
pub fn converse_at(
    engine: &Engine,
    messages: &[String],
    utc_offset: i32,
    now_ms: Option<i64>,
) -> (Conversation, Option<Reply>) {
    let mut conv = Conversation::default();
    let mut last = None;
    for m in messages {
        let mut at = now(utc_offset);
        if let Some(ms) = now_ms {
            at.unix_ms = ms;
        }
        last = Some(respond(engine, &mut conv, m, at));
    }
    (conv, last)
}

/// What the widget shows for a reply, as text: one line per paragraph, buttons in brackets.
pub fn say(engine: &Engine, r: &Reply) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(lead) = &r.lead {
        lines.push(lead.clone());
    }
    match &r.decision {
        Decision::Answer { entry, .. } => {
            if let Some(e) = engine.entry(*entry) {
                lines.extend(e.answer.plain_text().lines().map(str::to_string));
                // Then what the widget puts under the answer, in its order: product cards,
                // related links, quick replies.
                for p in &e.products {
                    let price = p.price.as_deref().map(|x| format!(" {x}")).unwrap_or_default();
                    lines.push(format!("<card: {}{price} → {}>", p.title, p.url));
                }
                for l in &e.links {
                    lines.push(format!("<link: {} → {}>", l.title, l.url));
                }
                let picks: Vec<String> =
                    e.quick_replies.iter().filter_map(|q| engine.entry(*q)).map(|q| format!("[{}]", q.title)).collect();
                if !picks.is_empty() {
                    lines.push(picks.join(" "));
                }
            }
            if let Some(m) = &r.message {
                lines.push(m.clone());
            }
        }
        Decision::Clarify { candidates } => {
            lines.extend(r.message.iter().cloned());
            // As the widget shows them: in traditional characters for a traditional message.
            let title = |t: &str| match r.locale {
                kefu_core::kb::Locale::ZhTw => kefu_core::analyze::to_traditional(t),
                _ => t.to_string(),
            };
            let chips: Vec<String> =
                candidates.iter().filter_map(|c| engine.entry(*c)).map(|e| format!("[{}]", title(&e.title))).collect();
            lines.push(chips.join(" "));
        }
        _ => lines.extend(r.message.iter().cloned()),
    }
    if let Some(p) = &r.promise {
        lines.push(p.clone());
    }
    // The widget's button labels (kefu-widget i18n: LeaveMessage).
    let button = match r.locale {
        kefu_core::kb::Locale::En => "[Leave a message for an agent]",
        kefu_core::kb::Locale::ZhTw => "[留言給真人客服]",
        _ => "[给人工客服留言]",
    };
    match &r.decision {
        Decision::Handoff { reason: HandoffReason::Requested } => {
            lines.push(format!("{button} (the hand-off form opens by itself)"))
        }
        Decision::Handoff { .. } => lines.push(button.to_string()),
        _ if r.offer_human => lines.push(button.to_string()),
        _ => {}
    }
    let mut s = String::new();
    for l in lines.iter().filter(|l| !l.trim().is_empty()) {
        s.push_str("  ");
        s.push_str(l);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use kefu_core::build::{build, BuildOptions};
    use kefu_core::kb::{markdown, Kb, Locale};
    use kefu_core::Engine;

    /// `say` prints what the widget shows under an answer: its product cards and links too.
    #[test]
    fn an_answer_shows_its_cards_and_links_as_the_widget_does() {
        let md = "---\nid: track\nquestions:\n  - where is my parcel\n  - track my order\ncategory: order\nlinks:\n  - title: My orders\n    url: /orders\nproducts:\n  - title: Kettle\n    url: /kettle\n    price: ¥199\n---\nOpen My orders and tap Track.\n\n---\nid: fee\nquestions:\n  - how much is shipping\ncategory: shipping\n---\nFree over ¥99.\n";
        let (entries, errors) = markdown::read("kb.md", md, Locale::En);
        assert!(errors.is_empty(), "{errors:?}");
        let kb = Kb { entries, settings: Default::default() };
        let bytes =
            build(&kb, &BuildOptions { skip_calibration: true, ..Default::default() }, &mut |_, _| {}).unwrap().0;
        let engine = Engine::open(&bytes).unwrap();
        let (_, reply) = super::converse_at(&engine, &["where is my parcel".to_string()], 0, None);
        let text = super::say(&engine, &reply.unwrap());
        assert!(text.contains("<link: My orders → /orders>"), "{text}");
        assert!(text.contains("<card: Kettle ¥199 → /kettle>"), "{text}");
    }
}
