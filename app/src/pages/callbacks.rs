//! `/staff/callbacks`: the follow-up call queue (回访, issue 13). Closed appeals in the member's
//! scope that wait for a call (`domain::callback` says which and why), each with a plain form
//! posted to the server's `/staff/callbacks/{ticket}` (303 back here), so it works with
//! JavaScript off. Only dispatchers call back (the units below their centre): the page is nobody
//! else's. It shows the whole queue's size and pages through it (`?page=`), so appeals past the
//! first page are not hidden.

use crate::components::when;
use crate::components::{fill, lang, t, ErrorSummary, Notice, PageTitle, TextArea};
use crate::pages::staff::{csrf_input, staff_bar, staff_page};
use crate::staff_api::StaffData;
use domain::callback::{CallbackItem, CallbackQueue, Satisfaction};
use domain::region::localized;
use domain::staff::{Flash, StaffHeader};
use domain::{FieldName, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn staff_callbacks(page: i64) -> Result<StaffData<CallbackQueue>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        backend::services::callbacks::queue(&state, &staff, page).await
    })
    .await
}

#[component]
pub fn StaffCallbacks() -> impl IntoView {
    // A page number that does not parse is page 1; the service clamps the rest.
    let page = use_query_map().read_untracked().get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    staff_page(staff_callbacks(page), |header, flash, data| callbacks_view(&header, flash, data))
}

fn callbacks_view(h: &StaffHeader, flash: Flash, q: CallbackQueue) -> impl IntoView {
    let CallbackQueue { items, total, page, pages } = q;
    let page_of = fill(t(Msg::PageOf), &[("n", page.to_string()), ("total", pages.to_string())]);
    let page_url = |n: i64| format!("/staff/callbacks?page={n}");
    let mine = flash.form == "callback";
    let title = if mine && (!flash.errors.is_empty() || flash.problem.is_some()) {
        format!("{}: {} - {}", t(Msg::ErrorSummaryTitle), t(Msg::CallbacksTitle), t(Msg::StaffTitle))
    } else {
        format!("{} - {}", t(Msg::CallbacksTitle), t(Msg::StaffTitle))
    };
    view! {
        <PageTitle text=title/>
        {staff_bar(h)}
        <h1>{t(Msg::CallbacksTitle)}</h1>
        <p class="hint">{t(Msg::CallbacksHint)}</p>
        <Notice msg=mine.then_some(flash.notice).flatten()/>
        <Notice msg=mine.then_some(flash.problem).flatten() problem=true/>
        <p id="callbacks-total">{fill(t(Msg::CallbacksTotal), &[("n", total.to_string())])}</p>
        {if items.is_empty() {
            view! { <p class="empty" id="callbacks-empty">{t(Msg::CallbacksEmpty)}</p> }.into_any()
        } else {
            view! {
                <ul class="moderation" id="callbacks">
                    {items.into_iter().map(|i| item_view(h, &flash, i)).collect_view()}
                </ul>
            }
            .into_any()
        }}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label=page_of.clone()>
                <p>{page_of.clone()}</p>
                {(page > 1).then(|| view! { <a href=page_url(page - 1) rel="prev">{t(Msg::PagePrev)}</a> })}
                " "
                {(page < pages).then(|| view! { <a href=page_url(page + 1) rel="next">{t(Msg::PageNext)}</a> })}
            </nav>
        })}
    }
}

fn item_view(h: &StaffHeader, flash: &Flash, i: CallbackItem) -> impl IntoView {
    let lang = lang();
    let display = domain::receipt::Ticket::parse(&i.ticket).map(|t| t.display()).unwrap_or(i.ticket.clone());
    // The flash of a post about this very appeal: its errors and what was typed.
    let mine = flash.form == "callback" && flash.value("ticket") == i.ticket;
    let errors = if mine { flash.errors.clone() } else { Vec::new() };
    let err = |f: FieldName| errors.iter().find(|e| e.field == f).map(|e| e.msg);
    let kept = |k: &str| if mine { flash.value(k) } else { String::new() };
    // The ids an error summary links to (`#outcome`, `#rating`, `#body`) belong to the item with
    // the errors only; the others get the ticket in theirs.
    let id = |f: FieldName| if mine { f.as_str().to_owned() } else { format!("{}-{}", f.as_str(), i.ticket) };
    let (outcome_id, rating_id, note_id) = (id(FieldName::Outcome), id(FieldName::Rating), id(FieldName::Body));
    let outcome_v = kept("outcome");
    let sat_v = kept("satisfaction");
    let field_error =
        |f: FieldName, id: &str| err(f).map(|m| view! { <p class="field-error" id=format!("{id}-error")>{t(m)}</p> });
    view! {
        <li class="moderation-item" id=format!("c-{}", i.ticket) data-ticket=i.ticket.clone() data-reason=i.reason.as_str()>
            <h2>
                <a href=format!("/staff/appeal/{}", i.ticket)>{display}</a>
                " · "{localized(lang, &i.category_name.0, &i.category_name.1).to_owned()}
            </h2>
            <dl class="summary">
                <dt>{t(Msg::UnitLabel)}</dt><dd>{i.unit_name.clone()}</dd>
                <dt>{t(Msg::CallbackClosedAt)}</dt><dd>{when(i.closed_at)}</dd>
                <dt>{t(Msg::CallbackWhy)}</dt><dd class="reason">{t(i.reason.msg())}</dd>
            </dl>
            {(i.attempts > 0).then(|| view! {
                <p class="muted attempts">
                    {fill(t(Msg::CallbackAttempts), &[("n", i.attempts.to_string())])}
                    {i.last_attempt_at.map(|at| view! { " · "{when(at)} })}
                </p>
            })}
            <ErrorSummary errors=errors.clone()/>
            <form method="post" action=format!("/staff/callbacks/{}", i.ticket)>
                {csrf_input(&h.csrf)}
                <fieldset class="choices" aria-invalid=err(FieldName::Outcome).is_some().to_string()>
                    <legend class="label">{t(Msg::CallbackOutcome)}</legend>
                    {field_error(FieldName::Outcome, &outcome_id)}
                    <div class="choice">
                        <input type="radio" name="outcome" value="reached" id=outcome_id.clone() checked=outcome_v == "reached"/>
                        <label for=outcome_id.clone()>{t(Msg::CallbackReached)}</label>
                    </div>
                    <div class="choice">
                        <input type="radio" name="outcome" value="not_reached" id=format!("{outcome_id}-no") checked=outcome_v == "not_reached"/>
                        <label for=format!("{outcome_id}-no")>{t(Msg::CallbackNotReached)}</label>
                    </div>
                </fieldset>
                <fieldset class="choices" aria-describedby=format!("{rating_id}-hint") aria-invalid=err(FieldName::Rating).is_some().to_string()>
                    <legend class="label">{t(Msg::CallbackSatisfaction)}</legend>
                    <p class="hint" id=format!("{rating_id}-hint")>{t(Msg::CallbackUnsatisfiedHint)}</p>
                    {field_error(FieldName::Rating, &rating_id)}
                    {Satisfaction::ALL.into_iter().enumerate().map(|(n, s)| {
                        // The first choice carries the id the error summary links to.
                        let rid = if n == 0 { rating_id.clone() } else { format!("{rating_id}-{}", s.as_str()) };
                        view! {
                            <div class="choice">
                                <input type="radio" name="satisfaction" value=s.as_str() id=rid.clone() checked=sat_v == s.as_str()/>
                                <label for=rid>{t(s.msg())}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for=note_id.clone() class="label">{t(Msg::CallbackNote)}</label>
                    {field_error(FieldName::Body, &note_id)}
                    <TextArea value=kept("note") {..} id=note_id.clone() name="note" rows="3" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH
                        aria-invalid=err(FieldName::Body).is_some().to_string()/>
                </div>
                <button type="submit" class="button">{t(Msg::CallbackSubmit)}</button>
            </form>
        </li>
    }
}
