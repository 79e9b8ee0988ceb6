//! Notifications through an outbox.
//!
//! A message is a row written in the same transaction as the event it announces, so it exists
//! exactly when the event does. A worker ([`deliver_due`]) claims due rows and hands them to the
//! configured [`Sink`]; a failure schedules a retry with exponential back-off and keeps the row,
//! so nothing is lost and the workflow never waits for a delivery.
//!
//! Residents who left a phone number are told when their appeal is answered, needs information
//! or is closed (or reopened after their rating); staff units are told of new assignments,
//! summonses, reports back, extension requests and decisions, warnings and supervision.

use crate::store::appeals::FullAppeal;
use crate::store::outbox::{self as store, Message, NewMessage};
use crate::store::Tx;
use crate::Result;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use sqlx::AnyPool;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Answered,
    InfoRequested,
    Closed,
    Reopened,
    NewAssignment,
    Summoned,
    ReportedBack,
    ExtensionRequested,
    ExtensionDecided,
    Warning,
    Supervision,
    Escalated,
    /// A notice by hand to the unit (issue 13), or to the appeal's leader in charge.
    NoticeIssued,
    NoticeAnswered,
    /// A staff member was named leader in charge of an appeal.
    OwnerNamed,
    /// A leader in charge was replaced, un-named, or their naming lapsed on a hand-over.
    OwnerRemoved,
    /// A summoned department's report back is near its deadline (预警) or past it (督办), and
    /// the summoning unit rated a report (issue 13).
    SummonsWarning,
    /// A summons from before report-back deadlines was given one (`services::summons`).
    SummonsDueSet,
    SummonsSupervision,
    ReportRated,
    /// The resident's appeal was merged into another on the same matter (issue 13).
    Merged,
}

impl Kind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::InfoRequested => "info_requested",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
            Self::NewAssignment => "new_assignment",
            Self::Summoned => "summoned",
            Self::ReportedBack => "reported_back",
            Self::ExtensionRequested => "extension_requested",
            Self::ExtensionDecided => "extension_decided",
            Self::Warning => "warning",
            Self::Supervision => "supervision",
            Self::Escalated => "escalated",
            Self::NoticeIssued => "notice_issued",
            Self::NoticeAnswered => "notice_answered",
            Self::OwnerNamed => "owner_named",
            Self::OwnerRemoved => "owner_removed",
            Self::SummonsWarning => "summons_warning",
            Self::SummonsDueSet => "summons_due_set",
            Self::SummonsSupervision => "summons_supervision",
            Self::ReportRated => "report_rated",
            Self::Merged => "merged",
        }
    }
}

/// Queues a message to the resident, if they left a phone number.
///
/// # Errors
/// Database errors.
pub async fn resident(tx: &mut Tx<'_>, a: &FullAppeal, kind: Kind, now: i64) -> Result<()> {
    let Some(phone) = a.contact_phone.as_deref() else { return Ok(()) };
    let payload = json!({ "kind": kind.as_str(), "ticket": a.ticket }).to_string();
    store::insert(
        tx,
        &NewMessage {
            kind: kind.as_str(),
            audience: "resident",
            recipient: phone,
            ticket: Some(&a.ticket),
            payload: &payload,
        },
        now,
    )
    .await
}

/// Queues a message to a unit (its staff).
///
/// # Errors
/// Database errors.
pub async fn unit(tx: &mut Tx<'_>, unit: &str, ticket: &str, kind: Kind, now: i64) -> Result<()> {
    let payload = unit_payload(unit, ticket, kind);
    store::insert(
        tx,
        &NewMessage { kind: kind.as_str(), audience: "unit", recipient: unit, ticket: Some(ticket), payload: &payload },
        now,
    )
    .await
}

/// Queues a message to one staff member (a leader in charge, who follows an appeal wherever it
/// goes, not a unit). The recipient is the member's id.
///
/// # Errors
/// Database errors.
pub async fn staff_member(tx: &mut Tx<'_>, staff_id: &str, ticket: &str, kind: Kind, now: i64) -> Result<()> {
    staff_member_about(tx, staff_id, ticket, kind, None, now).await
}

/// [`staff_member`], naming in the payload the unit the message is about when it is not the
/// appeal's own (a summoned department: several may be overdue on one appeal).
async fn staff_member_about(
    tx: &mut Tx<'_>,
    staff_id: &str,
    ticket: &str,
    kind: Kind,
    about: Option<&str>,
    now: i64,
) -> Result<()> {
    let mut payload = json!({ "kind": kind.as_str(), "ticket": ticket, "staff": staff_id });
    if let Some(unit) = about {
        payload["unit"] = json!(unit);
    }
    let payload = payload.to_string();
    store::insert(
        tx,
        &NewMessage {
            kind: kind.as_str(),
            audience: "staff",
            recipient: staff_id,
            ticket: Some(ticket),
            payload: &payload,
        },
        now,
    )
    .await
}

/// Queues a message to the appeal's leader in charge, if it has one: the leader follows the
/// appeal's notices (issue 13), automatic ones too: warnings, supervision, escalation, an overdue
/// summons. A deactivated leader is no leader ([`crate::store::notices::owner`]).
///
/// # Errors
/// Database errors.
pub async fn owner(tx: &mut Tx<'_>, ticket: &str, kind: Kind, now: i64) -> Result<()> {
    owner_about(tx, ticket, kind, None, now).await
}

/// [`owner`] for a message about a summoned department `unit`, named in the payload so that the
/// leader tells one overdue department from another.
///
/// # Errors
/// Database errors.
pub async fn owner_about(tx: &mut Tx<'_>, ticket: &str, kind: Kind, unit: Option<&str>, now: i64) -> Result<()> {
    if let Some((staff_id, _)) = crate::store::notices::owner(&mut **tx, ticket).await? {
        staff_member_about(tx, &staff_id, ticket, kind, unit, now).await?;
    }
    Ok(())
}

/// The outbox payload of a message to a unit (see [`unit`]).
#[must_use]
pub fn unit_payload(unit: &str, ticket: &str, kind: Kind) -> String {
    json!({ "kind": kind.as_str(), "ticket": ticket, "unit": unit }).to_string()
}

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// The server log (phone numbers masked). The default.
    Log,
    /// One JSON object per line appended to a file (phone numbers masked).
    File(PathBuf),
    /// POST of the JSON body to an `http://` URL (a gateway inside the deployment, e.g. the
    /// SMS relay), with the send time in `X-Pingan-Timestamp: <unix seconds>` and HMAC-SHA256
    /// of `<timestamp>.<body>` under a shared secret in `X-Pingan-Signature: sha256=<hex>` (the
    /// timestamp is signed so that a recorded request cannot be replayed later). Carries the
    /// real phone number: the gateway sends the text message. The payload (receipt keys,
    /// recovery codes) only goes to a loopback or private address, see [`carries_payload`].
    Webhook { url: String, secret: String },
}

impl Sink {
    /// `log`, `file:/path`, or `webhook:http://host/path` (the secret comes separately).
    #[must_use]
    pub fn parse(spec: &str, secret: Option<String>) -> Option<Self> {
        match spec.trim() {
            "" | "log" => Some(Self::Log),
            s if s.starts_with("file:") => Some(Self::File(PathBuf::from(&s[5..]))),
            s if s.starts_with("webhook:http://") => {
                Some(Self::Webhook { url: s[8..].to_owned(), secret: secret.unwrap_or_default() })
            }
            _ => None,
        }
    }
}

impl Sink {
    /// Logs, once at start, what this sink will not do: a webhook on a public host (or a host
    /// name other than `localhost`) gets messages without their payload.
    pub fn warn_at_start(&self) {
        if let Self::Webhook { url, .. } = self {
            if !carries_payload(url) {
                tracing::warn!(
                    target: "pingan::notify",
                    url = %url,
                    "the webhook host is not a loopback or private address: it gets plain HTTP, so messages go without their payload (no receipt keys, no recovery codes); point PINGAN_NOTIFY at a gateway inside the deployment"
                );
            }
        }
    }
}

/// Whether the webhook at `url` may receive payloads (receipt keys, recovery codes): they travel
/// over plain HTTP, so only to an address that cannot be on the open internet — loopback
/// (127/8, `::1`, `localhost`) or private (10/8, 172.16/12, 192.168/16, fc00::/7). A host name
/// is not resolved (what it resolves to can change): it does not qualify.
#[must_use]
pub fn carries_payload(url: &str) -> bool {
    use std::net::IpAddr;
    let Ok(uri) = url.parse::<http::Uri>() else { return false };
    let Some(host) = uri.host() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let v4 = |ip: std::net::Ipv4Addr| ip.is_loopback() || ip.is_private();
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => v4(ip),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.segments()[0] & 0xfe00 == 0xfc00 || ip.to_ipv4_mapped().is_some_and(v4)
        }
        Err(_) => false,
    }
}

fn masked_recipient(m: &Message) -> String {
    if m.audience == "resident" {
        domain::fields::mask_phone(&m.recipient)
    } else {
        m.recipient.clone()
    }
}

/// The JSON a sink receives. The unmasked body (the webhook's: the SMS gateway) also carries the
/// payload when `payload` is set (a gateway at a private address, see [`carries_payload`]),
/// which for a receipt or a receipt recovery holds what the SMS must say (the key, the one-time
/// code and its text); the masked records (log, file) never do.
fn body(m: &Message, mask: bool, payload: bool) -> String {
    let mut b = json!({
        "id": m.id,
        "kind": m.kind,
        "audience": m.audience,
        "recipient": if mask { masked_recipient(m) } else { m.recipient.clone() },
        "ticket": m.ticket,
        "created_at": m.created_at,
    });
    if !mask && payload {
        b["payload"] =
            serde_json::from_str(&m.payload).unwrap_or_else(|_| serde_json::Value::String(m.payload.clone()));
    }
    b.to_string()
}

/// The webhook's signature: hex HMAC-SHA256 of `<timestamp>.<body>` under `secret` (the
/// receiver recomputes it and refuses a timestamp too far from its clock).
#[must_use]
pub fn webhook_signature(secret: &str, timestamp: i64, body: &str) -> String {
    signature(secret, &format!("{timestamp}.{body}"))
}

/// Hex HMAC-SHA256 of `body` under `secret`.
#[must_use]
pub fn signature(secret: &str, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn send(sink: &Sink, m: &Message, now: i64) -> std::result::Result<(), String> {
    match sink {
        Sink::Log => {
            tracing::info!(target: "pingan::notify", id = m.id, kind = %m.kind, audience = %m.audience, recipient = %masked_recipient(m), ticket = ?m.ticket, "notification");
            Ok(())
        }
        Sink::File(path) => {
            let line = body(m, true, false);
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| format!("open {}: {e}", path.display()))?;
                writeln!(f, "{line}").map_err(|e| e.to_string())?;
                f.sync_data().map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())?
        }
        Sink::Webhook { url, secret } => {
            let b = body(m, false, carries_payload(url));
            post(url, &b, now, &webhook_signature(secret, now, &b)).await
        }
    }
}

/// One HTTP/1.1 POST on a fresh connection, 10 s at most.
async fn post(url: &str, body: &str, timestamp: i64, sig: &str) -> std::result::Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("bad webhook URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err("only http:// webhooks are supported".into());
    }
    let host = uri.host().ok_or("webhook URL has no host")?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let path = uri.path_and_query().map_or("/", http::uri::PathAndQuery::as_str).to_owned();
    let fut = async move {
        let stream =
            tokio::net::TcpStream::connect((host.as_str(), port)).await.map_err(|e| format!("connect: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let req = http::Request::post(path)
            .header(http::header::HOST, format!("{host}:{port}"))
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("x-pingan-timestamp", timestamp.to_string())
            .header("x-pingan-signature", format!("sha256={sig}"))
            .body(http_body_util::Full::new(bytes::Bytes::from(body.to_owned())))
            .map_err(|e| e.to_string())?;
        let res = sender.send_request(req).await.map_err(|e| format!("send: {e}"))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("webhook answered {}", res.status()))
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), fut).await.map_err(|_| "webhook timed out".to_owned())?
}

/// Seconds to wait before attempt `attempts + 1`: 30 s doubling, at most an hour.
#[must_use]
pub fn backoff(attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 7)).unwrap_or(7);
    (30_i64 * 2_i64.pow(exp)).min(3600)
}

/// What one run of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

/// Claims and delivers the due messages once.
///
/// # Errors
/// Database errors (delivery errors are recorded on the message instead).
pub async fn deliver_due(pool: &AnyPool, sink: &Sink, worker: &str, now: i64) -> Result<Delivered> {
    let mut out = Delivered::default();
    // A recovery code that could not be sent within its lifetime is useless: give it up instead
    // of retrying it (with the code in clear in the row) forever.
    store::expire_unsent(
        pool,
        "recovery_code",
        now - crate::services::recovery::CODE_MINUTES * 60,
        r#"{"kind":"recovery_code","code":"(expired)"}"#,
        now,
    )
    .await?;
    // Batches of CLAIM, again while a batch came back full, up to ROUNDS per run: a burst of
    // appeals (thousands a second) must not leave the unit messages a batch per tick behind.
    let started = std::time::Instant::now();
    for _ in 0..ROUNDS {
        // Each batch is claimed, renewed and sent at the time it really starts: a run can last
        // minutes with a slow gateway, and a claim dated at the run's start would already be
        // over for the other nodes.
        let claimed = deliver_batch(pool, sink, worker, now + secs(started.elapsed()), &mut out).await?;
        if claimed < CLAIM {
            break;
        }
        // A breath between batches: on SQLite the appeals' group commit waits for the write
        // lock each batch's claim and marks take, and a writer refused the lock backs off
        // longer each time it is refused again (1, 2, 5, 10 ms…); back to back, 80 such writes
        // in a run put ~100 ms into the residents' slowest answers (p99 94–116 ms against
        // 15–17 ms without the outbox, `wrk` POST at 16 connections).
        tokio::time::sleep(ROUND_PAUSE).await;
    }
    Ok(out)
}

/// Messages claimed at once by a worker.
const CLAIM: usize = 50;
/// Most batches in one run of [`deliver_due`] (2,000 messages); the next run goes on.
const ROUNDS: usize = 40;
/// The pause between two full batches of one run (under a second for a whole run).
const ROUND_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);
/// How long a claim holds (seconds from the run's `now`). Another worker takes a message only
/// once its claim has run out.
const CLAIM_SECS: i64 = 120;
/// Until this long after its claim (real time), a batch sends without renewing: the claim has at
/// least `CLAIM_SECS - RENEW_AFTER` seconds left, more than one send (10 s at most) and a mark
/// may take. A slower batch (a slow webhook) renews each message's claim just before sending it.
const RENEW_AFTER: std::time::Duration = std::time::Duration::from_secs(30);
/// Sent messages are marked delivered together: at the end of the batch (also when it stopped
/// on an error), before claims are renewed, or once the oldest unmarked send is this old. A
/// crash in between sends those again (at least once, as before).
const MARK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Whole seconds of `d`, as the clock's timestamps count them.
fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4)
}

/// Claims one batch at `now` and delivers it; returns how many were claimed.
///
/// Few writes per batch (the claim, the marks, a failure's retry time): on SQLite each is a
/// commit that takes the write lock from the appeals' group commit, and a burst of appeals makes
/// a burst of messages (one per appeal). What was sent is marked even when the batch stops on an
/// error (else it would be sent again once the claim runs out).
async fn deliver_batch(pool: &AnyPool, sink: &Sink, worker: &str, now: i64, out: &mut Delivered) -> Result<usize> {
    #[expect(clippy::cast_possible_wrap, reason = "CLAIM is 50")]
    let msgs = store::claim(pool, worker, now, now + CLAIM_SECS, CLAIM as i64).await?;
    let claimed = msgs.len();
    let mut sent: Vec<i64> = Vec::with_capacity(claimed);
    let outcome = send_claimed(pool, sink, worker, now, msgs, &mut sent, out).await;
    let marked = store::delivered(pool, &sent, worker, now).await;
    outcome?;
    marked?;
    Ok(claimed)
}

/// Sends `msgs` (claimed at `now`), collecting in `sent` those the sink took and not yet
/// marked. Marks them once the oldest is [`MARK_EVERY`] old, and before renewing claims (a batch
/// still sending [`RENEW_AFTER`] after its claim renews each message's just before sending it,
/// and skips a message whose claim another worker took meanwhile).
async fn send_claimed(
    pool: &AnyPool,
    sink: &Sink,
    worker: &str,
    now: i64,
    msgs: Vec<Message>,
    sent: &mut Vec<i64>,
    out: &mut Delivered,
) -> Result<()> {
    let claimed_at = std::time::Instant::now();
    let mut oldest_unmarked: Option<std::time::Instant> = None;
    for m in msgs {
        let elapsed = claimed_at.elapsed();
        let renewing = elapsed >= RENEW_AFTER;
        if !sent.is_empty() && (renewing || oldest_unmarked.is_some_and(|t| t.elapsed() >= MARK_EVERY)) {
            store::delivered(pool, sent, worker, now).await?;
            sent.clear();
            oldest_unmarked = None;
        }
        let at = now + secs(elapsed);
        if renewing && !store::renew(pool, m.id, worker, at + 60).await? {
            continue;
        }
        match send(sink, &m, at).await {
            Ok(()) => {
                sent.push(m.id);
                out.sent += 1;
                oldest_unmarked.get_or_insert_with(std::time::Instant::now);
            }
            Err(e) => {
                tracing::warn!(id = m.id, kind = %m.kind, attempts = m.attempts + 1, error = %e, "notification not delivered; will retry");
                store::failed(pool, m.id, worker, at + backoff(m.attempts), &e).await?;
                out.failed += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_gateway_gets_the_payload_and_the_full_number() {
        let m = Message {
            id: 1,
            created_at: 0,
            kind: "recovery_code".into(),
            audience: "resident".into(),
            recipient: "13812341234".into(),
            ticket: None,
            payload: r#"{"kind":"recovery_code","code":"042917"}"#.into(),
            attempts: 0,
        };
        let gateway: serde_json::Value = serde_json::from_str(&body(&m, false, true)).unwrap();
        assert_eq!(gateway["payload"]["code"], "042917");
        assert_eq!(gateway["recipient"], "13812341234");
        // A gateway on a public address: the number (it must send the SMS), not the payload.
        let public = body(&m, false, false);
        assert!(
            public.contains("13812341234") && !public.contains("042917") && !public.contains("payload"),
            "{public}"
        );
        let record = body(&m, true, false);
        assert!(!record.contains("042917") && !record.contains("13812341234"), "{record}");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0), 30);
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(3), 240);
        assert_eq!(backoff(7), 3600);
        assert_eq!(backoff(50), 3600);
    }

    #[test]
    fn sinks_parse() {
        assert_eq!(Sink::parse("", None), Some(Sink::Log));
        assert_eq!(Sink::parse("file:/tmp/x", None), Some(Sink::File("/tmp/x".into())));
        assert_eq!(
            Sink::parse("webhook:http://127.0.0.1:9/h", Some("s".into())),
            Some(Sink::Webhook { url: "http://127.0.0.1:9/h".into(), secret: "s".into() })
        );
        assert_eq!(Sink::parse("webhook:https://x", None), None);
        assert_eq!(Sink::parse("smtp:x", None), None);
    }

    #[test]
    fn signature_is_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_phone_is_masked_outside_the_webhook() {
        let m = Message {
            id: 1,
            created_at: 0,
            kind: "closed".into(),
            audience: "resident".into(),
            recipient: "13800138000".into(),
            ticket: Some("PA1".into()),
            payload: "{}".into(),
            attempts: 0,
        };
        assert!(body(&m, true, true).contains("138****8000"));
        assert!(!body(&m, true, true).contains("13800138000"), "masked records never get the payload either");
        assert!(body(&m, false, true).contains("13800138000"));
    }

    #[test]
    fn payloads_go_only_to_loopback_and_private_addresses() {
        for ok in [
            "http://127.0.0.1:9/h",
            "http://127.8.9.10/h",
            "http://localhost:8080/sms",
            "http://10.1.2.3/h",
            "http://172.16.0.1/h",
            "http://172.31.255.254/h",
            "http://192.168.1.20:81/h",
            "http://[::1]:9/h",
            "http://[fc00::1]/h",
            "http://[fd12:3456::7]/h",
            "http://[::ffff:10.0.0.1]/h",
        ] {
            assert!(carries_payload(ok), "{ok}");
        }
        for no in [
            "http://8.8.8.8/h",
            "http://172.15.255.255/h",
            "http://172.32.0.1/h",
            "http://192.169.0.1/h",
            "http://11.0.0.1/h",
            "http://sms-gateway.internal/h",
            "http://localhost.example.com/h",
            "http://[2001:db8::1]/h",
            "http://[fe80::1]/h",
            "http://[::ffff:8.8.8.8]/h",
            "not a url",
        ] {
            assert!(!carries_payload(no), "{no}");
        }
    }

    #[test]
    fn the_webhook_signs_the_timestamp_with_the_body() {
        let body = r#"{"id":1}"#;
        let sig = webhook_signature("s", 1_700_000_000, body);
        assert_eq!(sig, signature("s", r#"1700000000.{"id":1}"#));
        // The same body at another time has another signature: a recorded request replayed
        // later with a fresh timestamp does not verify.
        assert_ne!(sig, webhook_signature("s", 1_700_000_001, body));
        assert_ne!(sig, signature("s", body));
    }
}
