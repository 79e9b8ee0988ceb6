//! Staff passwords: a length rule and a small deny list of the passwords people reach for first,
//! then argon2id (RustCrypto `argon2`). Hashing is deliberately slow (tuned to about half a second
//! here), so it always runs on the blocking pool, never on the async threads.

use crate::{BackendError, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::{FieldError, FieldName, Msg};
use rand::RngCore;

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

/// Checked after lower-casing and removing spaces; a password *containing* one of these whole is
/// not refused, only one that *is* one (with digits or punctuation around it, see `weak`).
const DENY: &[&str] = &[
    "123456789012", "1234567890ab", "12345678910", "qwertyuiop12", "qwertyuiopas", "1q2w3e4r5t6y",
    "1qaz2wsx3edc", "passwordpassword", "password1234", "password123456", "iloveyou1234", "woaini1314",
    "woaini521521", "woaini123456", "aaaaaaaaaaaa", "abc123456789", "abcd12345678", "admin1234567",
    "administrator", "welcome12345", "letmein12345", "zhangwei1234", "wangfang1234", "pingan123456",
    "pinganjian123", "changeme1234", "p@ssw0rd1234", "p@ssword1234", "88888888888888", "66666666666666",
    "11111111111111", "00000000000000", "147258369147", "159357159357", "asdfghjkl123", "zxcvbnm12345",
    "qazwsxedcrfv", "1234qwerasdf", "a123456789012", "wo5201314520", "5201314520", "1314520520",
];

/// Argon2id cost. Stored in every hash (PHC string), so changing it only affects new hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Memory in KiB.
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Cost {
    /// About 0.5 s on one core of the 2-core build machine (measure with `pingan hash-cost`).
    pub const PRODUCTION: Self = Self { m_kib: 65_536, t: 15, p: 1 };
    /// For tests only: fast, still argon2id.
    pub const TEST: Self = Self { m_kib: 1024, t: 1, p: 1 };

    fn argon(self) -> Result<Argon2<'static>> {
        let params = Params::new(self.m_kib, self.t, self.p, None).map_err(|e| BackendError::Internal(format!("argon2 params: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// `m_kib,t,p` (e.g. `65536,15,1`), as in `PINGAN_ARGON2`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let mut it = s.split(',').map(|x| x.trim().parse::<u32>().ok());
        let c = Self { m_kib: it.next()??, t: it.next()??, p: it.next()?? };
        (it.next().is_none() && c.m_kib >= 8 * c.p && c.t >= 1 && c.p >= 1).then_some(c)
    }
}

/// Why a new password is refused, as a field error on `password`.
///
/// # Errors
/// Too short, too long, one repeated character, the user name, or a common password.
pub fn check_policy(password: &str, username: &str) -> std::result::Result<(), FieldError> {
    let err = |m| Err(FieldError::new(FieldName::Password, m));
    let n = password.chars().count();
    if n < MIN_LEN {
        return err(Msg::ErrPasswordShort);
    }
    if n > MAX_LEN {
        return err(Msg::ErrPasswordLong);
    }
    let folded: String = password.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let core: String = folded.trim_matches(|c: char| !c.is_alphanumeric()).to_owned();
    let mut chars = folded.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) || folded.contains(&username.to_lowercase()) && !username.is_empty() {
        return err(Msg::ErrPasswordCommon);
    }
    if DENY.iter().any(|d| *d == folded || *d == core) {
        return err(Msg::ErrPasswordCommon);
    }
    Ok(())
}

/// Hashes and verifications at once: each takes 64 MiB for about half a second, so a flood of
/// sign-in attempts queues here instead of exhausting memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Hashes on the blocking pool.
///
/// # Errors
/// Internal errors of the hasher.
pub async fn hash(password: String, cost: Cost) -> Result<String> {
    let _permit = HASHING.acquire().await.map_err(|e| BackendError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| BackendError::Internal(format!("salt: {e}")))?;
        let h = cost.argon()?.hash_password(password.as_bytes(), &salt).map_err(|e| BackendError::Internal(format!("hash: {e}")))?;
        Ok(h.to_string())
    })
    .await
    .map_err(|e| BackendError::Internal(e.to_string()))?
}

/// Verifies on the blocking pool. A malformed stored hash verifies as false.
///
/// # Errors
/// The blocking task failed.
pub async fn verify(password: String, phc: String) -> Result<bool> {
    if password.len() > MAX_LEN * 4 {
        return Ok(false);
    }
    let _permit = HASHING.acquire().await.map_err(|e| BackendError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else { return false };
        // The cost comes from the stored hash; `Argon2::default()` only supplies the algorithm.
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .map_err(|e| BackendError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check_policy("short", "u").unwrap_err().msg, Msg::ErrPasswordShort);
        assert_eq!(check_policy(&"x".repeat(129), "u").unwrap_err().msg, Msg::ErrPasswordLong);
        for bad in ["aaaaaaaaaaaaaaa", "Password1234", "woaini1314", " 123456789012 ", "!!1qaz2wsx3edc!!"] {
            assert!(check_policy(bad, "zhang").is_err(), "{bad}");
        }
        assert_eq!(check_policy("zhangsan-2026-spring", "zhangsan").unwrap_err().msg, Msg::ErrPasswordCommon);
        assert!(check_policy("绿皮火车开过黄土坡一共七次", "zhang").is_ok());
        assert!(check_policy("correct horse battery", "zhang").is_ok());
    }

    #[test]
    fn cost_parses() {
        assert_eq!(Cost::parse("65536,15,1"), Some(Cost::PRODUCTION));
        assert_eq!(Cost::parse("1,1,1"), None);
        assert_eq!(Cost::parse("65536,6"), None);
        assert_eq!(Cost::parse("a,b,c"), None);
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("a long enough password".into(), Cost::TEST).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(verify("a long enough password".into(), h.clone()).await.unwrap());
        assert!(!verify("a long enough passworD".into(), h).await.unwrap());
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
    }
}
