//! Photos leave for the CRM without location or device metadata.
//!
//! A phone's photo carries where it was taken (EXIF GPS), the phone's make,
//! model and serial, the editing software (XMP), captions (IPTC, comments)
//! and sometimes whole preview images after the end of the image. The
//! stored original keeps all of it, as the technician uploaded it; what is
//! sent to Salesforce is [`strip`]ped of it **losslessly**: the file's
//! segments (JPEG) or chunks (PNG, WebP) are walked and the metadata ones
//! left out; the compressed pixels are copied byte for byte, never decoded
//! or re-encoded, so the picture is exactly the same.
//!
//! Written by hand: the walk is a few dozen lines over documented
//! container formats, while the crates that rewrite metadata losslessly
//! (e.g. `img-parts`, `little_exif`) either re-serialise whole files with
//! their own model of them or bring in far more than this needs.
//!
//! Orientation: a phone usually stores a portrait photo as landscape pixels
//! plus EXIF `Orientation` (the thumbnail here applies it). Dropping EXIF
//! altogether would show such photos on their side in Salesforce, so a JPEG
//! whose orientation is not 1 gets a new, minimal EXIF segment holding only
//! that one tag — no position, no device, no time. PNG `eXIf` and WebP
//! `EXIF` chunks are dropped outright: phone cameras write JPEG, and
//! browsers do not agree on honouring orientation in those formats anyway.

use image::metadata::Orientation;

/// `bytes` without metadata, for any format the server accepts (JPEG, PNG,
/// WebP); anything else is returned unchanged. A file that ends early keeps
/// what was read up to there: it was decoded at upload, so this does not
/// happen to a stored photo, and metadata is never let through instead.
pub fn strip(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        strip_jpeg(bytes)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        strip_png(bytes)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        strip_webp(bytes)
    } else {
        bytes.to_vec()
    }
}

// ---- JPEG ----------------------------------------------------------------

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const COM: u8 = 0xFE;

/// Which JPEG segments stay:
/// - APP0 only when it is JFIF (the pixel density; a JFXX thumbnail goes);
/// - APP1 (EXIF, XMP) never — a minimal orientation-only EXIF replaces it
///   when the photo needs turning;
/// - APP2 only the ICC colour profile (it changes how colours show; MPF's
///   preview images go);
/// - APP14 "Adobe" (it says how the colour channels were transformed; a
///   decoder needs it);
/// - every other APPn and COM never;
/// - every non-APP segment (tables, frame and scan headers) always.
fn keep_segment(marker: u8, payload: &[u8]) -> bool {
    match marker {
        APP0 => payload.starts_with(b"JFIF\0"),
        APP2 => payload.starts_with(b"ICC_PROFILE\0"),
        APP14 => payload.starts_with(b"Adobe"),
        0xE1..=0xEF | COM => false,
        _ => true,
    }
}

fn strip_jpeg(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut pos = 2;
    loop {
        // A marker: 0xFF (fill bytes allowed), then its code.
        while bytes.get(pos) == Some(&0xFF) && bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(0xFF), Some(&marker)) = (bytes.get(pos), bytes.get(pos + 1)) else {
            return out;
        };
        pos += 2;
        match marker {
            EOI => {
                // Anything after the end of the image (previews, trailers,
                // garbage) is not copied.
                out.extend_from_slice(&[0xFF, EOI]);
                return out;
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                continue;
            }
            _ => {}
        }
        let Some(len) = bytes
            .get(pos..pos + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return out;
        };
        if len < 2 {
            return out;
        }
        let Some(payload) = bytes.get(pos + 2..pos + len) else {
            return out;
        };
        let segment = &bytes[pos - 2..pos + len];
        pos += len;
        if marker == APP1 && payload.starts_with(b"Exif\0\0") {
            if let Some(o) = Orientation::from_exif_chunk(&payload[6..])
                .filter(|o| *o != Orientation::NoTransforms)
            {
                out.extend_from_slice(&orientation_only_exif(o));
            }
            continue;
        }
        if keep_segment(marker, payload) {
            out.extend_from_slice(segment);
        }
        if marker == SOS {
            // The entropy-coded scan: copied up to the next marker that is
            // neither a stuffed 0xFF00 nor a restart marker.
            let start = pos;
            while pos < bytes.len() {
                if bytes[pos] == 0xFF {
                    match bytes.get(pos + 1) {
                        Some(0x00 | 0xD0..=0xD7) => pos += 2,
                        Some(0xFF) => pos += 1,
                        _ => break,
                    }
                } else {
                    pos += 1;
                }
            }
            out.extend_from_slice(&bytes[start..pos.min(bytes.len())]);
        }
    }
}

/// An APP1 segment with an EXIF block holding one tag: Orientation.
/// Big-endian TIFF: header, IFD0 at 8 with one entry (0x0112, SHORT, 1,
/// value), no next IFD.
fn orientation_only_exif(o: Orientation) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2A");
    tiff.extend_from_slice(&8u32.to_be_bytes());
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&u16::from(o.to_exif()).to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let len = u16::try_from(2 + 6 + tiff.len()).unwrap_or(u16::MAX);
    let mut segment = vec![0xFF, APP1];
    segment.extend_from_slice(&len.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

// ---- PNG -----------------------------------------------------------------

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Text (`tEXt`, `zTXt`, `iTXt`: captions, software, XMP), `eXIf` and the
/// modification time go; everything else (pixels, palette, colour and
/// gamma) stays, and nothing after `IEND` is copied.
fn strip_png(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut pos = PNG_SIGNATURE.len();
    while let Some(head) = bytes.get(pos..pos + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        let Some(chunk) = bytes.get(pos..pos.saturating_add(12).saturating_add(len)) else {
            return out;
        };
        pos += chunk.len();
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME") {
            out.extend_from_slice(chunk);
        }
        if kind == b"IEND" {
            break;
        }
    }
    out
}

// ---- WebP ----------------------------------------------------------------

/// `EXIF` and `XMP ` chunks go (and their flags in `VP8X`); nothing after
/// the RIFF container's declared end is copied; the RIFF size is rewritten.
fn strip_webp(bytes: &[u8]) -> Vec<u8> {
    let declared = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    let end = declared.saturating_add(8).min(bytes.len());
    let mut body = Vec::with_capacity(end);
    body.extend_from_slice(b"WEBP");
    let mut pos = 12;
    while let Some(head) = bytes.get(pos..pos + 8).filter(|_| pos + 8 <= end) {
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let padded = len + (len & 1);
        let Some(chunk) = bytes.get(pos..(pos + 8 + padded).min(end)) else {
            break;
        };
        pos += 8 + padded;
        match &head[0..4] {
            b"EXIF" | b"XMP " => {}
            b"VP8X" if chunk.len() > 8 => {
                let mut chunk = chunk.to_vec();
                // Flags: bit 3 EXIF, bit 2 XMP.
                chunk[8] &= !0b0000_1100;
                body.extend_from_slice(&chunk);
            }
            _ => body.extend_from_slice(chunk),
        }
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, ImageFormat, RgbImage};

    fn picture() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(40, 24, |x, y| {
            image::Rgb([(x * 6) as u8, (y * 10) as u8, ((x + y) * 3) as u8])
        }))
    }

    fn encode(format: ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        picture().write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// An APP1 EXIF segment with orientation `o` and a GPS latitude marker.
    pub(crate) fn exif_segment(o: u16) -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        // Orientation.
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&o.to_le_bytes());
        tiff.extend_from_slice(&[0, 0]);
        // Make, as ASCII at an offset.
        tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&12u32.to_le_bytes());
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"PhoneCo GPS 53.8008N\0");
        let mut seg = vec![0xFF, APP1];
        seg.extend_from_slice(&u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&tiff);
        seg
    }

    fn decoded(bytes: &[u8]) -> Vec<u8> {
        image::load_from_memory(bytes).unwrap().to_rgb8().into_raw()
    }

    #[test]
    fn jpeg_loses_exif_xmp_comments_and_trailers_but_not_a_pixel() {
        let clean = encode(ImageFormat::Jpeg);
        let mut dirty = clean[..2].to_vec();
        dirty.extend_from_slice(&exif_segment(1));
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Lat 53.8</x:xmpmeta>";
        dirty.extend_from_slice(&[0xFF, APP1]);
        dirty.extend_from_slice(&u16::try_from(xmp.len() + 2).unwrap().to_be_bytes());
        dirty.extend_from_slice(xmp);
        dirty.extend_from_slice(&[0xFF, COM, 0, 7, b'n', b'o', b't', b'e', b'!']);
        dirty.extend_from_slice(&clean[2..]);
        dirty.extend_from_slice(b"trailing preview bytes");

        let stripped = strip(&dirty);
        let text = String::from_utf8_lossy(&stripped);
        for gone in ["Exif", "PhoneCo", "xmpmeta", "note!", "trailing"] {
            assert!(!text.contains(gone), "{gone} survived");
        }
        assert!(stripped.ends_with(&[0xFF, EOI]));
        assert_eq!(decoded(&stripped), decoded(&clean));
        assert_eq!(strip(&stripped), stripped, "stripping is idempotent");
    }

    #[test]
    fn a_turned_jpeg_keeps_only_its_orientation() {
        let clean = encode(ImageFormat::Jpeg);
        let mut dirty = clean[..2].to_vec();
        dirty.extend_from_slice(&exif_segment(6));
        dirty.extend_from_slice(&clean[2..]);
        let stripped = strip(&dirty);
        assert!(!String::from_utf8_lossy(&stripped).contains("PhoneCo"));
        let exif = image::ImageReader::new(std::io::Cursor::new(&stripped))
            .with_guessed_format()
            .unwrap();
        let mut decoder = exif.into_decoder().unwrap();
        use image::ImageDecoder;
        assert_eq!(decoder.orientation().unwrap(), Orientation::Rotate90);
        assert_eq!(decoded(&stripped), decoded(&clean));
    }

    #[test]
    fn png_loses_text_exif_time_and_trailers() {
        let clean = encode(ImageFormat::Png);
        let iend = clean.len() - 12;
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut dirty = clean[..iend].to_vec();
        dirty.extend(chunk(b"tEXt", b"Comment\0GPS 53.8N"));
        dirty.extend(chunk(b"eXIf", b"MM\0*PhoneCo"));
        dirty.extend(chunk(b"tIME", &[7, 234, 11, 30, 12, 0, 0]));
        dirty.extend_from_slice(&clean[iend..]);
        dirty.extend_from_slice(b"trailing");
        let stripped = strip(&dirty);
        assert_eq!(stripped, clean);
    }

    #[test]
    fn webp_loses_exif_and_xmp_chunks() {
        let clean = encode(ImageFormat::WebP);
        let mut body = clean[12..].to_vec();
        body.extend_from_slice(b"EXIF\x07\0\0\0PhoneCo\0");
        body.extend_from_slice(b"XMP \x04\0\0\0<x/>");
        let mut dirty = b"RIFF".to_vec();
        dirty.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
        dirty.extend_from_slice(b"WEBP");
        dirty.extend_from_slice(&body);
        dirty.extend_from_slice(b"trailing");
        let stripped = strip(&dirty);
        assert_eq!(stripped, clean);
        assert_eq!(decoded(&stripped), decoded(&clean));
    }

    #[test]
    fn extended_webp_loses_its_metadata_flags_too() {
        let clean = encode(ImageFormat::WebP);
        let image_chunk = &clean[12..];
        let vp8x = |flags: u8| {
            let mut c = b"VP8X\x0a\0\0\0".to_vec();
            c.extend_from_slice(&[flags, 0, 0, 0]);
            c.extend_from_slice(&[39, 0, 0, 23, 0, 0]);
            c
        };
        let riff = |body: &[u8]| {
            let mut f = b"RIFF".to_vec();
            f.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
            f.extend_from_slice(b"WEBP");
            f.extend_from_slice(body);
            f
        };
        let mut dirty = vp8x(0b0000_1100);
        dirty.extend_from_slice(image_chunk);
        dirty.extend_from_slice(b"EXIF\x08\0\0\0MM\0*GPS!");
        dirty.extend_from_slice(b"XMP \x05\0\0\0<x/>!\0");
        let mut expected = vp8x(0);
        expected.extend_from_slice(image_chunk);
        let stripped = strip(&riff(&dirty));
        assert_eq!(stripped, riff(&expected));
        assert_eq!(decoded(&stripped), decoded(&clean));
    }

    #[test]
    fn anything_else_is_left_alone() {
        assert_eq!(strip(b"GIF89a..."), b"GIF89a...");
        assert_eq!(strip(&[0xFF, 0xD8, 0xFF]), vec![0xFF, 0xD8]);
    }
}
