//! Issue 14, resident side: a photo chosen and then "下一步" is stored, the point is named back
//! (a new one before the wizard moves on; one outside the city stops the "where" step), phone
//! numbers dial, and the receipt's codes wrap only between groups. Driven as a browser with
//! JavaScript off.

use crate::common;

use axum::http::StatusCode;
use axum::Router;
use backend::config::Limits;
use common::browser::Browser;
use common::{app, enc, get};

/// A valid 1×1 PNG (the server decodes and re-encodes uploads).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49,
    0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The photo step's form as a browser sends it: the `photo` file field (`filename=""` and no
/// bytes when nothing was chosen).
fn photo_form(filename: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----h3boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Category, description, and the where step with `where_body`; returns the token (on step 4).
async fn to_photos(app: &Router, b: &mut Browser, where_body: &str) -> String {
    let t = b.start_draft(app, "category=sanitation").await;
    let what = format!("description={}", enc("楼道里堆满了垃圾，已经一个星期没人清理"));
    for (step, body) in [("what", what.as_str()), ("where", where_body)] {
        let r = b.post(app, &format!("/form/appeal/{t}/{step}"), body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    t
}

fn photo_count(page: &str) -> usize {
    page.matches("<img src=\"/draft-photo/").count()
}

#[tokio::test]
async fn continue_uploads_a_chosen_photo_and_never_loses_one() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = to_photos(&app, &mut b, "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=").await;
    let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
    // One multipart form: "下一步" submits it (with the file) to the upload route, told to go on.
    let form = common::between(&page.body, "<form method=\"post\" enctype=\"multipart/form-data\"", "</form>")
        .expect("the upload form");
    assert!(form.contains(&format!("formaction=\"/form/appeal/{t}/photos/add?next=1\"")), "{form}");
    assert!(form.contains("name=\"photo\"") && form.contains("上传这张照片") && form.contains("下一步"));
    let go_on = format!("/form/appeal/{t}/photos/add?next=1");

    // Chosen, then "下一步": stored (re-encoded) and on to step 5.
    let (ct, body) = photo_form("street.png", PNG);
    let r = b.post_multipart(&app, &go_on, &ct, body).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/appeal/{t}/who").as_str())));
    let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
    assert_eq!(photo_count(&page.body), 1);
    let check = b.get(&app, &format!("/appeal/{t}/check")).await;
    assert!(check.body.contains("1 张"), "{}", check.body);

    // A file that is not a photo: the step stays, says why, and the stored photo is kept.
    let (ct, body) = photo_form("notes.png", b"plain text pretending");
    let r = b.post_multipart(&app, &go_on, &ct, body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
    assert!(page.body.contains("只能上传 JPG、PNG 或 WebP 格式的照片") && page.body.contains("href=\"#photo\""));
    assert_eq!(photo_count(&page.body), 1);

    // Nothing chosen: straight on, the error cleared, nothing added or lost.
    let (ct, body) = photo_form("", b"");
    let r = b.post_multipart(&app, &go_on, &ct, body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/who").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
    assert_eq!(photo_count(&page.body), 1);
    assert!(!page.body.contains("class=\"error-summary\""));

    // "上传这张照片" with nothing chosen still asks for a photo and stays.
    let (ct, body) = photo_form("", b"");
    let r = b.post_multipart(&app, &format!("/form/appeal/{t}/photos/add"), &ct, body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    assert!(b.get(&app, &format!("/appeal/{t}/photos")).await.body.contains("请先选择一张照片"));

    // A full draft: "下一步" with nothing chosen goes on; with a file it stays and says so.
    for _ in 0..2 {
        let (ct, body) = photo_form("more.png", PNG);
        b.post_multipart(&app, &format!("/form/appeal/{t}/photos/add"), &ct, body).await;
    }
    let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
    assert_eq!(photo_count(&page.body), 3);
    let (ct, body) = photo_form("", b"");
    let r = b.post_multipart(&app, &go_on, &ct, body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/who").as_str()));
    let (ct, body) = photo_form("fourth.png", PNG);
    let r = b.post_multipart(&app, &go_on, &ct, body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    assert_eq!(photo_count(&b.get(&app, &format!("/appeal/{t}/photos")).await.body), 3);
}

#[tokio::test]
async fn the_point_is_named_back_or_said_to_be_outside_the_grid() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    // A point in grid cell HD010101 (河东区 东关街道 和平社区 第1网格), no region chosen.
    let t = to_photos(&app, &mut b, "district=&lat=35.485&lng=106.605&address_note=").await;
    let where_page = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert!(where_page.body.contains("这个位置在：和平社区 · 第1网格。"), "{}", where_page.body);
    let check = b.get(&app, &format!("/appeal/{t}/check")).await;
    assert!(check.body.contains("手机定位：和平社区 · 第1网格"), "{}", check.body);
    assert!(!check.body.contains("不在本市网格内"));

    // A well-formed point far from the demo city: said in words, and the step stays (it is not
    // silently routed to the city centre); the check page says so too.
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), "district=&lat=31.23&lng=121.47&address_note=").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    let where_page = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert!(where_page.body.contains("这个位置不在本市范围内（也可能是定位不准）"), "{}", where_page.body);
    assert!(!where_page.body.contains("这个位置在："));
    let check = b.get(&app, &format!("/appeal/{t}/check")).await;
    assert!(check.body.contains("手机定位：不在本市范围内，请修改位置"), "{}", check.body);

    // In English, the catalog's English names.
    let en = b.get(&app, &format!("/lang/en?back=/appeal/{t}/where")).await;
    assert_eq!(en.status, StatusCode::SEE_OTHER);
    b.post(&app, &format!("/form/appeal/{t}/where"), "district=&lat=35.485&lng=106.605&address_note=").await;
    let where_page = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert!(where_page.body.contains("This point is in Heping Community · Grid 1."), "{}", where_page.body);

    // No point: nothing said about one.
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), "district=HD&lat=&lng=&address_note=").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let where_page = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert!(!where_page.body.contains("id=\"point-place\""));
}

/// A hidden input's value on a page (`name="<name>" value="…"`, as the page renders it).
fn hidden(page: &str, name: &str) -> String {
    common::between(page, &format!("name=\"{name}\" value=\""), "\"")
        .unwrap_or_else(|| panic!("no {name}: {page}"))
        .to_owned()
}

/// The "where" step's form as the browser posts it: the page's own fields (`point_shown` among
/// them, as the page rendered it), with `lat`/`lng` as the location button left them.
fn where_form(page: &str, lat: &str, lng: &str, rest: &str) -> String {
    format!("lat={lat}&lng={lng}&point_shown={}&{rest}", enc(&hidden(page, "point_shown")))
}

/// Category, description, on to the "where" step's page; returns the token and that page.
async fn to_where(app: &Router, b: &mut Browser) -> (String, String) {
    let t = b.start_draft(app, "category=sanitation").await;
    let what = format!("description={}", enc("楼道里堆满了垃圾，已经一个星期没人清理"));
    let r = b.post(app, &format!("/form/appeal/{t}/what"), &what).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()), "{}", r.body);
    let page = b.get(app, &format!("/appeal/{t}/where")).await.body;
    (t, page)
}

#[tokio::test]
async fn a_new_point_is_named_back_on_the_where_step_before_the_wizard_goes_on() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let (t, page) = to_where(&app, &mut b).await;
    // Nothing named yet: the page sends back an empty `point_shown`.
    assert_eq!(hidden(&page, "point_shown"), "");
    assert!(!page.contains("id=\"point-place\""));

    // "使用我的位置" then "下一步" (a point in grid cell HD010101): the same step, saved, no error,
    // now naming the community and the grid cell, the map's pin on the point.
    let body = where_form(&page, "35.485000", "106.605000", "district=&address_note=3%E5%8F%B7%E6%A5%BC");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where")).await.body;
    assert!(!page.contains("class=\"error-summary\""), "a place named back is no error: {page}");
    let place = common::between(&page, "id=\"point-place\"", "</p>").expect("the place named back");
    assert!(place.contains("这个位置在：和平社区 · 第1网格。"), "{place}");
    assert!(place.contains("位置对的话，请按“下一步”"), "{place}");
    assert!(place.contains("autofocus"), "it takes the focus: the step opened again for it");
    assert_eq!(hidden(&page, "point_shown"), "35.485000,106.605000");
    assert!(page.contains("id=\"map-pin\"") && !page.contains("visibility=\"hidden\""), "the pin shows the point");
    assert!(page.contains("3号楼"), "the address note is kept");

    // "下一步" again, the place now seen: on to the photos, and the check page names it.
    let body = where_form(&page, "35.485000", "106.605000", "district=&address_note=3%E5%8F%B7%E6%A5%BC");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    b.post(&app, &format!("/form/appeal/{t}/who"), "identity=anonymous").await;
    let check = b.get(&app, &format!("/appeal/{t}/check")).await.body;
    assert!(check.contains("手机定位：和平社区 · 第1网格"), "{check}");

    // From the check page, locating again somewhere else: named back (in English), still on the
    // way back to the check page.
    b.get(&app, &format!("/lang/en?back=/appeal/{t}/where")).await;
    let page = b.get(&app, &format!("/appeal/{t}/where?from=check")).await.body;
    let body = where_form(&page, "35.4835", "106.617", "district=&address_note=&action=check");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where?from=check").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where?from=check")).await.body;
    let place = common::between(&page, "id=\"point-place\"", "</p>").expect("the new place named back");
    assert!(place.contains("This point is in ") && !place.contains("Grid 1."), "{place}");
    assert!(place.contains("If that is right, press Continue"), "{place}");
    let body = where_form(&page, "35.4835", "106.617", "district=&address_note=&action=check");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/check").as_str()));

    // A cell picked on the map (JavaScript off) is named back by the pick itself: "下一步" then
    // goes straight on.
    let body = where_form(&page, "35.4835", "106.617", "district=&address_note=&pick=HD010203");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where?map=HD010203#map").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where?map=HD010203")).await.body;
    let (lat, lng) = (hidden(&page, "lat"), hidden(&page, "lng"));
    let rest = "district=HD&street=HD01&community=HD0102&address_note=";
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &where_form(&page, &lat, &lng, rest)).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
}

#[tokio::test]
async fn a_point_outside_the_city_stays_on_the_where_step_and_the_draft_is_kept() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let (t, page) = to_where(&app, &mut b).await;
    let note = enc("小区北门");

    // A fix far from the demo city (Shanghai): not on to the photos, but the same step with the
    // reason at the location field and in the summary, and nothing typed lost.
    let body = where_form(&page, "31.230000", "121.470000", &format!("district=&address_note={note}"));
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where")).await.body;
    let message = "定位的位置不在本市范围内，请在下面选择所在的区县，或在地图上点选";
    assert!(page.contains(&format!("href=\"#location\">{message}</a>")), "in the summary: {page}");
    let at_field = common::between(&page, "id=\"location-error\"", "</p>").expect("the field's message");
    assert!(at_field.contains(message), "{at_field}");
    assert!(page.contains("<title>请先改正以下问题: "), "the title says there is an error");
    let warning = common::between(&page, "id=\"point-place\"", "</p>").expect("the point's place");
    assert!(warning.contains("这个位置不在本市范围内") && warning.contains("value=\"clear_location\""), "{warning}");
    assert!(!warning.contains("autofocus"), "the error summary takes the focus: {warning}");
    assert!(!page.contains("已记录手机定位"), "the point will not decide who handles it");
    assert!(page.contains("小区北门"), "the address note is kept");
    assert_eq!((hidden(&page, "lat"), hidden(&page, "lng")), ("31.230000".to_owned(), "121.470000".to_owned()));
    assert!(page.contains("id=\"region\"") && page.contains("id=\"map\""), "the cascade and the map offered");
    let what = b.get(&app, &format!("/appeal/{t}/what")).await.body;
    assert!(what.contains("楼道里堆满了垃圾，已经一个星期没人清理"), "the earlier steps are kept");

    // "下一步" again without choosing: still refused. The check page and the submission refuse
    // it too (a draft does not reach the city centre unseen).
    let body = where_form(&page, "31.230000", "121.470000", &format!("district=&address_note={note}"));
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    b.post(&app, &format!("/form/appeal/{t}/who"), "identity=anonymous").await;
    let check = b.get(&app, &format!("/appeal/{t}/check")).await.body;
    assert!(check.contains("手机定位：不在本市范围内，请修改位置"), "{check}");
    let r = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where")).await.body;
    assert!(page.contains(&format!("href=\"#location\">{message}</a>")), "{page}");

    // In English.
    b.get(&app, &format!("/lang/en?back=/appeal/{t}/where")).await;
    let en = b.get(&app, &format!("/appeal/{t}/where")).await.body;
    assert!(en.contains("The location is outside the city; choose the district below or point on the map"), "{en}");

    // A district chosen below, as the page says: the point gives way, on to the photos, and the
    // appeal goes to the district, not the city centre.
    let body = where_form(&page, "31.230000", "121.470000", &format!("district=HD&address_note={note}"));
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where")).await.body;
    assert_eq!((hidden(&page, "lat"), hidden(&page, "lng")), (String::new(), String::new()));
    assert!(page.contains("小区北门"), "the note is still there");
    let r = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    let receipt = b.get(&app, &format!("/receipt/{t}")).await.body;
    let unit = common::between(&receipt, "id=\"unit\">", "</dd>").unwrap();
    assert!(unit.contains("河东区") && !unit.contains("示范市社会治理综合指挥中心"), "{unit}");
}

#[tokio::test]
async fn a_new_outside_point_is_refused_even_with_a_district_chosen() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let (t, page) = to_where(&app, &mut b).await;
    // The district chosen first, then a fix outside the city: the resident has not been told
    // yet, so the step stays and says so (the point is not silently dropped either).
    let body = where_form(&page, "31.23", "121.47", "district=HD&address_note=");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where")).await.body;
    assert!(page.contains("id=\"location-error\""), "{page}");
    assert_eq!(hidden(&page, "lat"), "31.23");
    assert!(page.contains("<option value=\"HD\" selected"), "the district is kept");
    // A post without the page's `point_shown` (a script) is refused the same.
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), "district=HD&lat=31.23&lng=121.47&address_note=").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    // "不用定位" clears it, and the district alone goes on.
    let body = where_form(&page, "31.23", "121.47", "district=HD&address_note=&action=clear_location");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    let page = b.get(&app, &format!("/appeal/{t}/where")).await.body;
    assert!(!page.contains("id=\"location-error\"") && !page.contains("id=\"point-place\""), "{page}");
    let r =
        b.post(&app, &format!("/form/appeal/{t}/where"), &where_form(&page, "", "", "district=HD&address_note=")).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
}

#[tokio::test]
async fn phone_numbers_are_tel_links() {
    let app = app(Limits::default()).await;
    let home = get(&app, "/").await;
    for n in ["110", "119", "120"] {
        let tel = link(n);
        assert!(home.body.contains(&tel), "home lacks {tel}");
    }
    // The emergency line reads as before: the numbers are the links' text.
    let line = common::between(&home.body, "class=\"emergency\"", "</p>").expect("the emergency line");
    let text: String = strip_tags(line);
    assert!(text.contains("紧急情况请直接拨打 110（报警）、119（火警）、120（急救）。"), "{text}");

    // Service points of the legal centre (every listed point dials its own number).
    let services = get(&app, "/legal/services?district=HD").await;
    let points = services.body.matches("class=\"service\"").count();
    assert!(points > 0);
    assert!(services.body.matches("href=\"tel:").count() >= points + 3, "each point, plus 110/119/120");
    // The hotlines in an article's text and in the "nothing found" hint.
    let article = get(&app, "/legal/articles/hotline-12348-service-center").await;
    assert_eq!(article.status, StatusCode::OK);
    assert!(article.body.contains(&link("12348")));
    let wages = get(&app, "/legal/articles/wages-unpaid-first-steps").await;
    assert!(wages.body.contains(&link("12333")));
    let none = get(&app, "/legal/search?q=zzzzqqqq").await;
    let hint = common::between(&none.body, "id=\"search-none\"", "</p>").expect("nothing found");
    assert!(hint.contains("href=\"tel:12348\""), "{hint}");
}

/// A number as a dial link, its text the number itself.
fn link(n: &str) -> String {
    format!("<a href=\"tel:{n}\" class=\"tel nowrap\">{n}</a>")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn receipt_codes_in_whole_groups_and_the_unit_phone_dials() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    // Community HD0101, sanitation: the community committee (0933-…) handles it.
    let t = to_photos(&app, &mut b, "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=").await;
    let r = b.post(&app, &format!("/form/appeal/{t}/who"), "identity=anonymous").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/check").as_str()));
    let r = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    let key_html = common::between(&receipt.body, "id=\"key\" class=\"code\">", "</dd>").unwrap().to_owned();
    let key = common::receipt_code(&receipt.body, "key").unwrap();
    let groups: Vec<&str> = key.split('-').collect();
    assert_eq!(groups.len(), 7, "{key}");
    // Each group (with its hyphen) in one unbreakable span, a break opportunity after each.
    for (i, g) in groups.iter().enumerate() {
        let span = if i + 1 < groups.len() {
            format!("<span class=\"nowrap\">{g}-</span><wbr")
        } else {
            format!("<span class=\"nowrap\">{g}</span>")
        };
        assert!(key_html.contains(&span), "{span} in {key_html}");
    }
    let ticket = common::receipt_code(&receipt.body, "ticket").unwrap();
    let ticket_html = common::between(&receipt.body, "id=\"ticket\" class=\"code\">", "</dd>").unwrap();
    assert_eq!(ticket_html.matches("class=\"nowrap\"").count(), 3, "{ticket_html}");
    let unit = common::between(&receipt.body, "id=\"unit\">", "</dd>").unwrap().to_owned();
    assert!(unit.contains("href=\"tel:"), "{unit}");

    // The same unit phone on /track.
    let r = b.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    assert_eq!(r.location.as_deref(), Some("/track"));
    let track = b.get(&app, "/track").await;
    let unit_track = common::between(&track.body, "id=\"unit\">", "</dd>").unwrap();
    assert!(unit_track.contains("href=\"tel:"), "{unit_track}");
}
