//! Uploaded photos are decoded and encoded again as JPEG, never stored as sent: this drops EXIF
//! (GPS position, device, time) and any payload hidden in the file, and bounds the size we keep.
//!
//! Uploads are the cheapest way to make the portal use a lot of memory, so everything that costs
//! memory is bounded before it is spent (issue 9 §5):
//! - the [`UploadGate`] lets only `at_once` uploads hold their body at a time; the next `queue`
//!   wait (holding nothing but their connection) up to `wait`, everyone else is told to come
//!   back later (503) before a byte of their body is read;
//! - [`check_room`] refuses an upload to a draft that already has [`MAX_PHOTOS`] photos or whose
//!   stored photos plus this upload would pass [`MAX_DRAFT_BYTES`], before the body is read and
//!   again before decoding;
//! - the body is read with a hard cap (the router's body limit is the outer bound);
//! - [`probe`] reads only the file's header and estimates what decoding it will cost (input
//!   copy, pixels, the JPEG decoder's coefficient planes); the gate's decode budget is a weighted
//!   semaphore over those estimates, so all decodes together stay within `decode_mb`, and a
//!   single photo that would not fit is refused without decoding;
//! - decoding runs on the blocking pool under a time-out; the decode's budget share travels
//!   with the blocking task, so a decode that outlives its time-out still counts;
//! - the picture is shrunk with a box filter that allocates only the small result before it is
//!   encoded again.

use crate::store::drafts;
use domain::{FieldError, FieldName, Msg};
use image::{ImageDecoder, ImageFormat, ImageReader, Limits};
use sqlx::AnyPool;
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Largest upload accepted, per photo.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Photos per appeal.
pub const MAX_PHOTOS: usize = 3;
/// A draft's stored photos plus the upload being received may not pass this. Checked before the
/// body is read (with what is stored), while reading (the read cap is what is left) and when the
/// re-encoded photo is stored. Three full-size uploads always fit (a stored photo is at most
/// [`MAX_SIDE`]² pixels of JPEG, about 2 MB in the worst case).
pub const MAX_DRAFT_BYTES: usize = 16 * 1024 * 1024;
/// Most photos one appeal holds, those sent with it and those added later from the track page
/// (issue 13) together.
pub const MAX_APPEAL_PHOTOS: usize = domain::fields::APPEAL_PHOTOS_MAX;
/// Most stored (re-encoded) bytes of one appeal's photos.
pub const MAX_APPEAL_BYTES: usize = 32 * 1024 * 1024;
/// Longest side kept; larger photos are scaled down.
pub const MAX_SIDE: u32 = domain::fields::PHOTO_MAX_SIDE;
/// Side of the square thumbnail kept beside each photo for lists (issue 14).
pub const THUMB_SIDE: u32 = domain::fields::PHOTO_THUMB_SIDE;
/// Largest picture decoded, in pixels, whatever the memory budget (a 40-megapixel phone photo
/// fits; a decompression bomb of 12000 × 12000 does not).
pub const MAX_PIXELS: u64 = 40_000_000;

/// The upload gate's settings (`PINGAN_UPLOADS_AT_ONCE`, `PINGAN_UPLOAD_QUEUE`,
/// `PINGAN_UPLOAD_WAIT_SECS`, `PINGAN_DECODE_MEMORY_MB`, `PINGAN_DECODE_TIMEOUT_SECS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Uploads whose body is being read or decoded at once.
    pub at_once: usize,
    /// Uploads that may wait for a place; more are refused at once.
    pub queue: usize,
    /// How long one waits for a place before it is refused.
    pub wait: Duration,
    /// Memory all decodes together may use, in MiB (estimated from each file's header).
    pub decode_mb: u32,
    /// Longest wait for a decode's budget plus the decode itself.
    pub decode_timeout: Duration,
}

impl Default for UploadLimits {
    /// Sized so that the portal stays well under 200 MB with uploads arriving as fast as the
    /// network brings them: 3 × 10 MB bodies plus 112 MiB of decoding (a 12-megapixel phone photo
    /// needs about 70 MB, about 105 MB if progressive; a 24-megapixel PNG about 100 MB; a
    /// 36-megapixel RGB picture does not fit and is refused from its header).
    fn default() -> Self {
        Self {
            at_once: 3,
            queue: 30,
            wait: Duration::from_secs(20),
            decode_mb: 112,
            decode_timeout: Duration::from_secs(30),
        }
    }
}

/// Why the gate did not let an upload in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// The queue was full.
    QueueFull,
    /// Waited `wait` without getting a place.
    TimedOut,
}

/// Bounds the memory uploads can take at once; shared by all requests (cheap to clone).
#[derive(Clone)]
pub struct UploadGate(Arc<Gate>);

struct Gate {
    limits: UploadLimits,
    bodies: Arc<Semaphore>,
    waiting: AtomicUsize,
    /// Decode budget in KiB.
    decode: Arc<Semaphore>,
}

/// A place to read and decode one upload; give it back by dropping it.
#[derive(Debug)]
pub struct UploadPermit(#[allow(dead_code)] OwnedSemaphorePermit);

/// Takes one off the waiting count however the wait ends (also when the request is dropped).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Default for UploadGate {
    fn default() -> Self {
        Self::new(UploadLimits::default())
    }
}

impl UploadGate {
    #[must_use]
    pub fn new(limits: UploadLimits) -> Self {
        let kib = usize::try_from(u64::from(limits.decode_mb) * 1024).unwrap_or(usize::MAX).min(Semaphore::MAX_PERMITS);
        Self(Arc::new(Gate {
            limits,
            bodies: Arc::new(Semaphore::new(limits.at_once)),
            waiting: AtomicUsize::new(0),
            decode: Arc::new(Semaphore::new(kib)),
        }))
    }

    #[must_use]
    pub fn limits(&self) -> UploadLimits {
        self.0.limits
    }

    /// A place for one upload: at once if one is free, else after waiting in the queue.
    ///
    /// # Errors
    /// [`Busy`] when the queue is full or the wait timed out.
    pub async fn enter(&self) -> Result<UploadPermit, Busy> {
        if let Ok(p) = self.0.bodies.clone().try_acquire_owned() {
            return Ok(UploadPermit(p));
        }
        let before = self.0.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.0.waiting);
        if before >= self.0.limits.queue {
            return Err(Busy::QueueFull);
        }
        match tokio::time::timeout(self.0.limits.wait, self.0.bodies.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(UploadPermit(p)),
            _ => Err(Busy::TimedOut),
        }
    }

    /// Re-encodes `bytes` (see [`reencode`]) within the decode budget: the header first, then the
    /// decode on the blocking pool once its estimated memory fits, under the decode time-out.
    ///
    /// # Errors
    /// As [`reencode`]; [`Msg::ErrPhotoPixels`] when the photo alone would need more than the
    /// budget, [`Msg::ErrPhotoSlow`] when it could not be done in time.
    pub async fn reencode(&self, bytes: Vec<u8>) -> Result<Encoded, FieldError> {
        let p = probe(&bytes)?;
        let kib = u32::try_from(p.cost.div_ceil(1024)).unwrap_or(u32::MAX);
        let budget_kib = u64::from(self.0.limits.decode_mb) * 1024;
        if u64::from(kib) > budget_kib {
            return Err(err(Msg::ErrPhotoPixels));
        }
        let decode = self.0.decode.clone();
        let alloc = budget_kib * 1024;
        let work = async move {
            let permit = decode.acquire_many_owned(kib).await.map_err(|_| err(Msg::ErrPhotoUnreadable))?;
            // The budget share goes with the task: it is given back when the decode really ends,
            // not when we stop waiting for it.
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                reencode_probed(&bytes, &p, alloc)
            })
            .await
            .map_err(|_| err(Msg::ErrPhotoUnreadable))?
        };
        tokio::time::timeout(self.0.limits.decode_timeout, work).await.unwrap_or_else(|_| Err(err(Msg::ErrPhotoSlow)))
    }
}

/// Whether the draft has room for another upload of `incoming` bytes (0 before the body is read):
/// fewer than [`MAX_PHOTOS`] photos, and stored bytes plus `incoming` within [`MAX_DRAFT_BYTES`].
/// Returns how many bytes this upload may have (the read cap).
///
/// # Errors
/// [`crate::BackendError::Invalid`] with [`Msg::ErrPhotoTooMany`] or
/// [`Msg::ErrPhotoDraftFull`]; database errors.
pub async fn check_room(pool: &AnyPool, token: &str, incoming: usize) -> crate::Result<usize> {
    let (count, stored) = drafts::photo_usage(pool, token).await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_PHOTOS {
        return Err(crate::BackendError::invalid(err(Msg::ErrPhotoTooMany)));
    }
    let left = MAX_DRAFT_BYTES.saturating_sub(usize::try_from(stored).unwrap_or(usize::MAX));
    if left == 0 || incoming > left {
        return Err(crate::BackendError::invalid(err(Msg::ErrPhotoDraftFull)));
    }
    Ok(left.min(MAX_UPLOAD_BYTES))
}

/// Whether a submitted appeal has room for another photo of `incoming` bytes (0 before the body is
/// read), by [`MAX_APPEAL_PHOTOS`] and [`MAX_APPEAL_BYTES`]; returns the read cap. The adding
/// use case checks again under the appeal's row lock.
///
/// # Errors
/// [`crate::BackendError::Invalid`] with [`Msg::ErrAppealPhotosFull`] or
/// [`Msg::ErrAppealPhotosBytes`]; database errors.
pub async fn check_appeal_room<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    ex: E,
    ticket: &str,
    incoming: usize,
) -> crate::Result<usize> {
    let (count, stored) = crate::store::appeals::photo_usage(ex, ticket).await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_APPEAL_PHOTOS {
        return Err(crate::BackendError::invalid(err(Msg::ErrAppealPhotosFull)));
    }
    let left = MAX_APPEAL_BYTES.saturating_sub(usize::try_from(stored).unwrap_or(usize::MAX));
    if left == 0 || incoming > left {
        return Err(crate::BackendError::invalid(err(Msg::ErrAppealPhotosBytes)));
    }
    Ok(left.min(MAX_UPLOAD_BYTES))
}

/// Stores a re-encoded photo and its thumbnail in the draft if there is still room (checked
/// again in the store's transaction: parallel uploads may have taken it meanwhile). The room
/// counts the photos' bytes; a thumbnail (a few KB) is not counted.
///
/// # Errors
/// As [`check_room`].
pub async fn store(pool: &AnyPool, token: &str, id: &str, photo: &Encoded, now: i64) -> crate::Result<()> {
    let jpeg = &photo.jpeg;
    if drafts::add_photo(pool, token, id, (jpeg, Some(&photo.thumb)), MAX_PHOTOS, MAX_DRAFT_BYTES, now).await? {
        return Ok(());
    }
    // Which limit it was, for the message.
    check_room(pool, token, jpeg.len()).await?;
    Err(crate::BackendError::invalid(err(Msg::ErrPhotoTooMany)))
}

/// A photo as it is kept: the re-encoded JPEG and its thumbnail.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// Longest side at most [`MAX_SIDE`].
    pub jpeg: Vec<u8>,
    /// [`THUMB_SIDE`] square (smaller when the photo is), cut from the middle of the photo.
    pub thumb: Vec<u8>,
}

/// Which copy of a stored photo to serve: the photo, or its thumbnail for lists (`?size=thumb`).
/// A photo stored before thumbnails were kept (migration 0021) has none: its thumbnail is the
/// photo itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Size {
    #[default]
    Full,
    Thumb,
}

impl Size {
    /// `thumb` asks for the thumbnail; anything else (or nothing) for the photo.
    #[must_use]
    pub fn from_query(v: Option<&str>) -> Self {
        if v == Some("thumb") {
            Self::Thumb
        } else {
            Self::Full
        }
    }

    /// The column expression to read (a fixed string, never from the request).
    #[must_use]
    pub fn column(self) -> &'static str {
        match self {
            Self::Full => "bytes",
            Self::Thumb => "COALESCE(thumb, bytes)",
        }
    }
}

fn err(msg: Msg) -> FieldError {
    FieldError::new(FieldName::Photo, msg)
}

/// What a file's header says, and what decoding it would cost in memory (bytes).
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub cost: u64,
}

/// The shrunk picture, its RGB copy and the encoded JPEG: on top of decoding, per output pixel.
const OUTPUT_BYTES_PER_PIXEL: u64 = 4 + 3 + 3;

/// Size after shrinking to fit [`MAX_SIDE`] (aspect kept).
fn output_pixels(w: u32, h: u32) -> u64 {
    let (w, h) = (u64::from(w), u64::from(h));
    let side = u64::from(MAX_SIDE);
    if w <= side && h <= side {
        w * h
    } else if w >= h {
        side * (h * side).div_ceil(w)
    } else {
        side * (w * side).div_ceil(h)
    }
}

/// Reads only the header: format (by content; the declared type is not trusted), size, and the
/// estimated memory a decode needs. Cheap: nothing of the pixels is decoded or allocated.
///
/// # Errors
/// Empty, too large, not JPEG/PNG/WebP, an unreadable header, or more than [`MAX_PIXELS`].
pub fn probe(bytes: &[u8]) -> Result<Probe, FieldError> {
    if bytes.is_empty() {
        return Err(err(Msg::ErrPhotoMissing));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(err(Msg::ErrPhotoTooBig));
    }
    let format = image::guess_format(bytes).map_err(|_| err(Msg::ErrPhotoType))?;
    let input = bytes.len() as u64;
    let (width, height, pixel_cost) = match format {
        ImageFormat::Jpeg => {
            // The decoder keeps a copy of the file and, for a progressive file, one 16-bit
            // coefficient plane per component. (A baseline file whose components come in
            // separate scans needs those planes too; such files are rare, and still wait for the
            // budget like any other.)
            let sof = jpeg_frame(bytes).ok_or_else(|| err(Msg::ErrPhotoUnreadable))?;
            let pixels = u64::from(sof.width) * u64::from(sof.height);
            let out_channels = if sof.components == 1 { 1 } else { 3 };
            let planes = if sof.progressive { sof.coefficients(pixels) } else { 0 };
            (sof.width, sof.height, input + pixels * out_channels + planes)
        }
        ImageFormat::Png | ImageFormat::WebP => {
            let d = ImageReader::with_format(Cursor::new(bytes), format)
                .into_decoder()
                .map_err(|_| err(Msg::ErrPhotoUnreadable))?;
            let (w, h) = d.dimensions();
            (w, h, d.total_bytes())
        }
        _ => return Err(err(Msg::ErrPhotoType)),
    };
    if width == 0 || height == 0 {
        return Err(err(Msg::ErrPhotoUnreadable));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(err(Msg::ErrPhotoPixels));
    }
    let thumb = u64::from(THUMB_SIDE) * u64::from(THUMB_SIDE) * OUTPUT_BYTES_PER_PIXEL;
    let cost = input + pixel_cost + output_pixels(width, height) * OUTPUT_BYTES_PER_PIXEL + thumb;
    Ok(Probe { format, width, height, cost })
}

/// A JPEG frame header (SOFn): size, component count and sampling factors.
struct JpegFrame {
    width: u32,
    height: u32,
    components: u8,
    progressive: bool,
    /// (horizontal, vertical) sampling factor of each component.
    sampling: Vec<(u8, u8)>,
}

impl JpegFrame {
    /// Bytes of the decoder's coefficient planes (16 bits per sample, per component at its
    /// sampling).
    fn coefficients(&self, pixels: u64) -> u64 {
        let hmax = u64::from(self.sampling.iter().map(|s| s.0).max().unwrap_or(1).max(1));
        let vmax = u64::from(self.sampling.iter().map(|s| s.1).max().unwrap_or(1).max(1));
        // Rounded up to whole 8×8 blocks of the largest MCU: a little more than the pixels.
        let padded = pixels + (u64::from(self.width) + u64::from(self.height) + 64) * 16 * hmax.max(vmax);
        self.sampling.iter().map(|&(h, v)| padded * u64::from(h) * u64::from(v) * 2 / (hmax * vmax)).sum()
    }
}

/// Walks the JPEG's marker segments up to the frame header.
fn jpeg_frame(b: &[u8]) -> Option<JpegFrame> {
    let mut i = 2;
    loop {
        let marker = *b.get(i + 1)?;
        if *b.get(i)? != 0xFF {
            return None;
        }
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            i += 2; // no length
            continue;
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let seg = b.get(i + 4..i + 2 + len)?;
            let height = u32::from(u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]));
            let width = u32::from(u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]));
            let components = *seg.get(5)?;
            let sampling = (0..usize::from(components))
                .map(|c| seg.get(6 + c * 3 + 1).map(|s| (s >> 4, s & 0x0F)))
                .collect::<Option<Vec<_>>>()?;
            let progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            return Some(JpegFrame { width, height, components, progressive, sampling });
        }
        if marker == 0xDA || marker == 0xD9 || len < 2 {
            return None; // scan data or the end before any frame header
        }
        i += 2 + len;
    }
}

/// Re-encodes an upload to a clean JPEG. CPU-heavy: call from `spawn_blocking`. Requests go
/// through [`UploadGate::reencode`], which bounds how many run and how much memory they use.
///
/// # Errors
/// Empty, too large, not JPEG/PNG/WebP by content (the declared type is not trusted), or
/// undecodable.
pub fn reencode(bytes: &[u8]) -> Result<Encoded, FieldError> {
    let p = probe(bytes)?;
    reencode_probed(bytes, &p, 512 * 1024 * 1024)
}

fn reencode_probed(bytes: &[u8], p: &Probe, max_alloc: u64) -> Result<Encoded, FieldError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), p.format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(max_alloc);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| err(Msg::ErrPhotoUnreadable))?;
    // A box filter straight into the small picture: no full-size intermediate (a resize filter
    // would first make a float copy as tall as the original).
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE { img.thumbnail(MAX_SIDE, MAX_SIDE) } else { img };
    let rgb = img.to_rgb8();
    drop(img);
    let jpeg = encode_jpeg(&rgb, 82)?;
    let thumb = encode_jpeg(&thumbnail(&rgb), 80)?;
    Ok(Encoded { jpeg, thumb })
}

fn encode_jpeg(rgb: &image::RgbImage, quality: u8) -> Result<Vec<u8>, FieldError> {
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    enc.encode_image(rgb).map_err(|_| err(Msg::ErrPhotoUnreadable))?;
    Ok(out)
}

/// The middle square of the (already shrunk) photo, at most [`THUMB_SIDE`] a side: lists show
/// every photo in the same square, so the page knows its size before it loads. Read through a
/// view of the photo: no copy of the square is made before it is shrunk.
fn thumbnail(rgb: &image::RgbImage) -> image::RgbImage {
    let side = rgb.width().min(rgb.height());
    let (x, y) = ((rgb.width() - side) / 2, (rgb.height() - side) / 2);
    let square = image::imageops::crop_imm(rgb, x, y, side, side);
    if side > THUMB_SIDE {
        image::imageops::thumbnail(&*square, THUMB_SIDE, THUMB_SIDE)
    } else {
        square.to_image()
    }
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
        let out = reencode(&src).unwrap().jpeg;
        assert!(!out.windows(13).any(|w| w == b"SECRET-MARKER"));
        assert!(!out.windows(4).any(|w| w == b"Exif"));
        assert_eq!(image::guess_format(&out).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn large_photos_are_scaled_down() {
        let out = reencode(&png(2400, 1200)).unwrap();
        let img = image::load_from_memory(&out.jpeg).unwrap();
        assert_eq!((img.width(), img.height()), (1600, 800));
    }

    #[test]
    fn each_photo_gets_a_square_thumbnail_from_its_middle() {
        // Left half red, right half blue, with a green band in the middle third: the square
        // from the middle is mostly green.
        let img = image::RgbImage::from_fn(2400, 1200, |x, _| match x {
            0..=799 => image::Rgb([250, 0, 0]),
            800..=1599 => image::Rgb([0, 250, 0]),
            _ => image::Rgb([0, 0, 250]),
        });
        let mut src = Vec::new();
        img.write_to(&mut Cursor::new(&mut src), ImageFormat::Png).unwrap();
        let out = reencode(&src).unwrap();
        let thumb = image::load_from_memory(&out.thumb).unwrap().to_rgb8();
        assert_eq!((thumb.width(), thumb.height()), (THUMB_SIDE, THUMB_SIDE));
        assert!(out.thumb.len() < out.jpeg.len() / 4, "{} vs {}", out.thumb.len(), out.jpeg.len());
        let middle = thumb.get_pixel(THUMB_SIDE / 2, THUMB_SIDE / 2);
        assert!(middle[1] > 200 && middle[0] < 50 && middle[2] < 50, "{middle:?}");
        // The square spans 1200 of the 2400 columns: 600..1800, so its edges are red and blue.
        assert!(thumb.get_pixel(2, THUMB_SIDE / 2)[0] > 200, "{:?}", thumb.get_pixel(2, THUMB_SIDE / 2));
        assert!(thumb.get_pixel(THUMB_SIDE - 3, THUMB_SIDE / 2)[2] > 200);
        // A photo smaller than the thumbnail keeps its size (the middle square of it).
        let small = reencode(&png(200, 120)).unwrap();
        let small = image::load_from_memory(&small.thumb).unwrap();
        assert_eq!((small.width(), small.height()), (120, 120));
        assert_eq!(image::guess_format(&out.thumb).unwrap(), ImageFormat::Jpeg);
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
        assert_eq!(reencode(&bomb).unwrap_err().msg, Msg::ErrPhotoPixels);
        let mut broken = png(64, 64);
        broken.truncate(60);
        assert_eq!(reencode(&broken).unwrap_err().msg, Msg::ErrPhotoUnreadable);
    }

    #[test]
    fn the_jpeg_header_gives_size_and_a_cost_that_covers_the_decoder() {
        let img = image::RgbImage::from_pixel(640, 480, image::Rgb([1, 2, 3]));
        let mut jpeg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
        let p = probe(&jpeg).unwrap();
        assert_eq!((p.width, p.height), (640, 480));
        assert!(p.cost >= 640 * 480 * (3 + OUTPUT_BYTES_PER_PIXEL), "{}", p.cost);
        // A progressive frame header (SOF2) adds the decoder's coefficient planes: at least one
        // 16-bit plane of the full size for the luma.
        let sof0 = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let mut progressive = jpeg.clone();
        progressive[sof0 + 1] = 0xC2;
        let frame = jpeg_frame(&progressive).unwrap();
        assert!(frame.progressive);
        assert!(frame.coefficients(640 * 480) >= 640 * 480 * 2);
        let exif = probe(&jpeg_with_exif()).unwrap();
        assert_eq!((exif.width, exif.height), (32, 32));
        // Cut before the frame header: refused without decoding.
        assert_eq!(probe(&jpeg[..20]).unwrap_err().msg, Msg::ErrPhotoUnreadable);
    }

    #[tokio::test]
    async fn the_gate_queues_then_refuses() {
        let gate = UploadGate::new(UploadLimits {
            at_once: 1,
            queue: 1,
            wait: Duration::from_millis(200),
            ..UploadLimits::default()
        });
        let first = gate.enter().await.unwrap();
        // One may wait; while it does, a third is refused at once.
        let g2 = gate.clone();
        let waiter = tokio::spawn(async move { g2.enter().await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(gate.enter().await.unwrap_err(), Busy::QueueFull);
        // The waiter times out, and its place in the queue is free again.
        assert_eq!(waiter.await.unwrap().unwrap_err(), Busy::TimedOut);
        let g3 = gate.clone();
        let waiter = tokio::spawn(async move { g3.enter().await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(first);
        assert_eq!(waiter.await.unwrap(), Ok(()));
    }

    #[tokio::test]
    async fn a_photo_larger_than_the_decode_budget_is_refused_before_decoding() {
        let gate = UploadGate::new(UploadLimits { decode_mb: 8, ..UploadLimits::default() });
        // 2000 × 2000 RGB needs 12 MB of pixels alone.
        assert_eq!(gate.reencode(png(2000, 2000)).await.unwrap_err().msg, Msg::ErrPhotoPixels);
        assert!(gate.reencode(png(200, 200)).await.is_ok());
    }
}
