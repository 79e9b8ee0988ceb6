//! `/stats`: the public statistics page (issue 12). Server-rendered, no island, complete without
//! JavaScript: a GET form for the period, the region's figures with each definition beside it,
//! the regions one level down as a table and as a bar chart drawn by the server (SVG), the same
//! numbers in both. Small counts are shown as "<5" and rates on them are withheld
//! (`domain::stats`).

use crate::components::{fill, lang, t, urlencode, PageTitle};
use crate::stats_api::{public_stats, StatsAnswer};
use domain::region::localized;
use domain::stats::{percent, Shown, StatsRow, StatsView};
use domain::{Lang, Msg};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Stats() -> impl IntoView {
    let q = use_query_map();
    let get = |k: &str| q.read_untracked().get(k).unwrap_or_default();
    let data =
        public_stats(get("region"), get("period"), get("year"), get("month"), get("quarter"), get("from"), get("to"))
            .shared();
    view! {
        <PageTitle text=format!("{} - {}", t(Msg::StatsTitle), t(Msg::SiteName))/>
        <a class="back" href="/">{t(Msg::SiteName)}</a>
        <h1>{t(Msg::StatsTitle)}</h1>
        <p class="tagline">{t(Msg::StatsLead)}</p>
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(StatsAnswer::Figures(v)) => figures(&v).into_any(),
                        Ok(StatsAnswer::BadPeriod) => refused(400, Msg::StatsBadPeriod),
                        Ok(StatsAnswer::NoRegion) => refused(404, Msg::StatsNoRegion),
                        Err(_) => view! { <p role="alert">{t(Msg::GenericError)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The page's answer when there are no figures to show: `status` on the response and why.
fn refused(status: u16, msg: Msg) -> AnyView {
    #[cfg(feature = "ssr")]
    if let (Some(resp), Ok(s)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status)) {
        resp.set_status(s);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
    view! {
        <p role="alert" class="problem">{t(msg)}</p>
        <p><a href="/stats">{t(Msg::StatsTitle)}</a></p>
    }
    .into_any()
}

fn name(lang: Lang, r: &StatsRow) -> String {
    localized(lang, &r.name, &r.name_en).to_owned()
}

/// The query string of the current period, to keep it when drilling down or up.
fn period_query(v: &StatsView) -> String {
    match v.kind.as_str() {
        "custom" => format!("period=custom&from={}&to={}", v.from, v.to),
        "quarter" => format!("period=quarter&year={}&quarter={}", v.year, v.quarter),
        "year" => format!("period=year&year={}", v.year),
        _ => format!("period=month&year={}&month={}", v.year, v.month),
    }
}

fn region_link(v: &StatsView, r: &StatsRow) -> String {
    format!("/stats?region={}&{}", urlencode(&r.code), period_query(v))
}

fn figures(v: &StatsView) -> impl IntoView {
    let lang = lang();
    let c = v.region.counts;
    let rates = c.rates(true);
    let count = |n: u64| Shown::public(n).text();
    let rows: Vec<(Msg, String, Msg)> = vec![
        (Msg::StatsReceived, count(c.received), Msg::StatsReceivedDef),
        (Msg::StatsSignedOnTime, percent(rates.signed_on_time), Msg::StatsSignedOnTimeDef),
        (Msg::StatsClosed, percent(rates.closed), Msg::StatsClosedDef),
        (Msg::StatsClosedOnTime, percent(rates.closed_on_time), Msg::StatsClosedOnTimeDef),
        (Msg::StatsOverdue, count(c.overdue_now), Msg::StatsOverdueDef),
        (Msg::StatsSupervised, count(c.supervised), Msg::StatsSupervisedDef),
        (Msg::StatsEscalated, count(c.escalated), Msg::StatsEscalatedDef),
        (Msg::StatsSatisfaction, percent(rates.satisfaction), Msg::StatsSatisfactionDef),
        (Msg::StatsRatedShare, percent(rates.rated_share), Msg::StatsRatedShareDef),
        (Msg::StatsReopened, count(c.reopened), Msg::StatsReopenedDef),
    ];
    let trail = v.trail.clone();
    let here = name(lang, &v.region);
    view! {
        {period_form(v)}
        <nav class="stats-trail" aria-label=t(Msg::StatsArea)>
            {trail.iter().map(|r| view! { <a href=region_link(v, r)>{name(lang, r)}</a>" › " }).collect_view()}
            <span aria-current="page">{here.clone()}</span>
        </nav>
        <p class="result-count" role="status">
            {fill(t(Msg::StatsShowing), &[("from", v.from.clone()), ("to", v.to.clone())])}
        </p>
        <h2 id="figures">{here}</h2>
        <table class="stats-table" aria-labelledby="figures">
            <thead><tr><th scope="col">{t(Msg::StatsFigure)}</th><th scope="col">{t(Msg::StatsValue)}</th><th scope="col">{t(Msg::StatsHow)}</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|(m, value, def)| view! {
                    <tr><th scope="row">{t(m)}</th><td class="num">{value}</td><td class="hint">{t(def)}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        {(!v.children.is_empty()).then(|| below(v))}
        <p class="hint">{t(Msg::StatsSuppressedNote)}</p>
        <p class="hint">{t(Msg::StatsDataNote)}</p>
    }
}

fn period_form(v: &StatsView) -> impl IntoView {
    let kinds = [
        ("month", Msg::StatsPeriodMonth),
        ("quarter", Msg::StatsPeriodQuarter),
        ("year", Msg::StatsPeriodYear),
        ("custom", Msg::StatsPeriodCustom),
    ];
    let region = v.region.code.clone();
    let (from, to) = if v.kind == "custom" { (v.from.clone(), v.to.clone()) } else { (String::new(), String::new()) };
    view! {
        <form method="get" action="/stats" class="step-form stats-period">
            <input type="hidden" name="region" value=region/>
            <div class="field">
                <label for="period" class="label">{t(Msg::StatsPeriodLabel)}</label>
                <select id="period" name="period">
                    {kinds.into_iter().map(|(k, m)| view! { <option value=k selected=k == v.kind>{t(m)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="year" class="label">{t(Msg::StatsYearLabel)}</label>
                <input id="year" name="year" type="number" inputmode="numeric" min="2000" max="2100" value=v.year.to_string()/>
            </div>
            <div class="field">
                <label for="month" class="label">{t(Msg::StatsMonthLabel)}</label>
                <select id="month" name="month">
                    {(1..=12u8).map(|m| view! { <option value=m.to_string() selected=m == v.month>{m.to_string()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="quarter" class="label">{t(Msg::StatsQuarterLabel)}</label>
                <select id="quarter" name="quarter">
                    {(1..=4u8).map(|q| view! { <option value=q.to_string() selected=q == v.quarter>{format!("Q{q}")}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="from" class="label">{t(Msg::StatsFromLabel)}</label>
                <input id="from" name="from" type="date" value=from/>
            </div>
            <div class="field">
                <label for="to" class="label">{t(Msg::StatsToLabel)}</label>
                <input id="to" name="to" type="date" value=to/>
            </div>
            <button type="submit" class="button">{t(Msg::StatsShow)}</button>
        </form>
    }
}

/// The regions one level down: a table, and the same closed shares as bars.
fn below(v: &StatsView) -> impl IntoView {
    let lang = lang();
    let rows: Vec<StatsRow> = v.children.clone();
    view! {
        <h2 id="below">{t(Msg::StatsBelow)}</h2>
        <table class="stats-table" aria-labelledby="below">
            <thead><tr>
                <th scope="col">{t(Msg::StatsArea)}</th>
                <th scope="col">{t(Msg::StatsReceived)}</th>
                <th scope="col">{t(Msg::StatsClosed)}</th>
                <th scope="col">{t(Msg::StatsSatisfaction)}</th>
                <th scope="col">{t(Msg::StatsOverdue)}</th>
            </tr></thead>
            <tbody>
                {rows.iter().map(|r| {
                    let rates = r.counts.rates(true);
                    let label = name(lang, r);
                    let cell = if r.opens {
                        view! { <a href=region_link(v, r)>{label}</a> }.into_any()
                    } else {
                        view! { <span>{label}</span> }.into_any()
                    };
                    view! {
                        <tr>
                            <th scope="row">{cell}</th>
                            <td class="num">{Shown::public(r.counts.received).text()}</td>
                            <td class="num">{percent(rates.closed)}</td>
                            <td class="num">{percent(rates.satisfaction)}</td>
                            <td class="num">{Shown::public(r.counts.overdue_now).text()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {bar_chart(lang, &rows)}
    }
}

/// Horizontal bars of the closed share per region (only those with a share to show).
fn bar_chart(lang: Lang, rows: &[StatsRow]) -> AnyView {
    let bars: Vec<(String, u32)> =
        rows.iter().filter_map(|r| Some((name(lang, r), r.counts.rates(true).closed?))).collect();
    if bars.is_empty() {
        return view! { <p class="hint">{t(Msg::StatsChartNone)}</p> }.into_any();
    }
    const ROW: usize = 28;
    const LABEL: usize = 120;
    const WIDTH: usize = 320;
    let height = bars.len() * ROW + 8;
    let summary = bars.iter().map(|(n, r)| format!("{n} {}", percent(Some(*r)))).collect::<Vec<_>>().join("; ");
    view! {
        <figure class="stats-chart">
            <figcaption>{t(Msg::StatsChartTitle)}</figcaption>
            <svg viewBox=format!("0 0 {} {height}", LABEL + WIDTH + 60) width="100%" role="img"
                aria-label=format!("{}: {summary}", t(Msg::StatsChartTitle))>
                {bars.into_iter().enumerate().map(|(i, (label, rate))| {
                    let y = i * ROW + 4;
                    let w = (rate as usize * WIDTH) / 1000;
                    view! {
                        <text x="0" y=(y + 18).to_string() font-size="13">{label}</text>
                        <rect x=LABEL.to_string() y=y.to_string() width=w.max(1).to_string() height="20" class="bar"/>
                        <text x=(LABEL + w + 6).to_string() y=(y + 18).to_string() font-size="13">{percent(Some(rate))}</text>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
    .into_any()
}
