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
