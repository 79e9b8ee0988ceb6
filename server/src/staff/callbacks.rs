//! The follow-up call post (issue 13) from `/staff/callbacks`: one call's outcome on one appeal.

#[allow(clippy::wildcard_imports)]
use super::*;
use backend::services::callbacks;

/// `/staff/callbacks/{ticket}`: `outcome` (`reached` / `not_reached`), `satisfaction`, `note`.
/// The service checks scope, role and whether the appeal still waits for a call; here only the
/// CSRF token, who is signed in and the ticket's form. Back to the queue with a notice, or with
/// the errors and what was typed (kept per appeal, like the moderation queue).
pub async fn callback(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match appeal::checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Ok(ticket) = domain::receipt::Ticket::parse(&ticket).map(|t| t.as_str().to_owned()) else {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    };
    let g = |k: &str| pairs_get(&form, k);
    let r = callbacks::record(&state, staff, &ticket, &g("outcome"), &g("satisfaction"), &g("note")).await;
    let ok = r.is_ok();
    let mut values = kept_values(&form);
    values.retain(|(k, _)| k != "ticket");
    values.push(("ticket".to_owned(), ticket.clone()));
    match flash_of("callback", r, |()| Some(Msg::Saved), || values) {
        Ok(f) => {
            flash(&session, f).await;
            if ok {
                Redirect::to("/staff/callbacks").into_response()
            } else {
                Redirect::to(&format!("/staff/callbacks#c-{ticket}")).into_response()
            }
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}
