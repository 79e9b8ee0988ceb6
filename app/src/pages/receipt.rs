//! `/receipt/:token`: the ticket number and secret key, with ways to keep them (copy, a QR code,
//! a tracking link). The page opens only with the draft's token and the cookie of the browser
//! that wrote it; anyone else gets the "expired" page.
//!
//! The tracking link and the QR code carry ticket and key in the URL fragment
//! (`/track#t=…&k=…`), which browsers never send to a server: a small island on `/track` posts
//! them (see `pages/track.rs`). The `KeepReceipt` island keeps the receipt on this device for
//! `/track`'s list of kept receipts (issue 14).

use crate::api::get_receipt;
use crate::components::{code_groups, lang, phone_links, t, urlencode, when_rfc3339, PageTitle};
use crate::islands::{CopyReceipt, KeepReceipt, KeptReceipt, KeptTexts};
use crate::pages::legal_triage::LegalTriage;
use domain::region::localized;
use domain::Msg;
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

/// The site's public address, for links that leave the page (QR code): see
/// [`crate::cookies::public_base`].
#[cfg(feature = "ssr")]
fn public_base() -> String {
    let configured = std::env::var("PINGAN_PUBLIC_URL").ok();
    let host = use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned));
    crate::cookies::public_base(configured.as_deref(), host.as_deref())
}

#[cfg(feature = "ssr")]
fn qr_svg(data: &str) -> String {
    qrcode::QrCode::new(data.as_bytes())
        .map(|c| c.render::<qrcode::render::svg::Color<'_>>().min_dimensions(180, 180).quiet_zone(true).build())
        .unwrap_or_default()
}

#[component]
pub fn Receipt() -> impl IntoView {
    let token = use_params_map().read_untracked().get("token").unwrap_or_default();
    let data = get_receipt(token.clone()).shared();
    view! {
        <Meta name="robots" content="noindex"/>
        <Meta name="referrer" content="no-referrer"/>
        <Suspense fallback=|| ()>
            {move || {
                let (token, data) = (token.clone(), data.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(Some(r)) => {
                            let lang = lang();
                            let link = format!("/track#t={}&k={}", urlencode(&r.ticket), urlencode(&r.key));
                            #[cfg(feature = "ssr")]
                            let qr = qr_svg(&format!("{}{link}", public_base()));
                            #[cfg(not(feature = "ssr"))]
                            let qr = String::new();
                            let copy_text = format!("{} {}\n{} {}", t(Msg::TicketLabel), r.ticket, t(Msg::KeyLabel), r.key);
                            let deadline = when_rfc3339(&r.deadline);
                            // The receipt is shown right after submission: today, in the city's time.
                            #[cfg(feature = "ssr")]
                            let date = time::OffsetDateTime::now_utc().to_offset(domain::sla::CHINA).date().to_string();
                            #[cfg(not(feature = "ssr"))]
                            let date = String::new();
                            let kept = KeptReceipt {
                                ticket: r.ticket.clone(),
                                key: r.key.clone(),
                                category: localized(lang, &r.category_name.0, &r.category_name.1).to_owned(),
                                date,
                            };
                            view! {
                                <PageTitle text=format!("{} - {}", t(Msg::ReceiptTitle), t(Msg::SiteName))/>
                                <div class="receipt" role="status">
                                    <h1>{t(Msg::ReceiptTitle)}</h1>
                                    <p>{t(Msg::ReceiptLead)}</p>
                                    <dl class="codes">
                                        <dt>{t(Msg::TicketLabel)}</dt>
                                        <dd class="code" id="ticket">{code_groups(&r.ticket)}</dd>
                                        <dt>{t(Msg::KeyLabel)}</dt>
                                        <dd class="code" id="key">{code_groups(&r.key)}</dd>
                                    </dl>
                                    <p class="warning">{t(Msg::KeyWarning)}</p>
                                </div>
                                <dl class="summary">
                                    <div class="summary-row"><dt>{t(Msg::CheckCategory)}</dt><dd>{localized(lang, &r.category_name.0, &r.category_name.1).to_owned()}</dd></div>
                                    <div class="summary-row"><dt>{t(Msg::HandledBy)}</dt><dd id="unit">{r.unit.name.clone()}" "<span class="muted">{phone_links(&r.unit.phone)}</span></dd></div>
                                    <div class="summary-row"><dt>{t(Msg::Deadline)}</dt><dd><time datetime=r.deadline.clone()>{deadline}</time></dd></div>
                                </dl>
                                <section aria-labelledby="save-title" class="save">
                                    <h2 id="save-title">{t(Msg::SaveReceiptTitle)}</h2>
                                    <CopyReceipt text=copy_text token=token.clone() button=t(Msg::CopyReceipt).to_owned() copied_text=t(Msg::Copied).to_owned()/>
                                    <KeepReceipt receipt=kept texts=KeptTexts::new(lang, true)/>
                                    <p>{t(Msg::TrackLink)}": "<a id="track-link" href=link.clone()>{t(Msg::TrackNow)}</a></p>
                                    <figure class="qr">
                                        <div inner_html=qr></div>
                                        <figcaption>{t(Msg::QrHint)}</figcaption>
                                    </figure>
                                    <form method="post" action=format!("/form/appeal/{token}/forget") class="forget-receipt">
                                        <p class="hint" id="forget-receipt-hint">{t(Msg::ReceiptForgetHint)}</p>
                                        <button type="submit" class="button button-secondary" aria-describedby="forget-receipt-hint">{t(Msg::ReceiptForget)}</button>
                                    </form>
                                </section>
                                <LegalTriage category=r.category_code.clone() region=r.region.clone().unwrap_or_default()/>
                            }
                            .into_any()
                        }
                        Ok(None) => crate::pages::appeal::expired().into_any(),
                        Err(_) => view! { <p role="alert">{t(Msg::GenericError)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
