//! `POST /staff/appeal/new`: an appeal recorded by staff (issue 13; the rules are
//! `backend::services::intake`). Back to the form with the errors and what was typed, or with
//! the receipt in the flash (kept in the session, read once: the key never goes into a URL).

#[allow(clippy::wildcard_imports)]
use super::*;
use backend::services::intake::{self, IntakeForm};

pub async fn intake_post(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match appeal::checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let g = |k: &str| pairs_get(&form, k);
    let f = IntakeForm {
        channel: g("channel"),
        category: g("category"),
        description: g("description"),
        cell: g("cell"),
        lat: g("lat"),
        lng: g("lng"),
        drop_point: matches!(g("drop_point").as_str(), "1" | "on" | "true"),
        address_note: g("address_note"),
        identity: g("identity"),
        name: g("name"),
        phone: g("phone"),
        sms: matches!(g("sms").as_str(), "1" | "on" | "true"),
        lang,
        token: g("token"),
        // Every category's questions are on the form (`q_<category>.<code>`): only the chosen
        // category's are read.
        answers: {
            let prefix = domain::questions::intake_prefix(g("category").trim());
            form.iter().filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v.clone()))).collect()
        },
    };
    let answer_errors = intake::answer_errors(&state, &f);
    match intake::record(&state, staff, &f).await {
        Ok(r) => {
            let f = Flash { form: "intake".into(), receipt: Some((r.ticket, r.key, r.sms_queued)), ..Flash::default() };
            flash(&session, f).await;
            Redirect::to("/staff/appeal/new#receipt").into_response()
        }
        Err(e) if answer_errors.is_empty() => {
            answer(&session, lang, "intake", &form, "/staff/appeal/new", Err(e)).await
        }
        Err(e) => match flash_of("intake", Err::<(), _>(e), |()| None, || kept_values(&form)) {
            Ok(f) => {
                flash(&session, Flash { answer_errors, ..f }).await;
                Redirect::to("/staff/appeal/new#intake").into_response()
            }
            Err(e) => PageError::staff(lang, &e).into_response(),
        },
    }
}

/// `GET /intake-print.js`: reveals the receipt's print button (`intake-print.js`).
/// Public like the other page scripts (it holds no data); `no-cache` so a change applies at once.
pub async fn intake_print_script() -> Response {
    crate::offline::javascript(include_str!("intake-print.js").to_owned())
}
