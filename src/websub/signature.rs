//! The secrets of subscriptions and the signatures of pushes: a hub signs
//! each push with HMAC over the body, keyed by the subscription's
//! `hub.secret`, and sends `X-Hub-Signature: sha256=<hex>` (or `sha1=`,
//! which the spec still allows).

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::Sha256;

/// Why a push's signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no X-Hub-Signature header")]
    Missing,
    #[error("X-Hub-Signature names a method other than sha1 or sha256")]
    Method,
    #[error("X-Hub-Signature does not match the body")]
    Mismatch,
}

/// A fresh random value of `bytes` bytes, as hex: secrets (32 bytes) and
/// callback ids (16 bytes).
pub fn random_hex(bytes: usize) -> String {
    let mut value = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut value);
    value.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `header` (the X-Hub-Signature value) against `body`, in
/// constant time.
pub fn verify(secret: &str, header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
    let (method, hex) = header
        .ok_or(SignatureError::Missing)?
        .trim()
        .split_once('=')
        .ok_or(SignatureError::Method)?;
    let claimed = from_hex(hex).ok_or(SignatureError::Mismatch)?;
    let mac_matches = match method.to_ascii_lowercase().as_str() {
        "sha256" => keyed::<Hmac<Sha256>>(secret, body).map(|m| m.verify_slice(&claimed)),
        "sha1" => keyed::<Hmac<Sha1>>(secret, body).map(|m| m.verify_slice(&claimed)),
        _ => return Err(SignatureError::Method),
    };
    match mac_matches {
        Some(Ok(())) => Ok(()),
        _ => Err(SignatureError::Mismatch),
    }
}

/// The MAC of `body`; `None` cannot happen (HMAC takes keys of any
/// length) and would refuse the push.
fn keyed<M: Mac + hmac::digest::KeyInit>(secret: &str, body: &[u8]) -> Option<M> {
    let mut mac = <M as Mac>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    Some(mac)
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim().as_bytes();
    if hex.len() % 2 != 0 {
        return None;
    }
    hex.chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2104 examples as Wikipedia gives them.
    const BODY: &[u8] = b"The quick brown fox jumps over the lazy dog";
    const SHA256: &str = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
    const SHA1: &str = "sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9";

    #[test]
    fn accepts_known_signatures_in_both_methods() {
        assert_eq!(verify("key", Some(SHA256), BODY), Ok(()));
        assert_eq!(verify("key", Some(SHA1), BODY), Ok(()));
        assert_eq!(verify("key", Some(&SHA256.to_uppercase()), BODY), Ok(()));
    }

    #[test]
    fn refuses_other_keys_bodies_and_methods() {
        assert_eq!(
            verify("other", Some(SHA256), BODY),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("key", Some(SHA1), b"the body"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("key", Some("sha256=zz"), BODY),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify("key", None, BODY), Err(SignatureError::Missing));
        assert_eq!(
            verify("key", Some("md5=00"), BODY),
            Err(SignatureError::Method)
        );
    }

    #[test]
    fn random_values_differ() {
        assert_eq!(random_hex(32).len(), 64);
        assert_ne!(random_hex(16), random_hex(16));
    }
}
