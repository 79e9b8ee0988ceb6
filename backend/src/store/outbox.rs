//! The notification outbox: rows written with the events they announce, claimed and delivered
//! by the worker, kept after delivery (delivered_at) as a record.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub audience: &'a str,
    pub recipient: &'a str,
    pub ticket: Option<&'a str>,
    pub payload: &'a str,
}

pub async fn insert(tx: &mut Tx<'_>, m: &NewMessage<'_>, now: i64) -> Result<()> {
    insert_many(tx, &[(m, now)]).await
}

/// Several messages (each with its time) in one statement.
pub async fn insert_many(tx: &mut Tx<'_>, messages: &[(&NewMessage<'_>, i64)]) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbox (created_at, kind, audience, recipient, ticket, payload, attempts, next_attempt_at) VALUES {}",
        super::many_rows("($1, $2, $3, $4, $5, $6, 0, $1)", 6, messages.len())
    );
    let mut q = sqlx::query(&sql);
    for (m, now) in messages {
        q = q.bind(*now).bind(m.kind).bind(m.audience).bind(m.recipient).bind(m.ticket).bind(m.payload);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The columns of a new message row ([`MessageJson`]'s fields; `attempts` starts at 0).
pub(crate) const MESSAGE_JSON_COLUMNS: [&str; 7] =
    ["created_at", "kind", "audience", "recipient", "ticket", "payload", "next_attempt_at"];

/// One message as [`insert_many`] writes it, as a JSON object for SQLite's group commit (see
/// `appeals::AppealJson`).
#[derive(serde::Serialize)]
pub(crate) struct MessageJson<'a> {
    created_at: i64,
    kind: &'a str,
    audience: &'a str,
    recipient: &'a str,
    ticket: Option<&'a str>,
    payload: &'a str,
    next_attempt_at: i64,
}

impl<'a> MessageJson<'a> {
    pub(crate) fn new(m: &NewMessage<'a>, now: i64) -> Self {
        Self {
            created_at: now,
            kind: m.kind,
            audience: m.audience,
            recipient: m.recipient,
            ticket: m.ticket,
            payload: m.payload,
            next_attempt_at: now,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub created_at: i64,
    pub kind: String,
    pub audience: String,
    pub recipient: String,
    pub ticket: Option<String>,
    pub payload: String,
    pub attempts: i64,
}

/// Claims up to `limit` due messages for `claimer` until `until`, the longest due first, and
/// returns them in id order. The conditions are repeated in the outer WHERE so that, on
/// PostgreSQL, a row another worker claimed meanwhile is re-checked after its lock is released
/// and skipped; on SQLite writers are serialised anyway.
///
/// The candidates are taken in the order of the `outbox_due` index (`delivered_at`,
/// `next_attempt_at`, then the row id), so a claim reads `limit` index entries however many
/// messages wait; ordered by id alone, it sorted the whole backlog each time, holding SQLite's
/// write lock meanwhile (14 ms with 38,000 waiting, 40 times a run).
pub async fn claim(pool: &AnyPool, claimer: &str, now: i64, until: i64, limit: i64) -> Result<Vec<Message>> {
    let due = "delivered_at IS NULL AND next_attempt_at <= $2 AND (claim_until IS NULL OR claim_until < $2)";
    let mut claimed: Vec<Message> = sqlx::query_as(&format!(
        "UPDATE outbox SET claimed_by = $1, claim_until = $3
         WHERE {due} AND id IN (SELECT id FROM outbox WHERE {due} ORDER BY next_attempt_at, id LIMIT {})
         RETURNING id, created_at, kind, audience, recipient, ticket, payload, attempts",
        limit.clamp(1, 500)
    ))
    .bind(claimer)
    .bind(now)
    .bind(until)
    .fetch_all(pool)
    .await?;
    claimed.sort_unstable_by_key(|m| m.id);
    Ok(claimed)
}

/// Extends this worker's claim on one message just before sending it; `false` if the claim was
/// lost (it ran out and another worker took the message), in which case it must not be sent.
pub async fn renew(pool: &AnyPool, id: i64, claimer: &str, until: i64) -> Result<bool> {
    let r =
        sqlx::query("UPDATE outbox SET claim_until = $1 WHERE id = $2 AND claimed_by = $3 AND delivered_at IS NULL")
            .bind(until)
            .bind(id)
            .bind(claimer)
            .execute(pool)
            .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks messages delivered (those of `ids` this worker still holds). A receipt's payload holds
/// the resident's access key in clear, and a receipt recovery's its one-time code (the SMS is how
/// they reach them); once sent, the secret is wiped from the row. One statement for the lot: on
/// SQLite every statement outside a transaction is a commit of its own (a sync, and the write lock
/// the appeals' group commit waits for), so a burst of appeals must not cost one per message.
pub async fn delivered(pool: &AnyPool, ids: &[i64], claimer: &str, now: i64) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = (0..ids.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, claim_until = NULL, last_error = NULL,
                   payload = CASE WHEN kind = 'receipt' THEN '{{\"kind\":\"receipt\",\"key\":\"(sent)\"}}'
                                  WHEN kind = 'recovery_code' THEN '{{\"kind\":\"recovery_code\",\"code\":\"(sent)\"}}'
                                  ELSE payload END
                 WHERE claimed_by = $2 AND id IN ({list})"
    );
    let mut q = sqlx::query(&sql).bind(now).bind(claimer);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(pool).await?;
    Ok(())
}

/// Gives up on the undelivered messages of `kind` created before `created_before`: marks them
/// delivered (at `now`, with a note in `last_error` saying they were not sent) and replaces their
/// payload by `wiped`. For one-time codes, which are useless once expired and must not sit in
/// the table in clear, retried forever. A message a worker holds a live claim on is left to it.
/// Returns how many were given up.
pub async fn expire_unsent(pool: &AnyPool, kind: &str, created_before: i64, wiped: &str, now: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE outbox SET delivered_at = $1, claim_until = NULL, payload = $2,
                   last_error = 'expired before delivery: not sent'
         WHERE kind = $3 AND delivered_at IS NULL AND created_at < $4 AND (claim_until IS NULL OR claim_until < $1)",
    )
    .bind(now)
    .bind(wiped)
    .bind(kind)
    .bind(created_before)
    .execute(pool)
    .await?
    .rows_affected())
}

pub async fn failed(pool: &AnyPool, id: i64, claimer: &str, next_attempt_at: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claim_until = NULL, last_error = $2 WHERE id = $3 AND claimed_by = $4")
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .bind(claimer)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub audience: String,
    pub recipient: String,
    pub ticket: Option<String>,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
}

/// Messages about one appeal (tests and the staff page's history).
pub async fn for_ticket(pool: &AnyPool, ticket: &str) -> Result<Vec<OutboxRow>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, audience, recipient, ticket, attempts, delivered_at, last_error FROM outbox WHERE ticket = $1 ORDER BY id",
    )
    .bind(ticket)
    .fetch_all(pool)
    .await?)
}

/// (undelivered, delivered) counts.
pub async fn counts(pool: &AnyPool) -> Result<(i64, i64)> {
    let (p,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetch_one(pool).await?;
    let (d,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL").fetch_one(pool).await?;
    Ok((p, d))
}
