//! Sentences in the build's language (`fieldcase_i18n::t!`) with slots, and
//! numbers written the way that language writes them.

pub use fieldcase_core::text::fill;

/// A decimal number as the build's language writes it ("2.5" → "2,5" in Spanish).
pub fn decimal(number: &str) -> String {
    if fieldcase_i18n::lang!() == "es" {
        number.replace('.', ",")
    } else {
        number.to_owned()
    }
}

/// The language switcher's link (`?lang=`, which the server remembers):
/// the other language's tag and its name in itself.
pub fn other_language() -> (&'static str, &'static str) {
    if fieldcase_i18n::lang!() == "es" {
        ("en", "English")
    } else {
        ("es", "Español")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_builds_keep_the_decimal_point() {
        assert_eq!(decimal("2.5"), "2.5");
    }
}
