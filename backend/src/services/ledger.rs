//! The ledger (台账) export (issue 12): the appeals of a staff member's inbox scope and filter,
//! as CSV for spreadsheet programs. Every export is audited with its filter. The rows are read in
//! keyset batches and written as they come, so a 100,000-row export holds one batch in memory.
//! Contact details are exported only when asked for, with a reason (audited), by a member who
//! may reveal them, and only on the rows whose contact they may reveal on the appeal page
//! ([`PiiScope`]); every other cell of those columns is empty.

use crate::audit::{self, Entry};
use crate::catalog::Catalog;
use crate::services::work::filtered_query;
use crate::store::appeals::{self, InboxQuery, LedgerRow};
use crate::{AppState, Result};
use domain::staff::InboxFilter;
use domain::stats::{csv_cell, push_csv_cell};
use domain::{Lang, Msg};
use serde_json::json;

/// Rows read by an export's first batch: the first bytes leave soon.
pub const FIRST_BATCH: i64 = 1000;
/// Most rows read per batch (each batch doubles the last up to this): a batch costs SQLite a
/// read of every row of the scope after the last one sent (the unit-or-co-handler scope is read
/// through two indexes and sorted), so a 100,000-row export in batches of 1,000 read 5,000,000
/// rows; growing batches read under 1,000,000, and hold at most this many rows in memory.
pub const MAX_BATCH: i64 = 8000;

/// Whose contact details an export may carry: the appeals the member's unit holds, and for a
/// dispatcher those under their region (as `workflow::may(.., RevealContact, ..)`; a summoned
/// department reveals on the appeal page, one appeal at a time).
#[derive(Debug, Clone)]
pub struct PiiScope {
    pub unit: String,
    pub path_prefix: Option<String>,
}

impl PiiScope {
    #[must_use]
    pub fn covers(&self, r: &LedgerRow) -> bool {
        r.unit == self.unit || self.path_prefix.as_deref().is_some_and(|p| r.scope_path.starts_with(p))
    }
}

/// An export about to be written: the query its batches follow, and whether (and for which
/// rows) it carries contact details.
#[derive(Debug, Clone)]
pub struct Export {
    pub query: InboxQuery,
    pub pii: Option<PiiScope>,
    /// This export's turn (one of the node's [`EXPORTS_AT_ONCE`], and the member's one), given
    /// back when the last copy is dropped (the download ended, broke off, or the workbook was
    /// built), or earlier when its download stalled ([`Export::watch`]).
    turn: std::sync::Arc<std::sync::Mutex<Option<Turn>>>,
    /// How long its download may leave a piece untaken ([`Turns::stall`]).
    stall: std::time::Duration,
}

/// How long a download may leave its next bytes untaken before its export gives its turn back
/// and stops ([`Export::watch`]). Without it a client that stops reading, or reads a few bytes a
/// minute, holds the member's turn and one of the node's for as long as it keeps the connection
/// open. Two minutes for a piece of [`PIECE`] bytes: a download slower than about half a
/// kilobyte a second is broken off.
pub const STALL: std::time::Duration = std::time::Duration::from_secs(120);

/// Bytes a download is handed at a time (a batch is cut into pieces of this size, so that
/// [`STALL`] measures the client's reading, not the size of a batch).
pub const PIECE: usize = 64 * 1024;

/// Whether a download keeps taking its bytes: since when the connection has held a piece
/// without asking for the next (`None` while the export is reading or writing the next one).
#[derive(Debug, Default)]
pub struct Progress(std::sync::Mutex<Option<std::time::Instant>>);

impl Progress {
    fn at(&self) -> std::sync::MutexGuard<'_, Option<std::time::Instant>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A piece (or the response's head) was handed to the connection.
    pub fn handed(&self) {
        *self.at() = Some(std::time::Instant::now());
    }

    /// The connection asked for the next piece.
    pub fn asked(&self) {
        *self.at() = None;
    }

    /// When the connection has held a piece for `stall` or longer, runs `f` (under the same lock
    /// as [`Progress::asked`], so a download asking for its next piece meanwhile is either seen
    /// in time or finds the turn given back) and says so.
    fn stalled_then(&self, stall: std::time::Duration, f: impl FnOnce()) -> bool {
        let at = self.at();
        let stalled = at.is_some_and(|t| t.elapsed() >= stall);
        if stalled {
            f();
        }
        stalled
    }
}

impl Export {
    /// Gives the turn back now, before the last copy of the export is dropped.
    fn give_back(&self) {
        let turn = self.turn.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        drop(turn);
    }

    /// The turn was given back: the download stalled, and the export must stop.
    #[must_use]
    pub fn given_back(&self) -> bool {
        self.turn.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_none()
    }

    /// Watches a download of this export (a task that ends with the export): once the connection
    /// has left a piece untaken for the stall time ([`STALL`]), the turn is given back, so other
    /// exports may start, `drop_held` lets go of what the download holds in memory (the batch
    /// read ahead, the rest of the one going out), and the download breaks off if it ever asks
    /// for its next piece.
    pub fn watch(
        self: &std::sync::Arc<Self>,
        progress: std::sync::Arc<Progress>,
        drop_held: impl FnOnce() + Send + 'static,
    ) {
        let export = std::sync::Arc::downgrade(self);
        let stall = self.stall;
        let every = (stall / 4).max(std::time::Duration::from_millis(10));
        let mut drop_held = Some(drop_held);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(export) = export.upgrade() else { return };
                let stalled = progress.stalled_then(stall, || {
                    export.give_back();
                    if let Some(drop_held) = drop_held.take() {
                        drop_held();
                    }
                });
                if stalled {
                    tracing::warn!(
                        stall_secs = stall.as_secs(),
                        "ledger export: the download took nothing for the stall time; its turn is given back"
                    );
                    return;
                }
            }
        });
    }
}

/// Exports one node writes at once. Each takes about a core and a half while it runs and holds
/// up to two batches (a few MB, more with long descriptions); one more is refused with
/// [`Msg::LedgerBusy`] rather than queued. One member has at most one of them on each node
/// ([`Msg::LedgerOwnBusy`]): a member starting downloads and reading them slowly holds one turn,
/// not all of them, and a download that takes nothing for [`STALL`] gives its turn back.
pub const EXPORTS_AT_ONCE: usize = 2;

/// The node's turns of [`EXPORTS_AT_ONCE`] and who holds them (one per node, in [`AppState`]).
#[derive(Debug, Clone)]
pub struct Turns(std::sync::Arc<TurnsInner>);

#[derive(Debug)]
struct TurnsInner {
    places: std::sync::Arc<tokio::sync::Semaphore>,
    /// Staff ids of the members holding a turn.
    holders: std::sync::Mutex<std::collections::HashSet<String>>,
    /// How long a download may leave a piece untaken ([`STALL`]; shorter in tests).
    stall: std::time::Duration,
}

impl Default for Turns {
    fn default() -> Self {
        Self::with_stall(STALL)
    }
}

impl Turns {
    /// Turns whose downloads are broken off after `stall` without taking a piece.
    #[must_use]
    pub fn with_stall(stall: std::time::Duration) -> Self {
        Self(std::sync::Arc::new(TurnsInner {
            places: std::sync::Arc::new(tokio::sync::Semaphore::new(EXPORTS_AT_ONCE)),
            holders: std::sync::Mutex::new(std::collections::HashSet::new()),
            stall,
        }))
    }

    fn holders(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        // Nothing panics while holding it; if something did, the set is still whole.
        self.0.holders.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A turn for `member`, or why not: the member already has one, or the node has none left.
    fn take(&self, member: &str) -> Result<Turn> {
        let mut holders = self.holders();
        if holders.contains(member) {
            return Err(crate::BackendError::Conflict(Msg::LedgerOwnBusy));
        }
        let place = std::sync::Arc::clone(&self.0.places)
            .try_acquire_owned()
            .map_err(|_| crate::BackendError::Conflict(Msg::LedgerBusy))?;
        holders.insert(member.to_owned());
        Ok(Turn { place: Some(place), turns: self.clone(), member: member.to_owned() })
    }
}

/// One export's place on the node, taken for one member; dropped, both are given back.
#[derive(Debug)]
struct Turn {
    place: Option<tokio::sync::OwnedSemaphorePermit>,
    turns: Turns,
    member: String,
}

impl Drop for Turn {
    fn drop(&mut self) {
        // Both under the lock `take` holds: a member asking again meanwhile finds either both
        // still held or both given back.
        let mut holders = self.turns.holders();
        drop(self.place.take());
        holders.remove(&self.member);
    }
}

/// Checks and records the export; `pii_reason` asks for the contact columns (with why).
///
/// # Errors
/// [`crate::BackendError::Invalid`] for a bad search or a missing reason,
/// [`crate::BackendError::Forbidden`] for contact details asked by an admin,
/// [`crate::BackendError::Conflict`] ([`Msg::LedgerOwnBusy`]) while the member's other export is
/// still going out, ([`Msg::LedgerBusy`]) when this node already writes [`EXPORTS_AT_ONCE`]
/// exports (nothing audited then); database errors (the audit entry).
pub async fn start(
    state: &AppState,
    staff: &crate::auth::Staff,
    f: &InboxFilter,
    format: &str,
    pii_reason: Option<&str>,
) -> Result<Export> {
    let cat = state.catalog.get();
    let now = state.clock.ts();
    let q = filtered_query(&cat, staff, f, now).map_err(crate::BackendError::Invalid)?;
    let pii = match pii_reason {
        None => None,
        Some(_) if staff.role == domain::workflow::Role::Admin => return Err(crate::BackendError::Forbidden),
        Some(why) => {
            let why = why.trim();
            if why.is_empty() {
                return Err(crate::BackendError::invalid(domain::FieldError::new(
                    domain::FieldName::Reason,
                    Msg::ErrReasonEmpty,
                )));
            }
            if why.chars().count() > domain::fields::REASON_MAX {
                return Err(crate::BackendError::invalid(domain::FieldError::new(
                    domain::FieldName::Reason,
                    Msg::ErrReasonLong,
                )));
            }
            Some((
                why.to_owned(),
                PiiScope {
                    unit: staff.unit.clone(),
                    path_prefix: (staff.role == domain::workflow::Role::Dispatcher).then(|| cat.unit_path(&staff.unit)),
                },
            ))
        }
    };
    let turn = state.ledger_turns.take(&staff.id)?;
    crate::services::work::audit_phone_search(state, staff, &q, format).await?;
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
                "q": f.words, "ticket": f.ticket, "unit": f.unit, "from": f.from, "to": f.to,
                "phone": (!f.phone.is_empty()).then(|| domain::fields::mask_phone(&f.phone)),
                "contact": pii.is_some(),
            }),
            reason: pii.as_ref().map(|(why, _)| why.as_str()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Export {
        query: q,
        pii: pii.map(|(_, scope)| scope),
        turn: std::sync::Arc::new(std::sync::Mutex::new(Some(turn))),
        stall: state.ledger_turns.0.stall,
    })
}

/// Where an export is: the last ticket sent, the size of the next batch, and whether the last
/// batch was the end.
#[derive(Debug, Clone)]
pub struct Cursor {
    after: String,
    limit: i64,
    max: i64,
    done: bool,
}

impl Default for Cursor {
    fn default() -> Self {
        Self::sized(FIRST_BATCH, MAX_BATCH)
    }
}

impl Cursor {
    /// A cursor whose batches start at `first` rows and double up to `max` (tests use small ones;
    /// both at most what one read returns, so a full batch is never taken for the last).
    #[must_use]
    pub fn sized(first: i64, max: i64) -> Self {
        let max = max.clamp(1, appeals::LEDGER_BATCH_MAX);
        Self { after: String::new(), limit: first.clamp(1, max), max, done: false }
    }

    /// The last batch read was the export's last.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next batch of the export, in ticket order; `None` once every row was read.
    ///
    /// # Errors
    /// Database errors (the cursor stays where it was).
    pub async fn next(&mut self, state: &AppState, export: &Export) -> Result<Option<Vec<LedgerRow>>> {
        if self.done {
            return Ok(None);
        }
        let rows =
            appeals::ledger_batch(&state.db.pool, &export.query, &self.after, self.limit, export.pii.is_some()).await?;
        match rows.last() {
            Some(last) if i64::try_from(rows.len()).unwrap_or(0) >= self.limit => {
                self.after.clone_from(&last.ticket);
                self.limit = self.limit.saturating_mul(2).min(self.max);
            }
            _ => self.done = true,
        }
        Ok(Some(rows))
    }
}

/// The header line (CRLF-terminated, as spreadsheet programs expect).
#[must_use]
pub fn header(lang: Lang, pii: bool) -> String {
    let mut s = header_cells(lang, pii).iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

/// The column titles.
#[must_use]
pub fn header_cells(lang: Lang, pii: bool) -> Vec<&'static str> {
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
        Msg::LedgerAnswers,
    ];
    let contact = [Msg::LedgerContactName, Msg::LedgerContactPhone];
    cols.iter().chain(if pii { contact.iter() } else { [].iter() }).map(|m| m.text(lang)).collect()
}

/// `t` as China time, `YYYY-MM-DD HH:MM`, written into `out` (nothing for an impossible time).
fn push_local(out: &mut String, t: i64) {
    use std::fmt::Write;
    if let Ok(d) = time::OffsetDateTime::from_unix_timestamp(t) {
        let d = d.to_offset(domain::sla::CHINA);
        // As the `time` crate's `[year]`: a sign only when negative, then at least four digits.
        let sign = if d.year() < 0 { "-" } else { "" };
        let (year, month) = (d.year().unsigned_abs(), u8::from(d.month()));
        let _ = write!(out, "{sign}{year:04}-{month:02}-{:02} {:02}:{:02}", d.day(), d.hour(), d.minute());
    }
}

/// One appeal's line, CSV-escaped and CRLF-terminated, appended to `out` (an export writes a
/// batch's lines into one buffer: no allocation per cell).
pub fn push_line(out: &mut String, cat: &Catalog, lang: Lang, r: &LedgerRow, pii: Option<&PiiScope>) {
    let mut first = true;
    each_cell(cat, lang, r, pii, |cell| {
        if !first {
            out.push(',');
        }
        first = false;
        push_csv_cell(out, cell);
    });
    out.push_str("\r\n");
}

/// One appeal's cells, in the order of [`header_cells`].
#[must_use]
pub fn cells(cat: &Catalog, lang: Lang, r: &LedgerRow, pii: Option<&PiiScope>) -> Vec<String> {
    let mut cells = Vec::with_capacity(14);
    each_cell(cat, lang, r, pii, |cell| cells.push(cell.to_owned()));
    cells
}

/// Hands each of an appeal's cells to `f`, in the order of [`header_cells`] (the one place that
/// says what a ledger row holds: the CSV and the workbook both come from here).
fn each_cell(cat: &Catalog, lang: Lang, r: &LedgerRow, pii: Option<&PiiScope>, mut f: impl FnMut(&str)) {
    let yes_no = |b: bool| if b { Msg::LedgerYes.text(lang) } else { Msg::LedgerNo.text(lang) };
    let mut time = String::with_capacity(16);
    let mut time_cell = |t: Option<i64>, f: &mut dyn FnMut(&str)| {
        time.clear();
        if let Some(t) = t {
            push_local(&mut time, t);
        }
        f(&time);
    };
    match domain::receipt::Ticket::parse(&r.ticket) {
        Ok(t) => f(&t.display()),
        Err(_) => f(&r.ticket),
    }
    time_cell(Some(r.submitted_at), &mut f);
    f(cat
        .categories
        .iter()
        .find(|c| c.code == r.category)
        .map_or(r.category.as_str(), |c| domain::region::localized(lang, &c.name, &c.name_en)));
    let status = match r.status {
        domain::workflow::Status::Closed => Msg::StatusClosed,
        domain::workflow::Status::InProgress => Msg::StatusInProgress,
        domain::workflow::Status::AwaitingInfo => Msg::StatusAwaitingInfo,
        domain::workflow::Status::Assigned => Msg::StatusAssigned,
    };
    f(status.text(lang));
    f(cat.units.get(&r.unit).map_or(r.unit.as_str(), |u| u.name.as_str()));
    time_cell(Some(r.deadline_at), &mut f);
    time_cell(r.closed_at, &mut f);
    f(yes_no(r.urgent != 0));
    f(yes_no(r.supervised != 0));
    // The channel without an API key's number (`open311:7` → `open311`).
    f(match r.channel.split(':').next().unwrap_or("") {
        "web" => Msg::ChannelWeb.text(lang),
        "open311" => Msg::ChannelOpen311.text(lang),
        other => domain::staff::StaffChannel::parse(other).map_or(other, |c| c.label().text(lang)),
    });
    f(&r.description);
    f(&answers_cell(r.answers.as_deref(), lang));
    if let Some(scope) = pii {
        let shown = scope.covers(r);
        for v in [&r.contact_name, &r.contact_phone] {
            f(if shown { v.as_deref().unwrap_or_default() } else { "" });
        }
    }
}

/// The answers to the category's questions in one cell: "label：value；label：value" (in English
/// "label: value; label: value"), in the order asked. Stored text that does not read as answers
/// is left empty (the appeal page logs it).
fn answers_cell(json: Option<&str>, lang: Lang) -> String {
    let Some(answers) = json.and_then(|j| serde_json::from_str::<Vec<domain::questions::StoredAnswer>>(j).ok()) else {
        return String::new();
    };
    let (colon, sep) = match lang {
        Lang::ZhCn => ("：", "；"),
        Lang::En => (": ", "; "),
    };
    answers.iter().map(|a| format!("{}{colon}{}", a.label_in(lang), a.value_in(lang))).collect::<Vec<_>>().join(sep)
}

/// Most rows an XLSX export holds: the workbook is built in memory (the CSV streams without a
/// limit). A bigger selection is refused with a message asking for a narrower filter or the CSV.
pub const XLSX_MAX_ROWS: usize = 100_000;

/// The ledger of `q` as an XLSX workbook (one sheet, a bold frozen header row). Every cell is
/// written as text, so nothing a resident wrote can become a formula.
///
/// # Errors
/// [`crate::BackendError::Conflict`] when the selection has more than [`XLSX_MAX_ROWS`] rows;
/// database errors; the workbook's own errors (as internal).
pub async fn xlsx(state: &AppState, export: &Export, lang: Lang) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let internal = |e: rust_xlsxwriter::XlsxError| crate::BackendError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let pii = export.pii.as_ref();
    for (col, title) in (0u16..).zip(header_cells(lang, pii.is_some())) {
        sheet.write_string_with_format(0, col, title, &bold).map_err(internal)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(internal)?;
    let cat = state.catalog.get();
    let mut cursor = Cursor::default();
    let mut row: u32 = 0;
    while let Some(rows) = cursor.next(state, export).await? {
        for r in &rows {
            row += 1;
            if usize::try_from(row).unwrap_or(usize::MAX) > XLSX_MAX_ROWS {
                return Err(crate::BackendError::Conflict(Msg::ErrLedgerTooBig));
            }
            for (col, text) in (0u16..).zip(cells(&cat, lang, r, pii)) {
                sheet.write_string(row, col, text).map_err(internal)?;
            }
        }
    }
    sheet.set_column_width(0, 16).map_err(internal)?;
    sheet.set_column_width(10, 60).map_err(internal)?;
    book.save_to_buffer().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::answers_cell;
    use domain::questions::StoredAnswer;
    use domain::Lang;

    fn answer(label: &str, label_en: &str, value: &str, value_en: &str) -> StoredAnswer {
        StoredAnswer {
            code: label_en.to_lowercase(),
            label: label.into(),
            label_en: label_en.into(),
            value: value.into(),
            value_en: value_en.into(),
        }
    }

    #[test]
    fn times_are_written_as_the_time_crate_wrote_them() {
        let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
        let times = [
            0,
            1_764_547_200,
            time::macros::datetime!(2026-12-31 23:59:59 +8).unix_timestamp(),
            time::macros::datetime!(0000-01-01 00:00 UTC).unix_timestamp(),
            time::macros::datetime!(-0001-06-01 00:00 UTC).unix_timestamp(),
            time::macros::datetime!(9999-12-31 15:59 UTC).unix_timestamp(),
        ];
        for t in times {
            let old = time::OffsetDateTime::from_unix_timestamp(t)
                .unwrap()
                .to_offset(domain::sla::CHINA)
                .format(&fmt)
                .unwrap();
            let mut new = String::new();
            super::push_local(&mut new, t);
            assert_eq!(new, old, "{t}");
        }
        let mut epoch = String::new();
        super::push_local(&mut epoch, 0);
        assert_eq!(epoch, "1970-01-01 08:00");
    }

    #[test]
    fn answers_go_into_one_cell_in_the_readers_language() {
        let json = serde_json::to_string(&[
            answer("用工单位", "Employer", "某建筑公司", "某建筑公司"),
            answer("拖欠月数", "Months owed", "3", "3"),
            answer("是否签合同", "Contract signed", "否", "No"),
        ])
        .unwrap();
        assert_eq!(answers_cell(Some(&json), Lang::ZhCn), "用工单位：某建筑公司；拖欠月数：3；是否签合同：否");
        assert_eq!(answers_cell(Some(&json), Lang::En), "Employer: 某建筑公司; Months owed: 3; Contract signed: No");
        assert_eq!(answers_cell(None, Lang::ZhCn), "");
        assert_eq!(answers_cell(Some("not json"), Lang::ZhCn), "", "unreadable stored text is left out");
        // The label comes first, so an answer never starts a cell: it cannot run as a formula.
        let formula = serde_json::to_string(&[answer("金额", "Amount", "=1+1", "=1+1")]).unwrap();
        assert_eq!(super::csv_cell(&answers_cell(Some(&formula), Lang::En)), "Amount: =1+1");
    }
}
