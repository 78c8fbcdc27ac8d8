//! Photos in the browser: a file the shopper picked, pasted or dropped becomes a JPEG the
//! widget can send. In order: the real type by magic bytes ([`photo::sniff`]); the pixel size
//! from the header, refused above the limit *before* anything is decoded; then decode
//! (`createImageBitmap`, which applies the EXIF orientation), scale the long side down to
//! the maximum edge on a canvas, and re-encode as JPEG — a canvas carries no EXIF, GPS or
//! camera data, so none leaves the device. A small thumbnail is made alongside.

use crate::photo::{self, Header, Kind};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap};

/// The merchant's photo settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Photos per case (0: no photos).
    pub count: u32,
    /// Long side after scaling, in pixels.
    pub max_edge: u32,
    /// Largest width × height accepted (read from the header before decoding).
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { count: 5, max_edge: 2048, max_pixels: 50_000_000 }
    }
}

/// Longest side the browser is asked to decode, whatever the pixel count.
pub const MAX_SIDE: u32 = 16384;
/// Largest file read at all (a photo file this big is not a phone photo).
pub const MAX_FILE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;
/// Long side of the thumbnails kept for the chat.
const THUMB_EDGE: u32 = 160;
/// JPEG quality of the photo sent and of the thumbnail.
const QUALITY: f64 = 0.85;
const THUMB_QUALITY: f64 = 0.7;

/// A photo ready to send.
pub struct Processed {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
    pub sha256: String,
    /// What the file was (before re-encoding).
    pub source: Kind,
}

/// Why a file was refused; each becomes a message for the shopper.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// Not JPEG, PNG, WebP or HEIC by its bytes (whatever its name or declared type says).
    NotAPhoto,
    /// Over the pixel limit (or a side over 16384 px) by its header.
    TooManyPixels(u32, u32),
    /// The file itself is too big to read.
    FileTooBig,
    /// The browser cannot decode it (a HEIC photo in a browser without HEIC, or a broken file).
    Unreadable(Kind),
}

async fn bytes_of(blob: &Blob) -> Result<Vec<u8>, JsValue> {
    let buf = JsFuture::from(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Checks and converts one file.
pub async fn process(file: &Blob, limits: &Limits) -> Result<Processed, Refused> {
    let size = file.size();
    // Read the head: enough for the magic bytes and, usually, the size.
    let mut want = 64 * 1024usize;
    let (kind, w, h) = loop {
        let head = file.slice_with_f64_and_f64(0.0, want as f64).map_err(|_| Refused::NotAPhoto)?;
        let b = bytes_of(&head).await.map_err(|_| Refused::NotAPhoto)?;
        let kind = photo::sniff(&b).ok_or(Refused::NotAPhoto)?;
        match photo::dimensions(kind, &b) {
            Header::Size(w, h) => break (kind, w, h),
            Header::NeedMore(n) if (b.len() as f64) < size && n <= 16 * 1024 * 1024 => {
                want = n.max(want * 4);
            }
            _ => return Err(Refused::Unreadable(kind)),
        }
    };
    if u64::from(w) * u64::from(h) > limits.max_pixels || w > MAX_SIDE || h > MAX_SIDE {
        return Err(Refused::TooManyPixels(w, h));
    }
    if size > MAX_FILE_BYTES {
        return Err(Refused::FileTooBig);
    }
    let bitmap = decode(file).await.map_err(|_| Refused::Unreadable(kind))?;
    // The bitmap's size is after the EXIF rotation.
    let (tw, th) = photo::fit(bitmap.width(), bitmap.height(), limits.max_edge);
    let bytes = encode(&bitmap, tw, th, QUALITY).await.map_err(|_| Refused::Unreadable(kind))?;
    let (sw, sh) = photo::fit(tw, th, THUMB_EDGE);
    let thumb = encode(&bitmap, sw, sh, THUMB_QUALITY).await.unwrap_or_default();
    bitmap.close();
    let sha256 = photo::sha256_hex(&bytes);
    Ok(Processed { bytes, width: tw, height: th, thumb, sha256, source: kind })
}

async fn decode(blob: &Blob) -> Result<ImageBitmap, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let bitmap = JsFuture::from(window.create_image_bitmap_with_blob(blob)?).await?;
    Ok(bitmap.unchecked_into())
}

fn canvas(w: u32, h: u32) -> Result<(HtmlCanvasElement, CanvasRenderingContext2d), JsValue> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let c: HtmlCanvasElement = doc.create_element("canvas")?.unchecked_into();
    c.set_width(w);
    c.set_height(h);
    let ctx: CanvasRenderingContext2d = c.get_context("2d")?.ok_or("no 2d context")?.unchecked_into();
    Ok((c, ctx))
}

/// Draws `bitmap` at `w`×`h` on white (transparent PNGs) and encodes it as JPEG.
async fn encode(bitmap: &ImageBitmap, w: u32, h: u32, quality: f64) -> Result<Vec<u8>, JsValue> {
    let (c, ctx) = canvas(w, h)?;
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, f64::from(w), f64::from(h));
    ctx.set_image_smoothing_enabled(true);
    let _ = js_sys::Reflect::set(&ctx, &"imageSmoothingQuality".into(), &"high".into());
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, f64::from(w), f64::from(h))?;
    let blob: Blob = to_blob(&c, quality).await?.unchecked_into();
    bytes_of(&blob).await
}

fn to_blob(c: &HtmlCanvasElement, quality: f64) -> JsFuture {
    let c = c.clone();
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        let cb = Closure::once_into_js(move |b: JsValue| {
            if b.is_null() {
                let _ = reject.call1(&JsValue::NULL, &"the canvas could not be encoded".into());
            } else {
                let _ = resolve.call1(&JsValue::NULL, &b);
            }
        });
        let _ = c.to_blob_with_type_and_encoder_options(cb.unchecked_ref(), "image/jpeg", &JsValue::from_f64(quality));
    });
    JsFuture::from(p)
}

/// A `Blob` of JPEG bytes (for the page's `handoff` event and for drawing thumbnails).
pub fn jpeg_blob(bytes: &[u8]) -> Option<Blob> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = BlobPropertyBag::new();
    opts.set_type("image/jpeg");
    Blob::new_with_u8_array_sequence_and_options(&parts, &opts).ok()
}

/// Paints JPEG `bytes` into `canvas`, scaled to cover it. Canvas (not `<img>`): nothing to
/// allow in the shop's `img-src` Content-Security-Policy.
pub async fn paint(target: &HtmlCanvasElement, bytes: &[u8]) -> Result<(), JsValue> {
    let blob = jpeg_blob(bytes).ok_or("blob")?;
    let bitmap = decode(&blob).await?;
    let ctx: CanvasRenderingContext2d = target.get_context("2d")?.ok_or("no 2d context")?.unchecked_into();
    let (cw, ch) = (f64::from(target.width()), f64::from(target.height()));
    let (bw, bh) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    // Cover: crop the longer side around the centre.
    let s = (cw / bw).max(ch / bh);
    let (dw, dh) = (bw * s, bh * s);
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, (cw - dw) / 2.0, (ch - dh) / 2.0, dw, dh)?;
    bitmap.close();
    Ok(())
}
