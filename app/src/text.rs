//! Sentences in the build's language (`fieldcase_i18n::t!`) with slots, and
//! numbers written the way that language writes them.

/// `template` with each `{}` replaced, in order, by the next of `parts`.
pub fn fill(template: &str, parts: &[&str]) -> String {
    // Bytes, not `str::find("{}")`: a string pattern brings the two-way
    // searcher into the first load for a two-byte needle.
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = parts.iter();
    let mut from = 0;
    let bytes = template.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && bytes[i + 1] == b'}' {
            let Some(part) = parts.next() else { break };
            out.push_str(&template[from..i]);
            out.push_str(part);
            i += 2;
            from = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&template[from..]);
    out
}

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
    fn slots_are_filled_in_order_and_extra_parts_ignored() {
        assert_eq!(
            fill("Up to {} photos, each up to {}.", &["5", "10 MB"]),
            "Up to 5 photos, each up to 10 MB."
        );
        assert_eq!(fill("Photo {}", &["2", "3"]), "Photo 2");
        assert_eq!(fill("{} left", &[]), "{} left");
    }

    #[test]
    fn english_builds_keep_the_decimal_point() {
        assert_eq!(decimal("2.5"), "2.5");
    }
}
