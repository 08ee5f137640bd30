//! QR links: what a label encodes, and the label's SVG.
//!
//! The link is written in upper case (`HTTPS://FC.EXAMPLE/A/TOKEN`): URL
//! schemes and host names ignore case, the server accepts `/A/`, and tokens
//! are upper-case base32. That keeps every character inside the QR
//! alphanumeric set (5.5 bits a character instead of 8), so the symbol stays
//! at a low version with big modules that a phone reads from a small label.

use fieldcase_core::AssetToken;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode, Version};

/// The link people open, e.g. `https://fc.example/a/TOKEN`.
pub fn link(public_url: &str, token: &AssetToken) -> String {
    format!("{}{}", public_url.trim_end_matches('/'), token.link_path())
}

/// The QR image's URL, e.g. `https://fc.example/qr/TOKEN.svg`.
pub fn image_url(public_url: &str, token: &AssetToken) -> String {
    format!("{}/qr/{token}.svg", public_url.trim_end_matches('/'))
}

/// The link as the QR code encodes it: scheme and host upper-cased (they
/// ignore case), any path prefix kept as it is, then `/A/TOKEN`.
pub fn qr_link(public_url: &str, token: &AssetToken) -> String {
    let base = public_url.trim_end_matches('/');
    let (scheme, rest) = base.split_once("://").unwrap_or(("", base));
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let scheme = if scheme.is_empty() {
        String::new()
    } else {
        format!("{}://", scheme.to_ascii_uppercase())
    };
    format!("{scheme}{}{path}/A/{token}", host.to_ascii_uppercase())
}

/// The QR code of [`qr_link`]: error-correction level M (survives a smudged
/// label), the smallest version that fits.
pub fn code(public_url: &str, token: &AssetToken) -> Result<QrCode, qrcode::types::QrError> {
    QrCode::with_error_correction_level(qr_link(public_url, token), EcLevel::M)
}

/// The label as SVG, with the standard four-module quiet zone.
pub fn svg(public_url: &str, token: &AssetToken) -> Result<String, qrcode::types::QrError> {
    let code = code(public_url, token)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The largest QR version a label may use: at 37 mm a version-3 symbol
/// (29 modules + quiet zone) still has modules over 1 mm, which any phone
/// reads at arm's length.
pub const MAX_LABEL_VERSION: i16 = 3;

/// Why a label cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    /// The public URL makes the link too long for a small, robust code.
    #[error(
        "The asset link {link:?} is {len} characters: a label's QR code must stay version 3 or \
         lower at error correction M (61 characters at most). Set a shorter public URL \
         (FIELDCASE_PUBLIC_URL, e.g. https://fc.example.com with no path)."
    )]
    LinkTooLong { link: String, len: usize },
}

/// The QR code of a label: [`qr_link`] at error-correction level M, at most
/// [`MAX_LABEL_VERSION`]. The link stays short because it is upper case
/// (QR's alphanumeric mode, 5.5 bits a character) and the token is 20
/// characters: with `https://` that leaves 30 characters of host and path.
pub fn label_code(public_url: &str, token: &AssetToken) -> Result<QrCode, LabelError> {
    let link = qr_link(public_url, token);
    let too_long = || LabelError::LinkTooLong {
        len: link.len(),
        link: link.clone(),
    };
    let code = QrCode::with_error_correction_level(&link, EcLevel::M).map_err(|_| too_long())?;
    if version_number(&code) > MAX_LABEL_VERSION {
        return Err(too_long());
    }
    Ok(code)
}

/// The dark modules of a code, as `(x, y)` in modules from the top left
/// (quiet zone not counted).
pub fn dark_modules(code: &QrCode) -> Vec<(usize, usize)> {
    let w = code.width();
    code.to_colors()
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == qrcode::Color::Dark)
        .map(|(i, _)| (i % w, i / w))
        .collect()
}

/// The code as an SVG path (one unit a module, the four-module quiet zone
/// included): `M x y h1 v1 h-1 z` for each dark module.
fn module_path(code: &QrCode) -> String {
    let mut d = String::new();
    for (x, y) in dark_modules(code) {
        d.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
    }
    d
}

/// The code as an inline `<svg>` element for an HTML page (no XML prolog),
/// sized by the page's CSS; `label` is its accessible name, escaped here.
pub fn svg_element(code: &QrCode, label: &str) -> String {
    let side = code.width() + 8;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#ffffff\"/>\
         <path fill=\"#000000\" d=\"{d}\"/></svg>",
        label = xml_escape(label),
        d = module_path(code),
    )
}

/// A label as an SVG file: the code with its quiet zone, then the asset's
/// name and serial number under it (long ones cut with "…"), 40 mm wide.
pub fn label_svg(code: &QrCode, name: &str, serial: &str) -> String {
    let side = code.width() + 8;
    let height = side + 8;
    let mm = |units: usize| units * 40 / side;
    let cut = |s: &str, n: usize| {
        if s.chars().count() > n {
            let mut t: String = s.chars().take(n - 1).collect();
            t.push('…');
            t
        } else {
            s.to_owned()
        }
    };
    let mid = side as f64 / 2.0;
    let serial_line = if serial.is_empty() {
        String::new()
    } else {
        format!(
            "<text x=\"{mid}\" y=\"{y}\" text-anchor=\"middle\" font-family=\"sans-serif\" \
             font-size=\"2.4\">S/N {serial}</text>",
            y = side + 6,
            serial = xml_escape(&cut(serial, 28)),
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}mm\" height=\"{h}mm\" \
         viewBox=\"0 0 {side} {height}\" shape-rendering=\"crispEdges\">\
         <title>{title}</title>\
         <rect width=\"{side}\" height=\"{height}\" fill=\"#ffffff\"/>\
         <path fill=\"#000000\" d=\"{d}\"/>\
         <text x=\"{mid}\" y=\"{y}\" text-anchor=\"middle\" font-family=\"sans-serif\" \
         font-size=\"2.8\" font-weight=\"bold\">{name}</text>{serial_line}</svg>\n",
        w = mm(side),
        h = mm(height),
        title = xml_escape(name),
        d = module_path(code),
        y = side + 2,
        name = xml_escape(&cut(name, 24)),
    )
}

/// The code as a PNG: `scale` pixels a module, the four-module quiet zone
/// included, black on white, 8-bit grey.
pub fn label_png(code: &QrCode, scale: u32) -> Result<Vec<u8>, image::ImageError> {
    let w = code.width() as u32;
    let side = (w + 8) * scale;
    let mut img = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for (x, y) in dark_modules(code) {
        let (x0, y0) = ((x as u32 + 4) * scale, (y as u32 + 4) * scale);
        for py in y0..y0 + scale {
            for px in x0..x0 + scale {
                img.put_pixel(px, py, image::Luma([0]));
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The QR version number (1–40) of a code.
pub fn version_number(code: &QrCode) -> i16 {
    match code.version() {
        Version::Normal(n) | Version::Micro(n) => n,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn token() -> AssetToken {
        AssetToken::from_random_bytes([0xa5; 12])
    }

    #[test]
    fn links_are_upper_case_for_the_qr_and_lower_case_for_people() {
        let t = token();
        assert_eq!(
            link("http://127.0.0.1:8080/", &t),
            format!("http://127.0.0.1:8080/a/{t}")
        );
        assert_eq!(
            qr_link("http://127.0.0.1:8080", &t),
            format!("HTTP://127.0.0.1:8080/A/{t}")
        );
        assert_eq!(
            qr_link("https://fc.example/Base/", &t),
            format!("HTTPS://FC.EXAMPLE/Base/A/{t}")
        );
        assert_eq!(
            image_url("https://fc.example", &t),
            format!("https://fc.example/qr/{t}.svg")
        );
    }

    #[test]
    fn a_short_host_gives_a_short_link_and_a_small_code() {
        let t = token();
        let short = qr_link("https://fc.io", &t);
        assert!(short.len() <= 40, "{short} is {} characters", short.len());

        let code = code("https://fc.example", &t).unwrap();
        assert!(
            version_number(&code) <= 3,
            "version {}",
            version_number(&code)
        );
        assert_eq!(code.error_correction_level(), EcLevel::M);

        // Alphanumeric mode is what keeps it small: the short link fits
        // version 2 in upper case; typed in lower case (byte mode) it does not.
        let upper = super::code("https://fc.io", &t).unwrap();
        assert_eq!(version_number(&upper), 2);
        let lower =
            QrCode::with_error_correction_level(link("https://fc.io", &t), EcLevel::M).unwrap();
        assert!(version_number(&lower) > 2);
    }

    #[test]
    fn labels_stay_version_3_at_m_and_a_long_url_is_refused() {
        let t = token();
        let code = label_code("https://fieldcase.example.com", &t).unwrap();
        assert!(version_number(&code) <= MAX_LABEL_VERSION);
        assert_eq!(code.error_correction_level(), EcLevel::M);
        let Err(long) = label_code(
            "https://a-very-long-host-name.example.com/fieldcase/base",
            &t,
        ) else {
            panic!("a long link made a label");
        };
        assert!(long.to_string().contains("FIELDCASE_PUBLIC_URL"));
    }

    #[test]
    fn label_svg_escapes_its_text() {
        let code = label_code("https://fc.example", &token()).unwrap();
        let svg = label_svg(&code, "Pump <A&B>", "\"1\"");
        assert!(svg.contains("Pump &lt;A&amp;B&gt;"));
        assert!(svg.contains("S/N &quot;1&quot;"));
        assert!(!svg.contains("<A&B>"));
    }

    #[test]
    fn svg_has_a_quiet_zone() {
        let svg = svg("https://fc.example", &token()).unwrap();
        let code = code("https://fc.example", &token()).unwrap();
        let modules = code.width() + 8; // four light modules each side
        let view_box = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
        let side: usize = view_box.split(' ').next().unwrap().parse().unwrap();
        assert!(
            side >= 256 && side.is_multiple_of(modules),
            "{side} is not a multiple of {modules}"
        );
    }
}
