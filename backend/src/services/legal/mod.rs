//! The legal-aid information centre: importing its articles (Markdown with front matter) and
//! its directory of service points (CSV), and what its pages ask for (topics, an article, the
//! directory, search, the eligibility check's data, legal pointers for a dispute appeal).
//!
//! Import is all or nothing, like the region import: every file is checked and every problem
//! reported (file, line, what is wrong) before anything is written; then one transaction replaces
//! the content set, so a re-import updates in place.
//!
//! Markdown is rendered once, at import or edit, and sanitised there: raw HTML is shown as text,
//! images are dropped, only our own links survive (`/legal/…`, `/appeal/new…`), and headings are
//! shifted so the page title is the only `h1`. Pages print the stored HTML as it is.

use crate::audit::{self, Entry, Who};
use crate::auth::Staff;
use crate::catalog::Catalog;
use crate::db::Db;
use crate::state::AppState;
use crate::store::legal::{self as store, ArticleRow, Match, SearchRow, ServiceRow};
use crate::{BackendError, Result};
use domain::fields::GeoPoint;
use domain::legal::{
    haversine_m, is_dispute, ArticleSummary, ArticleView, DirectoryView, EligibilityInfo, LegalHomeView, PlaceOption,
    SearchHit, SearchView, ServiceKind, ServicePointView, Topic, TriageView,
};
use domain::region::Level;
use domain::{Lang, Msg};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::path::Path;

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/legal_articles.rs"));
}

/// The content to import: articles as (file name, text), and `services.csv`.
#[derive(Debug, Clone, Default)]
pub struct LegalFiles {
    pub articles: Vec<(String, String)>,
    pub services: String,
}

/// The content bundled into the binary (`content/legal/`).
#[must_use]
pub fn bundled_files() -> LegalFiles {
    LegalFiles {
        articles: bundled::BUNDLED_ARTICLES.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect(),
        services: include_str!("../../../../content/legal/services.csv").to_owned(),
    }
}

/// Reads `DIR/articles/*.md` and `DIR/services.csv`.
///
/// # Errors
/// A folder or file cannot be read, or is not UTF-8.
pub fn read_dir(dir: &Path) -> Result<LegalFiles> {
    let fail = |m: String| BackendError::Import(vec![m]);
    let articles_dir = dir.join("articles");
    let entries = std::fs::read_dir(&articles_dir)
        .map_err(|e| fail(format!("articles: cannot read {}: {e}", articles_dir.display())))?;
    let mut articles = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| fail(format!("articles: {e}")))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".md") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| fail(format!("articles/{name}: cannot read: {e}")))?;
        articles.push((name.clone(), super::import::decode_file(&format!("articles/{name}"), bytes).map_err(fail)?));
    }
    articles.sort();
    let path = dir.join("services.csv");
    let bytes = std::fs::read(&path).map_err(|e| fail(format!("services.csv: cannot read {}: {e}", path.display())))?;
    let services = super::import::decode_file("services.csv", bytes).map_err(fail)?;
    Ok(LegalFiles { articles, services })
}

mod articles;
mod markdown;
mod points;
mod reading;
mod search;

pub use articles::*;
pub use markdown::*;
pub use points::*;
pub use reading::*;
pub use search::*;

// ---------------------------------------------------------------------------------------------
// Import

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegalReport {
    pub articles: usize,
    pub services: usize,
    /// Articles and points no longer in the content set, removed.
    pub removed: u64,
}

/// Checks everything, then replaces the legal content in one transaction (upserts, removes what
/// the set no longer has) and audits it.
///
/// # Errors
/// [`BackendError::Import`] listing every problem (nothing is written), or database errors.
pub async fn import_as(db: &Db, cat: &Catalog, files: &LegalFiles, by: &Who) -> Result<LegalReport> {
    let articles = parse_articles(&files.articles);
    let services = parse_services(&files.services, cat);
    let (articles, services) = match (articles, services) {
        (Ok(a), Ok(s)) => (a, s),
        (a, s) => return Err(BackendError::Import([a.err(), s.err()].into_iter().flatten().flatten().collect())),
    };
    let now = crate::now_ts();
    let mut tx = db.pool.begin().await?;
    for a in &articles {
        store::upsert_article(&mut tx, a, now).await?;
    }
    for s in &services {
        store::upsert_service(&mut tx, s, now).await?;
    }
    let keep_a: Vec<&str> = articles.iter().map(|a| a.slug.as_str()).collect();
    let keep_s: Vec<&str> = services.iter().map(|s| s.code.as_str()).collect();
    let removed = store::delete_articles_except(&mut tx, &keep_a).await?
        + store::delete_services_except(&mut tx, &keep_s).await?;
    // Every node's cached pages are derived from the content: a new version makes them re-read.
    crate::store::regions::bump_catalog_version(&mut tx).await?;
    let report = LegalReport { articles: articles.len(), services: services.len(), removed };
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: "import_legal",
            ticket: None,
            detail: serde_json::json!({ "articles": report.articles, "services": report.services, "removed": report.removed }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Imports the bundled content if the database has no legal articles yet (startup, demo mode).
///
/// # Errors
/// As [`import_as`].
pub async fn import_bundled_if_empty(db: &Db, cat: &Catalog) -> Result<Option<LegalReport>> {
    if store::count_articles(&db.pool).await? > 0 {
        return Ok(None);
    }
    import_as(db, cat, &bundled_files(), &Who::system()).await.map(Some)
}

/// The largest article body an edit may store.
const MAX_MARKDOWN: usize = 100_000;

/// An admin replaces an article's Markdown body: it is re-rendered, its links checked, the
/// search index follows (the table's triggers on SQLite, the indexes on PostgreSQL), and the edit
/// is audited, in one transaction.
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but an admin, [`BackendError::NotFound`] for an unknown
/// slug, [`BackendError::Import`] for an empty or too long text or a broken link: one line per
/// problem, in `lang` (the editor shows them to the admin).
pub async fn update_article(state: &AppState, by: &Staff, slug: &str, markdown: &str, lang: Lang) -> Result<()> {
    by.who().require_admin()?;
    let markdown = markdown.replace("\r\n", "\n");
    let markdown = markdown.trim();
    if markdown.is_empty() || markdown.len() > MAX_MARKDOWN {
        let line = Msg::ErrArticleLength.text(lang).replace("{max}", &MAX_MARKDOWN.to_string());
        return Err(BackendError::Import(vec![line]));
    }
    let mut tx = state.db.pool.begin().await?;
    let slugs = store::article_slugs(&mut tx).await?;
    if !slugs.iter().any(|s| s == slug) {
        return Err(BackendError::NotFound);
    }
    let set: HashSet<&str> = slugs.iter().map(String::as_str).collect();
    let r = render_markdown(markdown);
    let problems: Vec<String> = r.links.iter().filter_map(|l| broken_link(l, &set, lang)).collect();
    if !problems.is_empty() {
        return Err(BackendError::Import(problems));
    }
    let now = state.clock.ts();
    store::update_body(&mut tx, slug, markdown, &r.html, &r.text, now).await?;
    crate::store::regions::bump_catalog_version(&mut tx).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: &by.who(),
            action: "edit_legal_article",
            ticket: None,
            detail: serde_json::json!({ "slug": slug, "chars": markdown.chars().count() }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    // This node shows the edit at once (its cached pages follow the version); the others within
    // their next catalog poll.
    crate::services::import::reload_if_changed(state).await?;
    Ok(())
}

/// The admin's editor: the articles by title, and the chosen one's Markdown.
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but an admin; [`BackendError::NotFound`] for an unknown
/// slug; database errors.
pub async fn admin_view(state: &AppState, by: &Staff, slug: &str) -> Result<domain::legal::AdminLegalView> {
    by.who().require_admin()?;
    let mut all = store::all_articles(&state.db.pool).await?;
    all.sort_by(|a, b| a.title.cmp(&b.title));
    let slug = slug.trim();
    let selected = if slug.is_empty() {
        None
    } else {
        let a = all.iter().find(|a| a.slug == slug).ok_or(BackendError::NotFound)?;
        Some((a.slug.clone(), a.title.clone(), a.body_md.clone()))
    };
    Ok(domain::legal::AdminLegalView { articles: all.iter().map(summary).collect(), selected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_article_parses_and_links_resolve() {
        let files = bundled_files();
        assert_eq!(files.articles.len(), 24);
        let rows = parse_articles(&files.articles).unwrap_or_else(|e| panic!("{}", e.join("\n")));
        for r in &rows {
            assert!(!r.body_html.contains("<h1"), "{}: an h1 in the body", r.slug);
            assert!(r.body_html.contains("<h2>"), "{}: sections became h2", r.slug);
            assert!(!r.body_html.contains("<script") && !r.body_html.contains("<img"), "{}", r.slug);
            assert!(!r.body_text.contains('<'), "{}: plain text has no tags", r.slug);
            // Every link in the HTML is one of ours: our pages, or a phone number made a dial
            // link by the renderer (issue 14).
            for href in r.body_html.split("href=\"").skip(1) {
                let href = href.split('"').next().unwrap_or_default();
                let dial = href.strip_prefix("tel:").is_some_and(domain::tel::is_phone);
                assert!(href.starts_with("/legal") || href.starts_with("/appeal/new") || dial, "{}: {href}", r.slug);
            }
        }
    }

    #[test]
    fn raw_html_is_shown_as_text_and_foreign_links_are_dropped() {
        let r = render_markdown(
            "# 标题\n\n<script>alert(1)</script>\n\n正文 <b onclick=\"x()\">粗</b> [坏链接](javascript:alert(1)) \
             [外站](https://example.com) [好的](/legal/articles/a \"t\") [上诉](/appeal/new?category=legal_aid) \
             ![图](/x.png) <https://example.org> [跳](//evil.example/legal/)\n\n## 小节\n",
        );
        assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", r.html);
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(r.html.contains("&lt;b onclick="), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("example.com") && !r.html.contains("example.org\""), "{}", r.html);
        assert!(r.html.contains("坏链接") && r.html.contains("外站"), "link texts stay: {}", r.html);
        assert!(r.html.contains("<a href=\"/legal/articles/a\" title=\"t\">好的</a>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"/appeal/new?category=legal_aid\">"), "{}", r.html);
        assert!(!r.html.contains("<img") && r.html.contains('图'), "{}", r.html);
        assert!(!r.html.contains("evil.example/legal/\""), "{}", r.html);
        assert!(r.html.contains("<h2>标题</h2>") && r.html.contains("<h3>小节</h3>"), "{}", r.html);
        assert_eq!(r.links, vec!["/legal/articles/a".to_owned(), "/appeal/new?category=legal_aid".to_owned()]);
    }

    #[test]
    fn phone_numbers_in_text_dial_but_not_inside_links_or_code() {
        let r = render_markdown(
            "拨打 12348 或 0933-8000000 咨询，[12333 热线](/legal/topic/labour) 和 `110` 不变。\n\n```\n120\n```\n",
        );
        assert!(r.html.contains("拨打 <a href=\"tel:12348\" class=\"tel nowrap\">12348</a> 或 "), "{}", r.html);
        assert!(r.html.contains("<a href=\"tel:09338000000\" class=\"tel nowrap\">0933-8000000</a>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"/legal/topic/labour\">12333 热线</a>"), "no link in a link: {}", r.html);
        assert!(r.html.contains("<code>110</code>") && r.html.contains("<code>120\n</code>"), "{}", r.html);
        assert_eq!(r.html.matches("href=\"tel:").count(), 2, "{}", r.html);
        // The searchable text is unchanged.
        assert!(r.text.contains("拨打 12348 或 0933-8000000 咨询"), "{}", r.text);
        assert_eq!(r.links, vec!["/legal/topic/labour".to_owned()]);
    }

    #[test]
    fn allowed_links() {
        for ok in ["/legal", "/legal/eligibility", "/legal/articles/x", "/appeal/new", "/appeal/new?category=legal_aid"]
        {
            assert!(allowed_link(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "https://x.cn/legal/",
            "//x.cn/legal/",
            "/legal/../staff",
            "/appeal/newx",
            "/staff",
            "legal/x",
            "/legal/a b",
            "/legal\\x",
        ] {
            assert!(!allowed_link(bad), "{bad}");
        }
    }

    fn article(front: &str, body: &str) -> String {
        format!("---\n{front}\n---\n{body}")
    }

    const GOOD: &str = "slug: a\ntitle: 标题\ntopic: labour\nsummary: 摘要\nlegal_basis: 《劳动法》\nlast_reviewed: 2026-11-20\ncategories: wage_arrears\nrelated: b";

    #[test]
    fn front_matter_errors_name_the_file_and_the_problem() {
        let b =
            ("b.md".to_owned(), article(&GOOD.replace("slug: a", "slug: b").replace("related: b", "related:"), "正文"));
        let cases: &[(&str, &str, &str)] = &[
            ("a.md", "没有前言", "articles/a.md: must start with front matter"),
            ("a.md", "---\nslug: a\n正文", "front matter is not closed"),
            ("c.md", &article(GOOD, "正文"), "slug \"a\" must equal the file name \"c\""),
            ("a.md", &article(&GOOD.replace("topic: labour", "topic: tax"), "正文"), "unknown topic \"tax\""),
            (
                "a.md",
                &article(&GOOD.replace("2026-11-20", "20.11.2026"), "正文"),
                "last_reviewed \"20.11.2026\" is not a date",
            ),
            ("a.md", &article(&GOOD.replace("2026-11-20", "2026-02-30"), "正文"), "is not a date"),
            ("a.md", &article(&GOOD.replace("\nsummary: 摘要", ""), "正文"), "articles/a.md: missing summary"),
            ("a.md", &article(&GOOD.replace("title: 标题", "title:"), "正文"), "title is empty"),
            ("a.md", &article(&format!("{GOOD}\nauthor: 我"), "正文"), "line 10: unknown key \"author\""),
            ("a.md", &article(&format!("{GOOD}\ntitle: 又一个"), "正文"), "title appears twice"),
            (
                "a.md",
                &article(&GOOD.replace("related: b", "related: nope"), "正文"),
                "related names \"nope\", which is not an article",
            ),
            (
                "a.md",
                &article(GOOD, "见[这里](/legal/articles/missing)"),
                "link to /legal/articles/missing: there is no article \"missing\"",
            ),
            ("a.md", &article(GOOD, "见[这里](/legal/topic/tax)"), "there is no topic \"tax\""),
            ("a.md", &article(GOOD, "见[这里](/legal/nowhere)"), "link to /legal/nowhere: no such page"),
            ("a.md", &article(GOOD, "  "), "the article has no text"),
            (
                "a.md",
                &article(&GOOD.replace("categories: wage_arrears", "categories: 欠薪"), "正文"),
                "categories: \"欠薪\" is not a code",
            ),
        ];
        for (name, text, want) in cases {
            let files = vec![((*name).to_owned(), (*text).to_owned()), b.clone()];
            let errs = parse_articles(&files).expect_err(want).join("\n");
            assert!(errs.contains(want), "want {want:?} in:\n{errs}");
        }
        let ok = vec![("a.md".to_owned(), article(GOOD, "见[b](/legal/articles/b)")), b];
        let rows = parse_articles(&ok).unwrap();
        assert_eq!(rows[0].categories, vec!["wage_arrears"]);
        assert_eq!(rows[0].related, vec!["b"]);
        assert!(rows[1].related.is_empty());
    }

    #[test]
    fn colloquial_terms_and_english_text_are_optional_and_checked() {
        let with = format!(
            "{GOOD}\ntitle_en: Unpaid wages\nsummary_en: What to do: first steps\nsynonyms: 老板不给钱，欠薪、讨薪, 欠薪"
        );
        let row = parse_article("a.md", &article(&with, "正文")).unwrap();
        assert_eq!(row.synonyms, vec!["老板不给钱", "欠薪", "讨薪"]);
        assert_eq!((row.title_en.as_str(), row.summary_en.as_str()), ("Unpaid wages", "What to do: first steps"));
        // Without them: still an article, with nothing in English.
        let row = parse_article("a.md", &article(GOOD, "正文")).unwrap();
        assert!(row.synonyms.is_empty() && row.title_en.is_empty() && row.summary_en.is_empty());
        let long = format!("{GOOD}\nsynonyms: 欠薪, {}", "长".repeat(21));
        let errs = parse_article("a.md", &article(&long, "正文")).unwrap_err().join("\n");
        assert!(errs.contains("articles/a.md: synonyms: \"长长长"), "{errs}");
        let many: Vec<String> = (0..41).map(|i| format!("词{i}")).collect();
        let many = format!("{GOOD}\nsynonyms: {}", many.join(","));
        assert!(parse_article("a.md", &article(&many, "正文")).unwrap_err()[0].contains("41 terms, at most 40"));
        let twice = format!("{GOOD}\nsynonyms: a\nsynonyms: b");
        assert!(parse_article("a.md", &article(&twice, "正文")).unwrap_err()[0].contains("synonyms appears twice"));
        // Every bundled article has all three (issue 14: the demo content is searchable in
        // residents' words and in English).
        for r in parse_articles(&bundled_files().articles).unwrap() {
            assert!(r.synonyms.len() >= 5 && !r.title_en.is_empty() && !r.summary_en.is_empty(), "{}", r.slug);
        }
    }

    #[test]
    fn search_words_and_pieces() {
        assert_eq!(query_terms("  工资  仲裁 工资 "), vec!["工资", "仲裁"]);
        assert!(query_terms(" \t ").is_empty());
        assert_eq!(query_terms(&"长".repeat(100))[0].chars().count(), 40);
        assert_eq!(trigrams(&["拖欠工资".to_owned(), "薪".to_owned()]), vec!["拖欠工", "欠工资", "薪"]);
        // English words are not cut: "scr" would find "scrapes".
        assert_eq!(trigrams(&["<script>工资".to_owned(), "wages".to_owned()]), vec!["<script>工资", "wages"]);
        assert!(!has_long_phrase(&["<script>工资".to_owned(), "wages".to_owned(), "工资".to_owned()]));
        assert!(has_long_phrase(&["wages".to_owned(), "老板不给钱".to_owned()]));
    }

    #[test]
    fn snippets_are_escaped_and_marked() {
        let p = vec!["工资".to_owned()];
        assert_eq!(highlight("<b>工资</b>", &p), "&lt;b&gt;<mark>工资</mark>&lt;/b&gt;");
        let long = format!("{}拖欠工资{}", "前".repeat(50), "后".repeat(100));
        let s = snippet(&["无关", &long], &p);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("<mark>工资</mark>"), "{s}");
        assert_eq!(snippet(&["开头就是"], &p), "开头就是");
        assert_eq!(highlight("Legal AID", &["aid".to_owned()]), "Legal <mark>AID</mark>");
    }
}
