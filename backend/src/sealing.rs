//! Webhook signing secrets at rest: sealed with AES-256-GCM under the
//! Worker secret `WEBHOOK_SECRETS_KEY`, bound to their endpoint (the
//! endpoint's id is the additional data), so that a copy of the database
//! alone does not let anyone sign a delivery, and a sealed secret copied
//! onto another endpoint does not open. In the Worker the cipher is
//! WebCrypto's; elsewhere (the tests' SQLite runs) RustCrypto's. Both
//! write `sealed.v1.<key id>.<base64(iv ‖ ciphertext ‖ tag)>`.
//!
//! During a rotation of the wrapping key, `WEBHOOK_SECRETS_KEY_PREVIOUS`
//! still opens what it sealed; each delivery seals such a secret again
//! under the current key, so the previous one can go once every endpoint
//! has had a delivery (or its secret was rotated).

use base64::prelude::{Engine, BASE64_STANDARD};
use sha2::Digest;

const PREFIX: &str = "sealed.v1.";
const IV: usize = 12;

/// A wrapping key: its id (a short hash, to tell keys apart) and bytes.
#[derive(Clone)]
struct Key {
    id: String,
    bytes: [u8; 32],
}

impl Key {
    fn from_base64(seed: &str) -> Result<Self, String> {
        let bytes: [u8; 32] = BASE64_STANDARD
            .decode(seed.trim())
            .map_err(|_| "it is not base64".to_owned())?
            .try_into()
            .map_err(|_| "it must be 32 bytes".to_owned())?;
        let digest =
            sha2::Sha256::digest([b"lockbox webhook secrets key ".as_slice(), &bytes].concat());
        let id = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
        Ok(Self { id, bytes })
    }
}

/// Whether `stored` is a sealed secret (not one stored in the clear).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// What an opened secret is, and whether it should be sealed again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The secret (`whsec_<base64>`).
    pub secret: String,
    /// It was stored in the clear, or under the previous key.
    pub reseal: bool,
}

/// Seals and opens webhook secrets.
#[derive(Clone)]
pub struct Sealer {
    current: Key,
    previous: Option<Key>,
}

impl Sealer {
    /// From the base64 32-byte keys: the current and, during a rotation,
    /// the previous one.
    pub fn from_seeds(current: &str, previous: Option<&str>) -> Result<Self, String> {
        Ok(Self {
            current: Key::from_base64(current)
                .map_err(|why| format!("WEBHOOK_SECRETS_KEY: {why}"))?,
            previous: previous
                .filter(|p| !p.trim().is_empty())
                .map(Key::from_base64)
                .transpose()
                .map_err(|why| format!("WEBHOOK_SECRETS_KEY_PREVIOUS: {why}"))?,
        })
    }

    /// The id of the key that seals now.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// `secret` sealed for endpoint `endpoint_id`.
    pub async fn seal(&self, secret: &str, endpoint_id: &str) -> Result<String, String> {
        let mut iv = [0u8; IV];
        getrandom::fill(&mut iv).map_err(|e| format!("no randomness for a seal: {e}"))?;
        let sealed = cipher::encrypt(
            &self.current.bytes,
            &iv,
            endpoint_id.as_bytes(),
            secret.as_bytes(),
        )
        .await?;
        let mut out = iv.to_vec();
        out.extend(sealed);
        Ok(format!(
            "{PREFIX}{}.{}",
            self.current.id,
            BASE64_STANDARD.encode(out)
        ))
    }

    /// The secret `stored` for endpoint `endpoint_id` holds: sealed under
    /// the current or the previous key, or (stored before secrets were
    /// sealed) in the clear.
    pub async fn open(&self, stored: &str, endpoint_id: &str) -> Result<Opened, String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(Opened {
                secret: stored.to_owned(),
                reseal: true,
            });
        };
        let (id, body) = rest
            .split_once('.')
            .ok_or("the sealed secret is malformed")?;
        let (key, reseal) = if id == self.current.id {
            (&self.current, false)
        } else {
            match &self.previous {
                Some(previous) if previous.id == id => (previous, true),
                _ => {
                    return Err(format!(
                        "the secret is sealed under key {id}, which is neither \
                         WEBHOOK_SECRETS_KEY ({}) nor WEBHOOK_SECRETS_KEY_PREVIOUS",
                        self.current.id
                    ))
                }
            }
        };
        let bytes = BASE64_STANDARD
            .decode(body)
            .map_err(|_| "the sealed secret is not base64")?;
        if bytes.len() <= IV {
            return Err("the sealed secret is too short".to_owned());
        }
        let (iv, sealed) = bytes.split_at(IV);
        let plain = cipher::decrypt(&key.bytes, iv, endpoint_id.as_bytes(), sealed)
            .await
            .map_err(|_| {
                "the sealed secret does not open: it was changed, or belongs to another endpoint"
                    .to_owned()
            })?;
        Ok(Opened {
            secret: String::from_utf8(plain).map_err(|_| "the secret is not text")?,
            reseal,
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod cipher {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{Aes256Gcm, Nonce};

    pub async fn encrypt(
        key: &[u8; 32],
        iv: &[u8],
        aad: &[u8],
        msg: &[u8],
    ) -> Result<Vec<u8>, String> {
        Aes256Gcm::new(key.into())
            .encrypt(Nonce::from_slice(iv), Payload { msg, aad })
            .map_err(|_| "sealing failed".to_owned())
    }

    pub async fn decrypt(
        key: &[u8; 32],
        iv: &[u8],
        aad: &[u8],
        msg: &[u8],
    ) -> Result<Vec<u8>, String> {
        Aes256Gcm::new(key.into())
            .decrypt(Nonce::from_slice(iv), Payload { msg, aad })
            .map_err(|_| "opening failed".to_owned())
    }
}

#[cfg(target_arch = "wasm32")]
mod cipher {
    use crate::jwt::subtle::aes_gcm;

    pub async fn encrypt(
        key: &[u8; 32],
        iv: &[u8],
        aad: &[u8],
        msg: &[u8],
    ) -> Result<Vec<u8>, String> {
        aes_gcm(true, key, iv, aad, msg).await
    }

    pub async fn decrypt(
        key: &[u8; 32],
        iv: &[u8],
        aad: &[u8],
        msg: &[u8],
    ) -> Result<Vec<u8>, String> {
        aes_gcm(false, key, iv, aad, msg).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn now<T>(f: impl std::future::Future<Output = T>) -> T {
        f.now_or_never().expect("no waiting")
    }

    fn seed(byte: u8) -> String {
        BASE64_STANDARD.encode([byte; 32])
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_endpoint_and_with_its_key() {
        let sealer = Sealer::from_seeds(&seed(1), None).expect("a sealer");
        let sealed = now(sealer.seal("whsec_abc", "endpoint-1")).expect("sealed");
        assert!(sealed.starts_with(&format!("sealed.v1.{}.", sealer.key_id())));
        assert!(!sealed.contains("whsec_abc"));
        assert_ne!(
            sealed,
            now(sealer.seal("whsec_abc", "endpoint-1")).expect("sealed"),
            "a fresh iv"
        );
        let opened = now(sealer.open(&sealed, "endpoint-1")).expect("opens");
        assert_eq!(
            opened,
            Opened {
                secret: "whsec_abc".into(),
                reseal: false
            }
        );
        // Another endpoint's row, another key, a changed byte: refused.
        assert!(now(sealer.open(&sealed, "endpoint-2")).is_err());
        let other = Sealer::from_seeds(&seed(2), None).expect("a sealer");
        let err = now(other.open(&sealed, "endpoint-1")).expect_err("another key");
        assert!(err.contains(sealer.key_id()), "{err}");
        // Under another key's id it is opened with that key, and fails.
        let forged = sealed.replacen(sealer.key_id(), other.key_id(), 1);
        assert!(now(other.open(&forged, "endpoint-1"))
            .expect_err("the tag fails")
            .contains("does not open"));
        // One byte of the ciphertext changed: the tag fails.
        let (head, body) = sealed.rsplit_once('.').expect("a body");
        let mut bytes = BASE64_STANDARD.decode(body).expect("base64");
        bytes[IV + 2] ^= 1;
        let changed = format!("{head}.{}", BASE64_STANDARD.encode(bytes));
        assert!(now(sealer.open(&changed, "endpoint-1"))
            .expect_err("the tag fails")
            .contains("does not open"));
        // Stored in the clear before sealing: opened, to be sealed again.
        let plain = now(sealer.open("whsec_old", "endpoint-1")).expect("opens");
        assert!(plain.reseal);
    }

    #[test]
    fn during_a_rotation_the_previous_key_opens_and_asks_for_a_new_seal() {
        let old = Sealer::from_seeds(&seed(1), None).expect("a sealer");
        let sealed = now(old.seal("whsec_abc", "e")).expect("sealed");
        let rotated = Sealer::from_seeds(&seed(2), Some(&seed(1))).expect("a sealer");
        let opened = now(rotated.open(&sealed, "e")).expect("opens");
        assert_eq!(opened.secret, "whsec_abc");
        assert!(opened.reseal);
        let again = now(rotated.seal(&opened.secret, "e")).expect("sealed");
        assert!(!now(rotated.open(&again, "e")).expect("opens").reseal);
        assert!(Sealer::from_seeds("short", None).is_err());
    }
}
