//! Working hours, peak mode and the response-time promises (merchant settings with the seeds'
//! defaults): urgent → green channel in 3 minutes, complaint → acknowledged within 1 hour,
//! after-sales → a clear direction within 2 hours, outside working hours → a reply before the
//! next working day starts (less than [`NEAR_OPENING_MINUTES`] before it: within the case's
//! own time after the opening, see [`ServiceHours::reply_by`]), peak → the expected queue time.
//!
//! Time comes in through [`Now`]; the shop's UTC offset is the merchant's setting when given,
//! else the caller's `Now::utc_offset_minutes`. Nothing here reads a clock.

/// The current time as the caller sees it (the core reads no clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Now {
    /// Milliseconds since the Unix epoch.
    pub unix_ms: i64,
    /// The shop's offset from UTC in minutes (e.g. +480 for China). A `[hours] utc_offset`
    /// in `kefu.toml` takes precedence.
    pub utc_offset_minutes: i32,
}
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// When humans answer the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceHours {
    /// Opening time, minutes after local midnight (0–1439).
    pub open: u16,
    /// Closing time, minutes after local midnight; before `open` means past midnight, equal
    /// to `open` means around the clock.
    pub close: u16,
    /// Working days: bit 0 = Monday … bit 6 = Sunday.
    pub days: u8,
    /// The shop's offset from UTC in minutes (+480 for China); `None` uses `Now`'s.
    pub utc_offset_minutes: Option<i32>,
}

impl Default for ServiceHours {
    fn default() -> Self {
        ServiceHours { open: 9 * 60, close: 22 * 60, days: 0x7f, utc_offset_minutes: None }
    }
}

/// Peak mode: the merchant says the team is swamped (a sale day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeakMode {
    pub on: bool,
    /// Expected wait in the queue, in minutes.
    pub queue_minutes: u32,
}

impl Default for PeakMode {
    fn default() -> Self {
        PeakMode { on: false, queue_minutes: 10 }
    }
}

/// Promised response times and, optionally, the merchant's own wording of each promise.
///
/// Wordings may use `{minutes}` (a number), `{time}` ("1 hour", "2 小时"), `{when}` (the next
/// opening, "tomorrow 09:00") and `{hours}` ("09:00–22:00"). A wording is used when the reply
/// is in the shop's locale; other languages get kefu's built-in wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promises {
    pub urgent_minutes: u32,
    pub complaint_minutes: u32,
    pub after_sales_minutes: u32,
    pub urgent: Option<String>,
    pub complaint: Option<String>,
    pub after_sales: Option<String>,
    pub off_hours: Option<String>,
    pub peak: Option<String>,
}

impl Default for Promises {
    fn default() -> Self {
        Promises {
            urgent_minutes: 3,
            complaint_minutes: 60,
            after_sales_minutes: 120,
            urgent: None,
            complaint: None,
            after_sales: None,
            off_hours: None,
            peak: None,
        }
    }
}

/// A moment in the shop's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// Days since 1970-01-01 (local).
    pub day: i64,
    /// Minutes after local midnight.
    pub minute: u16,
    /// The offset used, minutes.
    pub offset: i32,
}

impl Local {
    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        (self.day + 3).rem_euclid(7) as u8
    }
}

impl ServiceHours {
    /// The local time of `now` in the shop's time zone.
    pub fn local(&self, now: Now) -> Local {
        let offset = self.utc_offset_minutes.unwrap_or(now.utc_offset_minutes).clamp(-18 * 60, 18 * 60);
        let ms = now.unix_ms.saturating_add(offset as i64 * MINUTE_MS);
        Local { day: ms.div_euclid(DAY_MS), minute: (ms.rem_euclid(DAY_MS) / MINUTE_MS) as u16, offset }
    }

    fn works(&self, day: i64) -> bool {
        let weekday = (day + 3).rem_euclid(7) as u8;
        self.days & (1 << weekday) != 0
    }

    fn open_min(&self) -> u16 {
        self.open.min(1439)
    }

    fn close_min(&self) -> u16 {
        self.close.min(1440)
    }

    /// True when humans are at work at `now`.
    pub fn is_open(&self, now: Now) -> bool {
        let l = self.local(now);
        let (open, close) = (self.open_min(), self.close_min());
        if open == close {
            return self.works(l.day);
        }
        if open < close {
            return self.works(l.day) && (open..close).contains(&l.minute);
        }
        (self.works(l.day) && l.minute >= open) || (self.works(l.day - 1) && l.minute < close)
    }

    /// The next opening after `now`: days from today (0 = later today) and the instant (Unix ms).
    pub fn next_open(&self, now: Now) -> Option<(i64, i64)> {
        let l = self.local(now);
        let open = self.open_min();
        for k in 0..=7i64 {
            let day = l.day + k;
            if self.works(day) && (k > 0 || l.minute < open) {
                let local_ms = day * DAY_MS + open as i64 * MINUTE_MS;
                return Some((k, local_ms - l.offset as i64 * MINUTE_MS));
            }
        }
        None
    }

    /// When an off-hours message is promised a reply: the next opening ("before 09:00
    /// tomorrow"), or, when that opening is less than [`NEAR_OPENING_MINUTES`] away, `after`
    /// minutes past it (the case's own response tier: a deadline a few minutes from now, before
    /// the team has even started, is no promise anyone can keep). Returns the day (0 = today)
    /// and local minute of the deadline, whether it is the near-opening one, and the instant.
    pub fn reply_by(&self, now: Now, after: u32) -> Option<ReplyBy> {
        let (days_ahead, at) = self.next_open(now)?;
        let open = self.open_min();
        if at - now.unix_ms >= NEAR_OPENING_MINUTES * MINUTE_MS {
            return Some(ReplyBy { days_ahead, minute: open, near: false, at });
        }
        let minute = open as i64 + after as i64;
        Some(ReplyBy {
            days_ahead: days_ahead + minute.div_euclid(1440),
            minute: minute.rem_euclid(1440) as u16,
            near: true,
            at: at.saturating_add(after as i64 * MINUTE_MS),
        })
    }

    /// "09:00–22:00".
    pub fn span_text(&self) -> String {
        format!("{}–{}", hhmm(self.open_min()), hhmm(self.close_min()))
    }
}

/// Closer than this to the next opening, an off-hours message is promised a reply some time
/// after the opening instead of "before" it ([`ServiceHours::reply_by`]).
pub const NEAR_OPENING_MINUTES: i64 = 60;

/// The deadline of an off-hours promise ([`ServiceHours::reply_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyBy {
    /// Days from today (0 = later today).
    pub days_ahead: i64,
    /// Local minute after midnight.
    pub minute: u16,
    /// Close to the opening: the deadline is after it, not the opening itself.
    pub near: bool,
    /// The instant (Unix ms).
    pub at: i64,
}

/// Minutes after midnight as `HH:MM`.
pub fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute.min(1440) / 60, minute % 60)
}

/// Parses `HH:MM` (24-hour; `24:00` allowed for closing at midnight).
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    ((h < 24 && m < 60) || (h == 24 && m == 0)).then_some(h * 60 + m)
}

/// Parses a UTC offset: `+08:00`, `-05:30`, `+8`, `UTC+8`.
pub fn parse_offset(s: &str) -> Option<i32> {
    let t = s.trim();
    let t = t.strip_prefix("UTC").or_else(|| t.strip_prefix("GMT")).unwrap_or(t).trim();
    let (sign, rest) = match t.chars().next()? {
        '+' => (1, &t[1..]),
        '-' | '−' => (-1, &t[t.chars().next()?.len_utf8()..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None => (rest.parse::<i32>().ok()?, 0),
    };
    (h <= 14 && (0..60).contains(&m)).then_some(sign * (h * 60 + m))
}

/// Parses a list of day names (`mon`…`sun`, Chinese 周一…周日 too) or ranges `mon-fri` into
/// the bit set of [`ServiceHours::days`].
pub fn parse_days(items: &[String]) -> Result<u8, String> {
    fn day(s: &str) -> Option<u8> {
        let s = s.trim().to_ascii_lowercase();
        const EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        const ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
        if let Some(i) = EN.iter().position(|d| s.starts_with(d)) {
            return Some(i as u8);
        }
        let z = s.trim_start_matches("周").trim_start_matches("週").trim_start_matches("星期");
        if z == "天" {
            return Some(6);
        }
        ZH.iter().position(|d| z == *d).map(|i| i as u8)
    }
    let mut bits = 0u8;
    for item in items {
        match item.split_once(['-', '–']) {
            Some((a, b)) => {
                let (a, b) = (day(a).ok_or(format!("unknown day `{a}`"))?, day(b).ok_or(format!("unknown day `{b}`"))?);
                let mut d = a;
                loop {
                    bits |= 1 << d;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => bits |= 1 << day(item).ok_or(format!("unknown day `{item}`"))?,
        }
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 is a Monday; this is 00:00 UTC that day.
    const MON_UTC: i64 = 1_795_392_000_000;

    fn at(hours_utc: f64, offset: i32) -> Now {
        Now { unix_ms: MON_UTC + (hours_utc * 3_600_000.0) as i64, utc_offset_minutes: offset }
    }

    #[test]
    fn the_reference_day_is_a_monday() {
        let l = ServiceHours::default().local(at(0.0, 0));
        assert_eq!(l.weekday(), 0);
        assert_eq!(l.minute, 0);
    }

    #[test]
    fn open_and_closed_follow_the_shop_time_zone() {
        let h = ServiceHours { utc_offset_minutes: Some(480), ..Default::default() };
        // 02:00 UTC = 10:00 in China: open.
        assert!(h.is_open(at(2.0, 0)));
        // 15:00 UTC = 23:00 in China: closed.
        assert!(!h.is_open(at(15.0, 0)));
        // Without the merchant offset, Now's offset counts.
        let h = ServiceHours::default();
        assert!(h.is_open(at(2.0, 480)));
        assert!(!h.is_open(at(2.0, 0)));
        assert!(!h.is_open(at(4.0, -300))); // 23:00 the day before
        assert!(h.is_open(at(2.0, -300))); // 21:00 the day before
    }

    #[test]
    fn next_opening_skips_closed_days() {
        // Weekdays only; Friday 23:00 in China → Monday 09:00.
        let h = ServiceHours { days: 0b001_1111, utc_offset_minutes: Some(480), ..Default::default() };
        let fri_23 = at(4.0 * 24.0 + 15.0, 0);
        assert!(!h.is_open(fri_23));
        let (days, ms) = h.next_open(fri_23).unwrap();
        assert_eq!(days, 3);
        assert_eq!(ms, MON_UTC + 7 * DAY_MS + 1_000 * 3_600); // Monday 01:00 UTC = 09:00 +08:00
                                                              // Monday 07:00 local → later today.
        assert_eq!(h.next_open(at(-1.0, 0)).unwrap().0, 0);
    }

    #[test]
    fn a_promise_made_just_before_opening_falls_after_it() {
        let h = ServiceHours { utc_offset_minutes: Some(480), ..Default::default() };
        // 08:58 in China (00:58 UTC): "before 09:00 today" would be two minutes away.
        let near = at(58.0 / 60.0, 0);
        assert!(!h.is_open(near));
        let by = h.reply_by(near, 60).unwrap();
        assert_eq!((by.days_ahead, by.minute, by.near), (0, 10 * 60, true));
        assert_eq!(by.at, MON_UTC + 2 * 3_600_000); // 10:00 in China
        assert!(by.at - near.unix_ms >= 60 * MINUTE_MS);
        // In the middle of the night the promise is the opening itself.
        let night = at(-5.0, 0); // 03:00 in China
        let by = h.reply_by(night, 60).unwrap();
        assert_eq!((by.days_ahead, by.minute, by.near), (0, 9 * 60, false));
        assert_eq!(Some(by.at), h.next_open(night).map(|(_, at)| at));
        // Opening late in the evening: the deadline may fall the next day.
        let late = ServiceHours { open: 23 * 60 + 30, close: 23 * 60 + 59, utc_offset_minutes: Some(0), days: 0x7f };
        let by = late.reply_by(at(23.0 + 20.0 / 60.0, 0), 120).unwrap();
        assert_eq!((by.days_ahead, by.minute, by.near), (1, 90, true));
    }

    #[test]
    fn hours_past_midnight_and_around_the_clock() {
        let late = ServiceHours { open: 18 * 60, close: 2 * 60, utc_offset_minutes: Some(0), ..Default::default() };
        assert!(late.is_open(at(1.0, 0)));
        assert!(late.is_open(at(20.0, 0)));
        assert!(!late.is_open(at(12.0, 0)));
        let always = ServiceHours { open: 0, close: 0, ..Default::default() };
        assert!(always.is_open(at(3.5, 0)));
    }

    #[test]
    fn parsers() {
        assert_eq!(parse_hhmm("09:30"), Some(570));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("25:00"), None);
        assert_eq!(parse_offset("+08:00"), Some(480));
        assert_eq!(parse_offset("UTC-5"), Some(-300));
        assert_eq!(parse_offset("8"), None);
        assert_eq!(parse_days(&["mon-fri".into()]), Ok(0b001_1111));
        assert_eq!(parse_days(&["sat".into(), "周日".into()]), Ok(0b110_0000));
        assert_eq!(parse_days(&["fri-mon".into()]), Ok(0b111_0001));
        assert!(parse_days(&["someday".into()]).is_err());
        assert_eq!(hhmm(1440), "24:00");
    }
}
