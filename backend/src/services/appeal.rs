//! Writing an appeal step by step, then submitting it: validate, route, start the clock, and
//! store the appeal, its routing and its first events in one durable transaction.
//!
//! A draft exists only once its first step is posted ([`start`]): the server then issues its
//! token (in the wizard's URLs) and a second secret for the browser's cookie, and keeps only that
//! secret's hash. Every later read or write needs both, so a token seen on a screen,
//! in a history or on a printed QR code opens nothing in another browser.
//!
//! The draft token issued with the first form is also the submission's idempotency key: the
//! appeal row is unique per token, so a double tap, a retry over a flaky network, or going back
//! and submitting again all land on the same appeal and the same receipt.

use crate::catalog::Catalog;
use crate::photos;
use crate::state::AppState;
use crate::store::{appeals, drafts};
use crate::{BackendError, Result};
use domain::draft::{Draft, Step, ValidDraft};
use domain::fields::{AddressNote, Description, FieldError, FieldName, Identity};
use domain::receipt::{AccessKey, Ticket};
use domain::region::{Category, Level};
use domain::routing::{Place, RouteReason};
use domain::views::{CategoryView, DraftView, PointPlace, ReceiptView, RegionView, UnitView};
use domain::Msg;
use std::collections::HashMap;
use time::OffsetDateTime;

/// A fresh draft token: 128 random bits as 32 hex digits.
#[must_use]
pub fn new_token() -> String {
    crate::crypto::random_hex()
}

/// Tokens are exactly what [`new_token`] makes; anything else is refused before touching the db.
#[must_use]
pub fn valid_token(t: &str) -> bool {
    t.len() == 32 && t.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// SHA-256 of the normalised key. The key has 130 random bits, so a fast hash is enough: there is
/// nothing to brute-force that a slow hash would protect.
#[must_use]
pub fn hash_key(key: &AccessKey) -> String {
    crate::crypto::sha256_hex(key.as_str())
}

fn region_view(r: &domain::region::Region) -> RegionView {
    RegionView { code: r.code.clone(), name: r.name.clone(), name_en: r.name_en.clone() }
}

/// SHA-256 (hex) of a draft's browser secret, as the draft row keeps it.
#[must_use]
pub fn hash_secret(secret: &str) -> String {
    crate::crypto::sha256_hex(secret)
}

/// The draft of `token`, if `secret` (from the cookie of the browser that started it) matches.
/// An unknown token, a draft without binding (older than the binding) and a wrong or missing
/// secret all give the same [`BackendError::NotFound`]: the caller shows "expired" and nothing
/// of the draft.
async fn load(state: &AppState, token: &str, secret: &str) -> Result<(Draft, drafts::DraftRow)> {
    if !valid_token(token) || !valid_token(secret) {
        return Err(BackendError::NotFound);
    }
    let row = drafts::get(&state.db.pool, token).await?.ok_or(BackendError::NotFound)?;
    let given = hash_secret(secret);
    if !row.browser_hash.as_deref().is_some_and(|h| crate::crypto::same_token(h, &given)) {
        return Err(BackendError::NotFound);
    }
    let d = serde_json::from_str(&row.data).map_err(|e| BackendError::Internal(format!("draft json: {e}")))?;
    Ok((d, row))
}

fn view_of(
    state: &AppState,
    token: &str,
    draft: Draft,
    photo_ids: Vec<String>,
    submitted_ticket: Option<String>,
) -> DraftView {
    let cat = state.catalog.get();
    let children = |parent: &str, level: Level| -> Vec<RegionView> {
        if parent.trim().is_empty() {
            Vec::new()
        } else {
            cat.children(Some(parent.trim()), level).into_iter().map(region_view).collect()
        }
    };
    let place_names = [&draft.district, &draft.street, &draft.community]
        .into_iter()
        .filter_map(|c| cat.region(c.trim()))
        .map(|r| (r.name.clone(), r.name_en.clone()))
        .collect();
    let point_place = point_place(&cat, &draft.lat, &draft.lng);
    let questions = cat.questions(&draft.category).to_vec();
    DraftView {
        token: token.to_owned(),
        categories: cat
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                urgent: c.urgent,
            })
            .collect(),
        districts: cat.children(None, Level::District).into_iter().map(region_view).collect(),
        streets: children(&draft.district, Level::Street),
        communities: children(&draft.street, Level::Community),
        photo_ids,
        submitted_ticket,
        category_name: cat.category(draft.category.trim()).map(|c| (c.name.clone(), c.name_en.clone())),
        place_names,
        point_place,
        questions,
        related: Vec::new(),
        draft,
    }
}

/// The cell holding the draft's point, named from its community down (issue 14), or
/// [`PointPlace::OutsideGrid`]: the same lookup routing will make at submission, so the resident
/// sees where the appeal will go before sending it. `None` without a well-formed point.
fn point_place(cat: &Catalog, lat: &str, lng: &str) -> Option<PointPlace> {
    let point = domain::fields::GeoPoint::parse(lat, lng).ok()??;
    let Some(cell) = cat.router.cell_at(point) else { return Some(PointPlace::OutsideGrid) };
    let mut names = Vec::new();
    let mut code = Some(cell.to_owned());
    // Up from the cell to its community: the levels a resident recognises on the ground.
    while let Some(r) = code.as_deref().and_then(|c| cat.region(c)) {
        names.push((r.name.clone(), r.name_en.clone()));
        if r.level <= Level::Community {
            break;
        }
        code.clone_from(&r.parent);
    }
    names.reverse();
    Some(PointPlace::InCell(names))
}

/// The first step of a draft that does not exist yet (`/appeal/new`): nothing is stored and no
/// token issued until the resident posts it (see [`start`]). The view's token is empty.
#[must_use]
pub fn blank_view(state: &AppState) -> DraftView {
    view_of(state, "", Draft::default(), Vec::new(), None)
}

/// Everything the wizard pages need for this draft, if `secret` is the one of the browser that
/// started it.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown token or a wrong secret; database errors.
pub async fn draft_view(state: &AppState, token: &str, secret: &str) -> Result<DraftView> {
    let (draft, row) = load(state, token, secret).await?;
    let photo_ids = drafts::photo_ids(&state.db.pool, token).await?;
    let cat = state.catalog.get();
    // The offer of appeals on the same matter (issue 13), for this browser's own draft only,
    // once its category and point are known and while it is not sent.
    let related = match offer_cell(&cat, &draft).filter(|_| row.ticket.is_none()) {
        Some(cell) => crate::services::related::offers(state, &cat, draft.category.trim(), &cell).await?,
        None => Vec::new(),
    };
    let mut v = view_of(state, token, draft, photo_ids, row.ticket);
    v.related = related;
    Ok(v)
}

/// Where the draft is for the offer of appeals on the same matter: the grid cell its point falls
/// in (where routing will take it), or without a point the community chosen from the cascade.
fn offer_cell(cat: &Catalog, d: &Draft) -> Option<crate::services::related::OfferPlace> {
    use crate::services::related::OfferPlace;
    match domain::fields::GeoPoint::parse(&d.lat, &d.lng) {
        Ok(Some(point)) => cat.router.cell_at(point).map(|c| OfferPlace::Cell(c.to_owned())),
        Ok(None) => Some(d.community.trim())
            .filter(|c| cat.region(c).is_some_and(|r| r.level == Level::Community))
            .map(|c| OfferPlace::Community(c.to_owned())),
        Err(_) => None,
    }
}

/// Where the resident goes after posting a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// Saved and valid: show this step next.
    Go(Step),
    /// Saved with errors (kept in the draft): show this step again.
    Stay(Step),
    /// Already submitted: show the receipt.
    Submitted,
}

fn catalog_errors(cat: &Catalog, d: &Draft, step: Step) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if step == Step::Category && !d.category.trim().is_empty() && cat.category(d.category.trim()).is_none() {
        errs.push(FieldError::new(FieldName::Category, Msg::ErrCategoryUnknown));
    }
    if step == Step::Where {
        // Each chosen level must exist and sit under the level chosen above it.
        let chain = [
            (&d.district, Level::District, None),
            (&d.street, Level::Street, Some(&d.district)),
            (&d.community, Level::Community, Some(&d.street)),
        ];
        for (code, level, parent) in chain {
            let code = code.trim();
            if code.is_empty() {
                continue;
            }
            let ok = cat
                .region(code)
                .is_some_and(|r| r.level == level && parent.is_none_or(|p| r.parent.as_deref() == Some(p.trim())));
            if !ok {
                errs.push(FieldError::new(FieldName::Region, Msg::ErrRegionUnknown));
                break;
            }
        }
    }
    errs
}

/// Applies one step's posted fields to the draft and checks them; returns whether the resident
/// only refined the region cascade, and the posted `action`.
fn apply_step(state: &AppState, d: &mut Draft, step: Step, form: &HashMap<String, String>) -> (bool, String) {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let action = get("action");
    let mut bad_pick = false;
    match step {
        Step::Category => {
            d.category = get("category");
            // A description carried from the legal-aid self-check (/appeal/new?description=…)
            // fills an empty "what happened"; it never overwrites what the resident wrote.
            let carried = get("description");
            if d.description.trim().is_empty() && !carried.trim().is_empty() {
                d.description = carried.chars().take(domain::fields::DESCRIPTION_MAX).collect();
            }
        }
        Step::What => {
            d.description = get("description");
            // Only the chosen category's questions are read; answers to another category's
            // (typed before the category was changed) are dropped with the rest of the form.
            let cat = state.catalog.get();
            d.answers = domain::questions::from_form(cat.questions(&d.category), |k| form.get(k).map(String::as_str));
        }
        Step::Where => {
            if action == "clear_location" {
                d.lat.clear();
                d.lng.clear();
            } else {
                d.lat = get("lat");
                d.lng = get("lng");
            }
            // A lower level is kept only if it lies in the level posted above it: with JavaScript
            // off, a changed district still posts the old district's street.
            let cat = state.catalog.get();
            let under = |child: &str, parent: &str| {
                !child.trim().is_empty()
                    && cat.region(child.trim()).is_some_and(|r| r.parent.as_deref() == Some(parent.trim()))
            };
            let (district, street, community) = (get("district"), get("street"), get("community"));
            let street = if under(&street, &district) { street } else { String::new() };
            let community = if under(&community, &street) { community } else { String::new() };
            d.district = district;
            d.street = street;
            d.community = community;
            d.address_note = get("address_note");
            // A point outside the city that the page has already said so about gives way to a
            // place chosen below (the page says that choosing is enough; issue 14).
            if let Ok(Some(p)) = domain::fields::GeoPoint::parse(&d.lat, &d.lng) {
                if cat.router.cell_at(p).is_none()
                    && point_shown(form, p) == Some(true)
                    && d.chosen_region().is_some_and(|r| cat.region(r).is_some())
                {
                    d.lat.clear();
                    d.lng.clear();
                }
            }
            // A grid cell picked on the map (issue 14): a point routing places in that very cell,
            // and the cascade set to its community, so both say the same place.
            let picked = get("pick");
            if !picked.trim().is_empty() {
                if let Some(p) = super::where_map::pick(&cat, &picked) {
                    d.lat = p.point.lat.to_string();
                    d.lng = p.point.lng.to_string();
                    d.district = p.district;
                    d.street = p.street;
                    d.community = p.community;
                } else {
                    bad_pick = true;
                }
            }
        }
        Step::Who => {
            d.identity = get("identity");
            // Anonymous: a name or number typed before choosing it is not kept, not even in the
            // draft (the page says so, issue 14); coming back to "named" starts them empty. With
            // no choice made yet the fields are on show and kept, for the error to be answered.
            let anonymous = d.identity.trim() == "anonymous";
            d.name = if anonymous { String::new() } else { get("name") };
            d.phone = if anonymous { String::new() } else { get("phone") };
            // A checkbox: posted only when ticked, so anything else (JavaScript off, unticked) is off.
            d.publish = get("publish") == "1";
        }
        Step::Photos | Step::Check => {}
    }
    // Zooming or picking on the map (issue 14) saves the step like "refine" and stays on it.
    let on_map =
        step == Step::Where && ["zoom", "pick"].iter().any(|k| form.get(*k).is_some_and(|v| !v.trim().is_empty()));
    let refine = action == "refine" || action == "clear_location" || on_map;
    let mut errs = if refine { Vec::new() } else { d.step_errors(step) };
    if errs.is_empty() {
        errs = catalog_errors(&state.catalog.get(), d, step);
    }
    if errs.is_empty() && step == Step::Where && !refine {
        errs.extend(outside_city(&state.catalog.get(), d));
    }
    if bad_pick {
        errs.push(FieldError::new(FieldName::Region, Msg::ErrRegionUnknown));
    }
    d.errors = errs;
    // The answers are checked with the description, every error at once (the resident fixes
    // them on one page).
    d.answer_errors = if step == Step::What { answer_errors(&state.catalog.get(), d) } else { Vec::new() };
    d.error_step = (!d.errors.is_empty() || !d.answer_errors.is_empty()).then_some(step);
    // A new point, valid and in the city, is named back on the step before the wizard moves on
    // (issue 14): "下一步" after "使用我的位置" (or a tap on the map) shows the step again with
    // its community and grid cell, and the next "下一步" goes on.
    let unseen = step == Step::Where
        && !refine
        && d.errors.is_empty()
        && domain::fields::GeoPoint::parse(&d.lat, &d.lng)
            .ok()
            .flatten()
            .is_some_and(|p| point_shown(form, p) == Some(false));
    (refine || unseen, action)
}

/// Whether the "where" page named the place of `point` before it was posted: the page sends
/// back the point it named in `point_shown` ("lat,lng", empty when it named none), and a new
/// fix (the location button, a tap on the map) changes only `lat` and `lng`. `None` for a post
/// without that field (not from the page: a script, or a page older than the field), taken as
/// it comes.
fn point_shown(form: &HashMap<String, String>, point: domain::fields::GeoPoint) -> Option<bool> {
    let shown = form.get("point_shown")?;
    let named = shown.split_once(',').and_then(|(lat, lng)| domain::fields::GeoPoint::parse(lat, lng).ok().flatten());
    Some(named == Some(point))
}

/// The where step's error for a point outside every grid cell of the city (issue 14): the
/// resident's wizard does not send it to the city centre unseen, but asks for the place by the
/// cascade or the map. (Open311 and staff intake keep their own rules.)
fn outside_city(cat: &Catalog, d: &Draft) -> Option<FieldError> {
    let point = domain::fields::GeoPoint::parse(&d.lat, &d.lng).ok()??;
    cat.router.cell_at(point).is_none().then(|| FieldError::new(FieldName::Location, Msg::ErrPointOutsideCity))
}

/// The draft's answers against its category's questions: one error per question that is wrong.
fn answer_errors(cat: &Catalog, d: &Draft) -> Vec<domain::questions::AnswerError> {
    domain::questions::check(cat.questions(&d.category), &d.answers).err().unwrap_or_default()
}

fn outcome(d: &Draft, step: Step, refine: bool, action: &str) -> StepOutcome {
    if !d.errors.is_empty() || !d.answer_errors.is_empty() || refine {
        StepOutcome::Stay(step)
    } else if action == "check" {
        StepOutcome::Go(Step::Check)
    } else {
        StepOutcome::Go(step.next())
    }
}

/// A draft just started: its token (in its URLs), the browser secret (for the cookie only; the
/// draft keeps its hash) and where the resident goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    pub token: String,
    pub secret: String,
    pub outcome: StepOutcome,
}

/// Starts a draft with the first step's fields (`/form/appeal/new`): the only way a draft comes
/// into being, so every valid token was issued by the server to the browser holding its secret.
///
/// # Errors
/// Rate limit on new drafts, or database errors.
pub async fn start(state: &AppState, client: &str, form: &HashMap<String, String>) -> Result<NewDraft> {
    if !state.submit_limiter.check(client).await {
        return Err(BackendError::RateLimited);
    }
    let mut d = Draft::default();
    let (refine, action) = apply_step(state, &mut d, Step::Category, form);
    let json = serde_json::to_string(&d).map_err(|e| BackendError::Internal(e.to_string()))?;
    let (token, secret) = (new_token(), new_token());
    drafts::create(&state.db.pool, &token, &hash_secret(&secret), &json, state.clock.ts()).await?;
    let outcome = outcome(&d, Step::Category, refine, &action);
    Ok(NewDraft { token, secret, outcome })
}

/// Saves one step's fields (`form` holds the posted values by input name).
///
/// `action` is `refine` when the resident only asked for the next level of the region cascade,
/// `check` when they came from the check page (valid input returns them there).
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown token or a wrong browser secret (nothing is
/// written), or database errors.
pub async fn save_step(
    state: &AppState,
    token: &str,
    secret: &str,
    step: Step,
    form: &HashMap<String, String>,
) -> Result<StepOutcome> {
    let (mut d, row) = load(state, token, secret).await?;
    if row.ticket.is_some() {
        return Ok(StepOutcome::Submitted);
    }
    let (refine, action) = apply_step(state, &mut d, step, form);
    let json = serde_json::to_string(&d).map_err(|e| BackendError::Internal(e.to_string()))?;
    if !drafts::save(&state.db.pool, token, &json, state.clock.ts()).await? {
        return Ok(StepOutcome::Submitted);
    }
    Ok(outcome(&d, step, refine, &action))
}

/// Whether this browser (`secret`) holds this open draft: [`BackendError::NotFound`] otherwise,
/// the same answer as for an unknown token. Checked before an upload's body is read.
///
/// # Errors
/// Unknown token, wrong or missing secret, or database errors.
pub async fn check_binding(state: &AppState, token: &str, secret: &str) -> Result<()> {
    load(state, token, secret).await.map(|_| ())
}

/// Re-encodes and adds a photo to the draft.
///
/// # Errors
/// [`BackendError::Invalid`] with the photo's problem (type, size, unreadable, too many).
pub async fn add_photo(state: &AppState, token: &str, secret: &str, bytes: Vec<u8>) -> Result<()> {
    let (_, row) = load(state, token, secret).await?;
    if row.ticket.is_some() {
        return Ok(());
    }
    // A full draft is refused before anything is decoded (issue 9 §5).
    photos::check_room(&state.db.pool, token, bytes.len()).await?;
    let photo = state.uploads.reencode(bytes).await.map_err(BackendError::invalid)?;
    photos::store(&state.db.pool, token, &new_token(), &photo, state.clock.ts()).await
}

/// # Errors
/// Unknown token or wrong browser secret ([`BackendError::NotFound`]), or database errors.
pub async fn remove_photo(state: &AppState, token: &str, secret: &str, id: &str) -> Result<()> {
    load(state, token, secret).await?;
    drafts::remove_photo(&state.db.pool, token, id).await
}

/// A draft photo's JPEG bytes, or its thumbnail's.
///
/// # Errors
/// [`BackendError::NotFound`] for unknown token or id, or a wrong browser secret.
pub async fn draft_photo(state: &AppState, token: &str, secret: &str, id: &str, size: photos::Size) -> Result<Vec<u8>> {
    load(state, token, secret).await?;
    drafts::photo(&state.db.pool, token, id, size).await?.ok_or(BackendError::NotFound)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Stored (now or by an earlier identical submission); show the receipt.
    Accepted { ticket: String },
    /// Some step is not valid: show it (its errors are saved in the draft).
    Incomplete(Step),
}

/// Submits the draft: validates every step, routes, and stores the appeal with its first events.
///
/// # Errors
/// Unknown token or wrong browser secret ([`BackendError::NotFound`]), routing impossible (no city centre imported), or
/// database errors.
pub async fn submit(state: &AppState, token: &str, secret: &str, now: OffsetDateTime) -> Result<SubmitOutcome> {
    submit_joining(state, token, secret, None, now).await
}

/// [`submit`], joining the open appeal `join` on the same matter when the resident chose one of
/// the check step's offers (issue 13): the appeal is theirs, with its own receipt, and follows
/// that one. A ticket that is not (any longer) offered to this draft sends them back to the
/// check step with the reason.
///
/// # Errors
/// As [`submit`].
pub async fn submit_joining(
    state: &AppState,
    token: &str,
    secret: &str,
    join: Option<&str>,
    now: OffsetDateTime,
) -> Result<SubmitOutcome> {
    let (mut d, row) = load(state, token, secret).await?;
    if let Some(ticket) = row.ticket {
        return Ok(SubmitOutcome::Accepted { ticket });
    }
    let cat = state.catalog.get();
    // Steps in order; the first with a format or catalog problem is where the resident goes.
    let first_problem = Step::ALL.into_iter().find_map(|step| {
        let mut errs = d.step_errors(step);
        if errs.is_empty() {
            errs = catalog_errors(&cat, &d, step);
        }
        if errs.is_empty() && step == Step::Where {
            errs.extend(outside_city(&cat, &d));
        }
        let answer_errs = if step == Step::What { answer_errors(&cat, &d) } else { Vec::new() };
        (!errs.is_empty() || !answer_errs.is_empty()).then_some((step, errs, answer_errs))
    });
    let valid = match first_problem {
        Some(problem) => Err(problem),
        None => d.validate().map_err(|(step, errs)| (step, errs, Vec::new())),
    };
    let v: ValidDraft = match valid {
        Ok(v) => v,
        Err((step, errs, answer_errs)) => {
            d.errors = errs;
            d.answer_errors = answer_errs;
            d.error_step = Some(step);
            let json = serde_json::to_string(&d).map_err(|e| BackendError::Internal(e.to_string()))?;
            drafts::save(&state.db.pool, token, &json, state.clock.ts()).await?;
            return Ok(SubmitOutcome::Incomplete(step));
        }
    };
    let category = cat.category(v.category.as_str()).ok_or(BackendError::NotFound)?;
    // Checked above (no answer errors), so this is the accepted list.
    let answers = domain::questions::check(cat.questions(&category.code), &d.answers).unwrap_or_default();
    let place = match (v.point, &v.region) {
        (Some(p), _) => Place::Point(p),
        (None, Some(r)) => Place::Region(r.as_str().to_owned()),
        (None, None) => return Ok(SubmitOutcome::Incomplete(Step::Where)),
    };
    // Joining an appeal on the same matter (issue 13): only one the check step offers this
    // draft now; one closed or merged since sends the resident back to choose again.
    let join = join.map(str::trim).filter(|j| !j.is_empty());
    if let Some(j) = join {
        let offered = match offer_cell(&cat, &d) {
            Some(cell) => crate::services::related::offers(state, &cat, &category.code, &cell).await?,
            None => Vec::new(),
        };
        if !offered.iter().any(|o| o.ticket == j) {
            d.errors = vec![FieldError::new(domain::FieldName::Ticket, Msg::ErrJoinGone)];
            d.answer_errors = Vec::new();
            d.error_step = Some(Step::Check);
            let json = serde_json::to_string(&d).map_err(|e| BackendError::Internal(e.to_string()))?;
            drafts::save(&state.db.pool, token, &json, state.clock.ts()).await?;
            return Ok(SubmitOutcome::Incomplete(Step::Check));
        }
    }
    let intake = Intake {
        category,
        description: &v.description,
        place: Some(place),
        address_note: v.address_note.as_ref(),
        identity: &v.identity,
        publish: v.publish,
        answers: &answers,
        join,
        channel: Channel::Web { token },
    };
    let ticket = accept(state, &cat, &intake, now).await?.ticket;
    Ok(SubmitOutcome::Accepted { ticket })
}

/// Where a validated appeal came in; decides what its transaction does besides the shared part.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Channel<'a> {
    /// The wizard. The draft token is the idempotency key (one appeal per draft, whatever the
    /// number of submissions); the draft's photos move to the appeal and the draft keeps the
    /// receipt.
    Web { token: &'a str },
    /// An Open311 client, by the id of its API key. No idempotency key exists in GeoReport v2, so
    /// each POST is a new appeal; the access key is drawn and thrown away (such appeals are
    /// followed by their public id).
    Open311 { key_id: i64, media_url: Option<&'a str> },
    /// Recorded by staff (issue 13): `kind` is `phone`, `counter` or `patrol`; `token` is the
    /// form's one-time token (one appeal per form, however often it is posted); `sms` is the
    /// named resident's phone when they asked for the receipt by SMS, written in `lang`.
    Staff { kind: &'a str, token: &'a str, sms: Option<&'a str>, lang: domain::Lang },
}

/// A validated appeal, whichever way it came in.
pub(crate) struct Intake<'a> {
    pub category: &'a Category,
    pub description: &'a Description,
    /// `None` when the grid cannot place it (an Open311 address given as text only): the city
    /// centre gets it for manual dispatch, as for a point outside every cell.
    pub place: Option<Place>,
    pub address_note: Option<&'a AddressNote>,
    pub identity: &'a Identity,
    /// The resident asked to publish the description (issue 9 §3). Always false from Open311:
    /// GeoReport v2 has no field in which a resident could consent.
    pub publish: bool,
    /// Accepted answers to the category's extra questions (issue 13), stored with the appeal.
    pub answers: &'a [domain::questions::StoredAnswer],
    /// The open appeal on the same matter the resident chose to join (the wizard only).
    pub join: Option<&'a str>,
    pub channel: Channel<'a>,
}

/// Routes an appeal, starts its clock and stores it with its first two timeline events and the
/// new-assignment notification of its unit, in one transaction (with the channel's own extras);
/// returns the ticket in stored form. Every way of submitting goes through here.
///
/// # Errors
/// Routing impossible (no city centre imported), or database errors.
pub(crate) async fn accept(
    state: &AppState,
    cat: &Catalog,
    intake: &Intake<'_>,
    now: OffsetDateTime,
) -> Result<Accepted> {
    let category = intake.category;
    let routed = match &intake.place {
        Some(place) => cat.router.route(category, place),
        None => cat.router.outside_grid(),
    }
    .map_err(|e| BackendError::Internal(format!("routing: {e}")))?;
    let point = match &intake.place {
        Some(Place::Point(p)) => Some(*p),
        _ => None,
    };
    let cal = crate::services::deadlines::calendar_cached(state).await?;
    let deadlines = domain::sla::deadlines(&cal, now, category.deadline_days, category.urgent, domain::sla::CHINA);
    let scope_path = cat.unit_path(&routed.unit);
    let contact = match intake.identity {
        Identity::Anonymous => None,
        Identity::Named { name, phone } => Some((name.as_str(), phone.as_str())),
    };
    let (channel, media_url) = match intake.channel {
        Channel::Web { .. } => ("web".to_owned(), None),
        Channel::Open311 { key_id, media_url } => (format!("open311:{key_id}"), media_url),
        Channel::Staff { kind, .. } => (kind.to_owned(), None),
    };
    // Open311 has no idempotency key; a fresh one fills the unique column. It starts with the
    // time so that its index entry goes at the end of the index, next to the previous one: a
    // random one lands on a different index page per appeal, and every page a batch touches
    // is another 4 KB written to the WAL and synced (the random half keeps it unique across
    // nodes and within a microsecond).
    let fresh_token;
    let submit_token = match intake.channel {
        Channel::Web { token } | Channel::Staff { token, .. } => token,
        Channel::Open311 { .. } => {
            let micros = now.unix_timestamp_nanos() / 1_000;
            fresh_token = format!("o311-{micros:016x}-{}", &new_token()[..16]);
            fresh_token.as_str()
        }
    };

    let answers = if intake.answers.is_empty() {
        None
    } else {
        Some(serde_json::to_string(intake.answers).map_err(|e| BackendError::Internal(format!("answers json: {e}")))?)
    };
    // Ticket numbers are random; on the rare collision, draw again.
    for _ in 0..5 {
        let tb = crate::crypto::random_bytes::<5>();
        let kb = crate::crypto::random_bytes::<17>();
        let ticket = Ticket::from_random(&tb);
        let key = AccessKey::from_random(&kb);
        let at = now.unix_timestamp();
        let job = StoreAppeal {
            ticket: ticket.as_str().to_owned(),
            submit_token: submit_token.to_owned(),
            key_hash: hash_key(&key),
            key: key.as_str().to_owned(),
            category: category.code.clone(),
            description: intake.description.as_str().to_owned(),
            point,
            region: routed.region.clone(),
            cell: routed.cell.clone(),
            address_note: intake.address_note.map(|a| a.as_str().to_owned()),
            contact: contact.map(|(n, p)| (n.to_owned(), p.to_owned())),
            unit: routed.unit.clone(),
            reason: routed.reason,
            at,
            deadline_at: deadlines.resolve_by.unix_timestamp(),
            sign_by_at: deadlines.sign_by.unix_timestamp(),
            urgent: category.urgent,
            scope_path: scope_path.clone(),
            channel: channel.clone(),
            media_url: media_url.map(str::to_owned),
            publish_requested: intake.publish,
            answers: answers.clone(),
            web_token: match intake.channel {
                Channel::Web { token } => Some(token.to_owned()),
                Channel::Open311 { .. } | Channel::Staff { .. } => None,
            },
            receipt_sms: match intake.channel {
                Channel::Staff { sms, lang, .. } => sms.map(|p| (p.to_owned(), lang)),
                _ => None,
            },
            join: intake.join.map(str::to_owned),
        };
        match state.appeal_writer.run(&state.db, job).await {
            Ok(()) => {}
            Err(e) if e.is_unique_violation() => {
                if let Channel::Web { token } = intake.channel {
                    // Same token submitted meanwhile? Then that one is the answer.
                    if let Some(t) = drafts::get(&state.db.pool, token).await?.and_then(|r| r.ticket) {
                        // The same draft, routed the same way: only the deadline may differ by
                        // the seconds between the two posts.
                        return Ok(Accepted {
                            ticket: t,
                            unit: routed.unit.clone(),
                            reason: routed.reason,
                            deadline_at: deadlines.resolve_by.unix_timestamp(),
                            key: None,
                        });
                    }
                    if appeals::count_by_token(&state.db.pool, token).await? > 0 {
                        return Err(BackendError::Internal("appeal stored without its receipt".into()));
                    }
                }
                if let Channel::Staff { token, .. } = intake.channel {
                    // The same form posted twice: recorded once; its key was shown the first time.
                    if appeals::count_by_token(&state.db.pool, token).await? > 0 {
                        return Err(BackendError::Conflict(Msg::ErrIntakeTwice));
                    }
                }
                continue; // ticket collision: draw a new one
            }
            Err(e) => return Err(e),
        }
        tracing::info!(ticket = ticket.as_str(), unit = %routed.unit, reason = ?routed.reason, channel, "appeal accepted");
        return Ok(Accepted {
            ticket: ticket.as_str().to_owned(),
            unit: routed.unit.clone(),
            reason: routed.reason,
            deadline_at: deadlines.resolve_by.unix_timestamp(),
            key: Some(key.as_str().to_owned()),
        });
    }
    Err(BackendError::Internal("could not draw a free ticket number".into()))
}

/// What [`accept`] stored, as it stored it: callers answer from this instead of reading the
/// appeal back (one query fewer per submission).
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub ticket: String,
    pub unit: String,
    pub reason: RouteReason,
    pub deadline_at: i64,
    /// The access key drawn for it (`None` when an earlier identical submission was the answer).
    pub key: Option<String>,
}

/// Everything [`accept`] stores for one appeal, owned, so the SQLite group-commit writer can
/// run it in a shared transaction (see [`crate::store::group_commit`]).
pub struct StoreAppeal {
    ticket: String,
    submit_token: String,
    key_hash: String,
    /// The access key in clear, kept only in the draft row (the wizard's receipt shows it again).
    key: String,
    category: String,
    description: String,
    point: Option<domain::fields::GeoPoint>,
    region: Option<String>,
    cell: Option<String>,
    address_note: Option<String>,
    contact: Option<(String, String)>,
    unit: String,
    reason: RouteReason,
    at: i64,
    deadline_at: i64,
    sign_by_at: i64,
    urgent: bool,
    scope_path: String,
    channel: String,
    media_url: Option<String>,
    publish_requested: bool,
    /// Answers to the category's extra questions as JSON (`None`: none given).
    answers: Option<String>,
    /// The wizard's draft token: its photos move to the appeal and it keeps the receipt.
    web_token: Option<String>,
    /// Staff intake: the resident's phone, to send the receipt (ticket and key) by SMS, and the
    /// language of its text.
    receipt_sms: Option<(String, domain::Lang)>,
    /// The main appeal the resident chose to join (issue 13).
    join: Option<String>,
}

impl crate::store::group_commit::Job for StoreAppeal {
    /// The appeal, its first two timeline events and its unit's new-assignment message (and for
    /// the wizard, the draft's photos and receipt).
    fn write<'a, 'c: 'a>(&'a self, tx: &'a mut crate::store::Tx<'c>) -> crate::store::group_commit::WriteFuture<'a> {
        Box::pin(self.write_rows(tx))
    }

    /// The appeals, their first events and their units' messages for a whole batch: three
    /// `INSERT … SELECT … FROM json_each` statements over three JSON arrays, one round trip to
    /// SQLite whatever the batch's size.
    fn script(jobs: &[&Self]) -> Result<crate::store::group_commit::Script> {
        use crate::store::{appeals::AppealJson, appeals::EventJson, outbox::MessageJson};
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            use crate::store::{appeals, insert_from_json, outbox};
            [
                insert_from_json("appeals", &appeals::APPEAL_JSON_COLUMNS, 1),
                appeals::insert_events_from_json(2),
                insert_from_json("outbox", &outbox::MESSAGE_JSON_COLUMNS, 3),
            ]
            .join("; ")
        });
        let json = |e: serde_json::Error| BackendError::Internal(format!("batch json: {e}"));
        let rows: Vec<appeals::NewAppeal<'_>> = jobs.iter().map(|j| j.new_appeal()).collect();
        let appeals = serde_json::to_string(&rows.iter().map(AppealJson::new).collect::<Vec<_>>()).map_err(json)?;
        let events: Vec<appeals::NewEvent<'_>> = jobs.iter().flat_map(|j| j.first_events()).collect();
        let events = serde_json::to_string(&events.iter().map(EventJson::new).collect::<Vec<_>>()).map_err(json)?;
        let payloads: Vec<String> = jobs
            .iter()
            .map(|j| crate::notify::unit_payload(&j.unit, &j.ticket, crate::notify::Kind::NewAssignment))
            .collect();
        let messages: Vec<MessageJson<'_>> =
            jobs.iter().zip(&payloads).map(|(j, p)| MessageJson::new(&j.unit_message(p), j.at)).collect();
        let messages = serde_json::to_string(&messages).map_err(json)?;
        Ok(crate::store::group_commit::Script { sql: SQL.as_str(), args: vec![appeals, events, messages] })
    }

    /// The wizard's draft rows, a join, the receipt SMS of staff intake.
    fn has_extra(&self) -> bool {
        self.join.is_some() || self.web_token.is_some() || self.receipt_sms.is_some()
    }

    fn write_extra<'a, 'c: 'a>(
        &'a self,
        tx: &'a mut crate::store::Tx<'c>,
    ) -> crate::store::group_commit::WriteFuture<'a> {
        Box::pin(self.write_draft_rows(tx))
    }
}

impl StoreAppeal {
    async fn write_rows(&self, tx: &mut crate::store::Tx<'_>) -> Result<()> {
        appeals::insert(tx, &self.new_appeal()).await?;
        appeals::insert_events(tx, &self.first_events()).await?;
        let payload = crate::notify::unit_payload(&self.unit, &self.ticket, crate::notify::Kind::NewAssignment);
        crate::store::outbox::insert(tx, &self.unit_message(&payload), self.at).await?;
        self.write_draft_rows(tx).await
    }

    fn new_appeal(&self) -> appeals::NewAppeal<'_> {
        appeals::NewAppeal {
            ticket: &self.ticket,
            submit_token: &self.submit_token,
            key_hash: &self.key_hash,
            category: &self.category,
            description: &self.description,
            lat: self.point.map(|p| p.lat),
            lng: self.point.map(|p| p.lng),
            region: self.region.as_deref(),
            cell: self.cell.as_deref(),
            address_note: self.address_note.as_deref(),
            contact: self.contact.as_ref().map(|(n, p)| (n.as_str(), p.as_str())),
            status: domain::workflow::Status::Assigned,
            unit: &self.unit,
            route_reason: route_reason_str(self.reason),
            submitted_at: self.at,
            deadline_at: self.deadline_at,
            sign_by_at: self.sign_by_at,
            urgent: self.urgent,
            scope_path: &self.scope_path,
            channel: &self.channel,
            media_url: self.media_url.as_deref(),
            publish_requested: self.publish_requested,
            answers: self.answers.as_deref(),
        }
    }

    /// "Submitted" by the resident, then "routed" (or "outside the grid") by the system.
    fn first_events(&self) -> [appeals::NewEvent<'_>; 2] {
        let kind = if self.reason == RouteReason::OutsideGrid {
            domain::events::EventKind::RoutedOutside
        } else {
            domain::events::EventKind::Routed
        };
        [
            appeals::NewEvent {
                ticket: &self.ticket,
                at: self.at,
                kind: domain::events::EventKind::Submitted,
                actor: "resident",
                unit: None,
                // How it came in when not by the resident's own hand (phone, counter, patrol).
                body: matches!(self.channel.as_str(), "phone" | "counter" | "patrol").then_some(self.channel.as_str()),
            },
            appeals::NewEvent {
                ticket: &self.ticket,
                at: self.at,
                kind,
                actor: "system",
                unit: Some(&self.unit),
                body: Some(route_reason_str(self.reason)),
            },
        ]
    }

    /// The handling unit's new-assignment message (as `notify::unit` writes it).
    fn unit_message<'a>(&'a self, payload: &'a str) -> crate::store::outbox::NewMessage<'a> {
        crate::store::outbox::NewMessage {
            kind: crate::notify::Kind::NewAssignment.as_str(),
            audience: "unit",
            recipient: &self.unit,
            ticket: Some(&self.ticket),
            payload,
        }
    }

    /// The wizard's draft: its photos move to the appeal and it keeps the receipt. Staff intake:
    /// the receipt's SMS, in the same transaction as the appeal (the key is in its payload: the
    /// SMS is how it reaches the resident; the log sink never prints payloads).
    async fn write_draft_rows(&self, tx: &mut crate::store::Tx<'_>) -> Result<()> {
        if let Some(main) = &self.join {
            crate::services::related::join_on_submit(tx, &self.ticket, main, self.at).await?;
        }
        if let Some(token) = &self.web_token {
            appeals::take_draft_photos(tx, token, &self.ticket).await?;
            drafts::mark_submitted(tx, token, &self.ticket, &self.key, self.at).await?;
        }
        if let Some((phone, lang)) = &self.receipt_sms {
            // The gateway behind the webhook sink sends `text` (as for a recovery code); the
            // ticket and key are also there on their own, for a gateway with its own wording.
            let ticket = Ticket::parse(&self.ticket).map_or_else(|_| self.ticket.clone(), |t| t.display());
            let key = AccessKey::parse(&self.key).map_or_else(|_| self.key.clone(), |k| k.display());
            let text = domain::Msg::ReceiptSms.text(*lang).replace("{ticket}", &ticket).replace("{key}", &key);
            let payload = serde_json::json!({
                "kind": "receipt", "ticket": self.ticket, "key": self.key, "lang": lang.tag(), "text": text
            })
            .to_string();
            crate::store::outbox::insert(
                tx,
                &crate::store::outbox::NewMessage {
                    kind: "receipt",
                    audience: "resident",
                    recipient: phone,
                    ticket: Some(&self.ticket),
                    payload: &payload,
                },
                self.at,
            )
            .await?;
        }
        Ok(())
    }
}

fn route_reason_str(r: RouteReason) -> &'static str {
    match r {
        RouteReason::GridCell => "grid_cell",
        RouteReason::ChosenRegion => "chosen_region",
        RouteReason::OutsideGrid => "outside_grid",
        RouteReason::MissingUnitFallback => "missing_unit_fallback",
    }
}

pub(crate) fn unit_view(cat: &Catalog, code: &str) -> UnitView {
    cat.units.get(code).map_or_else(
        || UnitView { code: code.to_owned(), name: code.to_owned(), phone: String::new() },
        |u| UnitView { code: u.code.clone(), name: u.name.clone(), phone: u.phone.clone() },
    )
}

pub(crate) fn local_time(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .map(|t| t.to_offset(domain::sla::CHINA))
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The receipt of a submitted draft (shown right after submitting, and again on a repeat).
///
/// # Errors
/// [`BackendError::NotFound`] if the token has no submitted appeal or the browser secret is not
/// the one of the browser that made it.
pub async fn receipt(state: &AppState, token: &str, secret: &str) -> Result<ReceiptView> {
    let (_, row) = load(state, token, secret).await?;
    let (Some(ticket), Some(key)) = (row.ticket, row.access_key) else { return Err(BackendError::NotFound) };
    let appeal = appeals::by_ticket(&state.db.pool, &ticket).await?.ok_or(BackendError::NotFound)?;
    let cat = state.catalog.get();
    let ticket = Ticket::parse(&ticket).map_err(|_| BackendError::Internal("stored ticket malformed".into()))?;
    let key = AccessKey::parse(&key).map_err(|_| BackendError::Internal("stored key malformed".into()))?;
    let region = appeals::full(&state.db.pool, ticket.as_str()).await?.and_then(|f| f.region.or(f.cell));
    Ok(ReceiptView {
        ticket: ticket.display(),
        key: key.display(),
        unit: unit_view(&cat, &appeal.unit),
        deadline: local_time(appeal.deadline_at),
        category_name: cat.category(&appeal.category).map_or_else(
            || (appeal.category.clone(), appeal.category.clone()),
            |c| (c.name.clone(), c.name_en.clone()),
        ),
        category_code: appeal.category.clone(),
        region,
    })
}

/// "Noted: stop showing it on this phone" on the receipt: forgets the receipt's plaintext key
/// and the typed contact details now instead of a day after submitting (as [`sweep_drafts`]
/// does), so the next person on a shared phone cannot open the receipt from the history. The
/// appeal itself is untouched; the ticket and key still track it.
///
/// # Errors
/// [`BackendError::NotFound`] if the token has no submitted appeal or the browser secret is not
/// the one of the browser that made it; database errors.
pub async fn forget_receipt(state: &AppState, token: &str, secret: &str) -> Result<()> {
    let (_, row) = load(state, token, secret).await?;
    if row.ticket.is_none() {
        return Err(BackendError::NotFound);
    }
    let empty = serde_json::to_string(&Draft::default()).map_err(|e| BackendError::Internal(e.to_string()))?;
    drafts::forget_receipt(&state.db.pool, token, &empty).await
}

/// Records (or clears, with an empty list) the errors of a step handled outside
/// [`save_step`], such as a photo upload, so the step's page can show them.
///
/// # Errors
/// Unknown token or wrong browser secret, or database errors.
pub async fn set_step_errors(
    state: &AppState,
    token: &str,
    secret: &str,
    step: Step,
    errors: Vec<FieldError>,
) -> Result<()> {
    let (mut d, row) = load(state, token, secret).await?;
    if row.ticket.is_some() {
        return Ok(());
    }
    d.error_step = (!errors.is_empty()).then_some(step);
    d.errors = errors;
    d.answer_errors.clear();
    let json = serde_json::to_string(&d).map_err(|e| BackendError::Internal(e.to_string()))?;
    drafts::save(&state.db.pool, token, &json, state.clock.ts()).await?;
    Ok(())
}

/// Unsubmitted drafts are kept a week after their last change.
pub const DRAFT_DAYS: i64 = 7;
/// A submitted draft keeps the plaintext key (to show the receipt again) for a day.
pub const RECEIPT_HOURS: i64 = 24;

/// Forgets stale drafts and, a day after submission, the receipt's plaintext key and the typed
/// contact details (see `store::drafts::sweep`); returns (drafts deleted, receipts cleared).
///
/// # Errors
/// Database errors.
pub async fn sweep_drafts(state: &AppState, now: i64) -> Result<(u64, u64)> {
    let empty = serde_json::to_string(&Draft::default()).map_err(|e| BackendError::Internal(e.to_string()))?;
    drafts::sweep(&state.db.pool, now - DRAFT_DAYS * 86_400, now - RECEIPT_HOURS * 3600, &empty).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::group_commit::Job;

    fn job(ticket: &str, point: Option<domain::fields::GeoPoint>, contact: bool, publish: bool) -> StoreAppeal {
        StoreAppeal {
            ticket: ticket.to_owned(),
            submit_token: format!("token-{ticket}"),
            key_hash: format!("hash-{ticket}"),
            key: "unused".to_owned(),
            category: "wages".to_owned(),
            description: "说明 with \"quotes\", commas\nand a newline".to_owned(),
            point,
            region: Some("HD0101".to_owned()),
            cell: point.map(|_| "HD010101".to_owned()),
            address_note: Some("3号楼".to_owned()),
            contact: contact.then(|| ("王 芳".to_owned(), "13800138000".to_owned())),
            unit: "U-HD010101".to_owned(),
            reason: RouteReason::GridCell,
            at: 1_790_000_000,
            deadline_at: 1_790_600_000,
            sign_by_at: 1_790_086_400,
            urgent: publish,
            scope_path: "/SZ/HD/HD01/HD0101/HD010101".to_owned(),
            channel: "open311:7".to_owned(),
            media_url: publish.then(|| "https://example.org/a.jpg".to_owned()),
            publish_requested: publish,
            answers: contact.then(|| r#"[{"code":"amount","value":"3000"}]"#.to_owned()),
            web_token: None,
            receipt_sms: None,
            join: None,
        }
    }

    /// Every stored column of an appeal, its events and messages, without what differs by
    /// design between the two copies (ticket, token, key hash; the row ids).
    async fn rows(db: &crate::db::Db, ticket: &str) -> Vec<String> {
        let cols: Vec<&str> = crate::store::appeals::APPEAL_JSON_COLUMNS
            .iter()
            .copied()
            .filter(|c| !matches!(*c, "ticket" | "submit_token" | "key_hash"))
            .collect();
        let text = |c: &str| format!("COALESCE(typeof({c}) || ':' || CAST({c} AS TEXT), 'null')");
        let appeal = format!(
            "SELECT {} FROM appeals WHERE ticket = $1",
            cols.iter().map(|c| text(c)).collect::<Vec<_>>().join(" || '|' || ")
        );
        let events = format!(
            "SELECT {} FROM appeal_events WHERE {} ORDER BY id",
            ["at", "kind", "actor", "unit", "public", "body", "actor_name", "detail", "born"]
                .map(text)
                .join(" || '|' || "),
            appeals::events_of(1)
        );
        let messages = format!(
            "SELECT {} FROM outbox WHERE ticket = $1 ORDER BY id",
            ["created_at", "kind", "audience", "recipient", "attempts", "next_attempt_at", "delivered_at"]
                .map(text)
                .join(" || '|' || ")
        );
        let mut out = Vec::new();
        for sql in [appeal, events, messages] {
            let got: Vec<(String,)> = sqlx::query_as(&sql).bind(ticket).fetch_all(&db.pool).await.unwrap();
            assert!(!got.is_empty(), "nothing stored for {ticket}: {sql}");
            out.extend(got.into_iter().map(|r| r.0));
        }
        out
    }

    /// The group commit's JSON script stores exactly what the statement-per-row path does (the
    /// path PostgreSQL and a batch's isolated retry take): same columns, same SQL types, the same
    /// derived values, for appeals with and without a point, contact and publication.
    #[tokio::test]
    async fn script_rows_equal_statement_rows() {
        sqlx::any::install_default_drivers();
        let dir = std::env::temp_dir().join("pingan-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("script-{}.db", crate::crypto::random_hex()));
        let db = crate::db::Db::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.unwrap();
        db.migrate().await.unwrap();
        let point = Some(domain::fields::GeoPoint { lat: 35.484, lng: 106.604 });
        let cases = [(point, true, true), (None, false, false), (point, false, true), (None, true, false)];
        for (i, (p, contact, publish)) in cases.into_iter().enumerate() {
            let one = job(&format!("PA0000000{i}"), p, contact, publish);
            let two = job(&format!("PB0000000{i}"), p, contact, publish);
            let mut tx = db.pool.begin().await.unwrap();
            one.write(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            let script = StoreAppeal::script(&[&two]).unwrap();
            let mut q = sqlx::query(script.sql);
            for a in &script.args {
                q = q.bind(a.as_str());
            }
            q.execute(&db.pool).await.unwrap();
            assert_eq!(rows(&db, &one.ticket).await, rows(&db, &two.ticket).await, "case {i}");
        }
        db.pool.close().await;
        let _ = std::fs::remove_file(&file);
    }

    /// The JSON objects have exactly the keys the script's columns read.
    #[test]
    fn json_keys_are_the_columns() {
        use crate::store::{appeals, outbox};
        let keys = |v: serde_json::Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let sorted = |c: &[&str]| {
            let mut c: Vec<String> = c.iter().map(|s| (*s).to_owned()).collect();
            c.sort();
            c
        };
        let j = job("PA00000001", None, true, true);
        let a = j.new_appeal();
        assert_eq!(
            keys(serde_json::to_value(appeals::AppealJson::new(&a)).unwrap()),
            sorted(&appeals::APPEAL_JSON_COLUMNS)
        );
        let e = j.first_events();
        assert_eq!(
            keys(serde_json::to_value(appeals::EventJson::new(&e[0])).unwrap()),
            sorted(&appeals::EVENT_JSON_COLUMNS)
        );
        let m = j.unit_message("{}");
        assert_eq!(
            keys(serde_json::to_value(outbox::MessageJson::new(&m, 1)).unwrap()),
            sorted(&outbox::MESSAGE_JSON_COLUMNS)
        );
    }
}
