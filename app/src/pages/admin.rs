//! Administration pages (admins only; the services check again): staff accounts, the audit log
//! with chain verification, the holiday calendar, and the region import.

use super::staff::{csrf_input, role_text, staff_bar, staff_page};
use crate::components::when;
use crate::components::{fill, t, ErrorSummary, FieldMessage, Notice, PageTitle};
use crate::staff_api::{staff_admin_audit, staff_admin_holidays, staff_admin_home, staff_admin_staff};
use domain::staff::{Flash, StaffHeader};
use domain::workflow::Role;
use domain::{FieldError, FieldName, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn frame(h: &StaffHeader, title: Msg) -> impl IntoView {
    view! {
        <PageTitle text=format!("{} - {}", t(title), t(Msg::StaffTitle))/>
        {staff_bar(h)}
        <p><a class="back" href="/staff/admin">{t(Msg::AdminTitle)}</a></p>
        <h1>{t(title)}</h1>
    }
}

#[component]
pub fn AdminHome() -> impl IntoView {
    staff_page(staff_admin_home(), |header, _flash, _data| {
        view! {
            <PageTitle text=format!("{} - {}", t(Msg::AdminTitle), t(Msg::StaffTitle))/>
            {staff_bar(&header)}
            <h1>{t(Msg::AdminTitle)}</h1>
            <ul class="admin-links">
                <li><a href="/staff/admin/staff">{t(Msg::AdminStaff)}</a></li>
                <li><a href="/staff/admin/audit">{t(Msg::AdminAudit)}</a></li>
                <li><a href="/staff/admin/holidays">{t(Msg::AdminHolidays)}</a></li>
                <li><a href="/staff/admin/import">{t(Msg::AdminImport)}</a></li>
                <li><a href="/staff/admin/legal">{t(Msg::AdminLegal)}</a></li>
                <li><a href="/staff/admin/templates">{t(Msg::AdminTemplates)}</a></li>
                <li><a href="/staff/admin/summons">{t(Msg::AdminSummons)}</a></li>
                <li><a href="/staff/admin/questions">{t(Msg::AdminQuestions)}</a></li>
            </ul>
        }
    })
}

fn field_err(f: &Flash, form: &str, field: FieldName) -> Option<Msg> {
    f.errors_for(form).iter().find(|e| e.field == field).map(|e| e.msg)
}

/// `aria-invalid` and `aria-describedby` of a control whose error [`FieldMessage`] shows: a
/// screen reader then says the control is wrong and reads why.
fn marks(f: &Flash, form: &str, field: FieldName) -> (&'static str, Option<String>) {
    match field_err(f, form, field) {
        Some(_) => ("true", Some(format!("{}-error", field.as_str()))),
        None => ("false", None),
    }
}

#[component]
pub fn AdminStaff() -> impl IntoView {
    staff_page(staff_admin_staff(), |header, flash, data| {
        let f = flash;
        let csrf = header.csrf.clone();
        let create_errors = f.errors_for("staff-create");
        let pw_errors = f.errors_for("staff-password");
        // The account whose reset was refused: its row's password field is where the summary
        // leads and what is marked invalid (every row has one).
        let pw_user = (!pw_errors.is_empty())
            .then(|| data.staff.iter().find(|s| s.id == f.value("id")).map(|s| s.username.clone()))
            .flatten();
        let (pw_summary, pw_extra): (Vec<FieldError>, Vec<(String, String)>) = match &pw_user {
            Some(u) => (Vec::new(), pw_errors.iter().map(|e| (format!("pw-{u}"), t(e.msg).to_owned())).collect()),
            None => (pw_errors.clone(), Vec::new()),
        };
        let pw_msg = pw_errors.first().map(|e| e.msg);
        let keep = |k: &str| if f.form == "staff-create" { f.value(k) } else { String::new() };
        let (unit_v, role_v) = (keep("unit"), keep("role"));
        view! {
                {frame(&header, Msg::AdminStaff)}
                <Notice msg=f.notice/>
                <div id="staff-password"><ErrorSummary errors=pw_summary extra=pw_extra/></div>
                <table class="table" id="staff-table">
                    <thead><tr>
                        <th scope="col">{t(Msg::UsernameLabel)}</th>
                        <th scope="col">{t(Msg::DisplayNameLabel)}</th>
                        <th scope="col">{t(Msg::UnitLabel)}</th>
                        <th scope="col">{t(Msg::RoleLabel)}</th>
                        <th scope="col">{t(Msg::ActiveLabel)}</th>
                        <th scope="col">{t(Msg::ResetPassword)}</th>
                    </tr></thead>
                    <tbody>
                        {data.staff.iter().map(|s| {
                            let pw_id = format!("pw-{}", s.username);
                            let refused = pw_user.as_deref() == Some(s.username.as_str());
                            let pw_err_id = format!("{pw_id}-error");
                            view! {
                                <tr data-username=s.username.clone()>
                                    <td>{s.username.clone()}</td>
                                    <td>{s.display_name.clone()}</td>
                                    <td>{s.unit_name.clone()}</td>
                                    <td>{role_text(s.role)}</td>
                                    <td>
                                        {if s.active { t(Msg::Active) } else { t(Msg::Inactive) }}
                                        <form method="post" action="/staff/admin/staff/active" class="inline">
                                            {csrf_input(&csrf)}
                                            <input type="hidden" name="id" value=s.id.clone()/>
                                            <input type="hidden" name="active" value=if s.active { "0" } else { "1" }/>
                                            " "<button type="submit" class="link-button">{if s.active { t(Msg::Deactivate) } else { t(Msg::Activate) }}</button>
                                        </form>
                                    </td>
                                    <td>
                                        <form method="post" action="/staff/admin/staff/password" class="inline">
                                            {csrf_input(&csrf)}
                                            <input type="hidden" name="id" value=s.id.clone()/>
                                            <label for=pw_id.clone() class="visually-hidden">{t(Msg::NewPasswordLabel)}</label>
                                            <input id=pw_id type="password" name="password" autocomplete="new-password" minlength="12"
                                                aria-invalid=if refused { "true" } else { "false" } aria-describedby=refused.then(|| pw_err_id.clone())/>
                                            " "<button type="submit" class="link-button">{t(Msg::ResetPassword)}</button>
                                            {refused.then(|| pw_msg.map(|m| view! {
                                                <p class="field-error" id=pw_err_id.clone()>
                                                    <span class="visually-hidden">{t(Msg::ErrorSummaryTitle)}": "</span>{t(m)}
                                                </p>
                                            })).flatten()}
                                        </form>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <section id="staff-create" aria-labelledby="new-staff-title">
                    <h2 id="new-staff-title">{t(Msg::NewStaffTitle)}</h2>
                    <ErrorSummary errors=create_errors/>
                    <form method="post" action="/staff/admin/staff/create" class="step-form">
                        {csrf_input(&csrf)}
                        <div class="field">
                            <label for="username" class="label">{t(Msg::UsernameLabel)}</label>
                            <FieldMessage field=FieldName::Username msg=field_err(&f, "staff-create", FieldName::Username)/>
                            <input id="username" name="username" type="text" autocapitalize="none" spellcheck="false" value=keep("username")
                                aria-invalid=marks(&f, "staff-create", FieldName::Username).0 aria-describedby=marks(&f, "staff-create", FieldName::Username).1/>
                        </div>
                        <div class="field">
                            <label for="name" class="label">{t(Msg::DisplayNameLabel)}</label>
                            <FieldMessage field=FieldName::Name msg=field_err(&f, "staff-create", FieldName::Name)/>
                            <input id="name" name="name" type="text" value=keep("name")
                                aria-invalid=marks(&f, "staff-create", FieldName::Name).0 aria-describedby=marks(&f, "staff-create", FieldName::Name).1/>
                        </div>
                        <div class="field">
                            <label for="unit" class="label">{t(Msg::UnitLabel)}</label>
                            <FieldMessage field=FieldName::Unit msg=field_err(&f, "staff-create", FieldName::Unit)/>
                            <select id="unit" name="unit" aria-invalid=marks(&f, "staff-create", FieldName::Unit).0 aria-describedby=marks(&f, "staff-create", FieldName::Unit).1>
                                <option value="">{t(Msg::ChooseOption)}</option>
                                {data.units.iter().map(|(code, name)| view! {
                                    <option value=code.clone() selected=*code == unit_v>{format!("{name} ({code})")}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="role" class="label">{t(Msg::RoleLabel)}</label>
                            <FieldMessage field=FieldName::Role msg=field_err(&f, "staff-create", FieldName::Role)/>
                            <select id="role" name="role" aria-invalid=marks(&f, "staff-create", FieldName::Role).0 aria-describedby=marks(&f, "staff-create", FieldName::Role).1>
                                <option value="">{t(Msg::ChooseOption)}</option>
                                {Role::ALL.iter().map(|r| view! {
                                    <option value=r.as_str() selected=r.as_str() == role_v>{role_text(*r)}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="password" class="label">{t(Msg::InitialPasswordLabel)}</label>
                            <FieldMessage field=FieldName::Password msg=field_err(&f, "staff-create", FieldName::Password)/>
                            <input id="password" name="password" type="password" autocomplete="new-password" minlength="12"
                                aria-invalid=marks(&f, "staff-create", FieldName::Password).0 aria-describedby=marks(&f, "staff-create", FieldName::Password).1/>
                        </div>
                        <button type="submit" class="button">{t(Msg::CreateAccount)}</button>
                    </form>
                </section>
            }
            .into_any()
    })
}

#[component]
pub fn AdminAudit() -> impl IntoView {
    let q = use_query_map().read_untracked();
    let ticket = q.get("ticket").unwrap_or_default();
    let action = q.get("action").unwrap_or_default();
    let before = q.get("before").and_then(|b| b.parse().ok());
    let call = staff_admin_audit(ticket.clone(), action.clone(), before);
    staff_page(call, move |header, flash, data| {
        let (ticket, action) = (ticket.clone(), action.clone());
        let f = flash;
        let older = data.last().map(|r| r.seq).filter(|_| data.len() == 100);
        view! {
            {frame(&header, Msg::AdminAudit)}
            <Notice msg=f.notice problem=f.notice == Some(Msg::AuditChainBroken)/>
            {(f.form == "verify").then(|| view! {
                <p id="verify-result">{fill(t(Msg::AuditChecked), &[("n", f.value("checked"))])}" "<strong>{f.value("broken")}</strong></p>
            })}
            <form method="post" action="/staff/admin/audit/verify">
                {csrf_input(&header.csrf)}
                <button type="submit" class="button button-secondary">{t(Msg::AuditVerify)}</button>
            </form>
            <form method="get" action="/staff/admin/audit" class="filters">
                <div class="field">
                    <label for="a-ticket" class="label">{t(Msg::ColTicket)}</label>
                    <input id="a-ticket" name="ticket" type="text" value=ticket/>
                </div>
                <div class="field">
                    <label for="a-action" class="label">{t(Msg::AuditAction)}</label>
                    <input id="a-action" name="action" type="text" value=action/>
                </div>
                <button type="submit" class="button button-secondary">{t(Msg::FilterApply)}</button>
            </form>
            <table class="table" id="audit-table">
                <thead><tr>
                    <th scope="col">{t(Msg::AuditSeq)}</th>
                    <th scope="col">{t(Msg::AuditAt)}</th>
                    <th scope="col">{t(Msg::AuditWho)}</th>
                    <th scope="col">{t(Msg::AuditAction)}</th>
                    <th scope="col">{t(Msg::ColTicket)}</th>
                    <th scope="col">{t(Msg::AuditDetail)}</th>
                    <th scope="col">{t(Msg::ReasonLabel)}</th>
                </tr></thead>
                <tbody>
                    {data.iter().map(|r| view! {
                        <tr data-action=r.action.clone()>
                            <td>{r.seq}</td>
                            <td>{when(r.at)}</td>
                            <td>{r.actor_name.clone()}" "<span class="muted">{r.role.clone()}</span></td>
                            <td>{r.action.clone()}</td>
                            <td>{r.ticket.clone()}</td>
                            <td class="pre">{r.detail.clone()}</td>
                            <td>{r.reason.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {older.map(|seq| view! { <p><a href=format!("/staff/admin/audit?before={seq}")>{t(Msg::AuditOlder)}</a></p> })}
        }
    })
}

#[component]
pub fn AdminHolidays() -> impl IntoView {
    staff_page(staff_admin_holidays(), |header, flash, data| {
        let f = flash;
        let csrf = header.csrf.clone();
        let errors = f.errors_for("holidays-set");
        view! {
                {frame(&header, Msg::AdminHolidays)}
                <Notice msg=f.notice/>
                <table class="table" id="holidays">
                    <thead><tr>
                        <th scope="col">{t(Msg::HolidayDay)}</th>
                        <th scope="col">{t(Msg::HolidayKind)}</th>
                        <th scope="col">{t(Msg::HolidayName)}</th>
                        <th scope="col">{t(Msg::Delete)}</th>
                    </tr></thead>
                    <tbody>
                        {data.iter().map(|h| view! {
                            <tr data-day=h.day.clone()>
                                <td>{h.day.clone()}</td>
                                <td>{if h.kind == "holiday" { t(Msg::HolidayOff) } else { t(Msg::HolidayWork) }}</td>
                                <td>{h.name.clone()}</td>
                                <td>
                                    <form method="post" action="/staff/admin/holidays/delete" class="inline">
                                        {csrf_input(&csrf)}
                                        <input type="hidden" name="day" value=h.day.clone()/>
                                        <button type="submit" class="link-button">{t(Msg::Delete)}<span class="visually-hidden">" "{h.day.clone()}</span></button>
                                    </form>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <section id="holidays-set">
                    <ErrorSummary errors=errors/>
                    <form method="post" action="/staff/admin/holidays/set" class="step-form">
                        {csrf_input(&csrf)}
                        <div class="field">
                            <label for="day" class="label">{t(Msg::HolidayDay)}</label>
                            <FieldMessage field=FieldName::Day msg=field_err(&f, "holidays-set", FieldName::Day)/>
                            <input id="day" name="day" type="date" value=f.value("day")
                                aria-invalid=marks(&f, "holidays-set", FieldName::Day).0 aria-describedby=marks(&f, "holidays-set", FieldName::Day).1/>
                        </div>
                        <div class="field">
                            <label for="kind" class="label">{t(Msg::HolidayKind)}</label>
                            <FieldMessage field=FieldName::DayKind msg=field_err(&f, "holidays-set", FieldName::DayKind)/>
                            <select id="kind" name="kind" aria-invalid=marks(&f, "holidays-set", FieldName::DayKind).0 aria-describedby=marks(&f, "holidays-set", FieldName::DayKind).1>
                                <option value="holiday">{t(Msg::HolidayOff)}</option>
                                <option value="workday">{t(Msg::HolidayWork)}</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for="name" class="label">{t(Msg::HolidayName)}</label>
                            <FieldMessage field=FieldName::Name msg=field_err(&f, "holidays-set", FieldName::Name)/>
                            <input id="name" name="name" type="text" maxlength="40" value=f.value("name")
                                aria-invalid=marks(&f, "holidays-set", FieldName::Name).0 aria-describedby=marks(&f, "holidays-set", FieldName::Name).1/>
                        </div>
                        <button type="submit" class="button">{t(Msg::HolidayAdd)}</button>
                    </form>
                </section>
            }
            .into_any()
    })
}

#[component]
pub fn AdminImport() -> impl IntoView {
    staff_page(staff_admin_home(), |header, flash, _data| {
        let f = flash;
        let problems: Vec<String> = f.values.iter().filter(|(k, _)| k == "problem").map(|(_, v)| v.clone()).collect();
        let counts = (f.notice == Some(Msg::ImportDone)).then(|| {
            fill(
                t(Msg::ImportCounts),
                &[("regions", f.value("regions")), ("units", f.value("units")), ("categories", f.value("categories"))],
            )
        });
        view! {
                {frame(&header, Msg::AdminImport)}
                <Notice msg=f.notice/>
                {counts.map(|c| view! { <p id="import-counts">{c}</p> })}
                {f.problem.map(|m| view! {
                    <div class="error-summary" role="alert" tabindex="-1" id="import-problems">
                        <p>{t(m)}</p>
                        <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    </div>
                })}
                <p class="hint">{t(Msg::ImportHint)}</p>
                <form method="post" action="/staff/admin/import" enctype="multipart/form-data" class="step-form">
                    {csrf_input(&header.csrf)}
                    <div class="field">
                        <label for="regions" class="label">"regions.geojson"</label>
                        <input id="regions" name="regions" type="file" accept=".geojson,.json,application/geo+json,application/json"/>
                    </div>
                    <div class="field">
                        <label for="units" class="label">"units.csv"</label>
                        <input id="units" name="units" type="file" accept=".csv,text/csv"/>
                    </div>
                    <div class="field">
                        <label for="categories" class="label">"categories.csv"</label>
                        <input id="categories" name="categories" type="file" accept=".csv,text/csv"/>
                    </div>
                    <button type="submit" class="button">{t(Msg::ImportSubmit)}</button>
                </form>
            }
            .into_any()
    })
}
