//! The resident's cookies (issue 9 §1–2): names, paths and attributes in one place, for the
//! server's form handlers (which set them) and the server functions (which read them).
//!
//! - `pingan_draft`: the browser secret of one draft, scoped to exactly that draft's paths, so a
//!   browser may hold several drafts and no other path (nor `/api/…`) ever receives it.
//! - `pingan_track`: the id of a track session, scoped to `/track` and `/form/track`.
//! - `pingan_flash`: the id of a one-shot message of the track page, scoped to `/track`.
//! - `pingan_recover_req`, `pingan_recover`, `pingan_recover_flash`: a receipt recovery's
//!   pending code request, its session and its page's flash, scoped to `/track/recover` and
//!   `/form/track/recover` (issue 14), `SameSite=Strict`.
//!
//! All are HttpOnly (no script reads them) and `Secure` when the site runs on HTTPS.

/// Cookie of a draft's browser secret.
pub const DRAFT: &str = "pingan_draft";
/// Cookie of a track session id.
pub const TRACK: &str = "pingan_track";
/// Cookie of a track-page flash id.
pub const FLASH: &str = "pingan_flash";

/// A draft's cookie lives as long as an unsubmitted draft (7 days).
pub const DRAFT_MAX_AGE: i64 = 7 * 86_400;
/// A track session's cookie (the session itself expires on the server too).
pub const TRACK_MAX_AGE: i64 = 60 * 60;
/// A flash is read right after the redirect.
pub const FLASH_MAX_AGE: i64 = 600;

/// The paths that read or write a draft: its wizard pages, its form posts, its photos and its
/// receipt. The draft cookie is set once for each.
#[must_use]
pub fn draft_paths(token: &str) -> [String; 4] {
    [
        format!("/appeal/{token}"),
        format!("/form/appeal/{token}"),
        format!("/draft-photo/{token}"),
        format!("/receipt/{token}"),
    ]
}

/// The paths of the track session cookie.
pub const TRACK_PATHS: [&str; 2] = ["/track", "/form/track"];

/// Cookie of a receipt recovery's pending request (issue 14: the browser that asked for the
/// SMS code is the one that may answer it).
pub const RECOVER_PENDING: &str = "pingan_recover_req";
/// Cookie of a recovery session (a number proved by its code).
pub const RECOVER: &str = "pingan_recover";
/// Cookie of a recovery-page flash id.
pub const RECOVER_FLASH: &str = "pingan_recover_flash";
/// A pending request lasts as long as its code (10 minutes).
pub const RECOVER_PENDING_MAX_AGE: i64 = 600;
/// A recovery session's cookie (the session itself expires on the server too).
pub const RECOVER_MAX_AGE: i64 = 30 * 60;
/// The paths of the recovery cookies: the page and its form posts, and the track page's "forget
/// on this phone" post, which ends the recovery session too; nothing else.
pub const RECOVER_PATHS: [&str; 3] = ["/track/recover", "/form/track/recover", "/form/track/forget"];

/// One `Set-Cookie` value. `max_age` 0 deletes the cookie.
#[must_use]
pub fn set(name: &str, value: &str, path: &str, max_age: i64, same_site: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}")
}

/// The cookie of the chosen language (not HttpOnly: it only says `zh-CN` or `en`).
pub const LANG: &str = "lang";

/// The language these `Cookie` headers ask for: the `lang` cookie, else zh-CN. The one parser of
/// that cookie, for pages, server functions and the plain form handlers alike.
pub fn lang<'a>(headers: impl IntoIterator<Item = &'a str>) -> domain::Lang {
    values(headers, LANG).first().map(|v| domain::Lang::from_tag(v)).unwrap_or_default()
}

/// The cookie of elder mode (适老化, issue 14): `1` when on. Not HttpOnly: it only says how to
/// show pages.
pub const ELDER: &str = "elder";

/// Whether these `Cookie` headers ask for elder mode.
pub fn elder<'a>(headers: impl IntoIterator<Item = &'a str>) -> bool {
    values(headers, ELDER).first().is_some_and(|v| v == "1")
}

/// Every value of cookie `name` in these `Cookie` headers (most specific path first, as
/// browsers send them).
pub fn values<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Vec<String> {
    headers
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

/// The first well-formed (32 lowercase hex digits) value of cookie `name`, or "" (which no
/// secret matches).
pub fn secret<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> String {
    values(headers, name)
        .into_iter()
        .find(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .unwrap_or_default()
}

/// The site's public address for links that leave the page (the receipt's QR code):
/// `PINGAN_PUBLIC_URL` when set; otherwise the request's host, with `http://` only for loopback
/// hosts (local development) and `https://` for any other, never guessing plain HTTP for a
/// public host.
#[must_use]
pub fn public_base(configured: Option<&str>, host: Option<&str>) -> String {
    if let Some(url) = configured.map(str::trim).filter(|u| !u.is_empty()) {
        return url.trim_end_matches('/').to_owned();
    }
    let host = host.map(str::trim).filter(|h| !h.is_empty()).unwrap_or("localhost");
    // The host without its port: `[::1]:3000` → `::1`, `127.0.0.1:3000` → `127.0.0.1`.
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    let loopback =
        name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    format!("{}://{host}", if loopback { "http" } else { "https" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_base_never_guesses_http_for_a_public_host() {
        assert_eq!(
            public_base(Some("https://pingan.example.cn/"), Some("localhost:3000")),
            "https://pingan.example.cn"
        );
        assert_eq!(public_base(None, Some("localhost:3000")), "http://localhost:3000");
        assert_eq!(public_base(None, Some("127.0.0.1:3000")), "http://127.0.0.1:3000");
        assert_eq!(public_base(None, Some("[::1]:3000")), "http://[::1]:3000");
        assert_eq!(public_base(None, Some("pingan.example.cn")), "https://pingan.example.cn");
        assert_eq!(public_base(None, Some("localhost.evil.example")), "https://localhost.evil.example");
        assert_eq!(public_base(None, Some("127.0.0.1.evil.example")), "https://127.0.0.1.evil.example");
        assert_eq!(public_base(None, Some("127.8.9.1")), "http://127.8.9.1");
        assert_eq!(public_base(Some(""), None), "http://localhost");
    }

    #[test]
    fn cookie_values_are_read_by_exact_name() {
        let h = [
            "lang=en; pingan_draft=0123456789abcdef0123456789abcdef",
            "xpingan_draft=ffffffffffffffffffffffffffffffff",
        ];
        assert_eq!(secret(h, DRAFT), "0123456789abcdef0123456789abcdef");
        assert_eq!(secret(["pingan_draft=short"], DRAFT), "");
        assert!(set(DRAFT, "v", "/receipt/t", 60, "Lax", true).ends_with("HttpOnly; SameSite=Lax; Secure"));
    }
}
