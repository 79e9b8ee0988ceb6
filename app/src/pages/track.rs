//! `/track`: status, the unit handling it, the deadline and the timeline of one appeal.
//!
//! The key never travels in a URL. The lookup form is a POST (`/form/track`): a right ticket and
//! key open a track session (HttpOnly cookie, see `cookies.rs`) and a 303 brings the browser back
//! here, where the page shows the session's appeal; the resident's forms prove the ticket with
//! the same cookie. The receipt's link and QR code carry ticket and key in the fragment
//! (`#t=…&k=…`), which no server sees: the [`TrackFromLink`] island posts them and removes them
//! from the address bar; with JavaScript off the resident types them. Receipts kept on this
//! device (issue 14) are listed under the form by the [`KeptReceipts`] island, which fills and
//! posts the form; the server renders that list empty.

use crate::api::{track_current, TrackResult};
use crate::components::{
    described_by, error_for, event_line, fill, lang, phone_links, status_text, t, when_rfc3339, ErrorSummary,
    FieldMessage, Notice, PageTitle, TextArea,
};
use crate::islands::{KeptReceipts, KeptTexts, TrackFromLink};
use crate::pages::legal_triage::LegalTriage;
use domain::region::localized;
use domain::staff::Flash;
use domain::views::TrackView;
use domain::{FieldName, Msg};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Track() -> impl IntoView {
    let forgotten = use_query_map().read_untracked().get("done").is_some();
    // Shared so the lookup runs once, although SSR calls the child closure more than once.
    let lookup = track_current().shared();
    view! {
        <PageTitle text=format!("{} - {}", t(Msg::TrackTitle), t(Msg::SiteName))/>
        <Meta name="referrer" content="no-referrer"/>
        <Meta name="robots" content="noindex"/>
        <TrackFromLink/>
        <Suspense fallback=|| ()>
            {move || {
                let lookup = lookup.clone();
                Suspend::new(async move {
                    match lookup.await {
                        Ok(TrackResult::Found(v, flash)) => found(v, flash.unwrap_or_default()).into_any(),
                        Ok(TrackResult::Form(flash)) => {
                            let flash = flash.unwrap_or_default();
                            #[cfg(feature = "ssr")]
                            if flash.problem == Some(Msg::TrackRateLimited) {
                                if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                                    resp.set_status(http::StatusCode::TOO_MANY_REQUESTS);
                                }
                            }
                            let notice = (forgotten && flash.form.is_empty()).then_some(Msg::TrackForgotten);
                            form(&flash, notice).into_any()
                        }
                        Err(_) => form(&Flash { problem: Some(Msg::GenericError), ..Flash::default() }, None).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The lookup form. A failed lookup comes back with the typed ticket, never the key.
fn form(flash: &Flash, notice: Option<Msg>) -> impl IntoView {
    let errors = flash.errors_for("lookup");
    let te = error_for(&errors, FieldName::Ticket);
    let ke = error_for(&errors, FieldName::Key);
    let ticket = flash.value("ticket");
    view! {
        <h1>{t(Msg::TrackTitle)}</h1>
        <Notice msg=notice/>
        <ErrorSummary errors=errors.clone()/>
        {flash.problem.map(|m| view! { <div class="error-summary" role="alert" tabindex="-1" autofocus><p>{t(m)}</p></div> })}
        <form method="post" action="/form/track" class="step-form" id="track-form" novalidate>
            <p class="hint" id="ticket-hint">{t(Msg::TrackHint)}</p>
            <div class="field">
                <label for="ticket" class="label">{t(Msg::TicketLabel)}</label>
                <FieldMessage field=FieldName::Ticket msg=te/>
                <input id="ticket" name="ticket" type="text" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" value=ticket aria-invalid=te.is_some().to_string()
                    aria-describedby=described_by(FieldName::Ticket, te.is_some()) placeholder="PA-XXXX-XXXX"/>
            </div>
            <div class="field">
                <label for="key" class="label">{t(Msg::KeyLabel)}</label>
                <FieldMessage field=FieldName::Key msg=ke/>
                <p class="hint" id="key-hint">{t(Msg::ErrKeyFormat)}</p>
                <input id="key" name="key" type="text" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" aria-invalid=ke.is_some().to_string()
                    aria-describedby=described_by(FieldName::Key, ke.is_some())/>
            </div>
            <button type="submit" class="button">{t(Msg::TrackSubmit)}</button>
        </form>
        <p id="recover-link"><a href="/track/recover">{t(Msg::RecoverLink)}</a></p>
        <KeptReceipts texts=KeptTexts::new(lang(), false)/>
    }
}

fn found(v: TrackView, flash: Flash) -> impl IntoView {
    let lang = lang();
    let open = v.status.is_open();
    let awaiting = v.status == domain::workflow::Status::AwaitingInfo;
    let info_errors = flash.errors_for("info");
    let info_err = info_errors.first().map(|e| e.msg);
    let info_problem = (flash.form == "info").then_some(flash.problem).flatten();
    let rate_errors = flash.errors_for("rate");
    let rate_problem = (flash.form == "rate").then_some(flash.problem).flatten();
    let photo_errors = flash.errors_for("photo");
    let photo_err = photo_errors.first().map(|e| e.msg);
    let photo_problem = (flash.form == "photo").then_some(flash.problem).flatten();
    let body_value = if flash.form == "info" { flash.value("body") } else { String::new() };
    let comment_value = if flash.form == "rate" { flash.value("comment") } else { String::new() };
    view! {
        <h1>{t(Msg::TrackTitle)}" "<span class="code">{v.ticket.clone()}</span></h1>
        <Notice msg=flash.notice/>
        {v.supervised.then(|| view! { <p class="notice notice-warning" role="note">{t(Msg::SupervisedNotice)}</p> })}
        <dl class="summary" id="track-result">
            <div class="summary-row"><dt>{t(Msg::StatusLabel)}</dt><dd id="status"><strong>{status_text(v.status, lang)}</strong></dd></div>
            <div class="summary-row"><dt>{t(Msg::CheckCategory)}</dt><dd>{localized(lang, &v.category_name.0, &v.category_name.1).to_owned()}</dd></div>
            <div class="summary-row"><dt>{t(Msg::HandledBy)}</dt><dd id="unit">{v.unit.name.clone()}" "<span class="muted">{phone_links(&v.unit.phone)}</span></dd></div>
            <div class="summary-row"><dt>{t(Msg::SubmittedAt)}</dt><dd><time datetime=v.submitted_at.clone()>{when_rfc3339(&v.submitted_at)}</time></dd></div>
            <div class="summary-row"><dt>{t(Msg::Deadline)}</dt><dd id="deadline"><time datetime=v.deadline.clone()>{when_rfc3339(&v.deadline)}</time></dd></div>
        </dl>
        <LegalTriage category=v.category_code.clone() region=v.region.clone().unwrap_or_default()/>
        <h2>{t(Msg::Timeline)}</h2>
        <ol class="timeline">
            {v.events.iter().map(|e| view! {
                <li data-kind=e.kind.as_str()>
                    <time datetime=e.at.clone()>{when_rfc3339(&e.at)}</time>
                    <p>{event_line(e.kind, e.unit_name.as_deref(), e.extra.as_deref(), lang)}</p>
                    {e.body.clone().map(|b| view! { <p class="pre body">{b}</p> })}
                </li>
            }).collect_view()}
        </ol>
        // Not `id="photo"`: that is the file input's (its label, the error summary's link and the
        // redirect after a post, `/track#photo`, all go to the input).
        <section id="photos" aria-labelledby="photos-title" class="resident-action">
            <h2 id="photos-title">{t(Msg::TrackPhotosTitle)}</h2>
            {if v.photos.is_empty() {
                view! { <p class="muted">{t(Msg::TrackPhotosNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="photos">
                        {v.photos.iter().enumerate().map(|(i, id)| view! {
                            <li><a href=format!("/track/photo/{id}")>
                                <img src=format!("/track/photo/{id}?size=thumb") alt=fill(t(Msg::TrackPhotoAlt), &[("n", (i + 1).to_string())]) width="120" height="120"/>
                            </a></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Notice msg=photo_problem problem=true/>
            {(open && v.photos.len() < domain::fields::APPEAL_PHOTOS_MAX).then(|| view! {
                <ErrorSummary errors=photo_errors.clone()/>
                <form method="post" action="/form/track/photo" enctype="multipart/form-data" class="upload">
                    <label for="photo" class="label">{t(Msg::PhotoLabel)}</label>
                    <p class="hint" id="photo-hint">{t(Msg::TrackPhotoHint)}</p>
                    <FieldMessage field=FieldName::Photo msg=photo_err/>
                    <input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp"
                        aria-describedby=described_by(FieldName::Photo, photo_err.is_some())/>
                    <button type="submit" class="button button-secondary">{t(Msg::TrackPhotoSubmit)}</button>
                </form>
            })}
            {(open && v.photos.len() >= domain::fields::APPEAL_PHOTOS_MAX).then(|| view! {
                <p class="muted">{t(Msg::TrackPhotosFull)}</p>
            })}
        </section>
        {v.followed.as_ref().map(|m| view! {
            <section id="followed" aria-labelledby="followed-title">
                <h2 id="followed-title">{t(Msg::FollowedTitle)}</h2>
                <p class="hint">{t(if m.joined { Msg::FollowedHintJoined } else { Msg::FollowedHint })}</p>
                <p>{t(Msg::StatusLabel)}": "<strong id="followed-status">{status_text(m.status, lang)}</strong></p>
                <ol class="timeline">
                    {m.events.iter().map(|e| view! {
                        <li data-kind=e.kind.as_str()>
                            <time datetime=e.at.clone()>{when_rfc3339(&e.at)}</time>
                            <p>{event_line(e.kind, e.unit_name.as_deref(), e.extra.as_deref(), lang)}</p>
                            {e.body.clone().map(|b| view! { <p class="pre body">{b}</p> })}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        })}
        {open.then(move || view! {
            <section id="info" aria-labelledby="info-title" class="resident-action">
                <h2 id="info-title">{if awaiting { t(Msg::AnswerInfoTitle) } else { t(Msg::AddInfoTitle) }}</h2>
                <ErrorSummary errors=info_errors.clone()/>
                <Notice msg=info_problem problem=true/>
                <form method="post" action="/form/track/info" class="step-form">
                    <div class="field">
                        <label for="body" class="label">{t(Msg::DescriptionLabel)}</label>
                        <p class="hint" id="body-hint">{t(Msg::AddInfoHint)}</p>
                        <FieldMessage field=FieldName::Body msg=info_err/>
                        <TextArea value=body_value.clone() {..} id="body" name="body" rows="5" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH aria-describedby="body-hint"
                            aria-invalid=info_err.is_some().to_string()/>
                    </div>
                    <button type="submit" class="button">{t(Msg::AddInfoSubmit)}</button>
                </form>
            </section>
        })}
        {v.can_rate.then(move || view! {
            <section id="rate" aria-labelledby="rate-title" class="resident-action">
                <h2 id="rate-title">{t(Msg::RateTitle)}</h2>
                <ErrorSummary errors=rate_errors.clone()/>
                <Notice msg=rate_problem problem=true/>
                <form method="post" action="/form/track/rate" class="step-form">
                    <fieldset class="choices" aria-describedby="rating-hint">
                        <legend class="visually-hidden">{t(Msg::RateTitle)}</legend>
                        <p class="hint" id="rating-hint">{t(Msg::RateHint)}</p>
                        <div class="choice"><input type="radio" name="rating" id="rating" value="satisfied"/><label for="rating">{t(Msg::RatingSatisfied)}</label></div>
                        <div class="choice"><input type="radio" name="rating" id="rating-basically" value="basically"/><label for="rating-basically">{t(Msg::RatingBasically)}</label></div>
                        <div class="choice"><input type="radio" name="rating" id="rating-unsatisfied" value="unsatisfied"/><label for="rating-unsatisfied">{t(Msg::RatingUnsatisfied)}</label></div>
                    </fieldset>
                    <div class="field">
                        <label for="comment" class="label">{t(Msg::RateComment)}</label>
                        <TextArea value=comment_value.clone() {..} id="comment" name="comment" rows="3" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH/>
                    </div>
                    <button type="submit" class="button">{t(Msg::RateSubmit)}</button>
                </form>
            </section>
        })}
        <section class="forget" aria-labelledby="forget-title">
            <h2 id="forget-title" class="visually-hidden">{t(Msg::TrackForget)}</h2>
            <p class="hint" id="forget-hint">{t(Msg::TrackForgetHint)}</p>
            <form method="post" action="/form/track/forget">
                <button type="submit" class="button button-secondary" aria-describedby="forget-hint">{t(Msg::TrackForget)}</button>
            </form>
        </section>
    }
}
