//! Extra questions per category (issue 13) and the answers stored with an appeal.

use crate::Result;
use domain::questions::{Choice, Question, QuestionKind, StoredAnswer};
use sqlx::AnyPool;
use std::collections::HashMap;

type Row = (String, String, String, i32, String, String, String, String, i32, i64, i32, String, String, String);

/// Every category's questions, by category code, each list in its order. Rows that do not parse
/// (an unknown kind, broken choices) are skipped with a warning: a bad row must not stop the
/// catalogue from loading, and the question it describes is then simply not asked.
pub async fn all(pool: &AnyPool) -> Result<HashMap<String, Vec<Question>>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT category, code, kind, required, label, label_en, help, help_en, max_len, max_value, decimals,
                unit, unit_en, choices
         FROM category_questions ORDER BY category, position, code",
    )
    .fetch_all(pool)
    .await?;
    let mut out: HashMap<String, Vec<Question>> = HashMap::new();
    for (
        category,
        code,
        kind,
        required,
        label,
        label_en,
        help,
        help_en,
        max_len,
        max,
        decimals,
        unit,
        unit_en,
        choices,
    ) in rows
    {
        let Some(kind) = QuestionKind::parse(&kind) else {
            tracing::warn!(%category, %code, %kind, "category question of unknown kind skipped");
            continue;
        };
        let Ok(choices) = serde_json::from_str::<Vec<Choice>>(&choices) else {
            tracing::warn!(%category, %code, "category question with unreadable choices skipped");
            continue;
        };
        out.entry(category).or_default().push(Question {
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
        });
    }
    Ok(out)
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
