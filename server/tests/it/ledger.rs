//! The ledger export (`/staff/ledger.csv`, issue 12): the staff member's scope and filter only,
//! UTF-8 with a byte-order mark, cells that cannot break rows or run as formulas, audited.

use crate::common::{self, config, csrf, enc, get, get_with, post_with};
use axum::http::{header, StatusCode};
use backend::config::Limits;
use pingan_server::startup::{build_router, build_state, leptos_options};

const PASSWORD: &str = "correct horse battery";

/// A sanitation appeal in `community` with `description`; its ticket in display form.
async fn appeal(state: &backend::AppState, district: &str, street: &str, community: &str, description: &str) -> String {
    use backend::services::appeal::{self, SubmitOutcome};
    let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    let d = appeal::start(state, "c", &form(vec![("category", "sanitation")])).await.unwrap();
    for (step, pairs) in [
        (domain::draft::Step::What, vec![("description", description)]),
        (domain::draft::Step::Where, vec![("district", district), ("street", street), ("community", community)]),
        (domain::draft::Step::Who, vec![("identity", "anonymous")]),
    ] {
        appeal::save_step(state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
    }
    match appeal::submit(state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
        SubmitOutcome::Accepted { ticket } => domain::receipt::Ticket::parse(&ticket).unwrap().display(),
        other => panic!("{other:?}"),
    }
}

/// A portal on a fresh database with one unit handler of the 和平 community (`username`, signed
/// in with [`PASSWORD`]), and its router.
async fn community_portal(username: &str) -> (backend::AppState, axum::Router) {
    community_portal_stalling(username, backend::services::ledger::STALL).await
}

/// [`community_portal`] whose ledger downloads are broken off after `stall` without taking a
/// piece.
async fn community_portal_stalling(username: &str, stall: std::time::Duration) -> (backend::AppState, axum::Router) {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap().with_ledger_stall(stall);
    let n = backend::auth::NewStaff {
        username: username.into(),
        display_name: "和平社区".into(),
        unit: "U-HD0101".into(),
        role: "unit_handler".into(),
        password: PASSWORD.into(),
    };
    backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    (state, app)
}

#[tokio::test]
async fn the_ledger_is_the_inbox_as_csv_and_safe_to_open() {
    let (state, app) = community_portal("heping2").await;
    let formula = "=HYPERLINK(\"http://evil.example\",\"点我\") 楼道里堆满杂物，已经两周了";
    let commas = "门口,垃圾桶满了，\"没人\"清理\n第二行也写了情况";
    let mine =
        [appeal(&state, "HD", "HD01", "HD0101", formula).await, appeal(&state, "HD", "HD01", "HD0101", commas).await];
    let other = appeal(&state, "HD", "HD01", "HD0102", "幸福社区的楼道灯坏了，晚上看不见路").await;

    // Signed out: no file.
    let r = get(&app, "/staff/ledger.csv").await;
    assert_eq!(r.location.as_deref(), Some("/staff/login"));

    let (cookie, _) = common::staff_sign_in(&app, &state, "heping2", PASSWORD, None).await;
    let r = get_with(&app, "/staff/ledger.csv", &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get(header::CONTENT_TYPE).unwrap(), "text/csv; charset=utf-8");
    assert!(r
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"ledger-"));
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(r.body.starts_with('\u{feff}'), "UTF-8 byte-order mark first");
    let lines: Vec<&str> = r.body.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(lines[0].starts_with("受理编号,提交时间,类别,状态,承办单位"), "{}", lines[0]);
    for t in &mine {
        assert!(r.body.contains(t.as_str()), "{t} is in the scope");
    }
    assert!(!r.body.contains(other.as_str()), "another community's appeal is not");
    // The formula is text (a leading apostrophe) inside a quoted cell; quotes doubled; the
    // comma and the line break stay inside their quoted cell.
    assert!(
        r.body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\") 楼道里堆满杂物，已经两周了\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("\"门口,垃圾桶满了，\"\"没人\"\"清理\n第二行也写了情况\""), "{}", r.body);
    assert_eq!(r.body.matches("\r\n").count(), 3, "header and two rows: the line break inside a cell is not a row");
    assert!(r.body.contains(",网上,"), "the channel in words: {}", r.body);

    // The filter applies: no closed appeals in this scope.
    let closed = get_with(&app, "/staff/ledger.csv?status=closed", &cookie).await;
    assert_eq!(closed.body.trim_start_matches('\u{feff}').matches("\r\n").count(), 1, "the header alone");

    // The same as an Excel workbook (a zip file), offered from the inbox.
    let x = get_with(&app, "/staff/ledger.xlsx?status=open", &cookie).await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(
        x.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(x.body.starts_with("PK\u{3}\u{4}"), "a zip container");
    assert_eq!(x.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(get(&app, "/staff/ledger.xlsx").await.location.as_deref() == Some("/staff/login"));
    let inbox = get_with(&app, "/staff", &cookie).await;
    assert!(inbox.body.contains("/staff/ledger.xlsx?status=open"), "{}", inbox.body);

    // Contact details: only when asked, with a reason, for rows whose contact this member may
    // reveal (their own unit's), recorded with the reason.
    assert!(inbox.body.contains("name=\"contact\" value=\"1\""), "the inbox offers it");
    assert!(inbox.body.contains("<form method=\"post\" action=\"/staff/ledger.csv\""), "by a posted form");
    let token = csrf(&inbox.body);
    let no_reason = post_with(&app, "/staff/ledger.csv", &format!("csrf={token}&contact=1&reason=+"), &cookie).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let named = {
        use backend::services::appeal::{self, SubmitOutcome};
        let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        let d = appeal::start(&state, "c", &form(vec![("category", "sanitation")])).await.unwrap();
        for (step, pairs) in [
            (domain::draft::Step::What, vec![("description", "垃圾站三天没有清运，气味很大")]),
            (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
            (domain::draft::Step::Who, vec![("identity", "named"), ("name", "李秀兰"), ("phone", "13912345678")]),
        ] {
            appeal::save_step(&state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
        }
        match appeal::submit(&state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
            SubmitOutcome::Accepted { ticket } => ticket,
            other => panic!("{other:?}"),
        }
    };
    let plain = get_with(&app, "/staff/ledger.csv", &cookie).await;
    assert!(!plain.body.contains("13912345678") && !plain.body.contains("李秀兰"), "no contact unless asked");
    // Never by a link: a GET asking for contact details gets the plain file (a link in a message
    // cannot make a member export residents' phone numbers), and a post needs the CSRF token.
    let by_link = get_with(&app, "/staff/ledger.csv?contact=1&reason=%E5%9B%9E%E8%AE%BF", &cookie).await;
    assert_eq!(by_link.status, StatusCode::OK);
    assert!(!by_link.body.contains("13912345678") && !by_link.body.contains("联系电话"), "{}", by_link.body);
    let forged = post_with(&app, "/staff/ledger.csv", "csrf=x&contact=1&reason=%E5%9B%9E%E8%AE%BF", &cookie).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!forged.body.contains("13912345678"));
    let pii =
        post_with(&app, "/staff/ledger.csv", &format!("csrf={token}&contact=1&reason=%E5%9B%9E%E8%AE%BF"), &cookie)
            .await;
    assert_eq!(pii.status, StatusCode::OK);
    assert_eq!(pii.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(pii.body.contains(",联系人,联系电话\r\n"), "{}", pii.body);
    assert!(pii.body.contains(",李秀兰,13912345678\r\n"), "{}", pii.body);
    let _ = named;

    // Every export is in the audit log with its filter.
    let audit = backend::store::audit::recent(&state.db.pool, None, None, None, 50).await.unwrap();
    let exports: Vec<_> = audit.iter().filter(|e| e.action == "ledger_export").collect();
    assert_eq!(exports.len(), 6, "the five files and the link's plain one");
    let with_contact: Vec<_> = exports.iter().filter(|e| e.detail.contains("\"contact\":true")).collect();
    assert_eq!(with_contact.len(), 1);
    assert_eq!(with_contact[0].reason.as_deref(), Some("回访"));
    assert!(exports.iter().any(|e| e.detail.contains("\"format\":\"xlsx\"")));
    assert!(exports.iter().any(|e| e.detail.contains("\"status\":\"closed\"")), "{:?}", exports[0].detail);
}

#[tokio::test]
async fn the_inbox_searches_and_the_export_follows_the_search() {
    let (state, app) = community_portal("heping3").await;
    let wages = appeal(&state, "HD", "HD01", "HD0101", "老板拖欠工资三个月了，找了好几次都不给").await;
    let lamp = appeal(&state, "HD", "HD01", "HD0101", "楼道的灯坏了两个星期，晚上看不见路").await;
    let (cookie, _) = common::staff_sign_in(&app, &state, "heping3", PASSWORD, None).await;

    // Words in the URL are not a search (they could name a resident: they are posted).
    let r = get_with(&app, "/staff?status=&q=%E5%B7%A5%E8%B5%84", &cookie).await;
    assert!(r.body.contains(&wages) && r.body.contains(&lamp), "{}", r.body);
    // Words in the description, posted, kept in the session and in the form, the count said.
    let r =
        post_with(&app, "/staff/search", &format!("csrf={}&status=&q={}", csrf(&r.body), enc("工资")), &cookie).await;
    let to = r.location.clone().unwrap();
    assert!(to.contains("by_words=1") && !to.contains("q=") && !to.contains("%E5%B7%A5"), "{to}");
    let r = get_with(&app, &to, &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&wages) && !r.body.contains(&lamp), "{}", r.body);
    assert!(r.body.contains("value=\"工资\""), "the words stay in the form");
    assert!(r.body.contains("找到 1 件"));
    for href in r.body.split("href=\"").skip(1) {
        let href = href.split('"').next().unwrap_or_default();
        assert!(!href.contains("%E5%B7%A5") && !href.contains("工资"), "{href}");
    }
    // The export link asks for the kept words, and the export follows them.
    assert!(r.body.contains("/staff/ledger.csv?status=&amp;by_words=1"), "{}", r.body);
    let csv = get_with(&app, "/staff/ledger.csv?status=&by_words=1", &cookie).await;
    assert!(csv.body.contains(&wages) && !csv.body.contains(&lamp));
    // An old link with the words in it is refused, not widened to the whole scope.
    for path in ["/staff/ledger.csv?status=&q=%E5%B7%A5%E8%B5%84", "/staff/ledger.xlsx?phone=13912345678"] {
        let old = get_with(&app, path, &cookie).await;
        assert_eq!(old.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(old.body.contains("请用筛选表单输入搜索词和电话"), "{}", old.body);
        assert!(!old.body.contains(&wages) && !old.body.contains(&lamp));
    }
    // A bad date: a message on the field, the title says there is an error, nothing listed.
    let r = get_with(&app, "/staff?status=&from=2026-02-30", &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("日期的格式是 2026-12-03"), "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(!r.body.contains(&wages) && !r.body.contains(&lamp));
    let bad = get_with(&app, "/staff/ledger.csv?from=2026-02-30", &cookie).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "an export of a bad search is refused, not widened");
}

#[tokio::test]
async fn the_dashboard_shows_the_members_scope_only() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    for (user, unit, role) in [("jiedao", "U-HD01", "dispatcher"), ("xiqu", "U-HX01", "dispatcher")] {
        let n = backend::auth::NewStaff {
            username: user.into(),
            display_name: user.into(),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    }
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    for _ in 0..3 {
        appeal(&state, "HD", "HD01", "HD0101", "楼道里堆满了杂物，已经两个星期没人管了").await;
    }
    assert_eq!(get(&app, "/staff/dashboard").await.location.as_deref(), Some("/staff/login"));
    let (cookie, _) = common::staff_sign_in(&app, &state, "jiedao", PASSWORD, None).await;
    let r = get_with(&app, "/staff/dashboard", &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    // Three received, exact (staff see small numbers), under the street; the community row has them.
    assert!(r.body.contains("<th scope=\"row\">收到诉求</th><td class=\"num\">3</td>"), "{}", r.body);
    assert!(r.body.contains("data-code=\"U-HD0101\""), "the units below are listed");
    assert!(r.body.contains("data-code=\"sanitation\""), "the categories are listed");
    // Received per channel, in words (issue 13): the three came through the wizard.
    assert!(
        r.body.contains("<tr data-channel=\"web\"><th scope=\"row\">网上</th><td class=\"num\">3</td>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<tr data-channel=\"patrol\"><th scope=\"row\">网格巡查发现</th><td class=\"num\">0</td>"));
    assert!(r.body.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cellmap\""), "the street's map");
    assert!(r.body.contains("href=\"/staff?status=open&amp;unit=U-HD010101\""), "a cell opens its station's inbox");
    // A point given by GPS: a navigation link, not raw coordinates.
    let gps = {
        use backend::services::appeal::{self, SubmitOutcome};
        let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        let d = appeal::start(&state, "c", &form(vec![("category", "neighbor_dispute")])).await.unwrap();
        for (step, pairs) in [
            (domain::draft::Step::What, vec![("description", "隔壁装修每天早上六点就开始砸墙")]),
            (domain::draft::Step::Where, vec![("lat", "35.485"), ("lng", "106.605")]),
            (domain::draft::Step::Who, vec![("identity", "anonymous")]),
        ] {
            appeal::save_step(&state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
        }
        match appeal::submit(&state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
            SubmitOutcome::Accepted { ticket } => ticket,
            other => panic!("{other:?}"),
        }
    };
    let page = get_with(&app, &format!("/staff/appeal/{gps}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    // Staff read the timeline in the third person (issue 14), not the resident's "you".
    assert!(page.body.contains("群众提交了诉求") && !page.body.contains("您提交了诉求"), "{}", page.body);
    assert!(page.body.contains("href=\"geo:35.485000,106.605000\""), "{}", page.body);
    assert!(!page.body.contains("(35.48500"), "no raw coordinates");
    // Repeat cases (issue 13): two named appeals from one number each list the other, by ticket,
    // and the page never prints the number.
    let named = || async {
        use backend::services::appeal::{self, SubmitOutcome};
        let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        let d = appeal::start(&state, "c", &form(vec![("category", "neighbor_dispute")])).await.unwrap();
        for (step, pairs) in [
            (domain::draft::Step::What, vec![("description", "隔壁装修每天早上六点就开始砸墙")]),
            (domain::draft::Step::Where, vec![("lat", "35.485"), ("lng", "106.605")]),
            (domain::draft::Step::Who, vec![("identity", "named"), ("name", "王秀英"), ("phone", "13812341234")]),
        ] {
            appeal::save_step(&state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
        }
        match appeal::submit(&state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
            SubmitOutcome::Accepted { ticket } => ticket,
            other => panic!("{other:?}"),
        }
    };
    let (first, second) = (named().await, named().await);
    let page = get_with(&app, &format!("/staff/appeal/{first}"), &cookie).await;
    assert!(page.body.contains("id=\"repeats\""), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/staff/appeal/{second}\"")));
    assert!(!page.body.contains("13812341234"), "never the number");
    assert!(!page.body.contains("id=\"repeats-elsewhere\""), "all of them in scope: no count");
    assert!(!get_with(&app, &format!("/staff/appeal/{gps}"), &cookie).await.body.contains("id=\"repeats\""));
    let bad = get_with(&app, "/staff/dashboard?period=month&year=2026&month=13", &cookie).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // Another district's dispatcher sees none of them.
    let (other, _) = common::staff_sign_in(&app, &state, "xiqu", PASSWORD, None).await;
    let r = get_with(&app, "/staff/dashboard", &other).await;
    assert!(r.body.contains("<th scope=\"row\">收到诉求</th><td class=\"num\">0</td>"), "{}", r.body);
    // One more from the number in another district: counted, and only counted.
    let far = {
        use backend::services::appeal::{self, SubmitOutcome};
        let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        let d = appeal::start(&state, "c", &form(vec![("category", "suggestion")])).await.unwrap();
        for (step, pairs) in [
            (domain::draft::Step::What, vec![("description", "建议在西区菜市场门口加装一个公交站牌")]),
            (domain::draft::Step::Where, vec![("district", "HX"), ("street", "HX01")]),
            (domain::draft::Step::Who, vec![("identity", "named"), ("name", "王秀英"), ("phone", "13812341234")]),
        ] {
            appeal::save_step(&state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
        }
        match appeal::submit(&state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
            SubmitOutcome::Accepted { ticket } => ticket,
            other => panic!("{other:?}"),
        }
    };
    let page = get_with(&app, &format!("/staff/appeal/{first}"), &cookie).await;
    assert!(page.body.contains("这个号码在您的辖区以外还有 1 件诉求（只显示件数）。"), "{}", page.body);
    assert!(!page.body.contains(&far) && !page.body.contains("公交站牌"));
}

#[tokio::test]
async fn staff_record_a_phone_appeal_and_see_its_receipt_once() {
    use common::{between, csrf, enc, post_with};
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let n = backend::auth::NewStaff {
        username: "hotline".into(),
        display_name: "区热线".into(),
        unit: "U-HD".into(),
        role: "dispatcher".into(),
        password: PASSWORD.into(),
    };
    backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    assert_eq!(get(&app, "/staff/appeal/new").await.location.as_deref(), Some("/staff/login"));
    let (cookie, _) = common::staff_sign_in(&app, &state, "hotline", PASSWORD, None).await;
    let page = get_with(&app, "/staff/appeal/new", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"channel\" value=\"phone\""), "{}", page.body);
    assert!(page.body.contains("<option value=\"HD010101\""), "the district's cells are offered");
    let token = between(&page.body, "name=\"token\" value=\"", "\"").unwrap().to_owned();
    let body = |csrf_token: &str, description: &str| {
        format!(
            "csrf={csrf_token}&token={token}&channel=phone&category=neighbor_dispute&description={}&cell=HD010101&identity=anonymous",
            enc(description)
        )
    };
    // No CSRF token: refused, nothing stored.
    let r = post_with(&app, "/staff/appeal/new", &body("", "楼上邻居每天半夜装修，打电话来反映"), &cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let t = csrf(&page.body);
    // Too short: back to the form with the message and what was typed.
    let r = post_with(&app, "/staff/appeal/new", &body(&t, "太吵"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#intake"));
    let back = get_with(&app, "/staff/appeal/new", &cookie).await;
    assert!(back.body.contains("太吵</textarea>"), "what was typed is kept");
    assert!(back.body.contains("aria-invalid=\"true\""));
    // Recorded: the receipt once, on the page (never in the URL).
    let r = post_with(&app, "/staff/appeal/new", &body(&t, "楼上邻居每天半夜装修，打电话来反映"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/appeal/new#receipt"));
    let done = get_with(&app, "/staff/appeal/new", &cookie).await;
    let key = between(&done.body, "id=\"intake-key\" class=\"code\">", "<")
        .unwrap_or_else(|| panic!("the key is shown: {}", done.body))
        .to_owned();
    let ticket = between(&done.body, "id=\"intake-ticket\" class=\"code\">", "<").unwrap().to_owned();
    assert!(key.len() >= 26 && ticket.starts_with("PA"), "{ticket} {key}");
    // For the counter: how the resident follows it, a print button (revealed by its script),
    // the browser's print command without JavaScript; the print style sheet keeps the receipt only.
    assert!(done.body.contains("“查进度”页面（/track）"), "{}", done.body);
    assert!(!done.body.contains("{url}"), "{}", done.body);
    assert!(done.body.contains("id=\"intake-print\" hidden"), "{}", done.body);
    assert!(done.body.contains("<script src=\"/intake-print.js\" defer>"), "{}", done.body);
    assert!(done.body.contains("<noscript><p class=\"intake-print-hint\">"), "{}", done.body);
    let script = get_with(&app, "/intake-print.js", "").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("window.print()"));
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../style/main.css")).unwrap();
    let print = &css[css.find("@media print").unwrap()..];
    assert!(print.contains("main:has(#intake-ticket) #intake"), "the form is not printed under the receipt");
    let again = get_with(&app, "/staff/appeal/new", &cookie).await;
    assert!(!again.body.contains(&key), "shown once");
    let recorded = get_with(&app, &format!("/staff/appeal/{}", ticket.replace('-', "")), &cookie).await;
    assert!(recorded.body.contains("工作人员登记了诉求（电话）"), "{}", recorded.body);
    // The resident tracks it with that receipt.
    let stored: (String,) =
        sqlx::query_as("SELECT channel FROM appeals WHERE channel = 'phone'").fetch_one(&state.db.pool).await.unwrap();
    assert_eq!(stored.0, "phone");
    let plain_ticket = domain::receipt::Ticket::parse(&ticket).unwrap();
    let plain_key = domain::receipt::AccessKey::parse(&key).unwrap();
    assert!(backend::services::track::track(&state, "t", plain_ticket.as_str(), plain_key.as_str()).await.is_ok());
}

#[tokio::test]
async fn a_phone_search_is_posted_and_never_in_a_url() {
    let (state, app) = community_portal("heping4").await;
    let named = {
        use backend::services::appeal::{self, SubmitOutcome};
        let form = |pairs: Vec<(&str, &str)>| pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        let d = appeal::start(&state, "c", &form(vec![("category", "sanitation")])).await.unwrap();
        for (step, pairs) in [
            (domain::draft::Step::What, vec![("description", "垃圾站三天没有清运，气味很大")]),
            (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
            (domain::draft::Step::Who, vec![("identity", "named"), ("name", "李秀兰"), ("phone", "13912345678")]),
        ] {
            appeal::save_step(&state, &d.token, &d.secret, step, &form(pairs)).await.unwrap();
        }
        match appeal::submit(&state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
            SubmitOutcome::Accepted { ticket } => domain::receipt::Ticket::parse(&ticket).unwrap().display(),
            other => panic!("{other:?}"),
        }
    };
    let other = appeal(&state, "HD", "HD01", "HD0101", "楼道的灯坏了两个星期，晚上看不见路").await;
    let (cookie, _) = common::staff_sign_in(&app, &state, "heping4", PASSWORD, None).await;

    // A number in the URL is not a search (nothing filtered by it).
    let r = get_with(&app, "/staff?status=&phone=13912345678", &cookie).await;
    assert!(r.body.contains(&named) && r.body.contains(&other), "{}", r.body);
    assert!(r.body.contains("<form method=\"post\" action=\"/staff/search\""), "{}", r.body);

    // Posted without the token: refused, nothing kept.
    let forged = post_with(&app, "/staff/search", "csrf=x&status=&phone=13912345678", &cookie).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let r = get_with(&app, "/staff?status=&by_phone=1", &cookie).await;
    assert!(r.body.contains(&other), "no number was kept: {}", r.body);

    // Posted with the token and the current filter: back to the inbox with `by_phone=1`.
    let token = csrf(&r.body);
    let r = post_with(
        &app,
        "/staff/search",
        &format!("csrf={token}&status=&q={}&phone=139+1234+5678", enc("清运")),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.location.clone().unwrap();
    assert!(to.starts_with("/staff?") && to.contains("by_phone=1") && to.contains("by_words=1"), "{to}");
    assert!(!to.contains("139"), "{to}");
    let page = get_with(&app, &to, &cookie).await;
    assert!(page.body.contains(&named) && !page.body.contains(&other), "{}", page.body);
    assert!(page.body.contains("找到 1 件"));
    // The number is shown back in its field, and in no link or hidden field of the page.
    assert!(page.body.contains("value=\"139 1234 5678\""), "{}", page.body);
    for href in page.body.split("href=\"").skip(1) {
        let href = href.split('"').next().unwrap_or_default();
        assert!(!href.contains("139"), "{href}");
    }
    assert!(page.body.contains("/staff/ledger.csv?status=&amp;by_phone=1&amp;by_words=1"), "{}", page.body);
    // The export follows the kept number.
    let file = get_with(&app, "/staff/ledger.csv?status=&by_phone=1", &cookie).await;
    assert!(file.body.contains(&named) && !file.body.contains(&other), "{}", file.body);
    // The search is audited, the number masked.
    let audit = backend::store::audit::recent(&state.db.pool, None, None, None, 50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "search_phone"));
    assert!(audit.iter().all(|e| !e.detail.contains("13912345678")));

    // A bad number: said on the field, nothing listed.
    let r = post_with(&app, "/staff/search", &format!("csrf={token}&status=&phone=12345"), &cookie).await;
    let page = get_with(&app, r.location.as_deref().unwrap(), &cookie).await;
    assert!(page.body.contains("aria-invalid=\"true\""), "{}", page.body);
    assert!(!page.body.contains(&named) && !page.body.contains(&other));

    // An empty number ends the phone search.
    let r = post_with(&app, "/staff/search", &format!("csrf={token}&status=&phone="), &cookie).await;
    let to = r.location.unwrap();
    assert!(!to.contains("by_phone"), "{to}");
    let page = get_with(&app, "/staff?status=&by_phone=1", &cookie).await;
    assert!(page.body.contains(&named) && page.body.contains(&other));

    // Someone else signing in on this browser does not inherit the number.
    let r = post_with(&app, "/staff/search", &format!("csrf={token}&status=&phone=13912345678"), &cookie).await;
    assert!(r.location.unwrap().contains("by_phone=1"));
    let n = backend::auth::NewStaff {
        username: "heping5".into(),
        display_name: "和平社区".into(),
        unit: "U-HD0101".into(),
        role: "unit_handler".into(),
        password: PASSWORD.into(),
    };
    backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let r =
        post_with(&app, "/staff/login", &format!("csrf={token}&username=heping5&password={}", enc(PASSWORD)), &cookie)
            .await;
    assert_eq!(r.location.as_deref(), Some("/staff"));
    let (second, _) = common::session_cookie(&r).expect("a new session id");
    let page = get_with(&app, "/staff?status=&by_phone=1", &second).await;
    assert!(page.body.contains(&named) && page.body.contains(&other), "{}", page.body);
    assert!(!page.body.contains("13912345678"));
}

#[tokio::test]
async fn administrators_get_no_phone_search() {
    let cfg = config(Limits::default());
    let state = build_state(&cfg).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let n = backend::auth::NewStaff {
        username: "root2".into(),
        display_name: "管理员".into(),
        unit: "U-SF".into(),
        role: "admin".into(),
        password: PASSWORD.into(),
    };
    backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let (admin, _) = common::staff_sign_in(&app, &state, "root2", PASSWORD, None).await;
    let page = get_with(&app, "/staff?status=", &admin).await;
    assert!(!page.body.contains("name=\"phone\""), "{}", page.body);
    let r =
        post_with(&app, "/staff/search", &format!("csrf={}&status=&phone=13912345678", csrf(&page.body)), &admin).await;
    let to = r.location.unwrap();
    assert!(!to.contains("by_phone"), "not kept: {to}");
}

/// Two downloads that are still going out hold this node's two export turns: a third is told
/// to come back in a minute (503, `Retry-After`, in the member's language); a member whose own
/// download is still going out is told so (429), also while the node has a turn free; once one
/// of the downloads ends or breaks off, exports work again.
#[tokio::test]
async fn a_third_export_at_once_is_asked_to_wait() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;
    let (state, app) = community_portal("heping3").await;
    for other in ["heping4", "heping5"] {
        let n = backend::auth::NewStaff {
            username: other.into(),
            display_name: "和平社区".into(),
            unit: "U-HD0101".into(),
            role: "unit_handler".into(),
            password: PASSWORD.into(),
        };
        backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    }
    appeal(&state, "HD", "HD01", "HD0101", "楼道里堆满杂物，已经两周了，没人清理").await;
    let mut cookies = Vec::new();
    for name in ["heping3", "heping4", "heping5"] {
        cookies.push(common::staff_sign_in(&app, &state, name, PASSWORD, None).await.0);
    }
    let open = |path: &'static str, cookie: &String| {
        let app = app.clone();
        let cookie = cookie.clone();
        async move {
            app.oneshot(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await.unwrap()
        }
    };
    // A first download started and not read: its member's second is refused, not queued.
    let one = open("/staff/ledger.csv", &cookies[0]).await;
    assert_eq!(one.status(), StatusCode::OK);
    let r = get_with(&app, "/staff/ledger.xlsx", &cookies[0]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "60");
    assert!(
        r.body.contains("您的另一份台账还在导出，请等它下载完再导出（暂停或停住的下载两分钟后会被中断）。"),
        "{}",
        r.body
    );
    // A second member's download takes the node's other turn.
    let two = open("/staff/ledger.csv", &cookies[1]).await;
    assert_eq!(two.status(), StatusCode::OK);
    for path in ["/staff/ledger.csv", "/staff/ledger.xlsx"] {
        let r = get_with(&app, path, &cookies[2]).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "60");
        assert!(r.body.contains("本服务器正在导出其他台账，请一分钟后再试。"), "{}", r.body);
    }
    // One read to its end, the other dropped unread (a download broken off): both turns come
    // back (the dropped one's once its read-ahead task is aborted), so the first two members
    // download again and the third is again asked to wait.
    let body = axum::body::to_bytes(one.into_body(), usize::MAX).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("楼道里堆满杂物"));
    drop(two);
    let three = open("/staff/ledger.csv", &cookies[0]).await;
    assert_eq!(three.status(), StatusCode::OK);
    let mut four = open("/staff/ledger.csv", &cookies[1]).await;
    for _ in 0..250 {
        if four.status() == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        four = open("/staff/ledger.csv", &cookies[1]).await;
    }
    assert_eq!(four.status(), StatusCode::OK, "the broken-off download gave its turns back");
    assert_eq!(get_with(&app, "/staff/ledger.xlsx", &cookies[2]).await.status, StatusCode::SERVICE_UNAVAILABLE);
    drop((three, four));
}

/// A download that takes nothing for the stall time gives its turns back, so its member may
/// export again, and lets go of what it held: asked for its bytes afterwards, it breaks off
/// instead of going on. (Downloads that keep reading are never cut: every other test here.)
#[tokio::test]
async fn a_download_that_takes_nothing_gives_its_turn_back() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;
    let stall = std::time::Duration::from_secs(2);
    let (state, app) = community_portal_stalling("heping6", stall).await;
    // Long descriptions: the file is several pieces (`ledger::PIECE`), joined again in order.
    let mut tickets = Vec::new();
    for i in 0..24 {
        let words = format!("第{i}件：{}", "楼道里堆满杂物，已经两周了，没人清理。".repeat(95));
        tickets.push(appeal(&state, "HD", "HD01", "HD0101", &words).await);
    }
    let (cookie, _) = common::staff_sign_in(&app, &state, "heping6", PASSWORD, None).await;
    let open = || {
        let request = Request::get("/staff/ledger.csv").header(header::COOKIE, cookie.clone()).body(Body::empty());
        app.clone().oneshot(request.unwrap())
    };
    let started = std::time::Instant::now();
    let stalled = open().await.unwrap();
    assert_eq!(stalled.status(), StatusCode::OK);
    // Not read, not yet stalled: the member's turn is held.
    assert_eq!(get_with(&app, "/staff/ledger.csv", &cookie).await.status, StatusCode::TOO_MANY_REQUESTS);
    let mut again = open().await.unwrap();
    while again.status() != StatusCode::OK && started.elapsed() < stall * 10 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        again = open().await.unwrap();
    }
    assert_eq!(again.status(), StatusCode::OK, "the stalled download gave its turn back");
    // `started` was taken before the download began: never early, at worst a little late.
    assert!(started.elapsed() >= stall, "not before the stall time: {:?}", started.elapsed());
    let body = axum::body::to_bytes(again.into_body(), usize::MAX).await.unwrap();
    assert!(body.len() > 2 * backend::services::ledger::PIECE, "{}", body.len());
    let text = String::from_utf8(body.to_vec()).expect("whole characters: the pieces joined in order");
    for (i, ticket) in tickets.iter().enumerate() {
        let line = text.lines().find(|l| l.contains(ticket.as_str())).unwrap_or_else(|| panic!("{ticket}"));
        assert!(line.contains(&format!("第{i}件：楼道里堆满杂物")), "{line}");
    }
    assert!(axum::body::to_bytes(stalled.into_body(), usize::MAX).await.is_err(), "the stalled download breaks off");
}
