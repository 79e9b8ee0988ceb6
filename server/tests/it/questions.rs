//! Extra questions per category (issue 13, "answers faster") through the real router with
//! JavaScript off: the wizard's "what happened" step asks them, wrong answers come back at their
//! fields with what was typed, good ones show on the check page and, after submitting, on the
//! staff appeal page, as inert text; the staff intake form asks the chosen category's.

use crate::common;

use axum::http::StatusCode;
use backend::config::Limits;
use common::browser::Browser;
use common::{between, config, csrf, enc, get_with, post_with};
use pingan_server::startup::{build_router, build_state, leptos_options};

const PASSWORD: &str = "correct horse battery";
const DESCRIPTION: &str = "老板拖欠三个月工资，一直推说下个月给";
const SCRIPT: &str = "<script>alert(1)</script>建筑公司";

async fn setup() -> (axum::Router, backend::AppState) {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    for (u, unit, role) in [("hrss", "D-HD-hrss", "unit_handler"), ("hotline", "U-HD", "dispatcher")] {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: u.into(),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    }
    (build_router(state.clone(), leptos_options(&cfg), false), state)
}

#[tokio::test]
async fn the_wizard_asks_keeps_shows_and_hands_the_answers_to_staff() {
    let (app, state) = setup().await;
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=wage_arrears").await;
    let what = format!("/appeal/{t}/what");
    let page = b.get(&app, &what).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "name=\"q_employer\"",
        "欠薪的单位名称",
        "name=\"q_amount\"",
        "<span class=\"unit\">元</span>",
        "涉及人数<span class=\"muted\">（选填）</span>",
    ] {
        assert!(page.body.contains(text), "the step lacks {text}: {}", page.body);
    }

    // Wrong answers: back to the step, each error at its field and in the summary, all kept.
    let bad = format!("description={}&q_employer=&q_amount={}&q_months=6", enc(DESCRIPTION), enc("3万"));
    let r = b.post(&app, &format!("/form/appeal/{t}/what"), &bad).await;
    assert_eq!(r.location.as_deref(), Some(what.as_str()));
    let page = b.get(&app, &what).await;
    for text in [
        "href=\"#q_employer\">请填写欠薪的单位名称</a>",
        "href=\"#q_amount\">欠薪金额须为大于0的数字</a>",
        "id=\"q_amount-error\"",
        "value=\"3万\"",
        "value=\"6\"",
        "aria-invalid=\"true\"",
    ] {
        assert!(page.body.contains(text), "the step lacks {text}: {}", page.body);
    }
    assert!(page.body.contains("<title>请先改正以下问题"), "error: in the title");
    assert!(!page.body.contains("q_months-error"), "a good answer has no error");

    // Good answers (and a script typed as a name): on to the next step, shown on the check page.
    let good = format!(
        "description={}&q_employer={}&q_amount={}&q_months=6&q_workers=",
        enc(DESCRIPTION),
        enc(SCRIPT),
        enc("３，０００元")
    );
    let r = b.post(&app, &format!("/form/appeal/{t}/what"), &good).await;
    assert_eq!(r.location, Some(format!("/appeal/{t}/where")));
    for (step, body) in
        [("where", "district=HD&street=&community=&lat=&lng=&address_note="), ("who", "identity=anonymous")]
    {
        let r = b.post(&app, &format!("/form/appeal/{t}/{step}"), body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}");
    }
    let check = b.get(&app, &format!("/appeal/{t}/check")).await;
    for text in ["欠薪金额", "3000 元", "6 个月", "&lt;script&gt;alert(1)&lt;/script&gt;建筑公司"] {
        assert!(check.body.contains(text), "the check page lacks {text}: {}", check.body);
    }
    assert!(!check.body.contains("<script>alert(1)"), "inert on the check page");
    assert!(!check.body.contains("涉及人数"), "an optional question left empty is not listed");

    let r = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location, Some(format!("/receipt/{t}")));
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    let ticket = common::receipt_code(&receipt.body, "ticket").unwrap().replace('-', "");
    assert!(!receipt.body.contains("建筑公司"), "the receipt does not repeat the answers");

    // The handling unit sees them with their labels, as text.
    let (cookie, _) = common::staff_sign_in(&app, &state, "hrss", PASSWORD, None).await;
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "data-question=\"employer\"",
        "<dt>欠薪的单位名称</dt><dd class=\"pre\">&lt;script&gt;alert(1)&lt;/script&gt;建筑公司</dd>",
        "<dt>欠薪金额</dt><dd class=\"pre\">3000 元</dd>",
        "<dt>拖欠月数</dt><dd class=\"pre\">6 个月</dd>",
    ] {
        assert!(page.body.contains(text), "the staff page lacks {text}: {}", page.body);
    }
    assert!(!page.body.contains("<script>alert(1)"), "inert on the staff page");
    // In the member's language.
    let en = get_with(&app, &format!("/staff/appeal/{ticket}"), &format!("{cookie}; lang=en")).await;
    assert!(en.body.contains("<dt>Amount owed</dt><dd class=\"pre\">3000 yuan</dd>"), "{}", en.body);
    // Never public: not in the Open311 view of the request.
    let public = common::get(&app, &format!("/open311/v2/requests/{ticket}.json")).await;
    assert!(!public.body.contains("建筑公司") && !public.body.contains("3000"), "{}", public.body);
}

#[tokio::test]
async fn a_category_without_questions_asks_nothing() {
    let (app, _) = setup().await;
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=sanitation").await;
    let page = b.get(&app, &format!("/appeal/{t}/what")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("class=\"questions\"") && !page.body.contains("name=\"q_"), "{}", page.body);
    let r = b.post(&app, &format!("/form/appeal/{t}/what"), &format!("description={}", enc(DESCRIPTION))).await;
    assert_eq!(r.location, Some(format!("/appeal/{t}/where")));
}

#[tokio::test]
async fn the_intake_form_asks_the_chosen_categorys_questions() {
    let (app, state) = setup().await;
    let (cookie, _) = common::staff_sign_in(&app, &state, "hotline", PASSWORD, None).await;
    let page = get_with(&app, "/staff/appeal/new", &cookie).await;
    assert!(page.body.contains("“劳资欠薪”的补充问题"), "grouped under the category's name: {}", page.body);
    assert!(page.body.contains("name=\"q_wage_arrears.employer\""));
    assert!(page.body.contains("name=\"q_safety_hazard.hazard\""));
    let token = between(&page.body, "name=\"token\" value=\"", "\"").unwrap().to_owned();
    let body = |employer: &str| {
        format!(
            "csrf={}&token={token}&channel=phone&category=wage_arrears&description={}&cell=HD010101&identity=anonymous\
             &q_wage_arrears.employer={}&q_wage_arrears.amount=5000&q_wage_arrears.months=2&q_safety_hazard.hazard=nonsense",
            csrf(&page.body),
            enc(DESCRIPTION),
            enc(employer)
        )
    };
    // The employer missing: back with its message at the question, what was typed kept; the
    // other category's nonsense answer is not checked.
    let r = post_with(&app, "/staff/appeal/new", &body(""), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#intake"));
    let back = get_with(&app, "/staff/appeal/new", &cookie).await;
    for text in [
        "href=\"#questions\">请检查所选类别的补充问题</a>",
        "href=\"#q_wage_arrears.employer\">请填写欠薪的单位名称</a>",
        "id=\"q_wage_arrears.employer-error\"",
        "name=\"q_wage_arrears.amount\" value=\"5000\"",
    ] {
        assert!(back.body.contains(text), "the form lacks {text}: {}", back.body);
    }
    assert!(!back.body.contains("q_safety_hazard.hazard-error"));
    let r = post_with(&app, "/staff/appeal/new", &body("丁公司"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#receipt"));
    let (answers,): (Option<String>,) =
        sqlx::query_as("SELECT answers FROM appeals WHERE channel = 'phone'").fetch_one(&state.db.pool).await.unwrap();
    let answers = answers.unwrap();
    assert!(answers.contains("丁公司") && answers.contains("5000 元") && !answers.contains("hazard"), "{answers}");
}
