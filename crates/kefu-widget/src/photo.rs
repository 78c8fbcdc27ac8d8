//! Photos for a hand-off, the DOM-free part: what a file really is (by its magic bytes, not
//! its name or declared type), its pixel size read from the header before anything is
//! decoded, the size it is scaled down to, and the SHA-256 of the bytes the widget sends
//! (reported to the page so a helpdesk can check what arrived).
//!
//! The browser part (decode, scale, re-encode as JPEG, which drops EXIF and GPS) is in
//! [`crate::images`].

/// An image format the widget takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    /// HEIC/HEIF (iPhone photos): taken only when the browser can decode it.
    Heic,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Jpeg => "JPEG",
            Kind::Png => "PNG",
            Kind::Webp => "WebP",
            Kind::Heic => "HEIC",
        }
    }
}

/// The format by the first bytes of the file; `None` for anything else (GIF, PDF, SVG,
/// executables, text with an image's name…).
pub fn sniff(b: &[u8]) -> Option<Kind> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Kind::Jpeg);
    }
    if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(Kind::Png);
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Some(Kind::Webp);
    }
    // ISO BMFF: [size]["ftyp"][major brand]…; HEIF still images use these brands.
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        let brand = &b[8..12];
        const HEIF: [&[u8; 4]; 8] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"];
        if HEIF.iter().any(|h| brand == *h) {
            return Some(Kind::Heic);
        }
    }
    None
}

/// What reading the header found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// Width and height in pixels, as stored (before any EXIF rotation).
    Size(u32, u32),
    /// The size is further into the file: read at least this many bytes and ask again.
    NeedMore(usize),
    /// The header is broken (or names a size of zero).
    Invalid,
}

fn be16(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(*b.get(i)?) << 8 | u32::from(*b.get(i + 1)?))
}

fn be32(b: &[u8], i: usize) -> Option<u32> {
    Some(be16(b, i)? << 16 | be16(b, i + 2)?)
}

fn le16(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(*b.get(i)?) | u32::from(*b.get(i + 1)?) << 8)
}

fn le24(b: &[u8], i: usize) -> Option<u32> {
    Some(le16(b, i)? | u32::from(*b.get(i + 2)?) << 16)
}

fn sized(w: u32, h: u32) -> Header {
    if w == 0 || h == 0 {
        Header::Invalid
    } else {
        Header::Size(w, h)
    }
}

/// The pixel size from the header of `b` (the start of a file of `kind`).
pub fn dimensions(kind: Kind, b: &[u8]) -> Header {
    match kind {
        Kind::Jpeg => jpeg(b),
        Kind::Png => match (be32(b, 16), be32(b, 20)) {
            (Some(w), Some(h)) if &b[12..16] == b"IHDR" => sized(w, h),
            (None, _) | (_, None) => Header::NeedMore(24),
            _ => Header::Invalid,
        },
        Kind::Webp => webp(b),
        Kind::Heic => heic(b),
    }
}

/// Walks the JPEG segments to the first start-of-frame marker.
fn jpeg(b: &[u8]) -> Header {
    let mut i = 2;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&ff), Some(&m)) = (b.get(i), b.get(i + 1)) else { return Header::NeedMore(i + 4) };
        if ff != 0xFF {
            return Header::Invalid;
        }
        // Markers without a length.
        if m == 0x01 || (0xD0..=0xD7).contains(&m) {
            i += 2;
            continue;
        }
        if m == 0xD9 || m == 0xDA {
            // End of image or start of scan before any frame header.
            return Header::Invalid;
        }
        let Some(len) = be16(b, i + 2) else { return Header::NeedMore(i + 4) };
        if len < 2 {
            return Header::Invalid;
        }
        let is_sof = matches!(m, 0xC0..=0xCF) && !matches!(m, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            return match (be16(b, i + 5), be16(b, i + 7)) {
                (Some(h), Some(w)) => sized(w, h),
                _ => Header::NeedMore(i + 9),
            };
        }
        i += 2 + len as usize;
    }
}

fn webp(b: &[u8]) -> Header {
    if b.len() < 30 {
        return Header::NeedMore(30);
    }
    match &b[12..16] {
        // Lossy: frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height.
        b"VP8 " => {
            if b[23..26] != [0x9D, 0x01, 0x2A] {
                return Header::Invalid;
            }
            sized(le16(b, 26).unwrap_or(0) & 0x3FFF, le16(b, 28).unwrap_or(0) & 0x3FFF)
        }
        // Lossless: signature 0x2F, then 14 bits width-1, 14 bits height-1.
        b"VP8L" => {
            if b[20] != 0x2F {
                return Header::Invalid;
            }
            let v = u32::from(b[21]) | u32::from(b[22]) << 8 | u32::from(b[23]) << 16 | u32::from(b[24]) << 24;
            sized((v & 0x3FFF) + 1, ((v >> 14) & 0x3FFF) + 1)
        }
        // Extended: 24-bit canvas width-1 and height-1.
        b"VP8X" => sized(le24(b, 24).unwrap_or(0) + 1, le24(b, 27).unwrap_or(0) + 1),
        _ => Header::Invalid,
    }
}

/// HEIF keeps the size in an `ispe` property box inside `meta`; it sits near the start of
/// the file. Looks for it in the bytes given (the largest image's box wins).
fn heic(b: &[u8]) -> Header {
    let mut best: Option<(u32, u32)> = None;
    let mut i = 4;
    while i + 16 <= b.len() {
        if &b[i..i + 4] == b"ispe" {
            if let (Some(w), Some(h)) = (be32(b, i + 8), be32(b, i + 12)) {
                if best.is_none_or(|(bw, bh)| u64::from(w) * u64::from(h) > u64::from(bw) * u64::from(bh)) {
                    best = Some((w, h));
                }
            }
            i += 16;
        } else {
            i += 1;
        }
    }
    match best {
        Some((w, h)) => sized(w, h),
        None if b.len() < 1 << 20 => Header::NeedMore(1 << 20),
        None => Header::Invalid,
    }
}

/// The size to scale `w`×`h` to so that the long side is at most `max_edge` (never up).
pub fn fit(w: u32, h: u32, max_edge: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max_edge || max_edge == 0 {
        return (w, h);
    }
    let s = f64::from(max_edge) / f64::from(long);
    let scale = |x: u32| ((f64::from(x) * s).round() as u32).max(1);
    if w >= h {
        (max_edge, scale(h))
    } else {
        (scale(w), max_edge)
    }
}

/// SHA-256 (FIPS 180-4), hex. Small and self-contained: `crypto.subtle` only exists on
/// HTTPS pages, and a shop may test on plain HTTP.
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let bit_len = (data.len() as u64).wrapping_mul(8);
    // The message, a 1 bit, zeros to 56 mod 64, the length: processed block by block.
    let tail_len = if data.len() % 64 < 56 { 64 } else { 128 };
    let full = data.len() / 64 * 64;
    let mut tail = vec![0u8; tail_len];
    tail[..data.len() - full].copy_from_slice(&data[full..]);
    tail[data.len() - full] = 0x80;
    tail[tail_len - 8..].copy_from_slice(&bit_len.to_be_bytes());
    let mut w = [0u32; 64];
    for block in data[..full].chunks_exact(64).chain(tail.chunks_exact(64)) {
        for (t, c) in block.chunks_exact(4).enumerate() {
            w[t] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for t in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[t]).wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(v);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(sha256_hex(&million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        // Lengths around the padding boundary.
        for n in 50..70 {
            assert_eq!(sha256_hex(&vec![7u8; n]).len(), 64);
        }
    }

    #[test]
    fn sniffs_by_bytes_only() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(Kind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Kind::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(Kind::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), None, "an MP4 video");
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"<svg xmlns="), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b""), None);
    }

    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0]);
        b
    }

    #[test]
    fn png_size() {
        assert_eq!(dimensions(Kind::Png, &png_header(640, 480)), Header::Size(640, 480));
        assert_eq!(dimensions(Kind::Png, &png_header(100_000, 100_000)), Header::Size(100_000, 100_000));
        assert_eq!(dimensions(Kind::Png, &png_header(0, 5)), Header::Invalid);
        assert_eq!(dimensions(Kind::Png, &png_header(1, 1)[..20]), Header::NeedMore(24));
    }

    fn jpeg_header(app_len: usize, w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        // An APP1 (EXIF) segment of app_len bytes, then a quantisation table, then SOF0.
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&((app_len + 2) as u16).to_be_bytes());
        b.extend(std::iter::repeat_n(0x45, app_len));
        b.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]);
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b
    }

    #[test]
    fn jpeg_size_after_exif() {
        let b = jpeg_header(30_000, 4032, 3024);
        assert_eq!(dimensions(Kind::Jpeg, &b), Header::Size(4032, 3024));
        // Cut inside the EXIF segment: asks for more, past the segment.
        match dimensions(Kind::Jpeg, &b[..1000]) {
            Header::NeedMore(n) => assert!(n > 30_000, "{n}"),
            other => panic!("{other:?}"),
        }
        // A progressive frame (SOF2) counts too; DHT (C4) does not.
        let mut p = jpeg_header(10, 800, 600);
        let sof = p.len() - 17 - 2;
        p[sof + 1] = 0xC2;
        assert_eq!(dimensions(Kind::Jpeg, &p), Header::Size(800, 600));
        assert_eq!(dimensions(Kind::Jpeg, &[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), Header::Invalid);
        assert_eq!(dimensions(Kind::Jpeg, &[0xFF, 0xD8, 0x00, 0x00, 0, 2]), Header::Invalid);
    }

    #[test]
    fn webp_sizes() {
        let mut lossy = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0".to_vec();
        lossy.extend_from_slice(&[0, 0, 0, 0x9D, 0x01, 0x2A]);
        lossy.extend_from_slice(&(1000u16).to_le_bytes());
        lossy.extend_from_slice(&(750u16).to_le_bytes());
        assert_eq!(dimensions(Kind::Webp, &lossy), Header::Size(1000, 750));
        let mut ext = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        ext.extend_from_slice(&[0x3F, 0x1F, 0x00]); // 8000 - 1
        ext.extend_from_slice(&[0x3F, 0x1F, 0x00]);
        assert_eq!(dimensions(Kind::Webp, &ext), Header::Size(8000, 8000));
        let mut ll = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
        let v: u32 = (99) | (49 << 14);
        ll.extend_from_slice(&v.to_le_bytes());
        ll.extend_from_slice(&[0; 8]);
        assert_eq!(dimensions(Kind::Webp, &ll), Header::Size(100, 50));
    }

    #[test]
    fn heic_size_from_ispe() {
        let mut b = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
        b.extend_from_slice(b"\0\0\0\x14ispe\0\0\0\0");
        b.extend_from_slice(&512u32.to_be_bytes());
        b.extend_from_slice(&512u32.to_be_bytes());
        b.extend_from_slice(b"\0\0\0\x14ispe\0\0\0\0");
        b.extend_from_slice(&4032u32.to_be_bytes());
        b.extend_from_slice(&3024u32.to_be_bytes());
        assert_eq!(dimensions(Kind::Heic, &b), Header::Size(4032, 3024));
    }

    #[test]
    fn fits_long_side() {
        assert_eq!(fit(4032, 3024, 2048), (2048, 1536));
        assert_eq!(fit(3024, 4032, 2048), (1536, 2048));
        assert_eq!(fit(800, 600, 2048), (800, 600));
        assert_eq!(fit(20000, 10, 2048), (2048, 1));
    }
}
