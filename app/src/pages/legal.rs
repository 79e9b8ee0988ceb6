//! The legal-aid information centre's pages, all server-rendered and complete without
//! JavaScript: `/legal` (topics, search, the self-check and the directory), `/legal/topic/:topic`,
//! `/legal/articles/:slug`, `/legal/services` (directory with filters in its address; "use my
//! location" is the wizard's `LocateButton` island filling the form, which is posted and
//! redirected back with the position rounded) and `/legal/search`.
//!
//! Article bodies are HTML rendered and sanitised at import (`backend::services::legal`);
//! search titles and snippets are escaped and marked by the server. Nothing else is inserted as
//! HTML.

use crate::components::{fill, lang, phone_links, t, urlencode, PageTitle};
use crate::islands::{LocateButton, LocateTexts};
use crate::legal_api::{legal_article, legal_directory, legal_home, legal_search, legal_topic};
use domain::legal::{format_distance, ArticleSummary, PlaceOption, SearchHit, ServiceKind, ServicePointView, Topic};
use domain::region::localized;
use domain::Msg;
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::{Link, Meta};
use leptos_router::hooks::{use_params_map, use_query_map};

/// The page's address as search engines should know it: `PINGAN_PUBLIC_URL` and the path, or the
/// path alone when it is not set. Never the request's `Host`: these pages are cached and served
/// to everyone, so one visitor's forged header must not become everyone's link.
#[must_use]
pub fn canonical(path: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        match std::env::var("PINGAN_PUBLIC_URL") {
            Ok(u) if !u.trim().is_empty() => format!("{}{path}", u.trim().trim_end_matches('/')),
            _ => path.to_owned(),
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        path.to_owned()
    }
}

/// `<title>`, description and canonical link of a legal page.
pub fn head(title: String, description: String, path: String) -> impl IntoView {
    view! {
        <PageTitle text=format!("{title} - {}", t(Msg::SiteName))/>
        <Meta name="description" content=description/>
        <Link rel="canonical" href=canonical(&path)/>
    }
}

/// Sets 404 on the response (unknown topic or article).
pub fn not_found() -> AnyView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text=t(Msg::NotFound)/>
        <h1>{t(Msg::NotFound)}</h1>
        <p><a href="/legal">{t(Msg::HomeLegalTitle)}</a></p>
    }
    .into_any()
}

/// `lang="zh-CN"` for Chinese content on an English page (issue 14), so screen readers and
/// translation tools treat it as Chinese; nothing on a Chinese page, whose `<html>` says so.
#[must_use]
pub fn zh() -> Option<&'static str> {
    (lang() == domain::Lang::En).then_some("zh-CN")
}

/// The English text when the page is English and the content has one, else the Chinese (with
/// `lang` from [`zh`] to put on its element).
#[must_use]
pub fn pick(zh_text: &str, en_text: &str) -> (String, Option<&'static str>) {
    if lang() == domain::Lang::En && !en_text.trim().is_empty() {
        (en_text.to_owned(), None)
    } else {
        (zh_text.to_owned(), zh())
    }
}

fn failed() -> AnyView {
    view! { <p role="alert">{t(Msg::GenericError)}</p> }.into_any()
}

/// The disclaimer every article carries.
#[component]
pub fn Disclaimer() -> impl IntoView {
    view! { <p class="disclaimer" role="note">{t(Msg::LegalDisclaimer)}</p> }
}

fn search_form(q: String) -> impl IntoView {
    view! {
        <form method="get" action="/legal/search" role="search" class="legal-search">
            <label for="q" class="label">{t(Msg::LegalSearchLabel)}</label>
            <p class="hint" id="q-hint">{t(Msg::LegalSearchHint)}</p>
            <div class="search-row">
                <input type="search" id="q" name="q" value=q maxlength="40" aria-describedby="q-hint" enterkeyhint="search"/>
                <button type="submit" class="button">{t(Msg::LegalSearchButton)}</button>
            </div>
        </form>
    }
}

fn article_list(list: Vec<ArticleSummary>, with_summary: bool) -> impl IntoView {
    view! {
        <ul class="article-list">
            {list
                .into_iter()
                .map(|a| {
                    let (title, title_lang) = pick(&a.title, &a.title_en);
                    let (summary, summary_lang) = pick(&a.summary, &a.summary_en);
                    view! {
                        <li>
                            <a href=format!("/legal/articles/{}", a.slug) lang=title_lang>{title}</a>
                            {with_summary.then(|| view! { <p class="hint" lang=summary_lang>{phone_links(&summary)}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// `/legal`.
#[component]
pub fn Legal() -> impl IntoView {
    let data = legal_home().shared();
    view! {
        {head(t(Msg::HomeLegalTitle).to_owned(), t(Msg::LegalLead).to_owned(), "/legal".to_owned())}
        <h1>{t(Msg::HomeLegalTitle)}</h1>
        <p class="tagline">{t(Msg::LegalLead)}</p>
        {search_form(String::new())}
        <section aria-labelledby="tools-title">
            <h2 id="tools-title">{t(Msg::LegalToolsTitle)}</h2>
            <nav class="doors doors-two" aria-labelledby="tools-title">
                <a class="door door-submit" id="eligibility-link" href="/legal/eligibility">
                    <span class="door-title">{t(Msg::LegalEligibilityTitle)}</span>
                    <span class="door-hint">{t(Msg::LegalEligibilityLead)}</span>
                </a>
                <a class="door" id="services-link" href="/legal/services">
                    <span class="door-title">{t(Msg::LegalServicesTitle)}</span>
                    <span class="door-hint">{t(Msg::LegalServicesLead)}</span>
                </a>
            </nav>
        </section>
        <section aria-labelledby="topics-title">
            <h2 id="topics-title">{t(Msg::LegalTopicsTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || {
                    let data = data.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(home) => home
                                .topics
                                .into_iter()
                                .map(|(topic, list)| view! {
                                    <section class="topic" id=format!("topic-{}", topic.code())>
                                        <h3><a href=format!("/legal/topic/{}", topic.code())>{t(topic.name())}</a></h3>
                                        <p class="hint">{phone_links(t(topic.hint()))}</p>
                                        {article_list(list, false)}
                                    </section>
                                })
                                .collect_view()
                                .into_any(),
                            Err(_) => failed(),
                        }
                    })
                }}
            </Suspense>
        </section>
        <p><a class="button button-secondary" href="/appeal/new?category=legal_aid">{t(Msg::LegalStartAppeal)}</a></p>
    }
}

/// `/legal/topic/:topic`.
#[component]
pub fn LegalTopic() -> impl IntoView {
    let code = use_params_map().read_untracked().get("topic").unwrap_or_default();
    let data = legal_topic(code).shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(Some((topic, list))) => topic_view(topic, list).into_any(),
                        Ok(None) => not_found(),
                        Err(_) => failed(),
                    }
                })
            }}
        </Suspense>
    }
}

fn topic_view(topic: Topic, list: Vec<ArticleSummary>) -> impl IntoView {
    let empty = list.is_empty();
    view! {
        {head(t(topic.name()).to_owned(), t(topic.hint()).to_owned(), format!("/legal/topic/{}", topic.code()))}
        <a class="back" href="/legal">{t(Msg::LegalAllTopics)}</a>
        <h1>{t(topic.name())}</h1>
        <p class="tagline">{phone_links(t(topic.hint()))}</p>
        {if empty { view! { <p>{t(Msg::LegalTopicEmpty)}</p> }.into_any() } else { article_list(list, true).into_any() }}
        <p class="links"><a href="/legal/eligibility">{t(Msg::LegalEligibilityTitle)}</a>" · "<a href="/legal/services">{t(Msg::LegalServicesTitle)}</a></p>
    }
}

/// `/legal/articles/:slug`.
#[component]
pub fn LegalArticle() -> impl IntoView {
    let slug = use_params_map().read_untracked().get("slug").unwrap_or_default();
    let data = legal_article(slug).shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(Some(a)) => {
                            let topic = Topic::parse(&a.topic);
                            let (title, title_lang) = pick(&a.title, &a.title_en);
                            let (summary, summary_lang) = pick(&a.summary, &a.summary_en);
                            view! {
                                {head(title.clone(), summary.clone(), format!("/legal/articles/{}", a.slug))}
                                {topic.map(|tp| view! { <a class="back" href=format!("/legal/topic/{}", tp.code())>{t(tp.name())}</a> })}
                                <article class="legal-article">
                                    // On an English page: the English title and summary where the
                                    // content has them, the Chinese marked lang="zh-CN" where not,
                                    // and a note that the body is Chinese only (issue 14).
                                    <h1 lang=title_lang>{title}</h1>
                                    {(lang() == domain::Lang::En).then(|| view! { <p class="notice" id="zh-only" role="note">{t(Msg::LegalChineseOnly)}</p> })}
                                    <p class="meta">{t(Msg::LegalLastReviewed)}<time datetime=a.last_reviewed.clone()>{a.last_reviewed.clone()}</time></p>
                                    <p class="tagline" lang=summary_lang>{phone_links(&summary)}</p>
                                    <Disclaimer/>
                                    <div class="article-body" lang=zh() inner_html=a.body_html.clone()></div>
                                    <section class="legal-basis" aria-labelledby="basis-title">
                                        <h2 id="basis-title">{t(Msg::LegalBasisLabel)}</h2>
                                        <p lang=zh()>{a.legal_basis.clone()}</p>
                                    </section>
                                    {(!a.related.is_empty()).then(|| view! {
                                        <section class="related" aria-labelledby="related-title">
                                            <h2 id="related-title">{t(Msg::LegalRelated)}</h2>
                                            {article_list(a.related.clone(), false)}
                                        </section>
                                    })}
                                </article>
                                <p><a class="button button-secondary" href="/legal/eligibility">{t(Msg::LegalEligibilityTitle)}</a></p>
                            }
                            .into_any()
                        }
                        Ok(None) => not_found(),
                        Err(_) => failed(),
                    }
                })
            }}
        </Suspense>
    }
}

fn options(list: &[PlaceOption], current: &str) -> impl IntoView {
    let lang = lang();
    let current = current.to_owned();
    view! {
        <option value="">{t(Msg::ChooseOption)}</option>
        {list
            .iter()
            .map(|r| view! { <option value=r.code.clone() selected=r.code == current>{localized(lang, &r.name, &r.name_en).to_owned()}</option> })
            .collect_view()}
    }
}

/// One place of the directory (also used by the self-check's result and the triage box).
pub fn service_item(p: &ServicePointView, heading: bool) -> impl IntoView {
    let lang = lang();
    let kind = ServiceKind::parse(&p.kind).map(|k| t(k.name())).unwrap_or_default();
    let place = localized(lang, &p.place.0, &p.place.1).to_owned();
    let tel = format!("tel:{}", p.phone.replace(['-', ' '], ""));
    let name = p.name.clone();
    view! {
        <li class="service" id=format!("svc-{}", p.code)>
            // The directory's names, addresses and hours are Chinese content.
            {if heading { view! { <h2 class="service-name" lang=zh()>{name}</h2> }.into_any() } else { view! { <p class="service-name" lang=zh()><strong>{name}</strong></p> }.into_any() }}
            <p class="muted">{kind}" · "{place}</p>
            <dl class="service-facts">
                <div><dt>{t(Msg::LegalAddressLabel)}</dt><dd lang=zh()>{p.address.clone()}</dd></div>
                <div><dt>{t(Msg::LegalPhoneLabel)}</dt><dd><a href=tel>{p.phone.clone()}</a></dd></div>
                {(!p.hours.is_empty()).then(|| view! { <div><dt>{t(Msg::LegalHoursLabel)}</dt><dd lang=zh()>{p.hours.clone()}</dd></div> })}
                {p.distance_m.map(|d| view! { <div><dt>{t(Msg::LegalDistanceLabel)}</dt><dd class="distance">{format_distance(d, lang)}</dd></div> })}
            </dl>
        </li>
    }
}

/// `/legal/services?kind=&district=&street=&lat=&lng=`. Its filter form is posted to
/// `/form/legal/services`, which redirects here with the position rounded (`domain::legal::directory_url`).
#[component]
pub fn LegalServices() -> impl IntoView {
    let q = use_query_map();
    let get = |k: &str| q.read_untracked().get(k).unwrap_or_default();
    let (lat, lng) = (get("lat"), get("lng"));
    let data = legal_directory(get("kind"), get("district"), get("street"), lat.clone(), lng.clone()).shared();
    view! {
        {head(t(Msg::LegalServicesTitle).to_owned(), t(Msg::LegalServicesLead).to_owned(), "/legal/services".to_owned())}
        <a class="back" href="/legal">{t(Msg::HomeLegalTitle)}</a>
        <h1>{t(Msg::LegalServicesTitle)}</h1>
        <p class="tagline">{t(Msg::LegalServicesLead)}</p>
        <Suspense fallback=|| ()>
            {move || {
                let (data, lat, lng) = (data.clone(), lat.clone(), lng.clone());
                Suspend::new(async move {
                    let Ok(v) = data.await else { return failed() };
                    let lang = lang();
                    let count = fill(t(Msg::LegalPointsCount), &[("n", v.points.len().to_string())]);
                    let order = if v.by_distance {
                        Some(Msg::LegalSortedByDistance)
                    } else if !v.district.is_empty() {
                        Some(Msg::LegalSortedByRegion)
                    } else {
                        None
                    };
                    view! {
                        <form method="post" action="/form/legal/services" class="step-form directory-filter">
                            <div class="field">
                                <label for="kind" class="label">{t(Msg::LegalKindLabel)}</label>
                                <select id="kind" name="kind">
                                    <option value="">{t(Msg::LegalAllKinds)}</option>
                                    {ServiceKind::ALL
                                        .iter()
                                        .map(|k| view! { <option value=k.code() selected=k.code() == v.kind>{k.name().text(lang)}</option> })
                                        .collect_view()}
                                </select>
                            </div>
                            <fieldset class="cascade">
                                <legend>{t(Msg::LegalNearMeTitle)}</legend>
                                <p class="hint">{t(Msg::LegalNearMeHint)}</p>
                                <LocateButton lat=lat lng=lng texts=LocateTexts::new(lang)/>
                                <div class="field">
                                    <label for="district" class="label">{t(Msg::DistrictLabel)}</label>
                                    <select id="district" name="district">{options(&v.districts, &v.district)}</select>
                                </div>
                                {(!v.streets.is_empty()).then(|| view! {
                                    <div class="field">
                                        <label for="street" class="label">{t(Msg::StreetLabel)}</label>
                                        <select id="street" name="street">{options(&v.streets, &v.street)}</select>
                                    </div>
                                })}
                            </fieldset>
                            <button type="submit" class="button">{t(Msg::LegalFilterApply)}</button>
                        </form>
                        <p class="result-count" role="status">{count}{order.map(|m| view! { " " {t(m)} })}</p>
                        {if v.points.is_empty() {
                            view! { <p>{t(Msg::LegalNoServices)}</p> }.into_any()
                        } else {
                            view! { <ul class="services">{v.points.iter().map(|p| service_item(p, true)).collect_view()}</ul> }.into_any()
                        }}
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

fn hit_list(hits: Vec<SearchHit>, id: &'static str, title: Msg) -> impl IntoView {
    (!hits.is_empty()).then(|| {
        view! {
            <section class="search-results" aria-labelledby=id>
                <h2 id=id>{t(title)}</h2>
                <ol class="hits">
                    {hits
                        .into_iter()
                        .map(|h| {
                            // English page and an English title: show it, with the English
                            // summary unless only the Chinese snippet shows what matched.
                            let en = lang() == domain::Lang::En && !h.title_en_html.is_empty();
                            let (title, title_lang) = if en { (h.title_en_html, None) } else { (h.title_html, zh()) };
                            let en_snippet = en
                                && !h.summary_en_html.is_empty()
                                && (h.summary_en_html.contains("<mark>") || !h.snippet_html.contains("<mark>"));
                            let (snippet, snippet_lang) =
                                if en_snippet { (h.summary_en_html, None) } else { (h.snippet_html, zh()) };
                            view! {
                                <li class=format!("hit hit-{}", h.kind)>
                                    <a href=h.href><span lang=title_lang inner_html=title></span></a>
                                    <p class="snippet" lang=snippet_lang inner_html=snippet></p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
        }
    })
}

/// `/legal/search?q=`.
#[component]
pub fn LegalSearch() -> impl IntoView {
    let q = use_query_map().read_untracked().get("q").unwrap_or_default();
    let data = legal_search(q.clone()).shared();
    let path = if q.trim().is_empty() {
        "/legal/search".to_owned()
    } else {
        format!("/legal/search?q={}", urlencode(q.trim()))
    };
    view! {
        {head(t(Msg::LegalSearchTitle).to_owned(), t(Msg::LegalLead).to_owned(), path)}
        <Meta name="robots" content="noindex"/>
        <a class="back" href="/legal">{t(Msg::HomeLegalTitle)}</a>
        <h1>{t(Msg::LegalSearchTitle)}</h1>
        {search_form(q.clone())}
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                Suspend::new(async move {
                    let Ok(v) = data.await else { return failed() };
                    if v.query.is_empty() {
                        return view! { <p class="hint" id="search-empty">{t(Msg::LegalSearchEmpty)}</p> }.into_any();
                    }
                    let heading = fill(t(Msg::LegalSearchResultsFor), &[("q", v.query.clone())]);
                    let none = v.articles.is_empty() && v.services.is_empty();
                    view! {
                        <p class="result-count" role="status" id="search-status">{heading}</p>
                        {none.then(|| view! { <p id="search-none">{phone_links(t(Msg::LegalSearchNone))}</p> })}
                        {hit_list(v.articles, "hits-articles", Msg::LegalSearchArticles)}
                        {hit_list(v.services, "hits-services", Msg::LegalSearchServices)}
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}
