//! Photos: judged by their content (never by file name or the client's
//! content type), limited in pixels before anything is decoded, stored under
//! their SHA-256, and shrunk to a thumbnail.
//!
//! Everything here is synchronous; handlers call it through `spawn_blocking`.

use std::fs;
use std::io::{BufRead, BufReader, Seek};
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use uuid::Uuid;

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIZE: u32 = 320;

/// What a stored photo is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoInfo {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    /// The memory a full decode needs, from the header: see [`decode_bytes`].
    pub decode_bytes: u64,
}

impl PhotoInfo {
    pub fn content_type(&self) -> &'static str {
        match self.format {
            ImageFormat::Png => "image/png",
            ImageFormat::WebP => "image/webp",
            _ => "image/jpeg",
        }
    }
}

/// Why a file is not a photo we keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoProblem {
    #[error("not a JPEG, PNG or WebP image")]
    NotImage,
    #[error("{width}×{height} pixels is over the limit of {limit}")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
}

impl PhotoProblem {
    /// The sentence for the technician.
    pub fn message(&self) -> String {
        match self {
            PhotoProblem::NotImage => "That file is not a photo we can read (JPEG, PNG or WebP). \
                 Choose a photo from the camera or gallery."
                .to_owned(),
            PhotoProblem::TooManyPixels {
                width,
                height,
                limit,
            } => format!(
                "This photo is {width}×{height} pixels; the limit is {} megapixels. \
                 Choose a smaller photo, or lower the camera's resolution.",
                megapixels(*limit)
            ),
        }
    }
}

fn megapixels(pixels: u64) -> String {
    let s = format!("{:.1}", pixels as f64 / 1_000_000.0);
    s.trim_end_matches(".0").to_owned()
}

/// Read only the header: the format (from the magic bytes) and the size.
/// Refuses anything but JPEG, PNG and WebP, and anything over `max_pixels`
/// — before a single pixel is decoded, so a decompression bomb costs nothing.
pub fn inspect<R: BufRead + Seek>(reader: R, max_pixels: u64) -> Result<PhotoInfo, PhotoProblem> {
    let mut reader = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(|_| PhotoProblem::NotImage)?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(PhotoProblem::NotImage),
    };
    // Reading a header allocates little; the real limits apply when decoding.
    reader.no_limits();
    let decoder = reader.into_decoder().map_err(|_| PhotoProblem::NotImage)?;
    let (width, height) = decoder.dimensions();
    let bytes_per_pixel = u64::from(decoder.color_type().bytes_per_pixel());
    drop(decoder);
    if width == 0 || height == 0 {
        return Err(PhotoProblem::NotImage);
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(PhotoProblem::TooManyPixels {
            width,
            height,
            limit: max_pixels,
        });
    }
    Ok(PhotoInfo {
        format,
        width,
        height,
        decode_bytes: decode_bytes(u64::from(width) * u64::from(height), bytes_per_pixel),
    })
}

/// The memory decoding a photo needs, from its header: the decoded pixels
/// (1–8 bytes each: a 16-bit RGBA PNG is 8) and, for a JPEG that may be
/// progressive, its coefficients (2 bytes a sample, kept whole until the
/// last scan), plus room for the decoder's own buffers. Measured with
/// `image` 0.25 on 50-megapixel files: baseline JPEG 3 bytes a pixel,
/// progressive JPEG 8.8, 16-bit RGBA PNG 8.
pub fn decode_bytes(pixels: u64, bytes_per_pixel: u64) -> u64 {
    pixels * bytes_per_pixel + (4 << 20)
}

/// [`PhotoInfo::decode_bytes`] and the compressed bytes the decoder holds
/// while it works (JPEG decoders read the whole file first), plus, for a
/// progressive JPEG, its coefficients.
pub fn decode_cost(info: &PhotoInfo, file_bytes: u64, progressive_jpeg: bool) -> u64 {
    let coefficients = if progressive_jpeg {
        u64::from(info.width) * u64::from(info.height) * 6
    } else {
        0
    };
    info.decode_bytes + coefficients + file_bytes
}

/// Whether a JPEG is progressive (its frame header is SOF2 or another
/// progressive or lossless kind). Reads segment headers only, skipping their
/// bodies; anything unreadable counts as progressive (the dearer guess).
pub fn is_progressive_jpeg<R: std::io::Read + Seek>(mut reader: R) -> bool {
    let mut marker = [0u8; 2];
    if reader.read_exact(&mut marker).is_err() || marker != [0xff, 0xd8] {
        return true;
    }
    // At most this many segments before the frame header.
    for _ in 0..256 {
        if reader.read_exact(&mut marker).is_err() || marker[0] != 0xff {
            return true;
        }
        let kind = marker[1];
        if kind == 0xff || (0xd0..=0xd7).contains(&kind) || kind == 0x01 {
            continue; // fill byte, restart or TEM: no length
        }
        match kind {
            0xc0 | 0xc1 => return false,
            0xc2 | 0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => return true,
            _ => {}
        }
        let mut length = [0u8; 2];
        if reader.read_exact(&mut length).is_err() {
            return true;
        }
        let skip = i64::from(u16::from_be_bytes(length)) - 2;
        if skip < 0 || reader.seek(std::io::SeekFrom::Current(skip)).is_err() {
            return true;
        }
    }
    true
}

/// Decode fully (within `image::Limits` fitted to `info`), turn upright per
/// EXIF, and encode a JPEG thumbnail no larger than [`THUMBNAIL_SIZE`].
/// A file whose header reads but whose pixels do not is not a photo.
pub fn thumbnail<R: BufRead + Seek>(reader: R, info: &PhotoInfo) -> Result<Vec<u8>, PhotoProblem> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(info.width);
    limits.max_image_height = Some(info.height);
    // At most 16-bit RGBA: 8 bytes a pixel, plus room for the decoder's own buffers.
    limits.max_alloc = Some(u64::from(info.width) * u64::from(info.height) * 8 + (64 << 20));
    let mut reader = ImageReader::with_format(reader, info.format);
    reader.limits(limits);
    let too_big = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => PhotoProblem::TooManyPixels {
            width: info.width,
            height: info.height,
            limit: u64::from(info.width) * u64::from(info.height) - 1,
        },
        _ => PhotoProblem::NotImage,
    };
    let mut decoder = reader.into_decoder().map_err(too_big)?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(too_big)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let small = image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .map_err(|_| PhotoProblem::NotImage)?;
    Ok(out)
}

/// [`inspect`] a file on disk, answering also what decoding it will cost
/// in memory ([`decode_cost`]).
pub fn inspect_file(
    path: &Path,
    max_pixels: u64,
) -> std::io::Result<Result<(PhotoInfo, u64), PhotoProblem>> {
    let info = match inspect(BufReader::new(fs::File::open(path)?), max_pixels) {
        Ok(info) => info,
        Err(problem) => return Ok(Err(problem)),
    };
    let file_bytes = fs::metadata(path)?.len();
    let progressive = info.format == ImageFormat::Jpeg
        && is_progressive_jpeg(BufReader::new(fs::File::open(path)?));
    Ok(Ok((info, decode_cost(&info, file_bytes, progressive))))
}

/// [`thumbnail`] a file on disk ([`inspect_file`] first).
pub fn thumbnail_file(
    path: &Path,
    info: &PhotoInfo,
) -> std::io::Result<Result<Vec<u8>, PhotoProblem>> {
    Ok(thumbnail(BufReader::new(fs::File::open(path)?), info))
}

/// Where photos, thumbnails and uploads in progress live under the data dir.
#[derive(Debug, Clone)]
pub struct PhotoFiles {
    root: PathBuf,
}

impl PhotoFiles {
    pub fn new(data_dir: &Path) -> Self {
        PhotoFiles {
            root: data_dir.to_owned(),
        }
    }

    pub fn create_dirs(&self) -> std::io::Result<()> {
        for dir in ["photos", "thumbs", "tmp"] {
            fs::create_dir_all(self.root.join(dir))?;
        }
        Ok(())
    }

    /// `photos/ab/cd/<sha256>`.
    pub fn photo_path(&self, sha256: &str) -> PathBuf {
        self.sharded("photos", sha256, "")
    }

    /// `thumbs/ab/cd/<sha256>.jpg`.
    pub fn thumb_path(&self, sha256: &str) -> PathBuf {
        self.sharded("thumbs", sha256, ".jpg")
    }

    /// A fresh file name for an upload in progress (same file system as the
    /// photos, so the final move is an atomic rename).
    pub fn temp_path(&self) -> PathBuf {
        self.root
            .join("tmp")
            .join(format!("upload-{}", Uuid::now_v7()))
    }

    fn sharded(&self, kind: &str, sha256: &str, ext: &str) -> PathBuf {
        let a = sha256.get(0..2).unwrap_or("00");
        let b = sha256.get(2..4).unwrap_or("00");
        self.root
            .join(kind)
            .join(a)
            .join(b)
            .join(format!("{sha256}{ext}"))
    }

    /// Move a checked upload into place. The same bytes twice land on the
    /// same name, so a second (or racing) store changes nothing.
    pub fn store(&self, temp: &Path, sha256: &str, thumb: &[u8]) -> std::io::Result<()> {
        let photo = self.photo_path(sha256);
        if let Some(dir) = photo.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::rename(temp, &photo)?;
        let thumb_path = self.thumb_path(sha256);
        if let Some(dir) = thumb_path.parent() {
            fs::create_dir_all(dir)?;
        }
        let thumb_temp = self.temp_path();
        fs::write(&thumb_temp, thumb)?;
        fs::rename(&thumb_temp, &thumb_path)
    }
}

impl PhotoFiles {
    /// Remove uploads in progress older than `age`: left behind by a crash
    /// or a cut connection. Younger ones may belong to a live upload (of
    /// this process, or of another sharing the data dir). Answers how many.
    pub fn remove_stale_uploads(&self, age: std::time::Duration) -> std::io::Result<usize> {
        let cutoff = std::time::SystemTime::now() - age;
        let mut removed = 0;
        for entry in fs::read_dir(self.root.join("tmp"))? {
            let entry = entry?;
            if entry.metadata()?.modified()? < cutoff {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Mark a stored photo as just used (its file's modification time), so
    /// a sweep running now keeps it; `false` when the file is not there.
    pub fn touch(&self, sha256: &str) -> bool {
        fs::File::options()
            .write(true)
            .open(self.photo_path(sha256))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()))
            .is_ok()
    }

    /// Remove a photo's file and thumbnail, unless they were (re)written
    /// after `cutoff`: the same bytes uploaded again while the sweeper ran.
    pub fn remove_unless_newer(
        &self,
        sha256: &str,
        cutoff: std::time::SystemTime,
    ) -> std::io::Result<()> {
        for path in [self.photo_path(sha256), self.thumb_path(sha256)] {
            match fs::metadata(&path) {
                Ok(m) if m.modified()? < cutoff => fs::remove_file(&path)?,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// A file removed when dropped, unless it was moved away first.
#[derive(Debug)]
pub struct TempFile(pub PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 5) as u8, 90])
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// A PNG whose header claims `width`×`height` but that holds no pixels:
    /// a decompression bomb's calling card.
    pub(crate) fn bomb_png(width: u32, height: u32) -> Vec<u8> {
        let real = png(1, 1);
        let mut out = real[..8].to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(width.to_be_bytes());
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        out.extend(13u32.to_be_bytes());
        out.extend(&ihdr);
        out.extend(crc32(&ihdr).to_be_bytes());
        out.extend(&real[33..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_png_is_read_by_content_and_thumbnailed() {
        let bytes = png(640, 200);
        let info = inspect(Cursor::new(&bytes), 50_000_000).unwrap();
        assert_eq!(
            (info.format, info.width, info.height),
            (ImageFormat::Png, 640, 200)
        );
        assert_eq!(info.content_type(), "image/png");
        let thumb = thumbnail(Cursor::new(&bytes), &info).unwrap();
        let t = image::load_from_memory(&thumb).unwrap();
        assert_eq!((t.width(), t.height()), (320, 100));
        assert_eq!(image::guess_format(&thumb).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn text_and_other_formats_are_not_photos() {
        assert_eq!(
            inspect(Cursor::new(b"hello, I am a text file".to_vec()), 1_000),
            Err(PhotoProblem::NotImage)
        );
        assert_eq!(
            inspect(Cursor::new(b"GIF89a\x01\x00\x01\x00".to_vec()), 1_000),
            Err(PhotoProblem::NotImage)
        );
        // A JPEG's magic bytes with nothing behind them.
        assert_eq!(
            inspect(Cursor::new(vec![0xff, 0xd8, 0xff, 0xe0, 0, 0]), 1_000),
            Err(PhotoProblem::NotImage)
        );
    }

    #[test]
    fn pixel_limit_is_checked_from_the_header_alone() {
        let bomb = bomb_png(20_000, 20_000);
        assert!(bomb.len() < 100, "the bomb is tiny: {} bytes", bomb.len());
        let problem = inspect(Cursor::new(&bomb), 50_000_000).unwrap_err();
        assert_eq!(
            problem,
            PhotoProblem::TooManyPixels {
                width: 20_000,
                height: 20_000,
                limit: 50_000_000
            }
        );
        assert_eq!(
            problem.message(),
            "This photo is 20000×20000 pixels; the limit is 50 megapixels. \
             Choose a smaller photo, or lower the camera's resolution."
        );
    }

    #[test]
    fn a_truncated_body_is_refused_at_decode() {
        let bytes = png(64, 64);
        let cut = &bytes[..bytes.len() - 30];
        let info = inspect(Cursor::new(cut), 50_000_000).unwrap();
        assert_eq!(
            thumbnail(Cursor::new(cut), &info),
            Err(PhotoProblem::NotImage)
        );
    }

    #[test]
    fn only_uploads_older_than_the_upload_timeout_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let files = PhotoFiles::new(dir.path());
        files.create_dirs().unwrap();
        let old = files.temp_path();
        fs::write(&old, b"cut off an hour ago").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        let live = files.temp_path();
        fs::write(&live, b"being written now").unwrap();
        let removed = files
            .remove_stale_uploads(std::time::Duration::from_secs(360))
            .unwrap();
        assert_eq!(removed, 1);
        assert!(!old.exists() && live.exists());
    }

    #[test]
    fn a_progressive_jpeg_is_told_from_a_baseline_one_by_its_frame_header() {
        let img = image::RgbImage::from_pixel(16, 16, image::Rgb([1, 2, 3]));
        let mut baseline = Cursor::new(Vec::new());
        img.write_to(&mut baseline, ImageFormat::Jpeg).unwrap();
        let baseline = baseline.into_inner();
        assert!(!is_progressive_jpeg(Cursor::new(&baseline)));
        // The same file with its SOF0 marker turned into SOF2.
        let at = baseline.windows(2).position(|w| w == [0xff, 0xc0]).unwrap();
        let mut progressive = baseline.clone();
        progressive[at + 1] = 0xc2;
        assert!(is_progressive_jpeg(Cursor::new(&progressive)));
        assert!(is_progressive_jpeg(Cursor::new(b"not a jpeg")));
        let info = inspect(Cursor::new(&baseline), 1_000_000).unwrap();
        assert_eq!(info.decode_bytes, 16 * 16 * 3 + (4 << 20));
        assert_eq!(
            decode_cost(&info, 1000, true),
            info.decode_bytes + 16 * 16 * 6 + 1000
        );
    }

    #[test]
    fn files_are_sharded_by_hash() {
        let files = PhotoFiles::new(Path::new("/d"));
        let sha = "abcdef0123";
        assert_eq!(
            files.photo_path(sha),
            Path::new("/d/photos/ab/cd/abcdef0123")
        );
        assert_eq!(
            files.thumb_path(sha),
            Path::new("/d/thumbs/ab/cd/abcdef0123.jpg")
        );
    }
}
