//! Thin server functions of the legal-aid centre's pages: take the state from context, call one
//! service of `backend::services::legal`, map the error.

use crate::staff_api::StaffData;
use domain::legal::{
    AdminLegalView, ArticleSummary, ArticleView, DirectoryView, EligibilityInfo, LegalHomeView, SearchView, Topic,
    TriageView,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::{found, internal, state};

#[server]
pub async fn legal_home() -> Result<LegalHomeView, ServerFnError> {
    backend::services::legal::home(&state()?).await.map_err(|e| internal(&e))
}

#[server]
pub async fn legal_topic(topic: String) -> Result<Option<(Topic, Vec<ArticleSummary>)>, ServerFnError> {
    found(backend::services::legal::topic(&state()?, &topic).await)
}

#[server]
pub async fn legal_article(slug: String) -> Result<Option<ArticleView>, ServerFnError> {
    found(backend::services::legal::article(&state()?, &slug).await)
}

#[server]
pub async fn legal_directory(
    kind: String,
    district: String,
    street: String,
    lat: String,
    lng: String,
) -> Result<DirectoryView, ServerFnError> {
    backend::services::legal::directory(&state()?, &kind, &district, &street, &lat, &lng)
        .await
        .map_err(|e| internal(&e))
}

#[server]
pub async fn legal_search(q: String) -> Result<SearchView, ServerFnError> {
    backend::services::legal::search(&state()?, &q).await.map_err(|e| internal(&e))
}

#[server]
pub async fn legal_eligibility_info() -> Result<EligibilityInfo, ServerFnError> {
    backend::services::legal::eligibility_info(&state()?).await.map_err(|e| internal(&e))
}

/// Legal pointers for an appeal of `category` in `region` (empty when unknown); `None` when the
/// category is not a dispute.
#[server]
pub async fn legal_triage(category: String, region: String) -> Result<Option<TriageView>, ServerFnError> {
    backend::services::legal::triage(&state()?, &category, &region).await.map_err(|e| internal(&e))
}

/// The admin's article editor (`/staff/admin/legal?slug=`); the service checks the role.
#[server]
pub async fn staff_admin_legal(slug: String) -> Result<StaffData<AdminLegalView>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        backend::services::legal::admin_view(&state, &staff, &slug).await
    })
    .await
}
