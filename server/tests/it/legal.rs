//! Router tests of the legal-aid centre: the real router, driven as a browser with JavaScript off.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backend::config::Limits;
use common::{between, enc, get, get_with as staff_get, post_with, send};
use pingan_server::startup::{build_router, build_state, leptos_options};

async fn app() -> Router {
    let mut config = common::config(Limits::default());
    config.legal.income_limit = 1350;
    let state = build_state(&config).await.unwrap();
    build_router(state, leptos_options(&config), false)
}

/// A same-origin staff POST with the session cookie.
async fn staff_post(app: &Router, uri: &str, cookie: &str, body: &str) -> common::Res {
    post_with(app, uri, body, cookie).await
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
}

fn title(body: &str) -> &str {
    between(body, "<title>", "</title>").unwrap_or_default()
}

#[tokio::test]
async fn every_page_renders_with_its_title() {
    let app = app().await;
    let pages = [
        ("/legal", "法律帮助 - 平安键"),
        ("/legal/topic/labour", "工资和工作 - 平安键"),
        ("/legal/topic/legal_aid", "法律援助 - 平安键"),
        ("/legal/articles/wages-unpaid-first-steps", "被拖欠工资了，先做这几件事 - 平安键"),
        ("/legal/services", "法律服务机构 - 平安键"),
        ("/legal/search", "搜索法律知识 - 平安键"),
        ("/legal/eligibility", "您遇到的是哪一类事情？ - 法律援助自测 - 平安键"),
    ];
    for (path, want) in pages {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(title(&r.body), want, "{path}");
        assert!(r.body.contains("<meta name=\"description\""), "{path}: description");
        assert!(
            r.body.contains(&format!("<link href=\"{path}\" rel=\"canonical\">")),
            "{path}: canonical (no PINGAN_PUBLIC_URL in tests: the path alone)"
        );
        assert_eq!(r.body.matches("<h1").count(), 1, "{path}: one h1");
    }

    // A forged Host never reaches a page: the reading pages are cached for everyone.
    for path in ["/legal/topic/legal_aid", "/legal/search"] {
        let req = axum::http::Request::get(path)
            .header(axum::http::header::HOST, "evil.example")
            .body(axum::body::Body::empty())
            .unwrap();
        let r = crate::common::send(&app, req).await;
        assert!(!r.body.contains("evil.example"), "{path}");
        assert!(get(&app, path).await.body.contains(&format!("<link href=\"{path}\" rel=\"canonical\">")), "{path}");
    }

    let home = get(&app, "/legal").await.body;
    for text in [
        "href=\"/legal/eligibility\"",
        "href=\"/legal/services\"",
        "action=\"/legal/search\"",
        "href=\"/legal/topic/family\"",
        "婚姻家庭",
        "href=\"/legal/articles/people-mediation-how\"",
    ] {
        assert!(home.contains(text), "/legal lacks {text}");
    }
    let topic = get(&app, "/legal/topic/family").await.body;
    assert!(topic.contains("离婚后孩子归谁、抚养费怎么算") && !topic.contains("劳动仲裁怎么申请"));

    let a = get(&app, "/legal/articles/wages-unpaid-first-steps").await.body;
    for text in [
        "这是一般性法律信息，不是针对您个人情况的法律意见。",
        "最近审核：<time datetime=\"2026-11-20\">2026-11-20</time>",
        "《劳动合同法》第三十条",
        "<h2>",
        "href=\"/legal/articles/labour-arbitration-how\"",
        "相关文章",
    ] {
        assert!(a.contains(text), "article lacks {text}");
    }
    assert!(!a.contains("<script>alert"), "no raw HTML");

    // In English too (the articles themselves are Chinese content).
    let en = send(
        &app,
        Request::get("/legal/eligibility?matter=labour&group=none&means=unsure")
            .header(header::COOKIE, "lang=en")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(title(&en.body), "It depends: ask the legal aid centre - Legal aid self-check - Ping'an Key");
    assert!(en.body.contains("This is general legal information, not legal advice about your own situation."));
    let en = send(&app, Request::get("/legal").header(header::COOKIE, "lang=en").body(Body::empty()).unwrap()).await;
    assert!(en.body.contains("Wages and work") && en.body.contains("Legal aid self-check"));
    // An article in English mode: said to be Chinese only, its Chinese text marked lang="zh-CN"
    // (issue 14); in Chinese mode no such note.
    let art = "/legal/articles/wages-unpaid-first-steps";
    let en = send(&app, Request::get(art).header(header::COOKIE, "lang=en").body(Body::empty()).unwrap()).await;
    assert!(en.body.contains("This article is available in Chinese only."), "{}", en.body);
    assert!(en.body.contains("<h1>Unpaid wages: first steps</h1>"), "English title where there is one: {}", en.body);
    assert!(
        en.body.contains("class=\"article-body\" lang=\"zh-CN\"")
            || en.body.contains("lang=\"zh-CN\" class=\"article-body\"")
    );
    assert!(!get(&app, art).await.body.contains("id=\"zh-only\""));

    for missing in ["/legal/articles/no-such-article", "/legal/topic/taxes"] {
        let r = get(&app, missing).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn search_results_and_states() {
    let app = app().await;
    let r = get(&app, &format!("/legal/search?q={}", enc("工资"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("“工资”的搜索结果"), "{}", r.body);
    assert!(r.body.contains("<mark>工资</mark>"));
    let first = between(&r.body, "<li class=\"hit hit-article\"><a href=\"", "\"").unwrap();
    assert!(
        ["/legal/articles/wages-unpaid-first-steps", "/legal/articles/labour-contract-missing"].contains(&first),
        "{first}"
    );
    assert!(r.body.contains("value=\"工资\""), "the query stays in the box");

    let r = get(&app, &format!("/legal/search?q={}", enc("调解"))).await;
    assert!(r.body.contains("id=\"hits-services\"") && r.body.contains("东关街道人民<mark>调解</mark>委员会"));

    let r = get(&app, "/legal/search?q=").await;
    assert!(r.body.contains("id=\"search-empty\"") && !r.body.contains("search-status"));
    let r = get(&app, &format!("/legal/search?q={}", enc("量子纠缠"))).await;
    assert!(r.body.contains("id=\"search-none\""));
    // The query is text, never markup.
    let r = get(&app, &format!("/legal/search?q={}", enc("<b>工资</b>"))).await;
    assert!(!r.body.contains("<b>工资</b>"), "query echoed as HTML");
}

#[tokio::test]
async fn the_directory_filters_and_measures() {
    let app = app().await;
    let r = get(&app, "/legal/services?kind=mediation_committee&district=HD&street=HD01").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("东关街道人民调解委员会") && r.body.contains("东关街道和平社区人民调解委员会"));
    assert!(!r.body.contains("南塬街道人民调解委员会") && !r.body.contains("东关司法所"));
    assert!(r.body.contains("<select id=\"street\" name=\"street\">"), "the street level appears");
    assert!(r.body.contains("id=\"svc-LS-HD01-MED\""));
    // By location (what the LocateButton island fills in): distances in m / km.
    let r = get(&app, "/legal/services?kind=legal_aid_center&lat=35.485&lng=106.605").await;
    let d = between(&r.body, "class=\"distance\">", "<").unwrap();
    assert!(d.ends_with("公里") || d.ends_with(" 米"), "{d}");
    assert!(r.body.find("河东区法律援助中心").unwrap() < r.body.find("高新区法律援助中心").unwrap(), "nearest first");
}

/// The directory's form carries the device's position ("use my location"): it is posted, and
/// the address it leads to holds that position rounded to about 100 m, never the exact point.
#[tokio::test]
async fn the_directory_form_is_posted_and_its_address_holds_a_rounded_position() {
    let app = app().await;
    let page = get(&app, "/legal/services").await;
    let form = between(&page.body, "<form", ">").expect("the filter form");
    assert!(form.contains("method=\"post\"") && form.contains("action=\"/form/legal/services\""), "{form}");
    assert!(!page.body.contains("method=\"get\" action=\"/legal/services\""));
    let r = common::post_form(
        &app,
        "/form/legal/services",
        "kind=legal_aid_center&district=&street=&lat=35.485123&lng=106.604987",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.location.expect("a redirect");
    assert_eq!(to, "/legal/services?kind=legal_aid_center&lat=35.485&lng=106.605");
    let r = get(&app, &to).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("class=\"distance\""), "distances from the rounded point");
    assert!(r.body.find("河东区法律援助中心").unwrap() < r.body.find("高新区法律援助中心").unwrap(), "nearest first");
    // The filled-in position the island shows back is the rounded one.
    assert!(r.body.contains("value=\"35.485\"") && !r.body.contains("35.485123"));
    // Without a position (JavaScript off: the cascade), the filters go through as they were.
    let r = common::post_form(&app, "/form/legal/services", "kind=mediation_committee&district=HD&street=HD01").await;
    assert_eq!(r.location.as_deref(), Some("/legal/services?kind=mediation_committee&district=HD&street=HD01"));
    // Anything else is dropped, and the answer is always the directory.
    let r = common::post_form(&app, "/form/legal/services", "lat=javascript:1&lng=2&back=//evil.example").await;
    assert_eq!(r.location.as_deref(), Some("/legal/services"));
}

#[tokio::test]
async fn eligibility_one_question_per_page_to_a_prefilled_appeal() {
    let app = app().await;
    // Question 1; continuing without an answer shows it again with an error.
    let r = get(&app, "/legal/eligibility?q=matter").await;
    assert!(title(&r.body).starts_with("请先改正以下问题: 您遇到的是哪一类事情？"), "{}", title(&r.body));
    assert!(r.body.contains("请选择一项") && r.body.contains("href=\"#matter\""));
    // Question 2 carries the first answer.
    let r = get(&app, "/legal/eligibility?matter=labour&q=matter").await;
    assert_eq!(title(&r.body), "下面的情况，有符合您的吗？ - 法律援助自测 - 平安键");
    assert!(r.body.contains("<input type=\"hidden\" name=\"matter\" value=\"labour\""), "{}", r.body);
    assert!(r.body.contains("id=\"group\"") && !r.body.contains("请选择一项"));
    // Question 3 shows the configured standard.
    let r = get(&app, "/legal/eligibility?matter=labour&group=none&q=group").await;
    assert_eq!(title(&r.body), "您家的经济状况是？ - 法律援助自测 - 平安键");
    assert!(r.body.contains("本市标准（由市司法局公布）：家庭人均每月收入 1350 元"), "{}", r.body);
    assert!(r.body.contains("<input type=\"hidden\" name=\"group\" value=\"none\""));
    // The result.
    let r = get(&app, "/legal/eligibility?matter=labour&group=none&means=below&q=means").await;
    assert_eq!(title(&r.body), "您可能符合法律援助条件 - 法律援助自测 - 平安键");
    assert!(r.body.contains("data-outcome=\"likely\""));
    for text in
        ["居民身份证", "河东区法律援助中心", "第三十一条", "href=\"/legal/eligibility?matter=labour&amp;group=none\""]
    {
        assert!(r.body.contains(text), "result lacks {text}");
    }
    // An art. 32 situation skips the means question.
    let r = get(&app, "/legal/eligibility?matter=none&group=abuse&q=group").await;
    assert!(r.body.contains("data-outcome=\"likely\"") && r.body.contains("第三十二条"));
    let r = get(&app, "/legal/eligibility?matter=criminal&q=matter").await;
    assert!(r.body.contains("data-outcome=\"depends\""));
    // Likely not eligible: the page leads with where else to get help, and applying comes after
    // it as a plainer link (issue 14).
    let r = get(&app, "/legal/eligibility?matter=labour&group=none&means=above").await;
    assert!(r.body.contains("data-outcome=\"unlikely\""), "{}", r.body);
    let (next, help, start) =
        (r.body.find("id=\"unlikely-next\""), r.body.find("id=\"where-title\""), r.body.find("id=\"start-appeal\""));
    assert!(next.unwrap() < help.unwrap() && help.unwrap() < start.unwrap(), "help first, applying after");
    let start_tag = |body: &str| {
        let at = body.find("id=\"start-appeal\"").unwrap();
        let open = body[..at].rfind("<a").unwrap();
        body[open..at + body[at..].find('>').unwrap()].to_owned()
    };
    assert!(start_tag(&r.body).contains("button-secondary"), "{}", start_tag(&r.body));
    let likely = get(&app, "/legal/eligibility?matter=labour&group=none&means=below").await;
    assert!(!likely.body.contains("unlikely-next"));
    assert!(!start_tag(&likely.body).contains("button-secondary"));
    assert!(likely.body.find("id=\"start-appeal\"").unwrap() < likely.body.find("id=\"where-title\"").unwrap());

    // The button starts a legal-aid appeal with the answers.
    let r = get(&app, "/legal/eligibility?matter=labour&group=none&means=below").await;
    let href = unescape(between(&r.body, "id=\"start-appeal\" href=\"", "\"").expect("start button"));
    assert!(href.starts_with("/appeal/new?category=legal_aid&description="), "{href}");
    let mut b = common::browser::Browser::new();
    let page = b.get(&app, &href).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"legal_aid\" checked"), "legal_aid preselected");
    assert!(page.body.contains("id=\"carried-description\""));
    assert!(page.body.contains("action=\"/form/appeal/new\""));
    let carried =
        unescape(between(&page.body, "<input type=\"hidden\" name=\"description\" value=\"", "\"").expect("carried"));
    assert!(carried.contains("要求确认劳动关系或者支付工资（劳动报酬）") && carried.contains("1350"), "{carried}");
    let token = b.start_draft(&app, &format!("category=legal_aid&description={}", enc(&carried))).await;
    let what = b.get(&app, &format!("/appeal/{token}/what")).await;
    let text = unescape(between(&what.body, "<textarea id=\"description\"", "</textarea>").unwrap());
    assert!(text.contains("【法律援助自测】") && text.contains("1350"), "{text}");
    // Going back to step 1 and on again never overwrites what the resident wrote.
    let step = b
        .post(
            &app,
            &format!("/form/appeal/{token}/what"),
            &format!("description={}", enc("我自己写的：老板拖欠工资三个月了")),
        )
        .await;
    assert_eq!(step.status, StatusCode::SEE_OTHER);
    b.post(
        &app,
        &format!("/form/appeal/{token}/category"),
        &format!("category=legal_aid&description={}", enc(&carried)),
    )
    .await;
    let what = b.get(&app, &format!("/appeal/{token}/what")).await;
    assert!(what.body.contains("我自己写的") && !what.body.contains("【法律援助自测】"));
}

#[tokio::test]
async fn dispute_receipts_and_tracking_point_to_legal_help() {
    let app = app().await;
    let mut b = common::browser::Browser::new();
    let t = b.start_draft(&app, "category=neighbor_dispute").await;
    let steps = [
        ("what", format!("description={}", enc("楼上邻居家天天漏水到我家，沟通多次没有结果"))),
        ("where", "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=".to_owned()),
        ("who", "identity=anonymous".to_owned()),
    ];
    for (step, body) in steps {
        let r = b.post(&app, &format!("/form/appeal/{t}/{step}"), &body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}");
    }
    let r = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    assert!(receipt.body.contains("id=\"legal-triage\""), "{}", receipt.body);
    assert!(receipt.body.contains("东关街道和平社区人民调解委员会"), "the community's committee");
    assert!(receipt.body.contains("href=\"/legal/articles/neighbour-noise-water-leak\""));
    assert!(receipt.body.contains("id=\"triage-eligibility\""));
    // The track link carries the codes in its fragment, which the island posts.
    let link = unescape(between(&receipt.body, "id=\"track-link\" href=\"", "\"").unwrap());
    let fragment = link.strip_prefix("/track#").expect("codes in the fragment only");
    let codes: std::collections::HashMap<&str, &str> =
        fragment.split('&').filter_map(|kv| kv.split_once('=')).collect();
    let r = b.post(&app, "/form/track", &format!("ticket={}&key={}", codes["t"], codes["k"])).await;
    assert_eq!(r.location.as_deref(), Some("/track"));
    let track = b.get(&app, "/track").await;
    assert_eq!(track.status, StatusCode::OK);
    assert!(track.body.contains("id=\"legal-triage\"") && track.body.contains("东关街道和平社区人民调解委员会"));
    assert_eq!(track.body.matches("id=\"legal-triage\"").count(), 1, "the legal help block once (issue 14)");

    // Not a dispute: no legal box.
    let t = b.start_draft(&app, "category=sanitation").await;
    for (step, body) in [
        ("what", format!("description={}", enc("小区门口的垃圾桶三天没有清运了"))),
        ("where", "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=".to_owned()),
        ("who", "identity=anonymous".to_owned()),
    ] {
        b.post(&app, &format!("/form/appeal/{t}/{step}"), &body).await;
    }
    b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    assert!(receipt.body.contains("id=\"ticket\"") && !receipt.body.contains("legal-triage"));
}

#[tokio::test]
async fn an_admin_edits_an_article_in_the_staff_workspace() {
    let config = common::config(Limits::default());
    let state = build_state(&config).await.unwrap();
    let password = "river stone lantern 2026";
    let new = |username: &str, role: &str| backend::auth::NewStaff {
        username: username.into(),
        display_name: username.into(),
        unit: "U-SF".into(),
        role: role.into(),
        password: password.into(),
    };
    let by = backend::audit::Who::system();
    backend::auth::create_staff(&state, &by, &new("legaladmin", "admin")).await.unwrap();
    backend::auth::create_staff(&state, &by, &new("dispatch1", "dispatcher")).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&config), false);

    // Admins and dispatchers enrol a second factor at their first sign-in (the helper does).
    let sign_in = |username: &'static str| {
        let (app, state) = (app.clone(), state.clone());
        async move { common::staff_sign_in(&app, &state, username, password, None).await.0 }
    };

    // A dispatcher may not open the editor.
    let cookie = sign_in("dispatch1").await;
    let r = staff_get(&app, "/staff/admin/legal", &cookie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let cookie = sign_in("legaladmin").await;
    let home = staff_get(&app, "/staff/admin", &cookie).await;
    assert!(home.body.contains("href=\"/staff/admin/legal\""));
    let list = staff_get(&app, "/staff/admin/legal", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("href=\"/staff/admin/legal?slug=people-mediation-how\"")
            && !list.body.contains("id=\"legal-edit\"")
    );
    let page = staff_get(&app, "/staff/admin/legal?slug=people-mediation-how", &cookie).await;
    assert!(
        page.body.contains("<textarea id=\"markdown\"") && page.body.contains("## "),
        "the Markdown is in the editor"
    );
    let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_owned();

    // Saving re-renders the public page.
    let md = "## 在线预约\n\n人民调解现在可以在线预约。见[劳动仲裁](/legal/articles/labour-arbitration-how)。";
    let r = staff_post(
        &app,
        "/staff/admin/legal/edit",
        &cookie,
        &format!("csrf={csrf}&slug=people-mediation-how&markdown={}", enc(md)),
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/staff/admin/legal?slug=people-mediation-how"));
    let page = staff_get(&app, "/staff/admin/legal?slug=people-mediation-how", &cookie).await;
    assert!(page.body.contains("已保存。"));
    let public = get(&app, "/legal/articles/people-mediation-how").await;
    assert!(public.body.contains("<h2>在线预约</h2>") && public.body.contains("人民调解现在可以在线预约"));
    let found = get(&app, &format!("/legal/search?q={}", enc("在线预约"))).await;
    assert!(found.body.contains("href=\"/legal/articles/people-mediation-how\""));

    // A broken link is refused; the text comes back as typed.
    let bad = "见[这里](/legal/articles/gone)，再改一次。";
    let r = staff_post(
        &app,
        "/staff/admin/legal/edit",
        &cookie,
        &format!("csrf={csrf}&slug=people-mediation-how&markdown={}", enc(bad)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = staff_get(&app, "/staff/admin/legal?slug=people-mediation-how", &cookie).await;
    assert!(
        page.body.contains("id=\"legal-problems\"")
            && page.body.contains("链接 /legal/articles/gone 指向的文章“gone”不存在"),
        "problems shown, in Chinese"
    );
    assert!(page.body.contains("再改一次"), "the text as typed");
    let public = get(&app, "/legal/articles/people-mediation-how").await;
    assert!(public.body.contains("<h2>在线预约</h2>"), "nothing changed");
    // Without the CSRF token: refused.
    let r = staff_post(
        &app,
        "/staff/admin/legal/edit",
        &cookie,
        &format!("slug=people-mediation-how&markdown={}", enc(md)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Browsers send `Origin: null` with form posts from pages whose referrer policy is
/// no-referrer (all of ours); Sec-Fetch-Site tells our own posts apart from another site's.
#[tokio::test]
async fn form_posts_from_our_no_referrer_pages_are_accepted() {
    let app = app().await;
    let mut b = common::browser::Browser::new();
    let t = b.start_draft(&app, "category=other").await;
    let cookie = b.cookie_for(&format!("/form/appeal/{t}/category"));
    let post = |site: Option<&'static str>| {
        let mut req = Request::post(format!("/form/appeal/{t}/category"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, cookie.clone())
            .header(header::ORIGIN, "null");
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        req.body(Body::from("category=legal_aid")).unwrap()
    };
    let ours = send(&app, post(Some("same-origin"))).await;
    assert_eq!(ours.status, StatusCode::SEE_OTHER);
    assert_eq!(send(&app, post(Some("cross-site"))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, post(None)).await.status, StatusCode::FORBIDDEN);
}

/// The number of elements marked Chinese, apart from `<html>` itself and the language switch.
fn zh_marked(body: &str) -> usize {
    body.matches(" lang=\"zh-CN\"").count()
        - usize::from(body.contains("<html lang=\"zh-CN\""))
        - body.matches("hreflang=\"zh-CN\" lang=\"zh-CN\"").count()
}

#[tokio::test]
async fn english_pages_mark_chinese_content_and_say_the_article_is_chinese_only() {
    let app = app().await;
    let en = |path: &str| {
        let app = app.clone();
        let req = Request::get(path).header(header::COOKIE, "lang=en").body(Body::empty()).unwrap();
        async move { send(&app, req).await }
    };
    // An article with an English title and summary: shown in English; the Chinese body and legal
    // basis marked, and the note at the top.
    let art = "/legal/articles/work-injury-basics";
    let r = en(art).await;
    assert_eq!(title(&r.body), "Injured at work: getting a work injury recognised - Ping'an Key");
    assert!(r.body.contains("<h1>Injured at work: getting a work injury recognised</h1>"), "{}", r.body);
    let note = r.body.find("id=\"zh-only\"").expect("the note");
    assert!(note > r.body.find("<h1>").unwrap() && note < r.body.find("class=\"article-body\"").unwrap());
    assert!(r.body.contains(">This article is available in Chinese only.</p>"), "{}", r.body);
    assert!(r.body.contains("<p class=\"tagline\">What counts as a work injury"), "{}", r.body);
    assert!(r.body.contains("<div lang=\"zh-CN\" class=\"article-body\">"), "{}", r.body);
    assert!(r.body.contains("<p lang=\"zh-CN\">《工伤保险条例》"), "{}", r.body);
    assert!(!r.body.contains("<h1 lang="), "the English title is not marked Chinese");
    // Related articles: their English titles.
    assert!(between(&r.body, "id=\"related-title\"", "</section>")
        .is_some_and(|s| s.contains(">Who can get legal aid</a>")));
    // The same page in Chinese: the Chinese text, no note, nothing marked (the page is Chinese).
    let r = get(&app, art).await;
    assert!(r.body.contains("<h1>上班时受了伤，怎么认定工伤</h1>"), "{}", r.body);
    assert!(!r.body.contains("zh-only") && !r.body.contains("available in Chinese only"));
    assert_eq!(zh_marked(&r.body), 0, "{}", r.body);
    assert!(!r.body.contains("Injured at work"));

    // Topic lists and the home page: English titles in English, Chinese ones in Chinese.
    let r = en("/legal/topic/labour").await;
    assert!(
        r.body.contains(">Unpaid wages: first steps</a>") && r.body.contains("Wages paid late or short"),
        "{}",
        r.body
    );
    assert_eq!(zh_marked(&r.body), 0, "every labour article has English: {}", r.body);
    let r = get(&app, "/legal/topic/labour").await;
    assert!(r.body.contains(">被拖欠工资了，先做这几件事</a>") && !r.body.contains("Unpaid wages"));
    assert_eq!(zh_marked(&r.body), 0);

    // The directory: names, addresses and hours are Chinese content, marked on English pages.
    let r = en("/legal/services?kind=legal_aid_center").await;
    assert!(r.body.contains("<h2 lang=\"zh-CN\" class=\"service-name\">河东区法律援助中心</h2>"), "{}", r.body);
    assert!(r.body.contains("<dd lang=\"zh-CN\">河东区东关街道东关大街21号"), "{}", r.body);
    assert_eq!(zh_marked(&r.body), 3 * 3, "three centres, three Chinese texts each");
    let r = get(&app, "/legal/services?kind=legal_aid_center").await;
    assert!(r.body.contains("<h2 class=\"service-name\">河东区法律援助中心</h2>"));
    assert_eq!(zh_marked(&r.body), 0);

    // Search in English mode: an English hit shows its English title and summary; a service
    // point's Chinese name is marked.
    let r = en(&format!("/legal/search?q={}", enc("老板不给钱"))).await;
    let hits = between(&r.body, "id=\"hits-articles\"", "</section>").expect("article hits");
    assert!(hits.contains("<span>Unpaid wages: first steps</span>"), "{hits}");
    assert!(hits.contains("<p class=\"snippet\">Wages paid late or short"), "{hits}");
    let r = en("/legal/search?q=wages").await;
    assert!(r.body.contains("<span>Unpaid <mark>wages</mark>: first steps</span>"), "{}", r.body);
    let r = en(&format!("/legal/search?q={}", enc("法律援助中心"))).await;
    let hits = between(&r.body, "id=\"hits-services\"", "</section>").expect("service hits");
    assert!(hits.contains("<span lang=\"zh-CN\">河东区<mark>法律援助中心</mark></span>"), "{hits}");
    // In Chinese: Chinese titles, nothing marked.
    let r = get(&app, &format!("/legal/search?q={}", enc("老板不给钱"))).await;
    let hits = between(&r.body, "id=\"hits-articles\"", "</section>").expect("article hits");
    assert!(hits.contains("<span>被拖欠工资了，先做这几件事</span>") && !hits.contains("Unpaid"), "{hits}");
    assert_eq!(zh_marked(&r.body), 0);
}
