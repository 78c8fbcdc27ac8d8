//! `kefu report`: the weekly figures the service standards ask for.
//!
//! Definitions (over cases created in the period):
//! - first-response time: from case creation to the first agent reply (answered cases only);
//! - resolution rate: cases closed as resolved ÷ cases;
//! - escalation rate: cases that missed their first-response deadline or went to supervisor
//!   review ÷ cases (a case still unanswered past its deadline counts, marked or not);
//! - SLA met: cases answered before their deadline ÷ cases whose deadline has passed or that
//!   were answered;
//! - CSAT: average of the 1–5 ratings given, with the count;
//! - bot self-service rate: widget conversations (bot sessions, reported by the widget on
//!   `POST /api/sessions`) that ended without a hand-off ÷ all such conversations. Not
//!   available when the widget logs no sessions.

use crate::db::{params, Conn};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Report {
    pub days: u32,
    pub since_ms: i64,
    pub until_ms: i64,
    pub cases: i64,
    pub by_triage: Vec<(String, i64)>,
    pub answered: i64,
    pub first_response_avg_s: Option<f64>,
    pub first_response_median_s: Option<f64>,
    pub sla_met_rate: Option<f64>,
    pub closed: i64,
    pub resolved: i64,
    pub resolution_rate: Option<f64>,
    pub escalated: i64,
    pub escalation_rate: Option<f64>,
    pub ratings: i64,
    pub csat_avg: Option<f64>,
    pub bot_sessions: i64,
    pub bot_self_served: i64,
    pub bot_self_service_rate: Option<f64>,
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Figures over the `days` days ending at `now` (ms).
pub fn compute(c: &mut Conn, days: u32, now: i64) -> anyhow::Result<Report> {
    compute_range(c, days, now - days as i64 * 86_400_000, now)
}

/// One report per 7-day week, newest first, covering `days` days ending at `now`.
pub fn weekly(c: &mut Conn, days: u32, now: i64) -> anyhow::Result<Vec<Report>> {
    let week = 7 * 86_400_000i64;
    let start = now - days as i64 * 86_400_000;
    let mut out = Vec::new();
    let mut until = now;
    while until > start {
        let since = (until - week).max(start);
        out.push(compute_range(c, (((until - since) + 86_399_999) / 86_400_000) as u32, since, until)?);
        until = since;
    }
    Ok(out)
}

fn compute_range(c: &mut Conn, days: u32, since: i64, now: i64) -> anyhow::Result<Report> {
    let q = |c: &mut Conn, sql: &str| -> crate::db::Result<i64> { c.query_row(sql, params![since, now], |r| r.get(0)) };
    let w = "created_at >= ?1 AND created_at <= ?2";
    let cases = q(c, &format!("SELECT COUNT(*) FROM cases WHERE {w}"))?;
    let closed = q(c, &format!("SELECT COUNT(*) FROM cases WHERE {w} AND status = 'closed'"))?;
    let resolved = q(c, &format!("SELECT COUNT(*) FROM cases WHERE {w} AND status = 'closed' AND resolved = 1"))?;
    let escalated = q(
        c,
        &format!(
            "SELECT COUNT(*) FROM cases WHERE {w} AND (escalated_at IS NOT NULL OR supervisor_at IS NOT NULL \
         OR (first_response_at IS NULL AND deadline_at < ?2) OR first_response_at > deadline_at)"
        ),
    )?;
    let sla_due =
        q(c, &format!("SELECT COUNT(*) FROM cases WHERE {w} AND (first_response_at IS NOT NULL OR deadline_at < ?2)"))?;
    let sla_met = q(c, &format!("SELECT COUNT(*) FROM cases WHERE {w} AND first_response_at <= deadline_at"))?;
    let ratings = q(c, &format!("SELECT COUNT(*) FROM cases WHERE {w} AND rating IS NOT NULL"))?;
    let csat: Option<f64> = c.query_row(
        &format!("SELECT CAST(AVG(rating) AS DOUBLE PRECISION) FROM cases WHERE {w} AND rating IS NOT NULL"),
        params![since, now],
        |r| r.get(0),
    )?;
    let mut frt: Vec<i64> = {
        let mut stmt = c.prepare(&format!(
            "SELECT first_response_at - created_at FROM cases WHERE {w} AND first_response_at IS NOT NULL"
        ))?;

        stmt.query_map(params![since, now], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?
    };
    frt.sort_unstable();
    let answered = frt.len() as i64;
    let avg = (!frt.is_empty()).then(|| frt.iter().sum::<i64>() as f64 / frt.len() as f64 / 1000.0);
    let median = (!frt.is_empty()).then(|| {
        let n = frt.len();
        if n % 2 == 1 {
            frt[n / 2] as f64 / 1000.0
        } else {
            (frt[n / 2 - 1] + frt[n / 2]) as f64 / 2000.0
        }
    });
    let mut by_triage = Vec::new();
    {
        let mut stmt =
            c.prepare(&format!("SELECT triage, COUNT(*) FROM cases WHERE {w} GROUP BY triage ORDER BY COUNT(*) DESC"))?;
        for row in stmt.query_map(params![since, now], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            by_triage.push(row?);
        }
    }
    let bot_sessions = q(c, &format!("SELECT COUNT(*) FROM bot_sessions WHERE {w}"))?;
    let bot_self_served = q(c, &format!("SELECT COUNT(*) FROM bot_sessions WHERE {w} AND handed_off = 0"))?;
    Ok(Report {
        days,
        since_ms: since,
        until_ms: now,
        cases,
        by_triage,
        answered,
        first_response_avg_s: avg,
        first_response_median_s: median,
        sla_met_rate: ratio(sla_met, sla_due),
        closed,
        resolved,
        resolution_rate: ratio(resolved, cases),
        escalated,
        escalation_rate: ratio(escalated, cases),
        ratings,
        csat_avg: csat,
        bot_sessions,
        bot_self_served,
        bot_self_service_rate: ratio(bot_self_served, bot_sessions),
    })
}

fn dur(s: Option<f64>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s < 90.0 => format!("{s:.0} s"),
        Some(s) if s < 5400.0 => format!("{:.1} min", s / 60.0),
        Some(s) => format!("{:.1} h", s / 3600.0),
    }
}

fn pct(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{:.1}%", r * 100.0))
}

fn day(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day()))
        .unwrap_or_default()
}

impl Report {
    pub fn render(&self) -> String {
        let mut s = String::new();
        use std::fmt::Write;
        let _ = writeln!(s, "kefu report: {} day(s), {} – {} (UTC)", self.days, day(self.since_ms), day(self.until_ms));
        let tri: Vec<String> = self.by_triage.iter().map(|(t, n)| format!("{t} {n}")).collect();
        let _ = writeln!(
            s,
            "  cases                 {}{}",
            self.cases,
            if tri.is_empty() { String::new() } else { format!("  ({})", tri.join(", ")) }
        );
        let _ = writeln!(
            s,
            "  first response        avg {} · median {}  ({} answered)",
            dur(self.first_response_avg_s),
            dur(self.first_response_median_s),
            self.answered
        );
        let _ = writeln!(s, "  SLA met               {}", pct(self.sla_met_rate));
        let _ = writeln!(
            s,
            "  resolution rate       {}  ({} resolved, {} closed)",
            pct(self.resolution_rate),
            self.resolved,
            self.closed
        );
        let _ = writeln!(s, "  escalation rate       {}  ({} escalated)", pct(self.escalation_rate), self.escalated);
        let _ = writeln!(
            s,
            "  CSAT                  {}  ({} rating(s))",
            self.csat_avg.map_or("–".into(), |v| format!("{v:.2} / 5")),
            self.ratings
        );
        let _ = writeln!(
            s,
            "  bot self-service      {}  ({} of {} widget conversation(s) without hand-off)",
            pct(self.bot_self_service_rate),
            self.bot_self_served,
            self.bot_sessions
        );
        s
    }
}
