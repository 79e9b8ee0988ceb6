//! Script injection, tried as an attacker would: text that closes a `<textarea>` or `<title>`
//! and opens a `<script>`, or opens an HTML comment, is posted into every field that is shown
//! again in a textarea (resident and staff) or a title; the answer must carry it as inert text.
//! And the Content-Security-Policy lets only the page's own nonce-carrying script run.

use crate::common;

use axum::http::StatusCode;
use backend::config::Limits;
use common::{app, between, config, csrf, enc, get, get_with, post_form, post_with};
use pingan_server::startup::{build_router, build_state, leptos_options};

/// Closes a textarea and a title, runs a script, and opens a comment that would swallow the rest
/// of the page; long enough to be a valid description.
const PAYLOAD: &str = "</textarea></title><script>window.pwned=1</script><!-- 楼道里堆满杂物，消防通道被堵";

/// The payload as it must appear: every `<` escaped, so nothing closes, opens or comments out.
fn assert_inert(html: &str, what: &str) {
    assert!(!html.contains("<script>window.pwned"), "{what}: a live script tag:\n{html}");
    assert!(!html.contains("</textarea></title>"), "{what}: the element was closed by the text");
    assert!(!html.contains("<!-- 楼道"), "{what}: an HTML comment opened by the text");
}

/// Escaped as text (`&lt;` …) somewhere in the page.
fn assert_shown_escaped(html: &str, what: &str) {
    assert!(
        html.contains("&lt;/textarea&gt;&lt;/title&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;!-- 楼道"),
        "{what}: the text is not shown back escaped:\n{html}"
    );
}

#[tokio::test]
async fn pages_carry_a_nonce_policy_without_unsafe_inline_scripts() {
    let app = app(Limits::default()).await;
    for path in ["/", "/legal", "/track", "/appeal/new", "/staff/login", "/no/such/page"] {
        let page = get(&app, path).await;
        let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap().to_owned();
        let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{path}: {csp}");
        // A page without islands has no script left (issue 11), so its policy allows none inline.
        if !page.body.contains("<script") {
            assert!(!script_src.contains("nonce-"), "{path}: {csp}");
            continue;
        }
        // Every inline script of the page carries the policy's nonce. (Script files of this
        // origin, such as the service worker's `/offline.js`, run under `'self'`, not the nonce.)
        let nonce = between(script_src, "'nonce-", "'").unwrap_or_else(|| panic!("{path}: no nonce in {csp}"));
        let files = page.body.matches(r#"<script type="module" src="/"#).count();
        let scripts = page.body.matches("<script").count() - files;
        let with_nonce = page.body.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(scripts >= 1 && with_nonce >= scripts, "{path}: {scripts} scripts, {with_nonce} with the nonce");
    }
    // Two responses never share a nonce.
    let a = get(&app, "/track").await.headers.get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    let b = get(&app, "/track").await.headers.get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(a.contains("'nonce-"), "/track has an island and its loader: {a}");
    assert_ne!(a, b);
    // Responses that are not pages get the policy too, with no way to run inline script.
    let form = post_form(&app, "/form/appeal/not-a-token/what", "description=x").await;
    let csp = form.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(!csp.contains("unsafe-inline'; object") && !csp.contains("nonce-"), "{csp}");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
}

#[tokio::test]
async fn the_legal_self_check_link_cannot_inject_into_the_first_step() {
    let app = app(Limits::default()).await;
    let page = get(&app, &format!("/appeal/new?category=sanitation&description={}", enc(PAYLOAD))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_inert(&page.body, "/appeal/new?description=");
}

/// A sanitation appeal in community HD0101 with `description`; its ticket.
async fn appeal_with(state: &backend::AppState, description: &str) -> String {
    use backend::services::appeal;
    let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    let d = appeal::start(state, "c", &form(vec![("category", "sanitation")])).await.unwrap();
    for (step, pairs) in [
        (domain::draft::Step::What, vec![("description", description)]),
        (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
        (domain::draft::Step::Who, vec![("identity", "anonymous")]),
    ] {
        appeal::save_step(state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
    }
    match appeal::submit(state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
        appeal::SubmitOutcome::Accepted { ticket } => ticket,
        other => panic!("{other:?}"),
    }
}

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn staff_see_resident_text_and_their_own_refilled_text_as_text() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let n = backend::auth::NewStaff {
        username: "wang".into(),
        display_name: "王同志".into(),
        unit: "U-HD0101".into(),
        role: "unit_handler".into(),
        password: PASSWORD.into(),
    };
    backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let ticket = appeal_with(&state, PAYLOAD).await;
    let (cookie, _) = common::staff_sign_in(&app, &state, "wang", PASSWORD, None).await;
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_inert(&page.body, "staff appeal page (resident's description)");
    assert_shown_escaped(&page.body, "staff appeal page (resident's description)");
    // A reply that is too long comes back in its textarea for correcting: as text.
    let token = csrf(&page.body);
    let too_long = format!("{PAYLOAD}{}", "长".repeat(2100));
    for (action, field) in [
        ("reply", "body"),
        ("note", "body"),
        ("request_info", "body"),
        ("close", "resolution"),
        ("transfer", "reason"),
        ("escalate", "reason"),
        ("request_extension", "reason"),
    ] {
        let r = post_with(
            &app,
            &format!("/staff/appeal/{ticket}/act"),
            &format!("csrf={token}&action={action}&{field}={}", enc(&too_long)),
            &cookie,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}");
        let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &cookie).await;
        assert_inert(&page.body, action);
        assert_shown_escaped(&page.body, action);
    }
    // Notices by hand (issue 13): a street dispatcher's reason reaches the unit's page, and a
    // refused answer or notice comes back in its textarea; all as text.
    let n = backend::auth::NewStaff {
        username: "lizhuren".into(),
        display_name: "李主任".into(),
        unit: "U-HD01".into(),
        role: "dispatcher".into(),
        password: PASSWORD.into(),
    };
    let li = backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let today = time::OffsetDateTime::now_utc().to_offset(domain::sla::CHINA).date().to_string();
    let issue = backend::services::work::Act::IssueNotice {
        kind: "supervision".into(),
        reason: PAYLOAD.into(),
        due: today.clone(),
        public: false,
    };
    backend::services::work::act(&state, &li, &ticket, &issue).await.unwrap();
    let id = backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap()[0].id.clone();
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert_inert(&page.body, "notice reason");
    assert_shown_escaped(&page.body, "notice reason");
    let r = post_with(
        &app,
        &format!("/staff/appeal/{ticket}/act"),
        &format!("csrf={token}&action=answer_notice&id={id}&body={}", enc(&too_long)),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "answer_notice");
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert_inert(&page.body, "answer_notice");
    assert_shown_escaped(&page.body, "answer_notice");
    let (li_cookie, _) = common::staff_sign_in(&app, &state, "lizhuren", PASSWORD, None).await;
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &li_cookie).await;
    let li_token = csrf(&page.body);
    let r = post_with(
        &app,
        &format!("/staff/appeal/{ticket}/act"),
        &format!("csrf={li_token}&action=issue_notice&notice_kind=warning&due={today}&reason={}", enc(&too_long)),
        &li_cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "issue_notice");
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &li_cookie).await;
    assert_inert(&page.body, "issue_notice");
    assert_shown_escaped(&page.body, "issue_notice");
}

#[tokio::test]
async fn an_article_body_typed_by_an_admin_stays_text() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let admin = backend::auth::Staff {
        id: "x".into(),
        username: "boss".into(),
        display_name: "管理员".into(),
        unit: "U-SF".into(),
        role: domain::workflow::Role::Admin,
        active: true,
        updated_at: 0,
    };
    let slug = "wages-unpaid-first-steps";
    let md = format!("# {PAYLOAD}\n\n{PAYLOAD}\n");
    backend::services::legal::update_article(&state, &admin, slug, &md, domain::Lang::ZhCn).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let page = get(&app, &format!("/legal/articles/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_inert(&page.body, "article page");
    assert!(page.body.contains("&lt;/textarea&gt;&lt;/title&gt;&lt;script&gt;"), "shown as text");
}

#[test]
fn no_raw_textarea_is_left_in_the_pages() {
    // Every textarea goes through `components::TextArea`, which escapes its text.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut stack = vec![root];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("components.rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains("<textarea") || text.contains("<Title ") {
                    found.push(p.display().to_string());
                }
            }
        }
    }
    assert!(found.is_empty(), "raw <textarea> or <Title> in {found:?}");
}

/// The resident's own textareas: "what happened" (saved, then shown again) and "add
/// information" on the track page (too long: given back to correct).
#[tokio::test]
async fn the_residents_textareas_give_text_back_inert() {
    use common::browser::Browser;
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=sanitation").await;
    let r = b.post(&app, &format!("/form/appeal/{t}/what"), &format!("description={}", enc(PAYLOAD))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let what = b.get(&app, &format!("/appeal/{t}/what")).await;
    assert_inert(&what.body, "wizard: what happened");
    assert_shown_escaped(&what.body, "wizard: what happened");
    for (step, body) in
        [("where", "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note="), ("who", "identity=anonymous")]
    {
        assert_eq!(b.post(&app, &format!("/form/appeal/{t}/{step}"), body).await.status, StatusCode::SEE_OTHER);
    }
    let check = b.get(&app, &format!("/appeal/{t}/check")).await;
    assert_inert(&check.body, "wizard: check page");
    assert_eq!(b.post(&app, &format!("/form/appeal/{t}/submit"), "").await.status, StatusCode::SEE_OTHER);
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").unwrap();
    let key = crate::common::receipt_code(&receipt.body, "key").unwrap();
    let r = b.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let too_long = format!("{PAYLOAD}{}", "长".repeat(2100));
    let r = b.post(&app, "/form/track/info", &format!("body={}", enc(&too_long))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let track = b.get(&app, "/track").await;
    assert!(track.body.contains("id=\"track-result\""), "{}", track.body);
    assert_inert(&track.body, "track: add information");
    assert_shown_escaped(&track.body, "track: add information");
}

/// Staff textareas prefilled with what someone else wrote: the moderation queue (the resident's
/// text) and the admin's Markdown editor.
#[tokio::test]
async fn moderation_and_the_markdown_editor_show_text_inert() {
    use common::browser::Browser;
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    for (u, unit, role) in [("street", "U-HD01", "dispatcher"), ("boss", "U-SF", "admin")] {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: format!("{u} 同志"),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    }
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let mut b = Browser::new();
    let t = b.start_draft(&app, "category=sanitation").await;
    for (step, body) in [
        ("what", format!("description={}", enc(PAYLOAD))),
        ("where", "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=".to_owned()),
        ("who", "identity=anonymous&publish=1".to_owned()),
    ] {
        assert_eq!(b.post(&app, &format!("/form/appeal/{t}/{step}"), &body).await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(b.post(&app, &format!("/form/appeal/{t}/submit"), "").await.status, StatusCode::SEE_OTHER);
    let (street, _) = common::staff_sign_in(&app, &state, "street", PASSWORD, None).await;
    let queue = get_with(&app, "/staff/moderation", &street).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("name=\"text\""), "the item's textarea: {}", queue.body);
    assert_inert(&queue.body, "moderation queue");
    assert_shown_escaped(&queue.body, "moderation queue");

    let slug = "wages-unpaid-first-steps";
    let admin = backend::auth::Staff {
        id: "boss".into(),
        username: "boss".into(),
        display_name: "boss 同志".into(),
        unit: "U-SF".into(),
        role: domain::workflow::Role::Admin,
        active: true,
        updated_at: 0,
    };
    backend::services::legal::update_article(
        &state,
        &admin,
        slug,
        &format!("# 标题\n\n{PAYLOAD}\n"),
        domain::Lang::ZhCn,
    )
    .await
    .unwrap();
    let (boss, _) = common::staff_sign_in(&app, &state, "boss", PASSWORD, None).await;
    let editor = get_with(&app, &format!("/staff/admin/legal?slug={slug}"), &boss).await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.body.contains("id=\"markdown\""), "{}", editor.body);
    assert_inert(&editor.body, "Markdown editor");
    assert_shown_escaped(&editor.body, "Markdown editor");
}
