//! `/staff/dashboard` (issue 12): the figures of the signed-in member's scope for a period
//! (`backend::services::dashboard`), with the same definitions as the public `/stats` page but
//! nothing suppressed; tables per unit below, per category and per channel; the units under the satisfaction
//! line; median times; and the open appeals that need attention, each list linking to the inbox
//! filter that shows them all. Server-rendered, complete without JavaScript.

use crate::components::when;
use crate::components::{fill, lang, status_text, t, PageTitle};
use crate::pages::staff::{staff_bar, staff_page};
use crate::pages::stats::{period_fields, PeriodShown};
use crate::staff_api::{staff_dashboard, DashboardAnswer};
use domain::callback::{CallbackFigures, Satisfaction};
use domain::region::localized;
use domain::staff::{AttentionList, DashboardRow, DashboardView, StaffHeader};
use domain::stats::{percent, Counts};
use domain::when::count_text;
use domain::Msg;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn StaffDashboard() -> impl IntoView {
    let q = use_query_map();
    let get = |k: &str| q.read_untracked().get(k).unwrap_or_default();
    let data = staff_dashboard(get("period"), get("year"), get("month"), get("quarter"), get("from"), get("to"));
    staff_page(data, |header, _flash, answer| page(&header, answer))
}

fn page(h: &StaffHeader, answer: DashboardAnswer) -> impl IntoView {
    let body = match answer {
        DashboardAnswer::Figures(v) => figures(&v).into_any(),
        DashboardAnswer::BadPeriod => {
            #[cfg(feature = "ssr")]
            if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                resp.set_status(http::StatusCode::BAD_REQUEST);
            }
            view! {
                <p role="alert" class="problem">{t(Msg::StatsBadPeriod)}</p>
                <p><a href="/staff/dashboard">{t(Msg::DashboardTitle)}</a></p>
            }
            .into_any()
        }
    };
    view! {
        <PageTitle text=format!("{} - {}", t(Msg::DashboardTitle), t(Msg::SiteName))/>
        {staff_bar(h)}
        <h1>{t(Msg::DashboardTitle)}</h1>
        {body}
    }
}

fn figures(v: &DashboardView) -> impl IntoView {
    let c = v.own;
    let r = c.rates(false);
    let n = count_text;
    let rows: Vec<(Msg, String)> = vec![
        (Msg::StatsReceived, n(c.received)),
        (Msg::StatsSignedOnTime, percent(r.signed_on_time)),
        (Msg::StatsClosed, percent(r.closed)),
        (Msg::StatsClosedOnTime, percent(r.closed_on_time)),
        (Msg::StatsOverdue, n(c.overdue_now)),
        (Msg::StatsSupervised, n(c.supervised)),
        (Msg::StatsEscalated, n(c.escalated)),
        (Msg::StatsSatisfaction, percent(r.satisfaction)),
        (Msg::StatsRatedShare, percent(r.rated_share)),
        (Msg::StatsReopened, n(c.reopened)),
    ];
    let medians = [Msg::DashboardMedianSign, Msg::DashboardMedianReply, Msg::DashboardMedianClose];
    let line = format!("{}%", v.line);
    view! {
        <p class="tagline">{fill(t(Msg::DashboardLead), &[("unit", v.scope_name.clone())])}</p>
        {period_form(v)}
        <p class="result-count" role="status">
            {fill(t(Msg::StatsShowing), &[("from", v.from.clone()), ("to", v.to.clone())])}
        </p>
        <section aria-labelledby="dash-attention">
            <h2 id="dash-attention">{t(Msg::DashboardAttention)}</h2>
            {attention(&v.overdue, Msg::DashboardOverdueLink)}
            {attention(&v.supervised, Msg::DashboardSupervisedLink)}
            {attention(&v.escalated, Msg::DashboardEscalatedNote)}
        </section>
        {(!v.map.is_empty()).then(|| staff_map(&v.map))}
        <h2 id="dash-figures">{v.scope_name.clone()}</h2>
        <table class="stats-table" aria-labelledby="dash-figures">
            <thead><tr><th scope="col">{t(Msg::StatsFigure)}</th><th scope="col">{t(Msg::StatsValue)}</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|(m, value)| view! {
                    <tr><th scope="row">{t(m)}</th><td class="num">{value}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2 id="dash-medians">{t(Msg::DashboardMedians)}</h2>
        <table class="stats-table" aria-labelledby="dash-medians">
            <tbody>
                {medians.into_iter().zip(v.medians.clone()).map(|(m, h)| view! {
                    <tr><th scope="row">{t(m)}</th><td class="num">{h.unwrap_or_else(|| "—".to_owned())}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2 id="dash-channels">{t(Msg::DashboardByChannel)}</h2>
        <table class="stats-table" aria-labelledby="dash-channels" id="dash-channels-table">
            <thead><tr><th scope="col">{t(Msg::LedgerChannel)}</th><th scope="col">{t(Msg::StatsReceived)}</th></tr></thead>
            <tbody>
                {v.channels.iter().map(|(c, n)| view! {
                    <tr data-channel=c.as_str()><th scope="row">{t(c.label())}</th><td class="num">{count_text(*n)}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2 id="dash-notices">{t(Msg::DashboardNotices)}</h2>
        {if v.hand_notices.iter().all(|(_, n)| *n == 0) {
            view! { <p class="hint">{t(Msg::DashboardNoticesNone)}</p> }.into_any()
        } else {
            view! {
                <table class="stats-table" aria-labelledby="dash-notices" id="dash-notices-table">
                    <thead><tr><th scope="col">{t(Msg::NoticeKindLabel)}</th><th scope="col">{t(Msg::DashboardCount)}</th></tr></thead>
                    <tbody>
                        {v.hand_notices.iter().map(|(k, n)| view! {
                            <tr data-kind=k.as_str()><th scope="row">{t(k.label())}</th><td class="num">{*n}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <p class="hint" id="dash-summons">{fill(t(Msg::DashSummons), &[
            ("n", v.summons[0].to_string()),
            ("late", v.summons[1].to_string()),
            ("satisfied", v.summons[2].to_string()),
            ("rated", v.summons[3].to_string()),
        ])}" "<a href="/staff/summons">{t(Msg::SummonsTitle)}</a></p>
        {callbacks(&v.callbacks)}
        <h2 id="dash-below-line">{fill(t(Msg::DashboardBelowLine), &[("line", line)])}</h2>
        {if v.below_line.is_empty() {
            view! { <p class="hint">{t(Msg::DashboardBelowLineNone)}</p> }.into_any()
        } else {
            rows_table("dash-below-line", Msg::DashboardUnit, &v.below_line).into_any()
        }}
        {(!v.units.is_empty()).then(|| view! {
            <h2 id="dash-units">{t(Msg::DashboardByUnit)}</h2>
            {rows_table("dash-units", Msg::DashboardUnit, &v.units)}
        })}
        {(!v.categories.is_empty()).then(|| view! {
            <h2 id="dash-categories">{t(Msg::DashboardByCategory)}</h2>
            {rows_table("dash-categories", Msg::StatsCategory, &v.categories)}
        })}
        <p class="hint">{t(Msg::DashDataNote)}</p>
    }
}

/// The grid cells of the member's area: shaded by appeals received in the period, outlined when
/// appeals are overdue there now; each cell opens its station's open appeals in the inbox. The
/// attention lists above are the map's text alternative.
fn staff_map(cells: &[domain::staff::StaffMapCell]) -> impl IntoView {
    use domain::cellmap::{self, MapCell};
    let max = cells.iter().map(|c| c.received).max().unwrap_or(0);
    let map: Vec<MapCell<'_>> = cells
        .iter()
        .map(|c| {
            let args = [("name", c.name.clone()), ("n", c.received.to_string())];
            let key = if c.overdue_now > 0 { Msg::StatsCellOverdueLabel } else { Msg::StatsCellLabel };
            MapCell {
                code: &c.code,
                polygons: &c.polygons,
                shade: cellmap::shade_of(c.received, max),
                href: c.unit.as_ref().map(|u| format!("/staff?status=open&unit={}", crate::components::urlencode(u))),
                label: fill(t(key), &args),
                marked: c.overdue_now > 0,
                text: Vec::new(),
            }
        })
        .collect();
    let svg = cellmap::render(&map, 600, t(Msg::StatsMapTitle));
    view! {
        <h2 id="dash-map">{t(Msg::StatsMapTitle)}</h2>
        <p class="hint">{t(Msg::StatsMapLead)}" "{t(Msg::StatsMapMarked)}</p>
        <div class="cellmap-frame" inner_html=svg></div>
    }
}

/// The follow-up calls (回访): waiting now, done in the period and its outcomes, each with how it
/// is counted. Exact, as the other figures here.
fn callbacks(c: &CallbackFigures) -> impl IntoView {
    let mut rows: Vec<(&'static str, String, u64, Msg)> = vec![
        ("waiting", t(Msg::DashCallbacksWaiting).to_owned(), c.waiting, Msg::DashCallbacksWaitingDef),
        ("done", t(Msg::DashCallbacksDone).to_owned(), c.done(), Msg::DashCallbacksDoneDef),
    ];
    rows.extend(
        Satisfaction::ALL
            .into_iter()
            .map(|s| (s.as_str(), t(s.msg()).to_owned(), c.said(s), Msg::DashCallbacksSaidDef)),
    );
    rows.push((
        "unreachable",
        t(Msg::DashCallbacksUnreachable).to_owned(),
        c.unreachable,
        Msg::DashCallbacksUnreachableDef,
    ));
    view! {
        <h2 id="dash-callbacks">{t(Msg::DashCallbacks)}</h2>
        <table class="stats-table" aria-labelledby="dash-callbacks" id="dash-callbacks-table">
            <thead><tr><th scope="col">{t(Msg::StatsFigure)}</th><th scope="col">{t(Msg::StatsValue)}</th><th scope="col">{t(Msg::StatsHow)}</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|(key, label, n, def)| view! {
                    <tr data-figure=key><th scope="row">{label}</th><td class="num">{n.to_string()}</td><td class="hint">{t(def)}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Units or categories with their main figures, exact (staff).
fn rows_table(labelled_by: &'static str, first: Msg, rows: &[DashboardRow]) -> impl IntoView {
    let lang = lang();
    view! {
        <table class="stats-table" aria-labelledby=labelled_by>
            <thead><tr>
                <th scope="col">{t(first)}</th>
                <th scope="col">{t(Msg::StatsReceived)}</th>
                <th scope="col">{t(Msg::StatsClosed)}</th>
                <th scope="col">{t(Msg::StatsClosedOnTime)}</th>
                <th scope="col">{t(Msg::StatsSatisfaction)}</th>
                <th scope="col">{t(Msg::StatsOverdue)}</th>
            </tr></thead>
            <tbody>
                {rows.iter().map(|row| {
                    let c: Counts = row.counts;
                    let r = c.rates(false);
                    view! {
                        <tr data-code=row.code.clone()>
                            <th scope="row">{localized(lang, &row.name, &row.name_en).to_owned()}</th>
                            <td class="num">{count_text(c.received)}</td>
                            <td class="num">{percent(r.closed)}</td>
                            <td class="num">{percent(r.closed_on_time)}</td>
                            <td class="num">{percent(r.satisfaction)}</td>
                            <td class="num">{count_text(c.overdue_now)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One list of appeals that need attention: its heading links to the inbox filter.
fn attention(list: &AttentionList, heading: Msg) -> impl IntoView {
    let lang = lang();
    let href = format!("/staff?status=open&due={}", list.due);
    view! {
        <h3><a href=href>{fill(t(heading), &[("n", list.total.to_string())])}</a></h3>
        {(!list.items.is_empty()).then(|| view! {
            <ul class="inbox attention">
                {list.items.iter().map(|i| view! {
                    <li data-ticket=i.ticket.clone()>
                        <a class="code" href=format!("/staff/appeal/{}", i.ticket)>
                            {domain::receipt::Ticket::parse(&i.ticket).map(|t| t.display()).unwrap_or_else(|_| i.ticket.clone())}
                        </a>
                        " "<span class="status">{status_text(i.status, lang)}</span>
                        " · "{i.unit_name.clone()}" · "{t(Msg::ColDue)}": "<time>{when(i.due_at)}</time>
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}

fn period_form(v: &DashboardView) -> impl IntoView {
    let shown =
        PeriodShown { kind: &v.kind, year: v.year, month: v.month, quarter: v.quarter, from: &v.from, to: &v.to };
    period_fields("/staff/dashboard", "filters stats-period", "button button-secondary", None, &shown, true)
}
