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
use domain::workflow::Role;
use domain::Lang;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::path::Path;

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/legal_articles.rs"));
}

/// Settings of the legal-aid centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegalConfig {
    /// The city's legal-aid income standard, yuan per person per month
    /// (`PINGAN_LEGAL_AID_INCOME_LIMIT`).
    pub income_limit: u32,
}

impl Default for LegalConfig {
    fn default() -> Self {
        Self { income_limit: 1200 }
    }
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
        services: include_str!("../../../content/legal/services.csv").to_owned(),
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

// ---------------------------------------------------------------------------------------------
// Markdown

/// An article body rendered for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Safe HTML: escaped text, our own links, no images, headings from `h2` down.
    pub html: String,
    /// Plain text, for search and snippets.
    pub text: String,
    /// The links kept, as written (checked against the content set by the importer).
    pub links: Vec<String>,
}

/// Only our own pages may be linked: the legal centre and the appeal wizard. Anything with a
/// scheme (`javascript:`, `https:`, `mailto:`), a protocol-relative `//host`, or a path that
/// climbs (`..`) or hides characters is dropped.
#[must_use]
pub fn allowed_link(dest: &str) -> bool {
    let own =
        dest == "/legal" || dest.starts_with("/legal/") || dest == "/appeal/new" || dest.starts_with("/appeal/new?");
    own && !dest.contains("//")
        && !dest.contains("..")
        && !dest.contains('\\')
        && dest.chars().all(|c| !c.is_control() && !c.is_whitespace() && c != '"' && c != '\'' && c != '<' && c != '>')
}

fn shifted(level: HeadingLevel, offset: i32) -> HeadingLevel {
    let n = (level as i32 + offset).clamp(2, 6);
    match n {
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Renders Markdown to safe HTML (see the module doc) and plain text.
#[must_use]
pub fn render_markdown(md: &str) -> Rendered {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let min_level = Parser::new_ext(md, opts)
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level as i32),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let offset = 2 - min_level;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut text = String::new();
    let mut links = Vec::new();
    // For each open link: whether it was kept (so its end is kept or dropped alike).
    let mut open_links: Vec<bool> = Vec::new();
    for e in Parser::new_ext(md, opts) {
        match e {
            Event::Start(Tag::Heading { level, .. }) => {
                events.push(Event::Start(Tag::Heading {
                    level: shifted(level, offset),
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(shifted(level, offset))));
                text.push('\n');
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let keep = allowed_link(&dest_url);
                open_links.push(keep);
                if keep {
                    links.push(dest_url.to_string());
                    events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
            }
            Event::End(TagEnd::Link) => {
                if open_links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            // No images: their description stays, as text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Html(raw) | Event::InlineHtml(raw) => {
                text.push_str(&raw);
                events.push(Event::Text(raw));
            }
            Event::Text(t) => {
                text.push_str(&t);
                events.push(Event::Text(t));
            }
            Event::Code(t) => {
                text.push_str(&t);
                events.push(Event::Code(t));
            }
            Event::SoftBreak | Event::HardBreak => {
                text.push(' ');
                events.push(e);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock) => {
                text.push('\n');
                events.push(e);
            }
            // Footnotes, math and metadata are not enabled; anything else passes as pulldown
            // renders it (it escapes all text and attributes).
            Event::InlineMath(t) | Event::DisplayMath(t) => events.push(Event::Text(t)),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
            other => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Rendered { html, text, links }
}

/// Why a kept link points nowhere, if it does (`/legal/articles/<slug>` of a missing article, an
/// unknown topic or page).
fn broken_link(dest: &str, slugs: &HashSet<&str>) -> Option<String> {
    let path = dest.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    if let Some(slug) = path.strip_prefix("/legal/articles/") {
        return (!slugs.contains(slug)).then(|| format!("link to {dest}: there is no article {slug:?}"));
    }
    if let Some(topic) = path.strip_prefix("/legal/topic/") {
        return Topic::parse(topic).is_none().then(|| format!("link to {dest}: there is no topic {topic:?}"));
    }
    match path {
        "/legal" | "/legal/eligibility" | "/legal/services" | "/legal/search" | "/appeal/new" => None,
        _ => Some(format!("link to {dest}: no such page")),
    }
}

// ---------------------------------------------------------------------------------------------
// Articles

const KEYS: [&str; 8] = ["slug", "title", "topic", "summary", "legal_basis", "last_reviewed", "categories", "related"];

/// A code list (`a, b`): letters, digits, `_` and `-` only.
fn code_list(v: &str) -> std::result::Result<Vec<String>, String> {
    let list: Vec<String> = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    match list.iter().find(|c| !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')) {
        Some(bad) => Err(format!("{bad:?} is not a code (letters, digits, _ and -)")),
        None => Ok(list),
    }
}

/// Parses one article file: front matter between `---` lines (every key required, none unknown
/// or repeated), then the Markdown body. Links and `related` are checked against the whole set
/// by [`parse_articles`].
///
/// # Errors
/// Every problem, as `articles/<file>: …`.
pub fn parse_article(file: &str, text: &str) -> std::result::Result<ArticleRow, Vec<String>> {
    let at = format!("articles/{file}");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err(vec![format!("{at}: must start with front matter (a line \"---\")")]);
    };
    let Some(end) =
        rest.find("\n---\n").map(|i| (i, i + 5)).or_else(|| rest.strip_suffix("\n---").map(|r| (r.len(), rest.len())))
    else {
        return Err(vec![format!("{at}: front matter is not closed by a line \"---\"")]);
    };
    let (head, body) = (&rest[..end.0], &rest[end.1..]);
    let mut errs = Vec::new();
    let mut values: HashMap<&str, String> = HashMap::new();
    for (i, line) in head.lines().enumerate() {
        let line_no = i + 2;
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            errs.push(format!("{at}: line {line_no}: expected \"key: value\""));
            continue;
        };
        let k = k.trim();
        match KEYS.iter().find(|key| **key == k) {
            None => errs.push(format!("{at}: line {line_no}: unknown key {k:?}")),
            Some(key) => {
                if values.insert(key, v.trim().to_owned()).is_some() {
                    errs.push(format!("{at}: line {line_no}: {k} appears twice"));
                }
            }
        }
    }
    for k in KEYS {
        if !values.contains_key(k) {
            errs.push(format!("{at}: missing {k}"));
        }
    }
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    for k in ["slug", "title", "topic", "summary", "legal_basis", "last_reviewed"] {
        if values.get(k).is_some_and(String::is_empty) {
            errs.push(format!("{at}: {k} is empty"));
        }
    }
    let slug = get("slug");
    let stem = file.strip_suffix(".md").unwrap_or(file);
    if !slug.is_empty() && slug != stem {
        errs.push(format!("{at}: slug {slug:?} must equal the file name {stem:?}"));
    }
    if !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        errs.push(format!("{at}: slug {slug:?} may only have a-z, 0-9 and -"));
    }
    let topic = get("topic");
    if !topic.is_empty() && Topic::parse(&topic).is_none() {
        let list: Vec<&str> = Topic::ALL.iter().map(|t| t.code()).collect();
        errs.push(format!("{at}: unknown topic {topic:?} (one of {})", list.join(", ")));
    }
    let reviewed = get("last_reviewed");
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if !reviewed.is_empty() && time::Date::parse(&reviewed, date_format).is_err() {
        errs.push(format!("{at}: last_reviewed {reviewed:?} is not a date (YYYY-MM-DD)"));
    }
    let categories = code_list(&get("categories")).unwrap_or_else(|e| {
        errs.push(format!("{at}: categories: {e}"));
        Vec::new()
    });
    let related = code_list(&get("related")).unwrap_or_else(|e| {
        errs.push(format!("{at}: related: {e}"));
        Vec::new()
    });
    if body.trim().is_empty() {
        errs.push(format!("{at}: the article has no text"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let r = render_markdown(body);
    Ok(ArticleRow {
        slug,
        title: get("title"),
        topic,
        summary: get("summary"),
        legal_basis: get("legal_basis"),
        last_reviewed: reviewed,
        categories,
        related,
        body_md: body.trim().to_owned(),
        body_html: r.html,
        body_text: r.text,
    })
}

/// Parses every article and checks the set: unique slugs, `related` and links naming articles
/// that exist.
///
/// # Errors
/// Every problem found.
pub fn parse_articles(files: &[(String, String)]) -> std::result::Result<Vec<ArticleRow>, Vec<String>> {
    let mut errs = Vec::new();
    let mut rows = Vec::new();
    if files.is_empty() {
        errs.push("articles: no articles (*.md) found".to_owned());
    }
    for (name, text) in files {
        match parse_article(name, text) {
            Ok(r) => rows.push(r),
            Err(e) => errs.extend(e),
        }
    }
    let slugs: HashSet<&str> = rows.iter().map(|r| r.slug.as_str()).collect();
    if slugs.len() != rows.len() {
        errs.push("articles: two files have the same slug".to_owned());
    }
    for r in &rows {
        for rel in &r.related {
            if rel == &r.slug {
                errs.push(format!("articles/{}.md: related names the article itself", r.slug));
            } else if !slugs.contains(rel.as_str()) {
                errs.push(format!("articles/{}.md: related names {rel:?}, which is not an article", r.slug));
            }
        }
        for link in render_markdown(&r.body_md).links {
            if let Some(problem) = broken_link(&link, &slugs) {
                errs.push(format!("articles/{}.md: {problem}", r.slug));
            }
        }
    }
    if errs.is_empty() {
        Ok(rows)
    } else {
        Err(errs)
    }
}

// ---------------------------------------------------------------------------------------------
// Service points

/// The kind's names in both languages, searched along with the name and address.
fn kind_names(kind: ServiceKind) -> String {
    format!("{} {}", kind.name().text(Lang::ZhCn), kind.name().text(Lang::En))
}

/// Whether `region` is `code` or one of its ancestors.
fn region_contains(cat: &Catalog, region: &str, code: &str) -> bool {
    let mut cur = cat.region(code);
    let mut steps = 0;
    while let Some(r) = cur {
        if r.code == region {
            return true;
        }
        steps += 1;
        if steps > 16 {
            break;
        }
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    false
}

/// Parses `services.csv` against the imported regions: every line's kind must be known, its
/// region imported, and its coordinates inside one of that region's grid cells.
///
/// # Errors
/// Every problem, as `services.csv: line N (CODE): …`.
pub fn parse_services(csv_text: &str, cat: &Catalog) -> std::result::Result<Vec<ServiceRow>, Vec<String>> {
    const NEED: [&str; 9] = ["code", "name", "kind", "region", "address", "phone", "hours", "lat", "lng"];
    let mut errs = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(csv_text.as_bytes());
    let headers = rdr.headers().cloned().unwrap_or_default();
    if !NEED.iter().all(|c| headers.iter().any(|h| h == *c)) {
        return Err(vec![format!("services.csv: header must have {}", NEED.join(","))]);
    }
    let col = |rec: &csv::StringRecord, name: &str| -> String {
        headers.iter().position(|h| h == name).and_then(|i| rec.get(i)).unwrap_or("").to_owned()
    };
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(format!("services.csv: line {line}: malformed CSV: {e}"));
                continue;
            }
        };
        let code = col(&rec, "code");
        let at = format!("services.csv: line {line} ({code})");
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            errs.push(format!("{at}: code must be letters, digits, - or _"));
        } else if !seen.insert(code.clone()) {
            errs.push(format!("{at}: code appears twice"));
        }
        for k in ["name", "address"] {
            if col(&rec, k).is_empty() {
                errs.push(format!("{at}: {k} is required"));
            }
        }
        let kind_code = col(&rec, "kind");
        let kind = ServiceKind::parse(&kind_code);
        if kind.is_none() {
            let list: Vec<&str> = ServiceKind::ALL.iter().map(|k| k.code()).collect();
            errs.push(format!("{at}: unknown kind {kind_code:?} (one of {})", list.join(", ")));
        }
        let region = col(&rec, "region");
        let region_known = cat.region(&region).is_some();
        if !region_known {
            errs.push(format!("{at}: unknown region {region:?}"));
        }
        let (lat_s, lng_s) = (col(&rec, "lat"), col(&rec, "lng"));
        let point = match GeoPoint::parse(&lat_s, &lng_s) {
            Ok(Some(p)) => Some(p),
            _ => {
                errs.push(format!("{at}: lat/lng {lat_s:?}, {lng_s:?} are not coordinates"));
                None
            }
        };
        if let (Some(p), true) = (point, region_known) {
            match cat.router.cell_at(p) {
                None => errs.push(format!("{at}: point {lat_s}, {lng_s} lies in no grid cell of the city")),
                Some(cell) if !region_contains(cat, &region, cell) => {
                    errs.push(format!("{at}: point {lat_s}, {lng_s} lies in cell {cell}, outside region {region}"));
                }
                Some(_) => {}
            }
        }
        rows.push(ServiceRow {
            code,
            name: col(&rec, "name"),
            kind: kind_code,
            kind_name: kind.map(kind_names).unwrap_or_default(),
            region,
            address: col(&rec, "address"),
            phone: col(&rec, "phone"),
            hours: col(&rec, "hours"),
            lat: point.map_or(0.0, |p| p.lat),
            lng: point.map_or(0.0, |p| p.lng),
        });
    }
    if errs.is_empty() {
        Ok(rows)
    } else {
        Err(errs)
    }
}

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
/// slug, [`BackendError::Import`] for an empty or too long text or a broken link.
pub async fn update_article(state: &AppState, by: &Staff, slug: &str, markdown: &str) -> Result<()> {
    if by.role != Role::Admin {
        return Err(BackendError::Forbidden);
    }
    let markdown = markdown.replace("\r\n", "\n");
    let markdown = markdown.trim();
    if markdown.is_empty() || markdown.len() > MAX_MARKDOWN {
        return Err(BackendError::Import(vec![format!("{slug}: the text must have 1 to {MAX_MARKDOWN} bytes")]));
    }
    let mut tx = state.db.pool.begin().await?;
    let slugs = store::article_slugs(&mut tx).await?;
    if !slugs.iter().any(|s| s == slug) {
        return Err(BackendError::NotFound);
    }
    let set: HashSet<&str> = slugs.iter().map(String::as_str).collect();
    let r = render_markdown(markdown);
    let problems: Vec<String> =
        r.links.iter().filter_map(|l| broken_link(l, &set)).map(|p| format!("{slug}: {p}")).collect();
    if !problems.is_empty() {
        return Err(BackendError::Import(problems));
    }
    let now = state.clock.ts();
    store::update_body(&mut tx, slug, markdown, &r.html, &r.text, now).await?;
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
    Ok(())
}

/// The admin's editor: the articles by title, and the chosen one's Markdown.
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but an admin; [`BackendError::NotFound`] for an unknown
/// slug; database errors.
pub async fn admin_view(state: &AppState, by: &Staff, slug: &str) -> Result<domain::legal::AdminLegalView> {
    if by.role != Role::Admin {
        return Err(BackendError::Forbidden);
    }
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

// ---------------------------------------------------------------------------------------------
// Reading

fn summary(a: &ArticleRow) -> ArticleSummary {
    ArticleSummary { slug: a.slug.clone(), title: a.title.clone(), summary: a.summary.clone(), topic: a.topic.clone() }
}

/// Every topic with its articles (by title), in the fixed topic order.
///
/// # Errors
/// Database errors.
pub async fn home(state: &AppState) -> Result<LegalHomeView> {
    let mut all = store::all_articles(&state.db.pool).await?;
    all.sort_by(|a, b| a.title.cmp(&b.title));
    let topics = Topic::ALL
        .into_iter()
        .map(|t| (t, all.iter().filter(|a| a.topic == t.code()).map(summary).collect()))
        .collect();
    Ok(LegalHomeView { topics })
}

/// The articles of one topic.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown topic; database errors.
pub async fn topic(state: &AppState, code: &str) -> Result<(Topic, Vec<ArticleSummary>)> {
    let t = Topic::parse(code).ok_or(BackendError::NotFound)?;
    let home = home(state).await?;
    let list = home.topics.into_iter().find(|(x, _)| *x == t).map(|(_, l)| l).unwrap_or_default();
    Ok((t, list))
}

/// One article with its related articles.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown slug; database errors.
pub async fn article(state: &AppState, slug: &str) -> Result<ArticleView> {
    let a = store::article_by_slug(&state.db.pool, slug.trim()).await?.ok_or(BackendError::NotFound)?;
    let mut related = Vec::new();
    for r in &a.related {
        if let Some(row) = store::article_by_slug(&state.db.pool, r).await? {
            related.push(summary(&row));
        }
    }
    Ok(ArticleView {
        slug: a.slug,
        title: a.title,
        topic: a.topic,
        summary: a.summary,
        legal_basis: a.legal_basis,
        last_reviewed: a.last_reviewed,
        body_html: a.body_html,
        related,
    })
}

/// The region's names from the district down: (`河东区 / 东关街道`, `Hedong / Dongguan`).
fn place_names(cat: &Catalog, code: &str) -> (String, String) {
    let mut chain = Vec::new();
    let mut cur = cat.region(code);
    while let Some(r) = cur {
        if r.level == Level::City || chain.len() > 8 {
            break;
        }
        chain.push(r);
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    chain.reverse();
    let zh: Vec<&str> = chain.iter().map(|r| r.name.as_str()).collect();
    let en: Vec<&str> =
        chain.iter().map(|r| if r.name_en.is_empty() { r.name.as_str() } else { r.name_en.as_str() }).collect();
    (zh.join(" / "), en.join(" / "))
}

fn point_view(cat: &Catalog, s: &ServiceRow, from: Option<GeoPoint>) -> ServicePointView {
    ServicePointView {
        code: s.code.clone(),
        name: s.name.clone(),
        kind: s.kind.clone(),
        region: s.region.clone(),
        place: place_names(cat, &s.region),
        address: s.address.clone(),
        phone: s.phone.clone(),
        hours: s.hours.clone(),
        lat: s.lat,
        lng: s.lng,
        distance_m: from.map(|p| haversine_m(p.lat, p.lng, s.lat, s.lng)),
    }
}

fn kind_order(kind: &str) -> usize {
    ServiceKind::ALL.iter().position(|k| k.code() == kind).unwrap_or(usize::MAX)
}

fn option(r: &domain::region::Region) -> PlaceOption {
    PlaceOption { code: r.code.clone(), name: r.name.clone(), name_en: r.name_en.clone() }
}

/// The directory: filtered by kind and by the district → street cascade (a chosen region shows
/// its own places, those below it, and the district's, which serve it too); ordered by distance
/// when a point is given, else district, street, community in turn.
///
/// # Errors
/// Database errors.
pub async fn directory(
    state: &AppState,
    kind: &str,
    district: &str,
    street: &str,
    lat: &str,
    lng: &str,
) -> Result<DirectoryView> {
    let cat = state.catalog.get();
    let kind = ServiceKind::parse(kind).map(|k| k.code().to_owned()).unwrap_or_default();
    let district =
        cat.region(district.trim()).filter(|r| r.level == Level::District).map(|r| r.code.clone()).unwrap_or_default();
    let street = cat
        .region(street.trim())
        .filter(|r| r.level == Level::Street && !district.is_empty() && r.parent.as_deref() == Some(district.as_str()))
        .map(|r| r.code.clone())
        .unwrap_or_default();
    let from = GeoPoint::parse(lat, lng).ok().flatten();
    let chosen = if street.is_empty() { district.clone() } else { street.clone() };
    let mut points: Vec<ServicePointView> = store::all_services(&state.db.pool)
        .await?
        .iter()
        .filter(|s| kind.is_empty() || s.kind == kind)
        .filter(|s| {
            chosen.is_empty() || region_contains(&cat, &chosen, &s.region) || region_contains(&cat, &s.region, &chosen)
        })
        .map(|s| point_view(&cat, s, from))
        .collect();
    if from.is_some() {
        points.sort_by(|a, b| {
            a.distance_m
                .unwrap_or(f64::MAX)
                .total_cmp(&b.distance_m.unwrap_or(f64::MAX))
                .then_with(|| a.code.cmp(&b.code))
        });
    } else {
        points.sort_by(|a, b| {
            a.region
                .cmp(&b.region)
                .then_with(|| kind_order(&a.kind).cmp(&kind_order(&b.kind)))
                .then_with(|| a.code.cmp(&b.code))
        });
    }
    Ok(DirectoryView {
        districts: cat.children(None, Level::District).into_iter().map(option).collect(),
        streets: if district.is_empty() {
            Vec::new()
        } else {
            cat.children(Some(&district), Level::Street).into_iter().map(option).collect()
        },
        kind,
        district,
        street,
        by_distance: from.is_some(),
        points,
    })
}

/// The service point of `kind` nearest to a point (haversine).
///
/// # Errors
/// Database errors.
pub async fn nearest(state: &AppState, at: GeoPoint, kind: ServiceKind) -> Result<Option<ServicePointView>> {
    let cat = state.catalog.get();
    Ok(store::all_services(&state.db.pool)
        .await?
        .iter()
        .filter(|s| s.kind == kind.code())
        .map(|s| point_view(&cat, s, Some(at)))
        .min_by(|a, b| a.distance_m.unwrap_or(f64::MAX).total_cmp(&b.distance_m.unwrap_or(f64::MAX))))
}

/// What the eligibility check shows: the income standard and the legal aid centres.
///
/// # Errors
/// Database errors.
pub async fn eligibility_info(state: &AppState) -> Result<EligibilityInfo> {
    let cat = state.catalog.get();
    let centres = store::all_services(&state.db.pool)
        .await?
        .iter()
        .filter(|s| s.kind == ServiceKind::LegalAidCenter.code())
        .map(|s| point_view(&cat, s, None))
        .collect();
    Ok(EligibilityInfo { income_limit: state.legal.income_limit, centres })
}

/// The region's ancestors from itself up to its district (most precise first).
fn chain_to_district(cat: &Catalog, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = cat.region(code);
    while let Some(r) = cur {
        if r.level == Level::City || out.len() > 8 {
            break;
        }
        out.push(r.code.clone());
        if r.level == Level::District {
            break;
        }
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    out
}

/// Legal pointers for a dispute appeal: the articles written for its category, the mediation
/// committee nearest to its region (the community's, else the street's; with only a district
/// known, the district's committees), and the district for the directory link. `None` for a
/// category that is not a dispute.
///
/// # Errors
/// Database errors.
pub async fn triage(state: &AppState, category: &str, region: &str) -> Result<Option<TriageView>> {
    if !is_dispute(category) {
        return Ok(None);
    }
    let cat = state.catalog.get();
    let articles = store::articles_for_category(&state.db.pool, category.trim()).await?.iter().map(summary).collect();
    let chain = chain_to_district(&cat, region.trim());
    let committees: Vec<ServiceRow> = store::all_services(&state.db.pool)
        .await?
        .into_iter()
        .filter(|s| s.kind == ServiceKind::MediationCommittee.code())
        .collect();
    let district = chain.last().filter(|c| cat.region(c).is_some_and(|r| r.level == Level::District)).cloned();
    let below_district = chain.iter().take(chain.len().saturating_sub(1));
    let mut mediation: Vec<ServicePointView> = below_district
        .map(|code| {
            committees.iter().filter(|s| &s.region == code).map(|s| point_view(&cat, s, None)).collect::<Vec<_>>()
        })
        .find(|found| !found.is_empty())
        .unwrap_or_default();
    if mediation.is_empty() {
        if let Some(d) = &district {
            // The district's general committees (its streets') before its specialised ones.
            let mut list: Vec<&ServiceRow> =
                committees.iter().filter(|s| region_contains(&cat, d, &s.region)).collect();
            let depth = |s: &ServiceRow| match cat.region(&s.region).map(|r| r.level) {
                Some(Level::Street) => 0,
                Some(Level::District) => 1,
                _ => 2,
            };
            list.sort_by(|a, b| depth(a).cmp(&depth(b)).then_with(|| a.code.cmp(&b.code)));
            mediation = list.into_iter().take(4).map(|s| point_view(&cat, s, None)).collect();
        }
    }
    Ok(Some(TriageView { category: category.trim().to_owned(), articles, mediation, district }))
}

// ---------------------------------------------------------------------------------------------
// Search

/// At most this many characters of a query are used.
const MAX_QUERY_CHARS: usize = 40;

/// The resident's words: trimmed, control characters removed, split at spaces, at most five.
#[must_use]
pub fn query_terms(q: &str) -> Vec<String> {
    let clean: String = q.chars().filter(|c| !c.is_control()).take(MAX_QUERY_CHARS).collect();
    let mut terms: Vec<String> = Vec::new();
    for t in clean.split_whitespace() {
        if !terms.iter().any(|x| x == t) {
            terms.push(t.to_owned());
        }
    }
    terms.truncate(5);
    terms
}

/// The fallback pieces of a phrase that is not found whole: its overlapping three-character
/// pieces (what the trigram indexes hold), at most twelve.
fn trigrams(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms {
        let chars: Vec<char> = t.chars().collect();
        if chars.len() <= 3 {
            if !out.contains(t) {
                out.push(t.clone());
            }
            continue;
        }
        for w in chars.windows(3) {
            let s: String = w.iter().collect();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out.truncate(12);
    out
}

fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Which characters of `chars` belong to an occurrence of a piece (case-insensitively).
fn match_mask(chars: &[char], pieces: &[String]) -> Vec<bool> {
    let folded: Vec<char> = chars.iter().copied().map(fold).collect();
    let mut mask = vec![false; chars.len()];
    for p in pieces {
        let p: Vec<char> = p.chars().map(fold).collect();
        if p.is_empty() || p.len() > folded.len() {
            continue;
        }
        for i in 0..=folded.len() - p.len() {
            if folded[i..i + p.len()] == p[..] {
                mask[i..i + p.len()].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    mask
}

/// Escaped text with `<mark>` around the occurrences of the pieces: safe to insert as HTML.
#[must_use]
pub fn highlight(text: &str, pieces: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    highlight_chars(&chars, &match_mask(&chars, pieces))
}

fn highlight_chars(chars: &[char], mask: &[bool]) -> String {
    let mut out = String::new();
    let mut open = false;
    for (c, m) in chars.iter().zip(mask) {
        if *m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !*m && open {
            out.push_str("</mark>");
            open = false;
        }
        escape_html(&c.to_string(), &mut out);
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// A short passage around the first match in the first text that has one (or the start of the
/// first text), highlighted and escaped.
#[must_use]
pub fn snippet(texts: &[&str], pieces: &[String]) -> String {
    const BEFORE: usize = 20;
    const WIDTH: usize = 80;
    let candidates: Vec<Vec<char>> =
        texts.iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect()).collect();
    let found = candidates.iter().find_map(|chars| {
        let mask = match_mask(chars, pieces);
        mask.iter().position(|m| *m).map(|i| (chars, mask, i))
    });
    let (chars, mask, first) = match found {
        Some(f) => f,
        None => match candidates.iter().find(|c| !c.is_empty()) {
            Some(c) => (c, vec![false; c.len()], 0),
            None => return String::new(),
        },
    };
    let start = first.saturating_sub(BEFORE);
    let end = (start + WIDTH).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&highlight_chars(&chars[start..end], &mask[start..end]));
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn hit(row: &SearchRow, pieces: &[String]) -> SearchHit {
    let article = row.kind == "a";
    SearchHit {
        kind: if article { "article" } else { "service" }.to_owned(),
        href: if article { format!("/legal/articles/{}", row.key) } else { format!("/legal/services#svc-{}", row.key) },
        title_html: highlight(&row.title, pieces),
        snippet_html: if article {
            snippet(&[&row.summary, &row.body], pieces)
        } else {
            snippet(&[&row.body, &row.summary], pieces)
        },
    }
}

/// Searches articles and service points. The words are matched as typed (all of them); if that
/// finds nothing and a word is longer than three characters, its three-character pieces are
/// matched instead, best covered first. Results are ranked by each engine (see the store).
///
/// # Errors
/// Database errors.
pub async fn search(state: &AppState, q: &str) -> Result<SearchView> {
    let terms = query_terms(q);
    let query = terms.join(" ");
    if terms.is_empty() {
        return Ok(SearchView { query, ..SearchView::default() });
    }
    let mut m = Match::All(terms.clone());
    let mut rows = store::search(&state.db, &m, 60).await?;
    if rows.is_empty() && terms.iter().any(|t| t.chars().count() > 3) {
        m = Match::Any(trigrams(&terms));
        rows = store::search(&state.db, &m, 60).await?;
    }
    let pieces = m.pieces();
    let articles = rows.iter().filter(|r| r.kind == "a").take(20).map(|r| hit(r, pieces)).collect();
    let services = rows.iter().filter(|r| r.kind == "s").take(20).map(|r| hit(r, pieces)).collect();
    Ok(SearchView { query, articles, services })
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
            // Every link in the HTML is one of ours.
            for href in r.body_html.split("href=\"").skip(1) {
                let href = href.split('"').next().unwrap_or_default();
                assert!(href.starts_with("/legal") || href.starts_with("/appeal/new"), "{}: {href}", r.slug);
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
    fn search_words_and_pieces() {
        assert_eq!(query_terms("  工资  仲裁 工资 "), vec!["工资", "仲裁"]);
        assert!(query_terms(" \t ").is_empty());
        assert_eq!(query_terms(&"长".repeat(100))[0].chars().count(), 40);
        assert_eq!(trigrams(&["拖欠工资".to_owned(), "薪".to_owned()]), vec!["拖欠工", "欠工资", "薪"]);
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
