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

/// The admins' questions editor (`/staff/admin/questions`) with JavaScript off: only admins see
/// it or post to it, every post needs the session's CSRF token, a refused save comes back with
/// each field's problem and what was typed, and a saved question is asked by the wizard at once.
#[tokio::test]
async fn the_questions_editor_is_the_admins_and_works_without_javascript() {
    let (app, state) = setup().await;
    let n = backend::auth::NewStaff {
        username: "boss".into(),
        display_name: "boss".into(),
        unit: "U-SF".into(),
        role: "admin".into(),
        password: PASSWORD.into(),
    };
    backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let page_url = "/staff/admin/questions?category=wage_arrears";
    let save = "/staff/admin/questions/save";
    let good = |token: &str| {
        format!(
            "csrf={token}&category=wage_arrears&original=&code=contract&qkind=choice&required=1&label={}&label_en={}&choices={}",
            enc("是否签了劳动合同"),
            enc("Signed a contract"),
            enc("yes|签了|Yes\nno|没签|No")
        )
    };
    let count = || async {
        backend::services::questions::list(&state, &backend::audit::Who::system())
            .await
            .unwrap()
            .get("wage_arrears")
            .map_or(0, Vec::len)
    };

    // A dispatcher: no page, no post (with a valid token of their own session).
    let (hotline, _) = common::staff_sign_in(&app, &state, "hotline", PASSWORD, None).await;
    assert_eq!(get_with(&app, page_url, &hotline).await.status, StatusCode::NOT_FOUND);
    let token = csrf(&get_with(&app, "/staff", &hotline).await.body);
    let r = post_with(&app, save, &good(&token), &hotline).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_with(
        &app,
        "/staff/admin/questions/delete",
        &format!("csrf={token}&category=wage_arrears&code=employer"),
        &hotline,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count().await, 4, "nothing changed");

    // The admin: the category's questions in order, each with its forms.
    let (boss, _) = common::staff_sign_in(&app, &state, "boss", PASSWORD, None).await;
    let admin_home = get_with(&app, "/staff/admin", &boss).await;
    assert!(admin_home.body.contains("href=\"/staff/admin/questions\""), "linked from the admin page");
    let page = get_with(&app, page_url, &boss).await;
    assert_eq!(page.status, StatusCode::OK);
    let list = between(&page.body, "id=\"questions\"", "</ol>").expect("the list");
    let order: Vec<usize> =
        ["欠薪的单位名称", "欠薪金额", "拖欠月数", "涉及人数"].iter().map(|l| list.find(l).expect(l)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in the order asked");
    let atoken = csrf(&page.body);
    // Without the token, or with another's: refused, nothing saved.
    let r = post_with(&app, save, &good("").replacen("csrf=&", "", 1), &boss).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_with(&app, save, &good(&token), &boss).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count().await, 4);
    // A refused save: back to the category, the errors at their fields, what was typed kept.
    let bad = format!(
        "csrf={atoken}&category=wage_arrears&original=&code={}&qkind=number&label=&label_en=Amount&max_value=0&decimals=1&unit_zh={}",
        enc("Bad Code"),
        enc("元")
    );
    let r = post_with(&app, save, &bad, &boss).await;
    assert_eq!(r.location.as_deref(), Some("/staff/admin/questions?category=wage_arrears#questions-save"));
    let page = get_with(&app, page_url, &boss).await;
    let form = between(&page.body, "id=\"qf-new\"", "</form>").expect("the add form");
    for (id, text) in [
        ("code", "代码须为 1–32 个小写字母、数字或下划线"),
        ("label", "请填写问题（中文和英文）"),
        ("max_value", "最大值须为 1 到 1000000000000 之间的整数"),
    ] {
        assert!(form.contains(&format!("href=\"#{id}\"")) && form.contains(text), "{id}: {form}");
    }
    assert!(form.contains("value=\"Bad Code\""), "kept as typed");
    assert_eq!(count().await, 4);
    // A good save: the wizard asks it at once.
    let r = post_with(&app, save, &good(&atoken), &boss).await;
    assert_eq!(r.location.as_deref(), Some(page_url));
    let page = get_with(&app, page_url, &boss).await;
    assert!(page.body.contains("是否签了劳动合同") && page.body.contains("yes|签了|Yes"), "listed with its choices");
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=wage_arrears").await;
    let what = b.get(&app, &format!("/appeal/{t}/what")).await;
    assert!(what.body.contains("是否签了劳动合同") && what.body.contains("name=\"q_contract\""));
    // Moved up, then deleted: no longer asked.
    let r = post_with(
        &app,
        "/staff/admin/questions/move",
        &format!("csrf={atoken}&category=wage_arrears&code=contract&dir=up"),
        &boss,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some(page_url));
    let qs = backend::services::questions::list(&state, &backend::audit::Who::system()).await.unwrap();
    assert_eq!(qs["wage_arrears"][3].code, "contract");
    let r = post_with(
        &app,
        "/staff/admin/questions/delete",
        &format!("csrf={atoken}&category=wage_arrears&code=contract"),
        &boss,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some(page_url));
    let t = b.start_draft(&app, "category=wage_arrears").await;
    assert!(!b.get(&app, &format!("/appeal/{t}/what")).await.body.contains("q_contract"));
    // An admin's words reach every resident's wizard: markup in them is shown as text there and
    // on the editor, never run.
    let hostile = format!(
        "csrf={atoken}&category=wage_arrears&original=&code=xss&qkind=text&required=0&label={}&label_en={}&help={}&max_len=50",
        enc("<img src=x onerror=alert(1)>"),
        enc("<script>alert(2)</script>"),
        enc("\"><svg onload=alert(3)>")
    );
    let r = post_with(&app, save, &hostile, &boss).await;
    assert_eq!(r.location.as_deref(), Some(page_url), "{}", r.body);
    let t = b.start_draft(&app, "category=wage_arrears").await;
    for body in [b.get(&app, &format!("/appeal/{t}/what")).await.body, get_with(&app, page_url, &boss).await.body] {
        assert!(body.contains("&lt;img src=x onerror=alert(1)&gt;"), "shown as text");
        assert!(!body.contains("<img src=x") && !body.contains("<svg onload") && !body.contains("<script>alert(2)"));
    }
}
