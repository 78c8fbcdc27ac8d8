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

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("not a JPEG, PNG or WebP image")]
    Unsupported,
    #[error("image is {0}×{1} pixels, over the limit of {2} pixels")]
    TooManyPixels(u32, u32, u64),
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

/// Reads the dimensions from the header only.
pub fn dimensions(bytes: &[u8], l: &Limits) -> Result<(Kind, u32, u32), ImageError> {
    let kind = sniff(bytes).ok_or(ImageError::Unsupported)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(decoder_limits(l));
    let (w, h) = reader.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooManyPixels(0, 0, l.max_pixels),
        e => ImageError::Decode(e.to_string()),
    })?;
    if w == 0 || h == 0 {
        return Err(ImageError::Decode("zero-sized image".into()));
    }
    if w as u64 * h as u64 > l.max_pixels || w > l.max_side || h > l.max_side {
        return Err(ImageError::TooManyPixels(w, h, l.max_pixels));
    }
    Ok((kind, w, h))
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
        image::ImageError::Limits(_) => ImageError::TooManyPixels(0, 0, l.max_pixels),
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
