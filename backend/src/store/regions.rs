//! Regions, units and categories.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: String,
    pub parent: Option<String>,
    pub geometry: Option<String>,
}

pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub phone: String,
}

pub struct CategoryRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub route_level: String,
    pub department_kind: String,
    pub deadline_days: i32,
    pub urgent: bool,
}

pub async fn upsert_region(tx: &mut Tx<'_>, r: &RegionRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO regions (code, name, name_en, level, parent, geometry, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
           level = excluded.level, parent = excluded.parent, geometry = excluded.geometry,
           updated_at = excluded.updated_at",
    )
    .bind(&r.code)
    .bind(&r.name)
    .bind(&r.name_en)
    .bind(&r.level)
    .bind(&r.parent)
    .bind(&r.geometry)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn upsert_unit(tx: &mut Tx<'_>, u: &UnitRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO units (code, name, kind, region, phone, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
           region = excluded.region, phone = excluded.phone, updated_at = excluded.updated_at",
    )
    .bind(&u.code)
    .bind(&u.name)
    .bind(&u.kind)
    .bind(&u.region)
    .bind(&u.phone)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn upsert_category(tx: &mut Tx<'_>, c: &CategoryRow, order: i32, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO categories (code, name, name_en, route_level, department_kind, deadline_days,
           urgent, sort_order, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
           route_level = excluded.route_level, department_kind = excluded.department_kind,
           deadline_days = excluded.deadline_days, urgent = excluded.urgent,
           sort_order = excluded.sort_order, updated_at = excluded.updated_at",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.name_en)
    .bind(&c.route_level)
    .bind(&c.department_kind)
    .bind(c.deadline_days)
    .bind(i32::from(c.urgent))
    .bind(order)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn count_regions(pool: &AnyPool) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM regions").fetch_one(pool).await?;
    Ok(n)
}

type RegionRaw = (String, String, String, String, Option<String>, Option<String>);

pub async fn all_regions(pool: &AnyPool) -> Result<Vec<RegionRow>> {
    let rows: Vec<RegionRaw> =
        sqlx::query_as("SELECT code, name, name_en, level, parent, geometry FROM regions ORDER BY code")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, name_en, level, parent, geometry)| RegionRow {
            code,
            name,
            name_en,
            level,
            parent,
            geometry,
        })
        .collect())
}

pub async fn all_units(pool: &AnyPool) -> Result<Vec<UnitRow>> {
    let rows: Vec<(String, String, String, String, String)> =
        sqlx::query_as("SELECT code, name, kind, region, phone FROM units ORDER BY code").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(code, name, kind, region, phone)| UnitRow { code, name, kind, region, phone }).collect())
}

pub async fn all_categories(pool: &AnyPool) -> Result<Vec<CategoryRow>> {
    let rows: Vec<(String, String, String, String, String, i32, i32)> = sqlx::query_as(
        "SELECT code, name, name_en, route_level, department_kind, deadline_days, urgent
         FROM categories ORDER BY sort_order, code",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, name_en, route_level, department_kind, deadline_days, urgent)| CategoryRow {
            code,
            name,
            name_en,
            route_level,
            department_kind,
            deadline_days,
            urgent: urgent != 0,
        })
        .collect())
}

/// Points every appeal of `unit` at the unit's (possibly moved) place in the hierarchy.
pub async fn update_scope_paths(tx: &mut Tx<'_>, unit: &str, path: &str) -> Result<()> {
    sqlx::query("UPDATE appeals SET scope_path = $1 WHERE unit = $2 AND scope_path <> $1")
        .bind(path)
        .bind(unit)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn bump_catalog_version(tx: &mut Tx<'_>) -> Result<()> {
    sqlx::query("UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'catalog_version'")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn catalog_version(pool: &AnyPool) -> Result<i64> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT value FROM settings WHERE key = 'catalog_version'").fetch_optional(pool).await?;
    Ok(row.and_then(|r| r.0.parse().ok()).unwrap_or(0))
}
