//! Thin server functions for the staff pages: take the state and the signed-in staff member
//! (put into the request by the server's `/staff` middleware), call one service, map the error.
//! Authorization is the services' job; here only "is anyone signed in".

use domain::staff::{AppealPage, Flash, Inbox, InboxFilter, StaffHeader};
use domain::views::CategoryView;
use domain::workflow::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A staff page's data, or why there is none.
#[expect(clippy::large_enum_variant, reason = "built once per page; boxing buys nothing")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StaffData<T> {
    Page {
        header: StaffHeader,
        flash: Option<Flash>,
        data: T,
    },
    /// Nobody signed in (the middleware normally redirects first).
    SignedOut,
    /// Signed in, but this page is not for this role, or the appeal is out of scope.
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginView {
    pub csrf: String,
    pub flash: Option<Flash>,
    pub signed_in: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxView {
    pub inbox: Inbox,
    pub filter: InboxFilter,
    pub categories: Vec<CategoryView>,
    /// The units the member may filter by (their own and those under it).
    pub units: Vec<domain::staff::UnitOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRowView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub unit_name: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAdminView {
    pub staff: Vec<StaffRowView>,
    pub units: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditItem {
    pub seq: i64,
    pub at: i64,
    pub actor_name: String,
    pub role: String,
    pub action: String,
    pub ticket: Option<String>,
    pub detail: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayView {
    pub day: String,
    pub kind: String,
    pub name: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use super::StaffData;
    use backend::auth::{Staff, StaffCtx};
    use leptos::prelude::*;

    pub(crate) use crate::api::{internal, state};

    pub fn staff_ctx() -> Option<StaffCtx> {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<StaffCtx>().cloned())
    }

    /// Runs `f` for the signed-in staff member and wraps the result with the page frame's data.
    pub async fn with_staff<T, F, Fut>(f: F) -> Result<StaffData<T>, ServerFnError>
    where
        F: FnOnce(backend::AppState, Staff) -> Fut,
        Fut: std::future::Future<Output = Result<T, backend::BackendError>>,
    {
        let state = state()?;
        let Some(ctx) = staff_ctx() else { return Ok(StaffData::SignedOut) };
        let Some(staff) = ctx.staff.clone() else { return Ok(StaffData::SignedOut) };
        let header = backend::auth::header(&state, &staff, &ctx.csrf);
        match f(state, staff).await {
            Ok(data) => Ok(StaffData::Page { header, flash: ctx.flash, data }),
            Err(backend::BackendError::NotFound | backend::BackendError::Forbidden) => Ok(StaffData::NotFound),
            Err(e) => Err(internal(&e)),
        }
    }
}

#[server]
pub async fn staff_login_view() -> Result<LoginView, ServerFnError> {
    let c = ctx::staff_ctx().ok_or_else(|| ServerFnError::new("no staff context"))?;
    Ok(LoginView { csrf: c.csrf, flash: c.flash, signed_in: c.staff.is_some() })
}

#[server]
pub async fn staff_inbox(filter: InboxFilter) -> Result<StaffData<InboxView>, ServerFnError> {
    // The phone number and the words come from the session only (posted to `/staff/search`),
    // never from a URL or from the caller.
    let (phone, words) = ctx::staff_ctx().map(|c| (c.search_phone, c.search_words)).unwrap_or_default();
    let filter = filter.with_session_search(phone.as_deref(), words.as_deref());
    ctx::with_staff(|state, staff| async move {
        let inbox = backend::services::work::inbox(&state, &staff, &filter).await?;
        let cat = state.catalog.get();
        let categories = cat
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                urgent: c.urgent,
            })
            .collect();
        let units = backend::services::work::filter_units(&cat, &staff);
        Ok(InboxView { inbox, filter, categories, units })
    })
    .await
}

#[server]
pub async fn staff_appeal(ticket: String) -> Result<StaffData<AppealPage>, ServerFnError> {
    ctx::with_staff(|state, staff| async move { backend::services::work::appeal_page(&state, &staff, &ticket).await })
        .await
}

/// The appeals the signed-in member is leader in charge of (`/staff/cases`, issue 13).
#[server]
pub async fn staff_cases() -> Result<StaffData<Vec<domain::staff::InboxItem>>, ServerFnError> {
    ctx::with_staff(|state, staff| async move { backend::services::notices::cases(&state, &staff).await }).await
}

#[server]
pub async fn staff_admin_home() -> Result<StaffData<()>, ServerFnError> {
    ctx::with_staff(|_state, staff| async move { staff.who().require_admin() }).await
}

#[server]
pub async fn staff_admin_staff() -> Result<StaffData<StaffAdminView>, ServerFnError> {
    ctx::with_staff(|state, staff| async move {
        let cat = state.catalog.get();
        let name = |u: &str| cat.units.get(u).map_or_else(|| u.to_owned(), |x| x.name.clone());
        let staff = backend::auth::list_staff(&state, &staff.who())
            .await?
            .into_iter()
            .map(|s| StaffRowView {
                unit_name: name(&s.unit),
                id: s.id,
                username: s.username,
                display_name: s.display_name,
                unit: s.unit,
                role: s.role,
                active: s.active,
            })
            .collect();
        let units = cat.units_sorted().into_iter().map(|u| (u.code.clone(), u.name.clone())).collect();
        Ok(StaffAdminView { staff, units })
    })
    .await
}

#[server]
pub async fn staff_admin_audit(
    ticket: String,
    action: String,
    before: Option<i64>,
) -> Result<StaffData<Vec<AuditItem>>, ServerFnError> {
    ctx::with_staff(|state, staff| async move {
        let t = Some(ticket.trim()).filter(|t| !t.is_empty());
        let a = Some(action.trim()).filter(|a| !a.is_empty());
        let rows = backend::audit::read(&state, &staff.who(), t, a, before, 100).await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditItem {
                seq: r.seq,
                at: r.at,
                actor_name: r.actor_name,
                role: r.role,
                action: r.action,
                ticket: r.ticket,
                detail: r.detail,
                reason: r.reason,
            })
            .collect())
    })
    .await
}

#[server]
pub async fn staff_admin_holidays() -> Result<StaffData<Vec<HolidayView>>, ServerFnError> {
    ctx::with_staff(|state, staff| async move {
        Ok(backend::services::supervision::list_holidays(&state, &staff.who())
            .await?
            .into_iter()
            .map(|h| HolidayView { day: h.day, kind: h.kind, name: h.name })
            .collect())
    })
    .await
}

/// The staff dashboard's answer: the figures, or a period that does not parse (the page says so
/// and shows the form again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DashboardAnswer {
    Figures(Box<domain::staff::DashboardView>),
    BadPeriod,
}

/// The signed-in member's dashboard for the period in the query (the same parameters as
/// `/stats`; none = the current month).
#[server]
pub async fn staff_dashboard(
    period: String,
    year: String,
    month: String,
    quarter: String,
    from: String,
    to: String,
) -> Result<StaffData<DashboardAnswer>, ServerFnError> {
    ctx::with_staff(|state, staff| async move {
        let get = |k: &str| {
            Some(match k {
                "year" => year.clone(),
                "month" => month.clone(),
                "quarter" => quarter.clone(),
                "from" => from.clone(),
                "to" => to.clone(),
                _ => return None,
            })
        };
        let Some(p) = domain::stats::Period::from_form(&period, get, state.clock.now()) else {
            return Ok(DashboardAnswer::BadPeriod);
        };
        Ok(DashboardAnswer::Figures(Box::new(backend::services::dashboard::dashboard(&state, &staff, p).await?)))
    })
    .await
}

/// What the staff intake form offers: the categories, the grid cells of the member's area
/// (with their community's name), and a fresh one-time token for this form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntakeView {
    pub categories: Vec<CategoryView>,
    /// (cell code, cell name, its English name, community name, its English name)
    pub cells: Vec<(String, String, String, String, String)>,
    pub token: String,
    /// Admins never act on appeals: the form is not offered to them.
    pub may_record: bool,
    /// Each category that asks extra questions (issue 13), by code, with its questions.
    #[serde(default)]
    pub questions: Vec<(String, Vec<domain::questions::Question>)>,
    /// The cell chosen when nothing was (a grid worker's own).
    #[serde(default)]
    pub default_cell: Option<String>,
}

#[server]
pub async fn staff_intake_view() -> Result<StaffData<IntakeView>, ServerFnError> {
    ctx::with_staff(|state, staff| async move {
        let cat = state.catalog.get();
        let categories = cat
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                urgent: c.urgent,
            })
            .collect();
        let cells = backend::services::intake::cells_for(&cat, &staff)
            .into_iter()
            .map(|r| {
                let (community, community_en) = r
                    .parent
                    .as_deref()
                    .and_then(|p| cat.region(p))
                    .map_or_else(Default::default, |p| (p.name.clone(), p.name_en.clone()));
                (r.code.clone(), r.name.clone(), r.name_en.clone(), community, community_en)
            })
            .collect();
        Ok(IntakeView {
            categories,
            cells,
            default_cell: backend::services::intake::default_cell(&cat, &staff).map(|r| r.code.clone()),
            token: backend::services::intake::new_form_token(),
            may_record: staff.role != Role::Admin,
            questions: cat
                .categories
                .iter()
                .filter(|c| !cat.questions(&c.code).is_empty())
                .map(|c| (c.code.clone(), cat.questions(&c.code).to_vec()))
                .collect(),
        })
    })
    .await
}
