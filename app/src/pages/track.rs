//! `/track`: ticket number + key → status, the unit handling it, the deadline and the timeline.
//! The form uses GET so the receipt's link and QR code open the result directly; the server
//! never logs query strings.

use crate::api::{track_appeal, TrackResult};
use crate::components::{described_by, error_for, fill, lang, t, ErrorSummary, FieldMessage};
use domain::region::localized;
use domain::views::TrackView;
use domain::{FieldError, FieldName, Msg};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

fn status_text(s: &str) -> &'static str {
    match s {
        "closed" => t(Msg::StatusClosed),
        "in_progress" => t(Msg::StatusInProgress),
        _ => t(Msg::StatusAssigned),
    }
}

#[component]
pub fn Track() -> impl IntoView {
    let q = use_query_map();
    let ticket = q.read_untracked().get("ticket").unwrap_or_default();
    let key = q.read_untracked().get("key").unwrap_or_default();
    let asked = !ticket.is_empty() || !key.is_empty();
    // Shared so the lookup runs once, although SSR calls the child closure more than once.
    let lookup = track_appeal(ticket.clone(), key.clone()).shared();
    view! {
        <Title text=format!("{} - {}", t(Msg::TrackTitle), t(Msg::SiteName))/>
        <Meta name="referrer" content="no-referrer"/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| ()>
            {move || {
                let (ticket, key, lookup) = (ticket.clone(), key.clone(), lookup.clone());
                Suspend::new(async move {
                    let result = if asked { lookup.await.ok() } else { None };
                    #[cfg(feature = "ssr")]
                    if matches!(result, Some(TrackResult::RateLimited)) {
                        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                            resp.set_status(http::StatusCode::TOO_MANY_REQUESTS);
                        }
                    }
                    match result {
                        Some(TrackResult::Found(v)) => found(v).into_any(),
                        Some(TrackResult::Invalid(errs)) => form(&ticket, &key, errs, None).into_any(),
                        Some(TrackResult::NotFound) => form(&ticket, &key, Vec::new(), Some(Msg::TrackNotFound)).into_any(),
                        Some(TrackResult::RateLimited) => form(&ticket, &key, Vec::new(), Some(Msg::TrackRateLimited)).into_any(),
                        None if asked => form(&ticket, &key, Vec::new(), Some(Msg::GenericError)).into_any(),
                        None => form("", "", Vec::new(), None).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn form(ticket: &str, key: &str, errors: Vec<FieldError>, problem: Option<Msg>) -> impl IntoView {
    let te = error_for(&errors, FieldName::Ticket);
    let ke = error_for(&errors, FieldName::Key);
    view! {
        <h1>{t(Msg::TrackTitle)}</h1>
        <ErrorSummary errors=errors.clone()/>
        {problem.map(|m| view! { <div class="error-summary" role="alert" tabindex="-1" autofocus><p>{t(m)}</p></div> })}
        <form method="get" action="/track" class="step-form" novalidate>
            <p class="hint" id="ticket-hint">{t(Msg::TrackHint)}</p>
            <div class="field">
                <label for="ticket" class="label">{t(Msg::TicketLabel)}</label>
                <FieldMessage field=FieldName::Ticket msg=te/>
                <input id="ticket" name="ticket" type="text" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" value=ticket.to_owned() aria-invalid=te.is_some().to_string()
                    aria-describedby=described_by(FieldName::Ticket, te.is_some()) placeholder="PA-XXXX-XXXX"/>
            </div>
            <div class="field">
                <label for="key" class="label">{t(Msg::KeyLabel)}</label>
                <FieldMessage field=FieldName::Key msg=ke/>
                <p class="hint" id="key-hint">{t(Msg::ErrKeyFormat)}</p>
                <input id="key" name="key" type="text" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" value=key.to_owned() aria-invalid=ke.is_some().to_string()
                    aria-describedby=described_by(FieldName::Key, ke.is_some())/>
            </div>
            <button type="submit" class="button">{t(Msg::TrackSubmit)}</button>
        </form>
    }
}

fn event_text(kind: &str, unit: Option<&str>, lang: domain::Lang) -> String {
    let unit = unit.unwrap_or_default().to_owned();
    match kind {
        "submitted" => Msg::EventSubmitted.text(lang).to_owned(),
        "routed" => fill(Msg::EventRouted.text(lang), &[("unit", unit)]),
        "routed_outside" => fill(Msg::EventRoutedOutside.text(lang), &[("unit", unit)]),
        other => other.to_owned(),
    }
}

fn found(v: TrackView) -> impl IntoView {
    let lang = lang();
    view! {
        <h1>{t(Msg::TrackTitle)}" "<span class="code">{v.ticket.clone()}</span></h1>
        <dl class="summary" id="track-result">
            <div class="summary-row"><dt>{t(Msg::StatusLabel)}</dt><dd id="status"><strong>{status_text(&v.status)}</strong></dd></div>
            <div class="summary-row"><dt>{t(Msg::CheckCategory)}</dt><dd>{localized(lang, &v.category_name.0, &v.category_name.1).to_owned()}</dd></div>
            <div class="summary-row"><dt>{t(Msg::HandledBy)}</dt><dd id="unit">{v.unit.name.clone()}" "<span class="muted">{v.unit.phone.clone()}</span></dd></div>
            <div class="summary-row"><dt>{t(Msg::SubmittedAt)}</dt><dd><time datetime=v.submitted_at.clone()>{short_time(&v.submitted_at)}</time></dd></div>
            <div class="summary-row"><dt>{t(Msg::Deadline)}</dt><dd><time datetime=v.deadline.clone()>{short_time(&v.deadline)}</time></dd></div>
        </dl>
        <h2>{t(Msg::Timeline)}</h2>
        <ol class="timeline">
            {v.events.iter().map(|e| view! {
                <li>
                    <time datetime=e.at.clone()>{short_time(&e.at)}</time>
                    <p>{event_text(&e.kind, e.unit_name.as_deref(), lang)}</p>
                </li>
            }).collect_view()}
        </ol>
    }
}
