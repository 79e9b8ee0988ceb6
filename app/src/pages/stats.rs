//! `/stats`: the public statistics page (issue 12). Server-rendered, no island, complete without
//! JavaScript: a GET form for the period, the region's figures with each definition beside it,
//! for a district, street, community or grid cell a map of the grid cells shaded by appeals
//! received or, chosen by a link (`map=satisfaction`, kept by every link and the form), by
//! satisfaction (`domain::cellmap`, each cell a link to its own figures), the regions one level down
//! as a table and as a bar chart, the last 12 months as a chart and a table, and the most frequent
//! categories. Every chart is SVG drawn by the server with classes only (the CSP allows no inline
//! style) and has its numbers in a table too. Counts are shown rounded to 5 ("<5" for 1–4),
//! shares are of the counts as shown, none on a shown base under 20; periods are calendar months,
//! quarters and years that have ended (`domain::stats`).

use crate::components::{fill, lang, t, urlencode, PageTitle};
use crate::stats_api::{public_stats, StatsAnswer};
use domain::cellmap::{self, MapCell};
use domain::region::localized;
use domain::stats::{percent, MonthRow, Shown, StatsRow, StatsView, PUBLIC_RATE_BASE, SUPPRESS_BELOW};
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
    let map = MapView::from_query(&get("map"));
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
                        Ok(StatsAnswer::Figures(v)) => figures(&v, map).into_any(),
                        Ok(StatsAnswer::BadPeriod) => refused(400, Msg::StatsBadPeriod),
                        Ok(StatsAnswer::CustomStaffOnly) => refused(400, Msg::StatsCustomStaffOnly),
                        Ok(StatsAnswer::Earlier(v)) => view! {
                            <p role="status" class="problem" id="not-over">{t(Msg::StatsNotOver)}</p>
                            {figures(&v, map)}
                        }.into_any(),
                        Ok(StatsAnswer::NoRegion) => refused(404, Msg::StatsNoRegion),
                        Ok(StatsAnswer::Busy) => refused(503, Msg::StatsBusy),
                        Ok(StatsAnswer::TooManyPeriods) => refused(429, Msg::StatsTooManyPeriods),
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

/// What the map's cells are shaded by: `map=satisfaction` in the query, appeals received
/// otherwise. Every link of the page and its period form keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapView {
    Received,
    Satisfaction,
}

impl MapView {
    fn from_query(value: &str) -> Self {
        if value.trim() == "satisfaction" {
            Self::Satisfaction
        } else {
            Self::Received
        }
    }

    /// The query parameter's value (none for the default).
    fn param(self) -> Option<&'static str> {
        match self {
            Self::Received => None,
            Self::Satisfaction => Some("satisfaction"),
        }
    }
}

fn region_link(v: &StatsView, map: MapView, r: &StatsRow) -> String {
    let view = map.param().map(|m| format!("&map={m}")).unwrap_or_default();
    format!("/stats?region={}&{}{view}", urlencode(&r.code), period_query(v))
}

fn figures(v: &StatsView, map: MapView) -> impl IntoView {
    let lang = lang();
    let c = v.region.counts;
    let rates = c.rates(true);
    let count = |n: u64| Shown::public(n).text();
    let hours =
        |h: Option<f64>| h.map_or_else(|| "—".to_owned(), |h| fill(t(Msg::StatsHours), &[("h", format!("{h:.1}"))]));
    let rows: Vec<(Msg, String, Msg)> = vec![
        (Msg::StatsReceived, count(c.received), Msg::StatsReceivedDef),
        (Msg::StatsSignedOnTime, percent(rates.signed_on_time), Msg::StatsSignedOnTimeDef),
        (Msg::StatsClosed, percent(rates.closed), Msg::StatsClosedDef),
        (Msg::StatsClosedOnTime, percent(rates.closed_on_time), Msg::StatsClosedOnTimeDef),
        (Msg::StatsMedianSign, hours(v.medians.signed), Msg::StatsMedianSignDef),
        (Msg::StatsMedianReply, hours(v.medians.replied), Msg::StatsMedianReplyDef),
        (Msg::StatsMedianClose, hours(v.medians.closed), Msg::StatsMedianCloseDef),
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
        {period_form(v, map)}
        <nav class="stats-trail" aria-label=t(Msg::StatsArea)>
            {trail.iter().map(|r| view! { <a href=region_link(v, map, r)>{name(lang, r)}</a>" › " }).collect_view()}
            <span aria-current="page">{here.clone()}</span>
        </nav>
        <p class="result-count" role="status">
            {fill(
                t(Msg::StatsShowing),
                &[("from", domain::when::iso_date_text(&v.from, lang)), ("to", domain::when::iso_date_text(&v.to, lang))],
            )}
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
        {(!v.map.is_empty()).then(|| cell_map(v, map))}
        {(!v.children.is_empty()).then(|| below(v, map))}
        {trend(v)}
        {top_categories(v)}
        {channels(v)}
        <p class="hint">{t(Msg::StatsSuppressedNote)}</p>
        <p class="hint">{t(Msg::StatsDataNote)}</p>
        <p class="hint">{t(Msg::StatsCacheNote)}</p>
    }
}

/// A small square in a map or chart class, for a legend (the colours stay in the stylesheet).
fn swatch(class: impl Into<String>) -> impl IntoView {
    let class: String = class.into();
    view! {
        <svg class="swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <rect class=class x="1" y="1" width="14" height="14"/>
        </svg>
    }
}

/// The grid cells under the region, shaded by appeals received or by satisfaction (`map`), each
/// a link to its figures; links switch between the two, and the legend says what each shade
/// means. The children table below is the map's text alternative; each cell's label says its
/// figure too.
fn cell_map(v: &StatsView, map: MapView) -> impl IntoView {
    let lang = lang();
    let names: Vec<String> = v
        .map
        .iter()
        .map(|c| {
            let community = localized(lang, &c.community, &c.community_en);
            let cell = name(lang, &c.row);
            if community.is_empty() {
                cell
            } else {
                fill(t(Msg::StatsCellName), &[("community", community.to_owned()), ("cell", cell)])
            }
        })
        .collect();
    let (svg, lead, legend) = match map {
        MapView::Received => received_map(v, names),
        MapView::Satisfaction => satisfaction_map(v, names),
    };
    let siblings = v.region.level == "grid";
    let views = [(MapView::Received, Msg::StatsReceived), (MapView::Satisfaction, Msg::StatsSatisfaction)];
    view! {
        <h2 id="map">{t(Msg::StatsMapTitle)}</h2>
        {siblings.then(|| view! { <p>{t(Msg::StatsMapSiblings)}</p> })}
        <p class="label" id="map-views">{t(Msg::StatsMapShadeBy)}</p>
        <ul class="counts map-views" aria-labelledby="map-views">
            {views.into_iter().map(|(m, label)| view! {
                <li>
                    <a href=format!("{}#map", region_link(v, m, &v.region)) aria-current=(m == map).then_some("page")>
                        {t(label)}
                    </a>
                </li>
            }).collect_view()}
        </ul>
        <p class="hint">{lead}</p>
        // The stripes of "no figure", for the map and its legend alike: the CSP allows no inline
        // style, but a pattern is markup that the stylesheet points at.
        {(map == MapView::Satisfaction).then(|| view! {
            <svg class="map-defs" aria-hidden="true" focusable="false" width="0" height="0" inner_html=SAT_PATTERN></svg>
        })}
        <div class="cellmap-frame" inner_html=svg></div>
        <p class="label" id="map-legend">{t(Msg::StatsMapLegend)}</p>
        <ul class="map-legend" aria-labelledby="map-legend">{legend}</ul>
    }
}

/// The map shaded by appeals received (the default): its SVG, its lead and its legend's items.
fn received_map(v: &StatsView, names: Vec<String>) -> (String, String, AnyView) {
    // Shades from the counts as the public sees them: 1–4 all count as 5, so the shade cannot
    // tell them apart either.
    let max = v.map.iter().map(|c| drawn(c.row.counts.received).0).max().unwrap_or(0);
    let cells: Vec<MapCell<'_>> = v
        .map
        .iter()
        .zip(names)
        .map(|(c, full)| {
            let args = [("name", full), ("n", Shown::public(c.row.counts.received).text())];
            let key = if c.row.counts.overdue_now > 0 { Msg::StatsCellOverdueLabel } else { Msg::StatsCellLabel };
            MapCell {
                code: &c.row.code,
                polygons: &c.polygons,
                shade: cellmap::shade_of(drawn(c.row.counts.received).0, max),
                href: Some(region_link(v, MapView::Received, &c.row)),
                label: fill(t(key), &args),
                marked: c.row.counts.overdue_now > 0,
                text: Vec::new(),
            }
        })
        .collect();
    let svg = cellmap::render(&cells, 600, t(Msg::StatsMapTitle));
    // Shade k holds the values up to ⌊k · max / 4⌋; a shade no whole number reaches is left out,
    // and shades whose edges read the same once small counts are hidden ("<5") share one line.
    let edge = |k: u64| k * max / 4;
    let mut shades: Vec<(Vec<&'static str>, String)> = Vec::new();
    for (k, class) in [(1, "cell s1"), (2, "cell s2"), (3, "cell s3"), (4, "cell s4")] {
        if max == 0 || edge(k) == edge(k - 1) {
            continue;
        }
        let text = Shown::public(edge(k)).text();
        match shades.last_mut() {
            Some((classes, last)) if *last == text => classes.push(class),
            _ => shades.push((vec![class], text)),
        }
    }
    let legend = view! {
        <li>{swatch("cell s0")}" "{t(Msg::StatsMapNone)}</li>
        {shades.into_iter().map(|(classes, n)| view! {
            <li>{classes.into_iter().map(swatch).collect_view()}" "{fill(t(Msg::StatsMapUpTo), &[("n", n)])}</li>
        }).collect_view()}
        <li>{swatch("cell s0 marked")}" "{t(Msg::StatsMapMarked)}</li>
    };
    (svg, t(Msg::StatsMapLead).to_owned(), legend.into_any())
}

/// The edges of the satisfaction bands, in per mille: under 60 %, 60 % to under 80 %, 80 % to
/// under 90 %, 90 % or more.
const SAT_EDGES: [u32; 3] = [600, 800, 900];

/// The cell classes of the satisfaction map: no rate shown (too few ratings), then the bands of
/// [`SAT_EDGES`], lowest first (`style/main.css`).
const SAT_CLASSES: [&str; 5] = ["sat-none", "sat-lt60", "sat-60", "sat-80", "sat-90"];

/// A cell's class index in [`SAT_CLASSES`]: 0 for no rate shown, else its band, from the rate as
/// the public sees it (`Counts::rates(true)`), so a shade never tells more than the label.
fn sat_band(rate: Option<u32>) -> u8 {
    match rate {
        None => 0,
        Some(r) if r < SAT_EDGES[0] => 1,
        Some(r) if r < SAT_EDGES[1] => 2,
        Some(r) if r < SAT_EDGES[2] => 3,
        Some(_) => 4,
    }
}

/// The map shaded by satisfaction: its SVG, its lead and its legend's items. A cell whose rate the
/// public may not see (a rated base under `PUBLIC_RATE_BASE` as shown) gets the striped
/// "no figure" pattern, never a band.
fn satisfaction_map(v: &StatsView, names: Vec<String>) -> (String, String, AnyView) {
    let cells: Vec<MapCell<'_>> = v
        .map
        .iter()
        .zip(names)
        .map(|(c, full)| {
            let rate = c.row.counts.rates(true).satisfaction;
            let rated = Shown::public(c.row.counts.rated).text();
            let label = match rate {
                Some(_) => fill(t(Msg::StatsSatCellLabel), &[("name", full), ("rate", percent(rate)), ("n", rated)]),
                None => fill(t(Msg::StatsSatCellFew), &[("name", full), ("n", rated)]),
            };
            MapCell {
                code: &c.row.code,
                polygons: &c.polygons,
                shade: sat_band(rate),
                href: Some(region_link(v, MapView::Satisfaction, &c.row)),
                label,
                marked: false,
                text: Vec::new(),
            }
        })
        .collect();
    let svg = cellmap::render_scaled(&cells, 600, t(Msg::StatsSatMapTitle), &SAT_CLASSES);
    let pc = |per_mille: u32| format!("{}%", per_mille / 10);
    let [low, mid, high] = SAT_EDGES;
    let bands = [
        fill(t(Msg::StatsSatBelow), &[("p", pc(low))]),
        fill(t(Msg::StatsSatBetween), &[("lo", pc(low)), ("hi", pc(mid))]),
        fill(t(Msg::StatsSatBetween), &[("lo", pc(mid)), ("hi", pc(high))]),
        fill(t(Msg::StatsSatAtLeast), &[("p", pc(high))]),
    ];
    let legend = view! {
        {SAT_CLASSES[1..].iter().zip(bands).map(|(class, text)| view! {
            <li>{swatch(format!("cell {class}"))}" "{text}</li>
        }).collect_view()}
        <li>{swatch(format!("cell {}", SAT_CLASSES[0]))}" "{t(Msg::StatsSatNoFigure)}</li>
    };
    let lead = fill(t(Msg::StatsSatMapLead), &[("n", PUBLIC_RATE_BASE.to_string())]);
    (svg, lead, legend.into_any())
}

/// Grey stripes on white (`fill: url(#no-figure)` in `style/main.css`).
const SAT_PATTERN: &str = r#"<defs><pattern id="no-figure" width="8" height="8" patternUnits="userSpaceOnUse"><rect class="no-figure-bg" width="8" height="8"/><path class="no-figure-line" d="M-2 2L2 -2M0 8L8 0M6 10L10 6"/></pattern></defs>"#;

/// A count as a chart draws it: rounded as the label shows it, or (for "<5") a dashed box as tall
/// as 5, so a bar or a shade tells no more than the label.
fn drawn(n: u64) -> (u64, bool) {
    match Shown::public(n) {
        Shown::Rounded(n) => (n, false),
        Shown::Few => (SUPPRESS_BELOW, true),
    }
}

/// The last 12 months: received and closed as bars, then the same numbers (and the shares) in a
/// table.
fn trend(v: &StatsView) -> impl IntoView {
    let months: Vec<MonthRow> = v.trend.clone();
    let lang = lang();
    let label = |m: &MonthRow| domain::when::month_text(m.year, m.month, lang);
    view! {
        <h2 id="trend">{t(Msg::StatsTrendTitle)}</h2>
        {trend_chart(&months)}
        <table class="stats-table">
            <caption>{t(Msg::StatsTrendCaption)}</caption>
            <thead><tr>
                <th scope="col">{t(Msg::StatsMonth)}</th>
                <th scope="col">{t(Msg::StatsReceived)}</th>
                <th scope="col">{t(Msg::StatsClosedCount)}</th>
                <th scope="col">{t(Msg::StatsClosed)}</th>
                <th scope="col">{t(Msg::StatsSatisfaction)}</th>
            </tr></thead>
            <tbody>
                {months.iter().map(|m| {
                    let rates = m.counts.rates(true);
                    view! {
                        <tr class="trend-row">
                            <th scope="row">{label(m)}</th>
                            <td class="num">{Shown::public(m.counts.received).text()}</td>
                            <td class="num">{Shown::public(m.counts.closed).text()}</td>
                            <td class="num">{percent(rates.closed)}</td>
                            <td class="num">{percent(rates.satisfaction)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Two bars a month (received, closed), scaled to the largest drawn count; the month under each
/// pair, the year under the first month and every January.
fn trend_chart(months: &[MonthRow]) -> impl IntoView {
    const GROUP: u64 = 40;
    const BAR: u64 = 15;
    const TOP: u64 = 8;
    const HEIGHT: u64 = 140;
    let max =
        months.iter().flat_map(|m| [drawn(m.counts.received).0, drawn(m.counts.closed).0]).max().unwrap_or(0).max(1);
    let base = TOP + HEIGHT;
    let width = GROUP * (months.len() as u64).max(1);
    let bar = move |x: u64, (value, few): (u64, bool), class: &'static str| {
        let h = value * HEIGHT / max;
        let class = if few { "bar few" } else { class };
        (h > 0).then(|| {
            view! { <rect class=class x=x.to_string() y=(base - h).to_string() width=BAR.to_string() height=h.to_string()/> }
        })
    };
    view! {
        <figure class="stats-chart trend-chart">
            <figcaption>{t(Msg::StatsTrendChart)}</figcaption>
            <svg viewBox=format!("0 0 {width} {}", base + 34) width="100%" role="img" aria-label=t(Msg::StatsTrendCaption)>
                <line class="axis" x1="0" x2=width.to_string() y1=base.to_string() y2=base.to_string()/>
                {months.iter().enumerate().map(|(i, m)| {
                    let x = i as u64 * GROUP + (GROUP - 2 * BAR) / 2;
                    let mid = (i as u64 * GROUP + GROUP / 2).to_string();
                    let year = (i == 0 || m.month == 1).then(|| view! {
                        <text x=mid.clone() y=(base + 30).to_string() font-size="11" text-anchor="middle">{m.year.to_string()}</text>
                    });
                    view! {
                        {bar(x, drawn(m.counts.received), "bar")}
                        {bar(x + BAR, drawn(m.counts.closed), "bar closed")}
                        <text x=mid.clone() y=(base + 16).to_string() font-size="12" text-anchor="middle">{m.month.to_string()}</text>
                        {year}
                    }
                }).collect_view()}
            </svg>
            <ul class="chart-legend">
                <li>{swatch("bar")}" "{t(Msg::StatsReceived)}</li>
                <li>{swatch("bar closed")}" "{t(Msg::StatsClosedCount)}</li>
                <li>{swatch("bar few")}" "{t(Msg::StatsTrendFew)}</li>
            </ul>
        </figure>
    }
}

/// The most frequent categories of the period.
fn top_categories(v: &StatsView) -> impl IntoView {
    let lang = lang();
    let rows = v.top_categories.clone();
    view! {
        <h2 id="categories">{t(Msg::StatsTopCategories)}</h2>
        {if rows.is_empty() {
            view! { <p class="hint">{t(Msg::StatsTopNone)}</p> }.into_any()
        } else {
            view! {
                <table class="stats-table" aria-labelledby="categories">
                    <thead><tr>
                        <th scope="col">{t(Msg::StatsCategory)}</th>
                        <th scope="col">{t(Msg::StatsReceived)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.iter().map(|c| view! {
                            <tr>
                                <th scope="row">{localized(lang, &c.name, &c.name_en).to_owned()}</th>
                                <td class="num">{Shown::public(c.received).text()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// Received per channel (issue 13: every channel into one ledger, each counted).
fn channels(v: &StatsView) -> impl IntoView {
    let rows = v.channels.clone();
    view! {
        <h2 id="channels">{t(Msg::StatsByChannel)}</h2>
        <table class="stats-table" aria-labelledby="channels" id="channels-table">
            <thead><tr>
                <th scope="col">{t(Msg::StatsChannel)}</th>
                <th scope="col">{t(Msg::StatsReceived)}</th>
            </tr></thead>
            <tbody>
                {rows.iter().map(|c| view! {
                    <tr data-channel=c.channel.as_str()>
                        <th scope="row">{t(c.channel.label())}</th>
                        <td class="num">{Shown::public(c.received).text()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn period_form(v: &StatsView, map: MapView) -> impl IntoView {
    let shown =
        PeriodShown { kind: &v.kind, year: v.year, month: v.month, quarter: v.quarter, from: &v.from, to: &v.to };
    let mut keep = vec![("region", v.region.code.clone())];
    if let Some(m) = map.param() {
        keep.push(("map", m.to_owned()));
    }
    period_form_keeping("/stats", "step-form stats-period", "button", keep, &shown, false)
}

/// The period as a form shows it (see `domain::stats::Period::form`).
pub struct PeriodShown<'a> {
    pub kind: &'a str,
    pub year: i32,
    pub month: u8,
    pub quarter: u8,
    pub from: &'a str,
    pub to: &'a str,
}

/// The period form of `/stats` and of the staff dashboard: a GET form to `action`, with the
/// region kept in a hidden field when there is one. With `custom` (staff), a period of chosen
/// days too; the public sees calendar periods only (`domain::stats::Period::public_at`).
pub fn period_fields(
    action: &'static str,
    form_class: &'static str,
    button_class: &'static str,
    region: Option<String>,
    v: &PeriodShown<'_>,
    custom: bool,
) -> impl IntoView {
    let keep = region.map(|r| vec![("region", r)]).unwrap_or_default();
    period_form_keeping(action, form_class, button_class, keep, v, custom)
}

/// [`period_fields`] keeping any other parameters of the page in hidden fields (`/stats`: the
/// region and the map's view).
fn period_form_keeping(
    action: &'static str,
    form_class: &'static str,
    button_class: &'static str,
    keep: Vec<(&'static str, String)>,
    v: &PeriodShown<'_>,
    custom: bool,
) -> impl IntoView {
    let mut kinds =
        vec![("month", Msg::StatsPeriodMonth), ("quarter", Msg::StatsPeriodQuarter), ("year", Msg::StatsPeriodYear)];
    if custom {
        kinds.push(("custom", Msg::StatsPeriodCustom));
    }
    let kind = v.kind.to_owned();
    let (from, to) =
        if v.kind == "custom" { (v.from.to_owned(), v.to.to_owned()) } else { (String::new(), String::new()) };
    let (year, month, quarter) = (v.year, v.month, v.quarter);
    view! {
        <form method="get" action=action class=form_class>
            {keep.into_iter().map(|(k, value)| view! { <input type="hidden" name=k value=value/> }).collect_view()}
            <div class="field">
                <label for="period" class="label">{t(Msg::StatsPeriodLabel)}</label>
                <select id="period" name="period">
                    {kinds.into_iter().map(|(k, m)| view! { <option value=k selected=k == kind>{t(m)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="year" class="label">{t(Msg::StatsYearLabel)}</label>
                <input id="year" name="year" type="number" inputmode="numeric" min="2000" max="2100" value=year.to_string()/>
            </div>
            <div class="field">
                <label for="month" class="label">{t(Msg::StatsMonthLabel)}</label>
                <select id="month" name="month">
                    {(1..=12u8).map(|m| view! { <option value=m.to_string() selected=m == month>{m.to_string()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="quarter" class="label">{t(Msg::StatsQuarterLabel)}</label>
                <select id="quarter" name="quarter">
                    {(1..=4u8).map(|q| view! { <option value=q.to_string() selected=q == quarter>{format!("Q{q}")}</option> }).collect_view()}
                </select>
            </div>
            {custom.then(|| view! {
                <div class="field">
                    <label for="from" class="label">{t(Msg::StatsFromLabel)}</label>
                    <input id="from" name="from" type="date" value=from.clone()/>
                </div>
                <div class="field">
                    <label for="to" class="label">{t(Msg::StatsToLabel)}</label>
                    <input id="to" name="to" type="date" value=to.clone()/>
                </div>
            })}
            <button type="submit" class=button_class>{t(Msg::StatsShow)}</button>
        </form>
    }
}

/// The regions one level down: a table, and the same closed shares as bars.
fn below(v: &StatsView, map: MapView) -> impl IntoView {
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
                        view! { <a href=region_link(v, map, r)>{label}</a> }.into_any()
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
