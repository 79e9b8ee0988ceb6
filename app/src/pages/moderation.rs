//! `/staff/moderation`: the publication review (issue 9 §3). Residents who ticked "publish my
//! description" wait here; a dispatcher (for their centre's scope) or an admin approves the text,
//! edited to take out names, house numbers and the like, or declines. Approved ones stay listed
//! so an approval can be edited or withdrawn. Plain forms with the CSRF token, posted to the
//! server's `/staff/moderation/{ticket}` (303 back here), so it works with JavaScript off.

use crate::components::when;
use crate::components::{lang, t, ErrorSummary, Notice, PageTitle, TextArea};
use crate::pages::staff::{csrf_input, staff_bar, staff_page};
use crate::staff_api::StaffData;
use domain::publication::{Moderation, ModerationItem};
use domain::region::localized;
use domain::staff::{Flash, StaffHeader};
use domain::{FieldName, Msg};
use leptos::prelude::*;

#[server]
pub async fn staff_moderation() -> Result<StaffData<Vec<ModerationItem>>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        backend::services::moderation::queue(&state, &staff).await
    })
    .await
}

#[component]
pub fn StaffModeration() -> impl IntoView {
    staff_page(staff_moderation(), |header, flash, data| moderation_view(&header, flash, data))
}

fn moderation_view(h: &StaffHeader, flash: Flash, items: Vec<ModerationItem>) -> impl IntoView {
    let (pending, approved): (Vec<_>, Vec<_>) = items.into_iter().partition(|i| i.state == Moderation::Pending);
    let title = if flash.form == "moderate" && (!flash.errors.is_empty() || flash.problem.is_some()) {
        format!("{}: {} - {}", t(Msg::ErrorSummaryTitle), t(Msg::ModerationTitle), t(Msg::StaffTitle))
    } else {
        format!("{} - {}", t(Msg::ModerationTitle), t(Msg::StaffTitle))
    };
    let list = |items: Vec<ModerationItem>| items.into_iter().map(|i| item_view(h, &flash, i)).collect_view();
    view! {
        <PageTitle text=title/>
        {staff_bar(h)}
        <h1>{t(Msg::ModerationTitle)}</h1>
        <p class="hint">{t(Msg::ModerationHint)}</p>
        <Notice msg=(flash.form == "moderate").then_some(flash.notice).flatten()/>
        <Notice msg=(flash.form == "moderate").then_some(flash.problem).flatten() problem=true/>
        <section aria-labelledby="pending-title">
            <h2 id="pending-title">{t(Msg::ModerationPendingTitle)}</h2>
            {if pending.is_empty() {
                view! { <p class="empty" id="moderation-empty">{t(Msg::ModerationEmpty)}</p> }.into_any()
            } else {
                view! { <ul class="moderation" id="moderation-pending">{list(pending)}</ul> }.into_any()
            }}
        </section>
        {(!approved.is_empty()).then(|| view! {
            <section aria-labelledby="approved-title">
                <h2 id="approved-title">{t(Msg::ModerationApprovedTitle)}</h2>
                <ul class="moderation" id="moderation-approved">{list(approved)}</ul>
            </section>
        })}
    }
}

fn item_view(h: &StaffHeader, flash: &Flash, i: ModerationItem) -> impl IntoView {
    let lang = lang();
    let display = domain::receipt::Ticket::parse(&i.ticket).map(|t| t.display()).unwrap_or(i.ticket.clone());
    // The flash of a post about this very appeal: its errors and the text as typed.
    let mine = flash.form == "moderate" && flash.value("ticket") == i.ticket;
    let errors = if mine { flash.errors.clone() } else { Vec::new() };
    let has_error = errors.iter().any(|e| e.field == FieldName::Body);
    let text = if mine && !flash.value("text").is_empty() {
        flash.value("text")
    } else {
        i.public_text.clone().unwrap_or_else(|| i.original.clone())
    };
    // The field an error summary links to is `#body`; only the item with the error has that id.
    let field_id = if has_error { "body".to_owned() } else { format!("text-{}", i.ticket) };
    let approved = i.state == Moderation::Approved;
    view! {
        <li class="moderation-item" id=format!("m-{}", i.ticket) data-ticket=i.ticket.clone() data-state=i.state.as_str()>
            <h3>
                <a href=format!("/staff/appeal/{}", i.ticket)>{display}</a>
                " · "{localized(lang, &i.category_name.0, &i.category_name.1).to_owned()}
            </h3>
            <p class="muted">{i.unit_name.clone()}" · "{when(i.submitted_at)}
                {i.moderated_at.filter(|_| approved).map(|at| view! { " · "{t(Msg::ModerationApprovedTitle)}" "{when(at)} })}
            </p>
            <ErrorSummary errors=errors.clone()/>
            <p class="label">{t(Msg::ModerationOriginal)}</p>
            <blockquote class="pre original">{i.original.clone()}</blockquote>
            <form method="post" action=format!("/staff/moderation/{}", i.ticket)>
                {csrf_input(&h.csrf)}
                <div class="field">
                    <label for=field_id.clone() class="label">{t(Msg::ModerationText)}</label>
                    {errors.iter().find(|e| e.field == FieldName::Body).map(|e| view! { <p class="field-error" id=format!("{field_id}-error")>{t(e.msg)}</p> })}
                    <TextArea value=text.clone() {..} id=field_id.clone() name="text" rows="5" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH aria-invalid=has_error.to_string()
                        aria-describedby=has_error.then(|| format!("{field_id}-error"))/>
                </div>
                <button type="submit" name="decision" value="approve" class="button">{t(Msg::ModerationApprove)}</button>
                " "
                <button type="submit" name="decision" value="decline" class="button button-secondary">
                    {if approved { t(Msg::ModerationWithdraw) } else { t(Msg::ModerationDecline) }}
                </button>
            </form>
        </li>
    }
}
