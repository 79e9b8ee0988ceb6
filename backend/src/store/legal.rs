//! Legal articles, legal service points, and searching them.
//!
//! Everything is portable SQL except search, which is the point where the engines differ on
//! purpose (docs/architecture.md, "Legal search"): SQLite searches its FTS5 trigram table
//! (`legal_fts`, kept by triggers) and ranks with `bm25`; PostgreSQL matches with `ILIKE` (served
//! by pg_trgm GIN indexes) and ranks by where the words occur, then `similarity`. [`search`]
//! picks one of the two small query functions by `db.engine`.

use super::Tx;
use crate::db::{Db, Engine};
use crate::Result;
use sqlx::AnyPool;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRow {
    pub slug: String,
    pub title: String,
    pub topic: String,
    pub summary: String,
    pub legal_basis: String,
    pub last_reviewed: String,
    pub categories: Vec<String>,
    pub related: Vec<String>,
    pub body_md: String,
    pub body_html: String,
    pub body_text: String,
    /// Colloquial terms residents search with ("老板不给钱"), searched like the title.
    pub synonyms: Vec<String>,
    /// English title and summary; empty when the content has none.
    pub title_en: String,
    pub summary_en: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub kind_name: String,
    pub region: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
    pub lat: f64,
    pub lng: f64,
}

fn join(list: &[String]) -> String {
    list.join(",")
}

fn split(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

const ARTICLE_COLUMNS: &str = "slug, title, topic, summary, legal_basis, last_reviewed, categories, related, body_md, \
     body_html, body_text, synonyms, title_en, summary_en";

type ArticleTuple =
    (String, String, String, String, String, String, String, String, String, String, String, String, String, String);

fn article(t: ArticleTuple) -> ArticleRow {
    let (
        slug,
        title,
        topic,
        summary,
        legal_basis,
        last_reviewed,
        categories,
        related,
        body_md,
        body_html,
        body_text,
        synonyms,
        title_en,
        summary_en,
    ) = t;
    ArticleRow {
        slug,
        title,
        topic,
        summary,
        legal_basis,
        last_reviewed,
        categories: split(&categories),
        related: split(&related),
        body_md,
        body_html,
        body_text,
        synonyms: split(&synonyms),
        title_en,
        summary_en,
    }
}

pub async fn upsert_article(tx: &mut Tx<'_>, a: &ArticleRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO legal_articles (slug, title, topic, summary, legal_basis, last_reviewed, categories,
           related, body_md, body_html, body_text, updated_at, synonyms, title_en, summary_en)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (slug) DO UPDATE SET title = excluded.title, topic = excluded.topic,
           summary = excluded.summary, legal_basis = excluded.legal_basis,
           last_reviewed = excluded.last_reviewed, categories = excluded.categories,
           related = excluded.related, body_md = excluded.body_md, body_html = excluded.body_html,
           body_text = excluded.body_text, updated_at = excluded.updated_at,
           synonyms = excluded.synonyms, title_en = excluded.title_en, summary_en = excluded.summary_en",
    )
    .bind(&a.slug)
    .bind(&a.title)
    .bind(&a.topic)
    .bind(&a.summary)
    .bind(&a.legal_basis)
    .bind(&a.last_reviewed)
    .bind(join(&a.categories))
    .bind(join(&a.related))
    .bind(&a.body_md)
    .bind(&a.body_html)
    .bind(&a.body_text)
    .bind(now)
    .bind(join(&a.synonyms))
    .bind(&a.title_en)
    .bind(&a.summary_en)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces an article's body (Markdown, rendered HTML and plain text); `false` if no such slug.
pub async fn update_body(tx: &mut Tx<'_>, slug: &str, md: &str, html: &str, text: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE legal_articles SET body_md = $1, body_html = $2, body_text = $3, updated_at = $4 WHERE slug = $5",
    )
    .bind(md)
    .bind(html)
    .bind(text)
    .bind(now)
    .bind(slug)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// Removes the articles whose slug is not in `keep` (a re-import is the whole content set).
pub async fn delete_articles_except(tx: &mut Tx<'_>, keep: &[&str]) -> Result<u64> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT slug FROM legal_articles").fetch_all(&mut **tx).await?;
    let mut n = 0;
    for (slug,) in rows.into_iter().filter(|(s,)| !keep.contains(&s.as_str())) {
        n += sqlx::query("DELETE FROM legal_articles WHERE slug = $1")
            .bind(slug)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(n)
}

pub async fn upsert_service(tx: &mut Tx<'_>, s: &ServiceRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO legal_services (code, name, kind, kind_name, region, address, phone, hours, lat, lng, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
           kind_name = excluded.kind_name, region = excluded.region, address = excluded.address,
           phone = excluded.phone, hours = excluded.hours, lat = excluded.lat, lng = excluded.lng,
           updated_at = excluded.updated_at",
    )
    .bind(&s.code)
    .bind(&s.name)
    .bind(&s.kind)
    .bind(&s.kind_name)
    .bind(&s.region)
    .bind(&s.address)
    .bind(&s.phone)
    .bind(&s.hours)
    .bind(s.lat)
    .bind(s.lng)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_services_except(tx: &mut Tx<'_>, keep: &[&str]) -> Result<u64> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT code FROM legal_services").fetch_all(&mut **tx).await?;
    let mut n = 0;
    for (code,) in rows.into_iter().filter(|(c,)| !keep.contains(&c.as_str())) {
        n += sqlx::query("DELETE FROM legal_services WHERE code = $1")
            .bind(code)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(n)
}

pub async fn count_articles(pool: &AnyPool) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM legal_articles").fetch_one(pool).await?;
    Ok(n)
}

/// Every article, by slug.
pub async fn all_articles(pool: &AnyPool) -> Result<Vec<ArticleRow>> {
    let rows: Vec<ArticleTuple> =
        sqlx::query_as(&format!("SELECT {ARTICLE_COLUMNS} FROM legal_articles ORDER BY slug")).fetch_all(pool).await?;
    Ok(rows.into_iter().map(article).collect())
}

pub async fn article_by_slug(pool: &AnyPool, slug: &str) -> Result<Option<ArticleRow>> {
    let row: Option<ArticleTuple> =
        sqlx::query_as(&format!("SELECT {ARTICLE_COLUMNS} FROM legal_articles WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(article))
}

/// The slugs that exist (link checks of an edit).
pub async fn article_slugs(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT slug FROM legal_articles").fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Articles whose `categories` name the appeal category `code`, by slug.
pub async fn articles_for_category(pool: &AnyPool, code: &str) -> Result<Vec<ArticleRow>> {
    // Commas around both sides make the match whole codes only ("legal_aid" is not "aid").
    let rows: Vec<ArticleTuple> = sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM legal_articles WHERE ',' || categories || ',' LIKE $1 ESCAPE '\\' ORDER BY slug"
    ))
    .bind(format!("%,{},%", like_escape(code)))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(article).collect())
}

type ServiceTuple = (String, String, String, String, String, String, String, String, f64, f64);

/// Every service point, by code.
pub async fn all_services(pool: &AnyPool) -> Result<Vec<ServiceRow>> {
    let rows: Vec<ServiceTuple> = sqlx::query_as(
        "SELECT code, name, kind, kind_name, region, address, phone, hours, lat, lng FROM legal_services ORDER BY code",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, kind, kind_name, region, address, phone, hours, lat, lng)| ServiceRow {
            code,
            name,
            kind,
            kind_name,
            region,
            address,
            phone,
            hours,
            lat,
            lng,
        })
        .collect())
}

/// How the words of a query are to be matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// Every piece must occur (the resident's words as typed).
    All(Vec<String>),
    /// Any piece may occur; more pieces rank higher (the fallback: a long phrase cut into
    /// trigrams when it does not occur as a whole).
    Any(Vec<String>),
}

impl Match {
    #[must_use]
    pub fn pieces(&self) -> &[String] {
        match self {
            Self::All(p) | Self::Any(p) => p,
        }
    }
}

/// One search result: `kind` is `a` (article) or `s` (service point); `title`, `summary` and
/// `body` are the searched texts (body: plain text and legal basis, or the address), for
/// snippets, with the article's English title and summary (empty for service points and for
/// articles without them). Best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    pub kind: String,
    pub key: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub title_en: String,
    pub summary_en: String,
}

type SearchTuple = (String, String, String, String, String, String, String);

fn search_row((kind, key, title, summary, body, title_en, summary_en): SearchTuple) -> SearchRow {
    SearchRow { kind, key, title, summary, body, title_en, summary_en }
}

/// `%`, `_` and `\` taken literally in a `LIKE … ESCAPE '\'` pattern.
#[must_use]
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Searches articles and service points on either engine; at most `limit` rows.
pub async fn search(db: &Db, m: &Match, limit: i64) -> Result<Vec<SearchRow>> {
    if m.pieces().is_empty() {
        return Ok(Vec::new());
    }
    match db.engine {
        Engine::Sqlite => search_sqlite(&db.pool, m, limit).await,
        Engine::Postgres => search_postgres(&db.pool, m, limit).await,
    }
}

/// The searched columns in three tiers: a hit in the first (title, colloquial terms, English
/// title) ranks before one in the second (summaries), which ranks before one in the third (body).
struct Tiers<'a> {
    head: &'a [&'a str],
    summary: &'a [&'a str],
    body: &'a [&'a str],
}

/// SQLite's `legal_fts` columns (migration 0017).
const FTS_TIERS: Tiers<'static> =
    Tiers { head: &["title", "terms", "title_en"], summary: &["summary", "summary_en"], body: &["body"] };
/// PostgreSQL: articles' columns, one `ILIKE` each so each trigram index can serve it.
const ARTICLE_TIERS: Tiers<'static> = Tiers {
    head: &["title", "synonyms", "title_en"],
    summary: &["summary", "summary_en"],
    body: &["body_text", "legal_basis"],
};
/// PostgreSQL: service points' columns.
const SERVICE_TIERS: Tiers<'static> = Tiers { head: &["name"], summary: &["kind_name"], body: &["address"] };

/// SQLite: FTS5 `MATCH` on the trigram index when every piece has three characters or more;
/// shorter pieces cannot be looked up in a trigram index, so they are matched with `LIKE` on the
/// same table. Either way the rows are ranked by tier score first (a title or term hit before a
/// body hit, whatever bm25 thinks of a long body), then by `bm25` (title, terms and English title
/// weigh most) or by how often the pieces occur in the body.
async fn search_sqlite(pool: &AnyPool, m: &Match, limit: i64) -> Result<Vec<SearchRow>> {
    let pieces = m.pieces();
    let n = pieces.len();
    let indexed = pieces.iter().all(|p| p.chars().count() >= 3);
    let (cond, score, occurrences) = like_sql(n, m, &FTS_TIERS, "body", "LIKE");
    let columns = "doc_kind, doc_key, title, summary, body, title_en, summary_en";
    let sql = if indexed {
        format!(
            "SELECT {columns} FROM legal_fts WHERE legal_fts MATCH ${e}
             ORDER BY {score} DESC, bm25(legal_fts, 1.0, 1.0, 10.0, 10.0, 10.0, 4.0, 4.0, 1.0), doc_key LIMIT ${l}",
            e = 2 * n + 1,
            l = 2 * n + 2
        )
    } else {
        format!(
            "SELECT {columns} FROM legal_fts WHERE {cond}
             ORDER BY {score} DESC, {occurrences} DESC, doc_key LIMIT ${l}",
            l = 2 * n + 2
        )
    };
    let mut q = sqlx::query_as(&sql);
    for p in pieces {
        q = q.bind(format!("%{}%", like_escape(p)));
    }
    for p in pieces {
        q = q.bind(p.clone());
    }
    // The MATCH expression: each piece a quoted phrase, so FTS5 syntax in the query is literal.
    let quoted: Vec<String> = pieces.iter().map(|p| format!("\"{}\"", p.replace('"', "\"\""))).collect();
    let expr = quoted.join(if matches!(m, Match::All(_)) { " AND " } else { " OR " });
    let rows: Vec<SearchTuple> = q.bind(expr).bind(limit).fetch_all(pool).await?;
    Ok(rows.into_iter().map(search_row).collect())
}

/// The WHERE condition, a score (8 for a hit in the head tier, 3 summary, 1 body, per piece) and
/// an occurrence count, for pieces bound as `$1..$n` (patterns) and `$n+1..$2n` (raw pieces).
fn like_sql(n: usize, m: &Match, tiers: &Tiers<'_>, count_in: &str, like: &str) -> (String, String, String) {
    let any_of = |cols: &[&str], p: &str| {
        let ors: Vec<String> = cols.iter().map(|c| format!("{c} {like} {p} ESCAPE '\\'")).collect();
        format!("({})", ors.join(" OR "))
    };
    let all_cols: Vec<&str> = tiers.head.iter().chain(tiers.summary).chain(tiers.body).copied().collect();
    let mut conds = Vec::new();
    let mut score = Vec::new();
    let mut occ = Vec::new();
    for i in 1..=n {
        let p = format!("${i}");
        let raw = format!("${}", n + i);
        conds.push(any_of(&all_cols, &p));
        score.push(format!(
            "(CASE WHEN {} THEN 8 ELSE 0 END + CASE WHEN {} THEN 3 ELSE 0 END + CASE WHEN {} THEN 1 ELSE 0 END)",
            any_of(tiers.head, &p),
            any_of(tiers.summary, &p),
            any_of(tiers.body, &p)
        ));
        occ.push(format!("((LENGTH({count_in}) - LENGTH(REPLACE({count_in}, {raw}, ''))) / LENGTH({raw}))"));
    }
    let glue = if matches!(m, Match::All(_)) { " AND " } else { " OR " };
    (conds.join(glue), score.join(" + "), occ.join(" + "))
}

/// PostgreSQL: `ILIKE` on the trigram-indexed columns (one per column, so the planner can OR the
/// indexes), ranked by tier score, then by how often the words occur in the body, then by
/// `similarity` to the title or English title (which helps Latin-script queries; pg_trgm has no
/// word boundaries to work with in Chinese).
async fn search_postgres(pool: &AnyPool, m: &Match, limit: i64) -> Result<Vec<SearchRow>> {
    let pieces = m.pieces();
    let n = pieces.len();
    let all = pieces.join(" ");
    let (cond_a, score_a, occ_a) = like_sql(n, m, &ARTICLE_TIERS, "body_text", "ILIKE");
    let (cond_s, score_s, occ_s) = like_sql(n, m, &SERVICE_TIERS, "address", "ILIKE");
    let sql = format!(
        "SELECT kind, key, title, summary, body, title_en, summary_en FROM (
           SELECT 'a' AS kind, slug AS key, title, summary, body_text || ' ' || legal_basis AS body,
                  title_en, summary_en, {score_a} AS score, {occ_a} AS occ,
                  GREATEST(similarity(title, ${q}), similarity(title_en, ${q})) AS sim
             FROM legal_articles WHERE {cond_a}
           UNION ALL
           SELECT 's', code, name, kind_name, address, '', '', {score_s}, {occ_s}, similarity(name, ${q})
             FROM legal_services WHERE {cond_s}
         ) hits ORDER BY score DESC, occ DESC, sim DESC, key LIMIT ${l}",
        q = 2 * n + 1,
        l = 2 * n + 2
    );
    let mut q = sqlx::query_as(&sql);
    for p in pieces {
        q = q.bind(format!("%{}%", like_escape(p)));
    }
    for p in pieces {
        q = q.bind(p.clone());
    }
    let rows: Vec<SearchTuple> = q.bind(all).bind(limit).fetch_all(pool).await?;
    Ok(rows.into_iter().map(search_row).collect())
}
