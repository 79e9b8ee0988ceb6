//! `/offline` (issue 14): the page the service worker keeps on the device and shows when a page
//! it may not keep (a wizard step, a receipt, tracking) cannot be fetched, or when a wizard step
//! could not be sent. Rendered by the server like any page, in the reader's language; the device
//! keeps the copy of the language last used (see `/offline.js`).
//!
//! Without the service worker nobody sees it but by typing its address: then it is a plain page
//! saying what works offline. Its script (`/offline.js`, plain JavaScript, no WASM) shows what
//! is waiting to be sent and sends it when the connection returns; every part it shows is
//! rendered here, hidden, so the words come from `Msg` like everywhere else.

use crate::components::{fill, t, PageTitle};
use domain::draft::Step;
use domain::Msg;
use leptos::prelude::*;

#[component]
pub fn Offline() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        // Which language this copy is in: the script refreshes the device's copy when the
        // reader's language changed.
        if let Ok(v) = http::HeaderValue::from_str(crate::components::lang().tag()) {
            res.insert_header(http::header::CONTENT_LANGUAGE, v);
        }
    }
    let steps = Step::ALL
        .into_iter()
        .map(|s| {
            let text = fill(t(Msg::OfflineWaitingStep), &[("step", t(s.title()).to_owned())]);
            view! { <li data-step=s.slug() hidden=true>{text}</li> }
        })
        .collect_view();
    view! {
        <PageTitle text=t(Msg::OfflineTitle)/>
        <div id="offline">
            <h1>{t(Msg::OfflineTitle)}</h1>
            <p>{t(Msg::OfflineIntro)}</p>
            <p class="notice" id="offline-kept" role="status" hidden=true>{t(Msg::OfflineKept)}</p>
            <p class="notice notice-warning" id="offline-not-kept" role="status" hidden=true>{t(Msg::OfflineNotKept)}</p>
            <section id="offline-waiting" hidden=true aria-live="polite">
                <p>{t(Msg::OfflineWaiting)}</p>
                <ul>{steps}</ul>
                <p id="offline-sending" hidden=true>{t(Msg::OfflineSending)}</p>
                <p id="offline-sent" hidden=true>{t(Msg::OfflineSent)}</p>
                <button type="button" class="button" id="offline-send" hidden=true>{t(Msg::OfflineSendNow)}</button>
            </section>
            <p><a href="/" id="offline-home">{t(Msg::Home)}</a></p>
        </div>
        <script type="module" src="/offline.js"></script>
    }
}
