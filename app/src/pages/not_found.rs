//! The 404 page.

use crate::components::t;
use domain::Msg;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t(Msg::NotFound)/>
        <h1>{t(Msg::NotFound)}</h1>
        <p><a href="/">{t(Msg::Home)}</a></p>
    }
}
