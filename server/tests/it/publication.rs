//! Issue 9 §3 through the real router with JavaScript off: the "who" step says what becomes
//! public and offers an unticked "publish my description"; the public Open311 GET (JSON and XML)
//! shows a named appeal without consent with no description, no exact time and no point; the
//! staff moderation page and its posts (CSRF, role, scope) publish exactly the redacted text.

use crate::common;

use axum::http::StatusCode;
use axum::Router;
use backend::config::Limits;
use common::{between, config, csrf, enc, get, get_with, post_form, post_with};
use pingan_server::startup::{build_router, build_state, leptos_options};
use serde_json::Value;
use std::path::Path;

const PASSWORD: &str = "correct horse battery";
const ORIGINAL: &str = "老板拖欠三个月工资，电话13800138000，住和平路12号";
const REDACTED: &str = "老板拖欠三个月工资，[已隐去]";

async fn setup() -> (Router, backend::AppState) {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    for (u, unit, role) in
        [("wang", "U-HD0101", "unit_handler"), ("street", "U-HD01", "dispatcher"), ("far", "U-HX01", "dispatcher")]
    {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: format!("{u} 同志"),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    }
    (build_router(state.clone(), leptos_options(&cfg), false), state)
}

/// Signs in (dispatchers enrol their second factor on the way); the session cookie.
async fn sign_in(app: &Router, state: &backend::AppState, user: &str) -> String {
    common::staff_sign_in(app, state, user, PASSWORD, None).await.0
}

/// A draft and the cookie that binds it to this "browser" (shown as the token in paths).
struct Draft {
    token: String,
    cookie: String,
}

impl std::fmt::Display for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.token)
    }
}

/// Walks the wizard with plain posts up to the check page; `who` is the who step's body.
async fn draft(app: &Router, category: &str, who: &str) -> Draft {
    let r = post_form(app, "/form/appeal/new", &format!("category={category}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let token = between(r.location.as_deref().unwrap(), "/appeal/", "/").unwrap().to_owned();
    let cookie =
        r.headers.get(axum::http::header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let t = Draft { token, cookie };
    let steps = [
        // With the wage category's required answers (issue 13; other categories ignore them).
        (
            "what",
            format!("description={}&q_employer={}&q_amount=3000&q_months=3", enc(ORIGINAL), enc("某某建筑劳务公司")),
        ),
        // A point in grid cell HD010101: the appeal has a cell whose centre must not leak.
        ("where", "district=&street=&community=&lat=35.485&lng=106.605&address_note=".to_owned()),
        ("who", who.to_owned()),
    ];
    for (step, body) in steps {
        let r = post_with(app, &format!("/form/appeal/{t}/{step}"), &body, &t.cookie).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    t
}

/// Submits the draft; returns the ticket in display form.
async fn submit(app: &Router, t: &Draft) -> String {
    let r = post_with(app, &format!("/form/appeal/{t}/submit"), "", &t.cookie).await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t}").as_str()), "{}", r.body);
    let receipt = get_with(app, &format!("/receipt/{t}"), &t.cookie).await;
    crate::common::receipt_code(&receipt.body, "ticket").expect("ticket")
}

fn request_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/open311-schema/request.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
}

/// The public JSON of one request (validated against GeoReport v2), and its XML text.
async fn public(app: &Router, id: &str) -> (Value, String) {
    let j = get(app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(j.status, StatusCode::OK, "{}", j.body);
    let v: Value = serde_json::from_str(&j.body).unwrap();
    let schema = request_schema();
    for r in v.as_array().unwrap() {
        assert!(schema.is_valid(r), "{r}");
    }
    let x = get(app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(x.status, StatusCode::OK);
    (v[0].clone(), x.body)
}

/// No description, the day only, no point or cell centre, no unit, no media, in both formats.
fn assert_nothing_private(state: &backend::AppState, r: &Value, xml: &str, description: Option<&str>) {
    let centre = state.catalog.get().cell_center("HD010101").unwrap();
    assert_eq!(r["description"].as_str(), description, "{r}");
    for t in ["requested_datetime", "updated_datetime"] {
        let v = r[t].as_str().unwrap();
        assert!(v.ends_with("T00:00:00+08:00"), "{t}: {v}");
        assert!(xml.contains(&format!("<{t}>{v}</{t}>")), "{xml}");
    }
    for null in ["lat", "long", "media_url", "agency_responsible", "expected_datetime"] {
        assert!(r[null].is_null(), "{null}: {r}");
        assert!(xml.contains(&format!("<{null}/>")), "{null} in {xml}");
    }
    assert_eq!(r["address"], "河东区 / 东关街道 / 和平社区");
    let json = r.to_string();
    for secret in [
        "13800138000",
        "和平路12号",
        "王师傅",
        "35.485",
        "106.605",
        &centre.lat.to_string(),
        &centre.lng.to_string(),
        "D-HD-hrss",
    ] {
        assert!(!json.contains(secret) && !xml.contains(secret), "{secret} in {json} / {xml}");
    }
    match description {
        Some(d) => assert!(xml.contains(&format!("<description>{d}</description>")), "{xml}"),
        None => assert!(xml.contains("<description/>"), "{xml}"),
    }
}

#[tokio::test]
async fn the_who_step_says_what_is_public_and_asks() {
    let (app, _) = setup().await;
    let t = draft(&app, "wage_arrears", &format!("identity=named&name={}&phone=13800138000", enc("王师傅"))).await;
    let who = get_with(&app, &format!("/appeal/{t}/who"), &t.cookie).await;
    assert_eq!(who.status, StatusCode::OK);
    for text in [
        "哪些内容会公开",
        "诉求类别、办理状态、所在社区",
        "从不公开：您的姓名、电话、具体位置、照片、提交的具体时间",
        "公开我的描述",
        "审核",
    ] {
        assert!(who.body.contains(text), "who step lacks {text}");
    }
    // A plain checkbox with a label, not ticked: the default is private.
    let input = between(&who.body, "<input type=\"checkbox\" name=\"publish\"", ">").expect("publish checkbox");
    assert!(input.contains("id=\"publish\"") && input.contains("value=\"1\"") && !input.contains("checked"), "{input}");
    assert!(who.body.contains("<label for=\"publish\">"));
    // Unticked (not posted) is "no" on the check page.
    let check = get_with(&app, &format!("/appeal/{t}/check"), &t.cookie).await;
    assert!(check.body.contains("公开描述") && check.body.contains("不公开"), "{}", check.body);
    // Ticked: remembered on the step and shown on the check page.
    post_with(
        &app,
        &format!("/form/appeal/{t}/who"),
        &format!("identity=named&name={}&phone=13800138000&publish=1", enc("王师傅")),
        &t.cookie,
    )
    .await;
    let who = get_with(&app, &format!("/appeal/{t}/who"), &t.cookie).await;
    assert!(between(&who.body, "<input type=\"checkbox\" name=\"publish\"", ">").unwrap().contains("checked"));
    assert!(get_with(&app, &format!("/appeal/{t}/check"), &t.cookie).await.body.contains("申请公开（须经审核）"));
    // Coming back and unticking (nothing posted) turns it off again.
    post_with(
        &app,
        &format!("/form/appeal/{t}/who"),
        &format!("identity=named&name={}&phone=13800138000", enc("王师傅")),
        &t.cookie,
    )
    .await;
    assert!(!get_with(&app, &format!("/appeal/{t}/check"), &t.cookie).await.body.contains("申请公开"));

    // A sensitive category: the statement, and no box to tick.
    let t = draft(&app, "family_dispute", "identity=anonymous").await;
    let who = get_with(&app, &format!("/appeal/{t}/who"), &t.cookie).await;
    assert!(who.body.contains("这类诉求写的内容一律不公开") && !who.body.contains("name=\"publish\""), "{}", who.body);
    assert!(who.body.contains("从不公开"));
}

#[tokio::test]
async fn a_named_appeal_without_consent_shows_nothing_it_said() {
    let (app, state) = setup().await;
    let t = draft(&app, "wage_arrears", &format!("identity=named&name={}&phone=13800138000", enc("王师傅"))).await;
    let id = submit(&app, &t).await;
    let (r, xml) = public(&app, &id).await;
    assert_nothing_private(&state, &r, &xml, None);
    assert!(!r.to_string().contains("老板拖欠") && !xml.contains("老板拖欠"));
    // The list too, and a window of a few seconds around the submission gives nothing away.
    let list = get(&app, "/open311/v2/requests.json").await;
    assert!(!list.body.contains("老板拖欠") && !list.body.contains("35.48"), "{}", list.body);
    // It never enters the moderation queue.
    let street = sign_in(&app, &state, "street").await;
    let page = get_with(&app, "/staff/moderation", &street).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("没有待审核的内容") && !page.body.contains(&id), "{}", page.body);
}

#[tokio::test]
async fn moderation_publishes_exactly_the_redacted_text() {
    let (app, state) = setup().await;
    // Sanitation in community HD0101: handled by its committee, in the street centre's scope.
    let t =
        draft(&app, "sanitation", &format!("identity=named&name={}&phone=13800138000&publish=1", enc("王师傅"))).await;
    let id = submit(&app, &t).await;
    let ticket = domain::receipt::Ticket::parse(&id).unwrap().as_str().to_owned();
    // Requested, pending: nothing public yet.
    let (r, xml) = public(&app, &id).await;
    assert_nothing_private(&state, &r, &xml, None);

    // The street's dispatcher sees it in the queue, reached from the staff bar, with the text.
    let street = sign_in(&app, &state, "street").await;
    let inbox = get_with(&app, "/staff", &street).await;
    assert!(inbox.body.contains("href=\"/staff/moderation\""), "nav link");
    let page = get_with(&app, "/staff/moderation", &street).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("公开审核") && page.body.contains(&id), "{}", page.body);
    let form =
        between(&page.body, &format!("action=\"/staff/moderation/{ticket}\""), "</form>").expect("the item's form");
    assert!(
        form.contains(">\n老板拖欠三个月工资") && form.contains("name=\"text\""),
        "textarea prefilled with the resident's text: {form}"
    );
    assert!(form.contains("<label for=\"text-"), "labelled");
    let token = csrf(&page.body);
    let url = format!("/staff/moderation/{ticket}");
    let approve = format!("csrf={token}&decision=approve&text={}", enc(REDACTED));

    // Without the CSRF token, or without a session: refused, nothing changes.
    assert_eq!(
        post_with(&app, &url, &format!("decision=approve&text={}", enc(REDACTED)), &street).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_with(&app, &url, &format!("csrf=wrong&decision=approve&text={}", enc(REDACTED)), &street).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(post_form(&app, &url, &approve).await.status, StatusCode::FORBIDDEN);
    // Out of scope (another district's dispatcher) and wrong role (the community's handler).
    for user in ["far", "wang"] {
        let c = sign_in(&app, &state, user).await;
        let p = get_with(&app, "/staff", &c).await;
        assert!(!p.body.contains("href=\"/staff/moderation\"") || user == "far", "no link for a handler");
        let r =
            post_with(&app, &url, &format!("csrf={}&decision=approve&text={}", csrf(&p.body), enc(REDACTED)), &c).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        if user == "far" {
            assert!(!get_with(&app, "/staff/moderation", &c).await.body.contains(&id), "not in another scope's queue");
        } else {
            assert_eq!(
                get_with(&app, "/staff/moderation", &c).await.status,
                StatusCode::NOT_FOUND,
                "no page for a handler"
            );
        }
    }
    assert!(public(&app, &id).await.0["description"].is_null());

    // An empty text comes back to the item with the error.
    let r = post_with(&app, &url, &format!("csrf={token}&decision=approve&text=+"), &street).await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(format!("/staff/moderation#m-{ticket}").as_str()))
    );
    let again = get_with(&app, "/staff/moderation", &street).await;
    assert!(
        again.body.contains("role=\"alert\"")
            && again.body.contains("请填写内容")
            && again.body.contains("id=\"body\""),
        "{}",
        again.body
    );

    // Approved with a redaction: exactly that text is public, in JSON and XML.
    let r = post_with(&app, &url, &approve, &street).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/staff/moderation")));
    let (r, xml) = public(&app, &id).await;
    assert_nothing_private(&state, &r, &xml, Some(REDACTED));
    assert!(!r.to_string().contains("和平路") && !xml.contains("和平路"));
    let actions: Vec<String> = backend::store::audit::recent(&state.db.pool, Some(&ticket), None, None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(actions.contains(&"publication_approve".to_owned()), "{actions:?}");

    // Listed as published, with a withdraw button; withdrawing makes it private again.
    let page = get_with(&app, "/staff/moderation", &street).await;
    assert!(page.body.contains("id=\"moderation-approved\"") && page.body.contains("撤回公开"), "{}", page.body);
    let r = post_with(&app, &url, &format!("csrf={token}&decision=decline&text="), &street).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (r, xml) = public(&app, &id).await;
    assert_nothing_private(&state, &r, &xml, None);
    assert!(!xml.contains("已隐去"));
}

#[tokio::test]
async fn a_sensitive_appeal_cannot_be_approved_over_http() {
    let (app, state) = setup().await;
    let t = draft(&app, "public_order", "identity=anonymous&publish=1").await;
    let id = submit(&app, &t).await;
    let ticket = domain::receipt::Ticket::parse(&id).unwrap().as_str().to_owned();
    let street = sign_in(&app, &state, "street").await;
    let page = get_with(&app, "/staff/moderation", &street).await;
    assert!(!page.body.contains(&id), "never in the queue");
    let r = post_with(
        &app,
        &format!("/staff/moderation/{ticket}"),
        &format!("csrf={}&decision=approve&text={}", csrf(&page.body), enc("可以公开吗")),
        &street,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let back = get_with(&app, "/staff/moderation", &street).await;
    assert!(back.body.contains("敏感类别的诉求不能公开"), "{}", back.body);
    let (r, xml) = public(&app, &id).await;
    assert!(r["description"].is_null() && !xml.contains("可以公开吗"));
    let _ = state;
}
