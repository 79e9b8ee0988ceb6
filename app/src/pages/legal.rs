//! `/legal`: the legal-aid centre's entrance. Until its articles and directory land, it says so
//! plainly and offers the one thing that already works: a legal-aid appeal.

use crate::components::t;
use domain::Msg;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Legal() -> impl IntoView {
    view! {
        <Title text=format!("{} - {}", t(Msg::HomeLegalTitle), t(Msg::SiteName))/>
        <h1>{t(Msg::HomeLegalTitle)}</h1>
        <p>{t(Msg::LegalComingSoon)}</p>
        <p><a class="button" href="/appeal/new?category=legal_aid">{t(Msg::LegalStartAppeal)}</a></p>
    }
}
