//! Summonses with duties over HTTP (issue 13), JavaScript off: the summon form offers only the
//! category's departments and its days field (CSRF, errors at the fields, the service refusing a
//! department the form did not offer), the report-back date on the page, the rating form of the
//! summoning unit, and the admin page of the per-category list (admins only, CSRF, field errors).

use crate::common;

use axum::http::StatusCode;
use backend::clock::ManualClock;
use backend::config::Limits;
use backend::services::work::{self, Act};
use common::{config, csrf, enc, get_with, post_with};
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";

/// A property-management appeal in HD01, moved to the street centre U-HD01, in progress.
async fn appeal(state: &backend::AppState) -> String {
    let first = [("category".to_owned(), "property_mgmt".to_owned())].into_iter().collect();
    let new = backend::services::appeal::start(state, "c", &first).await.unwrap();
    for (step, pairs) in [
        (domain::draft::Step::What, vec![("description", "物业公司收了停车费却不管车位，业主多次反映无果")]),
        (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
        (domain::draft::Step::Who, vec![("identity", "anonymous")]),
    ] {
        let f = pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        backend::services::appeal::save_step(state, &new.token, &new.secret, step, &f).await.unwrap();
    }
    let ticket =
        match backend::services::appeal::submit(state, &new.token, &new.secret, state.clock.now()).await.unwrap() {
            backend::services::appeal::SubmitOutcome::Accepted { ticket } => ticket,
            other => panic!("{other:?}"),
        };
    let path = state.catalog.get().unit_path("U-HD01");
    let mut tx = state.db.pool.begin().await.unwrap();
    let change = backend::store::appeals::Change {
        status: Some(domain::workflow::Status::InProgress),
        unit: Some(("U-HD01", &path)),
        ..Default::default()
    };
    backend::store::appeals::apply(&mut tx, &ticket, &change, state.clock.ts()).await.unwrap();
    tx.commit().await.unwrap();
    ticket
}

#[tokio::test]
async fn summons_forms_and_the_admin_list_work_without_javascript() {
    let cfg = config(Limits::default());
    // Monday 2026-11-23 09:00 China time.
    let clock = ManualClock::new(time::macros::datetime!(2026-11-23 01:00 UTC));
    let state = build_state(&cfg).await.unwrap().with_clock(Arc::new(clock.clone()));
    let mut housing = None;
    for (u, unit, role) in
        [("fang", "D-HD-housing", "unit_handler"), ("lijun", "U-HD01", "dispatcher"), ("boss", "U-SF", "admin")]
    {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: format!("{u} 同志"),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        let s = backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
        if u == "fang" {
            housing = Some(s);
        }
    }
    let housing = housing.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let ticket = appeal(&state).await;
    let uri = format!("/staff/appeal/{ticket}");
    let act = format!("{uri}/act");

    // The summon form: the listed departments only, the days field at 3, the rule said.
    let (cookie, secret) = common::staff_sign_in(&app, &state, "lijun", PASSWORD, None).await;
    let page = get_with(&app, &uri, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let form = common::between(&page.body, "id=\"summon\"", "</section>").unwrap_or_else(|| panic!("{}", page.body));
    assert!(form.contains("value=\"D-HD-housing\"") && form.contains("value=\"D-HD-market\""), "{form}");
    assert!(!form.contains("value=\"D-HD-hrss\""), "not listed for property management");
    assert!(form.contains("id=\"summon-days\"") && form.contains("value=\"3\""));
    assert!(form.contains("只列出这个类别可以召集的部门"));
    let token = csrf(&page.body);

    // No token: refused, nothing written.
    let r = post_with(&app, &act, "action=summon&units=D-HD-housing", &cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A department the form did not offer, and days out of range: both fields say so.
    let r = post_with(&app, &act, &format!("csrf={token}&action=summon&units=D-HD-hrss&days=20"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some(format!("{uri}#summon").as_str()));
    let page = get_with(&app, &uri, &cookie).await;
    assert!(page.body.contains("这个类别不能召集所选的部门"), "{}", page.body);
    assert!(page.body.contains("id=\"summon-days-error\"") && page.body.contains("反馈期限请填 1 到 15 个工作日"));
    assert!(backend::store::appeals::cohandlers(&state.db.pool, &ticket).await.unwrap().is_empty());
    // Two working days: due Wednesday's end.
    let body = format!("csrf={token}&action=summon&units=D-HD-housing&days=2&note={}", enc("请核查收费"));
    let r = post_with(&app, &act, &body, &cookie).await;
    assert_eq!(r.location.as_deref(), Some(uri.as_str()));
    let page = get_with(&app, &uri, &cookie).await;
    let li = common::between(&page.body, "<li data-unit=\"D-HD-housing\"", "</li>").unwrap();
    assert!(li.contains("反馈期限：2026年11月25日 23:59") && li.contains("data-overdue=\"false\""), "{li}");
    assert!(!li.contains("rate-report"), "nothing to rate before the report");

    // Past the date: marked overdue. The department reports; the street rates the report.
    clock.advance(time::Duration::days(3));
    // The session has timed out meanwhile: sign in again (with the enrolled second factor).
    let (cookie, _) = common::staff_sign_in(&app, &state, "lijun", PASSWORD, secret.as_deref()).await;
    let token = csrf(&get_with(&app, &uri, &cookie).await.body);
    let page = get_with(&app, &uri, &cookie).await;
    assert!(page.body.contains("data-overdue=\"true\"") && page.body.contains("反馈超期"));
    work::act(&state, &housing, &ticket, &Act::ReportBack { body: "已约谈物业公司".into() }).await.unwrap();
    let page = get_with(&app, &uri, &cookie).await;
    assert!(page.body.contains("id=\"rate-D-HD-housing-form\""), "{}", page.body);
    let r = post_with(&app, &act, &format!("csrf={token}&action=rate_report&unit=D-HD-housing&body=x"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some(format!("{uri}#rate_report").as_str()));
    let page = get_with(&app, &uri, &cookie).await;
    assert!(page.body.contains("id=\"rate-D-HD-housing-rating-error\""), "the rating is required");
    let body = format!("csrf={token}&action=rate_report&unit=D-HD-housing&rating=basically&body={}", enc("还需跟进"));
    let r = post_with(&app, &act, &body, &cookie).await;
    assert_eq!(r.location.as_deref(), Some(uri.as_str()));
    let page = get_with(&app, &uri, &cookie).await;
    assert!(page.body.contains("评价：基本满意") && page.body.contains("还需跟进"));
    assert!(!page.body.contains("id=\"rate-D-HD-housing-form\""), "rated once");

    // The admin list: not for a dispatcher.
    assert_eq!(get_with(&app, "/staff/admin/summons", &cookie).await.status, StatusCode::NOT_FOUND);
    let r = post_with(
        &app,
        "/staff/admin/summons/save",
        &format!("csrf={token}&category=property_mgmt&kinds=hrss"),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (admin, _) = common::staff_sign_in(&app, &state, "boss", PASSWORD, None).await;
    let page = get_with(&app, "/staff/admin/summons", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-category=\"property_mgmt\" data-kinds=\"housing,market\""), "{}", page.body);
    assert!(page.body.contains("未限定：任何部门"), "a category with nothing listed says so");
    let atoken = csrf(&page.body);
    // Without the token: refused.
    let r = post_with(&app, "/staff/admin/summons/save", "category=property_mgmt&kinds=hrss", &admin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An unknown kind: back to the form with the message.
    let r = post_with(
        &app,
        "/staff/admin/summons/save",
        &format!("csrf={atoken}&category=property_mgmt&kinds=police"),
        &admin,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/staff/admin/summons#summons-save"));
    let page = get_with(&app, "/staff/admin/summons", &admin).await;
    assert!(page.body.contains("没有这种职能部门"));
    let r = post_with(
        &app,
        "/staff/admin/summons/save",
        &format!("csrf={atoken}&category=property_mgmt&kinds=hrss&kinds=housing"),
        &admin,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/staff/admin/summons"));
    let page = get_with(&app, "/staff/admin/summons", &admin).await;
    assert!(page.body.contains("data-category=\"property_mgmt\" data-kinds=\"housing,hrss\""));
    // The street's form now offers the labour bureau.
    let page = get_with(&app, &uri, &cookie).await;
    let form = common::between(&page.body, "id=\"summon\"", "</section>").unwrap();
    assert!(form.contains("value=\"D-HD-hrss\"") && !form.contains("value=\"D-HD-market\""));
}

/// `/staff/summons` with JavaScript off: linked from the staff bar and the dashboard; the
/// summonses of the member's scope with their state and rating, filtered by a GET form (state,
/// days, bad dates at their fields); nothing for a centre of another district.
#[tokio::test]
async fn the_summons_history_page_lists_the_scopes_summonses() {
    let cfg = config(Limits::default());
    // Monday 2026-11-23 09:00 China time.
    let clock = ManualClock::new(time::macros::datetime!(2026-11-23 01:00 UTC));
    let state = build_state(&cfg).await.unwrap().with_clock(Arc::new(clock.clone()));
    let mut made = std::collections::HashMap::new();
    for (u, unit, role) in
        [("fang", "D-HD-housing", "unit_handler"), ("lijun", "U-HD01", "dispatcher"), ("hexi", "U-HX", "dispatcher")]
    {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: format!("{u} 同志"),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        made.insert(u, backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap());
    }
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let (lijun, fang) = (&made["lijun"], &made["fang"]);
    let t1 = appeal(&state).await;
    let summon = |units: &[&str]| Act::Summon {
        units: units.iter().map(|u| (*u).to_owned()).collect(),
        note: "请协助".into(),
        days: String::new(),
    };
    work::act(&state, lijun, &t1, &summon(&["D-HD-housing", "D-HD-market"])).await.unwrap();
    work::act(&state, fang, &t1, &Act::ReportBack { body: "已约谈物业公司".into() }).await.unwrap();
    work::act(
        &state,
        lijun,
        &t1,
        &Act::RateReport { unit: "D-HD-housing".into(), rating: "basically".into(), note: String::new() },
    )
    .await
    .unwrap();
    clock.advance(time::Duration::days(4));

    let (cookie, _) = common::staff_sign_in(&app, &state, "lijun", PASSWORD, None).await;
    let inbox = get_with(&app, "/staff", &cookie).await;
    assert!(inbox.body.contains("href=\"/staff/summons\""), "linked from the staff bar");
    let dash = get_with(&app, "/staff/dashboard", &cookie).await;
    assert!(common::between(&dash.body, "id=\"dash-summons\"", "</p>").unwrap().contains("href=\"/staff/summons\""));
    let page = get_with(&app, "/staff/summons", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let list = common::between(&page.body, "id=\"summons\"", "</ul>").expect("the list");
    assert!(list.contains(&format!("href=\"/staff/appeal/{t1}\"")), "links to the staff appeal page");
    let housing = common::between(list, "data-unit=\"D-HD-housing\"", "</li>").unwrap();
    assert!(housing.contains("data-state=\"reported\"") && housing.contains("基本满意"), "{housing}");
    assert!(housing.contains("2026年11月23日"), "dates as Chinese readers write them: {housing}");
    let market = common::between(list, "data-unit=\"D-HD-market\"", "</li>").unwrap();
    assert!(market.contains("data-state=\"late\"") && market.contains("超期未反馈"), "{market}");
    assert!(page.body.contains("共 2 次"));
    // The GET form's filters.
    let late = get_with(&app, "/staff/summons?show=late", &cookie).await;
    assert!(late.body.contains("data-unit=\"D-HD-market\"") && !late.body.contains("data-unit=\"D-HD-housing\""));
    assert!(late.body.contains("id=\"show-late\" name=\"show\" value=\"late\" checked"), "the choice kept");
    let later = get_with(&app, "/staff/summons?show=all&from=2026-11-24", &cookie).await;
    assert!(later.body.contains("id=\"summons-empty\""));
    let bad = get_with(&app, "/staff/summons?from=2026-02-30", &cookie).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("href=\"#from\"") && bad.body.contains("id=\"from-error\""), "at the field");
    // English dates for an English reader.
    let en = get_with(&app, "/staff/summons", &format!("{cookie}; lang=en")).await;
    assert!(en.body.contains("23 Nov 2026"), "{}", en.body);
    // A centre of another district sees none of them.
    let (hexi, _) = common::staff_sign_in(&app, &state, "hexi", PASSWORD, None).await;
    let page = get_with(&app, "/staff/summons", &hexi).await;
    assert!(page.body.contains("id=\"summons-empty\"") && !page.body.contains(t1.as_str()));
}
