//! The moderation of what residents asked to publish (issue 9 §3): the queue, one appeal's
//! publication facts, and the decision.

use super::appeals::{scope_sql, InboxQuery};
use super::Tx;
use crate::Result;
use sqlx::AnyPool;

/// One appeal of the moderation queue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueueRow {
    pub ticket: String,
    pub category: String,
    pub unit: String,
    pub submitted_at: i64,
    /// The resident's own words (staff only).
    pub description: String,
    /// `pending` or `approved`.
    pub publish_state: String,
    pub public_text: Option<String>,
    pub moderated_at: Option<i64>,
}

/// Requested, not sensitive, in the scope `q` describes (the inbox's scope rule), with state
/// `pending` or `approved` (the approved ones so an approval can be edited or withdrawn);
/// pending first, oldest first. `sensitive` is the list of category codes never shown.
pub async fn queue(pool: &AnyPool, q: &InboxQuery, sensitive: &[&str], limit: i64) -> Result<Vec<QueueRow>> {
    let (scope, mut binds) = scope_sql(q, 1);
    let mut ph = Vec::new();
    for c in sensitive {
        binds.push((*c).to_owned());
        ph.push(format!("${}", binds.len()));
    }
    let not_sensitive =
        if ph.is_empty() { "1 = 1".to_owned() } else { format!("a.category NOT IN ({})", ph.join(", ")) };
    let sql = format!(
        "SELECT a.ticket, a.category, a.unit, a.submitted_at, a.description, a.publish_state, a.public_text, a.moderated_at
         FROM appeals a
         WHERE a.publish_requested = 1 AND a.publish_state IN ('pending', 'approved') AND {not_sensitive} AND {scope}
         ORDER BY CASE WHEN a.publish_state = 'pending' THEN 0 ELSE 1 END, a.submitted_at, a.ticket
         LIMIT {}",
        limit.clamp(1, 500)
    );
    let mut query = sqlx::query_as::<_, QueueRow>(&sql);
    for b in binds {
        query = query.bind(b);
    }
    Ok(query.fetch_all(pool).await?)
}

/// What deciding on one appeal needs to know.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Facts {
    pub category: String,
    pub description: String,
    pub unit: String,
    pub publish_requested: i64,
    pub publish_state: Option<String>,
    pub public_text: Option<String>,
}

pub async fn facts(tx: &mut Tx<'_>, ticket: &str) -> Result<Option<Facts>> {
    Ok(sqlx::query_as("SELECT category, description, unit, publish_requested, publish_state, public_text FROM appeals WHERE ticket = $1")
        .bind(ticket)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Records a decision: `approved` with the text to publish, or `declined` (text cleared).
pub async fn decide(tx: &mut Tx<'_>, ticket: &str, state: &str, text: Option<&str>, by: &str, at: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE appeals SET publish_state = $1, public_text = $2, moderated_by = $3, moderated_at = $4
         WHERE ticket = $5 AND publish_requested = 1",
    )
    .bind(state)
    .bind(text)
    .bind(by)
    .bind(at)
    .bind(ticket)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}
