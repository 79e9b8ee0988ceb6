//! The staff workspace: sign-in, the inbox and an appeal's page. Server-rendered only (no
//! islands): every action is a plain form with the session's CSRF token, posted to the server's
//! `/staff/...` handlers, which answer with a redirect back here (errors come in the flash).
//! Phone-first like the resident pages: one column, big targets, tables that reflow.

use crate::components::when;
use crate::components::{
    event_line, fill, lang, rating_text, status_text, t, urlencode, ErrorSummary, FieldMessage, Notice, PageTitle,
    TextArea,
};
use crate::staff_api::{staff_appeal, staff_inbox, staff_login_view, InboxView, StaffData};
use domain::events::{EventDetail, EventKind};
use domain::region::localized;
use domain::sla::Urgency;
use domain::staff::{AppealPage, Flash, InboxFilter, StaffHeader, UnitOption};
use domain::workflow::{Action, Role, Status};
use domain::{FieldError, FieldName, Msg};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

pub fn role_text(r: Role) -> &'static str {
    t(match r {
        Role::GridWorker => Msg::RoleGridWorker,
        Role::UnitHandler => Msg::RoleUnitHandler,
        Role::Dispatcher => Msg::RoleDispatcher,
        Role::Admin => Msg::RoleAdmin,
    })
}

/// The hidden CSRF field every staff form carries.
pub fn csrf_input(token: &str) -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=token.to_owned()/> }
}

/// Who is signed in, where to go, and the sign-out button.
pub fn staff_bar(h: &StaffHeader) -> impl IntoView {
    view! {
        <Meta name="robots" content="noindex"/>
        <nav class="staff-bar" aria-label=t(Msg::StaffTitle)>
            <p class="who">
                <strong>{h.display_name.clone()}</strong>" · "{h.unit_name.clone()}" · "{role_text(h.role)}
            </p>
            <ul>
                <li><a href="/staff">{t(Msg::NavInbox)}</a></li>
                <li><a href="/staff/dashboard">{t(Msg::DashboardNav)}</a></li>
                {(h.role != Role::Admin).then(|| view! { <li><a href="/staff/cases">{t(Msg::NavCases)}</a></li> })}
                {(h.role != Role::Admin).then(|| view! { <li><a href="/staff/appeal/new">{t(Msg::IntakeNav)}</a></li> })}
                <li><a href="/staff/summons">{t(Msg::NavSummons)}</a></li>
                {domain::publication::may_moderate(h.role).then(|| view! { <li><a href="/staff/moderation">{t(Msg::NavModeration)}</a></li> })}
                {domain::callback::has_queue(h.role).then(|| view! { <li><a href="/staff/callbacks">{t(Msg::NavCallbacks)}</a></li> })}
                {(h.role == Role::Admin).then(|| view! { <li><a href="/staff/admin">{t(Msg::NavAdmin)}</a></li> })}
                <li><a href="/staff/account" id="nav-account">{t(Msg::NavAccount)}</a></li>
                <li>
                    <form method="post" action="/staff/logout" class="inline">
                        {csrf_input(&h.csrf)}
                        <button type="submit" class="link-button">{t(Msg::SignOut)}</button>
                    </form>
                </li>
            </ul>
        </nav>
    }
}

/// What to show when there is no page: signed out or out of scope.
pub fn no_page<T>(d: &StaffData<T>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if matches!(d, StaffData::SignedOut) {
        leptos_axum::redirect("/staff/login");
    } else if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    let _ = d;
    view! {
        <PageTitle text=t(Msg::NotFound)/>
        <h1>{t(Msg::NotFound)}</h1>
        <p><a href="/staff">{t(Msg::NavInbox)}</a></p>
    }
}

/// The page body when a staff page's data could not be loaded.
pub fn generic_error() -> AnyView {
    view! { <p role="alert">{t(Msg::GenericError)}</p> }.into_any()
}

/// The scaffold of every signed-in staff page: wait for the page's data (`data`, a server
/// function's call), then render it with the page frame's header and the flash, or send a
/// signed-out person to the sign-in page, or say "not found", or show the generic error.
pub fn staff_page<T, Fut, V>(
    data: Fut,
    render: impl Fn(StaffHeader, Flash, T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    Fut: std::future::Future<Output = Result<StaffData<T>, ServerFnError>> + Send + 'static,
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let data = data.shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(StaffData::Page { header, flash, data }) => {
                            render(header, flash.unwrap_or_default(), data).into_any()
                        }
                        Ok(other) => no_page(&other).into_any(),
                        Err(_) => generic_error(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn StaffLogin() -> impl IntoView {
    let data = staff_login_view().shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                Suspend::new(async move {
                    let Ok(v) = data.await else { return generic_error() };
                    if v.signed_in {
                        #[cfg(feature = "ssr")]
                        leptos_axum::redirect("/staff");
                    }
                    let flash = v.flash.unwrap_or_default();
                    let errors = flash.errors_for("login");
                    let title = if errors.is_empty() && flash.problem.is_none() {
                        t(Msg::StaffLoginTitle).to_owned()
                    } else {
                        format!("{}: {}", t(Msg::ErrorSummaryTitle), t(Msg::StaffLoginTitle))
                    };
                    view! {
                        <PageTitle text=title/>
                        <Meta name="robots" content="noindex"/>
                        <h1>{t(Msg::StaffLoginTitle)}</h1>
                        <p class="hint">{t(Msg::StaffLoginHint)}</p>
                        <ErrorSummary errors=errors.clone()/>
                        <Notice msg=flash.problem problem=true/>
                        <form method="post" action="/staff/login" class="step-form">
                            {csrf_input(&v.csrf)}
                            <div class="field">
                                <label for="username" class="label">{t(Msg::UsernameLabel)}</label>
                                <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
                                    spellcheck="false" required value=flash.value("username")/>
                            </div>
                            <div class="field">
                                <label for="password" class="label">{t(Msg::PasswordLabel)}</label>
                                <FieldMessage field=FieldName::Password msg=errors.first().map(|e| e.msg)/>
                                <input id="password" name="password" type="password" autocomplete="current-password" required
                                    aria-invalid=(!errors.is_empty()).to_string()/>
                            </div>
                            <button type="submit" class="button">{t(Msg::SignIn)}</button>
                        </form>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

fn filter_from_query() -> InboxFilter {
    let q = use_query_map().read_untracked();
    InboxFilter::from_query(|k| q.get(k), true)
}

fn inbox_url(f: &InboxFilter, page: i64) -> String {
    format!("/staff?{}", f.query_string(Some(page), urlencode))
}

/// A timeline line as staff read it: the resident's words ("you submitted", "you added", "your
/// rating") become the third person, and an appeal recorded by staff says by which channel (issue 14).
fn staff_event_line(
    kind: EventKind,
    unit: Option<&str>,
    extra: Option<&str>,
    body: Option<&str>,
    lang: domain::Lang,
) -> String {
    let unit_name = || unit.unwrap_or_default().to_owned();
    match kind {
        EventKind::Submitted => {}
        EventKind::Supplement => return Msg::EventSupplementByResident.text(lang).to_owned(),
        EventKind::ResidentAnswer => return Msg::EventAnswerByResident.text(lang).to_owned(),
        EventKind::PhotoAdded => return Msg::EventPhotoAddedByResident.text(lang).to_owned(),
        EventKind::Joined => return Msg::EventJoinedByResident.text(lang).to_owned(),
        EventKind::Rated => {
            let rating = crate::components::rating_text(extra.unwrap_or_default(), lang).to_owned();
            return fill(Msg::EventRatedByResident.text(lang), &[("rating", rating)]);
        }
        EventKind::ReopenedUnsatisfied => {
            return fill(Msg::EventReopenedUnsatisfiedByResident.text(lang), &[("unit", unit_name())]);
        }
        _ => return event_line(kind, unit, extra, lang),
    }
    match body.and_then(domain::staff::StaffChannel::parse) {
        Some(c) => fill(Msg::EventRecordedByStaff.text(lang), &[("channel", c.label().text(lang).to_owned())]),
        None => Msg::EventSubmittedByResident.text(lang).to_owned(),
    }
}

/// What an event's detail adds on the staff timeline: the public part of the line (summoned
/// units' names, the new deadline, the rating) and the staff-only text under it (a report, a
/// reason, the days asked for, a refusal's note).
fn event_texts(
    kind: EventKind,
    detail: Option<&EventDetail>,
    units: &[UnitOption],
) -> (Option<String>, Option<String>) {
    let Some(d) = detail else { return (None, None) };
    let unit_name = |c: &String| units.iter().find(|s| &s.code == c).map_or_else(|| c.clone(), |s| s.name.clone());
    let extra = match kind {
        EventKind::Summoned | EventKind::SummonsOverdue | EventKind::SummonsDueSet | EventKind::ReportRated => {
            d.units.as_ref().map(|u| u.iter().map(unit_name).collect::<Vec<_>>().join("、"))
        }
        EventKind::ExtensionApproved => d.new.map(when),
        EventKind::Rated => d.rating.clone(),
        // The satisfaction told on the call, or `unreachable` on the last failed call.
        EventKind::Callback => d.rating.clone().or_else(|| d.reason.clone()),
        EventKind::NoticeIssued => d.notice.clone(),
        EventKind::MergedIn | EventKind::Linked => d.other.as_ref().map(|o| display_ticket(o)),
        _ => None,
    };
    let staff = match kind {
        EventKind::ReportedBack => d.report.clone(),
        EventKind::Transferred | EventKind::Escalated => {
            d.reason.as_ref().map(|r| format!("{}: {r}", t(Msg::ReasonLabel)))
        }
        EventKind::ExtensionRequested => {
            Some(format!("+{} · {}", d.days.unwrap_or(0), d.reason.as_deref().unwrap_or("")))
        }
        EventKind::ExtensionRefused | EventKind::Callback => d.note.clone(),
        EventKind::NoticeIssued => d.reason.as_ref().map(|r| {
            format!(
                "{}: {r} · {}: {}",
                t(Msg::ReasonLabel),
                t(Msg::NoticeDueLabel),
                d.due.map(when).unwrap_or_default()
            )
        }),
        EventKind::NoticeAnswered => d.report.clone(),
        // Which appeal it follows (or followed), and why staff merged it.
        EventKind::Merged | EventKind::Joined | EventKind::Unmerged | EventKind::ClosedWithMain => {
            d.other.as_ref().map(|o| {
                let mut line = format!("{}: {}", t(Msg::MergedIntoLabel), display_ticket(o));
                if let Some(r) = &d.reason {
                    line = format!("{line} · {}: {r}", t(Msg::ReasonLabel));
                }
                line
            })
        }
        // A summons' report-back date; a rating of a report, with its note.
        EventKind::Summoned | EventKind::SummonsOverdue | EventKind::SummonsDueSet => {
            d.due.map(|due| fill(t(Msg::SummonDue), &[("date", when(due))]))
        }
        EventKind::ReportRated => d.rating.as_deref().map(|r| {
            let rated = fill(t(Msg::ReportRated), &[("rating", rating_text(r, lang()).to_owned())]);
            match d.note.as_deref() {
                Some(n) if !n.is_empty() => format!("{rated} · {n}"),
                _ => rated,
            }
        }),
        EventKind::OwnerNamed | EventKind::OwnerRemoved => {
            let named = d.owner.as_ref().map(|o| format!("{}: {o}", t(Msg::OwnerLabel)));
            let previous = d.previous.as_ref().map(|p| format!("{}: {p}", t(Msg::OwnerPrevious)));
            let parts: Vec<String> = named.into_iter().chain(previous).collect();
            (!parts.is_empty()).then(|| parts.join(" · "))
        }
        _ => None,
    };
    (extra, staff)
}

fn urgency_badge(u: Urgency) -> Option<AnyView> {
    match u {
        Urgency::DueSoon => Some(view! { <span class="badge badge-soon">{t(Msg::BadgeDueSoon)}</span> }.into_any()),
        Urgency::Overdue => Some(view! { <span class="badge badge-overdue">{t(Msg::BadgeOverdue)}</span> }.into_any()),
        Urgency::Fine => None,
    }
}

#[component]
pub fn StaffInbox() -> impl IntoView {
    let filter = filter_from_query();
    staff_page(staff_inbox(filter), |header, flash, data| inbox_view(&header, flash, data))
}

fn inbox_view(h: &StaffHeader, flash: Flash, v: InboxView) -> impl IntoView {
    let lang = lang();
    let f = v.filter.clone();
    let counts = v.inbox.counts.clone();
    let open: i64 = counts.iter().filter(|(s, _)| s != Status::Closed.as_str()).map(|(_, n)| n).sum();
    let count_of = |s: &str| counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    let status_link = |code: &str, label: String, n: i64| {
        let mut g = f.clone();
        g.status = code.to_owned();
        let current = f.status == code;
        view! { <li><a href=inbox_url(&g, 1) aria-current=current.then_some("page")>{label}" "<span class="count">{n}</span></a></li> }
    };
    let statuses = Status::ALL;
    let page_of = fill(t(Msg::PageOf), &[("n", v.inbox.page.to_string()), ("total", v.inbox.pages.to_string())]);
    let page_label = page_of.clone();
    let sel = |a: &str, b: &str| a == b;
    let problems = v.inbox.problems.clone();
    let title = if problems.is_empty() {
        format!("{} - {}", t(Msg::InboxTitle), t(Msg::SiteName))
    } else {
        format!("{}: {} - {}", t(Msg::ErrorSummaryTitle), t(Msg::InboxTitle), t(Msg::SiteName))
    };
    view! {
        <PageTitle text=title/>
        {staff_bar(h)}
        <h1>{t(Msg::InboxTitle)}</h1>
        <Notice msg=flash.notice/>
        <nav aria-label=t(Msg::CountsLabel)>
            <ul class="counts">
                {status_link("open", t(Msg::FilterOpen).to_owned(), open)}
                {statuses.iter().map(|s| status_link(s.as_str(), status_text(*s, lang).to_owned(), count_of(s.as_str()))).collect_view()}
            </ul>
        </nav>
        // Posted (with the CSRF token), then redirected to the inbox's address with the filter:
        // the phone number and the words are kept in the session, never in a URL (proxy logs,
        // browser history); the inbox's links only say `by_phone=1`, `by_words=1`.
        <form method="post" action="/staff/search" class="filters">
            <input type="hidden" name="csrf" value=h.csrf.clone()/>
            <div class="field">
                <label for="f-status" class="label">{t(Msg::FilterStatus)}</label>
                <select id="f-status" name="status">
                    <option value="open" selected=sel(&f.status, "open")>{t(Msg::FilterOpen)}</option>
                    <option value="" selected=sel(&f.status, "")>{t(Msg::FilterAll)}</option>
                    {statuses.iter().map(|s| view! { <option value=s.as_str() selected=sel(&f.status, s.as_str())>{status_text(*s, lang)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-category" class="label">{t(Msg::FilterCategory)}</label>
                <select id="f-category" name="category">
                    <option value="">{t(Msg::FilterAll)}</option>
                    {v.categories.iter().map(|c| view! {
                        <option value=c.code.clone() selected=c.code == f.category>{localized(lang, &c.name, &c.name_en).to_owned()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-due" class="label">{t(Msg::FilterDue)}</label>
                <select id="f-due" name="due">
                    <option value="">{t(Msg::FilterAll)}</option>
                    <option value="soon" selected=sel(&f.due, "soon")>{t(Msg::FilterDueSoon)}</option>
                    <option value="overdue" selected=sel(&f.due, "overdue")>{t(Msg::FilterOverdue)}</option>
                    <option value="supervised" selected=sel(&f.due, "supervised")>{t(Msg::FilterSupervised)}</option>
                    <option value="escalated" selected=sel(&f.due, "escalated")>{t(Msg::FilterEscalated)}</option>
                    <option value="noticed" selected=sel(&f.due, "noticed")>{t(Msg::FilterNoticed)}</option>
                    <option value="owes" selected=sel(&f.due, "owes")>{t(Msg::FilterOwesReport)}</option>
                    <option value="merged" selected=sel(&f.due, "merged")>{t(Msg::FilterMerged)}</option>
                    <option value="unmerged" selected=sel(&f.due, "unmerged")>{t(Msg::FilterUnmerged)}</option>
                </select>
            </div>
            <div class="choice">
                <input type="checkbox" id="f-urgent" name="urgent" value="1" checked=f.urgent/>
                <label for="f-urgent">{t(Msg::FilterUrgent)}</label>
            </div>
            <fieldset class="search">
                <legend>{t(Msg::SearchTitle)}</legend>
                <ErrorSummary errors=problems.clone()/>
                {search_field(FieldName::Words, Msg::SearchWords, "search", &f.words, &problems)}
                {search_field(FieldName::Ticket, Msg::SearchTicket, "text", &f.ticket, &problems)}
                {(h.role != Role::Admin).then(|| phone_field(&f.phone, &problems))}
                <div class="field">
                    <label for="unit" class="label">{t(Msg::SearchUnit)}</label>
                    <select id="unit" name="unit">
                        <option value="">{t(Msg::FilterAll)}</option>
                        {v.units.iter().map(|u| view! {
                            <option value=u.code.clone() selected=u.code == f.unit>{u.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                {search_field(FieldName::From, Msg::SearchFrom, "date", &f.from, &problems)}
                {search_field(FieldName::To, Msg::SearchTo, "date", &f.to, &problems)}
            </fieldset>
            <button type="submit" class="button button-secondary">{t(Msg::FilterApply)}</button>
        </form>
        {(!f.search().is_ok_and(|s| s.is_empty())).then(|| view! {
            <p class="found" role="status">{fill(t(Msg::SearchFound), &[("n", v.inbox.total.to_string())])}</p>
        })}
        <p class="ledger-link">
            <a href=ledger_href(&f, "csv") download="">{t(Msg::LedgerDownload)}</a>
            " · "
            <a href=ledger_href(&f, "xlsx") download="">{t(Msg::LedgerDownloadXlsx)}</a>
        </p>
        {(h.role != Role::Admin).then(|| pii_export_form(&f, &h.csrf))}
        {if v.inbox.items.is_empty() {
            view! { <p class="empty">{t(Msg::InboxEmpty)}</p> }.into_any()
        } else {
            view! {
                <ul class="inbox" id="inbox">
                    {v.inbox.items.into_iter().map(|i| {
                        let cat = v.categories.iter().find(|c| c.code == i.category).map_or_else(|| i.category.clone(), |c| localized(lang, &c.name, &c.name_en).to_owned());
                        view! {
                            <li class="inbox-item" data-ticket=i.ticket.clone()>
                                <p class="line1">
                                    <a class="code" href=format!("/staff/appeal/{}", i.ticket)>{domain::receipt::Ticket::parse(&i.ticket).map(|t| t.display()).unwrap_or(i.ticket.clone())}</a>
                                    " "<span class="status">{status_text(i.status, lang)}</span>
                                    {i.urgent.then(|| view! { " "<span class="badge">{t(Msg::UrgentBadge)}</span> })}
                                    {urgency_badge(i.urgency).map(|b| view! { " "{b} })}
                                    {i.supervised.then(|| view! { " "<span class="badge badge-overdue">{t(Msg::BadgeSupervised)}</span> })}
                                    {i.noticed.then(|| view! { " "<span class="badge badge-soon">{t(Msg::BadgeNotice)}</span> })}
                                    {i.owes_report.then(|| view! { " "<span class="badge badge-soon">{t(Msg::BadgeOwesReport)}</span> })}
                                    {i.follows.clone().map(|main| view! { " "<span class="badge">{fill(t(Msg::BadgeFollows), &[("ticket", main)])}</span> })}
                                </p>
                                <p class="line2">{cat}" · "{i.unit_name}</p>
                                <p class="line3">{t(Msg::ColDue)}": "<time>{when(i.due_at)}</time></p>
                                <p class="summary-text">{i.summary}</p>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <nav class="pager" aria-label=page_label>
            <p>{page_of}</p>
            {(v.inbox.page > 1).then(|| view! { <a href=inbox_url(&f, v.inbox.page - 1) rel="prev">{t(Msg::PagePrev)}</a> })}
            " "
            {(v.inbox.page < v.inbox.pages).then(|| view! { <a href=inbox_url(&f, v.inbox.page + 1) rel="next">{t(Msg::PageNext)}</a> })}
        </nav>
    }
}

#[component]
pub fn StaffAppeal() -> impl IntoView {
    let ticket = use_params_map().read_untracked().get("ticket").unwrap_or_default();
    staff_page(staff_appeal(ticket), |header, flash, data| appeal_view(&header, flash, data))
}

fn route_reason_text(r: &str) -> &'static str {
    t(match r {
        "grid_cell" => Msg::RouteGridCell,
        "chosen_region" => Msg::RouteChosenRegion,
        "outside_grid" => Msg::RouteOutsideGrid,
        _ => Msg::RouteMissingUnit,
    })
}

/// One action form: a titled section with the errors of this form, its fields and a button.
fn action_form(
    name: &'static str,
    title: Msg,
    ticket: &str,
    csrf: &str,
    flash: &Flash,
    fields: AnyView,
) -> impl IntoView {
    let errors: Vec<FieldError> = flash.errors_for(name);
    let problem = (flash.form == name).then_some(flash.problem).flatten();
    view! {
        <section class="action" id=name aria-labelledby=format!("{name}-title")>
            <h3 id=format!("{name}-title")>{t(title)}</h3>
            <ErrorSummary errors=errors/>
            <Notice msg=problem problem=true/>
            <form method="post" action=format!("/staff/appeal/{ticket}/act")>
                {csrf_input(csrf)}
                <input type="hidden" name="action" value=name/>
                {fields}
                <button type="submit" class="button">{t(title)}</button>
            </form>
        </section>
    }
}

/// The summons' report-back days (issue 13): 1–15 working days, 3 unless changed.
fn summon_days(f: &Flash) -> AnyView {
    let err = f.errors_for("summon").iter().find(|e| e.field == FieldName::Days).map(|e| e.msg);
    let value = if f.form == "summon" { f.value("days") } else { domain::summons::DEFAULT_DAYS.to_string() };
    view! {
        <div class="field">
            <label for="summon-days" class="label">{t(Msg::SummonDaysLabel)}</label>
            {err.map(|m| view! { <p class="field-error" id="summon-days-error">{t(m)}</p> })}
            <input id="summon-days" name="days" type="number" inputmode="numeric" min="1" max=domain::summons::DAYS_MAX
                value=value aria-invalid=err.is_some().to_string()/>
        </div>
    }
    .into_any()
}

/// One co-handler on the appeal page: reported or not, the report-back deadline (overdue
/// marked), the summoning unit's rating, and for that unit's dispatcher the rating form.
fn cohandler_item(c: &domain::staff::CoHandlerItem, ticket: &str, csrf: &str, f: &Flash) -> AnyView {
    let lang = lang();
    let mine = f.form == "rate_report" && f.value("unit") == c.unit;
    let errors = if mine { f.errors.clone() } else { Vec::new() };
    let problem = if mine { f.problem } else { None };
    let err = |field: FieldName| errors.iter().find(|e| e.field == field).map(|e| e.msg);
    let (rating_err, note_err) = (err(FieldName::Rating), err(FieldName::Body));
    let id = |k: &str| format!("rate-{}-{k}", c.unit);
    let rate_form = c.may_rate.then(|| {
        view! {
            <form method="post" action=format!("/staff/appeal/{ticket}/act") class="rate-report" id=id("form")>
                <ErrorSummary errors=errors.clone()/>
                <Notice msg=problem problem=true/>
                {csrf_input(csrf)}
                <input type="hidden" name="action" value="rate_report"/>
                <input type="hidden" name="unit" value=c.unit.clone()/>
                <fieldset class="choices">
                    <legend>{t(Msg::ReportRatingLabel)}</legend>
                    {rating_err.map(|m| view! { <p class="field-error" id=id("rating-error")>{t(m)}</p> })}
                    {domain::callback::Satisfaction::ALL.into_iter().map(|r| {
                        let rid = id(r.as_str());
                        view! {
                            <div class="choice">
                                <input type="radio" name="rating" id=rid.clone() value=r.as_str()/>
                                <label for=rid>{rating_text(r.as_str(), lang)}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for=id("body") class="label">{t(Msg::ReportRatingNote)}</label>
                    {note_err.map(|m| view! { <p class="field-error" id=id("body-error")>{t(m)}</p> })}
                    <TextArea value=if mine { f.value("body") } else { String::new() } {..} id=id("body") name="body" rows="2"
                        maxlength=domain::summons::RATING_NOTE_MAX aria-invalid=note_err.is_some().to_string()/>
                </div>
                <button type="submit" class="button">{t(Msg::ActRateReport)}</button>
            </form>
        }
    });
    view! {
        <li data-unit=c.unit.clone() data-overdue=c.overdue.to_string() data-rating=c.rating.clone().unwrap_or_default()>
            <strong>{c.unit_name.clone()}</strong>" · "
            {match c.reported_at {
                Some(at) => view! { <span>{t(Msg::ReportedAt)}" "{when(at)}</span> }.into_any(),
                None => view! { <span class="badge badge-soon">{t(Msg::NotReported)}</span> }.into_any(),
            }}
            {c.due_at.map(|d| view! { " · "<span class="summons-due">{fill(t(Msg::SummonDue), &[("date", when(d))])}</span> })}
            {c.overdue.then(|| view! { " "<span class="badge badge-overdue">{t(Msg::BadgeReportOverdue)}</span> })}
            {c.report.clone().map(|r| view! { <p class="pre">{r}</p> })}
            {c.rating.as_deref().map(|r| view! {
                <p class="summons-rating">{fill(t(Msg::ReportRated), &[("rating", rating_text(r, lang).to_owned())])}
                    {c.rating_note.clone().filter(|n| !n.is_empty()).map(|n| view! { " · "{n} })}
                </p>
            })}
            {rate_form}
        </li>
    }
    .into_any()
}

fn textarea(field: FieldName, label: Msg, flash: &Flash, form: &str, key: &str) -> AnyView {
    let id = format!("{form}-{}", field.as_str());
    let errs = flash.errors_for(form);
    let err = errs.iter().find(|e| e.field == field).map(|e| e.msg);
    let value = if flash.form == form { flash.value(key) } else { String::new() };
    view! {
        <div class="field">
            <label for=id.clone() class="label">{t(label)}</label>
            {err.map(|m| view! { <p class="field-error" id=format!("{id}-error")>{t(m)}</p> })}
            <TextArea value=value.clone() {..} id=id name=key.to_owned() rows="4" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH aria-invalid=err.is_some().to_string()/>
        </div>
    }
    .into_any()
}

/// The reply templates of the appeal's category, under the reply form (issue 13): each a
/// `<details>` whose text is there to select and copy, which needs no script.
fn reply_templates(list: &[domain::callback::ReplyTemplate]) -> impl IntoView {
    view! {
        <section class="reply-templates" id="reply-templates" aria-labelledby="reply-templates-title">
            <h4 id="reply-templates-title">{t(Msg::ReplyTemplatesTitle)}</h4>
            <p class="hint">{t(Msg::ReplyTemplatesHint)}</p>
            {list.iter().map(|x| view! {
                <details class="reply-template" data-template=x.id.clone()>
                    <summary>{x.title.clone()}</summary>
                    <blockquote class="pre">{x.body.clone()}</blockquote>
                </details>
            }).collect_view()}
        </section>
    }
}

/// The forms of the actions this person may take now, in the page's order.
#[expect(clippy::too_many_lines, reason = "one form per action, each a few lines of markup")]
fn action_forms(a: &AppealPage, f: &Flash, csrf: &str) -> Vec<AnyView> {
    let ticket = a.ticket.clone();
    let csrf = csrf.to_owned();
    let can = |x: Action| a.actions.contains(&x);
    let mut forms: Vec<AnyView> = Vec::new();
    if can(Action::Sign) {
        forms.push(action_form("sign", Msg::ActSign, &ticket, &csrf, f, ().into_any()).into_any());
    }
    if can(Action::Reply) {
        forms.push(
            action_form(
                "reply",
                Msg::ActReply,
                &ticket,
                &csrf,
                f,
                textarea(FieldName::Body, Msg::BodyLabel, f, "reply", "body"),
            )
            .into_any(),
        );
        if !a.reply_templates.is_empty() {
            forms.push(reply_templates(&a.reply_templates).into_any());
        }
    }
    if can(Action::RequestInfo) {
        forms.push(
            action_form(
                "request_info",
                Msg::ActRequestInfo,
                &ticket,
                &csrf,
                f,
                textarea(FieldName::Body, Msg::BodyLabel, f, "request_info", "body"),
            )
            .into_any(),
        );
    }
    if can(Action::ReportBack) {
        forms.push(
            action_form(
                "report_back",
                Msg::ActReportBack,
                &ticket,
                &csrf,
                f,
                textarea(FieldName::Body, Msg::BodyLabel, f, "report_back", "body"),
            )
            .into_any(),
        );
    }
    if can(Action::Summon) && !a.summon_targets.is_empty() {
        let boxes = view! {
            <fieldset class="choices">
                <legend>{t(Msg::DepartmentsLabel)}</legend>
                {f.errors_for("summon").iter().find(|e| e.field == FieldName::Units).map(|e| view! { <p class="field-error" id="summon-units-error">{t(e.msg)}</p> })}
                {a.summon_targets.iter().enumerate().map(|(i, u)| {
                    let id = if i == 0 { "summon-units".to_owned() } else { format!("summon-units-{i}") };
                    view! {
                        <div class="choice">
                            <input type="checkbox" id=id.clone() name="units" value=u.code.clone()/>
                            <label for=id>{u.name.clone()}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <p class="hint" id="summon-scope">{t(if a.summon_any { Msg::SummonAnyHint } else { Msg::SummonListedHint })}</p>
            {summon_days(f)}
            <div class="field">
                <label for="summon-note" class="label">{t(Msg::NoteLabel)}</label>
                <TextArea value="" {..} id="summon-note" name="note" rows="3" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH/>
            </div>
        }
        .into_any();
        forms.push(action_form("summon", Msg::ActSummon, &ticket, &csrf, f, boxes).into_any());
    }
    if can(Action::Close) {
        forms.push(
            action_form(
                "close",
                Msg::ActClose,
                &ticket,
                &csrf,
                f,
                textarea(FieldName::Resolution, Msg::ResolutionLabel, f, "close", "resolution"),
            )
            .into_any(),
        );
    }
    if can(Action::Transfer) && !a.transfer_targets.is_empty() {
        let fields = view! {
            <div class="field">
                <label for="transfer-unit" class="label">{t(Msg::ToUnitLabel)}</label>
                {f.errors_for("transfer").iter().find(|e| e.field == FieldName::Unit).map(|e| view! { <p class="field-error">{t(e.msg)}</p> })}
                <select id="transfer-unit" name="unit">
                    <option value="">{t(Msg::ChooseOption)}</option>
                    {a.transfer_targets.iter().map(|u| view! { <option value=u.code.clone()>{u.name.clone()}</option> }).collect_view()}
                </select>
            </div>
            {textarea(FieldName::Reason, Msg::ReasonLabel, f, "transfer", "reason")}
        }
        .into_any();
        forms.push(action_form("transfer", Msg::ActTransfer, &ticket, &csrf, f, fields).into_any());
    }
    if can(Action::Escalate) {
        if let Some(p) = &a.parent_unit {
            let fields = view! {
                <p class="hint">{fill(t(Msg::EscalateTo), &[("unit", p.name.clone())])}</p>
                {textarea(FieldName::Reason, Msg::ReasonLabel, f, "escalate", "reason")}
            }
            .into_any();
            forms.push(action_form("escalate", Msg::ActEscalate, &ticket, &csrf, f, fields).into_any());
        }
    }
    if can(Action::RequestExtension) {
        let fields = view! {
            <div class="field">
                <label for="request_extension-days" class="label">{t(Msg::DaysLabel)}</label>
                {f.errors_for("request_extension").iter().find(|e| e.field == FieldName::Days).map(|e| view! { <p class="field-error">{t(e.msg)}</p> })}
                <input id="request_extension-days" name="days" type="number" inputmode="numeric" min="1" max=domain::sla::EXTENSION_DAYS_MAX.to_string() value=f.value("days")/>
            </div>
            {textarea(FieldName::Reason, Msg::ReasonLabel, f, "request_extension", "reason")}
        }
        .into_any();
        forms.push(action_form("request_extension", Msg::ActRequestExtension, &ticket, &csrf, f, fields).into_any());
    }
    if can(Action::DecideExtension) {
        for e in a.extensions.iter().filter(|e| e.decision.is_none()) {
            let id = e.id.clone();
            let errors = [f.errors_for("approve_extension"), f.errors_for("refuse_extension")].concat();
            forms.push(
                view! {
                    <section class="action" id="decide_extension" aria-labelledby="decide_extension-title">
                        <h3 id="decide_extension-title">{t(Msg::ActDecideExtension)}</h3>
                        <ErrorSummary errors=errors/>
                        <p>{t(Msg::DaysLabel)}": "{e.days}" · "{t(Msg::ReasonLabel)}": "{e.reason.clone()}</p>
                        <form method="post" action=format!("/staff/appeal/{ticket}/act")>
                            {csrf_input(&csrf)}
                            <input type="hidden" name="id" value=id/>
                            <div class="field">
                                <label for="decide-note" class="label">{t(Msg::NoteLabel)}</label>
                                <TextArea value="" {..} id="decide-note" name="note" rows="2" maxlength=domain::fields::REASON_INPUT_MAXLENGTH/>
                            </div>
                            <button type="submit" name="action" value="approve_extension" class="button">{t(Msg::ApproveLabel)}</button>
                            " "
                            <button type="submit" name="action" value="refuse_extension" class="button button-secondary">{t(Msg::RefuseLabel)}</button>
                        </form>
                    </section>
                }
                .into_any(),
            );
        }
    }
    if can(Action::IssueNotice) {
        forms.push(issue_notice_form(&ticket, &csrf, f).into_any());
    }
    if can(Action::NameOwner) && !a.owner_candidates.is_empty() {
        let errs = f.errors_for("name_owner");
        let fields = view! {
            <div class="field">
                <label for="owner" class="label">{t(Msg::OwnerLabel)}</label>
                {errs.iter().find(|e| e.field == FieldName::Owner).map(|e| view! { <p class="field-error" id="owner-error">{t(e.msg)}</p> })}
                <select id="owner" name="owner">
                    <option value="">{t(Msg::ChooseOption)}</option>
                    {a.owner_candidates.iter().map(|u| view! {
                        <option value=u.code.clone() selected=a.owner.as_ref().is_some_and(|(id, _)| *id == u.code)>{u.name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
        }
        .into_any();
        forms.push(action_form("name_owner", Msg::ActNameOwner, &ticket, &csrf, f, fields).into_any());
    }
    // Next to the naming form: removing the leader (the unit closes again). No fields.
    if can(Action::UnnameOwner) && a.owner.is_some() {
        forms.push(action_form("unname_owner", Msg::ActUnnameOwner, &ticket, &csrf, f, ().into_any()).into_any());
    }
    // Related appeals (issue 13): merge into a main appeal, undo it, link another.
    if can(Action::Merge) {
        let fields = view! {
            <p class="hint">{t(Msg::MergeHint)}</p>
            {ticket_field(f, "merge", "into", Msg::MergeTicketLabel)}
            {textarea(FieldName::Reason, Msg::ReasonLabel, f, "merge", "reason")}
        }
        .into_any();
        forms.push(action_form("merge", Msg::ActMerge, &ticket, &csrf, f, fields).into_any());
    }
    if can(Action::Unmerge) {
        forms.push(action_form("unmerge", Msg::ActUnmerge, &ticket, &csrf, f, ().into_any()).into_any());
    }
    if can(Action::Link) {
        let fields = ticket_field(f, "link", "other", Msg::LinkTicketLabel);
        forms.push(action_form("link", Msg::ActLink, &ticket, &csrf, f, fields).into_any());
    }
    if can(Action::Note) {
        forms.push(
            action_form(
                "note",
                Msg::ActNote,
                &ticket,
                &csrf,
                f,
                textarea(FieldName::Body, Msg::BodyLabel, f, "note", "body"),
            )
            .into_any(),
        );
    }
    if can(Action::Reopen) {
        forms.push(
            action_form(
                "reopen",
                Msg::ActReopen,
                &ticket,
                &csrf,
                f,
                textarea(FieldName::Reason, Msg::ReasonLabel, f, "reopen", "reason"),
            )
            .into_any(),
        );
    }
    forms
}

fn appeal_view(h: &StaffHeader, flash: Flash, a: AppealPage) -> impl IntoView {
    let lang = lang();
    let display = domain::receipt::Ticket::parse(&a.ticket).map(|t| t.display()).unwrap_or(a.ticket.clone());
    let csrf = h.csrf.clone();
    let f = &flash;
    let can = |x: Action| a.actions.contains(&x);
    let forms = action_forms(&a, f, &csrf);
    let no_actions = forms.is_empty();
    let (_, due) = domain::sla::running_deadline(a.status, a.clock_start_at, a.sign_by_at, a.deadline_at);
    let reveal_errors = f.errors_for("reveal");
    let reveal_problem = (f.form == "reveal").then_some(f.problem).flatten();
    view! {
        <PageTitle text=format!("{} - {}", fill(t(Msg::AppealTitle), &[("ticket", display.clone())]), t(Msg::StaffTitle))/>
        {staff_bar(h)}
        <p><a class="back" href="/staff">{t(Msg::NavInbox)}</a></p>
        <h1>{fill(t(Msg::AppealTitle), &[("ticket", display)])}</h1>
        <Notice msg=f.notice/>
        {hand_notices_section(&a, &h.unit, f, &csrf)}
        <section aria-labelledby="details-title">
            <h2 id="details-title" class="visually-hidden">{t(Msg::SectionDetails)}</h2>
            <dl class="summary" id="appeal-details">
                <div class="summary-row"><dt>{t(Msg::StatusLabel)}</dt><dd id="status"><strong>{status_text(a.status, lang)}</strong>
                    {a.urgent.then(|| view! { " "<span class="badge">{t(Msg::UrgentBadge)}</span> })}
                    {urgency_badge(a.urgency).map(|b| view! { " "{b} })}
                    {a.supervised.then(|| view! { " "<span class="badge badge-overdue">{t(Msg::BadgeSupervised)}</span> })}
                    {(a.cycle > 1).then(|| view! { " "<span class="muted">{fill(t(Msg::CycleLabel), &[("n", a.cycle.to_string())])}</span> })}
                </dd></div>
                <div class="summary-row"><dt>{t(Msg::CheckCategory)}</dt><dd>{localized(lang, &a.category_name.0, &a.category_name.1).to_owned()}</dd></div>
                <div class="summary-row"><dt>{t(Msg::HandledBy)}</dt><dd id="unit">{a.unit_name.clone()}</dd></div>
                {a.owner.clone().map(|(_, name)| view! { <div class="summary-row"><dt>{t(Msg::OwnerLabel)}</dt><dd id="owner">{name}</dd></div> })}
                <div class="summary-row"><dt>{t(Msg::RouteReasonLabel)}</dt><dd>{route_reason_text(&a.route_reason)}</dd></div>
                <div class="summary-row"><dt>{t(Msg::SubmittedAt)}</dt><dd>{when(a.submitted_at)}</dd></div>
                {(a.status == Status::Assigned).then(|| view! { <div class="summary-row"><dt>{t(Msg::SignByLabel)}</dt><dd>{when(a.sign_by_at)}</dd></div> })}
                <div class="summary-row"><dt>{t(Msg::Deadline)}</dt><dd id="deadline">{when(a.deadline_at)}</dd></div>
                <div class="summary-row"><dt>{t(Msg::CheckPlace)}</dt><dd>
                    {a.place.join(" / ")}
                    // A navigation link a phone's map app opens (RFC 5870), not raw coordinates.
                    {a.lat.zip(a.lng).filter(|(la, ln)| la.is_finite() && ln.is_finite()).map(|(la, ln)| view! {
                        " "<a class="geo" href=format!("geo:{la:.6},{ln:.6}")>{t(Msg::GeoNavigate)}</a>
                    })}
                    {a.address_note.clone().map(|n| view! { <br/>{n} })}
                </dd></div>
                <div class="summary-row"><dt>{t(Msg::CheckDescription)}</dt><dd class="pre">{a.description.clone()}</dd></div>
                // The answers to the category's questions (issue 13): the resident's words, as text.
                {a.answers.iter().map(|q| view! {
                    <div class="summary-row answer" data-question=q.code.clone()>
                        <dt>{q.label_in(lang).to_owned()}</dt><dd class="pre">{q.value_in(lang).to_owned()}</dd>
                    </div>
                }).collect_view()}
                {a.resolution.clone().map(|r| view! { <div class="summary-row"><dt>{t(Msg::ResolutionLabel)}</dt><dd class="pre">{r}</dd></div> })}
            </dl>
            <p class="muted">{t(Msg::ColDue)}": "{when(due)}</p>
        </section>
        <section id="contact" aria-labelledby="resident-title">
            <h2 id="resident-title">{t(Msg::SectionResident)}</h2>
            {match (&a.contact_masked, &f.revealed.clone().filter(|_| f.value("ticket") == a.ticket)) {
                (_, Some((name, phone))) => view! {
                    <p id="contact-full"><strong>{name.clone()}</strong>" · "<a href=format!("tel:{phone}")>{phone.clone()}</a></p>
                    <p class="notice" role="status">{t(Msg::RevealedNote)}</p>
                }.into_any(),
                (Some((name, phone)), None) => view! {
                    <p id="contact-masked">{name.clone()}" · "{phone.clone()}</p>
                    {can(Action::RevealContact).then(|| view! {
                        <form method="post" action=format!("/staff/appeal/{}/reveal", a.ticket) class="reveal">
                            {csrf_input(&csrf)}
                            <ErrorSummary errors=reveal_errors.clone()/>
                            <Notice msg=reveal_problem problem=true/>
                            <div class="field">
                                <label for="reveal-reason" class="label">{t(Msg::RevealReason)}</label>
                                <input id="reveal-reason" name="reason" type="text" maxlength=domain::fields::REASON_INPUT_MAXLENGTH autocomplete="off"/>
                            </div>
                            <button type="submit" class="button button-secondary">{t(Msg::RevealTitle)}</button>
                        </form>
                    })}
                }.into_any(),
                (None, None) => view! { <p>{t(Msg::Anonymous)}</p> }.into_any(),
            }}
        </section>
        {repeats_section(&a.repeats, a.repeats_elsewhere)}
        {related_section(&a)}
        {(!a.photo_ids.is_empty()).then(|| view! {
            <section aria-labelledby="photos-title">
                <h2 id="photos-title">{t(Msg::SectionPhotos)}</h2>
                <ul class="photos">
                    {a.photo_ids.iter().enumerate().map(|(i, id)| view! {
                        <li><a href=format!("/staff/photo/{}/{id}", a.ticket)>
                            <img src=format!("/staff/photo/{}/{id}?size=thumb", a.ticket) alt=fill(t(Msg::PhotoAlt), &[("n", (i + 1).to_string())]) width="160" height="160"/>
                        </a></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!a.cohandlers.is_empty()).then(|| view! {
            <section aria-labelledby="co-title">
                <h2 id="co-title">{t(Msg::SectionCoHandlers)}</h2>
                <ul class="cohandlers">
                    {a.cohandlers.iter().map(|c| cohandler_item(c, &a.ticket, &csrf, f)).collect_view()}
                </ul>
            </section>
        })}
        {(!a.extensions.is_empty()).then(|| view! {
            <section aria-labelledby="ext-title">
                <h2 id="ext-title">{t(Msg::SectionExtensions)}</h2>
                <ul>
                    {a.extensions.iter().map(|e| view! {
                        <li>{when(e.requested_at)}" · +"{e.days}" · "{e.reason.clone()}" · "
                            {match e.decision.as_deref() {
                                Some("approved") => t(Msg::Approved),
                                Some("cancelled") => t(Msg::Withdrawn),
                                Some(_) => t(Msg::Refused),
                                None => t(Msg::Pending),
                            }}
                            {e.note.clone().filter(|n| !n.is_empty()).map(|n| view! { " · "{n} })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!a.notices.is_empty()).then(|| view! {
            <section aria-labelledby="notices-title">
                <h2 id="notices-title">{t(Msg::SectionNotices)}</h2>
                <ul id="notices">
                    {a.notices.iter().map(|n| {
                        let what = match n.stage.as_str() {
                            "warning" => t(Msg::StageWarning),
                            "supervision" => t(Msg::StageSupervision),
                            _ => t(Msg::StageEscalation),
                        };
                        let which = match n.deadline.as_str() {
                            "sign" => t(Msg::SignByLabel),
                            // 督办 after a 不满意 on a follow-up call (issue 13), not a deadline.
                            "callback" => t(Msg::NoticeCallback),
                            _ => t(Msg::Deadline),
                        };
                        view! { <li data-stage=n.stage.clone()>{when(n.fired_at)}" · "{which}" · "{what}</li> }
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t(Msg::Timeline)}</h2>
            <ol class="timeline" id="staff-timeline">
                {a.events.iter().map(|e| {
                    let (extra_text, staff_detail) = event_texts(e.kind, e.detail.as_ref(), &a.summon_targets);
                    view! {
                        <li class=if e.public { "event" } else { "event internal" } data-kind=e.kind.as_str()>
                            <time>{when(e.at)}</time>
                            {(!e.public).then(|| view! { " "<span class="badge">{t(Msg::Internal)}</span> })}
                            <p>{staff_event_line(e.kind, e.unit_name.as_deref(), extra_text.as_deref(), e.body.as_deref(), lang)}
                                {e.actor_name.clone().map(|n| view! { " "<span class="muted">"— "{n}</span> })}
                            </p>
                            // The routing event's body is a reason code, shown above as 分派依据; the
                            // submission's is its channel, said in the line itself.
                            {e.body.clone().filter(|_| !matches!(e.kind, EventKind::Routed | EventKind::RoutedOutside | EventKind::Submitted)).map(|b| view! { <p class="pre body">{b}</p> })}
                            {staff_detail.map(|d| view! { <p class="pre muted">{d}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
        <section aria-labelledby="actions-title" class="actions">
            <h2 id="actions-title">{t(Msg::SectionActions)}</h2>
            {if no_actions { Some(view! { <p>{t(Msg::NoActions)}</p> }) } else { None }}
            {a.owner.clone().filter(|_| !can(Action::Close) && a.status.is_open()).map(|(_, name)| view! {
                <p class="hint" id="owner-closes">{fill(t(Msg::OwnerCloseHint), &[("name", name)])}</p>
            })}
            {forms}
        </section>
    }
}

/// A ticket typed into the merge or link form (`form`), with its error; refilled after a
/// refused post.
fn ticket_field(f: &Flash, form: &str, key: &'static str, label: Msg) -> AnyView {
    let err = f.errors_for(form).iter().find(|e| e.field == FieldName::Ticket).map(|e| e.msg);
    let value = if f.form == form { f.value(key) } else { String::new() };
    let id = format!("{form}-{key}");
    view! {
        <div class="field">
            <label for=id.clone() class="label">{t(label)}</label>
            {err.map(|m| view! { <p class="field-error" id=format!("{id}-error")>{t(m)}</p> })}
            <input id=id.clone() name=key type="text" value=value autocomplete="off" spellcheck="false"
                maxlength="20" placeholder="PA-XXXX-XXXX" aria-invalid=err.is_some().to_string()/>
        </div>
    }
    .into_any()
}

fn display_ticket(t: &str) -> String {
    domain::receipt::Ticket::parse(t).map_or_else(|_| t.to_owned(), |x| x.display())
}

/// The appeals tied to this one (issue 13): the main appeal it follows, those following it, and
/// linked ones. Appeals outside the reader's scope are named without a link.
fn related_section(a: &AppealPage) -> Option<impl IntoView> {
    let lang = lang();
    let item = move |r: &domain::related::RelatedItem| {
        let shown = display_ticket(&r.ticket);
        view! {
            <li data-ticket=r.ticket.clone()>
                {if r.in_scope {
                    view! { <a class="code" href=format!("/staff/appeal/{}", r.ticket)>{shown}</a> }.into_any()
                } else {
                    view! { <span class="code">{shown}</span> }.into_any()
                }}
                " "<span class="status">{status_text(r.status, lang)}</span>
                " · "{localized(lang, &r.category_name.0, &r.category_name.1).to_owned()}
                " · "{t(Msg::SubmittedAt)}": "<time>{when(r.submitted_at)}</time>
                {r.by_resident.then(|| view! { " · "<span class="badge">{t(Msg::ByResident)}</span> })}
            </li>
        }
    };
    let any = a.merged_into.is_some() || !a.followers.is_empty() || !a.links.is_empty();
    any.then(|| {
        view! {
            <section id="related" aria-labelledby="related-title">
                <h2 id="related-title">{t(Msg::LinksTitle)}</h2>
                {a.merged_into.as_ref().map(|m| view! {
                    <h3>{t(Msg::MergedIntoLabel)}</h3>
                    <ul class="inbox related-main">{item(m)}</ul>
                })}
                {(!a.followers.is_empty()).then(|| view! {
                    <h3>{t(Msg::FollowersTitle)}</h3>
                    <ul class="inbox related-followers">{a.followers.iter().map(item).collect_view()}</ul>
                })}
                {(!a.links.is_empty()).then(|| view! {
                    <h3>{t(Msg::LinkTitle)}</h3>
                    <ul class="inbox related-links">{a.links.iter().map(item).collect_view()}</ul>
                })}
            </section>
        }
    })
}

/// Other appeals from the same phone number (issue 13): the backend fills the list only for
/// those who may reveal this appeal's contact, and says how many more are outside their scope
/// (a count only); the number itself is never on the page.
fn repeats_section(list: &[domain::staff::RepeatItem], elsewhere: i64) -> Option<impl IntoView> {
    let lang = lang();
    (!list.is_empty() || elsewhere > 0).then(|| view! {
        <section id="repeats" aria-labelledby="repeats-title">
            <h2 id="repeats-title">{t(Msg::RepeatsTitle)}</h2>
            {(!list.is_empty()).then(|| view! {
                <p class="hint">{t(Msg::RepeatsHint)}</p>
                <ul class="inbox repeats">
                {list.iter().map(|r| view! {
                    <li data-ticket=r.ticket.clone()>
                        <a class="code" href=format!("/staff/appeal/{}", r.ticket)>
                            {domain::receipt::Ticket::parse(&r.ticket).map(|t| t.display()).unwrap_or_else(|_| r.ticket.clone())}
                        </a>
                        " "<span class="status">{status_text(r.status, lang)}</span>
                        " · "{localized(lang, &r.category_name.0, &r.category_name.1).to_owned()}
                        " · "{t(Msg::SubmittedAt)}": "<time>{when(r.submitted_at)}</time>
                    </li>
                }).collect_view()}
                </ul>
            })}
            {(elsewhere > 0).then(|| view! {
                <p class="hint" id="repeats-elsewhere">{fill(t(Msg::RepeatsElsewhere), &[("n", elsewhere.to_string())])}</p>
            })}
        </section>
    })
}

/// The form of a notice by hand (issue 13): kind, reason, answer date, and whether the resident
/// may know of it. A refused post comes back with what was typed.
fn issue_notice_form(ticket: &str, csrf: &str, f: &Flash) -> impl IntoView {
    let mine = f.form == "issue_notice";
    let errs = f.errors_for("issue_notice");
    let err = |field: FieldName| errs.iter().find(|e| e.field == field).map(|e| e.msg);
    let kind = if mine { f.value("notice_kind") } else { String::new() };
    let due = if mine { f.value("due") } else { String::new() };
    let fields = view! {
        <div class="field">
            <label for="notice_kind" class="label">{t(Msg::NoticeKindLabel)}</label>
            {err(FieldName::NoticeKind).map(|m| view! { <p class="field-error" id="notice_kind-error">{t(m)}</p> })}
            <select id="notice_kind" name="notice_kind" aria-invalid=err(FieldName::NoticeKind).is_some().to_string()>
                <option value="">{t(Msg::ChooseOption)}</option>
                {domain::notices::NoticeKind::ALL.into_iter().map(|k| view! {
                    <option value=k.as_str() selected=kind == k.as_str()>{t(k.label())}</option>
                }).collect_view()}
            </select>
        </div>
        {textarea(FieldName::Reason, Msg::ReasonLabel, f, "issue_notice", "reason")}
        <div class="field">
            <label for="due" class="label">{t(Msg::NoticeDueLabel)}</label>
            {err(FieldName::Due).map(|m| view! { <p class="field-error" id="due-error">{t(m)}</p> })}
            <input id="due" name="due" type="date" value=due aria-invalid=err(FieldName::Due).is_some().to_string()/>
        </div>
        <div class="choice">
            <input type="checkbox" id="notice-public" name="public" value="1" checked=mine && f.value("public") == "1"/>
            <label for="notice-public">{t(Msg::NoticePublicLabel)}</label>
        </div>
    }
    .into_any();
    action_form("issue_notice", Msg::ActIssueNotice, ticket, csrf, f, fields)
}

/// The notices by hand, at the top of the page: open ones with their reason and due date (and
/// overdue ones marked), each with its answer form for the unit it went to; answered ones with
/// the answer.
fn hand_notices_section(a: &AppealPage, my_unit: &str, f: &Flash, csrf: &str) -> Option<AnyView> {
    if a.hand_notices.is_empty() {
        return None;
    }
    let may_answer = a.actions.contains(&Action::AnswerNotice);
    let items = a
        .hand_notices
        .iter()
        .map(|n| {
            let state = if n.answered_at.is_some() {
                view! { <span class="badge">{t(Msg::NoticeAnsweredBadge)}</span> }.into_any()
            } else if n.lapsed {
                view! { <span class="badge">{t(Msg::NoticeLapsed)}</span> }.into_any()
            } else if n.overdue {
                view! { <span class="badge badge-overdue">{t(Msg::NoticeOverdue)}</span> }.into_any()
            } else {
                view! { <span class="badge badge-soon">{t(Msg::NoticeOpen)}</span> }.into_any()
            };
            let answer_form = (may_answer && n.answered_at.is_none() && !n.lapsed && n.to_unit == my_unit).then(|| {
                let form_id = format!("answer-{}", n.id);
                let this = f.form == "answer_notice" && f.value("id") == n.id;
                let err = if this { f.errors.iter().find(|e| e.field == FieldName::Body).map(|e| e.msg) } else { None };
                let problem = if this { f.problem } else { None };
                let value = if this { f.value("body") } else { String::new() };
                view! {
                    <form method="post" action=format!("/staff/appeal/{}/act", a.ticket) id=form_id.clone()>
                        {csrf_input(csrf)}
                        <input type="hidden" name="action" value="answer_notice"/>
                        <input type="hidden" name="id" value=n.id.clone()/>
                        <Notice msg=problem problem=true/>
                        <div class="field">
                            <label for=format!("{form_id}-body") class="label">{t(Msg::AnswerLabel)}</label>
                            {err.map(|m| view! { <p class="field-error">{t(m)}</p> })}
                            <TextArea value=value.clone() {..} id=format!("{form_id}-body") name="body" rows="3" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH aria-invalid=err.is_some().to_string()/>
                        </div>
                        <button type="submit" class="button">{t(Msg::ActAnswerNotice)}</button>
                    </form>
                }
            });
            view! {
                <li class="hand-notice" data-kind=n.kind.as_str() data-id=n.id.clone()>
                    <p><strong>{t(n.kind.label())}</strong>" · "{fill(t(Msg::NoticeFrom), &[("unit", n.issued_unit_name.clone())])}
                        " → "{n.to_unit_name.clone()}" "{state}</p>
                    <p class="pre">{t(Msg::ReasonLabel)}": "{n.reason.clone()}</p>
                    <p class="muted">{when(n.issued_at)}" · "{t(Msg::NoticeDueLabel)}": "<time>{when(n.due_at)}</time></p>
                    {n.answer.clone().map(|ans| view! {
                        <p class="pre">{t(Msg::AnswerLabel)}": "{ans}</p>
                        <p class="muted">{n.answered_at.map(when)}</p>
                    })}
                    {answer_form}
                </li>
            }
        })
        .collect_view();
    Some(
        view! {
            // `answer_notice` is where a refused answer's redirect lands (the form's name).
            <section aria-labelledby="hand-notices-title" class="hand-notices" id="answer_notice">
                <h2 id="hand-notices-title">{t(Msg::SectionHandNotices)}</h2>
                <ul id="hand-notices">{items}</ul>
            </section>
        }
        .into_any(),
    )
}

/// One text field of the inbox search, with its message when it was refused.
fn search_field(
    field: FieldName,
    label: Msg,
    kind: &'static str,
    value: &str,
    problems: &[domain::FieldError],
) -> impl IntoView {
    let id = field.as_str();
    let msg = problems.iter().find(|e| e.field == field).map(|e| e.msg);
    view! {
        <div class="field">
            <label for=id class="label">{t(label)}</label>
            <FieldMessage field=field msg=msg/>
            <input id=id name=id type=kind value=value.to_owned() aria-invalid=msg.is_some().to_string()
                inputmode=(kind == "tel").then_some("tel") autocomplete="off"/>
        </div>
    }
}

/// The inbox search's phone number field (not for administrators, who may not search by it), with
/// its hint: the number is kept for this sign-in and never shown in the address.
fn phone_field(value: &str, problems: &[domain::FieldError]) -> impl IntoView {
    let field = FieldName::Phone;
    let id = field.as_str();
    let msg = problems.iter().find(|e| e.field == field).map(|e| e.msg);
    view! {
        <div class="field">
            <label for=id class="label">{t(Msg::SearchPhone)}</label>
            <p class="hint" id=format!("{id}-hint")>{t(Msg::SearchPhoneHint)}</p>
            <FieldMessage field=field msg=msg/>
            <input id=id name=id type="tel" value=value.to_owned() aria-invalid=msg.is_some().to_string()
                aria-describedby=crate::components::described_by(field, msg.is_some()) inputmode="tel" autocomplete="off"/>
        </div>
    }
}

/// The inbox's current filter as hidden form fields (without the page, and without the phone
/// number and the words, which the session keeps: only `by_phone`, `by_words`).
fn filter_hidden(f: &InboxFilter) -> Vec<(&'static str, String)> {
    let mut hidden: Vec<(&'static str, String)> = vec![("status", f.status.clone())];
    for (k, v) in [
        ("category", &f.category),
        ("due", &f.due),
        ("ticket", &f.ticket),
        ("unit", &f.unit),
        ("from", &f.from),
        ("to", &f.to),
    ] {
        if !v.is_empty() {
            hidden.push((k, v.clone()));
        }
    }
    if f.urgent {
        hidden.push(("urgent", "1".to_owned()));
    }
    if f.by_phone {
        hidden.push(("by_phone", "1".to_owned()));
    }
    if f.by_words {
        hidden.push(("by_words", "1".to_owned()));
    }
    hidden
}

/// Asks for the ledger with contact details: posted (with the CSRF token, never a link), the
/// current filter as hidden fields, and a reason (required; recorded with the export).
fn pii_export_form(f: &InboxFilter, csrf: &str) -> impl IntoView {
    view! {
        <details class="pii-export">
            <summary>{t(Msg::LedgerPiiTitle)}</summary>
            <form method="post" action="/staff/ledger.csv" class="filters">
                <input type="hidden" name="csrf" value=csrf.to_owned()/>
                {filter_hidden(f).into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
                <input type="hidden" name="contact" value="1"/>
                <p class="hint">{t(Msg::LedgerPiiHint)}</p>
                <div class="field">
                    <label for="pii-reason" class="label">{t(Msg::LedgerPiiReason)}</label>
                    <input id="pii-reason" name="reason" type="text" required maxlength=domain::fields::REASON_INPUT_MAXLENGTH autocomplete="off"/>
                </div>
                <button type="submit" class="button button-secondary">{t(Msg::LedgerPiiCsv)}</button>
            </form>
        </details>
    }
}

/// The ledger export with the inbox's current filter.
fn ledger_href(f: &InboxFilter, format: &str) -> String {
    format!("/staff/ledger.{format}?{}", f.query_string(None, urlencode))
}

#[cfg(test)]
mod tests {
    use super::staff_event_line;
    use domain::events::EventKind;
    use domain::Lang;

    /// Staff read the resident's own actions in the third person, never "您…" (issue 14's "staff
    /// see 您提交了诉求" for every line the resident writes).
    #[test]
    fn the_residents_actions_read_in_the_third_person_for_staff() {
        for kind in EventKind::ALL {
            let (unit, extra) = (Some("河东区综治中心"), Some("unsatisfied"));
            let zh = staff_event_line(kind, unit, extra, None, Lang::ZhCn);
            assert!(!zh.starts_with('您'), "{kind:?}: {zh}");
            let en = staff_event_line(kind, unit, extra, None, Lang::En);
            assert!(!en.starts_with("You ") && !en.starts_with("Your "), "{kind:?}: {en}");
        }
        assert_eq!(staff_event_line(EventKind::PhotoAdded, None, None, None, Lang::ZhCn), "群众补充了一张照片");
        assert_eq!(staff_event_line(EventKind::Rated, None, Some("satisfied"), None, Lang::ZhCn), "群众的评价：满意");
    }
}
