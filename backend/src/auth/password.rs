//! Staff passwords: a length rule and a list of 30,000+ common passwords (shipped in the
//! repository, `common-passwords.txt`, source and licence in its header), then argon2id
//! (RustCrypto `argon2`). Hashing is deliberately slow (tuned to about half a second here), so it
//! always runs on the blocking pool, never on the async threads.

use crate::config::PasswordCost;
use crate::{BackendError, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::{FieldError, FieldName, Msg};

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

/// The shipped list (one lower-case password a line, `#` comments), parsed once.
static COMMON_TEXT: &str = include_str!("common-passwords.txt");
static COMMON: std::sync::LazyLock<std::collections::HashSet<&'static str>> = std::sync::LazyLock::new(|| {
    COMMON_TEXT.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
});

/// How many passwords the shipped list holds.
#[must_use]
pub fn common_count() -> usize {
    COMMON.len()
}

/// Whether `password` is a common password, or one of them with digits or punctuation around it
/// (`monkey2026!`), or one of them said twice (`dragondragon`): the first rules a cracker tries.
/// Compared after lower-casing and removing spaces.
#[must_use]
pub fn is_common(password: &str) -> bool {
    let folded: String = password.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let core = folded.trim_matches(|c: char| !c.is_alphanumeric());
    let letters = core.trim_end_matches(|c: char| c.is_ascii_digit());
    let leading = core.trim_start_matches(|c: char| c.is_ascii_digit());
    let half = |s: &str| {
        let n = s.len();
        (n.is_multiple_of(2) && n > 0 && s.is_char_boundary(n / 2) && s[..n / 2] == s[n / 2..])
            .then(|| s[..n / 2].to_owned())
    };
    let mut candidates = vec![folded.as_str(), core];
    // Only when something words-like is left: "2026" alone is not a reason to refuse.
    if letters.chars().count() >= 4 {
        candidates.push(letters);
    }
    if leading.chars().count() >= 4 {
        candidates.push(leading);
    }
    let halves: Vec<String> = [folded.as_str(), core].iter().filter_map(|s| half(s)).collect();
    candidates.iter().any(|c| COMMON.contains(c)) || halves.iter().any(|h| COMMON.contains(h.as_str()))
}

/// The argon2id hasher of a cost.
fn argon(cost: PasswordCost) -> Result<Argon2<'static>> {
    let params = Params::new(cost.m_kib, cost.t, cost.p, None)
        .map_err(|e| BackendError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
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
    let mut chars = folded.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) || folded.contains(&username.to_lowercase()) && !username.is_empty() {
        return err(Msg::ErrPasswordCommon);
    }
    if is_common(password) {
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
pub async fn hash(password: String, cost: PasswordCost) -> Result<String> {
    let _permit = HASHING.acquire().await.map_err(|e| BackendError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let salt = crate::crypto::random_bytes::<16>();
        let salt = SaltString::encode_b64(&salt).map_err(|e| BackendError::Internal(format!("salt: {e}")))?;
        let h = argon(cost)?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| BackendError::Internal(format!("hash: {e}")))?;
        Ok(h.to_string())
    })
    .await
    .map_err(|e| BackendError::Internal(e.to_string()))?
}

thread_local! {
    static VERIFIED_HERE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many verifications were started on this thread: lets a test (one thread per
/// `#[tokio::test]`) prove that a throttled sign-in never reached argon2.
#[must_use]
pub fn verifications_on_this_thread() -> u64 {
    VERIFIED_HERE.with(std::cell::Cell::get)
}

/// Verifies on the blocking pool. A malformed stored hash verifies as false.
///
/// # Errors
/// The blocking task failed.
pub async fn verify(password: String, phc: String) -> Result<bool> {
    if password.len() > MAX_LEN * 4 {
        return Ok(false);
    }
    VERIFIED_HERE.with(|n| n.set(n.get() + 1));
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
    fn the_shipped_list_is_real() {
        assert!(common_count() >= 10_000, "{}", common_count());
        for bad in [
            "password1",
            "qwerty123",
            "123456789",
            "Password1",
            "monkey2026!",
            "dragondragon",
            "woaini1314",
            "trustno1trustno1",
        ] {
            assert!(is_common(bad), "{bad}");
        }
        for fine in [
            "correct horse battery",
            "绿皮火车开过黄土坡一共七次",
            "river stone lantern 2026",
            "e2e correct horse battery",
        ] {
            assert!(!is_common(fine), "{fine}");
        }
        // Long enough, but still a list entry with digits around it.
        assert_eq!(check_policy("baseball123456", "zhang").unwrap_err().msg, Msg::ErrPasswordCommon);
        assert_eq!(check_policy("qwerty123qwerty123", "zhang").unwrap_err().msg, Msg::ErrPasswordCommon);
    }

    #[test]
    fn cost_parses() {
        assert_eq!(PasswordCost::parse("65536,15,1"), Some(PasswordCost::PRODUCTION));
        assert_eq!(PasswordCost::parse("1,1,1"), None);
        assert_eq!(PasswordCost::parse("65536,6"), None);
        assert_eq!(PasswordCost::parse("a,b,c"), None);
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("a long enough password".into(), PasswordCost::TEST).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(verify("a long enough password".into(), h.clone()).await.unwrap());
        assert!(!verify("a long enough passworD".into(), h).await.unwrap());
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
    }
}
