//! The 404 page.

use crate::components::{t, PageTitle};
use domain::Msg;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text=t(Msg::NotFound)/>
        <h1>{t(Msg::NotFound)}</h1>
        <p><a href="/">{t(Msg::Home)}</a></p>
    }
}
