//! Builds the application: state (database, migrations, demo data, catalog) and the router.
//! `main` and the router tests use the same two functions.

use crate::config::Config;
use crate::{forms, middleware as mw, open311, staff};
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{middleware, Extension, Router};
use backend::auth::sessions::DbSessionStore;
use backend::catalog::CatalogHandle;
use backend::db::Db;
use backend::services::import;
use backend::AppState;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Largest request body outside photo uploads (form posts are small).
const FORM_BODY_LIMIT: usize = 64 * 1024;
/// The region import: three files (a province's grid can be tens of megabytes).
const IMPORT_BODY_LIMIT: usize = 200 * 1024 * 1024;
/// A photo upload: the photo limit plus room for the multipart envelope.
const PHOTO_BODY_LIMIT: usize = backend::photos::MAX_UPLOAD_BYTES + 64 * 1024;

/// Connects, migrates, loads the demo city (and its demo staff accounts) into an empty database
/// when asked (`config.demo`, `PINGAN_DEMO=1`), and builds the catalog.
///
/// # Errors
/// Database unreachable, a migration failed, or the demo import failed.
pub async fn build_state(config: &Config) -> Result<AppState, backend::BackendError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let mut demo_loaded = false;
    if config.demo {
        if let Some(r) = import::import_demo_if_empty(&db).await? {
            tracing::info!(regions = r.regions, units = r.units, categories = r.categories, "demo city loaded");
            demo_loaded = true;
        }
    }
    let version = backend::store::regions::catalog_version(&db.pool).await?;
    let catalog = CatalogHandle::new(backend::catalog::Catalog::empty());
    catalog.replace_versioned(import::load_catalog(&db).await?, version);
    if config.demo {
        // The bundled legal content needs the regions (its service points are checked against
        // the grid), so it comes after the demo city.
        if let Some(r) = backend::services::legal::import_bundled_if_empty(&db, &catalog.get()).await? {
            tracing::info!(articles = r.articles, services = r.services, "legal content loaded");
        }
    }
    let state =
        AppState::new(db, catalog, config.limits).with_auth(config.auth).with_uploads(config.uploads).configure(|s| {
            s.supervision = config.supervision;
            s.legal = config.legal;
        });
    // Demo accounts only with a demo city this start loaded: never on a real deployment's data.
    if demo_loaded {
        if let Some(password) = backend::services::demo::seed_staff(&state).await? {
            // Handed to the person who started the demo, once; not a log line.
            let names: Vec<&str> = backend::services::demo::DEMO_STAFF.iter().map(|s| s.0).collect();
            println!(
                "demo staff accounts at /staff/login: {} — password (shown only now): {password}",
                names.join(", ")
            );
        }
    }
    Ok(state)
}

/// The client bundle's base name (cargo-leptos `output-name`).
pub const OUTPUT_NAME: &str = "pingan";

/// Leptos's options. When the bundle has content-named copies (`pingan precompress` wrote
/// `pkg/hash.txt`), pages load those: the loader through leptos's `hash_files` (which joins
/// `hash_file` to the executable's directory: an absolute path replaces it) and the stylesheet
/// through [`app::set_style_href`].
#[must_use]
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let mut options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(leptos_config_env())
        .build();
    let hash_file = std::path::Path::new(&config.site_root).join("pkg").join(crate::compress::HASH_FILE);
    let manifest = std::fs::read_to_string(&hash_file).unwrap_or_default();
    let hashes = ["js", "wasm", "css"].map(|ext| crate::compress::hash_of(&manifest, ext));
    if let ([Some(_), Some(_), Some(css)], Ok(abs)) = (hashes, std::path::absolute(&hash_file)) {
        options.hash_files = true;
        options.hash_file = abs.to_string_lossy().into();
        app::set_style_href(format!("/pkg/{OUTPUT_NAME}.{css}.css"));
    }
    options
}

fn leptos_config_env() -> leptos::config::Env {
    match std::env::var("LEPTOS_ENV").as_deref() {
        Ok("DEV" | "dev" | "development") => leptos::config::Env::DEV,
        _ => leptos::config::Env::PROD,
    }
}

/// The whole HTTP surface.
pub fn build_router(state: AppState, options: LeptosOptions, trust_proxy: bool) -> Router {
    let routes = generate_route_list(App);
    // Served over HTTPS exactly when the staff cookie is Secure (see `Config::from_env`).
    let https = state.auth.secure_cookies;
    let ctx_state = state.clone();
    let page_cache = crate::pages::PageCache::new(state.catalog.clone());
    let front_cache = page_cache.clone();
    // Staff sessions: cookie only sent to /staff, HttpOnly, SameSite=Strict, Secure outside
    // plain-HTTP local development, ended after the idle time (the absolute time-out is checked
    // by staff::context).
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("pingan_staff")
        .with_path("/staff")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.auth.secure_cookies)
        .with_expiry(Expiry::OnInactivity(state.auth.idle));
    let router = Router::new()
        .route("/healthz", get(forms::healthz))
        // Offline tolerance (issue 14): the manifest, the service worker and its page script.
        .route("/manifest.webmanifest", get(crate::offline::manifest_file))
        .route("/sw.js", get(crate::offline::service_worker))
        .route("/offline.js", get(crate::offline::page_script))
        .route(app::pages::appeal::PHOTO_UPLOAD_SCRIPT, get(crate::uploads::page_script))
        .route(app::pages::intake::PRINT_SCRIPT, get(crate::staff::intake_print_script))
        .route("/lang/{tag}", get(forms::set_lang))
        .route("/elder/{mode}", get(forms::set_elder))
        .route("/form/appeal/new", post(forms::new_appeal))
        .route("/form/appeal/{token}/submit", post(forms::submit))
        .route("/form/appeal/{token}/forget", post(forms::forget_receipt))
        .route("/form/appeal/{token}/photos/add", post(forms::add_photo).layer(DefaultBodyLimit::max(PHOTO_BODY_LIMIT)))
        .route("/form/appeal/{token}/photos/remove", post(forms::remove_photo))
        .route("/form/appeal/{token}/{step}", post(forms::save_step))
        .route("/draft-photo/{token}/{id}", get(forms::draft_photo))
        .route("/form/legal/services", post(forms::legal_services))
        .route("/form/track", post(forms::track_lookup))
        .route("/form/track/forget", post(forms::track_forget))
        .route("/form/track/info", post(forms::track_info))
        .route("/form/track/rate", post(forms::track_rate))
        // Photos added after submitting (issue 13), under the wizard's upload rules.
        .route("/form/track/photo", post(forms::track_photo).layer(DefaultBodyLimit::max(PHOTO_BODY_LIMIT)))
        .route("/track/photo/{id}", get(forms::track_photo_file))
        // Receipt recovery by phone number and SMS code (issue 14).
        .route("/form/track/recover", post(crate::recover::request))
        .route("/form/track/recover/code", post(crate::recover::code))
        .route("/form/track/recover/restart", post(crate::recover::restart))
        .route("/form/track/recover/open", post(crate::recover::open))
        .route("/form/track/recover/forget", post(crate::recover::forget))
        .route("/staff/login", post(staff::login))
        .route("/staff/login/code", post(staff::login_code))
        .route("/staff/account/{*what}", post(staff::account_post))
        .route("/staff/logout", post(staff::logout))
        .route("/staff/appeal/new", post(staff::intake_post))
        .route("/staff/appeal/{ticket}/act", post(staff::act))
        .route("/staff/appeal/{ticket}/reveal", post(staff::reveal))
        .route("/staff/moderation/{ticket}", post(staff::moderate))
        .route("/staff/callbacks/{ticket}", post(staff::callback))
        .route("/staff/photo/{ticket}/{id}", get(staff::photo))
        .route("/staff/ledger.csv", get(staff::ledger_csv).post(staff::ledger_csv_post))
        .route("/staff/ledger.xlsx", get(staff::ledger_xlsx).post(staff::ledger_xlsx_post))
        .route("/staff/search", post(staff::search))
        .route("/staff/admin/import", post(staff::admin_import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)));
    let router = staff::AdminPost::ROUTES
        .into_iter()
        .fold(router, |r, (what, path)| r.route(path, post(staff::admin_post).layer(Extension(what))));
    let inner = router
        // Open311 GeoReport v2 for client applications (JSON/XML, API keys): docs/open311.md.
        .nest("/open311/v2", open311::router())
        .leptos_routes_with_context(&options, routes, move || provide_context(ctx_state.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        // Server functions over HTTP: bounded body, rate limit, 400 for bad arguments (issue 9 §6).
        .layer(middleware::from_fn(crate::api_guard::guard))
        .layer(middleware::from_fn(staff::context))
        .layer(sessions)
        .layer(Extension(state))
        .layer(Extension(crate::offline::Worker::new(&options, app::style_href())))
        .layer(middleware::from_fn(mw::same_origin))
        // Bare refusals (extractor rejections, 405, 413, the cross-origin 403) become pages.
        .layer(middleware::from_fn(crate::refusals::pages))
        // Behind the proxy, what a refused upload left unread is read away (needs `BehindProxy`,
        // set just outside; wraps the same-origin check and the extractors' refusals).
        .layer(middleware::from_fn(|req, next| mw::read_away_uploads(PHOTO_BODY_LIMIT, req, next)))
        .layer(middleware::from_fn(move |req, next| mw::client_ip(trust_proxy, req, next)))
        // Pages without islands lose the WASM loader; public pages get validators (issue 11).
        .layer(middleware::from_fn(move |req, next| crate::pages::finish(page_cache.clone(), req, next)))
        .layer(middleware::from_fn(mw::security_headers))
        .layer(middleware::from_fn(move |req, next| mw::strict_transport(https, req, next)))
        .layer(middleware::from_fn(mw::no_store))
        .layer(middleware::from_fn(mw::asset_cache))
        .layer(CompressionLayer::new())
        .with_state(options);
    // Cached public pages are answered before routing and the layers above (pages::front); the
    // access log sees every request either way.
    Router::new()
        .fallback_service(inner)
        .layer(middleware::from_fn(move |req, next| crate::pages::front(front_cache.clone(), https, req, next)))
        .layer(middleware::from_fn(mw::access_log))
}
