//! `GET /staff/ledger.csv`: the inbox's filter as a CSV download (see
//! `backend::services::ledger`), streamed batch by batch.

use crate::error::PageError;
use crate::forms::lang_of;
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use backend::auth::StaffCtx;
use backend::services::ledger;
use backend::{AppState, BackendError};
use domain::staff::InboxFilter;

/// The inbox's filter from the query string (the same parameters as the inbox page).
fn filter(q: &[(String, String)]) -> InboxFilter {
    InboxFilter::from_query(|k| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()), false)
}

/// `contact=1` asks for the contact columns; `reason` says why (required then).
fn pii_reason(q: &[(String, String)]) -> Option<String> {
    let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    matches!(get("contact").as_deref(), Some("1" | "on" | "true")).then(|| get("reason").unwrap_or_default())
}

pub async fn ledger_csv(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(staff) = ctx.staff.as_ref() else { return StatusCode::FORBIDDEN.into_response() };
    let export = match ledger::start(&state, staff, &filter(&q), "csv", pii_reason(&q).as_deref()).await {
        Ok(export) => export,
        Err(e) => return PageError::staff(lang, &e).into_response(),
    };
    // (state, export, last ticket, first batch?, finished?)
    let seed = (state, export, String::new(), true, false);
    let stream = futures::stream::try_unfold(seed, move |(state, export, after, first, done)| async move {
        if done {
            return Ok::<_, BackendError>(None);
        }
        let rows = ledger::batch(&state, &export.query, &after).await.inspect_err(|e| {
            tracing::error!(error = %e, "ledger export stopped");
        })?;
        let mut chunk = String::new();
        if first {
            // The byte-order mark: spreadsheet programs then read the file as UTF-8 (Chinese).
            chunk.push('\u{feff}');
            chunk.push_str(&ledger::header(lang, export.pii.is_some()));
        }
        let cat = state.catalog.get();
        for r in &rows {
            chunk.push_str(&ledger::line(&cat, lang, r, export.pii.as_ref()));
        }
        let finished = i64::try_from(rows.len()).unwrap_or(0) < ledger::BATCH;
        let next = rows.last().map_or(after, |r| r.ticket.clone());
        Ok(Some((Bytes::from(chunk), (state, export, next, false, finished))))
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
    let Some(staff) = ctx.staff.as_ref() else { return StatusCode::FORBIDDEN.into_response() };
    let book = match ledger::start(&state, staff, &filter(&q), "xlsx", pii_reason(&q).as_deref()).await {
        Ok(export) => ledger::xlsx(&state, &export, lang).await,
        Err(e) => Err(e),
    };
    let bytes = match book {
        Ok(b) => b,
        Err(e) => return PageError::staff(lang, &e).into_response(),
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
