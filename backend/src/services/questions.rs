//! The admins' editor of the extra questions per category (issue 13, `/staff/admin/questions`):
//! add, edit, delete and reorder a category's questions. Each change is one transaction with its
//! audit entry (what the question was before and after) and a new catalogue version, so this
//! node reloads at once and every other node within its polling interval: the wizard, the staff
//! intake form and Open311's service definitions ask the new questions from then on.
//!
//! Answers already stored with appeals carry their question's labels (`StoredAnswer`), so
//! nothing here touches them: an appeal answered before a question changed or disappeared shows
//! its answers as they were asked.

use crate::audit::{self, Entry, Who};
use crate::state::AppState;
use crate::store::questions as store;
use crate::store::Tx;
use crate::{BackendError, Result};
use domain::questions::{check_question, moved, Question, QuestionForm};
use domain::{FieldError, FieldName, Msg};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Every category's questions in order, as stored (for the editor; the catalogue may be a
/// moment older on another node).
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but an admin; database errors.
pub async fn list(state: &AppState, by: &Who) -> Result<BTreeMap<String, Vec<Question>>> {
    by.require_admin()?;
    Ok(store::all(&state.db.pool).await?.into_iter().collect())
}

fn known_category(state: &AppState, category: &str) -> Result<String> {
    let category = category.trim();
    if state.catalog.get().category(category).is_none() {
        return Err(BackendError::invalid(FieldError::new(FieldName::Category, Msg::ErrCategoryUnknown)));
    }
    Ok(category.to_owned())
}

fn as_json(q: &Question) -> Value {
    serde_json::to_value(q).unwrap_or(Value::Null)
}

/// Bumps the catalogue version, appends the audit entry, commits, and reloads this node's
/// catalogue.
async fn finish(state: &AppState, mut tx: Tx<'_>, by: &Who, action: &'static str, detail: Value) -> Result<()> {
    let now = state.clock.ts();
    crate::store::regions::bump_catalog_version(&mut tx).await?;
    audit::append(&mut tx, &Entry { at: now, who: by, action, ticket: None, detail, reason: None }).await?;
    tx.commit().await?;
    crate::services::import::reload_if_changed(state).await?;
    Ok(())
}

/// Adds a question to `category` (`original` empty) or changes the one whose code is
/// `original` (admins; audited with the question before and after). Returns the saved code.
///
/// # Errors
/// [`BackendError::Forbidden`] for non-admins; [`BackendError::Invalid`] with each field's
/// problem (`domain::questions::check_question`, an unknown category);
/// [`BackendError::NotFound`] when `original` is not a question of the category.
pub async fn save(state: &AppState, by: &Who, category: &str, original: &str, form: &QuestionForm) -> Result<String> {
    by.require_admin()?;
    let category = known_category(state, category)?;
    let original = original.trim();
    let mut tx = state.db.pool.begin().await?;
    let codes = store::codes(&mut tx, &category).await?;
    if !original.is_empty() && !codes.iter().any(|c| c == original) {
        return Err(BackendError::NotFound);
    }
    let others: Vec<&str> = codes.iter().map(String::as_str).filter(|c| *c != original).collect();
    let q = check_question(form, &others).map_err(BackendError::Invalid)?;
    let before = if original.is_empty() {
        None
    } else {
        store::of_category(&mut tx, &category).await?.into_iter().find(|x| x.code == original)
    };
    match store::save(&mut tx, &category, original, &q).await {
        Ok(true) => {}
        Ok(false) => return Err(BackendError::NotFound),
        // Another admin added the same code meanwhile.
        Err(e) if e.is_unique_violation() => {
            return Err(BackendError::invalid(FieldError::new(FieldName::Code, Msg::ErrQuestionCodeTaken)));
        }
        Err(e) => return Err(e),
    }
    let (action, detail) = if original.is_empty() {
        ("question_add", json!({ "category": category, "code": q.code, "question": as_json(&q) }))
    } else {
        (
            "question_edit",
            json!({ "category": category, "code": [original, q.code], "question": [before.as_ref().map(as_json), as_json(&q)] }),
        )
    };
    finish(state, tx, by, action, detail).await?;
    Ok(q.code)
}

/// Deletes a question (admins; the audit keeps what it was). Appeals that answered it keep
/// their answers.
///
/// # Errors
/// [`BackendError::Forbidden`] for non-admins; [`BackendError::Invalid`] for an unknown
/// category; [`BackendError::NotFound`] for an unknown question.
pub async fn delete(state: &AppState, by: &Who, category: &str, code: &str) -> Result<()> {
    by.require_admin()?;
    let category = known_category(state, category)?;
    let code = code.trim();
    let mut tx = state.db.pool.begin().await?;
    let gone = store::of_category(&mut tx, &category).await?.into_iter().find(|x| x.code == code);
    if !store::delete(&mut tx, &category, code).await? {
        return Err(BackendError::NotFound);
    }
    let detail = json!({ "category": category, "code": code, "question": gone.as_ref().map(as_json) });
    finish(state, tx, by, "question_delete", detail).await
}

/// Moves a question one place up or down in its category (admins; audited with the order
/// before and after). Already first (up) or last (down): nothing changes.
///
/// # Errors
/// [`BackendError::Forbidden`] for non-admins; [`BackendError::Invalid`] for an unknown
/// category; [`BackendError::NotFound`] for an unknown question.
pub async fn move_question(state: &AppState, by: &Who, category: &str, code: &str, up: bool) -> Result<()> {
    by.require_admin()?;
    let category = known_category(state, category)?;
    let code = code.trim();
    let mut tx = state.db.pool.begin().await?;
    let codes = store::codes(&mut tx, &category).await?;
    if !codes.iter().any(|c| c == code) {
        return Err(BackendError::NotFound);
    }
    let Some(order) = moved(&codes, code, up) else { return Ok(()) };
    store::set_order(&mut tx, &category, &order).await?;
    finish(state, tx, by, "question_move", json!({ "category": category, "code": code, "order": [codes, order] })).await
}
