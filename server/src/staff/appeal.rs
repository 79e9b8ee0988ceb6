//! The posts of the appeal page (actions, revealing contact details), moderation, photos.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The CSRF token and a signed-in staff member, which every appeal post needs; the refusal page
/// otherwise.
#[expect(clippy::result_large_err, reason = "the refusal is the response itself, built once")]
pub(super) fn checked<'a>(
    ctx: &'a StaffCtx,
    form: &[(String, String)],
    lang: Lang,
) -> Result<&'a auth::Staff, Response> {
    if !csrf_ok(ctx, form) {
        return Err(csrf_refused(lang));
    }
    ctx.staff.as_ref().ok_or_else(|| PageError::staff(lang, &BackendError::Forbidden).into_response())
}

/// Builds the action from the posted fields.
pub(super) fn act_from(form: &[(String, String)]) -> Option<Act> {
    let g = |k: &str| pairs_get(form, k);
    Some(match g("action").as_str() {
        "sign" => Act::Sign,
        "reply" => Act::Reply { body: g("body") },
        "note" => Act::Note { body: g("body") },
        "request_info" => Act::RequestInfo { body: g("body") },
        "transfer" => Act::Transfer { to_unit: g("unit"), reason: g("reason") },
        "escalate" => Act::Escalate { reason: g("reason") },
        "summon" => Act::Summon {
            units: form.iter().filter(|(k, _)| k == "units").map(|(_, v)| v.clone()).collect(),
            note: g("note"),
            days: g("days"),
        },
        "rate_report" => Act::RateReport { unit: g("unit"), rating: g("rating"), note: g("body") },
        "report_back" => Act::ReportBack { body: g("body") },
        "close" => Act::Close { resolution: g("resolution") },
        "reopen" => Act::Reopen { reason: g("reason") },
        "request_extension" => Act::RequestExtension { days: g("days"), reason: g("reason") },
        "approve_extension" => Act::DecideExtension { id: g("id"), approve: true, note: g("note") },
        "refuse_extension" => Act::DecideExtension { id: g("id"), approve: false, note: g("note") },
        "issue_notice" => Act::IssueNotice {
            kind: g("notice_kind"),
            reason: g("reason"),
            due: g("due"),
            public: matches!(g("public").as_str(), "1" | "on"),
        },
        "answer_notice" => Act::AnswerNotice { id: g("id"), body: g("body") },
        "name_owner" => Act::NameOwner { staff_id: g("owner") },
        "unname_owner" => Act::UnnameOwner,
        "merge" => Act::Merge { into: g("into"), reason: g("reason") },
        "unmerge" => Act::Unmerge,
        "link" => Act::Link { other: g("other") },
        _ => return None,
    })
}

pub async fn act(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Some(a) = act_from(&form) else { return message_page(lang, StatusCode::BAD_REQUEST, Msg::NotFound) };
    let page = format!("/staff/appeal/{ticket}");
    let name = pairs_get(&form, "action");
    let r = work::act(&state, staff, &ticket, &a).await.map(|()| Some(Msg::Saved));
    // Handed out of this person's scope (transferred or escalated away): back to the inbox.
    let back = if r.is_ok() && !work::can_view(&state, staff, &ticket).await.unwrap_or(true) {
        "/staff".to_owned()
    } else {
        page
    };
    answer(&session, lang, &name, &form, &back, r).await
}

pub async fn reveal(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let back = format!("/staff/appeal/{ticket}");
    match work::reveal_contact(&state, staff, &ticket, &pairs_get(&form, "reason")).await {
        Ok(contact) => {
            // Tied to this appeal: another tab's page must not show it.
            flash(
                &session,
                Flash {
                    form: "reveal".into(),
                    revealed: Some(contact),
                    values: vec![("ticket".into(), ticket.clone())],
                    ..Flash::default()
                },
            )
            .await;
            Redirect::to(&format!("{back}#contact")).into_response()
        }
        Err(e) => answer(&session, lang, "reveal", &form, &back, Err(e)).await,
    }
}

/// A publication decision (issue 9 §3) from `/staff/moderation`: `decision` = `approve` (with
/// `text`, the possibly redacted text to publish) or `decline`. The service checks the role, the
/// scope and the category; here only the CSRF token and who is signed in. Back to the queue with
/// a notice, or with the errors and the text as typed.
pub async fn moderate(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    // Only a well-formed ticket reaches the service and the redirect.
    let Ok(ticket) = domain::receipt::Ticket::parse(&ticket).map(|t| t.as_str().to_owned()) else {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    };
    let text = pairs_get(&form, "text");
    let decision = match pairs_get(&form, "decision").as_str() {
        "approve" => moderation::Decision::Approve { text: text.clone() },
        "decline" => moderation::Decision::Decline,
        _ => return message_page(lang, StatusCode::BAD_REQUEST, Msg::NotFound),
    };
    let values = vec![("ticket".to_owned(), ticket.clone()), ("text".to_owned(), text)];
    let outcome = moderation::decide(&state, staff, &ticket, &decision).await;
    let ok = outcome.is_ok();
    let kept = values.clone();
    match flash_of("moderate", outcome, |()| Some(Msg::Saved), || kept) {
        Ok(mut f) => {
            if ok {
                // Which appeal was decided (for the notice), not the text.
                f.values = vec![values[0].clone()];
            }
            flash(&session, f).await;
            if ok {
                Redirect::to("/staff/moderation").into_response()
            } else {
                Redirect::to(&format!("/staff/moderation#m-{ticket}")).into_response()
            }
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}

pub async fn photo(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Path((ticket, id)): Path<(String, String)>,
    axum::extract::Query(size): axum::extract::Query<crate::forms::PhotoSize>,
) -> Response {
    let Some(staff) = ctx.staff.as_ref() else { return StatusCode::FORBIDDEN.into_response() };
    match work::photo(&state, staff, &ticket, &id, size.size()).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, no-store")], bytes)
            .into_response(),
        Err(BackendError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "staff photo failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
