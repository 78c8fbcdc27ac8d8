//! Reads `kefu.toml`, the shop settings that travel with a KB (name, greeting, synonyms,
//! policy overrides, working hours, peak mode, promises, the order-number pattern).
//! Every section and field is optional; a file without the newer sections reads as before.

use super::{Diagnostic, Locale, PolicyOverrides, ShopSettings};
use crate::reply::facts::OrderPattern;
use crate::reply::hours::{parse_days, parse_hhmm, parse_offset, PeakMode, Promises, ServiceHours};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize, Default)]
struct File {
    #[serde(default)]
    shop: Shop,
    #[serde(default)]
    synonyms: Synonyms,
    #[serde(default)]
    policy: Policy,
    #[serde(default)]
    hours: Hours,
    #[serde(default)]
    peak: Peak,
    #[serde(default)]
    promises: PromisesFile,
    #[serde(default)]
    facts: FactsFile,
}

#[derive(Debug, Deserialize, Default)]
struct Hours {
    open: Option<Spanned<String>>,
    close: Option<Spanned<String>>,
    days: Option<Spanned<Vec<String>>>,
    utc_offset: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
struct Peak {
    on: Option<bool>,
    queue_minutes: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize, Default)]
struct PromisesFile {
    urgent_minutes: Option<Spanned<i64>>,
    complaint_minutes: Option<Spanned<i64>>,
    after_sales_minutes: Option<Spanned<i64>>,
    urgent: Option<String>,
    complaint: Option<String>,
    after_sales: Option<String>,
    off_hours: Option<String>,
    peak: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct FactsFile {
    order_number: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct Synonyms {
    #[serde(default)]
    groups: Vec<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize, Default)]
struct Shop {
    name: Option<String>,
    locale: Option<Spanned<String>>,
    greeting: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct Policy {
    answer_min: Option<Spanned<f64>>,
    margin_min: Option<Spanned<f64>>,
    clarify_min: Option<Spanned<f64>>,
    coverage_min: Option<Spanned<f64>>,
}

/// The longest promised or queue time, in minutes (a week).
const MAX_MINUTES: i64 = 7 * 24 * 60;

/// The sections of `kefu.toml` and the keys of each.
const KEYS: &[(&str, &[&str])] = &[
    ("shop", &["name", "locale", "greeting"]),
    ("synonyms", &["groups"]),
    ("policy", &["answer_min", "margin_min", "clarify_min", "coverage_min"]),
    ("hours", &["open", "close", "days", "utc_offset"]),
    ("peak", &["on", "queue_minutes"]),
    (
        "promises",
        &[
            "urgent_minutes",
            "complaint_minutes",
            "after_sales_minutes",
            "urgent",
            "complaint",
            "after_sales",
            "off_hours",
            "peak",
        ],
    ),
    ("facts", &["order_number"]),
];

/// Every section and key kefu does not know, each at its line.
fn unknown_keys(file: &str, text: &str, line_at: impl Fn(usize) -> usize) -> Vec<Diagnostic> {
    let Ok(doc) = toml::de::DeTable::parse(text) else { return vec![] };
    let suggest = |name: &str, known: &[&str]| match known.iter().map(|k| (strsim::levenshtein(name, k), *k)).min() {
        Some((d, k)) if d <= 2 && d < name.chars().count() => format!(" (did you mean `{k}`?)"),
        _ => String::new(),
    };
    let sections: Vec<&str> = KEYS.iter().map(|(s, _)| *s).collect();
    let mut out = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        let name: &str = key.get_ref();
        let Some((_, known)) = KEYS.iter().find(|(s, _)| *s == name) else {
            let msg = format!(
                "unknown section `{name}`{}; kefu.toml has [{}]",
                suggest(name, &sections),
                sections.join("], [")
            );
            out.push(Diagnostic::error(file, line_at(key.span().start), msg));
            continue;
        };
        let toml::de::DeValue::Table(table) = value.get_ref() else { continue };
        for (k, _) in table.iter() {
            let k_name: &str = k.get_ref();
            if !known.contains(&k_name) {
                let msg = format!(
                    "unknown key `{k_name}` in [{name}]{}; [{name}] takes {}",
                    suggest(k_name, known),
                    known.join(", ")
                );
                out.push(Diagnostic::error(file, line_at(k.span().start), msg));
            }
        }
    }
    out
}

/// Parses `kefu.toml`. Every problem is reported at once, in file order: each unknown section
/// or key and each bad value, at its line.
pub fn read(file: &str, text: &str) -> Result<ShopSettings, Vec<Diagnostic>> {
    // The line a byte offset is on.
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let mut errs = unknown_keys(file, text, line_of);
    let parsed: File = match toml::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(s.start));
            errs.push(Diagnostic::error(file, line, e.message().to_string()));
            errs.sort_by_key(|d| d.line);
            return Err(errs);
        }
    };
    let line_at = |span: std::ops::Range<usize>| line_of(span.start);
    let err = |span: std::ops::Range<usize>, msg: String| Diagnostic::error(file, line_at(span), msg);
    let locale = match &parsed.shop.locale {
        None => Locale::En,
        Some(l) => Locale::parse(l.get_ref()).unwrap_or_else(|| {
            errs.push(err(l.span(), format!("unknown locale `{}` (use zh-CN, zh-TW or en)", l.get_ref())));
            Locale::En
        }),
    };
    let policy = parsed.policy;
    let mut thresholds = [None; 4];
    for (slot, (key, v)) in thresholds.iter_mut().zip([
        ("answer_min", policy.answer_min),
        ("margin_min", policy.margin_min),
        ("clarify_min", policy.clarify_min),
        ("coverage_min", policy.coverage_min),
    ]) {
        if let Some(v) = v {
            let (span, x) = (v.span(), *v.get_ref());
            if !(0.0..=1.0).contains(&x) {
                errs.push(err(span, format!("`{key} = {x}` is out of range: use a number from 0 to 1")));
                continue;
            }
            *slot = Some(x as f32);
        }
    }
    let [answer_min, margin_min, clarify_min, coverage_min] = thresholds;
    let mut hours = ServiceHours::default();
    if let Some(o) = parsed.hours.open {
        match parse_hhmm(o.get_ref()).filter(|&m| m < 1440) {
            Some(m) => hours.open = m,
            None => errs.push(err(
                o.span(),
                format!("`open = \"{}\"`: use HH:MM from 00:00 to 23:59, e.g. \"09:00\"", o.get_ref()),
            )),
        }
    }
    if let Some(c) = parsed.hours.close {
        match parse_hhmm(c.get_ref()) {
            Some(m) => hours.close = m,
            None => errs.push(err(
                c.span(),
                format!("`close = \"{}\"`: use HH:MM from 00:00 to 24:00, e.g. \"22:00\"", c.get_ref()),
            )),
        }
    }
    if let Some(d) = parsed.hours.days {
        match parse_days(d.get_ref()) {
            // No working day: the chat would never be staffed and no next opening could be told.
            Ok(0) => errs.push(err(d.span(), "`days` names no day: list at least one, e.g. [\"mon-fri\"]".into())),
            Ok(days) => hours.days = days,
            Err(m) => errs.push(err(d.span(), format!("`days`: {m} (use mon … sun or ranges like \"mon-fri\")"))),
        }
    }
    if let Some(u) = parsed.hours.utc_offset {
        match parse_offset(u.get_ref()) {
            Some(m) => hours.utc_offset_minutes = Some(m),
            None => errs.push(err(
                u.span(),
                format!("`utc_offset = \"{}\"`: use -14:00 to +14:00, e.g. \"+08:00\"", u.get_ref()),
            )),
        }
    }
    let pf = parsed.promises;
    let mut minutes = [None; 4];
    for (slot, (key, v)) in minutes.iter_mut().zip([
        ("urgent_minutes", pf.urgent_minutes),
        ("complaint_minutes", pf.complaint_minutes),
        ("after_sales_minutes", pf.after_sales_minutes),
        ("queue_minutes", parsed.peak.queue_minutes),
    ]) {
        if let Some(v) = v {
            let (span, m) = (v.span(), *v.get_ref());
            if !(1..=MAX_MINUTES).contains(&m) {
                errs.push(err(span, format!("`{key} = {m}` is out of range: use 1 to {MAX_MINUTES} minutes")));
                continue;
            }
            *slot = Some(m as u32);
        }
    }
    let [urgent_minutes, complaint_minutes, after_sales_minutes, queue_minutes] = minutes;
    let mut peak = PeakMode::default();
    peak.on = parsed.peak.on.unwrap_or(peak.on);
    peak.queue_minutes = queue_minutes.unwrap_or(peak.queue_minutes);
    let d = Promises::default();
    let promises = Promises {
        urgent_minutes: urgent_minutes.unwrap_or(d.urgent_minutes),
        complaint_minutes: complaint_minutes.unwrap_or(d.complaint_minutes),
        after_sales_minutes: after_sales_minutes.unwrap_or(d.after_sales_minutes),
        urgent: pf.urgent,
        complaint: pf.complaint,
        after_sales: pf.after_sales,
        off_hours: pf.off_hours,
        peak: pf.peak,
    };
    let mut synonyms = Vec::new();
    for group in parsed.synonyms.groups {
        // A blank first word would fold the others into nothing: they would vanish from
        // every question and message.
        if group.get_ref().iter().any(|w| w.trim().is_empty()) {
            errs.push(err(group.span(), "a synonym group holds an empty word; remove it".into()));
            continue;
        }
        // One word, or none, is no group: most likely the rest was left out by mistake.
        if group.get_ref().len() < 2 {
            let n = group.get_ref().len();
            errs.push(err(
                group.span(),
                format!("a synonym group needs two or more words, this one has {n}: add the words it stands for, or remove it"),
            ));
            continue;
        }
        synonyms.push(group.into_inner());
    }
    if let Some(p) = &parsed.facts.order_number {
        if let Err(m) = OrderPattern::parse(p) {
            let line = text.lines().position(|x| x.trim_start().starts_with("order_number")).map_or(1, |p| p + 1);
            errs.push(Diagnostic::error(file, line, format!("`order_number`: {m}")));
        }
    }
    if !errs.is_empty() {
        errs.sort_by_key(|d| d.line);
        return Err(errs);
    }
    Ok(ShopSettings {
        hours,
        peak,
        promises,
        order_pattern: parsed.facts.order_number,
        name: parsed.shop.name.unwrap_or_default(),
        locale,
        greeting: parsed.shop.greeting.unwrap_or_default(),
        synonyms,
        related: Vec::new(),
        policy: PolicyOverrides { answer_min, margin_min, clarify_min, coverage_min },
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_and_rejects() {
        let s =
            super::read("k.toml", "[shop]\nname = \"S\"\nlocale = \"zh-CN\"\n[synonyms]\ngroups = [[\"a\",\"b\"]]\n")
                .unwrap();
        assert_eq!(s.name, "S");
        assert_eq!(s.synonyms, vec![vec!["a".to_string(), "b".to_string()]]);
        let e = super::read("k.toml", "[shop]\nname = \"S\"\ncolour = 1\n").unwrap_err().remove(0);
        assert_eq!(e.line, 3);
        let e = super::read("k.toml", "[policy]\nanswer_min = 3.0\n").unwrap_err().remove(0);
        assert_eq!(e.line, 2);
    }

    #[test]
    fn old_files_keep_the_defaults() {
        let s = super::read("k.toml", "[shop]\nname = \"S\"\n").unwrap();
        assert_eq!(s.hours, super::ServiceHours::default());
        assert_eq!(s.promises.urgent_minutes, 3);
        assert_eq!(s.promises.complaint_minutes, 60);
        assert_eq!(s.promises.after_sales_minutes, 120);
        assert!(!s.peak.on);
        assert_eq!(s.order_pattern, None);
    }

    #[test]
    fn reads_hours_peak_promises_and_pattern() {
        let text =
            "[hours]\nopen = \"08:30\"\nclose = \"20:00\"\ndays = [\"mon-fri\", \"sat\"]\nutc_offset = \"+08:00\"\n\
                    [peak]\non = true\nqueue_minutes = 15\n\
                    [promises]\ncomplaint_minutes = 30\ncomplaint = \"{time}内回复\"\n\
                    [facts]\norder_number = \"SO-#{8}\"\n";
        let s = super::read("k.toml", text).unwrap();
        assert_eq!((s.hours.open, s.hours.close, s.hours.days), (510, 1200, 0b011_1111));
        assert_eq!(s.hours.utc_offset_minutes, Some(480));
        assert!(s.peak.on);
        assert_eq!(s.peak.queue_minutes, 15);
        assert_eq!(s.promises.complaint_minutes, 30);
        assert_eq!(s.promises.urgent_minutes, 3);
        assert_eq!(s.promises.complaint.as_deref(), Some("{time}内回复"));
        assert_eq!(s.order_pattern.as_deref(), Some("SO-#{8}"));
    }

    #[test]
    fn out_of_range_values_name_their_line_and_the_range() {
        let cases: &[(&str, &str)] = &[
            (
                "[policy]\nclarify_min = 0.2\nanswer_min = 1.5\n",
                "k.toml:3: error: `answer_min = 1.5` is out of range: use a number from 0 to 1",
            ),
            (
                "[policy]\nmargin_min = -0.1\n",
                "k.toml:2: error: `margin_min = -0.1` is out of range: use a number from 0 to 1",
            ),
            (
                "[policy]\ncoverage_min = nan\n",
                "k.toml:2: error: `coverage_min = NaN` is out of range: use a number from 0 to 1",
            ),
            // Found by its own line, not the first line that starts with the same word.
            (
                "[promises]\nurgent = \"{time}\"\nurgent_minutes = -5\n",
                "k.toml:3: error: `urgent_minutes = -5` is out of range: use 1 to 10080 minutes",
            ),
            (
                "[promises]\nafter_sales_minutes = 20000\n",
                "k.toml:2: error: `after_sales_minutes = 20000` is out of range: use 1 to 10080 minutes",
            ),
            (
                "[peak]\non = true\nqueue_minutes = 0\n",
                "k.toml:3: error: `queue_minutes = 0` is out of range: use 1 to 10080 minutes",
            ),
            (
                "[hours]\nopen = \"24:00\"\n",
                "k.toml:2: error: `open = \"24:00\"`: use HH:MM from 00:00 to 23:59, e.g. \"09:00\"",
            ),
            (
                "[hours]\nclose = \"25:00\"\n",
                "k.toml:2: error: `close = \"25:00\"`: use HH:MM from 00:00 to 24:00, e.g. \"22:00\"",
            ),
            (
                "[hours]\nutc_offset = \"+15:00\"\n",
                "k.toml:2: error: `utc_offset = \"+15:00\"`: use -14:00 to +14:00, e.g. \"+08:00\"",
            ),
            // A shop that is never staffed, and a synonym group that folds words into nothing.
            (
                "[hours]\nopen = \"09:00\"\ndays = []\n",
                "k.toml:3: error: `days` names no day: list at least one, e.g. [\"mon-fri\"]",
            ),
            (
                "[synonyms]\ngroups = [\n  [\"refund\", \"money back\"],\n  [\"\", \"parcel\"],\n]\n",
                "k.toml:4: error: a synonym group holds an empty word; remove it",
            ),
            (
                "[synonyms]\ngroups = [\n  [\"refund\", \"money back\"],\n  [\"parcel\"],\n]\n",
                "k.toml:4: error: a synonym group needs two or more words, this one has 1: add the words it stands for, or remove it",
            ),
        ];
        for (text, want) in cases {
            let e = super::read("k.toml", text).unwrap_err();
            assert_eq!(e.iter().map(|d| d.to_string()).collect::<Vec<_>>(), [*want], "{text}");
        }
        // The ends of each range are allowed.
        let text =
            "[policy]\nanswer_min = 1.0\nmargin_min = 0\n[promises]\nurgent_minutes = 1\ncomplaint_minutes = 10080\n\
                    [hours]\nopen = \"00:00\"\nclose = \"24:00\"\nutc_offset = \"-14:00\"\ndays = [\"sun\"]\n";
        let s = super::read("k.toml", text).unwrap();
        assert_eq!((s.policy.answer_min, s.policy.margin_min), (Some(1.0), Some(0.0)));
        assert_eq!((s.promises.urgent_minutes, s.promises.complaint_minutes), (1, 10080));
        assert_eq!((s.hours.open, s.hours.close, s.hours.utc_offset_minutes), (0, 1440, Some(-840)));
    }

    #[test]
    fn rejects_bad_new_fields_with_their_line() {
        let e = super::read("k.toml", "[hours]\nopen = \"9am\"\n").unwrap_err().remove(0);
        assert_eq!(e.line, 2);
        let e = super::read("k.toml", "[shop]\nname = \"S\"\n[facts]\norder_number = \"#{3\"\n").unwrap_err().remove(0);
        assert_eq!(e.line, 4);
        let e = super::read("k.toml", "[hours]\ndays = [\"funday\"]\n").unwrap_err().remove(0);
        assert!(e.message.contains("funday"));
        let e = super::read("k.toml", "[promises]\nurgent_minutes = 0\n").unwrap_err().remove(0);
        assert_eq!(e.line, 2);
    }

    #[test]
    fn every_problem_is_reported_at_once_in_file_order() {
        let all = |text: &str| -> Vec<String> {
            super::read("k.toml", text).unwrap_err().iter().map(|d| d.to_string()).collect()
        };
        assert_eq!(
            all("[shop]\nlocael = \"en\"\ngreting = \"hi\"\n[extra]\nx = 1\n"),
            [
                "k.toml:2: error: unknown key `locael` in [shop] (did you mean `locale`?); [shop] takes name, locale, greeting",
                "k.toml:3: error: unknown key `greting` in [shop] (did you mean `greeting`?); [shop] takes name, locale, greeting",
                "k.toml:4: error: unknown section `extra`; kefu.toml has [shop], [synonyms], [policy], [hours], [peak], \
                 [promises], [facts]",
            ]
        );
        assert_eq!(
            all("[shop]\nlocale = \"fr\"\n[hours]\nopen = \"25:00\"\n[policy]\nanswer_min = 1.5\n"),
            [
                "k.toml:2: error: unknown locale `fr` (use zh-CN, zh-TW or en)",
                "k.toml:4: error: `open = \"25:00\"`: use HH:MM from 00:00 to 23:59, e.g. \"09:00\"",
                "k.toml:6: error: `answer_min = 1.5` is out of range: use a number from 0 to 1",
            ]
        );
    }
}
