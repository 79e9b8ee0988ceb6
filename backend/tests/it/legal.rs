//! The legal-aid centre on SQLite and PostgreSQL: import (all or nothing, in place), search
//! relevance on Chinese queries (FTS5 trigram on SQLite, ILIKE + pg_trgm on PostgreSQL), nearest
//! service points, triage for dispute appeals, and an admin's edit of an article.

use crate::common;

use backend::auth::Staff;
use backend::config::Limits;
use backend::services::legal::{self, LegalFiles};
use backend::store::legal as store;
use backend::{AppState, BackendError};
use common::Engine;
use domain::fields::GeoPoint;
use domain::legal::{SearchView, ServiceKind};
use domain::workflow::Role;

async fn legal_state(engine: Engine) -> Option<AppState> {
    let state = common::demo_state(engine, Limits::default()).await?;
    let report = legal::import_bundled_if_empty(&state.db, &state.catalog.get()).await.unwrap();
    assert_eq!(report.map(|r| (r.articles, r.services)), Some((24, 45)));
    Some(state)
}

fn slugs(v: &SearchView) -> Vec<&str> {
    v.articles.iter().map(|h| h.href.trim_start_matches("/legal/articles/")).collect()
}

fn service_codes(v: &SearchView) -> Vec<&str> {
    v.services.iter().map(|h| h.href.trim_start_matches("/legal/services#svc-")).collect()
}

async fn import_is_all_or_nothing_and_in_place(engine: Engine) {
    let Some(state) = legal_state(engine).await else { return };
    let cat = state.catalog.get();
    // The bundled set is imported once; startup does not import it again.
    assert_eq!(legal::import_bundled_if_empty(&state.db, &cat).await.unwrap(), None);
    let who = backend::audit::Who::system();
    // A re-import of the same set changes nothing.
    let again = legal::import_as(&state.db, &cat, &legal::bundled_files(), &who).await.unwrap();
    assert_eq!((again.articles, again.services, again.removed), (24, 45, 0));
    assert_eq!(store::count_articles(&state.db.pool).await.unwrap(), 24);

    // Bad lines: every problem is reported and nothing is written.
    let mut bad = legal::bundled_files();
    bad.services = bad.services.replace("河东区法律援助中心", "改名的中心");
    bad.services.push_str("X-1,幽灵机构,mediation_committee,NOWHERE,某地,1,全天,35.5,106.6\n");
    bad.services.push_str("X-2,怪机构,court,HD,某地,1,全天,35.502872,106.630984\n");
    bad.services.push_str("X-3,错位机构,judicial_office,HX01,河东区某地,1,全天,35.502872,106.630984\n");
    bad.services.push_str("X-4,城外机构,judicial_office,HD,城外,1,全天,30.0,100.0\n");
    bad.services.push_str("X-5,乱码机构,judicial_office,HD,某地,1,全天,north,east\n");
    // A blank line and a quoted line break: the lines after them are the file's lines.
    bad.services.push_str("\nX-6,\"两行\n名称\",judicial_office,HD,某地,1,全天,30.0,100.0\n");
    bad.services.push_str("X-7,怪机构二,court,HD,某地,1,全天,35.502872,106.630984\n");
    bad.articles[0].1 = bad.articles[0].1.replacen("topic: family", "topic: taxes", 1);
    let errs = match legal::import_as(&state.db, &cat, &bad, &who).await {
        Err(BackendError::Import(e)) => e.join("\n"),
        other => panic!("expected import errors, got {other:?}"),
    };
    assert!(errs.contains("services.csv: line 47 (X-1): unknown region \"NOWHERE\""), "{errs}");
    assert!(errs.contains("services.csv: line 48 (X-2): unknown kind \"court\""), "{errs}");
    assert!(errs.contains("services.csv: line 49 (X-3): point 35.502872, 106.630984 lies in cell HD"), "{errs}");
    assert!(errs.contains("outside region HX01"), "{errs}");
    assert!(errs.contains("services.csv: line 50 (X-4): point 30.0, 100.0 lies in no grid cell"), "{errs}");
    assert!(errs.contains("services.csv: line 51 (X-5): lat/lng \"north\", \"east\" are not coordinates"), "{errs}");
    assert!(errs.contains("services.csv: line 53 (X-6): point 30.0, 100.0 lies in no grid cell"), "{errs}");
    assert!(errs.contains("services.csv: line 55 (X-7): unknown kind \"court\""), "{errs}");
    assert!(errs.contains("articles/child-support-custody.md: unknown topic \"taxes\""), "{errs}");
    let names: Vec<String> = store::all_services(&state.db.pool).await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names.len(), 45);
    assert!(names.iter().any(|n| n == "河东区法律援助中心") && !names.iter().any(|n| n == "改名的中心"));

    // A smaller valid set updates in place and removes what it no longer has.
    let mut smaller = legal::bundled_files();
    smaller.services = smaller.services.replace("河东区法律援助中心", "河东区法律援助中心（新址）");
    let lines: Vec<&str> = smaller.services.lines().collect();
    smaller.services = lines[..lines.len() - 1].join("\n");
    let r = legal::import_as(&state.db, &cat, &smaller, &who).await.unwrap();
    assert_eq!((r.services, r.removed), (44, 1));
    let names: Vec<String> = store::all_services(&state.db.pool).await.unwrap().into_iter().map(|s| s.name).collect();
    assert!(names.iter().any(|n| n == "河东区法律援助中心（新址）"));
    // Search follows the import (the index is kept in the same transaction).
    let v = legal::search(&state, "新址").await.unwrap();
    assert_eq!(service_codes(&v), vec!["LS-HD-AID"]);
    let v = legal::search(&state, "长安社区").await.unwrap();
    assert!(!service_codes(&v).contains(&"LS-GX0303-MED"), "removed point still found: {:?}", service_codes(&v));
}
both_engines!(import_is_all_or_nothing_and_in_place);

async fn chinese_search_is_relevant(engine: Engine) {
    let Some(state) = legal_state(engine).await else { return };
    // "工资" (wages): the wage articles first.
    let v = legal::search(&state, "工资").await.unwrap();
    let s = slugs(&v);
    assert!(s.len() >= 3, "{s:?}");
    let wage = ["wages-unpaid-first-steps", "labour-contract-missing"];
    assert!(wage.contains(&s[0]) && wage.contains(&s[1]), "wage articles first: {s:?}");
    assert!(v.articles[0].title_html.contains("<mark>工资</mark>"), "{:?}", v.articles[0]);

    // "离婚" (divorce): the divorce article among the first two.
    let v = legal::search(&state, "离婚").await.unwrap();
    assert!(slugs(&v)[..2].contains(&"divorce-agreement-or-lawsuit"), "{:?}", slugs(&v));

    // "调解" (mediation): mediation articles and mediation committees.
    let v = legal::search(&state, "调解").await.unwrap();
    let s = slugs(&v);
    assert!(s[..2].contains(&"people-mediation-how") && s[..2].contains(&"mediation-agreement-confirmation"), "{s:?}");
    let codes = service_codes(&v);
    assert!(codes.len() >= 10, "{codes:?}");
    assert!(codes.iter().all(|c| c.ends_with("-MED")), "{codes:?}");

    // One and two characters still find something.
    let v = legal::search(&state, "薪").await.unwrap();
    assert!(!v.articles.is_empty(), "1 character");
    assert!(
        slugs(&v).iter().all(|s| ["wages-unpaid-first-steps", "labour-arbitration-how"].contains(s)),
        "{:?}",
        slugs(&v)
    );
    assert!(v.articles[0].snippet_html.contains("<mark>薪</mark>"), "{:?}", v.articles[0]);
    let v = legal::search(&state, "仲裁").await.unwrap();
    assert_eq!(slugs(&v)[0], "labour-arbitration-how", "{:?}", slugs(&v));

    // Three characters and more go through the trigram index.
    let v = legal::search(&state, "劳动仲裁").await.unwrap();
    assert_eq!(slugs(&v)[0], "labour-arbitration-how", "{:?}", slugs(&v));
    let v = legal::search(&state, "法律援助中心").await.unwrap();
    assert!(service_codes(&v).contains(&"LS-HD-AID"), "{:?}", service_codes(&v));
    assert!(slugs(&v).contains(&"legal-aid-how-to-apply"), "{:?}", slugs(&v));
    // Two words: both must occur.
    let v = legal::search(&state, "工伤 仲裁").await.unwrap();
    assert!(slugs(&v).contains(&"work-injury-basics"), "{:?}", slugs(&v));
    assert!(!slugs(&v).contains(&"divorce-agreement-or-lawsuit"));
    // A phrase not written anywhere falls back to its pieces.
    let v = legal::search(&state, "老板拖欠工资怎么办").await.unwrap();
    assert_eq!(slugs(&v)[0], "wages-unpaid-first-steps", "{:?}", slugs(&v));

    // Unknown words: nothing.
    for q in ["量子纠缠", "xyzzy", "鑫"] {
        let v = legal::search(&state, q).await.unwrap();
        assert!(v.articles.is_empty() && v.services.is_empty(), "{q}: {v:?}");
    }
    // Empty: nothing, and no query.
    let v = legal::search(&state, "   ").await.unwrap();
    assert!(v.query.is_empty() && v.articles.is_empty());

    // Snippets are built by us: escaped, with <mark> and nothing else.
    let v = legal::search(&state, "<script>工资").await.unwrap();
    assert!(v.articles.is_empty());
    let v = legal::search(&state, "《劳动合同法》").await.unwrap();
    for h in v.articles.iter().chain(&v.services) {
        let stripped = h.snippet_html.replace("<mark>", "").replace("</mark>", "");
        assert!(!stripped.contains('<') && !stripped.contains('>'), "{}", h.snippet_html);
    }
    // Wildcards are taken literally.
    let v = legal::search(&state, "量%").await.unwrap();
    assert!(v.articles.is_empty() && v.services.is_empty(), "{v:?}");
    let v = legal::search(&state, "_").await.unwrap();
    assert!(v.articles.is_empty(), "{v:?}");
}
both_engines!(chinese_search_is_relevant);

async fn nearest_points_and_triage(engine: Engine) {
    let Some(state) = legal_state(engine).await else { return };
    let cat = state.catalog.get();
    // A point in grid cell HD010101 (东关街道和平社区).
    let p = GeoPoint::new(35.485, 106.605).unwrap();
    assert_eq!(cat.router.cell_at(p), Some("HD010101"));
    let near = legal::nearest(&state, p, ServiceKind::MediationCommittee).await.unwrap().unwrap();
    assert!(near.region.starts_with("HD01"), "the street's or community's committee: {near:?}");
    let d = near.distance_m.unwrap();
    assert!((500.0..3_000.0).contains(&d), "{d}");
    // By haversine, nothing of the kind is nearer.
    let all = legal::directory(&state, "mediation_committee", "", "", "35.485", "106.605").await.unwrap();
    assert!(all.by_distance);
    assert_eq!(all.points[0].code, near.code);
    assert!(all.points.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));

    // Triage by the appeal's cell: the community's committee.
    let t = legal::triage(&state, "neighbor_dispute", "HD010101").await.unwrap().unwrap();
    assert_eq!(t.mediation.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(), vec!["LS-HD0101-MED"]);
    assert_eq!(t.district.as_deref(), Some("HD"));
    let slugs: Vec<&str> = t.articles.iter().map(|a| a.slug.as_str()).collect();
    assert!(slugs.contains(&"neighbour-noise-water-leak") && slugs.contains(&"people-mediation-how"), "{slugs:?}");
    // A community without a committee of its own: its street's.
    let t = legal::triage(&state, "family_dispute", "HD0102").await.unwrap().unwrap();
    assert_eq!(t.mediation[0].code, "LS-HD01-MED");
    assert!(t.articles.iter().any(|a| a.slug == "divorce-agreement-or-lawsuit"));
    // Only the district known: the district's committees, its streets' first.
    let t = legal::triage(&state, "wage_arrears", "HX").await.unwrap().unwrap();
    assert!(t.mediation.len() > 1 && t.mediation[0].code == "LS-HX01-MED", "{:?}", t.mediation);
    assert!(t.articles.iter().all(|a| [
        "wages-unpaid-first-steps",
        "labour-arbitration-how",
        "labour-contract-missing"
    ]
    .contains(&a.slug.as_str())));
    // Unknown region: articles only.
    let t = legal::triage(&state, "land_demolition", "").await.unwrap().unwrap();
    assert!(t.mediation.is_empty() && t.district.is_none() && t.articles.len() == 2);
    // Not a dispute: nothing.
    assert!(legal::triage(&state, "sanitation", "HD010101").await.unwrap().is_none());

    // The directory by region: a street shows its own places, its community's and the district's.
    let v = legal::directory(&state, "", "HD", "HD01", "", "").await.unwrap();
    let codes: Vec<&str> = v.points.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["LS-HD-AID", "LS-HD-LABOR-MED", "LS-HD-LSC", "LS-HD01-MED", "LS-HD01-LSS", "LS-HD01-JO", "LS-HD0101-MED"]
    );
    assert_eq!(v.streets.len(), 3);
    assert_eq!(v.points[3].place.0, "河东区 / 东关街道");
    // A street of another district is ignored; an unknown kind is no filter.
    let v = legal::directory(&state, "rocket", "HX", "HD01", "", "").await.unwrap();
    assert_eq!((v.street.as_str(), v.kind.as_str()), ("", ""));
    assert!(v.points.iter().all(|p| p.region.starts_with("HX")));
    let v = legal::directory(&state, "legal_aid_center", "", "", "", "").await.unwrap();
    assert_eq!(v.points.len(), 3);
}
both_engines!(nearest_points_and_triage);

fn staff(role: Role) -> Staff {
    Staff {
        id: "s-admin".into(),
        username: "admin".into(),
        display_name: "管理员".into(),
        unit: "U-CITY".into(),
        role,
        active: true,
        updated_at: 0,
    }
}

async fn an_admin_edits_an_article(engine: Engine) {
    let Some(state) = legal_state(engine).await else { return };
    let slug = "people-mediation-how";
    let text = "## 新的说明\n\n人民调解现在也可以在线预约。<script>alert(1)</script>\n\n见[仲裁](/legal/articles/labour-arbitration-how)。";
    // Only an admin.
    let zh = domain::Lang::ZhCn;
    assert!(matches!(
        legal::update_article(&state, &staff(Role::Dispatcher), slug, text, zh).await,
        Err(BackendError::Forbidden)
    ));
    assert!(matches!(
        legal::update_article(&state, &staff(Role::Admin), "nope", text, zh).await,
        Err(BackendError::NotFound)
    ));
    // Each problem is refused, named, in the admin's language.
    let bad = "见[这里](/legal/articles/gone)和[那里](/legal/topic/tax)，还有[别处](/legal/nowhere)";
    for (lang, want) in [
        (
            zh,
            [
                "链接 /legal/articles/gone 指向的文章“gone”不存在",
                "链接 /legal/topic/tax 指向的主题“tax”不存在",
                "链接 /legal/nowhere 指向的页面不存在",
            ],
        ),
        (
            domain::Lang::En,
            [
                "link to /legal/articles/gone: there is no article \"gone\"",
                "link to /legal/topic/tax: there is no topic \"tax\"",
                "link to /legal/nowhere: no such page",
            ],
        ),
    ] {
        match legal::update_article(&state, &staff(Role::Admin), slug, bad, lang).await {
            Err(BackendError::Import(e)) => assert_eq!(e, want),
            other => panic!("{other:?}"),
        }
    }
    match legal::update_article(&state, &staff(Role::Admin), slug, "  ", zh).await {
        Err(BackendError::Import(e)) => assert_eq!(e, ["正文须有 1 到 100000 字节"]),
        other => panic!("{other:?}"),
    }
    let before = backend::audit::verify(&state.db.pool).await.unwrap().checked;
    legal::update_article(&state, &staff(Role::Admin), slug, text, zh).await.unwrap();
    let a = legal::article(&state, slug).await.unwrap();
    assert!(a.body_html.contains("<h2>新的说明</h2>"), "{}", a.body_html);
    assert!(a.body_html.contains("&lt;script&gt;") && !a.body_html.contains("<script"), "{}", a.body_html);
    // Re-indexed: the new words are found, the old ones no longer.
    let v = legal::search(&state, "在线预约").await.unwrap();
    assert_eq!(slugs(&v), vec![slug]);
    let v = legal::search(&state, "坐下来商量").await.unwrap();
    assert!(!slugs(&v).contains(&slug), "{:?}", slugs(&v));
    // Audited, and the chain still holds.
    let v = backend::audit::verify(&state.db.pool).await.unwrap();
    assert_eq!((v.checked, v.first_broken), (before + 1, None));
    let last = backend::store::audit::recent(&state.db.pool, None, Some("edit_legal_article"), None, 1).await.unwrap();
    assert_eq!(last.len(), 1);
    assert!(last[0].detail.contains(slug));
}
both_engines!(an_admin_edits_an_article);

async fn directory_files_are_read_from_disk(engine: Engine) {
    let Some(state) = legal_state(engine).await else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/legal");
    let files: LegalFiles = legal::read_dir(&dir).unwrap();
    assert_eq!(files.articles.len(), 24);
    let r = legal::import_as(&state.db, &state.catalog.get(), &files, &backend::audit::Who::system()).await.unwrap();
    assert_eq!((r.articles, r.services, r.removed), (24, 45, 0));
}
both_engines!(directory_files_are_read_from_disk);

// ---------------------------------------------------------------------------------------------
// Issue 14: colloquial terms, English titles and summaries, tiered ranking, literal wildcards.

async fn colloquial_and_english_words_find_the_article(engine: Engine) {
    let Some(state) = legal_state(engine).await else { return };
    // The resident's words, written in no article's text: the wage article through its terms,
    // not the elder-support article whose summary says "子女不给钱".
    let v = legal::search(&state, "老板不给钱").await.unwrap();
    let s = slugs(&v);
    assert_eq!(s.first(), Some(&"wages-unpaid-first-steps"), "{s:?}");
    assert!(!s.contains(&"elderly-support-payment"), "{s:?}");
    for (q, want) in [
        ("包工头跑了", "wages-unpaid-first-steps"),
        ("欠薪", "wages-unpaid-first-steps"),
        ("干活受伤", "work-injury-basics"),
        ("摔伤", "work-injury-basics"),
        ("家暴", "domestic-violence-protection-order"),
    ] {
        let v = legal::search(&state, q).await.unwrap();
        assert_eq!(slugs(&v).first(), Some(&want), "{q}: {:?}", slugs(&v));
    }
    // English, whatever the case: the English title and summary are searched and highlighted.
    for q in ["wages", "WAGES", "Unpaid wages"] {
        let v = legal::search(&state, q).await.unwrap();
        assert_eq!(slugs(&v).first(), Some(&"wages-unpaid-first-steps"), "{q}: {:?}", slugs(&v));
        assert!(v.articles[0].title_en_html.contains("<mark>"), "{q}: {:?}", v.articles[0]);
    }
    let v = legal::search(&state, "wages").await.unwrap();
    assert_eq!(v.articles[0].title_en_html, "Unpaid <mark>wages</mark>: first steps");
    assert!(slugs(&v).contains(&"labour-contract-missing"), "its English title says double wages: {:?}", slugs(&v));
    let v = legal::search(&state, "divorce").await.unwrap();
    assert!(slugs(&v)[..2].contains(&"divorce-agreement-or-lawsuit"), "{:?}", slugs(&v));
    // Chinese articles without an English word: no English text to show.
    let v = legal::search(&state, "调解").await.unwrap();
    assert!(v.services.iter().all(|h| h.title_en_html.is_empty() && h.summary_en_html.is_empty()));
    // The article page carries the English title and summary along with the Chinese.
    let a = legal::article(&state, "work-injury-basics").await.unwrap();
    assert_eq!(a.title_en, "Injured at work: getting a work injury recognised");
    assert!(a.summary_en.starts_with("What counts as a work injury"), "{}", a.summary_en);
}
both_engines!(colloquial_and_english_words_find_the_article);

fn fixture_article(slug: &str, front: &str, body: &str) -> (String, String) {
    (
        format!("{slug}.md"),
        format!(
            "---\nslug: {slug}\ntitle: {slug}标题\ntopic: labour\nsummary: {slug}摘要\nlegal_basis: 《某法》\n\
             last_reviewed: 2026-11-20\ncategories:\nrelated:\n{front}---\n{body}\n"
        ),
    )
}

async fn term_hits_rank_before_body_hits_and_wildcards_are_literal(engine: Engine) {
    let Some(state) = legal_state(engine).await else { return };
    // A hand-built set: "alpha" has the words only as a colloquial term; "beta" has them many
    // times in its body (bm25 alone would favour it); "gamma" has them nowhere.
    let files = LegalFiles {
        articles: vec![
            fixture_article("alpha", "synonyms: 押金不退、房东扣钱\n", "正文讲别的。年利率 24% 的约定无效。"),
            fixture_article(
                "beta",
                "title_en: Deposit Refunds\nsummary_en: Getting a rent deposit back.\n",
                &format!("{}年利率 240 元。", "房东扣钱，押金不退，又是押金不退。".repeat(8)),
            ),
            fixture_article("gamma", "", "毫不相干的正文，有下划线 a_b。"),
        ],
        services: legal::bundled_files().services,
    };
    let r = legal::import_as(&state.db, &state.catalog.get(), &files, &backend::audit::Who::system()).await.unwrap();
    assert_eq!((r.articles, r.removed), (3, 24));
    // Indexed (three characters or more) and short (LIKE) queries alike: the term hit first.
    for q in ["押金不退", "房东扣钱", "押金"] {
        let v = legal::search(&state, q).await.unwrap();
        assert_eq!(slugs(&v), vec!["alpha", "beta"], "{q}");
    }
    // `%` and `_` are literal: "24%" is not "240", "a_b" is not "aXb".
    for (q, want) in [("24%", vec!["alpha"]), ("4%", vec!["alpha"]), ("%", vec!["alpha"]), ("a_b", vec!["gamma"])] {
        let v = legal::search(&state, q).await.unwrap();
        assert_eq!(slugs(&v), want, "{q}");
        assert!(v.services.is_empty(), "{q}");
    }
    // English words are matched whole, not by their three-letter pieces ("dep", "pos"…).
    let v = legal::search(&state, "deposit xyzzy").await.unwrap();
    assert!(v.articles.is_empty(), "{:?}", slugs(&v));
    let v = legal::search(&state, "240").await.unwrap();
    assert_eq!(slugs(&v), vec!["beta"]);
    // English words, any case, all of them must occur.
    for q in ["deposit refunds", "REFUND", "rent deposit"] {
        let v = legal::search(&state, q).await.unwrap();
        assert_eq!(slugs(&v), vec!["beta"], "{q}");
    }
    // A long query is cut to its first 40 characters, and still answered.
    let v = legal::search(&state, &format!("押金不退{}", "长".repeat(500))).await.unwrap();
    assert_eq!(v.query.chars().count(), 40);
}
both_engines!(term_hits_rank_before_body_hits_and_wildcards_are_literal);
