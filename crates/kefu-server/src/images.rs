//! Photo intake: magic-byte sniffing, header-first size checks, bounded decoding, and a
//! re-encode that drops every metadata chunk (EXIF, GPS, XMP, ICC, comments).
//!
//! Re-encoding (documented in docs/handoff-api.md so clients and tests can reproduce it):
//! - JPEG in → EXIF orientation applied → RGB8 → baseline JPEG, quality [`JPEG_QUALITY`].
//! - PNG or WebP in → EXIF orientation applied → PNG (image crate defaults), colour type kept.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

pub const JPEG_QUALITY: u8 = 85;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
}

impl Kind {
    pub fn format(self) -> ImageFormat {
        match self {
            Kind::Jpeg => ImageFormat::Jpeg,
            Kind::Png => ImageFormat::Png,
            Kind::Webp => ImageFormat::WebP,
        }
    }
    /// The MIME type a client may declare for this kind.
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
        }
    }
    pub fn from_mime(m: &str) -> Option<Kind> {
        match m.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(Kind::Jpeg),
            "image/png" => Some(Kind::Png),
            "image/webp" => Some(Kind::Webp),
            _ => None,
        }
    }
    pub fn from_extension(name: &str) -> Option<Kind> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" | "jfif" => Some(Kind::Jpeg),
            "png" => Some(Kind::Png),
            "webp" => Some(Kind::Webp),
            _ => None,
        }
    }
}

/// The type by magic bytes; `None` for anything that is not JPEG, PNG or WebP.
pub fn sniff(b: &[u8]) -> Option<Kind> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(Kind::Png)
    } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(Kind::Webp)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest width × height accepted (checked from the header, before decoding).
    pub max_pixels: u64,
    /// Largest single side.
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_pixels: 36_000_000, max_side: 16_384 }
    }
}

impl ImageError {
    /// Refused for its size (a `413 image_too_large` at the API), not for its contents.
    pub fn is_too_large(&self) -> bool {
        matches!(self, ImageError::SideTooLong { .. } | ImageError::TooManyPixels { .. } | ImageError::DecodeLimit(_))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("not a JPEG, PNG or WebP image")]
    Unsupported,
    #[error("image is {width}×{height} pixels, over the limit of {max_side} px per side")]
    SideTooLong { width: u32, height: u32, max_side: u32 },
    #[error("image is {width}×{height} pixels ({} in all), over the limit of {max_pixels} pixels", *.width as u64 * *.height as u64)]
    TooManyPixels { width: u32, height: u32, max_pixels: u64 },
    /// The decoder wanted more memory than [`Limits`] allow (sizes passed the header check).
    #[error("image needs more memory to decode than allowed: {0}")]
    DecodeLimit(String),
    #[error("image could not be decoded: {0}")]
    Decode(String),
    #[error("image could not be encoded: {0}")]
    Encode(String),
}

/// A re-encoded image.
#[derive(Debug, Clone)]
pub struct Processed {
    pub bytes: Vec<u8>,
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
}

impl Processed {
    pub fn mime(&self) -> &'static str {
        self.kind.mime()
    }
    pub fn extension(&self) -> &'static str {
        match self.kind {
            Kind::Jpeg => "jpg",
            _ => "png",
        }
    }
}

fn decoder_limits(l: &Limits) -> image::Limits {
    let mut lim = image::Limits::default();
    lim.max_image_width = Some(l.max_side);
    lim.max_image_height = Some(l.max_side);
    // Room for the decoded frame at 8 bytes/pixel (16-bit RGBA) plus codec buffers.
    lim.max_alloc = Some(l.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    lim
}

/// The decoder limits of the header read: no side limit there, so the real size can be
/// reported ([`dimensions`] checks both limits itself); memory stays bounded.
fn header_limits(l: &Limits) -> image::Limits {
    let mut lim = decoder_limits(l);
    lim.max_image_width = None;
    lim.max_image_height = None;
    lim
}

/// Reads the dimensions from the header only, and checks them against both limits.
pub fn dimensions(bytes: &[u8], l: &Limits) -> Result<(Kind, u32, u32), ImageError> {
    let kind = sniff(bytes).ok_or(ImageError::Unsupported)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(header_limits(l));
    let (width, height) = reader.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(e) => ImageError::DecodeLimit(e.to_string()),
        e => ImageError::Decode(e.to_string()),
    })?;
    if width == 0 || height == 0 {
        return Err(ImageError::Decode("zero-sized image".into()));
    }
    if width > l.max_side || height > l.max_side {
        return Err(ImageError::SideTooLong { width, height, max_side: l.max_side });
    }
    if width as u64 * height as u64 > l.max_pixels {
        return Err(ImageError::TooManyPixels { width, height, max_pixels: l.max_pixels });
    }
    Ok((kind, width, height))
}

/// Validates, decodes (within limits) and re-encodes an uploaded image.
pub fn process(bytes: &[u8], l: &Limits) -> Result<Processed, ImageError> {
    let (kind, _, _) = dimensions(bytes, l)?;
    if kind == Kind::Jpeg && !jpeg_complete(bytes) {
        // Decoders fill a truncated scan with grey; refuse instead of storing half a photo.
        return Err(ImageError::Decode("truncated JPEG (no end-of-image marker after the last scan)".into()));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(decoder_limits(l));
    let map = |e: image::ImageError| match e {
        image::ImageError::Limits(e) => ImageError::DecodeLimit(e.to_string()),
        e => ImageError::Decode(e.to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(map)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(map)?;
    img.apply_orientation(orientation);
    reencode(&img, kind)
}

/// A JPEG ends its last scan (SOS, FF DA) with an end-of-image marker (FF D9). Inside scans,
/// FF is always stuffed (FF 00), so a marker pair cannot occur by chance there.
///
/// A file cut short inside its scan and then closed with FF D9 passes this check and is
/// stored with its missing rows filled in. That is left so, because the decoder gives no way
/// to tell: the image crate decodes JPEG with zune-jpeg (0.5) in lenient mode and returns no
/// warnings; zune-jpeg's strict mode (tried directly) only errors when the bytes run out
/// with no marker ("Premature end of buffer"), while at a marker inside the scan it feeds
/// zero bits and, for FF D9, notes "seen EOI" and decodes the remaining blocks from those
/// zeros without an error, in strict mode too; and rows decoded from zero bits are no fixed
/// colour that a comparison of decoded rows could recognise. Counting the scan's blocks
/// would mean a Huffman decoder of our own.
fn jpeg_complete(b: &[u8]) -> bool {
    let last = |m: u8| b.windows(2).rposition(|w| w[0] == 0xFF && w[1] == m);
    matches!((last(0xDA), last(0xD9)), (Some(sos), Some(eoi)) if eoi > sos)
}

/// The re-encode step alone (public so tests and tools can reproduce stored bytes).
pub fn reencode(img: &DynamicImage, source: Kind) -> Result<Processed, ImageError> {
    let mut out = Vec::new();
    let kind = match source {
        Kind::Jpeg => {
            let rgb = img.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode_image(&rgb)
                .map_err(|e| ImageError::Encode(e.to_string()))?;
            Kind::Jpeg
        }
        Kind::Png | Kind::Webp => {
            img.write_with_encoder(PngEncoder::new(&mut out)).map_err(|e| ImageError::Encode(e.to_string()))?;
            Kind::Png
        }
    };
    Ok(Processed { bytes: out, kind, width: img.width(), height: img.height() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose IHDR claims `w`×`h`, with a token IDAT: enough for the header read.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let mut c = 0xFFFF_FFFFu32;
            for &x in &out[start..] {
                c ^= x as u32;
                for _ in 0..8 {
                    c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                }
            }
            out.extend_from_slice(&(!c).to_be_bytes());
        }
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(&mut b, b"IHDR", &ihdr);
        chunk(&mut b, b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(&mut b, b"IEND", &[]);
        b
    }

    #[test]
    fn size_errors_give_the_real_dimensions_and_the_limit_hit() {
        let l = Limits::default();
        let e = dimensions(&png_header(16_385, 1), &l).unwrap_err();
        assert!(matches!(e, ImageError::SideTooLong { width: 16_385, height: 1, max_side: 16_384 }), "{e:?}");
        assert_eq!(e.to_string(), "image is 16385×1 pixels, over the limit of 16384 px per side");
        let e = dimensions(&png_header(100_000, 100_000), &l).unwrap_err();
        assert_eq!(e.to_string(), "image is 100000×100000 pixels, over the limit of 16384 px per side");
        let e = dimensions(&png_header(7000, 6000), &l).unwrap_err();
        assert_eq!(e.to_string(), "image is 7000×6000 pixels (42000000 in all), over the limit of 36000000 pixels");
        assert!(e.is_too_large());
        assert_eq!(dimensions(&png_header(6000, 6000), &l).unwrap(), (Kind::Png, 6000, 6000));
    }
}
