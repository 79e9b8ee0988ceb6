//! `LegalTriage`: legal pointers shown on the receipt and track pages of a dispute appeal
//! (neighbours, family, property management, wages, land): the articles written for its
//! category, the nearest people's mediation committee (by the appeal's cell or region, else its
//! district's), and the legal-aid self-check. Renders nothing for other categories, without
//! asking the server.

use crate::components::t;
use crate::legal_api::legal_triage;
use crate::pages::legal::{pick, service_item};
use domain::legal::{is_dispute, ServiceKind};
use domain::Msg;
use futures::FutureExt;
use leptos::prelude::*;

#[component]
pub fn LegalTriage(
    /// The appeal's category code.
    category: String,
    /// The region routing started from (cell or chosen region), if known.
    #[prop(optional)]
    region: Option<String>,
) -> impl IntoView {
    if !is_dispute(&category) {
        return ().into_any();
    }
    // Shared: SSR may run the child closure more than once.
    let data = legal_triage(category, region.unwrap_or_default()).shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                Suspend::new(async move {
                    let Ok(Some(v)) = data.await else { return ().into_any() };
                    let directory = match &v.district {
                        Some(d) => format!("/legal/services?kind={}&district={d}", ServiceKind::MediationCommittee.code()),
                        None => format!("/legal/services?kind={}", ServiceKind::MediationCommittee.code()),
                    };
                    view! {
                        <section class="legal-triage" id="legal-triage" aria-labelledby="triage-title">
                            <h2 id="triage-title">{t(Msg::LegalTriageTitle)}</h2>
                            {(!v.articles.is_empty()).then(|| view! {
                                <h3>{t(Msg::LegalTriageArticles)}</h3>
                                <ul class="article-list">
                                    {v.articles.iter().map(|a| {
                                        let (title, title_lang) = pick(&a.title, &a.title_en);
                                        view! { <li><a href=format!("/legal/articles/{}", a.slug) lang=title_lang>{title}</a></li> }
                                    }).collect_view()}
                                </ul>
                            })}
                            {(!v.mediation.is_empty()).then(|| view! {
                                <h3>{t(Msg::LegalTriageMediation)}</h3>
                                <p class="hint">{t(Msg::LegalTriageMediationHint)}</p>
                                <ul class="services">{v.mediation.iter().map(|p| service_item(p, false)).collect_view()}</ul>
                            })}
                            <p><a href="/legal/eligibility" id="triage-eligibility">{t(Msg::LegalTriageEligibility)}</a></p>
                            <p><a href=directory>{t(Msg::LegalTriageDirectory)}</a></p>
                        </section>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
    .into_any()
}
