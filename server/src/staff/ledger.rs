//! The inbox's filter as a download (see `backend::services::ledger`): `GET
//! /staff/ledger.csv` (streamed batch by batch) and `GET /staff/ledger.xlsx` without contact
//! details; the same paths by `POST` (with the CSRF token and a reason) with them. And `POST
//! /staff/search`, the inbox's filter form: it keeps the phone number and the words searched by
//! in the session and sends the browser to the inbox's address with the rest.
//!
//! Neither a phone number, nor the words searched (often a resident's name), nor a request for
//! contact details travels in a URL: URLs end up in reverse proxies' access logs and the
//! browser's history, and a GET that exports residents' contact details could be started by a
//! link.

use super::{csrf_ok, csrf_refused, pairs_get};
use crate::error::PageError;
use crate::forms::lang_of;
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use backend::auth::{StaffCtx, SESSION_SEARCH_PHONE, SESSION_SEARCH_WORDS};
use backend::services::ledger;
use backend::{AppState, BackendError};
use domain::staff::InboxFilter;
use domain::{Lang, Msg};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tower_sessions::Session;

/// The longest phone search kept (a number with spaces or dashes fits; the inbox page says what
/// is wrong with anything else).
const PHONE_SEARCH_MAX_CHARS: usize = 40;
/// The longest words search kept (five words of at most 50 characters each fit; the inbox page
/// says what is wrong with more).
const WORDS_SEARCH_MAX_CHARS: usize = 300;

/// The inbox's filter from query or form parameters (the same ones as the inbox page), with the
/// phone number and the words kept in the session when they ask for them.
fn filter(q: &[(String, String)], ctx: &StaffCtx, default_open: bool) -> InboxFilter {
    InboxFilter::from_query(|k| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()), default_open)
        .with_session_search(ctx.search_phone.as_deref(), ctx.search_words.as_deref())
}

/// Keeps `value` in the session under `key`, or forgets what was kept there when it is empty.
async fn keep(session: &Session, key: &str, value: String) -> Result<(), tower_sessions::session::Error> {
    if value.is_empty() {
        session.remove::<String>(key).await.map(|_| ())
    } else {
        session.insert(key, value).await
    }
}

/// `POST /staff/search`: the inbox's filter form. The phone number and the words (`q`) go into
/// the session (an empty one ends that search, as does a phone number from an administrator, who
/// may not search by it) and the browser to the inbox with the other fields in the address and
/// `by_phone=1` / `by_words=1`. Both are checked where they are used: the inbox page says what is
/// wrong with them, on their fields.
pub async fn search(
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(staff) = ctx.staff.as_ref() else { return StatusCode::FORBIDDEN.into_response() };
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    let phone: String = pairs_get(&form, "phone").trim().chars().take(PHONE_SEARCH_MAX_CHARS).collect();
    let mut f = InboxFilter::from_query(|k| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()), true);
    f.page = 1;
    let phone = if staff.role == domain::workflow::Role::Admin { String::new() } else { phone };
    let words: String = pairs_get(&form, "q").trim().chars().take(WORDS_SEARCH_MAX_CHARS).collect();
    f.by_phone = !phone.is_empty();
    f.by_words = !words.is_empty();
    let kept = async {
        keep(&session, SESSION_SEARCH_PHONE, phone).await?;
        keep(&session, SESSION_SEARCH_WORDS, words).await
    };
    if let Err(e) = kept.await {
        tracing::error!(error = %e, "could not keep the search");
        return PageError::staff(lang, &BackendError::Internal("session".into())).into_response();
    }
    Redirect::to(&format!("/staff?{}", f.query_string(None, app::components::urlencode))).into_response()
}

/// The reason given for contact details; only a posted form asks for them (`contact=1`), and
/// then the reason is required.
fn pii_reason(form: &[(String, String)]) -> Option<String> {
    matches!(pairs_get(form, "contact").as_str(), "1" | "on" | "true").then(|| pairs_get(form, "reason"))
}

/// A GET export whose address still carries words or a phone number (an old link or bookmark):
/// refused rather than widened to the whole scope, since those are no longer read from a URL.
fn search_in_url(q: &[(String, String)], lang: Lang) -> Option<Response> {
    let found = q.iter().find(|(k, v)| (k == "q" || k == "phone") && !v.trim().is_empty())?;
    let field = if found.0 == "q" { domain::FieldName::Words } else { domain::FieldName::Phone };
    let e = BackendError::invalid(domain::FieldError::new(field, domain::Msg::ErrSearchInUrl));
    Some(PageError::staff(lang, &e).into_response())
}

/// `GET /staff/ledger.csv`: the filtered list without contact details.
pub async fn ledger_csv(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if let Some(refused) = search_in_url(&q, lang) {
        return refused;
    }
    csv_export(state, &ctx, lang, &filter(&q, &ctx, false), None).await
}

/// `POST /staff/ledger.csv`: the same, with contact details when asked for (with a reason).
pub async fn ledger_csv_post(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    csv_export(state, &ctx, lang, &filter(&form, &ctx, false), pii_reason(&form)).await
}

async fn csv_export(state: AppState, ctx: &StaffCtx, lang: Lang, f: &InboxFilter, pii: Option<String>) -> Response {
    let Some(staff) = ctx.staff.as_ref() else { return StatusCode::FORBIDDEN.into_response() };
    let export = match ledger::start(&state, staff, f, "csv", pii.as_deref()).await {
        Ok(export) => export,
        Err(e) => return refused(lang, &e),
    };
    // While one batch's bytes go out, the next is read and written (one batch ahead, no more).
    // The bytes go out in pieces, and a download that leaves one untaken too long gives its turn
    // back and is broken off (`ledger::STALL`).
    let export = Arc::new(export);
    let first = Prefetch::start(produce(state.clone(), export.clone(), lang, ledger::Cursor::default(), true));
    let held = Arc::new(Mutex::new(Held { pending: Some(first), rest: Bytes::new() }));
    let progress = Arc::new(ledger::Progress::default());
    progress.handed();
    // Weak: a download dropped (finished, broken off) drops its read-ahead at once.
    let dropped = Arc::downgrade(&held);
    export.watch(Arc::clone(&progress), move || {
        if let Some(held) = dropped.upgrade() {
            *lock(&held) = Held { pending: None, rest: Bytes::new() };
        }
    });
    let out = Out { state, export, held, progress };
    let stream = futures::stream::try_unfold(out, move |out| async move {
        out.progress.asked();
        if out.export.given_back() {
            tracing::warn!("ledger export stopped: its download stalled");
            return Err(BackendError::Internal("ledger: the download stalled".into()));
        }
        let (pending, mut rest) = {
            let mut h = lock(&out.held);
            (h.pending.take(), std::mem::take(&mut h.rest))
        };
        let mut next = pending;
        if rest.is_empty() {
            let Some(pending) = next.take() else { return Ok::<_, BackendError>(None) };
            let (cursor, chunk) =
                pending.await.inspect_err(|e| tracing::error!(error = %e, "ledger export stopped"))?;
            let Some(chunk) = chunk else { return Ok(None) };
            next = (!cursor.is_done())
                .then(|| Prefetch::start(produce(out.state.clone(), out.export.clone(), lang, cursor, false)));
            rest = chunk;
        }
        // A copy, not a slice of the batch: pieces queued in the connection then do not keep the
        // whole batch in memory once the download is let go of.
        let piece = Bytes::copy_from_slice(&rest.split_to(rest.len().min(ledger::PIECE)));
        *lock(&out.held) = Held { pending: next, rest };
        out.progress.handed();
        Ok(Some((piece, out)))
    });
    let day = time::OffsetDateTime::now_utc().to_offset(domain::sla::CHINA).date();
    let mut res = Response::new(Body::from_stream(stream));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"ledger-{day}.csv\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// An export refused: the error's page; "other exports are running" as 503 and "your other
/// export is running" as 429, both with `Retry-After`.
fn refused(lang: Lang, e: &BackendError) -> Response {
    let (status, msg) = match e {
        BackendError::Conflict(m @ Msg::LedgerBusy) => (StatusCode::SERVICE_UNAVAILABLE, *m),
        BackendError::Conflict(m @ Msg::LedgerOwnBusy) => (StatusCode::TOO_MANY_REQUESTS, *m),
        _ => return PageError::staff(lang, e).into_response(),
    };
    let mut res = crate::error::message_page(lang, status, msg);
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}

/// A CSV download under way: its export, what it holds in memory, and whether the connection
/// keeps taking it.
struct Out {
    state: AppState,
    export: Arc<ledger::Export>,
    held: Arc<Mutex<Held>>,
    progress: Arc<ledger::Progress>,
}

/// What a download holds between two pieces: the batch being read ahead and what is left of the
/// one going out. Let go of when the download stalls (`ledger::Export::watch`).
struct Held {
    pending: Option<Prefetch>,
    rest: Bytes,
}

fn lock(held: &Mutex<Held>) -> std::sync::MutexGuard<'_, Held> {
    held.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A batch being read and written ahead of the one going out; dropped (the download ended or
/// broke off) it stops.
struct Prefetch(tokio::task::JoinHandle<Result<(ledger::Cursor, Option<Bytes>), BackendError>>);

impl Prefetch {
    fn start(
        work: impl Future<Output = Result<(ledger::Cursor, Option<Bytes>), BackendError>> + Send + 'static,
    ) -> Self {
        Self(tokio::spawn(work))
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Future for Prefetch {
    type Output = Result<(ledger::Cursor, Option<Bytes>), BackendError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|joined| joined.unwrap_or_else(|e| Err(BackendError::Internal(format!("ledger: {e}")))))
    }
}

/// The next batch of `export` as CSV bytes (after the byte-order mark and the header for the
/// first), or `None` when every row was sent. The lines are written on a blocking thread: a
/// batch of 8,000 takes milliseconds, which would hold up the other requests on this worker.
async fn produce(
    state: AppState,
    export: Arc<ledger::Export>,
    lang: Lang,
    mut cursor: ledger::Cursor,
    first: bool,
) -> Result<(ledger::Cursor, Option<Bytes>), BackendError> {
    let Some(rows) = cursor.next(&state, &export).await? else { return Ok((cursor, None)) };
    let cat = state.catalog.get();
    let chunk = tokio::task::spawn_blocking(move || {
        let mut chunk = String::with_capacity(rows.len() * 256);
        if first {
            // The byte-order mark: spreadsheet programs then read the file as UTF-8 (Chinese).
            chunk.push('\u{feff}');
            chunk.push_str(&ledger::header(lang, export.pii.is_some()));
        }
        for r in &rows {
            ledger::push_line(&mut chunk, &cat, lang, r, export.pii.as_ref());
        }
        Bytes::from(chunk)
    })
    .await
    .map_err(|e| BackendError::Internal(format!("ledger: {e}")))?;
    Ok((cursor, Some(chunk)))
}

/// `GET /staff/ledger.xlsx`: the same filter and scope as the CSV, as an Excel workbook (built
/// in memory, so capped at `ledger::XLSX_MAX_ROWS` rows; a bigger selection gets a page saying
/// to narrow it or take the CSV). Audited like the CSV.
pub async fn ledger_xlsx(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if let Some(refused) = search_in_url(&q, lang) {
        return refused;
    }
    xlsx_export(state, &ctx, lang, &filter(&q, &ctx, false), None).await
}

/// `POST /staff/ledger.xlsx`: the workbook with contact details when asked for (with a reason).
pub async fn ledger_xlsx_post(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    xlsx_export(state, &ctx, lang, &filter(&form, &ctx, false), pii_reason(&form)).await
}

async fn xlsx_export(state: AppState, ctx: &StaffCtx, lang: Lang, f: &InboxFilter, pii: Option<String>) -> Response {
    let Some(staff) = ctx.staff.as_ref() else { return StatusCode::FORBIDDEN.into_response() };
    let book = match ledger::start(&state, staff, f, "xlsx", pii.as_deref()).await {
        Ok(export) => ledger::xlsx(&state, &export, lang).await,
        Err(e) => Err(e),
    };
    let bytes = match book {
        Ok(b) => b,
        Err(e) => return refused(lang, &e),
    };
    let day = time::OffsetDateTime::now_utc().to_offset(domain::sla::CHINA).date();
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"ledger-{day}.xlsx\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
