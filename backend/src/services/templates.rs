//! Reply templates per appeal category (issue 13): admins keep them (add, edit, delete; each
//! audited like the other admin use cases); staff see the templates of an appeal's category
//! under its reply form (`work::appeal_page`).

use crate::audit::{self, Entry, Who};
use crate::state::AppState;
use crate::store::callbacks as store;
use crate::{BackendError, Result};
use domain::callback::{check_template, ReplyTemplate};
use serde_json::json;

fn item(r: store::TemplateRow) -> ReplyTemplate {
    ReplyTemplate { id: r.id, category: r.category, title: r.title, body: r.body }
}

/// Every template, for the admin page.
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but an admin; database errors.
pub async fn list(state: &AppState, by: &Who) -> Result<Vec<ReplyTemplate>> {
    by.require_admin()?;
    Ok(store::templates(&state.db.pool).await?.into_iter().map(item).collect())
}

/// The templates of one category (any signed-in staff member reading an appeal of it; the
/// caller has checked that they may see the appeal).
///
/// # Errors
/// Database errors.
pub async fn of_category(state: &AppState, category: &str) -> Result<Vec<ReplyTemplate>> {
    Ok(store::templates_of(&state.db.pool, category).await?.into_iter().map(item).collect())
}

/// Adds a template (`id` empty) or changes one (admins; audited).
///
/// # Errors
/// [`BackendError::Forbidden`] for non-admins; [`BackendError::Invalid`] with each field's
/// problem (unknown category, title or body missing or too long); [`BackendError::NotFound`]
/// for an id that does not exist.
pub async fn save(state: &AppState, by: &Who, id: &str, category: &str, title: &str, body: &str) -> Result<String> {
    by.require_admin()?;
    let cat = state.catalog.get();
    let (category, title, body) =
        check_template(category, title, body, |c| cat.category(c).is_some()).map_err(BackendError::Invalid)?;
    let id = id.trim();
    let new = id.is_empty();
    let id = if new { crate::crypto::random_hex() } else { id.to_owned() };
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    // An edit's audit keeps what the template said before (title, category and body), so a
    // changed text can be told and put back.
    let before = if new { None } else { Some(store::template(&mut tx, &id).await?.ok_or(BackendError::NotFound)?) };
    if !store::save_template(&mut tx, &id, new, (&category, &title, &body), now, &by.id).await? {
        return Err(BackendError::NotFound);
    }
    let mut detail = json!({ "id": id, "category": category, "title": title });
    if let Some(b) = before {
        detail["category"] = json!([b.category, category]);
        detail["title"] = json!([b.title, title]);
        detail["body"] = json!([b.body, body]);
    }
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: if new { "template_add" } else { "template_edit" },
            ticket: None,
            detail,
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a template (admins; audited).
///
/// # Errors
/// [`BackendError::Forbidden`] for non-admins; [`BackendError::NotFound`] for an unknown id.
pub async fn delete(state: &AppState, by: &Who, id: &str) -> Result<()> {
    by.require_admin()?;
    let now = state.clock.ts();
    let id = id.trim();
    let mut tx = state.db.pool.begin().await?;
    // The audit keeps the deleted text: the row itself is gone.
    let gone = store::template(&mut tx, id).await?.ok_or(BackendError::NotFound)?;
    if !store::delete_template(&mut tx, id).await? {
        return Err(BackendError::NotFound);
    }
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: "template_delete",
            ticket: None,
            detail: json!({ "id": id, "category": gone.category, "title": gone.title, "body": gone.body }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
