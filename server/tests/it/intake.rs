//! The staff intake's location from the phone (issue 13) over HTTP, JavaScript off: the
//! resident wizard's `LocateButton` island on the form (its hidden `lat`/`lng`), a grid worker's
//! own cell chosen by default, a point outside the city's grid refused at its field and not
//! carried back, a good point kept across another field's error with "do not use this location",
//! and the appeal recorded by the cell once it is dropped.

use crate::common;

use backend::config::Limits;
use common::{between, config, csrf, enc, get_with, post_with};
use pingan_server::startup::{build_router, build_state, leptos_options};

const PASSWORD: &str = "correct horse battery";
const WORDS: &str = "巡查发现小区东门路灯坏了一周，晚上很黑";

#[tokio::test]
async fn a_grid_worker_records_with_the_phones_location_or_the_own_cell() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    for (u, unit, role) in [("grid", "U-HD010101", "grid_worker"), ("hotline", "U-HD", "dispatcher")] {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: u.into(),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    }
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let (cookie, _) = common::staff_sign_in(&app, &state, "grid", PASSWORD, None).await;

    let page = get_with(&app, "/staff/appeal/new", &cookie).await;
    let island = between(&page.body, "data-component=\"LocateButton", "</leptos-island>").expect("the island");
    assert!(
        island.contains("type=\"hidden\" name=\"lat\"") && island.contains("type=\"hidden\" name=\"lng\""),
        "{island}"
    );
    assert!(
        island.contains("<div hidden class=\"locate\">") || island.contains("class=\"locate\" hidden"),
        "the button waits for JavaScript: {island}"
    );
    assert!(island.contains("请在上面选择网格"), "its failure points at the cell menu above: {island}");
    assert!(!page.body.contains("id=\"lat\""), "no typed coordinates any more");
    assert!(page.body.contains("<option value=\"HD010101\" selected"), "the grid worker's own cell: {}", page.body);
    assert!(page.body.contains("第1网格"), "cell names in Chinese by default");
    // In English the cell menu names cells and communities as the catalogue does in English.
    let en = get_with(&app, "/staff/appeal/new", &format!("{cookie}; lang=en")).await;
    let menu = between(&en.body, "<select id=\"cell\"", "</select>").expect("the cell menu");
    assert!(menu.contains("Grid 1") && !menu.contains("第1网格"), "{menu}");
    assert!(page.body.contains("id=\"location\"") && page.body.contains("手机定位（可不用）"));
    let token = between(&page.body, "name=\"token\" value=\"", "\"").unwrap().to_owned();
    let form = |desc: &str, lat: &str, lng: &str, extra: &str| {
        format!(
            "csrf={}&token={token}&channel=patrol&category=sanitation&description={}&lat={lat}&lng={lng}&identity=anonymous{extra}",
            csrf(&page.body),
            enc(desc),
        )
    };

    // Outside the city's grid: back at the field, in the summary, and the point not kept.
    let r = post_with(&app, "/staff/appeal/new", &form(WORDS, "39.9", "116.4", ""), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#intake"));
    let back = get_with(&app, "/staff/appeal/new", &cookie).await;
    assert!(back.body.contains("href=\"#location\">这个定位不在本市的网格内"), "{}", back.body);
    assert!(back.body.contains("id=\"location-error\""));
    assert!(!back.body.contains("39.9") && !back.body.contains("id=\"location-kept\""), "{}", back.body);

    // A good point with another field wrong: the point is kept, with the way to drop it.
    let inside = state.catalog.get().cell_center("HD010102").unwrap();
    let (lat, lng) = (format!("{:.6}", inside.lat), format!("{:.6}", inside.lng));
    let r = post_with(&app, "/staff/appeal/new", &form("短", &lat, &lng, ""), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#intake"));
    let back = get_with(&app, "/staff/appeal/new", &cookie).await;
    assert!(back.body.contains("id=\"location-kept\"") && back.body.contains(&lat), "{}", back.body);
    assert!(back.body.contains(&format!("name=\"lat\" value=\"{lat}\"")), "{}", back.body);
    assert!(back.body.contains("name=\"drop_point\""));

    // Dropped, no cell posted: the grid worker's own cell places it.
    let r = post_with(&app, "/staff/appeal/new", &form(WORDS, &lat, &lng, "&drop_point=1"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#receipt"));
    let (unit, cell): (String, Option<String>) =
        sqlx::query_as("SELECT unit, cell FROM appeals WHERE channel = 'patrol'")
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (unit.as_str(), cell.as_deref()),
        ("U-HD0101", Some("HD010101")),
        "sanitation: the community of the cell"
    );

    // The point itself, by a centre with the whole district: routed by the cell it lies in.
    let (hotline, _) = common::staff_sign_in(&app, &state, "hotline", PASSWORD, None).await;
    let page = get_with(&app, "/staff/appeal/new", &hotline).await;
    let cells = between(&page.body, "id=\"cell\"", "</select>").unwrap();
    assert!(cells.contains("HD010101") && !cells.contains("selected"), "a centre chooses: {cells}");
    let token = between(&page.body, "name=\"token\" value=\"", "\"").unwrap();
    let body = format!(
        "csrf={}&token={token}&channel=phone&category=neighbor_dispute&description={}&lat={lat}&lng={lng}&identity=anonymous",
        csrf(&page.body),
        enc(WORDS)
    );
    let r = post_with(&app, "/staff/appeal/new", &body, &hotline).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#receipt"));
    let (unit,): (String,) =
        sqlx::query_as("SELECT unit FROM appeals WHERE channel = 'phone'").fetch_one(&state.db.pool).await.unwrap();
    assert_eq!(unit, "U-HD010102");
}
