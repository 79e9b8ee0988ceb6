//! Staff accounts.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub unit: String,
    pub role: String,
    pub active: bool,
    pub updated_at: i64,
}

type Raw = (String, String, String, String, String, String, i32, i64);
const COLS: &str = "id, username, display_name, password_hash, unit, role, active, updated_at";

fn from_raw((id, username, display_name, password_hash, unit, role, active, updated_at): Raw) -> StaffRow {
    StaffRow { id, username, display_name, password_hash, unit, role, active: active != 0, updated_at }
}

pub async fn by_username(pool: &AnyPool, username: &str) -> Result<Option<StaffRow>> {
    let r: Option<Raw> = sqlx::query_as(&format!("SELECT {COLS} FROM staff WHERE username = $1"))
        .bind(username)
        .fetch_optional(pool)
        .await?;
    Ok(r.map(from_raw))
}

pub async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<StaffRow>> {
    let r: Option<Raw> =
        sqlx::query_as(&format!("SELECT {COLS} FROM staff WHERE id = $1")).bind(id).fetch_optional(pool).await?;
    Ok(r.map(from_raw))
}

pub async fn all(pool: &AnyPool) -> Result<Vec<StaffRow>> {
    let r: Vec<Raw> =
        sqlx::query_as(&format!("SELECT {COLS} FROM staff ORDER BY unit, username")).fetch_all(pool).await?;
    Ok(r.into_iter().map(from_raw).collect())
}

pub async fn insert(tx: &mut Tx<'_>, s: &StaffRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff (id, username, display_name, password_hash, unit, role, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&s.id)
    .bind(&s.username)
    .bind(&s.display_name)
    .bind(&s.password_hash)
    .bind(&s.unit)
    .bind(&s.role)
    .bind(i32::from(s.active))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_active(tx: &mut Tx<'_>, id: &str, active: bool, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE staff SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(i32::from(active))
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks the account changed at `now`: every session signed in before it ends (`auth`).
pub async fn touch(tx: &mut Tx<'_>, id: &str, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE staff SET updated_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut **tx).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_password(tx: &mut Tx<'_>, id: &str, hash: &str, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE staff SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}
