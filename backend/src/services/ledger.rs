//! The ledger (台账) export (issue 12): the appeals of a staff member's inbox scope and filter,
//! as CSV for spreadsheet programs. Every export is audited with its filter. The rows are read in
//! keyset batches and written as they come, so a 100,000-row export holds one batch in memory.
//! No contact details are exported (they stay behind the audited reveal on the appeal page).

use crate::audit::{self, Entry};
use crate::catalog::Catalog;
use crate::services::work::filtered_query;
use crate::store::appeals::{self, InboxQuery, LedgerRow};
use crate::{AppState, Result};
use domain::staff::InboxFilter;
use domain::stats::csv_cell;
use domain::{Lang, Msg};
use serde_json::json;

/// Rows read per batch.
pub const BATCH: i64 = 1000;

/// Checks and records the export; returns the query the batches follow.
///
/// # Errors
/// Database errors (the audit entry).
pub async fn start(state: &AppState, staff: &crate::auth::Staff, f: &InboxFilter, format: &str) -> Result<InboxQuery> {
    let cat = state.catalog.get();
    let now = state.clock.ts();
    let q = filtered_query(&cat, staff, f, now);
    let mut tx = state.db.pool.begin().await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: &staff.who(),
            action: "ledger_export",
            ticket: None,
            detail: json!({
                "format": format,
                "status": f.status, "category": f.category, "urgent": f.urgent, "due": f.due,
            }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(q)
}

/// The next batch after ticket `after` ("" for the first).
///
/// # Errors
/// Database errors.
pub async fn batch(state: &AppState, q: &InboxQuery, after: &str) -> Result<Vec<LedgerRow>> {
    appeals::ledger_batch(&state.db.pool, q, after, BATCH).await
}

/// The header line (CRLF-terminated, as spreadsheet programs expect).
#[must_use]
pub fn header(lang: Lang) -> String {
    let cols = [
        Msg::ColTicket,
        Msg::LedgerSubmitted,
        Msg::LedgerCategory,
        Msg::LedgerStatus,
        Msg::LedgerUnit,
        Msg::LedgerDeadline,
        Msg::LedgerClosed,
        Msg::LedgerUrgent,
        Msg::LedgerSupervised,
        Msg::LedgerChannel,
        Msg::LedgerDescription,
    ];
    let mut s = cols.iter().map(|m| csv_cell(m.text(lang))).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

fn local(t: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.to_offset(domain::sla::CHINA).format(&fmt).ok())
        .unwrap_or_default()
}

/// One appeal's line.
#[must_use]
pub fn line(cat: &Catalog, lang: Lang, r: &LedgerRow) -> String {
    let yes_no = |b: bool| if b { Msg::LedgerYes.text(lang) } else { Msg::LedgerNo.text(lang) };
    let category = cat
        .categories
        .iter()
        .find(|c| c.code == r.category)
        .map_or_else(|| r.category.clone(), |c| domain::region::localized(lang, &c.name, &c.name_en).to_owned());
    let unit = cat.units.get(&r.unit).map_or_else(|| r.unit.clone(), |u| u.name.clone());
    let ticket = domain::receipt::Ticket::parse(&r.ticket).map_or_else(|_| r.ticket.clone(), |t| t.display());
    let status = match r.status {
        domain::workflow::Status::Closed => Msg::StatusClosed,
        domain::workflow::Status::InProgress => Msg::StatusInProgress,
        domain::workflow::Status::AwaitingInfo => Msg::StatusAwaitingInfo,
        domain::workflow::Status::Assigned => Msg::StatusAssigned,
    };
    // The channel without an API key's number (`open311:7` → `open311`).
    let channel = r.channel.split(':').next().unwrap_or("").to_owned();
    let cells = [
        ticket,
        local(r.submitted_at),
        category,
        status.text(lang).to_owned(),
        unit,
        local(r.deadline_at),
        r.closed_at.map(local).unwrap_or_default(),
        yes_no(r.urgent != 0).to_owned(),
        yes_no(r.supervised != 0).to_owned(),
        channel,
        r.description.clone(),
    ];
    let mut s = cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}
