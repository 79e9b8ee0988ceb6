//! The resident-facing UI. Pages render on the server and work with JavaScript off; a few small
//! islands (`islands.rs`) add inline validation, a device-kept draft, geolocation and copying.
//! Only the islands are compiled into the browser bundle's live code.

// The wizard's check page (answers, photos, the related-appeals offer) is one deep view type;
// its hydrate-side layout needs more than the default 128 levels.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod cookies;
pub mod islands;
pub mod legal_api;
pub mod pages;
pub mod staff_api;
pub mod stats_api;

use components::Layout;
use domain::Lang;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The language of this request: the `lang` cookie, else zh-CN.
#[must_use]
pub fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| {
                cookies::lang(parts.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()))
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::default()
    }
}

/// Whether this request asked for elder mode (the `elder` cookie).
#[must_use]
pub fn request_elder() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|parts| {
            cookies::elder(parts.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()))
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Elder mode (适老化) of this page, provided by the shell: larger text, high contrast, one
/// column, no animation, bigger targets, and a read-aloud button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Elder(pub bool);

/// The Content-Security-Policy of every response. Scripts run only from this origin, plus,
/// on a rendered page, the inline hydration loader that carries this response's `nonce` (no
/// `'unsafe-inline'` for scripts: an injected `<script>` has no nonce and does not run).
/// Responses that are not Leptos pages (form errors, Open311, photos) get it without a nonce.
#[must_use]
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = nonce.map_or_else(String::new, |n| format!(" 'nonce-{n}'"));
    format!(
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
         script-src 'self'{scripts} 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Puts this page's CSP, with the nonce Leptos drew for its inline scripts, on the response.
#[cfg(feature = "ssr")]
fn set_page_csp() {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    if let Ok(v) = http::HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

/// Where the stylesheet is: its content-named copy when the server found one (see the server's
/// `startup::leptos_options`), else the plain name.
static STYLE_HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the stylesheet's address, once, at start-up (later calls change nothing).
pub fn set_style_href(href: String) {
    let _ = STYLE_HREF.set(href);
}

/// The stylesheet's address (see [`set_style_href`]).
#[must_use]
pub fn style_href() -> &'static str {
    STYLE_HREF.get().map_or("/pkg/pingan.css", String::as_str)
}

/// The portal's colour (the stylesheet's `--ac`), for the browser's frame and the web app manifest.
pub const THEME_COLOR: &str = "#b3261e";

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    provide_context(lang);
    let elder = request_elder();
    provide_context(Elder(elder));
    #[cfg(feature = "ssr")]
    set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() class=elder.then_some("elder")>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" href=style_href()/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <meta name="theme-color" content=THEME_COLOR/>
                <HydrationScripts options islands=true/>
                // Registers the service worker (issue 14). A module script like the loader above,
                // so a page without islands loses it with the loader (`server::pages`): such a
                // page loads no script at all.
                <script type="module" src="/offline.js"></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Layout>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home ssr=SsrMode::Async/>
                    <Route path=path!("/appeal/new") view=pages::appeal::NewAppeal ssr=SsrMode::Async/>
                    <Route path=path!("/appeal/:token/:step") view=pages::appeal::StepPage ssr=SsrMode::Async/>
                    <Route path=path!("/receipt/:token") view=pages::receipt::Receipt ssr=SsrMode::Async/>
                    <Route path=path!("/track") view=pages::track::Track ssr=SsrMode::Async/>
                    <Route path=path!("/track/recover") view=pages::recover::Recover ssr=SsrMode::Async/>
                    <Route path=path!("/offline") view=pages::offline::Offline ssr=SsrMode::Async/>
                    <Route path=path!("/legal") view=pages::legal::Legal ssr=SsrMode::Async/>
                    <Route path=path!("/stats") view=pages::stats::Stats ssr=SsrMode::Async/>
                    <Route path=path!("/legal/topic/:topic") view=pages::legal::LegalTopic ssr=SsrMode::Async/>
                    <Route path=path!("/legal/articles/:slug") view=pages::legal::LegalArticle ssr=SsrMode::Async/>
                    <Route path=path!("/legal/services") view=pages::legal::LegalServices ssr=SsrMode::Async/>
                    <Route path=path!("/legal/search") view=pages::legal::LegalSearch ssr=SsrMode::Async/>
                    <Route path=path!("/legal/eligibility") view=pages::legal_eligibility::LegalEligibility ssr=SsrMode::Async/>
                    <Route path=path!("/staff/login") view=pages::staff::StaffLogin ssr=SsrMode::Async/>
                    <Route path=path!("/staff/login/code") view=pages::staff_account::StaffLoginCode ssr=SsrMode::Async/>
                    <Route path=path!("/staff/account") view=pages::staff_account::StaffAccount ssr=SsrMode::Async/>
                    <Route path=path!("/staff/account/totp") view=pages::staff_account::StaffTotp ssr=SsrMode::Async/>
                    <Route path=path!("/staff") view=pages::staff::StaffInbox ssr=SsrMode::Async/>
                    <Route path=path!("/staff/dashboard") view=pages::dashboard::StaffDashboard ssr=SsrMode::Async/>
                    <Route path=path!("/staff/cases") view=pages::cases::StaffCases ssr=SsrMode::Async/>
                    <Route path=path!("/staff/summons") view=pages::summons::StaffSummons ssr=SsrMode::Async/>
                    <Route path=path!("/staff/appeal/new") view=pages::intake::StaffIntake ssr=SsrMode::Async/>
                    <Route path=path!("/staff/appeal/:ticket") view=pages::staff::StaffAppeal ssr=SsrMode::Async/>
                    <Route path=path!("/staff/moderation") view=pages::moderation::StaffModeration ssr=SsrMode::Async/>
                    <Route path=path!("/staff/callbacks") view=pages::callbacks::StaffCallbacks ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin") view=pages::admin::AdminHome ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/staff") view=pages::admin::AdminStaff ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/audit") view=pages::admin::AdminAudit ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/holidays") view=pages::admin::AdminHolidays ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/import") view=pages::admin::AdminImport ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/legal") view=pages::admin_legal::AdminLegal ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/templates") view=pages::admin_templates::AdminTemplates ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/summons") view=pages::admin_summons::AdminSummons ssr=SsrMode::Async/>
                    <Route path=path!("/staff/admin/questions") view=pages::admin_questions::AdminQuestions ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
