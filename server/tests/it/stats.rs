//! `/stats`, the public statistics page (issue 12), through the real router: figures with their
//! definitions, drill-down to a grid cell, the map, the trend, small counts suppressed, clear
//! refusals, no script and no inline style.

use crate::common::{between, config, get, get_with};
use axum::http::StatusCode;
use backend::config::Limits;
use domain::stats::Period;
use domain::{Lang, Msg};
use pingan_server::startup::{build_router, build_state, leptos_options};

/// An anonymous sanitation appeal in community HD0101, through the wizard's services, dated in
/// the middle of the last month over (the public sees only periods that have ended).
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
    let appeal::SubmitOutcome::Accepted { ticket } =
        appeal::submit(state, &d.token, &d.secret, state.clock.now()).await.unwrap()
    else {
        panic!("not accepted")
    };
    let (start, end) = Period::last_over(state.clock.now())[0].bounds().unwrap();
    sqlx::query("UPDATE appeals SET submitted_at = $1 WHERE ticket = $2")
        .bind((start + end) / 2)
        .bind(&ticket)
        .execute(&state.db.pool)
        .await
        .unwrap();
}

/// The cell of the figure row labelled `label` in the first table.
fn figure(body: &str, label: &str) -> String {
    let row = body.split(&format!("<th scope=\"row\">{label}</th>")).nth(1).unwrap_or_else(|| panic!("no row {label}"));
    row.split("<td class=\"num\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned()
}

#[tokio::test]
async fn the_public_sees_figures_with_small_counts_suppressed() {
    let cfg = config(Limits::default());
    // The public figures are kept for a minute and then still shown while a read runs behind
    // them (backend::services::stats); the test moves its own clock past all that, so the next
    // request reads for itself.
    // Mid-month, so that the test's minutes never cross into another month.
    let clock = backend::clock::ManualClock::new(time::OffsetDateTime::now_utc().replace_day(15).unwrap());
    let state = build_state(&cfg).await.unwrap().with_clock(std::sync::Arc::new(clock.clone()));
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let next_minute = || clock.advance(time::Duration::seconds(backend::services::stats::STALE_SECONDS + 1));
    let Period::Month { year, month } = Period::last_over(state.clock.now())[0] else { unreachable!() };
    let this_month = format!("period=month&year={year}&month={month}");
    // No appeals: zero is shown as zero and no rate is made up.
    let page = get(&app, "/stats").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(Msg::StatsTitle.text(Lang::ZhCn)));
    assert_eq!(figure(&page.body, Msg::StatsReceived.text(Lang::ZhCn)), "0");
    assert_eq!(figure(&page.body, Msg::StatsClosed.text(Lang::ZhCn)), "—");
    // Every figure is defined next to itself.
    for def in [Msg::StatsReceivedDef, Msg::StatsClosedOnTimeDef, Msg::StatsSatisfactionDef, Msg::StatsMedianReplyDef] {
        assert!(page.body.contains(def.text(Lang::ZhCn)), "{def:?}");
    }
    // No appeals, no median time made up.
    for m in [Msg::StatsMedianSign, Msg::StatsMedianReply, Msg::StatsMedianClose] {
        assert_eq!(figure(&page.body, m.text(Lang::ZhCn)), "—", "{m:?}");
    }
    assert!(!page.body.contains("<script"), "no island, no script");
    // Three appeals: "<5", in the city's row and in its district's.
    for _ in 0..3 {
        appeal(&state).await;
    }
    let cached = get(&app, &format!("/stats?{this_month}")).await;
    assert_eq!(figure(&cached.body, Msg::StatsReceived.text(Lang::ZhCn)), "0", "the same period, within the minute");
    assert!(cached.body.contains(Msg::StatsCacheNote.text(Lang::ZhCn)), "and the page says so");
    next_minute();
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
    next_minute();
    let page = get(&app, &format!("/stats?region=HD&{this_month}")).await;
    assert_eq!(figure(&page.body, Msg::StatsReceived.text(Lang::ZhCn)), "5");
    // Seven, one of them moved to street HD02: every count rounded to 5 — the district's 7 and
    // HD01's 6 both show as 5, so 5 − 5 does not give HD02's "<5" away.
    for _ in 0..2 {
        appeal(&state).await;
    }
    let ticket: String =
        sqlx::query_scalar("SELECT ticket FROM appeals LIMIT 1").fetch_one(&state.db.pool).await.unwrap();
    let path = state.catalog.get().unit_path("U-HD02");
    let mut tx = state.db.pool.begin().await.unwrap();
    let change = backend::store::appeals::Change { unit: Some(("U-HD02", &path)), ..Default::default() };
    backend::store::appeals::apply(&mut tx, &ticket, &change, state.clock.ts()).await.unwrap();
    tx.commit().await.unwrap();
    next_minute();
    let page = get(&app, &format!("/stats?region=HD&{this_month}")).await;
    assert_eq!(figure(&page.body, Msg::StatsReceived.text(Lang::ZhCn)), "5");
    let below = between(&page.body, "id=\"below\"", "</table>").unwrap_or_default();
    assert!(below.contains("<td class=\"num\">5</td>"), "HD01's 6 rounded: {below}");
    assert!(below.contains("<td class=\"num\">&lt;5</td>"), "HD02 suppressed");
    for exact in ["6", "7", "*"] {
        assert!(!page.body.contains(&format!("<td class=\"num\">{exact}</td>")), "no exact or withheld count: {exact}");
    }
    // By channel: all seven came by the web form, rounded the same way.
    let channels = between(&page.body, "id=\"channels-table\"", "</table>").unwrap_or_default();
    assert!(channels.contains("data-channel=\"web\"") && channels.contains("<td class=\"num\">5</td>"), "{channels}");
    // The public chooses calendar periods only (no dates), and only those that have ended: for
    // the month now running, the last month over, saying so.
    assert!(!page.body.contains("name=\"from\"") && !page.body.contains("value=\"custom\""), "no custom period");
    let Period::Month { year: y, month: m } = Period::month_of(state.clock.now()) else { unreachable!() };
    let running = get(&app, &format!("/stats?region=HD&period=month&year={y}&month={m}")).await;
    assert_eq!(running.status, StatusCode::OK);
    assert!(running.body.contains(Msg::StatsNotOver.text(Lang::ZhCn)));
    assert_eq!(figure(&running.body, Msg::StatsReceived.text(Lang::ZhCn)), "5", "the last month's figures");
    assert!(running.body.contains(&format!("<option value=\"{month}\" selected>")), "and its form");
    let days =
        get(&app, &format!("/stats?region=HD&period=custom&from={year}-{month:02}-02&to={year}-{month:02}-03")).await;
    assert_eq!(days.status, StatusCode::BAD_REQUEST);
    assert!(days.body.contains(Msg::StatsCustomStaffOnly.text(Lang::ZhCn)), "said why: {}", days.body);
    // English.
    let en = get_with(&app, "/stats", "lang=en").await;
    assert!(en.body.contains("How appeals are handled") && en.body.contains(Msg::StatsReceivedDef.text(Lang::En)));
}

#[tokio::test]
async fn bad_periods_and_closed_regions_are_refused_clearly() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state, leptos_options(&cfg), false);
    for q in ["period=month&year=2026&month=13", "period=month&year=abc&month=1", "period=week"] {
        let r = get(&app, &format!("/stats?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.body.contains(Msg::StatsBadPeriod.text(Lang::ZhCn)), "{q}");
    }
    // Custom ranges (staff only), good dates or bad: the page says where they are.
    for q in [
        "period=custom&from=2026-12-01&to=2026-01-01",
        "period=custom&from=2020-01-01&to=2026-01-01",
        "period=custom&from=2026-01-01&to=2026-03-31",
    ] {
        let r = get(&app, &format!("/stats?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.body.contains(Msg::StatsCustomStaffOnly.text(Lang::ZhCn)), "{q}");
        assert!(!r.body.contains(Msg::StatsBadPeriod.text(Lang::ZhCn)), "{q}");
    }
    // An unknown code, markup in the parameter.
    for region in ["NOPE", "%3Cscript%3E"] {
        let r = get(&app, &format!("/stats?region={region}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{region}");
        assert!(r.body.contains(Msg::StatsNoRegion.text(Lang::ZhCn)), "{region}");
        assert!(!r.body.contains("<script>"), "{region}");
    }
    let q = get(&app, "/stats?period=quarter&year=2026&quarter=3&region=HD").await;
    assert_eq!(q.status, StatusCode::OK);
    // The period's bounds as zh-CN writes dates.
    assert!(q.body.contains("2026年7月1日") && q.body.contains("2026年9月30日"), "{}", q.body);
    // A year not over yet (2100 is always ahead): the last year over, saying so.
    let ahead = get(&app, "/stats?period=year&year=2100").await;
    assert_eq!(ahead.status, StatusCode::OK);
    assert!(ahead.body.contains(Msg::StatsNotOver.text(Lang::ZhCn)));
    let Period::Year { year: last } = Period::last_over(time::OffsetDateTime::now_utc())[2] else { unreachable!() };
    assert!(ahead.body.contains(&format!("value=\"{last}\"")), "the last year over in the form");
    assert!(!ahead.body.contains("value=\"2100\""));
}

#[tokio::test]
async fn a_client_asking_for_many_new_periods_is_told_to_wait() {
    let cfg = config(Limits { stats_periods_per_10min: 2, ..Limits::default() });
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state, leptos_options(&cfg), false);
    for month in [1, 2] {
        let r = get(&app, &format!("/stats?period=month&year=2026&month={month}")).await;
        assert_eq!(r.status, StatusCode::OK, "month {month}");
    }
    let r = get(&app, "/stats?period=month&year=2026&month=3").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains(Msg::StatsTooManyPeriods.text(Lang::ZhCn)));
    // What was read is still open to the same client, at every level.
    let again = get(&app, "/stats?period=month&year=2026&month=2&region=HD").await;
    assert_eq!(again.status, StatusCode::OK);
}

#[tokio::test]
async fn every_level_opens_with_a_map_a_trend_and_no_inline_style() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    // October 2026: a period read before the appeals below, which land in the last month over.
    let q = "period=month&year=2026&month=10";
    let hd = get(&app, &format!("/stats?region=HD&{q}")).await;
    assert_eq!(hd.status, StatusCode::OK);
    // The map: one shaded cell per grid cell of the district, each linking to its own figures.
    let cells = state.catalog.get().cells_under("HD").len();
    assert_eq!(cells, 36);
    assert_eq!(hd.body.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cellmap\"").count(), 1);
    assert_eq!(hd.body.matches("<path class=\"cell s").count(), cells);
    assert!(hd.body.contains(
        "<a href=\"/stats?region=HD010101&amp;period=month&amp;year=2026&amp;month=10\"><title>和平社区第1网格：0 件</title>"
    ));
    assert!(
        hd.body.contains(Msg::StatsMapTitle.text(Lang::ZhCn)) && hd.body.contains(Msg::StatsMapMarked.text(Lang::ZhCn))
    );
    // The trend: 12 months in a table, the last one the period's.
    assert_eq!(hd.body.matches("<tr class=\"trend-row\">").count(), 12);
    assert!(hd.body.contains(Msg::StatsTrendCaption.text(Lang::ZhCn)));
    assert!(
        hd.body.contains("<th scope=\"row\">2025年11月</th>") && hd.body.contains("<th scope=\"row\">2026年10月</th>")
    );
    assert!(hd.body.contains(Msg::StatsTopNone.text(Lang::ZhCn)), "no appeals, no categories");
    // The strict CSP allows no inline style: none anywhere.
    assert!(!hd.body.contains("style="), "inline style");
    assert!(!hd.body.contains("<style"), "style element");
    // A community, and a single grid cell, open too (the cell shows its community's cells).
    for (region, map_cells) in [("HD0101", 4), ("HD010101", 4)] {
        let r = get(&app, &format!("/stats?region={region}&{q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{region}");
        assert_eq!(r.body.matches("<path class=\"cell s").count(), map_cells, "{region}");
        assert!(!r.body.contains("style="), "{region}");
    }
    let cell = get(&app, &format!("/stats?region=HD010101&{q}")).await;
    assert!(cell.body.contains(Msg::StatsMapSiblings.text(Lang::ZhCn)));
    // Two appeals held in one cell, overdue: the darkest shade, marked, and the label says so
    // (with the count suppressed); the legend's edges are suppressed too.
    for _ in 0..2 {
        appeal(&state).await;
    }
    sqlx::query("UPDATE appeals SET scope_path = $1, deadline_at = submitted_at - 60")
        .bind(state.catalog.get().region_path("HD010102"))
        .execute(&state.db.pool)
        .await
        .unwrap();
    let Period::Month { year, month } = Period::last_over(state.clock.now())[0] else { unreachable!() };
    let street = get(&app, &format!("/stats?region=HD01&period=month&year={year}&month={month}")).await;
    assert!(
        street.body.contains("<title>和平社区第2网格：&lt;5 件，有超期未办结的</title><path class=\"cell s4 marked\""),
        "{}",
        street.body
    );
    assert_eq!(street.body.matches("class=\"cell s4 marked\"").count(), 1);
    assert_eq!(street.body.matches("<path class=\"cell s0\"").count(), 11);
    assert!(street.body.contains("最多 &lt;5 件") && !street.body.contains("最多 2 件"));
    // The city has no map (too many cells to read), but its trend.
    let city = get(&app, &format!("/stats?{q}")).await;
    assert!(!city.body.contains("class=\"cellmap\""));
    assert_eq!(city.body.matches("<tr class=\"trend-row\">").count(), 12);
}

#[tokio::test]
async fn the_map_shades_by_satisfaction_and_too_few_ratings_show_no_figure() {
    let cfg = config(Limits { submit_per_hour: 1000, ..Limits::default() });
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    // 23 appeals of the last month over, all rated: 20 in cell HD010101 (12 satisfied,
    // 3 basically, 5 not: 75 %), 3 in HD010102 (shown as "<5" ratings: no rate to show).
    for _ in 0..23 {
        appeal(&state).await;
    }
    let tickets: Vec<String> =
        sqlx::query_scalar("SELECT ticket FROM appeals ORDER BY ticket").fetch_all(&state.db.pool).await.unwrap();
    assert_eq!(tickets.len(), 23);
    let cat = state.catalog.get();
    for (i, ticket) in tickets.iter().enumerate() {
        let (cell, rating) = match i {
            0..=11 => ("HD010101", "satisfied"),
            12..=14 => ("HD010101", "basically"),
            15..=19 => ("HD010101", "unsatisfied"),
            _ => ("HD010102", "satisfied"),
        };
        sqlx::query("UPDATE appeals SET scope_path = $1, rating = $2 WHERE ticket = $3")
            .bind(cat.region_path(cell))
            .bind(rating)
            .bind(ticket)
            .execute(&state.db.pool)
            .await
            .unwrap();
    }
    let Period::Month { year, month } = Period::last_over(state.clock.now())[0] else { unreachable!() };
    let q = format!("period=month&year={year}&month={month}");
    let amp = |s: &str| s.replace('&', "&amp;");

    // The default view: shaded by appeals received, with a link to the other view.
    let counts = get(&app, &format!("/stats?region=HD01&{q}")).await;
    assert_eq!(counts.status, StatusCode::OK);
    assert!(counts.body.contains(Msg::StatsMapShadeBy.text(Lang::ZhCn)));
    assert!(counts.body.contains(&format!("href=\"/stats?region=HD01&amp;{}&amp;map=satisfaction#map\"", amp(&q))));
    assert!(
        counts.body.contains(&format!("href=\"/stats?region=HD01&amp;{}#map\" aria-current=\"page\"", amp(&q))),
        "the view shown is the current one: {}",
        counts.body
    );
    assert!(!counts.body.contains("sat-"), "no satisfaction shades on the count map");

    // The satisfaction view: one path per cell of the street, banded by the public rate.
    let sat = get(&app, &format!("/stats?region=HD01&{q}&map=satisfaction")).await;
    assert_eq!(sat.status, StatusCode::OK);
    let body = &sat.body;
    assert!(body.contains(&format!("aria-label=\"{}\"", Msg::StatsSatMapTitle.text(Lang::ZhCn))));
    assert!(body.contains(&format!(
        "href=\"/stats?region=HD01&amp;{}&amp;map=satisfaction#map\" aria-current=\"page\"",
        amp(&q)
    )));
    assert_eq!(body.matches("<path class=\"cell sat-").count(), 12, "{body}");
    for k in 0..=4 {
        assert!(!body.contains(&format!("<path class=\"cell s{k}")), "no count shade {k}");
    }
    // 15 of 20 rated satisfied or basically: 75 %, the 60–80 % band; the cell links to its own
    // figures in the same view.
    assert!(
        body.contains(&format!(
            "<a href=\"/stats?region=HD010101&amp;{}&amp;map=satisfaction\"><title>和平社区第1网格：满意率 75.0%（20 件评价）</title><path class=\"cell sat-60\"",
            amp(&q)
        )),
        "{body}"
    );
    assert_eq!(body.matches("<path class=\"cell sat-60\"").count(), 1);
    // Three ratings: no rate is shown, so no band either, and the label says why.
    assert!(
        body.contains(
            "<title>和平社区第2网格：评价太少，不显示满意率（&lt;5 件评价）</title><path class=\"cell sat-none\""
        ),
        "{body}"
    );
    assert_eq!(body.matches("<path class=\"cell sat-none\"").count(), 11, "the cells without ratings too");
    assert!(!body.contains("100.0%（") && !body.contains("（3 件评价）"), "no exact small number");
    // The legend: every band in words beside its swatch, and the striped "no figure" with its pattern.
    for (class, text) in [
        ("sat-lt60", "满意率低于 60%"),
        ("sat-60", "满意率 60% 至不到 80%"),
        ("sat-80", "满意率 80% 至不到 90%"),
        ("sat-90", "满意率 90% 及以上"),
        ("sat-none", Msg::StatsSatNoFigure.text(Lang::ZhCn)),
    ] {
        let legend = between(body, "<ul aria-labelledby=\"map-legend\"", "</ul>").unwrap_or_default();
        let item = legend
            .split(&format!("class=\"cell {class}\"></rect></svg>"))
            .nth(1)
            .and_then(|rest| rest.split("</li>").next())
            .unwrap_or_else(|| panic!("no swatch {class}: {legend}"));
        assert_eq!(item.replace("<!>", "").trim(), text, "legend {class}");
    }
    assert!(body.contains("<pattern id=\"no-figure\""));
    assert!(body.contains(&Msg::StatsSatMapLead.text(Lang::ZhCn).replace("{n}", "20")), "the lead, with the base");
    // The view is kept by the period form and by the trail's links.
    assert!(body.contains("<input type=\"hidden\" name=\"map\" value=\"satisfaction\">"), "{body}");
    assert!(body.contains(&format!("href=\"/stats?region=HD&amp;{}&amp;map=satisfaction\"", amp(&q))), "{body}");
    // The strict CSP allows no inline style: none anywhere.
    assert!(!body.contains("style="), "inline style");
    assert!(!body.contains("<style"), "style element");
    // A grid cell's page shows its community's cells the same way.
    let cell = get(&app, &format!("/stats?region=HD010101&{q}&map=satisfaction")).await;
    assert_eq!(cell.status, StatusCode::OK);
    assert_eq!(cell.body.matches("<path class=\"cell sat-").count(), 4);
    assert_eq!(cell.body.matches("<path class=\"cell sat-60\"").count(), 1);
    // English.
    let en = get_with(&app, &format!("/stats?region=HD01&{q}&map=satisfaction"), "lang=en").await;
    assert!(en.body.contains("satisfaction 75.0% (20 rated)"), "{}", en.body);
    assert!(en.body.contains("too few ratings to show satisfaction (&lt;5 rated)"));
    assert!(en.body.contains("Satisfaction under 60%") && en.body.contains("Satisfaction 90% or more"));
}

/// The map's view comes from the query but is one of two words: whatever else is sent there is
/// not written back into the page (links, hidden field), and the count map is shown.
#[tokio::test]
async fn a_hostile_map_parameter_is_not_reflected() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let r = get(&app, "/stats?region=HD&map=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<script>alert") && !r.body.contains("alert(1)"), "{}", r.body);
    assert!(!r.body.contains("map=%22") && !r.body.contains("map=\""), "not kept in links");
    assert!(!r.body.contains("sat-none") && !r.body.contains("sat-lt60"), "the count map, not the satisfaction view");
}
