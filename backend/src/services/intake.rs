//! Appeals recorded by staff (issue 13, "every channel into one ledger"): brought by phone, at
//! the counter, or found on patrol. They go through the same validation, routing, deadlines and
//! storage as the resident's wizard (`appeal::accept`), carry their channel, and give the
//! resident the same receipt (ticket and key): shown once to the member to read out or print,
//! and for a named resident who asks, sent by SMS through the outbox in the appeal's own
//! transaction. Each is audited.
//!
//! **Where.** A grid worker on patrol gives the phone's GPS point (the wizard's `LocateButton`
//! island): it is routed as a resident's point is, by the cell it lies in, and must lie in the
//! city's grid. Without a point, the cell chosen places the appeal (its centre), and a grid
//! worker's own cell is the default.

use crate::audit::{self, Entry};
use crate::auth::Staff;
use crate::catalog::Catalog;
use crate::services::appeal::{accept, Channel, Intake};
use crate::{AppState, BackendError, Result};
use domain::draft::Draft;
use domain::fields::{FieldError, FieldName, GeoPoint};
use domain::region::{Level, Region};
use domain::routing::Place;
use domain::staff::StaffChannel;
use domain::workflow::Role;
use domain::Msg;
use serde_json::json;

/// The intake form as posted.
#[derive(Debug, Clone, Default)]
pub struct IntakeForm {
    pub channel: String,
    pub category: String,
    pub description: String,
    /// A grid cell of the member's area (its centre places the appeal), unless a point is given.
    /// Empty for a grid worker: their own cell (see [`default_cell`]).
    pub cell: String,
    /// The point from the phone's GPS (the `LocateButton` island fills them): routed like a
    /// resident's point, by the cell it lies in; it must lie in the city's grid.
    pub lat: String,
    pub lng: String,
    /// "Do not use this location": the point is ignored and the cell places the appeal.
    pub drop_point: bool,
    pub address_note: String,
    /// `anonymous` or `named`.
    pub identity: String,
    pub name: String,
    pub phone: String,
    /// Send the receipt to the named resident's phone.
    pub sms: bool,
    /// The language the receipt's SMS is written in: the page's (the member speaks with the
    /// resident in it).
    pub lang: domain::Lang,
    /// The form's one-time token (see [`new_form_token`]).
    pub token: String,
    /// Answers to the chosen category's extra questions, by code (issue 13).
    pub answers: domain::questions::RawAnswers,
}

/// What the member reads out or prints: the ticket and the key (the key is never shown again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeReceipt {
    pub ticket: String,
    pub key: String,
    pub sms_queued: bool,
}

/// A fresh one-time token for an intake form.
#[must_use]
pub fn new_form_token() -> String {
    crate::crypto::random_hex()
}

/// The grid cells `staff` may record appeals in: those under their unit's region (all of them
/// for the city centre), sorted by code.
#[must_use]
pub fn cells_for<'a>(cat: &'a Catalog, staff: &Staff) -> Vec<&'a Region> {
    let prefix = cat.unit_path(&staff.unit);
    let mut v: Vec<&Region> = cat
        .regions
        .iter()
        .filter(|r| r.level == Level::Grid && cat.region_path(&r.code).starts_with(&prefix))
        .collect();
    v.sort_by(|a, b| a.code.cmp(&b.code));
    v
}

/// The cell an appeal is placed in when the member gives neither a point nor a cell: a grid
/// worker's own (the one cell of their area). Others choose: a community or a centre has many.
#[must_use]
pub fn default_cell<'a>(cat: &'a Catalog, staff: &Staff) -> Option<&'a Region> {
    match (staff.role, cells_for(cat, staff).as_slice()) {
        (Role::GridWorker, [only]) => Some(*only),
        _ => None,
    }
}

/// The answers' problems against the chosen category's questions (none for an unknown category
/// or one that asks nothing): the form shows each at its question.
#[must_use]
pub fn answer_errors(state: &AppState, f: &IntakeForm) -> Vec<domain::questions::AnswerError> {
    let cat = state.catalog.get();
    domain::questions::check(cat.questions(&f.category), &f.answers).err().unwrap_or_default()
}

/// Records an appeal brought to `staff`.
///
/// # Errors
/// [`BackendError::Forbidden`] for admins (they never act on appeals); [`BackendError::Invalid`]
/// with every bad field; [`BackendError::Conflict`] when the same form was already recorded;
/// routing or database errors.
pub async fn record(state: &AppState, staff: &Staff, f: &IntakeForm) -> Result<IntakeReceipt> {
    if staff.role == Role::Admin {
        return Err(BackendError::Forbidden);
    }
    let cat = state.catalog.get();
    let mut errors: Vec<FieldError> = Vec::new();
    let channel = StaffChannel::parse(&f.channel);
    if channel.is_none() {
        errors.push(FieldError::new(FieldName::Channel, Msg::ErrChannelMissing));
    }
    if f.token.len() != 32 || !f.token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(BackendError::BadRequest(vec!["the form's token is missing; open the form again".into()]));
    }
    // The resident's own rules, field by field (the draft's validators), then the catalogue.
    // The point is checked below (the Where step is not among these).
    let d = Draft {
        category: f.category.clone(),
        description: f.description.clone(),
        address_note: f.address_note.clone(),
        identity: f.identity.clone(),
        name: f.name.clone(),
        phone: f.phone.clone(),
        ..Draft::default()
    };
    use domain::draft::Step;
    for step in [Step::Category, Step::What, Step::Who] {
        errors.extend(d.step_errors(step));
    }
    let category = cat.category(f.category.trim());
    if category.is_none() && !f.category.trim().is_empty() {
        errors.push(FieldError::new(FieldName::Category, Msg::ErrCategoryUnknown));
    }
    // The resident's rules for the chosen category's questions; each problem's detail comes
    // from [`answer_errors`], this one entry says there is some.
    let answers = match domain::questions::check(cat.questions(&f.category), &f.answers) {
        Ok(a) => a,
        Err(_) => {
            errors.push(FieldError::new(FieldName::Answers, Msg::ErrAnswersBelow));
            Vec::new()
        }
    };
    // The point: the wizard's parser, then the routing index's own lookup. The resident's
    // wizard sends a point outside every cell to the city centre; a member recording an appeal
    // has the cell menu instead, so such a point (a poor fix indoors, a phone elsewhere) is
    // refused at the field rather than dispatched by hand.
    let point = match GeoPoint::parse(&f.lat, &f.lng) {
        _ if f.drop_point => None,
        Ok(Some(p)) if cat.router.cell_at(p).is_none() => {
            errors.push(FieldError::new(FieldName::Location, Msg::ErrIntakePointOutside));
            None
        }
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let cell = match f.cell.trim() {
        "" => default_cell(&cat, staff).map_or("", |r| r.code.as_str()),
        c => c,
    };
    let placed_by = if point.is_some() { "gps" } else { "cell" };
    let place = match (point, cell) {
        (Some(p), _) => Some(Place::Point(p)),
        (None, "") => {
            if !errors.iter().any(|e| e.field == FieldName::Location) {
                errors.push(FieldError::new(FieldName::Region, Msg::ErrRegionMissing));
            }
            None
        }
        (None, code) => match cells_for(&cat, staff).iter().find(|r| r.code == code) {
            Some(r) => cat.cell_center(&r.code).map(Place::Point).or_else(|| Some(Place::Region(r.code.clone()))),
            None => {
                errors.push(FieldError::new(FieldName::Region, Msg::ErrRegionUnknown));
                None
            }
        },
    };
    let note = match domain::fields::AddressNote::parse(&f.address_note) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let identity = domain::fields::Identity::parse(&f.identity, &f.name, &f.phone).ok();
    let description = domain::fields::Description::parse(&f.description).ok();
    let (Some(channel), Some(category), Some(place), Some(identity), Some(description), true) =
        (channel, category, place, identity, description, errors.is_empty())
    else {
        return Err(BackendError::Invalid(errors));
    };
    let sms = match (&identity, f.sms) {
        (domain::fields::Identity::Named { phone, .. }, true) => Some(phone.as_str().to_owned()),
        _ => None,
    };
    // Its own namespace in the submit-token column: a token a member typed or copied can never
    // take the place of a resident's draft token (which would block that resident's submission).
    let token = format!("staff:{}", f.token.to_ascii_lowercase());
    let intake = Intake {
        category,
        description: &description,
        place: Some(place),
        address_note: note.as_ref(),
        identity: &identity,
        publish: false,
        answers: &answers,
        join: None,
        channel: Channel::Staff { kind: channel.as_str(), token: &token, sms: sms.as_deref(), lang: f.lang },
    };
    let a = accept(state, &cat, &intake, state.clock.now()).await?;
    let key = a.key.ok_or_else(|| BackendError::Internal("intake: no key drawn".into()))?;
    audit::record(
        &state.db.pool,
        &Entry {
            at: state.clock.ts(),
            who: &staff.who(),
            action: "intake",
            ticket: Some(&a.ticket),
            detail: json!({ "channel": channel.as_str(), "unit": a.unit, "sms": sms.is_some(), "placed_by": placed_by }),
            reason: None,
        },
    )
    .await?;
    Ok(IntakeReceipt { ticket: a.ticket, key, sms_queued: sms.is_some() })
}
