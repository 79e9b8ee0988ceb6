//! The one home of the project's small cryptographic helpers: random tokens, SHA-256 digests as
//! hex, and constant-time comparison. Everything that makes or checks a secret (draft tokens and
//! secrets, track keys and sessions, staff sessions, CSRF tokens, API keys, recovery codes, the
//! moderation hash) goes through these functions.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `N` bytes from the operating system's CSPRNG (through `rand`'s thread generator).
#[must_use]
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

/// Lower-case hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// 128 random bits as 32 hex digits: draft tokens and secrets, session ids, CSRF tokens, ids.
#[must_use]
pub fn random_hex() -> String {
    hex(&random_bytes::<16>())
}

/// SHA-256 of `data` as 64 hex digits: how every stored token, key and session id is kept.
///
/// A fast hash is right for these: each is at least 80 random bits, so there is nothing to
/// brute-force that a slow hash would protect (passwords use argon2, in `auth::password`).
#[must_use]
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    hex(&Sha256::digest(data.as_ref()))
}

/// Constant-time equality of two non-empty tokens (the time depends on the length only).
#[must_use]
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_tokens() {
        // The SHA-256 test vector of "abc" (FIPS 180-2).
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let t = random_hex();
        assert_eq!(t.len(), 32);
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(t, random_hex(), "two draws differ");
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn comparison() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
        assert!(!same_token("", ""), "an empty token matches nothing");
    }
}
