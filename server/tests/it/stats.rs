//! `/stats`, the public statistics page (issue 12), through the real router: figures with their
//! definitions, drill-down, small counts suppressed, clear refusals, no script.

use crate::common::{config, get, get_with};
use axum::http::StatusCode;
use backend::config::Limits;
use domain::stats::Period;
use domain::{Lang, Msg};
use pingan_server::startup::{build_router, build_state, leptos_options};

/// An anonymous sanitation appeal in community HD0101, through the wizard's services.
async fn appeal(state: &backend::AppState) {
    use backend::services::appeal;
    let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    let d = appeal::start(state, "c", &form(vec![("category", "sanitation")])).await.unwrap();
    for (step, pairs) in [
        (domain::draft::Step::What, vec![("description", "楼道里堆满杂物，消防通道被堵住了")]),
        (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
        (domain::draft::Step::Who, vec![("identity", "anonymous")]),
    ] {
        appeal::save_step(state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
    }
    appeal::submit(state, &d.token, &d.secret, state.clock.now()).await.unwrap();
}

/// The cell of the figure row labelled `label` in the first table.
fn figure(body: &str, label: &str) -> String {
    let row = body.split(&format!("<th scope=\"row\">{label}</th>")).nth(1).unwrap_or_else(|| panic!("no row {label}"));
    row.split("<td class=\"num\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned()
}

#[tokio::test]
async fn the_public_sees_figures_with_small_counts_suppressed() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let Period::Month { year, month } = Period::month_of(time::OffsetDateTime::now_utc()) else { unreachable!() };
    let this_month = format!("period=month&year={year}&month={month}");
    // No appeals: zero is shown as zero and no rate is made up.
    let page = get(&app, "/stats").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(Msg::StatsTitle.text(Lang::ZhCn)));
    assert_eq!(figure(&page.body, Msg::StatsReceived.text(Lang::ZhCn)), "0");
    assert_eq!(figure(&page.body, Msg::StatsClosed.text(Lang::ZhCn)), "—");
    // Every figure is defined next to itself.
    for def in [Msg::StatsReceivedDef, Msg::StatsClosedOnTimeDef, Msg::StatsSatisfactionDef] {
        assert!(page.body.contains(def.text(Lang::ZhCn)), "{def:?}");
    }
    assert!(!page.body.contains("<script"), "no island, no script");
    // Three appeals: "<5", in the city's row and in its district's.
    for _ in 0..3 {
        appeal(&state).await;
    }
    let page = get(&app, &format!("/stats?{this_month}")).await;
    assert_eq!(figure(&page.body, Msg::StatsReceived.text(Lang::ZhCn)), "&lt;5");
    assert!(!page.body.contains("<td class=\"num\">3<"), "the exact small count is not shown");
    assert!(
        page.body.contains(&format!("/stats?region=HD&amp;{}", this_month.replace('&', "&amp;"))),
        "drill down keeps the period"
    );
    // Drilling down: the district, the streets below it, the way back up.
    let hd = get(&app, &format!("/stats?region=HD&{this_month}")).await;
    assert_eq!(hd.status, StatusCode::OK);
    assert!(hd.body.contains("aria-current=\"page\""));
    assert!(hd.body.contains("region=HD01"), "streets listed and opened");
    // Two more: five is shown exactly.
    for _ in 0..2 {
        appeal(&state).await;
    }
    let page = get(&app, &format!("/stats?region=HD&{this_month}")).await;
    assert_eq!(figure(&page.body, Msg::StatsReceived.text(Lang::ZhCn)), "5");
    // English.
    let en = get_with(&app, "/stats", "lang=en").await;
    assert!(en.body.contains("How appeals are handled") && en.body.contains(Msg::StatsReceivedDef.text(Lang::En)));
}

#[tokio::test]
async fn bad_periods_and_closed_regions_are_refused_clearly() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state, leptos_options(&cfg), false);
    for q in [
        "period=month&year=2026&month=13",
        "period=month&year=abc&month=1",
        "period=custom&from=2026-12-01&to=2026-01-01",
        "period=custom&from=2020-01-01&to=2026-01-01",
        "period=week",
    ] {
        let r = get(&app, &format!("/stats?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.body.contains(Msg::StatsBadPeriod.text(Lang::ZhCn)), "{q}");
    }
    // A community (below what the public may open), an unknown code, markup in the parameter.
    for region in ["HD0101", "NOPE", "%3Cscript%3E"] {
        let r = get(&app, &format!("/stats?region={region}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{region}");
        assert!(r.body.contains(Msg::StatsNoRegion.text(Lang::ZhCn)), "{region}");
        assert!(!r.body.contains("<script>"), "{region}");
    }
    let ok = get(&app, "/stats?period=custom&from=2026-01-01&to=2026-03-31").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.contains("2026-01-01") && ok.body.contains("2026-03-31"));
    let q = get(&app, "/stats?period=quarter&year=2026&quarter=4&region=HD").await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.body.contains("2026-10-01") && q.body.contains("2026-12-31"));
}
