//! Appeals, their photos and timeline events.

use super::Tx;
use crate::photos::Size;
use crate::{BackendError, Result};
use domain::events::{EventDetail, EventKind};
use domain::workflow::Status;
use sqlx::AnyPool;

pub struct NewAppeal<'a> {
    pub ticket: &'a str,
    pub submit_token: &'a str,
    pub key_hash: &'a str,
    pub category: &'a str,
    pub description: &'a str,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub region: Option<&'a str>,
    pub cell: Option<&'a str>,
    pub address_note: Option<&'a str>,
    pub contact: Option<(&'a str, &'a str)>,
    pub status: Status,
    pub unit: &'a str,
    pub route_reason: &'a str,
    pub submitted_at: i64,
    pub deadline_at: i64,
    pub sign_by_at: i64,
    pub urgent: bool,
    pub scope_path: &'a str,
    /// `web` or `open311:<api key id>`.
    pub channel: &'a str,
    /// An Open311 client's media link (http or https, never fetched).
    pub media_url: Option<&'a str>,
    /// The resident asked to publish the description: enters the moderation queue as pending.
    pub publish_requested: bool,
    /// Answers to the category's extra questions (JSON list of `StoredAnswer`), `None` for none.
    pub answers: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx<'_>, a: &NewAppeal<'_>) -> Result<()> {
    insert_many(tx, std::slice::from_ref(a)).await
}

const APPEAL_COLUMNS: &str = "INSERT INTO appeals (ticket, submit_token, key_hash, category, description, lat, lng,
           region, cell, address_note, anonymous, contact_name, contact_phone, status, unit,
           route_reason, submitted_at, deadline_at, sign_by_at, clock_start_at, sign_start_at,
           updated_at, urgent, scope_path, cycle, channel, media_url, publish_requested, publish_state, answers)
         VALUES ";
const APPEAL_ROW: &str = "($1, $2, $3, $4, $5, CASE WHEN $26 = 1 THEN $6 END, CASE WHEN $26 = 1 THEN $7 END,
           $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
           $19, $17, $17, $17, $20, $21, 1, $22, $23, $24, $25, $27)";
const APPEAL_PARAMS: usize = 27;

/// Several appeals in one statement (the group commit's batch).
pub async fn insert_many(tx: &mut Tx<'_>, appeals: &[NewAppeal<'_>]) -> Result<()> {
    if appeals.is_empty() {
        return Ok(());
    }
    let sql = format!("{APPEAL_COLUMNS}{}", super::many_rows(APPEAL_ROW, APPEAL_PARAMS, appeals.len()));
    let mut q = sqlx::query(&sql);
    for a in appeals {
        q = bind_appeal(q, a);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The columns an appeal row is stored with, by name: [`AppealJson`]'s fields (a test checks
/// the two agree).
pub(crate) const APPEAL_JSON_COLUMNS: [&str; 30] = [
    "ticket",
    "submit_token",
    "key_hash",
    "category",
    "description",
    "lat",
    "lng",
    "region",
    "cell",
    "address_note",
    "anonymous",
    "contact_name",
    "contact_phone",
    "status",
    "unit",
    "route_reason",
    "submitted_at",
    "deadline_at",
    "sign_by_at",
    "clock_start_at",
    "sign_start_at",
    "updated_at",
    "urgent",
    "scope_path",
    "cycle",
    "channel",
    "media_url",
    "publish_requested",
    "publish_state",
    "answers",
];

/// One appeal's row with the values [`insert_many`] derives (no point unless both coordinates,
/// anonymous when there is no contact, the clocks starting at submission, moderation pending
/// when publication was asked for), as a JSON object for SQLite's group commit
/// ([`super::insert_from_json`] with [`APPEAL_JSON_COLUMNS`]).
#[derive(serde::Serialize)]
pub(crate) struct AppealJson<'a> {
    ticket: &'a str,
    submit_token: &'a str,
    key_hash: &'a str,
    category: &'a str,
    description: &'a str,
    lat: Option<f64>,
    lng: Option<f64>,
    region: Option<&'a str>,
    cell: Option<&'a str>,
    address_note: Option<&'a str>,
    anonymous: i32,
    contact_name: Option<&'a str>,
    contact_phone: Option<&'a str>,
    status: &'a str,
    unit: &'a str,
    route_reason: &'a str,
    submitted_at: i64,
    deadline_at: i64,
    sign_by_at: i64,
    clock_start_at: i64,
    sign_start_at: i64,
    updated_at: i64,
    urgent: i32,
    scope_path: &'a str,
    cycle: i32,
    channel: &'a str,
    media_url: Option<&'a str>,
    publish_requested: i32,
    publish_state: Option<&'a str>,
    answers: Option<&'a str>,
}

impl<'a> AppealJson<'a> {
    pub(crate) fn new(a: &NewAppeal<'a>) -> Self {
        let point = a.lat.zip(a.lng);
        Self {
            ticket: a.ticket,
            submit_token: a.submit_token,
            key_hash: a.key_hash,
            category: a.category,
            description: a.description,
            lat: point.map(|p| p.0),
            lng: point.map(|p| p.1),
            region: a.region,
            cell: a.cell,
            address_note: a.address_note,
            anonymous: i32::from(a.contact.is_none()),
            contact_name: a.contact.map(|c| c.0),
            contact_phone: a.contact.map(|c| c.1),
            status: a.status.as_str(),
            unit: a.unit,
            route_reason: a.route_reason,
            submitted_at: a.submitted_at,
            deadline_at: a.deadline_at,
            sign_by_at: a.sign_by_at,
            clock_start_at: a.submitted_at,
            sign_start_at: a.submitted_at,
            updated_at: a.submitted_at,
            urgent: i32::from(a.urgent),
            scope_path: a.scope_path,
            cycle: 1,
            channel: a.channel,
            media_url: a.media_url,
            publish_requested: i32::from(a.publish_requested),
            publish_state: a.publish_requested.then_some("pending"),
            answers: a.answers,
        }
    }
}

/// `appeal_events.born` of an event of the appeal whose ticket is the SQL expression `ticket`:
/// the appeal's `submitted_at` (migration 0024: events are indexed by it first, so a new appeal's
/// events go at the end of the index instead of on a random page, as its random ticket would put
/// them). Every insert fills `born` with this, so it cannot differ from the appeal's.
fn born_of(ticket: &str) -> String {
    format!("(SELECT b.submitted_at FROM appeals b WHERE b.ticket = {ticket})")
}

/// The `WHERE` condition that picks the events of the appeal whose ticket is parameter `$param`
/// through the `appeal_events_born` index.
pub(crate) fn events_of(param: usize) -> String {
    format!("born = {} AND ticket = ${param}", born_of(&format!("${param}")))
}

/// The statement that writes the [`EventJson`] rows of the JSON array in parameter `$param` (the
/// appeals they belong to written before, or in the same script).
pub(crate) fn insert_events_from_json(param: usize) -> String {
    super::insert_from_json_with("appeal_events", &EVENT_JSON_COLUMNS, param, &[("born", &born_of("v ->> 'ticket'"))])
}

/// The columns of a [`NewEvent`] row ([`EventJson`]'s fields).
pub(crate) const EVENT_JSON_COLUMNS: [&str; 7] = ["ticket", "at", "kind", "actor", "unit", "public", "body"];

/// One [`NewEvent`] row as [`insert_events`] writes it, as a JSON object (see [`AppealJson`]).
#[derive(serde::Serialize)]
pub(crate) struct EventJson<'a> {
    ticket: &'a str,
    at: i64,
    kind: &'a str,
    actor: &'a str,
    unit: Option<&'a str>,
    public: i32,
    body: Option<&'a str>,
}

impl<'a> EventJson<'a> {
    pub(crate) fn new(e: &NewEvent<'a>) -> Self {
        Self {
            ticket: e.ticket,
            at: e.at,
            kind: e.kind.as_str(),
            actor: e.actor,
            unit: e.unit,
            public: i32::from(e.kind.is_public()),
            body: e.body,
        }
    }
}

fn bind_appeal<'q>(q: super::AnyQuery<'q>, a: &NewAppeal<'q>) -> super::AnyQuery<'q> {
    q.bind(a.ticket)
        .bind(a.submit_token)
        .bind(a.key_hash)
        .bind(a.category)
        .bind(a.description)
        // Never a NULL for the point: sqlx's Any driver binds a NULL double as PostgreSQL float4,
        // and a connection that prepared this statement with one then refuses a real f64
        // ("incorrect binary data format in bind parameter 6"). The flag says whether there is a
        // point.
        .bind(a.lat.unwrap_or(0.0))
        .bind(a.lng.unwrap_or(0.0))
        .bind(a.region)
        .bind(a.cell)
        .bind(a.address_note)
        .bind(i32::from(a.contact.is_none()))
        .bind(a.contact.map(|c| c.0))
        .bind(a.contact.map(|c| c.1))
        .bind(a.status.as_str())
        .bind(a.unit)
        .bind(a.route_reason)
        .bind(a.submitted_at)
        .bind(a.deadline_at)
        .bind(a.sign_by_at)
        .bind(i32::from(a.urgent))
        .bind(a.scope_path)
        .bind(a.channel)
        .bind(a.media_url)
        .bind(i32::from(a.publish_requested))
        .bind(a.publish_requested.then_some("pending"))
        .bind(i32::from(a.lat.is_some() && a.lng.is_some()))
        .bind(a.answers)
}

/// An event without a named actor (the resident, the router). Whether the resident sees it
/// follows from its kind ([`EventKind::is_public`]).
pub struct NewEvent<'a> {
    pub ticket: &'a str,
    pub at: i64,
    pub kind: EventKind,
    pub actor: &'a str,
    pub unit: Option<&'a str>,
    pub body: Option<&'a str>,
}

pub async fn insert_event(tx: &mut Tx<'_>, e: &NewEvent<'_>) -> Result<()> {
    insert_events(tx, std::slice::from_ref(e)).await
}

/// Several events in one statement.
pub async fn insert_events(tx: &mut Tx<'_>, events: &[NewEvent<'_>]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO appeal_events (ticket, at, kind, actor, unit, public, body, born) VALUES {}",
        super::many_rows(&format!("($1, $2, $3, $4, $5, $6, $7, {})", born_of("$1")), 7, events.len())
    );
    let mut q = sqlx::query(&sql);
    for e in events {
        q = q
            .bind(e.ticket)
            .bind(e.at)
            .bind(e.kind.as_str())
            .bind(e.actor)
            .bind(e.unit)
            .bind(i32::from(e.kind.is_public()))
            .bind(e.body);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Moves a draft's photos to the appeal, in upload order.
pub async fn take_draft_photos(tx: &mut Tx<'_>, token: &str, ticket: &str) -> Result<u64> {
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM draft_photos WHERE token = $1 ORDER BY created_at, id")
        .bind(token)
        .fetch_all(&mut **tx)
        .await?;
    for (pos, (id,)) in ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO appeal_photos (id, ticket, position, content_type, bytes, thumb)
             SELECT id, $1, $2, content_type, bytes, thumb FROM draft_photos WHERE id = $3",
        )
        .bind(ticket)
        .bind(i32::try_from(pos).unwrap_or(i32::MAX))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    let res = sqlx::query("DELETE FROM draft_photos WHERE token = $1").bind(token).execute(&mut **tx).await?;
    Ok(res.rows_affected())
}

pub struct AppealRow {
    pub ticket: String,
    pub key_hash: String,
    pub category: String,
    pub status: Status,
    pub unit: String,
    pub submitted_at: i64,
    pub deadline_at: i64,
}

pub async fn by_ticket(pool: &AnyPool, ticket: &str) -> Result<Option<AppealRow>> {
    let row: Option<(String, String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT ticket, key_hash, category, status, unit, submitted_at, deadline_at
         FROM appeals WHERE ticket = $1",
    )
    .bind(ticket)
    .fetch_optional(pool)
    .await?;
    row.map(|(ticket, key_hash, category, status, unit, submitted_at, deadline_at)| {
        Ok(AppealRow {
            ticket,
            key_hash,
            category,
            status: Status::try_from(status).map_err(BackendError::Internal)?,
            unit,
            submitted_at,
            deadline_at,
        })
    })
    .transpose()
}

pub struct EventRow {
    pub at: i64,
    pub kind: EventKind,
    pub unit: Option<String>,
    pub body: Option<String>,
    pub detail: Option<EventDetail>,
}

type EventRaw = (i64, String, Option<String>, Option<String>, Option<String>);

pub async fn public_events(pool: &AnyPool, ticket: &str) -> Result<Vec<EventRow>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT at, kind, unit, body, detail FROM appeal_events WHERE {} AND public = 1 ORDER BY id",
            events_of(1)
        )
    });
    let rows: Vec<EventRaw> = sqlx::query_as(SQL.as_str()).bind(ticket).fetch_all(pool).await?;
    rows.into_iter()
        .map(|(at, kind, unit, body, detail)| {
            let kind = EventKind::try_from(kind).map_err(BackendError::Internal)?;
            Ok(EventRow { at, kind, unit, body, detail: EventDetail::parse(detail.as_deref()) })
        })
        .collect()
}

pub async fn count_by_token(pool: &AnyPool, token: &str) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM appeals WHERE submit_token = $1").bind(token).fetch_one(pool).await?;
    Ok(n)
}

pub async fn photo_count(pool: &AnyPool, ticket: &str) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM appeal_photos WHERE ticket = $1").bind(ticket).fetch_one(pool).await?;
    Ok(n)
}

// ---------------------------------------------------------------- staff workflow

/// Everything about an appeal, for staff (and the supervision jobs).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FullAppeal {
    pub ticket: String,
    pub category: String,
    pub description: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub region: Option<String>,
    pub cell: Option<String>,
    pub address_note: Option<String>,
    pub anonymous: i64,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub unit: String,
    pub route_reason: String,
    pub submitted_at: i64,
    pub deadline_at: i64,
    pub urgent: i64,
    pub scope_path: String,
    pub version: i64,
    pub updated_at: i64,
    pub signed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub resolution: Option<String>,
    pub cycle: i64,
    pub clock_start_at: i64,
    pub sign_by_at: i64,
    pub sign_start_at: i64,
    pub supervised: i64,
    /// The main appeal this one follows (issue 13), if merged.
    pub merged_into: Option<String>,
}

const FULL_COLS: &str = "ticket, category, description, lat, lng, region, cell, address_note, anonymous,
    contact_name, contact_phone, status, unit, route_reason, submitted_at, deadline_at, urgent,
    scope_path, version, updated_at, signed_at, closed_at, resolution, cycle, clock_start_at,
    sign_by_at, sign_start_at, supervised, merged_into";

/// Takes the appeal's write lock for this transaction (bumps its version); `false` if no such
/// appeal. Every action starts with it, so two actions on one appeal run one after the other on
/// both engines, and SQLite takes its write lock before anything is read.
pub async fn lock(tx: &mut Tx<'_>, ticket: &str) -> Result<bool> {
    let r = sqlx::query("UPDATE appeals SET version = version + 1 WHERE ticket = $1")
        .bind(ticket)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn full<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(ex: E, ticket: &str) -> Result<Option<FullAppeal>> {
    Ok(sqlx::query_as(&format!("SELECT {FULL_COLS} FROM appeals WHERE ticket = $1"))
        .bind(ticket)
        .fetch_optional(ex)
        .await?)
}

/// The changes an action makes to the appeal row; `None` leaves a column as it is.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub status: Option<Status>,
    pub unit: Option<(&'a str, &'a str)>,
    pub signed_at: Option<Option<i64>>,
    pub closed_at: Option<Option<i64>>,
    pub resolution: Option<Option<&'a str>>,
    pub deadline_at: Option<i64>,
    /// A new deadline cycle: (cycle, clock start, sign-by).
    pub cycle: Option<(i64, i64, i64)>,
    /// A new sign-for deadline alone (a hand-over to another unit): (start, sign-by).
    pub sign_by: Option<(i64, i64)>,
    pub supervised: Option<bool>,
}

pub async fn apply(tx: &mut Tx<'_>, ticket: &str, c: &Change<'_>, now: i64) -> Result<()> {
    let mut sets = vec!["updated_at = $1".to_owned()];
    let mut n = 1;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    // Build the SET list and bind in the same order.
    let mut binds: Vec<Bind<'_>> = vec![Bind::I64(Some(now))];
    if let Some(s) = c.status {
        sets.push(format!("status = {}", next()));
        binds.push(Bind::Str(Some(s.as_str())));
    }
    if let Some((unit, path)) = c.unit {
        sets.push(format!("unit = {}", next()));
        binds.push(Bind::Str(Some(unit)));
        sets.push(format!("scope_path = {}", next()));
        binds.push(Bind::Str(Some(path)));
    }
    if let Some(v) = c.signed_at {
        sets.push(format!("signed_at = {}", next()));
        binds.push(Bind::I64(v));
    }
    if let Some(v) = c.closed_at {
        sets.push(format!("closed_at = {}", next()));
        binds.push(Bind::I64(v));
    }
    if let Some(v) = c.resolution {
        sets.push(format!("resolution = {}", next()));
        binds.push(Bind::Str(v));
    }
    if let Some(v) = c.deadline_at {
        sets.push(format!("deadline_at = {}", next()));
        binds.push(Bind::I64(Some(v)));
    }
    if let Some((cycle, start, sign_by)) = c.cycle {
        sets.push(format!("cycle = {}", next()));
        binds.push(Bind::I32(i32::try_from(cycle).unwrap_or(i32::MAX)));
        sets.push(format!("clock_start_at = {}", next()));
        binds.push(Bind::I64(Some(start)));
        sets.push(format!("sign_by_at = {}", next()));
        binds.push(Bind::I64(Some(sign_by)));
        sets.push(format!("sign_start_at = {}", next()));
        binds.push(Bind::I64(Some(start)));
    }
    if let Some((start, sign_by)) = c.sign_by {
        sets.push(format!("sign_by_at = {}", next()));
        binds.push(Bind::I64(Some(sign_by)));
        sets.push(format!("sign_start_at = {}", next()));
        binds.push(Bind::I64(Some(start)));
    }
    if let Some(v) = c.supervised {
        sets.push(format!("supervised = {}", next()));
        binds.push(Bind::I32(i32::from(v)));
    }
    let sql = format!("UPDATE appeals SET {} WHERE ticket = {}", sets.join(", "), next());
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = match b {
            Bind::I64(v) => q.bind(v),
            Bind::I32(v) => q.bind(v),
            Bind::Str(v) => q.bind(v),
        };
    }
    q.bind(ticket).execute(&mut **tx).await?;
    Ok(())
}

enum Bind<'a> {
    I64(Option<i64>),
    I32(i32),
    Str(Option<&'a str>),
}

/// An event with who did it and what exactly, for the staff timeline. Whether the resident sees
/// it follows from its kind ([`EventKind::is_public`]).
pub struct StaffEvent<'a> {
    pub ticket: &'a str,
    pub at: i64,
    pub kind: EventKind,
    pub actor: &'a str,
    pub actor_name: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub body: Option<&'a str>,
    pub detail: Option<&'a EventDetail>,
}

pub async fn insert_staff_event(tx: &mut Tx<'_>, e: &StaffEvent<'_>) -> Result<()> {
    insert_staff_event_shown(tx, e, e.kind.is_public()).await
}

/// [`insert_staff_event`] with the resident's view chosen by the use case (a notice by hand the
/// issuer let the resident know of).
pub async fn insert_staff_event_shown(tx: &mut Tx<'_>, e: &StaffEvent<'_>, public: bool) -> Result<()> {
    let sql = format!(
        "INSERT INTO appeal_events (ticket, at, kind, actor, actor_name, unit, public, body, detail, born)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {})",
        born_of("$1")
    );
    sqlx::query(&sql)
        .bind(e.ticket)
        .bind(e.at)
        .bind(e.kind.as_str())
        .bind(e.actor)
        .bind(e.actor_name)
        .bind(e.unit)
        .bind(i32::from(public))
        .bind(e.body)
        .bind(e.detail.map(EventDetail::to_json))
        .execute(&mut **tx)
        .await?;
    // The first answer is kept on the appeal for the figures (migration 0020).
    if matches!(e.kind, EventKind::Reply | EventKind::Closed) {
        sqlx::query("UPDATE appeals SET first_reply_at = $1 WHERE ticket = $2 AND first_reply_at IS NULL")
            .bind(e.at)
            .bind(e.ticket)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FullEvent {
    pub id: i64,
    pub at: i64,
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    pub actor: String,
    pub actor_name: Option<String>,
    pub unit: Option<String>,
    pub public: i64,
    pub body: Option<String>,
    pub detail: Option<String>,
}

pub async fn all_events(pool: &AnyPool, ticket: &str) -> Result<Vec<FullEvent>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT id, at, kind, actor, actor_name, unit, public, body, detail FROM appeal_events WHERE {} ORDER BY id",
            events_of(1)
        )
    });
    Ok(sqlx::query_as(SQL.as_str()).bind(ticket).fetch_all(pool).await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CoHandler {
    pub unit: String,
    pub summoned_at: i64,
    pub reported_at: Option<i64>,
    pub report: Option<String>,
    /// Report-back deadline, summoning unit and its rating (issue 13, migration 0015).
    pub due_at: Option<i64>,
    pub summoned_by: Option<String>,
    pub rating: Option<String>,
    pub rating_note: Option<String>,
}

pub async fn cohandlers<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    ex: E,
    ticket: &str,
) -> Result<Vec<CoHandler>> {
    Ok(sqlx::query_as(
        "SELECT unit, summoned_at, reported_at, report, due_at, summoned_by, rating, rating_note FROM appeal_cohandlers WHERE ticket = $1 ORDER BY unit",
    )
    .bind(ticket)
    .fetch_all(ex)
    .await?)
}

/// Summons a co-handler (again, if it was summoned before: its old report, deadline and rating
/// no longer count), by the unit `by`, its report due at `due_at`.
pub async fn summon(tx: &mut Tx<'_>, ticket: &str, unit: &str, by: &str, due_at: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO appeal_cohandlers (ticket, unit, summoned_at, summoned_by, due_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (ticket, unit) DO UPDATE SET summoned_at = excluded.summoned_at, reported_at = NULL, report = NULL,
           summoned_by = excluded.summoned_by, due_at = excluded.due_at, rating = NULL, rating_note = NULL,
           rated_at = NULL, rated_by = NULL",
    )
    .bind(ticket)
    .bind(unit)
    .bind(now)
    .bind(by)
    .bind(due_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn report_back(tx: &mut Tx<'_>, ticket: &str, unit: &str, report: &str, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE appeal_cohandlers SET reported_at = $1, report = $2 WHERE ticket = $3 AND unit = $4 AND reported_at IS NULL")
        .bind(now)
        .bind(report)
        .bind(ticket)
        .bind(unit)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// How many photos an appeal holds and their stored bytes.
pub async fn photo_usage<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(ex: E, ticket: &str) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(bytes)), 0) AS BIGINT) FROM appeal_photos WHERE ticket = $1",
    )
    .bind(ticket)
    .fetch_one(ex)
    .await?)
}

/// Adds a photo after the appeal's others (the caller holds the appeal's row lock and has
/// checked the room).
pub async fn add_photo(tx: &mut Tx<'_>, ticket: &str, id: &str, jpeg: &[u8], thumb: Option<&[u8]>) -> Result<()> {
    sqlx::query(
        "INSERT INTO appeal_photos (id, ticket, position, content_type, bytes, thumb)
         SELECT $1, $2, COALESCE(MAX(position) + 1, 0), 'image/jpeg', $3, $4 FROM appeal_photos WHERE ticket = $2",
    )
    .bind(id)
    .bind(ticket)
    .bind(jpeg.to_vec())
    .bind(thumb.map(<[u8]>::to_vec))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Photo ids of an appeal in order.
pub async fn photo_ids(pool: &AnyPool, ticket: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM appeal_photos WHERE ticket = $1 ORDER BY position")
        .bind(ticket)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// An appeal photo's bytes, or its thumbnail's (the photo itself when it has none).
pub async fn photo(pool: &AnyPool, ticket: &str, id: &str, size: Size) -> Result<Option<Vec<u8>>> {
    let sql = format!("SELECT {} FROM appeal_photos WHERE ticket = $1 AND id = $2", size.column());
    let row: Option<(Vec<u8>,)> = sqlx::query_as(&sql).bind(ticket).bind(id).fetch_optional(pool).await?;
    Ok(row.map(|r| r.0))
}

/// Which appeals a staff member's inbox shows, and how.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Everything (admins).
    pub all: bool,
    pub unit: String,
    /// Units one level below (the parent relation).
    pub child_units: Vec<String>,
    /// A dispatcher's region path; every appeal whose unit lies under it.
    pub path_prefix: Option<String>,
    /// `open` (every open status) or one status.
    pub status: Option<String>,
    pub category: Option<String>,
    pub urgent: bool,
    /// `soon` (past the 75 % point, not overdue), `overdue` (either deadline passed),
    /// `supervised` (open with a supervision notice) or `escalated` (open, gone up a level at
    /// least once) or `noticed` (a notice by hand to its unit waits for an answer).
    pub due: Option<String>,
    /// The inbox search (words, ticket, phone, unit, dates), already checked.
    pub search: domain::staff::Search,
    pub now: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub ticket: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub unit: String,
    pub urgent: i64,
    pub submitted_at: i64,
    pub deadline_at: i64,
    pub clock_start_at: i64,
    pub sign_by_at: i64,
    pub supervised: i64,
    pub description: String,
    /// 1 when a notice by hand to the current unit waits for its answer.
    pub noticed: i64,
    /// 1 when the inbox's own unit was summoned (吹哨) to this open appeal and has not reported
    /// back yet (issue 13); always 0 outside an inbox.
    pub owes_report: i64,
    /// The main appeal this one follows (a merged duplicate), if any.
    pub merged_into: Option<String>,
}

/// The scope condition and its binds, shared by the list and the counts.
pub(crate) fn scope_sql(q: &InboxQuery, first: usize) -> (String, Vec<String>) {
    if q.all {
        return ("1 = 1".into(), Vec::new());
    }
    let mut binds = vec![q.unit.clone()];
    let mut n = first;
    let me = format!("${n}");
    let mut parts = vec![
        format!("a.unit = {me}"),
        format!("a.ticket IN (SELECT c.ticket FROM appeal_cohandlers c WHERE c.unit = {me})"),
    ];
    if !q.child_units.is_empty() {
        let ph: Vec<String> = q
            .child_units
            .iter()
            .map(|u| {
                n += 1;
                binds.push(u.clone());
                format!("${n}")
            })
            .collect();
        parts.push(format!("a.unit IN ({})", ph.join(", ")));
    }
    if let Some(p) = &q.path_prefix {
        n += 1;
        binds.push(p.clone());
        parts.push(format!("substr(a.scope_path, 1, length(${n})) = ${n}"));
    }
    (format!("({})", parts.join(" OR ")), binds)
}

fn filter_sql(q: &InboxQuery, mut n: usize, binds: &mut Vec<String>) -> String {
    let mut w = Vec::new();
    match q.status.as_deref() {
        None | Some("") => {}
        Some("open") => w.push("a.status <> 'closed'".to_owned()),
        Some(s) => {
            n += 1;
            binds.push(s.to_owned());
            w.push(format!("a.status = ${n}"));
        }
    }
    if let Some(c) = q.category.as_deref().filter(|c| !c.is_empty()) {
        n += 1;
        binds.push(c.to_owned());
        w.push(format!("a.category = ${n}"));
    }
    if q.urgent {
        w.push("a.urgent = 1".into());
    }
    // `now` is inlined as an integer literal: it is ours, not user input.
    let now = q.now;
    match q.due.as_deref() {
        Some("soon") => w.push(format!(
            "a.status <> 'closed' AND a.deadline_at >= {now} AND {} <= {now}",
            super::warning_point_sql("a.clock_start_at", "a.deadline_at")
        )),
        Some("overdue") => w.push(format!(
            "a.status <> 'closed' AND (a.deadline_at < {now} OR (a.status = 'assigned' AND a.sign_by_at < {now}))"
        )),
        Some("supervised") => w.push(format!("a.status <> 'closed' AND {SUPERVISED_SQL}")),
        Some("noticed") => w.push(super::notices::OPEN_NOTICE_SQL.to_owned()),
        Some("owes") => w.push(format!("{} = 1", owes_report_sql(q))),
        // Merged duplicates are answered and closed with their main appeal: a member may want
        // to see only them, or to work without them.
        Some("merged") => w.push("a.merged_into IS NOT NULL".to_owned()),
        Some("unmerged") => w.push("a.merged_into IS NULL".to_owned()),
        Some("escalated") => w.push(
            "a.status <> 'closed' AND a.ticket IN (SELECT e.ticket FROM appeal_events e
               WHERE e.kind IN ('escalated', 'auto_escalated', 'reopened_unsatisfied'))"
                .to_owned(),
        ),
        _ => {}
    }
    search_sql(q, n, binds, &mut w);
    if w.is_empty() {
        "1 = 1".into()
    } else {
        w.join(" AND ")
    }
}

/// The search's conditions (see [`domain::staff::Search`]). A phone number only matches appeals
/// whose contact the member may reveal (`workflow::may(.., RevealContact, ..)`: held by their
/// unit, under a dispatcher's region, or summoned and still owing a report): the search must not
/// tell anyone more than the appeal page would.
fn search_sql(q: &InboxQuery, mut n: usize, binds: &mut Vec<String>, w: &mut Vec<String>) {
    let mut bind = |v: String, binds: &mut Vec<String>| {
        n += 1;
        binds.push(v);
        format!("${n}")
    };
    let s = &q.search;
    for word in &s.words {
        let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let p = bind(format!("%{escaped}%"), binds);
        w.push(format!("a.description LIKE {p} ESCAPE '\\'"));
    }
    if let Some(t) = &s.ticket {
        let p = bind(t.clone(), binds);
        w.push(format!("a.ticket = {p}"));
    }
    if let Some(u) = &s.unit {
        let p = bind(u.clone(), binds);
        w.push(format!("a.unit = {p}"));
    }
    if let Some(phone) = &s.phone {
        let p = bind(phone.clone(), binds);
        let me = bind(q.unit.clone(), binds);
        let mut may = vec![
            format!("a.unit = {me}"),
            format!(
                "a.ticket IN (SELECT c.ticket FROM appeal_cohandlers c WHERE c.unit = {me} AND c.reported_at IS NULL)"
            ),
        ];
        if let Some(prefix) = &q.path_prefix {
            let pp = bind(prefix.clone(), binds);
            may.push(format!("substr(a.scope_path, 1, length({pp})) = {pp}"));
        }
        w.push(format!("a.contact_phone = {p} AND ({})", may.join(" OR ")));
    }
    // Our own integers (parsed days), inlined like `now`.
    if let Some(from) = s.submitted_from {
        w.push(format!("a.submitted_at >= {from}"));
    }
    if let Some(before) = s.submitted_before {
        w.push(format!("a.submitted_at < {before}"));
    }
}

/// 1 when the inbox's unit (`$1` of [`scope_sql`]) owes a report back on the open appeal `a`, else
/// 0; an inbox of everything (no unit) owes nothing of its own.
fn owes_report_sql(q: &InboxQuery) -> &'static str {
    if q.all {
        "0"
    } else {
        "CASE WHEN a.status <> 'closed' AND EXISTS (SELECT 1 FROM appeal_cohandlers c
           WHERE c.ticket = a.ticket AND c.unit = $1 AND c.reported_at IS NULL) THEN 1 ELSE 0 END"
    }
}

/// The scope and filter conditions of `q` (`a` is the appeals table) and their binds.
fn where_sql(q: &InboxQuery) -> (String, Vec<String>) {
    let (scope, mut binds) = scope_sql(q, 1);
    let filter = filter_sql(q, binds.len(), &mut binds);
    (format!("{scope} AND {filter}"), binds)
}

/// Whether appeal `a` is under supervision (督办) in its current cycle, for the staff side (inbox
/// badge and filter, the dashboard's list, the ledger's column; the appeal page works out the
/// same from its notices, `services::work::appeal_page`): the job's 督办 (the
/// `supervised` flag, cleared by a reopening) or one issued by hand since the cycle's clock
/// started (issue 13). The resident's page reads the flag alone: a notice issued by hand is
/// shown to them only when its issuer made it public.
pub(crate) const SUPERVISED_SQL: &str = "(a.supervised = 1 OR EXISTS (SELECT 1 FROM hand_notices h \
     WHERE h.ticket = a.ticket AND h.kind = 'supervision' AND h.issued_at >= a.clock_start_at))";

pub async fn inbox(pool: &AnyPool, q: &InboxQuery) -> Result<(Vec<InboxRow>, i64)> {
    let (cond, binds) = where_sql(q);
    let sql = format!(
        "SELECT a.ticket, a.category, a.status, a.unit, a.urgent, a.submitted_at, a.deadline_at,
                a.clock_start_at, a.sign_by_at, CASE WHEN {SUPERVISED_SQL} THEN 1 ELSE 0 END AS supervised,
                a.description, CASE WHEN {} THEN 1 ELSE 0 END AS noticed,
                {} AS owes_report, a.merged_into
         FROM appeals a WHERE {cond}
         ORDER BY CASE WHEN a.status = 'closed' THEN 1 ELSE 0 END, a.deadline_at, a.ticket
         LIMIT {} OFFSET {}",
        super::notices::OPEN_NOTICE_SQL,
        owes_report_sql(q),
        q.limit.clamp(1, 200),
        q.offset.max(0)
    );
    let mut query = sqlx::query_as::<_, InboxRow>(&sql);
    for b in &binds {
        query = query.bind(b.clone());
    }
    let rows = query.fetch_all(pool).await?;
    let count_sql = format!("SELECT COUNT(*) FROM appeals a WHERE {cond}");
    let mut cq = sqlx::query_as::<_, (i64,)>(&count_sql);
    for b in &binds {
        cq = cq.bind(b.clone());
    }
    let (total,) = cq.fetch_one(pool).await?;
    Ok((rows, total))
}

/// One appeal as the ledger (台账) export lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerRow {
    pub ticket: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub unit: String,
    pub urgent: i64,
    pub submitted_at: i64,
    pub deadline_at: i64,
    pub closed_at: Option<i64>,
    pub supervised: i64,
    pub channel: String,
    pub description: String,
    /// The answers to the category's extra questions (issue 13), JSON as stored; none when none.
    pub answers: Option<String>,
    /// Read for an export with contact details; written only where the member may reveal them
    /// (`services::ledger::PiiScope`).
    pub scope_path: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// Most rows [`ledger_batch`] reads at once (a bigger `limit` reads this many).
pub const LEDGER_BATCH_MAX: i64 = 10_000;

/// The next `limit` appeals of the inbox query `q` after ticket `after` (ticket order: a keyset,
/// so an export never counts past the rows it sent, as an offset would; how much of the scope
/// one batch reads depends on the plan, see `services::ledger::MAX_BATCH`).
/// Without `contact` the contact columns and the scope path are not read (empty).
pub async fn ledger_batch(
    pool: &AnyPool,
    q: &InboxQuery,
    after: &str,
    limit: i64,
    contact: bool,
) -> Result<Vec<LedgerRow>> {
    let (cond, mut binds) = where_sql(q);
    binds.push(after.to_owned());
    let contact_cols = if contact {
        "a.scope_path, a.contact_name, a.contact_phone"
    } else {
        "'' AS scope_path, CAST(NULL AS TEXT) AS contact_name, CAST(NULL AS TEXT) AS contact_phone"
    };
    let sql = format!(
        "SELECT a.ticket, a.category, a.status, a.unit, a.urgent, a.submitted_at, a.deadline_at, a.closed_at,
                CASE WHEN {SUPERVISED_SQL} THEN 1 ELSE 0 END AS supervised, a.channel, a.description, a.answers,
                {contact_cols}
         FROM appeals a WHERE {cond} AND a.ticket > ${}
         ORDER BY a.ticket LIMIT {}",
        binds.len(),
        limit.clamp(1, LEDGER_BATCH_MAX)
    );
    let mut query = sqlx::query_as::<_, LedgerRow>(&sql);
    for b in &binds {
        query = query.bind(b.clone());
    }
    Ok(query.fetch_all(pool).await?)
}

/// Appeals per status in the scope (filters other than scope are ignored).
pub async fn status_counts(pool: &AnyPool, q: &InboxQuery) -> Result<Vec<(String, i64)>> {
    let (scope, binds) = scope_sql(q, 1);
    let sql = format!("SELECT a.status, COUNT(*) FROM appeals a WHERE {scope} GROUP BY a.status");
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
    for b in binds {
        query = query.bind(b);
    }
    Ok(query.fetch_all(pool).await?)
}

/// Another appeal from the same phone number (the staff appeal page's repeat cases).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepeatRow {
    pub ticket: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub submitted_at: i64,
}

/// The appeals of `q`'s scope whose contact phone is `q.search.phone`, other than `except`,
/// newest first, at most `limit`. The phone condition is the inbox search's (`search_sql`), so
/// it only matches appeals whose contact the member may reveal, and it is served by the partial
/// index `appeals_contact_phone` (migration 0011). Without a phone in `q`, nothing.
pub async fn same_phone(pool: &AnyPool, q: &InboxQuery, except: &str, limit: i64) -> Result<Vec<RepeatRow>> {
    if q.search.phone.is_none() {
        return Ok(Vec::new());
    }
    let (cond, mut binds) = where_sql(q);
    binds.push(except.to_owned());
    let sql = format!(
        "SELECT a.ticket, a.category, a.status, a.submitted_at
         FROM appeals a WHERE {cond} AND a.ticket <> ${}
         ORDER BY a.submitted_at DESC, a.ticket DESC LIMIT {}",
        binds.len(),
        limit.clamp(1, 200)
    );
    let mut query = sqlx::query_as::<_, RepeatRow>(&sql);
    for b in &binds {
        query = query.bind(b.clone());
    }
    Ok(query.fetch_all(pool).await?)
}

/// How many named appeals from `q.search.phone`, other than `except`, [`same_phone`] leaves out
/// because they are outside `q`'s scope (or their contact is not the member's to reveal): a
/// count, nothing else about them. Served by the same partial index. Without a phone, 0.
pub async fn same_phone_elsewhere(pool: &AnyPool, q: &InboxQuery, except: &str) -> Result<i64> {
    let Some(phone) = q.search.phone.clone() else { return Ok(0) };
    let (cond, mut binds) = where_sql(q);
    binds.push(phone);
    let p = binds.len();
    binds.push(except.to_owned());
    let e = binds.len();
    // Not listed = the listing's condition is not true (false or NULL), as `WHERE` would read it.
    let sql = format!(
        "SELECT COALESCE(SUM(CASE WHEN {cond} THEN 0 ELSE 1 END), 0) FROM appeals a
         WHERE a.contact_phone = ${p} AND a.anonymous = 0 AND a.ticket <> ${e}"
    );
    let mut query = sqlx::query_as::<_, (i64,)>(&sql);
    for b in &binds {
        query = query.bind(b.clone());
    }
    Ok(query.fetch_one(pool).await?.0)
}
