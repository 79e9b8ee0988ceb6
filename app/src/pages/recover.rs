//! `/track/recover`: a resident who lost a receipt recovers their named appeals with the phone
//! number they gave and a code sent to it by SMS (issue 14). Plain forms that POST, so it works
//! with JavaScript off; neither the number nor the code ever goes into a URL.
//!
//! Step 1 asks for the number; whatever the number, the answer is the same page (step 2, "if this
//! number has named appeals, a code has been sent"). Step 2 takes the code from the browser that
//! asked for it (an HttpOnly cookie names the pending request). A right code opens a 30-minute
//! recovery session listing the number's named appeals; each opens its track page through a
//! POST carrying only the ticket. Keys are never shown again: only their digests exist.

use crate::api::{recover_current, RecoverResult};
use crate::components::{
    described_by, error_for, lang, status_text, t, when_rfc3339, ErrorSummary, FieldMessage, PageTitle,
};
use domain::region::localized;
use domain::staff::Flash;
use domain::views::RecoveredAppeal;
use domain::{FieldName, Msg};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::Meta;

#[component]
pub fn Recover() -> impl IntoView {
    // Shared so the lookup runs once, although SSR calls the child closure more than once.
    let current = recover_current().shared();
    view! {
        <PageTitle text=format!("{} - {}", t(Msg::RecoverTitle), t(Msg::SiteName))/>
        <Meta name="referrer" content="no-referrer"/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| ()>
            {move || {
                let current = current.clone();
                Suspend::new(async move {
                    // Over a limit the form handler answers 429 itself; the page never sees it.
                    let r = current.await;
                    match r {
                        Ok(RecoverResult::Phone(f)) => phone_form(&f.unwrap_or_default()).into_any(),
                        Ok(RecoverResult::Code(f)) => code_form(&f.unwrap_or_default()).into_any(),
                        Ok(RecoverResult::List(list, _)) => appeal_list(list).into_any(),
                        Err(_) => phone_form(&Flash { problem: Some(Msg::GenericError), ..Flash::default() }).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn problem(flash: &Flash) -> impl IntoView {
    flash.problem.map(|m| view! { <div class="error-summary" role="alert" tabindex="-1" autofocus><p>{t(m)}</p></div> })
}

/// Step 1. A refused number comes back with what was typed.
fn phone_form(flash: &Flash) -> impl IntoView {
    let errors = flash.errors_for("phone");
    let pe = error_for(&errors, FieldName::Phone);
    view! {
        <h1>{t(Msg::RecoverTitle)}</h1>
        <ErrorSummary errors=errors.clone()/>
        {problem(flash)}
        <form method="post" action="/form/track/recover" class="step-form" id="recover-form" novalidate>
            <div class="field">
                <label for="phone" class="label">{t(Msg::PhoneLabel)}</label>
                <p class="hint" id="phone-hint">{t(Msg::RecoverPhoneHint)}</p>
                <FieldMessage field=FieldName::Phone msg=pe/>
                <input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" value=flash.value("phone")
                    aria-invalid=pe.is_some().to_string() aria-describedby=described_by(FieldName::Phone, pe.is_some())/>
            </div>
            <button type="submit" class="button">{t(Msg::RecoverSendCode)}</button>
        </form>
        <p><a href="/track">{t(Msg::TrackTitle)}</a></p>
    }
}

/// Step 2. The same page whether or not the number is known: nothing on it depends on the
/// number (not even its masked form).
fn code_form(flash: &Flash) -> impl IntoView {
    let errors = flash.errors_for("code");
    let ce = error_for(&errors, FieldName::Code);
    view! {
        <h1>{t(Msg::RecoverTitle)}</h1>
        <ErrorSummary errors=errors.clone()/>
        {problem(flash)}
        <p class="notice" role="status" id="recover-sent">{t(Msg::RecoverCodeSent)}</p>
        <form method="post" action="/form/track/recover/code" class="step-form" id="recover-code-form" novalidate>
            <div class="field">
                <label for="code" class="label">{t(Msg::RecoverCodeLabel)}</label>
                <p class="hint" id="code-hint">{t(Msg::RecoverCodeHint)}</p>
                <FieldMessage field=FieldName::Code msg=ce/>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="12" aria-invalid=ce.is_some().to_string()
                    aria-describedby=described_by(FieldName::Code, ce.is_some())/>
            </div>
            <button type="submit" class="button">{t(Msg::RecoverCodeSubmit)}</button>
        </form>
        <form method="post" action="/form/track/recover/restart">
            <button type="submit" class="button button-secondary">{t(Msg::RecoverAskAgain)}</button>
        </form>
    }
}

/// The recovery session's appeals. Each opens its track page by a POST of the ticket alone.
fn appeal_list(list: Vec<RecoveredAppeal>) -> impl IntoView {
    let lang = lang();
    let empty = list.is_empty();
    view! {
        <h1>{t(Msg::RecoverListTitle)}</h1>
        <p class="hint">{t(Msg::RecoverNoKeys)}</p>
        {empty.then(|| view! { <p>{t(Msg::RecoverListEmpty)}</p> })}
        <ul class="recovered" id="recovered">
            {list.into_iter().map(|a| view! {
                <li class="recovered-item">
                    <p><span class="code">{a.ticket.clone()}</span>" "
                        <strong>{localized(lang, &a.category_name.0, &a.category_name.1).to_owned()}</strong></p>
                    <p>{t(Msg::StatusLabel)}": "{status_text(a.status, lang)}" · "
                        {t(Msg::SubmittedAt)}": "<time datetime=a.submitted_at.clone()>{when_rfc3339(&a.submitted_at)}</time>" · "
                        {t(Msg::HandledBy)}": "{a.unit_name.clone()}</p>
                    <form method="post" action="/form/track/recover/open">
                        <input type="hidden" name="ticket" value=a.ticket.clone()/>
                        <button type="submit" class="button button-secondary">{t(Msg::RecoverOpen)}</button>
                    </form>
                </li>
            }).collect_view()}
        </ul>
        <form method="post" action="/form/track/recover/forget">
            <button type="submit" class="button button-secondary">{t(Msg::RecoverForget)}</button>
        </form>
    }
}
