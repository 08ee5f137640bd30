//! Reads a QR code from a camera frame: the fallback for browsers without
//! `BarcodeDetector` (`public/code.js`). Decoding is rqrr's (MIT/Apache-2.0);
//! this crate only adapts a greyscale frame to it.

/// The text of the first QR code found in a `width` × `height` greyscale
/// frame (one byte per pixel, rows top to bottom), if any decodes.
pub fn decode(grey: &[u8], width: usize, height: usize) -> Option<String> {
    if width == 0 || height == 0 || grey.len() < width * height {
        return None;
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    img.detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A QR code drawn as a camera would see it: `scale` pixels a module,
    /// a quiet zone, on a grey background.
    fn frame(text: &str, scale: usize) -> (Vec<u8>, usize, usize) {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let side = (n + 8) * scale + 40;
        let mut grey = vec![200u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = (
                    (x as isize - 20) / scale as isize - 4,
                    (y as isize - 20) / scale as isize - 4,
                );
                let dark = mx >= 0
                    && my >= 0
                    && (mx as usize) < n
                    && (my as usize) < n
                    && colors[my as usize * n + mx as usize] == qrcode::Color::Dark;
                if x >= 20 && y >= 20 && x < side - 20 && y < side - 20 {
                    grey[y * side + x] = if dark { 20 } else { 235 };
                }
            }
        }
        (grey, side, side)
    }

    #[test]
    fn reads_a_fieldcase_label() {
        let link = "HTTPS://FIELDCASE.EXAMPLE/A/ABCDEFGHIJKLMNOPQRST";
        let (grey, w, h) = frame(link, 4);
        assert_eq!(decode(&grey, w, h).as_deref(), Some(link));
    }

    #[test]
    fn an_empty_or_short_frame_reads_nothing() {
        assert_eq!(decode(&[], 0, 0), None);
        assert_eq!(decode(&[128; 100], 10, 10), None);
        assert_eq!(decode(&[128; 10], 10, 10), None);
    }
}
