//! Issue 14: the map on the wizard's "where" step, driven as a browser with JavaScript off
//! (zooming by links and buttons keeps the draft; a cell picked on the map sets a point that
//! routes to exactly that cell), and every phone number a resident page shows is a dial link.

use crate::common;

use axum::http::StatusCode;
use backend::config::Limits;
use common::browser::Browser;
use common::{app, enc, get};

/// The `href`s of the links inside the page's `<svg class="cellmap">`.
fn map_links(page: &str) -> Vec<String> {
    let svg = common::between(page, "class=\"cellmap\"", "</svg>").expect("the map");
    svg.split("<a href=\"").skip(1).filter_map(|s| s.split('"').next()).map(|h| h.replace("&amp;", "&")).collect()
}

/// A link as a browser requests it: without its fragment.
fn sent(href: &str) -> &str {
    href.split('#').next().unwrap_or(href)
}

#[tokio::test]
async fn zooming_keeps_the_draft_and_a_picked_cell_routes_to_that_cell() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=neighbor_dispute").await;
    let what = format!("description={}", enc("楼上每天深夜敲打地板，沟通了几次都没有用"));
    b.post(&app, &format!("/form/appeal/{t}/what"), &what).await;

    // The map starts at the city: one link per district, named, and the same choices as a list.
    let city = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert_eq!(city.status, StatusCode::OK);
    let links = map_links(&city.body);
    assert_eq!(links, ["GX", "HD", "HX"].map(|d| format!("/appeal/{t}/where?map={d}#map")), "{}", city.body);
    assert!(city.body.contains("<title>放大：河东区</title>"), "each shape has an accessible name");
    assert!(city.body.contains("aria-hidden=\"true\""), "visible labels are not read twice");
    assert!(city
        .body
        .contains("<button type=\"submit\" name=\"zoom\" value=\"HD\" class=\"link-button\">河东区</button>"));
    assert!(city.body.contains("aria-label=\"示范市地图\""), "{}", city.body);

    // A district by link: its streets, and the way back up.
    let hd = b.get(&app, sent(&links[1])).await;
    assert_eq!(map_links(&hd.body).len(), 3);
    assert!(hd.body.contains("<title>放大：东关街道</title>"), "{}", hd.body);
    assert!(hd.body.contains(&format!("<a href=\"/appeal/{t}/where?map=SF#map\">示范市</a>")), "{}", hd.body);
    assert!(hd.body.contains("<li aria-current=\"page\">河东区</li>"));

    // Zooming by the list's button posts the form: what was typed is kept, and the street shows.
    let body = format!("district=&lat=&lng=&address_note={}&zoom=HD01", enc("3号楼2单元"));
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where?map=HD01#map").as_str()));
    let street = b.get(&app, &format!("/appeal/{t}/where?map=HD01")).await;
    assert!(street.body.contains("3号楼2单元"), "the address note survived zooming");
    assert!(!street.body.contains("role=\"alert\""), "zooming is no validation");
    let cells = map_links(&street.body);
    assert_eq!(cells.len(), 12, "{cells:?}");
    assert!(cells.contains(&format!("/appeal/{t}/where?map=HD01&cell=HD010203#map-tapped")));
    assert!(street.body.contains("<title>选这个网格：幸福社区第3网格</title>"), "{}", street.body);
    // The pin is there for the script, hidden: no point yet. The island gets the projection.
    assert!(street.body.contains("id=\"map-pin\"") && street.body.contains("visibility=\"hidden\""));
    assert!(
        street.body.contains("data-component=\"MapPick") && street.body.contains("min_x"),
        "the projection goes to the island"
    );

    // A tap on a cell (a link, JS off) asks before it sets anything.
    let tapped = b.get(&app, sent(cells.iter().find(|c| c.contains("HD010203")).unwrap())).await;
    // Attribute order is the renderer's: look for the id, then the paragraph's end.
    let ask = common::between(&tapped.body, "id=\"map-tapped\"", "</p>").expect("the question");
    assert!(ask.contains("你点了：幸福社区第3网格。"), "{ask}");
    assert!(ask.contains("name=\"pick\" value=\"HD010203\""), "{ask}");
    assert!(tapped.body.contains("class=\"cell s0 marked\""), "the tapped cell is outlined");
    let draft = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert!(!draft.body.contains("id=\"point-place\""), "a GET set nothing");

    // "Use this cell": the point is in that cell, named back, with the cascade set to match.
    let body = "district=&lat=&lng=&address_note=&pick=HD010203";
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where?map=HD010203#map").as_str()));
    let picked = b.get(&app, &format!("/appeal/{t}/where?map=HD010203")).await;
    let place = common::between(&picked.body, "id=\"point-place\"", "</p>").expect("the place named back");
    assert!(place.contains("幸福社区 · 第3网格"), "{place}");
    assert!(picked.body.contains("<option value=\"HD0102\" selected"), "the cascade follows");
    assert!(!picked.body.contains("visibility=\"hidden\""), "the pin shows the point");
    assert_eq!(map_links(&picked.body).len(), 12, "the cell's street is shown");
    let lat = common::between(&picked.body, "name=\"lat\" value=\"", "\"").unwrap().to_owned();
    let lng = common::between(&picked.body, "name=\"lng\" value=\"", "\"").unwrap().to_owned();
    assert!(lat.parse::<f64>().is_ok() && lng.parse::<f64>().is_ok(), "{lat} {lng}");

    // Sent on: a grid-level category goes to that very cell's station.
    let body = format!("district=HD&street=HD01&community=HD0102&lat={lat}&lng={lng}&address_note=");
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), &body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    b.post(&app, &format!("/form/appeal/{t}/who"), "identity=anonymous").await;
    let r = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    let unit = common::between(&receipt.body, "id=\"unit\">", "</dd>").unwrap();
    assert!(unit.contains("幸福社区第3网格工作站"), "{unit}");
}

#[tokio::test]
async fn a_forged_pick_is_a_field_error_and_zoom_codes_are_checked() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=neighbor_dispute").await;
    // Not a cell: nothing set, the region field says why.
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), "district=&lat=&lng=&address_note=&pick=HD01").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = b.get(&app, &format!("/appeal/{t}/where")).await;
    assert!(page.body.contains("aria-invalid") || page.body.contains("role=\"alert\""), "{}", page.body);
    assert!(!page.body.contains("id=\"point-place\""));
    // An unknown region to zoom to: no map in the redirect, nothing of it echoed.
    let r = b.post(&app, &format!("/form/appeal/{t}/where"), "district=&lat=&lng=&address_note=&zoom=%3Cx%3E").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    // An unknown `?map=` shows the city.
    let page = b.get(&app, &format!("/appeal/{t}/where?map=%3Cscript%3E")).await;
    assert_eq!(map_links(&page.body).len(), 3);
    assert!(!page.body.contains("<script>"));
}

/// The text of a page outside its links, scripts and tags: where a phone number would be plain.
fn text_outside_links(html: &str) -> String {
    // The document's <title> is not shown on the page (and cannot hold a link).
    let mut rest = html.find("</head>").map_or(html, |i| &html[i..]);
    let mut kept = String::new();
    // Drop `<a …>…</a>` (links do not nest), `<script>…</script>` and the page's `<h1>`: a title
    // names a service ("12348 热线"); the page's text under it carries the number as a link.
    loop {
        let next = [("<a ", "</a>"), ("<script", "</script>"), ("<h1", "</h1>")]
            .into_iter()
            .filter_map(|(open, close)| rest.find(open).map(|i| (i, close)))
            .min_by_key(|(i, _)| *i);
        let Some((i, close)) = next else {
            kept.push_str(rest);
            break;
        };
        kept.push_str(&rest[..i]);
        rest = rest[i..].find(close).map_or("", |j| &rest[i + j + close.len()..]);
        kept.push(' ');
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in kept.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn no_phone_number_on_a_resident_page_is_plain_text() {
    let app = app(Limits::default()).await;
    // The checker sees a plain number (and would fail), and not a linked one.
    let plain = "<p>请拨打 12348 或 0933-8000000</p>";
    let text = text_outside_links(plain);
    let found = domain::tel::spans(&text);
    assert_eq!(found.iter().filter(|s| matches!(s, domain::tel::Span::Phone { .. })).count(), 2);
    let linked = "<p>请拨打 <a href=\"tel:12348\">12348</a></p><script>var x = \"110\";</script>";
    assert!(domain::tel::spans(&text_outside_links(linked)).iter().all(|s| matches!(s, domain::tel::Span::Text(_))));

    let mut pages: Vec<(String, String)> = Vec::new();
    for path in [
        "/",
        "/legal",
        "/legal/services?district=HD",
        "/legal/services?district=HX",
        "/legal/search?q=zzzzqqqq",
        "/track",
    ] {
        pages.push((path.to_owned(), get(&app, path).await.body));
    }
    // Every article the legal centre lists.
    let index = get(&app, "/legal/search?q=").await.body + &pages[1].1;
    let mut articles: Vec<String> = index
        .split("href=\"/legal/articles/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|slug| format!("/legal/articles/{slug}"))
        .collect();
    articles.sort();
    articles.dedup();
    assert!(articles.len() >= 2, "{articles:?}");
    for path in articles {
        let body = get(&app, &path).await.body;
        pages.push((path, body));
    }
    // The wizard, a receipt and its track page (the handling unit's phone).
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=sanitation").await;
    let what = format!("description={}", enc("楼道里堆满了垃圾，已经一个星期没人清理"));
    b.post(&app, &format!("/form/appeal/{t}/what"), &what).await;
    b.post(
        &app,
        &format!("/form/appeal/{t}/where"),
        "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=",
    )
    .await;
    b.post(&app, &format!("/form/appeal/{t}/who"), "identity=anonymous").await;
    for step in ["where", "check"] {
        pages.push((format!("/appeal/…/{step}"), b.get(&app, &format!("/appeal/{t}/{step}")).await.body));
    }
    b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    let receipt = b.get(&app, &format!("/receipt/{t}")).await.body;
    let ticket = common::receipt_code(&receipt, "ticket").unwrap();
    let key = common::receipt_code(&receipt, "key").unwrap();
    pages.push(("/receipt/…".to_owned(), receipt));
    b.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    pages.push(("/track (an appeal)".to_owned(), b.get(&app, "/track").await.body));

    for (path, body) in &pages {
        assert!(body.contains("href=\"tel:110\""), "{path}: the emergency line dials");
        let text = text_outside_links(body);
        let plain: Vec<String> = domain::tel::spans(&text)
            .into_iter()
            .filter_map(|s| match s {
                domain::tel::Span::Phone { shown, .. } => Some(shown.to_owned()),
                domain::tel::Span::Text(_) => None,
            })
            .collect();
        assert!(plain.is_empty(), "{path}: phone numbers as plain text: {plain:?}");
    }
}
