//! Salesforce-style record ids: 15 case-sensitive characters (a 3-character
//! key prefix naming the object, then the record's number) and the 18-character
//! form, which appends a 3-character checksum of the capitals so the id
//! survives case-insensitive systems. The org answers with 18-character ids
//! and accepts either form.

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 3-character checksum Salesforce appends to a 15-character id.
fn checksum(id15: &[u8]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (chunk, slot) in id15.chunks(5).zip(out.iter_mut()) {
        let mut bits = 0usize;
        for (i, c) in chunk.iter().enumerate() {
            if c.is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        *slot = SUFFIX[bits];
    }
    out
}

/// The 18-character form of a 15- or 18-character id, or `None` when `id` is
/// not one (wrong length, a character outside `[0-9A-Za-z]`, or an 18-character
/// id whose checksum does not match its first 15 characters).
pub fn normalize(id: &str) -> Option<String> {
    let bytes = id.as_bytes();
    if !(bytes.len() == 15 || bytes.len() == 18) || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let sum = checksum(&bytes[..15]);
    if bytes.len() == 18 && !bytes[15..].eq_ignore_ascii_case(&sum) {
        return None;
    }
    let mut out = String::with_capacity(18);
    out.push_str(&id[..15]);
    out.extend(sum.iter().map(|&b| b as char));
    Some(out)
}

/// The 18-character id of record number `n` of the object with `prefix`.
///
/// Shaped like a production id (`500` + pod `Dm` + `0` + nine base-62 digits),
/// so generated ids never collide with the seed ids in [`crate::seed`], whose
/// fourth to fifteenth characters are digits.
pub fn generate(prefix: &str, n: u64) -> String {
    let mut digits = [b'0'; 9];
    let mut v = n;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(v % 62) as usize];
        v /= 62;
    }
    let mut id15 = Vec::with_capacity(15);
    id15.extend_from_slice(prefix.as_bytes());
    id15.extend_from_slice(b"Dm0");
    id15.extend_from_slice(&digits);
    let sum = checksum(&id15);
    id15.extend_from_slice(&sum);
    String::from_utf8_lossy(&id15).into_owned()
}

/// The key prefix (first three characters) of an id.
pub fn prefix(id: &str) -> &str {
    id.get(..3).unwrap_or("")
}

/// The 15-character form.
pub fn short(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_salesforce_ids_round_trip() {
        // Published examples of the 15 → 18 conversion.
        assert_eq!(
            normalize("001A0000006Vm9r").as_deref(),
            Some("001A0000006Vm9rIAC")
        );
        assert_eq!(
            normalize("003A0000005QB3A").as_deref(),
            Some("003A0000005QB3AIAW")
        );
        assert_eq!(
            normalize("001000000000001").as_deref(),
            Some("001000000000001AAA")
        );
        assert_eq!(
            normalize("001A0000006Vm9rIAC").as_deref(),
            Some("001A0000006Vm9rIAC")
        );
        assert_eq!(normalize("001a0000006vm9riac"), None);
        assert_eq!(normalize("001A0000006Vm9rXXX"), None);
        assert_eq!(normalize("not-an-id-at-all"), None);
    }

    #[test]
    fn generated_ids_are_valid_and_distinct() {
        let a = generate("500", 1);
        let b = generate("500", 62);
        assert_eq!(a.len(), 18);
        assert_ne!(a, b);
        assert_eq!(normalize(&a).as_deref(), Some(a.as_str()));
        assert_eq!(prefix(&a), "500");
    }
}
