//! The merchant's brand colour, made safe to read: `data-color` is used as given for the
//! launcher, and darker / lighter variants are derived so text on it and links in it keep
//! WCAG AA contrast (4.5:1) in light and dark mode.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses `#rgb` or `#rrggbb`, exactly as the loader takes a brand colour (no spaces, hex
    /// digits only): a value one of them takes and the other not would colour the launcher and
    /// not the panel, or the other way round.
    pub fn parse(s: &str) -> Option<Rgb> {
        let h = s.strip_prefix('#').filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
        let v = |i: usize, n: usize| u8::from_str_radix(h.get(i..i + n)?, 16).ok();
        match h.len() {
            3 => Some(Rgb(v(0, 1)? * 17, v(1, 1)? * 17, v(2, 1)? * 17)),
            6 => Some(Rgb(v(0, 2)?, v(2, 2)?, v(4, 2)?)),
            _ => None,
        }
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG 2).
    pub fn luminance(self) -> f32 {
        let lin = |c: u8| {
            let c = c as f32 / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    fn mix(self, other: Rgb, t: f32) -> Rgb {
        let m = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// Contrast ratio between two colours (1–21).
pub fn contrast(a: Rgb, b: Rgb) -> f32 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The brand colour mixed toward `toward` just enough to reach `ratio` against `against`.
pub fn adjust(brand: Rgb, toward: Rgb, against: Rgb, ratio: f32) -> Rgb {
    let mut t = 0.0;
    loop {
        let c = brand.mix(toward, t);
        if contrast(c, against) >= ratio || t >= 1.0 {
            return c;
        }
        t += 0.04;
    }
}

/// CSS custom properties derived from the brand colour: (name, value).
pub fn palette(brand: &str) -> Vec<(&'static str, String)> {
    let Some(b) = Rgb::parse(brand) else { return Vec::new() };
    let white = Rgb(255, 255, 255);
    let black = Rgb(0, 0, 0);
    // Light surfaces: white text on the accent and accent links on the light bot bubble.
    let accent = adjust(b, black, Rgb(0xf1, 0xf2, 0xf4), 4.6);
    let accent = adjust(accent, black, white, 4.6);
    // Dark surfaces: accent links on the dark bot bubble.
    let light = adjust(b, white, Rgb(0x2b, 0x2e, 0x35), 4.6);
    vec![("--kefu-color", b.hex()), ("--kefu-accent", accent.hex()), ("--kefu-accent-dark-mode", light.hex())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_reached() {
        let red = Rgb::parse("#e4393c").unwrap();
        assert!(contrast(red, Rgb(255, 255, 255)) < 4.5);
        let p = palette("#e4393c");
        let accent = Rgb::parse(&p[1].1).unwrap();
        assert!(contrast(accent, Rgb(255, 255, 255)) >= 4.5);
        assert!(contrast(accent, Rgb(0xf1, 0xf2, 0xf4)) >= 4.5);
        let light = Rgb::parse(&p[2].1).unwrap();
        assert!(contrast(light, Rgb(0x2b, 0x2e, 0x35)) >= 4.5);
        assert_eq!(Rgb::parse("#fff"), Some(Rgb(255, 255, 255)));
        assert!(palette("red").is_empty());
        // As the loader's /^#([\da-f]{3}){1,2}$/i: no signs, spaces or other lengths.
        assert_eq!(Rgb::parse("#E4393C"), Some(Rgb(0xe4, 0x39, 0x3c)));
        for bad in ["#+fffff", " #fff", "#fff ", "#ffff", "fff", "#ggg", ""] {
            assert_eq!(Rgb::parse(bad), None, "{bad:?}");
        }
    }
}
