//! Tokens at rest: AES-256-GCM with a key from the configuration, a fresh
//! random nonce for every seal, and the value's purpose as associated data
//! (a sealed refresh token does not open as an access token). Sealed text is
//! `v1.` + base64(nonce ‖ ciphertext ‖ tag).
//!
//! The same key also makes [`SecretKey::index`]: an HMAC-SHA256 under a key
//! derived from it (never the sealing key itself), so a secret that must be
//! found by its value (an asset's link token) is stored sealed and indexed,
//! never in plain text.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "v1.";
const NONCE_BYTES: usize = 12;

/// The file a generated key is kept in, in the data dir (when no
/// `--secret-key` is given).
pub const DEMO_KEY_FILE: &str = "secret.key";

/// What the index key is derived with (HMAC-SHA256(key, this)).
const INDEX_KEY_LABEL: &[u8] = b"fieldcase index key v1";

/// The key that seals stored tokens. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct SecretKey {
    aead: Aes256Gcm,
    /// HMAC key for [`SecretKey::index`], derived from the sealing key.
    index: [u8; 32],
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the secret key must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)")]
    BadKey,
    #[error("a stored secret cannot be opened with this key (was the key changed?)")]
    CannotOpen,
}

impl SecretKey {
    /// A key from its base64 text (surrounding whitespace ignored).
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| CryptoError::BadKey)?;
        if bytes.len() != 32 {
            return Err(CryptoError::BadKey);
        }
        let aead = Aes256Gcm::new_from_slice(&bytes).map_err(|_| CryptoError::BadKey)?;
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&bytes).map_err(|_| CryptoError::BadKey)?;
        mac.update(INDEX_KEY_LABEL);
        let index = mac.finalize().into_bytes().into();
        Ok(SecretKey { aead, index })
    }

    /// HMAC-SHA256 of `value` for `purpose`, as hex: the same value always
    /// gives the same index, which reveals nothing of it without the key.
    pub fn index(&self, purpose: &str, value: &str) -> String {
        // A 32-byte key is always accepted by HMAC.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A new random key, as base64 text.
    pub fn generate_base64() -> String {
        STANDARD.encode(rand::random::<[u8; 32]>())
    }

    /// The key in `path`, or a new one written there (readable by the owner
    /// only). The bool says whether it was made now.
    pub fn load_or_create(path: &Path) -> std::io::Result<(Self, bool)> {
        let bad = |_| std::io::Error::new(std::io::ErrorKind::InvalidData, CryptoError::BadKey);
        match std::fs::read_to_string(path) {
            Ok(text) => return Ok((Self::from_base64(&text).map_err(bad)?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let text = Self::generate_base64();
        write_private(path, text.as_bytes())?;
        Ok((Self::from_base64(&text).map_err(bad)?, true))
    }

    /// Seal `plaintext` for `purpose`.
    pub fn seal(&self, purpose: &str, plaintext: &str) -> String {
        let nonce_bytes: [u8; NONCE_BYTES] = rand::random();
        let nonce = Nonce::from_slice(&nonce_bytes);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: purpose.as_bytes(),
        };
        // Encryption only fails for messages beyond GCM's 64 GiB limit.
        let sealed = self.aead.encrypt(nonce, payload).unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend(sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    /// Open a value sealed for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, CryptoError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .filter(|b| b.len() > NONCE_BYTES)
            .ok_or(CryptoError::CannotOpen)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .aead
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::CannotOpen)?;
        String::from_utf8(plain).map_err(|_| CryptoError::CannotOpen)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_purpose() {
        let key = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        let a = key.seal("refresh_token", "5Aep861secret");
        let b = key.seal("refresh_token", "5Aep861secret");
        assert_ne!(a, b, "a fresh nonce every time");
        assert!(!a.contains("secret"));
        assert_eq!(key.open("refresh_token", &a).unwrap(), "5Aep861secret");
        assert_eq!(
            key.open("access_token", &a),
            Err(CryptoError::CannotOpen),
            "bound to its purpose"
        );
        let other = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        assert_eq!(
            other.open("refresh_token", &a),
            Err(CryptoError::CannotOpen)
        );
        assert_eq!(
            key.open("refresh_token", "v1.AAAA"),
            Err(CryptoError::CannotOpen)
        );
        assert_eq!(format!("{key:?}"), "SecretKey([redacted])");
    }

    #[test]
    fn an_index_is_stable_per_key_and_purpose_and_hides_the_value() {
        let key = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        let a = key.index("asset_token", "K7QJ3MZP2XW9RT4VBN6C");
        assert_eq!(a, key.index("asset_token", "K7QJ3MZP2XW9RT4VBN6C"));
        assert_eq!(a.len(), 64);
        assert!(!a.contains("K7QJ"));
        assert_ne!(a, key.index("other", "K7QJ3MZP2XW9RT4VBN6C"));
        assert_ne!(a, key.index("asset_token", "K7QJ3MZP2XW9RT4VBN6D"));
        let other = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        assert_ne!(a, other.index("asset_token", "K7QJ3MZP2XW9RT4VBN6C"));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert_eq!(
            SecretKey::from_base64("c2hvcnQ=").unwrap_err(),
            CryptoError::BadKey
        );
        assert!(SecretKey::from_base64("not base64!").is_err());
        assert!(SecretKey::from_base64(&format!(" {}\n", SecretKey::generate_base64())).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_generated_key_file_is_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEMO_KEY_FILE);
        let (key, created) = SecretKey::load_or_create(&path).unwrap();
        assert!(created);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let sealed = key.seal("x", "y");
        let (again, created) = SecretKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(again.open("x", &sealed).unwrap(), "y");
    }
}
