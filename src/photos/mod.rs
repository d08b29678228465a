//! Photo processing shared by avatars and listing photos.
//!
//! Policy: the type is decided by the file's first bytes (JPEG, PNG, WebP), never by its name or
//! the browser's header; anything else (SVG, HTML, HEIC, GIF, a renamed text file) is refused with
//! a message that says what it looked like. Dimensions are read from the header and a pixel flood
//! is refused before anything is decoded; decoding runs under `image` limits. EXIF orientation is
//! applied, then every derivative is re-encoded from pixels, which drops EXIF (GPS included) and
//! all other metadata; the uploaded bytes are never stored or served. Decoding and encoding run
//! on the blocking pool behind a semaphore, so a burst of uploads cannot take every thread.

use std::io::{BufReader, Cursor};
use std::path::Path;
use std::sync::LazyLock;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use tokio::sync::Semaphore;

/// Largest upload accepted, per file.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Largest image accepted, in pixels (width × height).
pub const MAX_PIXELS: u64 = 40_000_000;
/// JPEG quality of derivatives.
const JPEG_QUALITY: u8 = 82;

/// How many images are decoded at once, per instance.
static IMAGE_PERMITS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("{0} files are not accepted. Upload a JPEG, PNG or WebP photo.")]
    UnsupportedType(&'static str),
    #[error("That file is not a photo. Upload a JPEG, PNG or WebP photo.")]
    NotAnImage,
    #[error("That photo is larger than 20 MB. Upload a smaller one.")]
    TooLarge,
    #[error(
        "That photo is {width} × {height} pixels, more than 40 megapixels. Upload a smaller one."
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error("That photo could not be read; it may be damaged. Try another.")]
    Corrupt,
}

/// What the first bytes of a file say it is.
pub fn sniff(head: &[u8]) -> Result<ImageFormat, PhotoError> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageFormat::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(ImageFormat::Png);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Ok(ImageFormat::WebP);
    }
    if head.starts_with(b"GIF8") {
        return Err(PhotoError::UnsupportedType("GIF"));
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        if [b"heic", b"heix", b"mif1", b"msf1", b"hevc"]
            .iter()
            .any(|b| brand == *b)
        {
            return Err(PhotoError::UnsupportedType("HEIC"));
        }
        if brand == b"avif" {
            return Err(PhotoError::UnsupportedType("AVIF"));
        }
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("<svg") || (text.starts_with("<?xml") && text.contains("<svg")) {
        return Err(PhotoError::UnsupportedType("SVG"));
    }
    if text.starts_with("<!doctype html") || text.starts_with("<html") {
        return Err(PhotoError::UnsupportedType("HTML"));
    }
    Err(PhotoError::NotAnImage)
}

/// Decodes a photo from a file, with every check above, and turns it upright.
pub fn decode(path: &Path) -> Result<DynamicImage, PhotoError> {
    let file = std::fs::File::open(path).map_err(|_| PhotoError::Corrupt)?;
    let size = file.metadata().map_err(|_| PhotoError::Corrupt)?.len();
    if size > MAX_FILE_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let mut head = [0u8; 64];
    let mut file = file;
    let read = {
        use std::io::{Read, Seek};
        let read = file.read(&mut head).map_err(|_| PhotoError::Corrupt)?;
        file.rewind().map_err(|_| PhotoError::Corrupt)?;
        read
    };
    let format = sniff(&head[..read])?;
    let reader = ImageReader::with_format(BufReader::new(file), format);
    decode_reader(reader)
}

/// Decodes a photo held in memory (small files, tests).
pub fn decode_bytes(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff(&bytes[..bytes.len().min(64)])?;
    decode_reader(ImageReader::with_format(Cursor::new(bytes), format))
}

fn decode_reader<R: std::io::BufRead + std::io::Seek>(
    mut reader: ImageReader<R>,
) -> Result<DynamicImage, PhotoError> {
    // Dimensions are checked below, from the header, to say what was wrong; the allocation cap
    // stops any decoder that would need more memory than an allowed photo does.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Corrupt)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels { width, height },
        _ => PhotoError::Corrupt,
    })?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// The image scaled to fit within `long_edge` pixels (never enlarged).
pub fn fit_within(img: &DynamicImage, long_edge: u32) -> DynamicImage {
    let (w, h) = (img.width(), img.height());
    if w.max(h) <= long_edge {
        return img.clone();
    }
    let scale = f64::from(long_edge) / f64::from(w.max(h));
    let width = ((f64::from(w) * scale).round() as u32).clamp(1, long_edge);
    let height = ((f64::from(h) * scale).round() as u32).clamp(1, long_edge);
    resize(img, width, height, false)
}

/// A centred square crop scaled to `size`.
pub fn square(img: &DynamicImage, size: u32) -> DynamicImage {
    resize(img, size, size, true)
}

/// Resamples with SIMD (fast_image_resize): a triangle (bilinear) convolution, which averages
/// every source pixel when shrinking, without the float copies of the whole image that
/// `image`'s generic resampler makes. `crop` keeps the centre to fill the new shape.
fn resize(img: &DynamicImage, width: u32, height: u32, crop: bool) -> DynamicImage {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    // The resizer works on 8-bit pixels; other layouts (16-bit PNGs, grey) are converted.
    let converted;
    let source = match img {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => img,
        other if other.color().has_alpha() => {
            converted = DynamicImage::ImageRgba8(other.to_rgba8());
            &converted
        }
        other => {
            converted = DynamicImage::ImageRgb8(other.to_rgb8());
            &converted
        }
    };
    let mut target = DynamicImage::new(width, height, source.color());
    let mut options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    if crop {
        options = options.fit_into_destination(Some((0.5, 0.5)));
    }
    Resizer::new()
        .resize(source, &mut target, &options)
        .expect("8-bit RGB(A) images of any size can be resized");
    target
}

/// Encodes as a baseline JPEG with no metadata. Transparency is flattened onto white.
pub fn encode_jpeg(img: &DynamicImage) -> Vec<u8> {
    let rgb = if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let mut flat = image::RgbImage::new(rgba.width(), rgba.height());
        for (dst, src) in flat.pixels_mut().zip(rgba.pixels()) {
            let a = u16::from(src[3]);
            for c in 0..3 {
                dst[c] = ((u16::from(src[c]) * a + 255 * (255 - a)) / 255) as u8;
            }
        }
        flat
    } else {
        img.to_rgb8()
    };
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    encoder
        .encode_image(&rgb)
        .expect("encoding an RGB buffer into memory cannot fail");
    out
}

/// Runs heavy image work on the blocking pool, at most one job per core at a time. An error
/// is ours (the pool or the semaphore gone), never the photo's.
pub async fn run_limited<T, F>(work: F) -> anyhow::Result<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let asked = std::time::Instant::now();
    let _permit = IMAGE_PERMITS
        .acquire()
        .await
        .map_err(|_| anyhow::anyhow!("the image semaphore is closed"))?;
    metrics::histogram!("photo_queue_seconds").record(asked.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    let done = actix_web::web::block(work)
        .await
        .map_err(|err| anyhow::anyhow!("image work failed: {err}"));
    metrics::histogram!("photo_work_seconds").record(started.elapsed().as_secs_f64());
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgba8(width, height);
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn types_are_told_by_their_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(ImageFormat::Jpeg));
        assert_eq!(sniff(&png(1, 1)), Ok(ImageFormat::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(ImageFormat::WebP));
        assert_eq!(sniff(b"GIF89a"), Err(PhotoError::UnsupportedType("GIF")));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Err(PhotoError::UnsupportedType("HEIC"))
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg xmlns=..."),
            Err(PhotoError::UnsupportedType("SVG"))
        );
        assert_eq!(
            sniff(b"<!DOCTYPE html><html>"),
            Err(PhotoError::UnsupportedType("HTML"))
        );
        assert_eq!(sniff(b"just some text"), Err(PhotoError::NotAnImage));
    }

    /// CRC-32 (as PNG chunks use), to forge a header that checks out.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A well-formed PNG header claiming `size` × `size` pixels, with no pixel data behind it.
    pub(crate) fn pixel_flood_png(size: u32) -> Vec<u8> {
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&size.to_be_bytes());
        bytes[20..24].copy_from_slice(&size.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    #[test]
    fn a_pixel_flood_is_refused_from_the_header() {
        let err = decode_bytes(&pixel_flood_png(30_000)).unwrap_err();
        assert_eq!(
            err,
            PhotoError::TooManyPixels {
                width: 30_000,
                height: 30_000
            }
        );
    }

    #[test]
    fn transparent_images_become_jpegs_on_white() {
        let img = decode_bytes(&png(8, 8)).unwrap();
        let jpeg = encode_jpeg(&img);
        let back = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        assert!(back.get_pixel(4, 4)[0] > 240);
    }

    #[test]
    fn derivatives_are_never_enlarged() {
        let img = DynamicImage::new_rgb8(300, 200);
        assert_eq!(fit_within(&img, 1600).width(), 300);
        let small = fit_within(&img, 150);
        assert_eq!((small.width(), small.height()), (150, 100));
        assert_eq!(
            (square(&img, 64).width(), square(&img, 64).height()),
            (64, 64)
        );
    }
}

/// One re-encoded derivative of an upload, stored as a private JPEG.
#[derive(Debug, Clone)]
pub struct StoredJpeg {
    pub key: crate::storage::ObjectKey,
    pub width: i32,
    pub height: i32,
}

/// Why an upload was not stored: the file (for its form field), or storage being down.
#[derive(Debug)]
pub enum NotStored {
    Photo(PhotoError),
    StorageDown,
}

/// Decodes an upload, fits it within `edge` pixels, re-encodes it (no metadata survives)
/// and stores it as `{prefix}/{uuid}.jpg`. `Ok(Err(..))` is for the form; a failed put
/// leaves nothing behind.
pub async fn store_jpeg(
    storage: &crate::storage::Storage,
    file: crate::web::upload::UploadedFile,
    prefix: &str,
    edge: u32,
) -> anyhow::Result<Result<StoredJpeg, NotStored>> {
    if file.too_large {
        return Ok(Err(NotStored::Photo(PhotoError::TooLarge)));
    }
    let derived = run_limited(move || {
        let img = decode(file.file.path())?;
        let display = fit_within(&img, edge);
        drop(img);
        Ok::<_, PhotoError>((encode_jpeg(&display), display.width(), display.height()))
    })
    .await?;
    let (bytes, width, height) = match derived {
        Ok(derived) => derived,
        Err(err) => return Ok(Err(NotStored::Photo(err))),
    };
    let key = crate::storage::ObjectKey::parse(&format!("{prefix}/{}.jpg", uuid::Uuid::new_v4()))?;
    if let Err(err) = storage
        .put(&key, bytes::Bytes::from(bytes), "image/jpeg")
        .await
    {
        tracing::warn!(error = %err, %prefix, "cannot store a photo");
        if let Err(err) = storage.delete(&key).await {
            tracing::warn!(error = %err, %key, "cannot delete a photo");
        }
        return Ok(Err(NotStored::StorageDown));
    }
    Ok(Ok(StoredJpeg {
        key,
        width: width as i32,
        height: height as i32,
    }))
}

/// Deletes the objects under `prefix` that nothing refers to (`in_use` says what does) once
/// they are older than `grace` — left by a process that died between storing a photo and
/// committing its row; the grace protects an upload under way. Returns how many went. For
/// the janitor.
pub async fn sweep_orphans(
    db: &crate::web::Db,
    storage: &crate::storage::Storage,
    prefix: &'static str,
    grace: std::time::Duration,
    in_use: fn(&mut diesel::PgConnection, &crate::storage::ObjectKey) -> diesel::QueryResult<bool>,
) -> Result<usize, crate::web::AppError> {
    let cutoff = chrono::Utc::now() - chrono::Duration::from_std(grace).unwrap_or_default();
    let mut removed = 0;
    for object in storage.list(prefix).await? {
        if object.modified > cutoff {
            continue;
        }
        let Ok(key) = crate::storage::ObjectKey::parse(&object.key) else {
            tracing::warn!(key = %object.key, %prefix, "an object whose key we never made");
            continue;
        };
        let lookup = key.clone();
        let used = db.run(move |conn| in_use(conn, &lookup)).await?;
        if !used {
            if let Err(err) = storage.delete(&key).await {
                tracing::warn!(error = %err, %key, "cannot delete an orphaned photo");
                continue;
            }
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, %prefix, "janitor removed photos nothing refers to");
    }
    Ok(removed)
}
