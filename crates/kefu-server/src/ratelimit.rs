//! A small token bucket per key (client IP, client id, login IP).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// Requests allowed at once.
    pub burst: u32,
    /// Requests refilled per minute.
    pub per_minute: u32,
}

impl std::str::FromStr for Rate {
    type Err = String;
    /// `BURST/PER_MINUTE`, e.g. `60/120`; `0/0` turns the limit off.
    fn from_str(s: &str) -> Result<Self, String> {
        let (b, p) = s.split_once('/').ok_or_else(|| format!("rate `{s}`: use BURST/PER_MINUTE, e.g. 60/120"))?;
        Ok(Rate {
            burst: b.trim().parse().map_err(|_| format!("rate `{s}`: bad burst"))?,
            per_minute: p.trim().parse().map_err(|_| format!("rate `{s}`: bad per-minute"))?,
        })
    }
}

pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Limiter { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key`; false when the bucket is empty.
    pub fn check(&self, key: &str) -> bool {
        if self.rate.burst == 0 {
            return true;
        }
        let now = Instant::now();
        let burst = self.rate.burst as f64;
        let per_sec = self.rate.per_minute as f64 / 60.0;
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Drop full buckets: they carry no state worth keeping.
            map.retain(|_, (t, at)| *t + now.duration_since(*at).as_secs_f64() * per_sec < burst);
        }
        let entry = map.entry(key.to_string()).or_insert((burst, now));
        let refill = now.duration_since(entry.1).as_secs_f64() * per_sec;
        entry.0 = (entry.0 + refill).min(burst);
        entry.1 = now;
        if entry.0 >= 1.0 {
            entry.0 -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn bucket_empties_and_off_means_off() {
        let l = Limiter::new(Rate { burst: 3, per_minute: 1 });
        assert!(l.check("a") && l.check("a") && l.check("a"));
        assert!(!l.check("a"));
        assert!(l.check("b"));
        let off = Limiter::new("0/0".parse().unwrap());
        assert!((0..1000).all(|_| off.check("x")));
    }
}
