//! Related appeals on the wizard's check page (issue 13), driven as browsers with JavaScript
//! off: the offer is a radio group inside the submit form, shows nothing private, is part of the
//! draft's own page (another browser gets "expired"), a ticket not offered sends the resident
//! back with the reason, and joining gives an own receipt.

use crate::common;

use axum::http::StatusCode;
use axum::Router;
use backend::config::Limits;
use common::browser::Browser;
use common::{app, enc};

const FIRST: &str = "三号楼门口的垃圾桶满了一个星期没人清运";
const SECOND: &str = "和平社区三号楼门前垃圾堆积，气味很大";

/// A sanitation draft at a point in grid cell HD010101, anonymous, up to the check page.
async fn to_check(app: &Router, b: &mut Browser, description: &str) -> String {
    to_check_in(app, b, "sanitation", description).await
}

/// A draft of `category` at a point in grid cell HD010101, anonymous, up to the check page.
async fn to_check_in(app: &Router, b: &mut Browser, category: &str, description: &str) -> String {
    let t = b.start_draft(app, &format!("category={category}")).await;
    let what = format!("description={}", enc(description));
    let steps = [
        ("what", what.as_str()),
        ("where", "district=&lat=35.485&lng=106.605&address_note="),
        ("who", "identity=anonymous"),
    ];
    for (step, body) in steps {
        let r = b.post(app, &format!("/form/appeal/{t}/{step}"), body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    t
}

/// The receipt's ticket in stored form (the page prints it in groups).
async fn receipt_ticket(app: &Router, b: &mut Browser, t: &str) -> String {
    let page = b.get(app, &format!("/receipt/{t}")).await;
    let at = page.body.find("id=\"ticket\"").expect("a receipt");
    let rest = &page.body[at..];
    let mut text = String::new();
    let mut in_tag = true;
    for c in rest[..rest.find("</dd>").unwrap()].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && c.is_ascii_alphanumeric() => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn the_check_page_offers_the_open_appeal_and_joining_gives_an_own_receipt() {
    let app = app(Limits::default()).await;
    let mut first = Browser::new();
    let t1 = to_check(&app, &mut first, FIRST).await;
    let r = first.post(&app, &format!("/form/appeal/{t1}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t1}").as_str()));
    let main = receipt_ticket(&app, &mut first, &t1).await;
    assert_eq!(main.len(), 10, "{main}");

    let mut second = Browser::new();
    let t2 = to_check(&app, &mut second, SECOND).await;
    let check = second.get(&app, &format!("/appeal/{t2}/check")).await;
    assert!(check.body.contains("附近已有人反映过同类问题"), "{}", check.body);
    assert!(check.body.contains(&format!("value=\"{main}\"")), "the offer's radio");
    assert!(check.body.contains("id=\"join-none\""));
    assert!(!check.body.contains(FIRST), "the other resident's description is private");
    // Only the draft's own browser sees its check page, offer included.
    let stranger = Browser::new().get(&app, &format!("/appeal/{t2}/check")).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert!(!stranger.body.contains(&main));

    // A ticket that is not offered: back to the check page with the reason, nothing sent.
    let r = second.post(&app, &format!("/form/appeal/{t2}/submit"), "join=PA00000000").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t2}/check").as_str()));
    let check = second.get(&app, &format!("/appeal/{t2}/check")).await;
    assert!(check.body.contains("您选择加入的诉求刚刚已办结或已合并"), "{}", check.body);

    let r = second.post(&app, &format!("/form/appeal/{t2}/submit"), &format!("join={main}")).await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t2}").as_str()));
    let mine = receipt_ticket(&app, &mut second, &t2).await;
    assert_ne!(mine, main, "a receipt of its own");
}

/// An appeal in a sensitive category (a family dispute) is named only by its district in public;
/// the wizard must not offer it by its cell to whoever starts a draft there, nor let one join it.
#[tokio::test]
async fn an_appeal_in_a_sensitive_category_is_never_offered_nor_joined() {
    let app = app(Limits::default()).await;
    let mut first = Browser::new();
    let t1 = to_check_in(&app, &mut first, "family_dispute", "邻居夫妻天天吵架还动手，孩子很害怕").await;
    let r = first.post(&app, &format!("/form/appeal/{t1}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t1}").as_str()));
    let main = receipt_ticket(&app, &mut first, &t1).await;
    assert_eq!(main.len(), 10, "{main}");

    let mut second = Browser::new();
    let t2 = to_check_in(&app, &mut second, "family_dispute", "楼上夫妻吵架摔东西，已经好几次了").await;
    let check = second.get(&app, &format!("/appeal/{t2}/check")).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(!check.body.contains("附近已有人反映过同类问题"), "no offer: {}", check.body);
    assert!(!check.body.contains(&main), "the first appeal's ticket is not shown");
    // Posting its ticket anyway is refused like any ticket not offered.
    let r = second.post(&app, &format!("/form/appeal/{t2}/submit"), &format!("join={main}")).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t2}/check").as_str()));
    let check = second.get(&app, &format!("/appeal/{t2}/check")).await;
    assert!(check.body.contains("您选择加入的诉求刚刚已办结或已合并"), "{}", check.body);
    // (At this very point a sanitation appeal is offered: the test above.)
}
