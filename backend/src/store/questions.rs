//! Extra questions per category (issue 13) and the answers stored with an appeal.

use super::Tx;
use crate::Result;
use domain::questions::{Choice, Question, QuestionKind, StoredAnswer};
use sqlx::AnyPool;
use std::collections::HashMap;

type Row = (String, String, String, i32, String, String, String, String, i32, i64, i32, String, String, String);

/// Every category's questions, by category code, each list in its order. Rows that do not parse
/// (an unknown kind, broken choices) are skipped with a warning: a bad row must not stop the
/// catalogue from loading, and the question it describes is then simply not asked.
pub async fn all(pool: &AnyPool) -> Result<HashMap<String, Vec<Question>>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM category_questions ORDER BY category, position, code"))
            .fetch_all(pool)
            .await?;
    let mut out: HashMap<String, Vec<Question>> = HashMap::new();
    for row in rows {
        let category = row.0.clone();
        if let Some(q) = question(row) {
            out.entry(category).or_default().push(q);
        }
    }
    Ok(out)
}

const COLUMNS: &str = "category, code, kind, required, label, label_en, help, help_en, max_len, max_value, decimals,
                unit, unit_en, choices";

/// One stored row as a question; `None` (with a warning) when it does not parse.
fn question(
    (category, code, kind, required, label, label_en, help, help_en, max_len, max, decimals, unit, unit_en, choices): Row,
) -> Option<Question> {
    let Some(kind) = QuestionKind::parse(&kind) else {
        tracing::warn!(%category, %code, %kind, "category question of unknown kind skipped");
        return None;
    };
    let Ok(choices) = serde_json::from_str::<Vec<Choice>>(&choices) else {
        tracing::warn!(%category, %code, "category question with unreadable choices skipped");
        return None;
    };
    Some(Question {
        code,
        kind,
        required: required != 0,
        label,
        label_en,
        help,
        help_en,
        max_len: usize::try_from(max_len).unwrap_or(0),
        max,
        decimals: u8::try_from(decimals).unwrap_or(0),
        unit,
        unit_en,
        choices,
    })
}

/// One category's questions in order (the editor reads them in its transaction). Rows that do
/// not parse are left out, as in [`all`].
pub async fn of_category(tx: &mut Tx<'_>, category: &str) -> Result<Vec<Question>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM category_questions WHERE category = $1 ORDER BY position, code"
    ))
    .bind(category)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().filter_map(question).collect())
}

/// The codes of one category's rows in order, also those [`of_category`] leaves out (so a code
/// stays unique and a move keeps every row).
pub async fn codes(tx: &mut Tx<'_>, category: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT code FROM category_questions WHERE category = $1 ORDER BY position, code")
            .bind(category)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// Adds a question at the end of its category (`original` empty), or replaces the question
/// stored as `original` (its code may change; its place does not). `false` when `original`
/// is not there.
pub async fn save(tx: &mut Tx<'_>, category: &str, original: &str, q: &Question) -> Result<bool> {
    let choices = serde_json::to_string(&q.choices).map_err(|e| crate::BackendError::Internal(e.to_string()))?;
    let kind = domain::questions::kind_name(q.kind);
    let max_len = i32::try_from(q.max_len).unwrap_or(0);
    let q_ = |sql: &'static str| {
        sqlx::query(sql)
            .bind(kind)
            .bind(i32::from(q.required))
            .bind(q.label.clone())
            .bind(q.label_en.clone())
            .bind(q.help.clone())
            .bind(q.help_en.clone())
            .bind(max_len)
            .bind(q.max)
            .bind(i32::from(q.decimals))
            .bind(q.unit.clone())
            .bind(q.unit_en.clone())
            .bind(choices.clone())
            .bind(category.to_owned())
            .bind(q.code.clone())
    };
    let r = if original.is_empty() {
        q_("INSERT INTO category_questions
                (kind, required, label, label_en, help, help_en, max_len, max_value, decimals, unit, unit_en, choices,
                 category, code, position)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                    (SELECT COALESCE(MAX(position), 0) + 1 FROM category_questions WHERE category = $13))")
        .execute(&mut **tx)
        .await?
    } else {
        q_("UPDATE category_questions SET kind = $1, required = $2, label = $3, label_en = $4, help = $5,
                help_en = $6, max_len = $7, max_value = $8, decimals = $9, unit = $10, unit_en = $11, choices = $12,
                code = $14
            WHERE category = $13 AND code = $15")
        .bind(original.to_owned())
        .execute(&mut **tx)
        .await?
    };
    Ok(r.rows_affected() == 1)
}

/// Deletes a question; `false` when it is not there.
pub async fn delete(tx: &mut Tx<'_>, category: &str, code: &str) -> Result<bool> {
    let r = sqlx::query("DELETE FROM category_questions WHERE category = $1 AND code = $2")
        .bind(category)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Numbers a category's questions 1, 2, … in the order given.
pub async fn set_order(tx: &mut Tx<'_>, category: &str, codes: &[String]) -> Result<()> {
    for (i, code) in codes.iter().enumerate() {
        sqlx::query("UPDATE category_questions SET position = $1 WHERE category = $2 AND code = $3")
            .bind(i32::try_from(i).unwrap_or(0) + 1)
            .bind(category)
            .bind(code)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The answers stored with an appeal, in the order asked; none when none were given. Stored
/// text that does not read as answers is logged and shown as none rather than failing the page.
pub async fn answers(pool: &AnyPool, ticket: &str) -> Result<Vec<StoredAnswer>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT answers FROM appeals WHERE ticket = $1").bind(ticket).fetch_optional(pool).await?;
    let Some(json) = row.and_then(|r| r.0) else { return Ok(Vec::new()) };
    Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
        tracing::warn!(ticket, error = %e, "stored answers unreadable");
        Vec::new()
    }))
}
