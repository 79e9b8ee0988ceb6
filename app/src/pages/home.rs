//! `/`: three big doors, nothing else to learn (and a plain link to the public figures).

use crate::components::{t, PageTitle};
use domain::Msg;
use leptos::prelude::*;
use leptos_meta::Meta;

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <PageTitle text=t(Msg::SiteName)/>
        <Meta name="description" content=t(Msg::SiteTagline)/>
        <h1 class="visually-hidden">{t(Msg::SiteName)}</h1>
        <p class="tagline">{t(Msg::SiteTagline)}</p>
        <nav class="doors" aria-label=t(Msg::SiteName)>
            <a class="door door-submit" href="/appeal/new">
                <span class="door-title">{t(Msg::HomeSubmitTitle)}</span>
                <span class="door-hint">{t(Msg::HomeSubmitHint)}</span>
            </a>
            <a class="door door-track" href="/track">
                <span class="door-title">{t(Msg::HomeTrackTitle)}</span>
                <span class="door-hint">{t(Msg::HomeTrackHint)}</span>
            </a>
            <a class="door door-legal" href="/legal">
                <span class="door-title">{t(Msg::HomeLegalTitle)}</span>
                <span class="door-hint">{t(Msg::HomeLegalHint)}</span>
            </a>
        </nav>
        <p class="home-more"><a href="/stats">{t(Msg::StatsNav)}</a></p>
    }
}
