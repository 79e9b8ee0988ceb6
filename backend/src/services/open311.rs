//! Open311 GeoReport v2: the city's categories as services, the public view of appeals as
//! service requests, submissions from client applications with an API key, and those keys.
//!
//! A submission is validated with the same `domain` parsers as the web form and stored by the
//! same code ([`super::appeal::accept`]): routing, deadlines, first events and the unit's
//! notification are identical whichever way an appeal comes in.
//!
//! **What is public** (issue 9 §3; docs/open311.md says it for readers outside the code): the
//! public id, category, status, the region path down to the community, and the *days* it was
//! submitted and last changed. The description only when the resident asked to publish it and a
//! staff member approved it, and then the approved (possibly redacted) text; never in a sensitive
//! category (`domain::publication`, the one rule). No name, phone, e-mail, address note, point,
//! cell centre, media link, handling unit, deadline or exact time, whoever asks: a GET is the
//! same with or without an API key.

use super::appeal::{accept, local_time, unit_view, Channel, Intake};
use crate::audit::{self, Entry, Who};
use crate::catalog::Catalog;
use crate::state::AppState;
use crate::store::open311::{self as store, ApiKeyRow, ListQuery, PublicRow};
use crate::{BackendError, Result};
use domain::fields::{AddressNote, Code, Description, FieldError, FieldName, GeoPoint, Identity};
use domain::publication::{self, Moderation};
use domain::receipt::Ticket;
use domain::region::RouteLevel;
use domain::routing::Place;
use domain::workflow::Status;
use domain::Lang;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, Duration, OffsetDateTime, Time};

/// The window `GET requests` covers when the client gives no start date (the spec's default).
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// Most service requests one `GET requests` returns (the spec's default), and most ids it takes.
pub const MAX_REQUESTS: usize = 1000;

/// Most `service_code` (and `status`) values one `GET requests` takes: a city has a dozen
/// services, so more is a mistake or an attempt to make the query expensive.
pub const MAX_CODES: usize = 100;

/// Longest piece of a client's value an error message repeats.
const ECHO_MAX: usize = 40;

/// Longest media link we store.
pub const MEDIA_URL_MAX: usize = 2000;

/// Prefix of every API key: makes a leaked key recognisable to secret scanners and people.
pub const KEY_PREFIX: &str = "p311_";

// ------------------------------------------------------------------------------------ services

/// One category as an Open311 service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceView {
    pub service_code: String,
    /// The Chinese name (the city's language).
    pub service_name: String,
    /// The English name.
    pub description: String,
    /// True when the category asks extra questions (issue 13): its service definition lists them
    /// as attributes, sent back as `attribute[code]`.
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    /// The level that handles it: grid, community, street, district or department.
    pub group: String,
}

fn service_view(cat: &Catalog, c: &domain::region::Category) -> ServiceView {
    let group = match &c.route {
        RouteLevel::Territorial(level) => level.as_str().to_owned(),
        RouteLevel::Department(_) => "department".to_owned(),
    };
    ServiceView {
        service_code: c.code.clone(),
        service_name: c.name.clone(),
        description: c.name_en.clone(),
        metadata: !cat.questions(&c.code).is_empty(),
        kind: "realtime",
        keywords: String::new(),
        group,
    }
}

/// Every category, in the order residents see them.
#[must_use]
pub fn services(state: &AppState) -> Vec<ServiceView> {
    let cat = state.catalog.get();
    cat.categories.iter().map(|c| service_view(&cat, c)).collect()
}

/// One category.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown code.
pub fn service(state: &AppState, code: &str) -> Result<ServiceView> {
    let cat = state.catalog.get();
    cat.category(code.trim()).map(|c| service_view(&cat, c)).ok_or(BackendError::NotFound)
}

/// One extra question of a category as a GeoReport v2 service attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeView {
    /// Always true: every question asks for the client's input.
    pub variable: bool,
    pub code: String,
    /// `string`, `number` or `singlevaluelist`.
    pub datatype: &'static str,
    pub required: bool,
    /// The help text in both languages, then the accepted range or length in English.
    pub datatype_description: String,
    /// 1 first.
    pub order: u32,
    /// The question, in Chinese then English.
    pub description: String,
    /// The options of a `singlevaluelist` (absent for other datatypes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<AttributeValue>>,
}

/// One option of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

fn attribute_view(order: usize, q: &domain::questions::Question) -> AttributeView {
    use domain::questions::QuestionKind;
    let both = |zh: &str, en: &str| if zh == en || en.is_empty() { zh.to_owned() } else { format!("{zh} / {en}") };
    let rule = match q.kind {
        QuestionKind::Text => format!("Text, at most {} characters.", q.max_len),
        QuestionKind::Number if q.decimals == 0 => {
            format!("A whole number from 1 to {} ({}).", q.max, q.unit_en)
        }
        QuestionKind::Number => format!(
            "A number greater than 0 and at most {} ({}), with at most {} decimal places.",
            q.max, q.unit_en, q.decimals
        ),
        QuestionKind::Choice => "One of the keys in values.".to_owned(),
    };
    AttributeView {
        variable: true,
        code: q.code.clone(),
        datatype: q.kind.open311_datatype(),
        required: q.required,
        datatype_description: format!("{} {rule}", both(&q.help, &q.help_en)).trim().to_owned(),
        order: u32::try_from(order + 1).unwrap_or(u32::MAX),
        description: both(&q.label, &q.label_en),
        values: (q.kind == QuestionKind::Choice).then(|| {
            q.choices
                .iter()
                .map(|c| AttributeValue { key: c.code.clone(), name: both(&c.label, &c.label_en) })
                .collect()
        }),
    }
}

/// A service's definition: its extra questions as attributes, in order (none for a category
/// that asks nothing).
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown code.
pub fn service_definition(state: &AppState, code: &str) -> Result<(ServiceView, Vec<AttributeView>)> {
    let cat = state.catalog.get();
    let c = cat.category(code.trim()).ok_or(BackendError::NotFound)?;
    let attributes = cat.questions(&c.code).iter().enumerate().map(|(i, q)| attribute_view(i, q)).collect();
    Ok((service_view(&cat, c), attributes))
}

/// Who answers questions about the API: the city centre, as imported.
#[must_use]
pub fn contact(state: &AppState) -> String {
    let cat = state.catalog.get();
    let mut centres: Vec<_> = cat.units.values().filter(|u| u.kind == "city_center").collect();
    centres.sort_by(|a, b| a.code.cmp(&b.code));
    centres.first().map_or_else(String::new, |u| format!("{} {}", u.name, u.phone).trim().to_owned())
}

// ------------------------------------------------------------------------- service requests

/// One appeal as the public sees it (GeoReport v2 `request`). Issue 9 §3: category, status,
/// coarse area and days; the description only as approved by staff; every other field of the
/// spec is null.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestView {
    /// The ticket in display form, `PA-XXXX-XXXX`.
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// Our finer status in English words, e.g. `assigned: waiting to be signed for`.
    pub status_notes: String,
    pub service_name: Option<String>,
    pub service_code: String,
    /// The staff-approved public text (possibly redacted), or null: never the resident's own
    /// words as such, never in a sensitive category.
    pub description: Option<String>,
    /// Always null: the handling unit (a grid station, say) would narrow down the place.
    pub agency_responsible: Option<String>,
    /// Always null.
    pub service_notice: Option<String>,
    /// The day it was submitted: midnight, city time (`2025-06-04T00:00:00+08:00`).
    pub requested_datetime: String,
    /// The day of its last change, likewise.
    pub updated_datetime: String,
    /// Always null: the deadline is counted from the exact submission time.
    pub expected_datetime: Option<String>,
    /// District / street / community names; never the resident's own words.
    pub address: Option<String>,
    /// Always null: no point, no cell centre (the community name is the only location).
    pub lat: Option<f64>,
    #[serde(rename = "long")]
    pub lng: Option<f64>,
    /// Always null: photos and media links are never public.
    pub media_url: Option<String>,
}

fn status_notes(status: &str, overdue: bool) -> String {
    let words = match Status::parse(status) {
        Some(Status::Assigned) => "assigned: waiting to be signed for",
        Some(Status::InProgress) => "in_progress: being handled",
        Some(Status::AwaitingInfo) => "awaiting_info: the handling unit asked the resident for more information",
        Some(Status::Closed) => "closed: handling finished",
        None => "open",
    };
    if overdue {
        format!("{words} (past its deadline)")
    } else {
        words.to_owned()
    }
}

fn request_view(cat: &Catalog, r: PublicRow, now: i64) -> RequestView {
    let open = r.status != Status::Closed.as_str();
    let state = r.publish_state.as_deref().and_then(Moderation::parse);
    let description = publication::public_text(&r.category, r.publish_requested != 0, state, r.public_text.as_deref())
        .map(str::to_owned);
    let levels = publication::public_area_levels(&r.category);
    let address = r.region.as_deref().map(|code| {
        let names = cat.district_to_community(code);
        names.iter().take(levels).map(|reg| reg.name.as_str()).collect::<Vec<_>>().join(" / ")
    });
    let updated = if r.updated_at > 0 { r.updated_at } else { r.submitted_at };
    RequestView {
        service_request_id: Ticket::parse(&r.ticket).map_or_else(|_| r.ticket.clone(), |t| t.display()),
        status: if open { "open" } else { "closed" }.to_owned(),
        status_notes: status_notes(&r.status, open && now > r.deadline_at),
        service_name: cat.category(&r.category).map(|c| c.name.clone()),
        service_code: r.category,
        description,
        agency_responsible: None,
        service_notice: None,
        requested_datetime: local_time(publication::day_start(r.submitted_at)),
        updated_datetime: local_time(publication::day_start(updated)),
        expected_datetime: None,
        address: address.filter(|a| !a.is_empty()),
        lat: None,
        lng: None,
        media_url: None,
    }
}

/// The parameters of `GET requests`, as the client sent them (missing = empty).
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub service_request_id: String,
    pub service_code: String,
    pub start_date: String,
    pub end_date: String,
    pub status: String,
}

impl RequestQuery {
    #[must_use]
    pub fn from_params(p: &HashMap<String, String>) -> Self {
        let get = |k: &str| p.get(k).cloned().unwrap_or_default();
        Self {
            service_request_id: get("service_request_id"),
            service_code: get("service_code"),
            start_date: get("start_date"),
            end_date: get("end_date"),
            status: get("status"),
        }
    }
}

fn comma_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty())
}

/// The distinct values of a comma-separated list, in first-seen order, or an error naming
/// `param` when it has more than `max` entries. Linear in the input and bounded in its output:
/// only the first `max + 1` entries are looked at, duplicates are dropped with a set.
fn bounded_list<'a>(param: &str, s: &'a str, max: usize) -> std::result::Result<Vec<&'a str>, String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, x) in comma_list(s).enumerate() {
        if i >= max {
            return Err(format!("{param}: at most {max} values at once"));
        }
        if seen.insert(x) {
            out.push(x);
        }
    }
    Ok(out)
}

/// A client's value as an error message repeats it: at most [`ECHO_MAX`] characters, so a huge
/// value does not come back as a huge answer.
fn echo(s: &str) -> String {
    match s.char_indices().nth(ECHO_MAX) {
        Some((i, _)) => format!("{:?}…", &s[..i]),
        None => format!("{s:?}"),
    }
}

/// An ISO 8601 date-time with a time zone (`2024-05-01T08:00:00+08:00`, `…Z`), or a date alone,
/// read in city time as the start of that day (or, for an end, its last second).
fn parse_date(param: &str, s: &str, end: bool) -> std::result::Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339).or_else(|_| OffsetDateTime::parse(s, &Iso8601::DEFAULT)) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(s, &fmt) {
        let t = if end { Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT) } else { Time::MIDNIGHT };
        return Ok(d.with_time(t).assume_offset(domain::sla::CHINA).unix_timestamp());
    }
    Err(format!("{param}: must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T08:00:00+08:00"))
}

/// Service requests matching the filters, newest first, at most [`MAX_REQUESTS`].
///
/// With `service_request_id` (a comma-separated list) the other filters are ignored, as the
/// spec says; ids that are not ours are simply not found. Otherwise the window is
/// `start_date`..`end_date` on the submission time (`end_date` defaults to now, `start_date` to
/// [`DEFAULT_WINDOW_DAYS`] before the end); `service_code` and `status` may be comma-separated.
///
/// # Errors
/// [`BackendError::BadRequest`] naming every malformed parameter.
pub async fn requests(state: &AppState, q: &RequestQuery) -> Result<Vec<RequestView>> {
    let now = state.clock.ts();
    let mut errs = Vec::new();
    let mut list = ListQuery { limit: i64::try_from(MAX_REQUESTS).unwrap_or(1000), ..ListQuery::default() };
    if !q.service_request_id.trim().is_empty() {
        let ids = bounded_list("service_request_id", &q.service_request_id, MAX_REQUESTS)
            .map_err(|e| BackendError::BadRequest(vec![e]))?;
        let mut seen = std::collections::HashSet::new();
        list.tickets = ids
            .into_iter()
            .filter_map(|id| Ticket::parse(id).ok())
            .map(|t| t.as_str().to_owned())
            .filter(|t| seen.insert(t.clone()))
            .collect();
        if list.tickets.is_empty() {
            return Ok(Vec::new());
        }
    } else {
        match bounded_list("service_code", &q.service_code, MAX_CODES) {
            Ok(codes) => {
                for code in codes {
                    match Code::parse(code, FieldName::Category) {
                        Ok(c) => list.categories.push(c.as_str().to_owned()),
                        Err(_) => errs.push(format!("service_code: {} is not a service code", echo(code))),
                    }
                }
            }
            Err(e) => errs.push(e),
        }
        let (mut open, mut closed) = (false, false);
        match bounded_list("status", &q.status, MAX_CODES) {
            Ok(statuses) => {
                for s in statuses {
                    match s.to_ascii_lowercase().as_str() {
                        "open" => open = true,
                        "closed" => closed = true,
                        _ => errs.push(format!("status: must be open or closed, not {}", echo(s))),
                    }
                }
            }
            Err(e) => errs.push(e),
        }
        list.open = if open == closed { None } else { Some(open) };
        let end = if q.end_date.trim().is_empty() { Ok(now) } else { parse_date("end_date", &q.end_date, true) };
        let start = if q.start_date.trim().is_empty() {
            end.as_ref().map(|e| e - Duration::days(DEFAULT_WINDOW_DAYS).whole_seconds()).map_err(Clone::clone)
        } else {
            parse_date("start_date", &q.start_date, false)
        };
        match (start, end) {
            (Ok(s), Ok(e)) if s > e => errs.push("start_date: must not be after end_date".to_owned()),
            (Ok(s), Ok(e)) => (list.from, list.to) = (s, e),
            (s, e) => {
                // A bad end date also makes the default start unusable; say it once.
                errs.extend(e.err());
                if !q.start_date.trim().is_empty() {
                    errs.extend(s.err());
                }
            }
        }
    }
    if !errs.is_empty() {
        return Err(BackendError::BadRequest(errs));
    }
    public_precision(&mut list);
    let cat = state.catalog.get();
    let mut views: Vec<RequestView> =
        store::list(&state.db.pool, &list).await?.into_iter().map(|r| request_view(&cat, r, now)).collect();
    // Newest day first, and within a day by id: the order must not give away which came first.
    views.sort_by(|a, b| {
        b.requested_datetime.cmp(&a.requested_datetime).then_with(|| b.service_request_id.cmp(&a.service_request_id))
    });
    Ok(views)
}

/// Widens the submission-time window to whole city days (issue 9 §3): otherwise a client could
/// narrow `start_date`/`end_date` second by second until one appeal drops out and learn its exact
/// time, which the view itself gives only as a day.
fn public_precision(list: &mut ListQuery) {
    if list.tickets.is_empty() {
        list.from = publication::day_start(list.from);
        list.to = publication::day_start(list.to) + 86_399;
    }
}

/// One service request by its public id (any case, with or without dashes).
///
/// # Errors
/// [`BackendError::NotFound`] for a malformed or unknown id.
pub async fn request(state: &AppState, id: &str) -> Result<RequestView> {
    let ticket = Ticket::parse(id).map_err(|_| BackendError::NotFound)?;
    let row = store::public_one(&state.db.pool, ticket.as_str()).await?.ok_or(BackendError::NotFound)?;
    Ok(request_view(&state.catalog.get(), row, state.clock.ts()))
}

// -------------------------------------------------------------------------------- submitting

/// The parameters of `POST requests`, as the client sent them (missing = empty).
/// `jurisdiction_id` and `attribute[…]` are accepted and ignored: this portal serves one city,
/// and its services have no attributes.
#[derive(Debug, Clone, Default)]
pub struct PostRequest {
    pub api_key: String,
    pub service_code: String,
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub description: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    /// Accepted and not stored: units reach residents by phone only.
    pub email: String,
    pub media_url: String,
    /// `attribute[code]=value` pairs: answers to the service's extra questions, by code.
    pub attributes: domain::questions::RawAnswers,
}

impl PostRequest {
    #[must_use]
    pub fn from_params(p: &HashMap<String, String>) -> Self {
        let get = |k: &str| p.get(k).cloned().unwrap_or_default();
        Self {
            api_key: get("api_key"),
            service_code: get("service_code"),
            lat: get("lat"),
            long: get("long"),
            address_string: get("address_string"),
            description: get("description"),
            first_name: get("first_name"),
            last_name: get("last_name"),
            phone: get("phone"),
            email: get("email"),
            media_url: get("media_url"),
            attributes: p
                .iter()
                .filter_map(|(k, v)| {
                    let code = k.strip_prefix("attribute[")?.strip_suffix(']')?;
                    Some((code.to_owned(), v.clone()))
                })
                .collect(),
        }
    }
}

/// What a successful POST answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitted {
    pub service_request_id: String,
    pub service_notice: String,
    /// Always null: residents have no accounts.
    pub account_id: Option<String>,
}

/// A domain parser's complaint, in the words and with the parameter names of the API.
fn api_error(e: FieldError) -> String {
    let param = match e.field {
        FieldName::Category => "service_code",
        FieldName::Description => "description",
        FieldName::Location => {
            return "lat/long: must be WGS-84 degrees, both given, latitude within ±90 and longitude within ±180"
                .to_owned()
        }
        FieldName::AddressNote => "address_string",
        FieldName::Name => "first_name/last_name",
        FieldName::Phone => "phone",
        other => other.as_str(),
    };
    format!("{param}: {}", e.msg.text(Lang::En))
}

/// A person's name from Open311's two fields. Names written in Chinese put the family name
/// first with no space (王 + 小明 → 王小明); others read "first last".
fn full_name(first: &str, last: &str) -> String {
    let (first, last) = (first.trim(), last.trim());
    if !first.is_ascii() || !last.is_ascii() {
        format!("{last}{first}")
    } else {
        format!("{first} {last}").trim().to_owned()
    }
}

/// An absolute http(s) URL with a host, no spaces or control characters, at most
/// [`MEDIA_URL_MAX`] bytes.
fn media_url(s: &str) -> std::result::Result<Option<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || "media_url: must be an absolute http or https URL".to_owned();
    if s.len() > MEDIA_URL_MAX {
        return Err(format!("media_url: at most {MEDIA_URL_MAX} characters"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let uri: http::Uri = s.parse().map_err(|_| bad())?;
    let scheme_ok = matches!(uri.scheme_str().map(str::to_ascii_lowercase).as_deref(), Some("http" | "https"));
    if !scheme_ok || uri.host().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(Some(s.to_owned()))
}

/// Creates an appeal from an Open311 POST: the key first (403), then its rate limit (429), then
/// every parameter (400, all problems at once), then the same routing and storing as the web
/// form. A text address without coordinates goes to the city centre for manual dispatch and is
/// kept as the appeal's address note.
///
/// # Errors
/// [`BackendError::Forbidden`] for a missing, unknown or revoked key;
/// [`BackendError::RateLimited`]; [`BackendError::BadRequest`]; database errors.
pub async fn submit(state: &AppState, p: &PostRequest) -> Result<Submitted> {
    let key_id = authorize(state, &p.api_key).await?;
    if !state.open311_limiter.check(&format!("open311:{key_id}")).await {
        tracing::warn!(key = key_id, "Open311 submissions throttled");
        return Err(BackendError::RateLimited);
    }
    let cat = state.catalog.get();
    let mut errs = Vec::new();
    let category = match Code::parse(&p.service_code, FieldName::Category) {
        Ok(code) => match cat.category(code.as_str()) {
            Some(c) => Some(c),
            None => {
                errs.push(format!(
                    "service_code: {:?} is not a service of this city; see services.json",
                    code.as_str()
                ));
                None
            }
        },
        Err(e) => {
            errs.push(api_error(e));
            None
        }
    };
    let description = Description::parse(&p.description).map_err(|e| errs.push(api_error(e))).ok();
    let point = GeoPoint::parse(&p.lat, &p.long).map_err(|e| errs.push(api_error(e))).ok().flatten();
    let address = AddressNote::parse(&p.address_string).map_err(|e| errs.push(api_error(e))).ok().flatten();
    if p.lat.trim().is_empty() && p.long.trim().is_empty() && p.address_string.trim().is_empty() {
        errs.push("lat/long or address_string: a location is required".to_owned());
    }
    let name = full_name(&p.first_name, &p.last_name);
    // Named only when the client says who: then both a name and a phone number, as on the form.
    let identity = if name.is_empty() && p.phone.trim().is_empty() {
        Some(Identity::Anonymous)
    } else {
        Identity::parse("named", &name, &p.phone).map_err(|es| errs.extend(es.into_iter().map(api_error))).ok()
    };
    let media = media_url(&p.media_url).map_err(|e| errs.push(e)).ok().flatten();
    // The same rules as the wizard; each problem names its attribute as the client sent it.
    let questions = category.map_or(&[][..], |c| cat.questions(&c.code));
    let answers = domain::questions::check(questions, &p.attributes).unwrap_or_else(|es| {
        errs.extend(es.iter().map(|e| format!("attribute[{}]: {}", e.code, e.text(questions, Lang::En))));
        Vec::new()
    });
    let (Some(category), Some(description), Some(identity), true) = (category, description, identity, errs.is_empty())
    else {
        return Err(BackendError::BadRequest(errs));
    };
    let intake = Intake {
        category,
        description: &description,
        place: point.map(Place::Point),
        address_note: address.as_ref(),
        identity: &identity,
        publish: false,
        answers: &answers,
        join: None,
        channel: Channel::Open311 { key_id, media_url: media.as_deref() },
    };
    let now = state.clock.now();
    let a = accept(state, &cat, &intake, now).await?;
    let ticket = a.ticket;
    let unit = unit_view(&cat, &a.unit);
    let service_notice = if a.reason == domain::routing::RouteReason::OutsideGrid {
        format!("Passed to {} for manual dispatch; to be resolved by {}.", unit.name, local_time(a.deadline_at))
    } else {
        format!("Assigned to {}; to be resolved by {}.", unit.name, local_time(a.deadline_at))
    };
    let display = Ticket::parse(&ticket).map_or_else(|_| ticket.clone(), |t| t.display());
    Ok(Submitted { service_request_id: display, service_notice, account_id: None })
}

// ------------------------------------------------------------------------------------ API keys

fn hash_api_key(key: &str) -> String {
    crate::crypto::sha256_hex(key)
}

/// How long a node trusts an active key it looked up, in seconds. A key revoked on this node
/// stops at once ([`revoke_key`] empties the node's cache); on the other nodes of a PostgreSQL
/// deployment it stops within this time.
pub const KEY_CACHE_SECONDS: i64 = 10;

/// Most keys a node keeps (a deployment has a handful of client applications; past this the
/// cache starts again empty rather than grow).
const KEY_CACHE_ENTRIES: usize = 256;

/// Active API keys recently looked up, by digest: a client posting many requests costs one
/// database read per key per [`KEY_CACHE_SECONDS`], not one per request (each read is a round trip
/// to SQLite's connection thread). Only active keys are kept: an unknown or revoked key is asked
/// about every time.
#[derive(Clone, Default)]
pub struct KeyCache(Arc<std::sync::Mutex<HashMap<String, (i64, i64)>>>);

impl KeyCache {
    fn get(&self, digest: &str, now: i64) -> Option<i64> {
        let map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(digest).filter(|(_, at)| now >= *at && now - *at < KEY_CACHE_SECONDS).map(|(id, _)| *id)
    }

    fn put(&self, digest: String, id: i64, now: i64) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= KEY_CACHE_ENTRIES {
            map.clear();
        }
        map.insert(digest, (id, now));
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// The id of the active key `api_key` is, or [`BackendError::Forbidden`].
async fn authorize(state: &AppState, api_key: &str) -> Result<i64> {
    let key = api_key.trim();
    if !key.starts_with(KEY_PREFIX) || key.len() > 200 {
        return Err(BackendError::Forbidden);
    }
    let digest = hash_api_key(key);
    let now = state.clock.ts();
    if let Some(id) = state.open311_keys.get(&digest, now) {
        return Ok(id);
    }
    match store::key_by_hash(&state.db.pool, &digest).await? {
        // The lookup was by digest already; comparing again in constant time costs nothing.
        Some((row, stored)) if crate::crypto::same_token(&stored, &digest) => {
            if row.revoked_at.is_some() {
                tracing::warn!(key = row.id, "Open311 request with a revoked key");
                return Err(BackendError::Forbidden);
            }
            state.open311_keys.put(digest, row.id, now);
            Ok(row.id)
        }
        _ => Err(BackendError::Forbidden),
    }
}

/// A key just created: the only moment its text exists outside the client.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub id: i64,
    pub name: String,
    /// `p311_` + 64 hex digits (256 random bits). Only its SHA-256 is stored.
    pub key: String,
}

/// Creates a key for a client application, audited.
///
/// # Errors
/// [`BackendError::BadRequest`] for an empty or over-long name; database errors.
pub async fn create_key(state: &AppState, by: &Who, name: &str) -> Result<NewKey> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(BackendError::BadRequest(vec!["name: give the client a name of 1 to 100 characters".to_owned()]));
    }
    let key = format!("{KEY_PREFIX}{}", crate::crypto::hex(&crate::crypto::random_bytes::<32>()));
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    let id = store::insert_key(&mut tx, &name, &hash_api_key(&key), now).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: "open311_key_create",
            ticket: None,
            detail: json!({ "key": id, "name": name }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewKey { id, name, key })
}

/// Every key, revoked ones included, oldest first.
///
/// # Errors
/// Database errors.
pub async fn list_keys(state: &AppState) -> Result<Vec<ApiKeyRow>> {
    store::all_keys(&state.db.pool).await
}

/// Revokes a key at once (its next request is refused), audited.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown or already revoked key; database errors.
pub async fn revoke_key(state: &AppState, by: &Who, id: i64) -> Result<()> {
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    if !store::revoke_key(&mut tx, id, now).await? {
        return Err(BackendError::NotFound);
    }
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: "open311_key_revoke",
            ticket: None,
            detail: json!({ "key": id }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    state.open311_keys.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_their_script() {
        assert_eq!(full_name("小明", "王"), "王小明");
        assert_eq!(full_name("Jane", "Doe"), "Jane Doe");
        assert_eq!(full_name(" ", "Doe"), "Doe");
        assert_eq!(full_name("", ""), "");
    }

    #[test]
    fn media_urls_must_be_http_or_https_with_a_host() {
        assert_eq!(media_url("").unwrap(), None);
        assert_eq!(media_url(" https://img.example/a.jpg ").unwrap().as_deref(), Some("https://img.example/a.jpg"));
        assert!(media_url("HTTP://img.example/a.jpg").unwrap().is_some());
        for bad in [
            "ftp://x/a",
            "javascript:alert(1)",
            "/relative.jpg",
            "https://",
            "http://a b/c",
            "data:image/png;base64,AAAA",
        ] {
            assert!(media_url(bad).is_err(), "{bad}");
        }
        assert!(media_url(&format!("https://x.example/{}", "a".repeat(MEDIA_URL_MAX))).is_err());
    }

    #[test]
    fn dates_need_a_zone_or_are_whole_local_days() {
        assert_eq!(parse_date("d", "2024-05-01T08:00:00+08:00", false).unwrap(), 1_714_521_600);
        assert_eq!(parse_date("d", "2024-05-01T00:00:00Z", false).unwrap(), 1_714_521_600);
        assert_eq!(parse_date("d", "2024-05-01", false).unwrap(), 1_714_492_800);
        assert_eq!(parse_date("d", "2024-05-01", true).unwrap(), 1_714_492_800 + 86_399);
        assert!(parse_date("start_date", "yesterday", false).unwrap_err().starts_with("start_date:"));
        assert!(parse_date("d", "2024-13-01", false).is_err());
    }

    #[test]
    fn status_notes_are_english_words() {
        assert_eq!(status_notes("assigned", false), "assigned: waiting to be signed for");
        assert_eq!(status_notes("in_progress", true), "in_progress: being handled (past its deadline)");
        assert!(status_notes("closed", false).starts_with("closed"));
    }
}
