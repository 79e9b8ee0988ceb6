//! Uploaded photos are decoded and encoded again as JPEG, never stored as sent: this drops EXIF
//! (GPS position, device, time) and any payload hidden in the file, and bounds the size we keep.

use domain::{FieldError, FieldName, Msg};
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Largest upload accepted, per photo.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Photos per appeal.
pub const MAX_PHOTOS: usize = 3;
/// Longest side kept; larger photos are scaled down.
pub const MAX_SIDE: u32 = 1600;
/// Largest picture decoded, in pixels (a 40-megapixel phone photo fits; a decompression bomb
/// of 12000 × 12000 does not).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Decodes at once, across all requests: each can take a few hundred MB.
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// [`reencode`] on the blocking pool, at most two at a time.
///
/// # Errors
/// As [`reencode`].
pub async fn reencode_limited(bytes: Vec<u8>) -> Result<Vec<u8>, FieldError> {
    let _permit = DECODES.acquire().await.map_err(|_| err(Msg::ErrPhotoUnreadable))?;
    tokio::task::spawn_blocking(move || reencode(&bytes)).await.map_err(|_| err(Msg::ErrPhotoUnreadable))?
}

fn err(msg: Msg) -> FieldError {
    FieldError::new(FieldName::Photo, msg)
}

/// Re-encodes an upload to a clean JPEG. CPU-heavy: call from `spawn_blocking`.
///
/// # Errors
/// Empty, too large, not JPEG/PNG/WebP by content (the declared type is not trusted), or
/// undecodable.
pub fn reencode(bytes: &[u8]) -> Result<Vec<u8>, FieldError> {
    if bytes.is_empty() {
        return Err(err(Msg::ErrPhotoMissing));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(err(Msg::ErrPhotoTooBig));
    }
    let format = image::guess_format(bytes).map_err(|_| err(Msg::ErrPhotoType))?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) {
        return Err(err(Msg::ErrPhotoType));
    }
    // The header first: refuse huge pictures before allocating anything for their pixels.
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(|_| err(Msg::ErrPhotoUnreadable))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(err(Msg::ErrPhotoTooBig));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| err(Msg::ErrPhotoUnreadable))?;
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    enc.encode_image(&rgb).map_err(|_| err(Msg::ErrPhotoUnreadable))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    /// A JPEG with an EXIF APP1 segment carrying a fake GPS marker string.
    fn jpeg_with_exif() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(32, 32, image::Rgb([200, 10, 10]));
        let mut plain = Vec::new();
        img.write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg).unwrap();
        let payload = b"Exif\0\0GPSLatitude=35.51;SECRET-MARKER";
        let len = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1, len[0], len[1]];
        out.extend_from_slice(payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn exif_is_gone_after_reencoding() {
        let src = jpeg_with_exif();
        assert!(src.windows(13).any(|w| w == b"SECRET-MARKER"));
        let out = reencode(&src).unwrap();
        assert!(!out.windows(13).any(|w| w == b"SECRET-MARKER"));
        assert!(!out.windows(4).any(|w| w == b"Exif"));
        assert_eq!(image::guess_format(&out).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn large_photos_are_scaled_down() {
        let out = reencode(&png(2400, 1200)).unwrap();
        let img = image::load_from_memory(&out).unwrap();
        assert_eq!((img.width(), img.height()), (1600, 800));
    }

    #[test]
    fn wrong_type_too_big_and_broken_are_told_apart() {
        assert_eq!(reencode(b"GIF89a....").unwrap_err().msg, Msg::ErrPhotoType);
        assert_eq!(reencode(b"hello world").unwrap_err().msg, Msg::ErrPhotoType);
        assert_eq!(reencode(&[]).unwrap_err().msg, Msg::ErrPhotoMissing);
        let mut big = png(4, 4);
        big.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(reencode(&big).unwrap_err().msg, Msg::ErrPhotoTooBig);
        // A decompression bomb: tiny file, huge picture; refused from its header.
        let bomb = png(8000, 6000);
        assert_eq!(reencode(&bomb).unwrap_err().msg, Msg::ErrPhotoTooBig);
        let mut broken = png(64, 64);
        broken.truncate(60);
        assert_eq!(reencode(&broken).unwrap_err().msg, Msg::ErrPhotoUnreadable);
    }
}
