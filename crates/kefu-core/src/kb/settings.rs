//! Reads `kefu.toml`, the shop settings that travel with a KB (name, greeting, synonyms,
//! policy overrides, working hours, peak mode, promises, the order-number pattern).
//! Every section and field is optional; a file without the newer sections reads as before.

use super::{Diagnostic, Locale, PolicyOverrides, ShopSettings};
use crate::reply::facts::OrderPattern;
use crate::reply::hours::{parse_days, parse_hhmm, parse_offset, PeakMode, Promises, ServiceHours};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
struct Hours {
    open: Option<String>,
    close: Option<String>,
    days: Option<Vec<String>>,
    utc_offset: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Peak {
    on: Option<bool>,
    queue_minutes: Option<u32>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PromisesFile {
    urgent_minutes: Option<u32>,
    complaint_minutes: Option<u32>,
    after_sales_minutes: Option<u32>,
    urgent: Option<String>,
    complaint: Option<String>,
    after_sales: Option<String>,
    off_hours: Option<String>,
    peak: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FactsFile {
    order_number: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Synonyms {
    #[serde(default)]
    groups: Vec<Vec<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Shop {
    name: Option<String>,
    locale: Option<String>,
    greeting: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Policy {
    answer_min: Option<f32>,
    margin_min: Option<f32>,
    clarify_min: Option<f32>,
    coverage_min: Option<f32>,
}

/// Parses `kefu.toml`.
pub fn read(file: &str, text: &str) -> Result<ShopSettings, Diagnostic> {
    let parsed: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1).unwrap_or(1);
        Diagnostic::error(file, line, e.message().to_string())
    })?;
    let locale = match parsed.shop.locale.as_deref() {
        None => Locale::En,
        Some(l) => Locale::parse(l).ok_or_else(|| {
            let line = text.lines().position(|x| x.trim_start().starts_with("locale")).map(|p| p + 1).unwrap_or(1);
            Diagnostic::error(file, line, format!("unknown locale `{l}` (use zh-CN, zh-TW or en)"))
        })?,
    };
    for (name, v) in [
        ("answer_min", parsed.policy.answer_min),
        ("margin_min", parsed.policy.margin_min),
        ("clarify_min", parsed.policy.clarify_min),
        ("coverage_min", parsed.policy.coverage_min),
    ] {
        if let Some(v) = v {
            if !(0.0..=1.0).contains(&v) {
                let line = text.lines().position(|x| x.trim_start().starts_with(name)).map(|p| p + 1).unwrap_or(1);
                return Err(Diagnostic::error(file, line, format!("`{name}` must be between 0 and 1")));
            }
        }
    }
    let line_of = |key: &str| text.lines().position(|x| x.trim_start().starts_with(key)).map(|p| p + 1).unwrap_or(1);
    let err = |key: &str, msg: String| Diagnostic::error(file, line_of(key), msg);
    let mut hours = ServiceHours::default();
    if let Some(o) = &parsed.hours.open {
        hours.open = parse_hhmm(o)
            .filter(|&m| m < 1440)
            .ok_or_else(|| err("open", format!("`open = \"{o}\"`: use HH:MM, e.g. \"09:00\"")))?;
    }
    if let Some(c) = &parsed.hours.close {
        hours.close =
            parse_hhmm(c).ok_or_else(|| err("close", format!("`close = \"{c}\"`: use HH:MM, e.g. \"22:00\"")))?;
    }
    if let Some(d) = &parsed.hours.days {
        hours.days = parse_days(d)
            .map_err(|m| err("days", format!("`days`: {m} (use mon … sun or ranges like \"mon-fri\")")))?;
    }
    if let Some(u) = &parsed.hours.utc_offset {
        hours.utc_offset_minutes = Some(
            parse_offset(u).ok_or_else(|| err("utc_offset", format!("`utc_offset = \"{u}\"`: use e.g. \"+08:00\"")))?,
        );
    }
    let mut peak = PeakMode::default();
    peak.on = parsed.peak.on.unwrap_or(peak.on);
    peak.queue_minutes = parsed.peak.queue_minutes.unwrap_or(peak.queue_minutes);
    let d = Promises::default();
    let pf = parsed.promises;
    for (key, v) in [
        ("urgent_minutes", pf.urgent_minutes),
        ("complaint_minutes", pf.complaint_minutes),
        ("after_sales_minutes", pf.after_sales_minutes),
        ("queue_minutes", parsed.peak.queue_minutes),
    ] {
        if v.is_some_and(|m| m == 0 || m > 7 * 24 * 60) {
            return Err(err(key, format!("`{key}` must be between 1 and 10080 minutes")));
        }
    }
    let promises = Promises {
        urgent_minutes: pf.urgent_minutes.unwrap_or(d.urgent_minutes),
        complaint_minutes: pf.complaint_minutes.unwrap_or(d.complaint_minutes),
        after_sales_minutes: pf.after_sales_minutes.unwrap_or(d.after_sales_minutes),
        urgent: pf.urgent,
        complaint: pf.complaint,
        after_sales: pf.after_sales,
        off_hours: pf.off_hours,
        peak: pf.peak,
    };
    if let Some(p) = &parsed.facts.order_number {
        OrderPattern::parse(p).map_err(|m| err("order_number", format!("`order_number`: {m}")))?;
    }
    Ok(ShopSettings {
        hours,
        peak,
        promises,
        order_pattern: parsed.facts.order_number,
        name: parsed.shop.name.unwrap_or_default(),
        locale,
        greeting: parsed.shop.greeting.unwrap_or_default(),
        synonyms: parsed.synonyms.groups,
        policy: PolicyOverrides {
            answer_min: parsed.policy.answer_min,
            margin_min: parsed.policy.margin_min,
            clarify_min: parsed.policy.clarify_min,
            coverage_min: parsed.policy.coverage_min,
        },
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
        let e = super::read("k.toml", "[shop]\nname = \"S\"\ncolour = 1\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = super::read("k.toml", "[policy]\nanswer_min = 3.0\n").unwrap_err();
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
    fn rejects_bad_new_fields_with_their_line() {
        let e = super::read("k.toml", "[hours]\nopen = \"9am\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = super::read("k.toml", "[shop]\nname = \"S\"\n[facts]\norder_number = \"#{3\"\n").unwrap_err();
        assert_eq!(e.line, 4);
        let e = super::read("k.toml", "[hours]\ndays = [\"funday\"]\n").unwrap_err();
        assert!(e.message.contains("funday"));
        let e = super::read("k.toml", "[promises]\nurgent_minutes = 0\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
