//! Issue 14, resident side: a photo chosen and then "下一步" is stored, the point is named back
//! (or the resident is told it is outside the grid), phone numbers dial, and the receipt's codes
//! wrap only between groups. Driven as a browser with JavaScript off.

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

    // A well-formed point far from the demo city: said in words, not silently routed.
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), "district=&lat=31.23&lng=121.47&address_note=").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    let where_page = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert!(where_page.body.contains("这个位置不在本市的网格范围内，诉求将先交给市级中心，由人工分派。"));
    assert!(!where_page.body.contains("这个位置在："));
    let check = b.get(&app, &format!("/appeal/{t}/check")).await;
    assert!(check.body.contains("手机定位：不在本市网格内，由市级中心人工分派"), "{}", check.body);

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
