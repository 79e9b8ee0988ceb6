//! `/staff/admin/legal`: an admin edits the Markdown of a legal article. The form posts to
//! `/staff/admin/legal/edit`; the service re-renders, re-indexes and audits, and a refused edit
//! (a broken link, an empty text) comes back with its problems and the text as typed.

use super::staff::{csrf_input, staff_bar, staff_page};
use crate::components::{t, Notice, PageTitle, TextArea};
use crate::legal_api::staff_admin_legal;
use domain::Msg;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminLegal() -> impl IntoView {
    let slug = use_query_map().read_untracked().get("slug").unwrap_or_default();
    staff_page(staff_admin_legal(slug), |header, flash, data| {
        let f = flash;
        let mine = f.form == "legal-edit";
        let problems: Vec<String> = if mine {
            f.values.iter().filter(|(k, _)| k == "problem").map(|(_, v)| v.clone()).collect()
        } else {
            Vec::new()
        };
        let typed = (mine && f.problem.is_some()).then(|| f.value("markdown"));
        let csrf = header.csrf.clone();
        view! {
            <PageTitle text=format!("{} - {}", t(Msg::AdminLegal), t(Msg::StaffTitle))/>
            {staff_bar(&header)}
            <p><a class="back" href="/staff/admin">{t(Msg::AdminTitle)}</a></p>
            <h1>{t(Msg::AdminLegal)}</h1>
            <p class="hint">{t(Msg::AdminLegalHint)}</p>
            <Notice msg=mine.then_some(f.notice).flatten()/>
            {(!problems.is_empty()).then(|| view! {
                <div class="error-summary" role="alert" tabindex="-1" id="legal-problems">
                    <p>{t(Msg::AdminLegalProblems)}</p>
                    <ul>{problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            {data.selected.clone().map(|(slug, title, body)| view! {
                <form method="post" action="/staff/admin/legal/edit" class="step-form" id="legal-edit">
                    {csrf_input(&csrf)}
                    <input type="hidden" name="slug" value=slug.clone()/>
                    <h2>{title}</h2>
                    <p><a href=format!("/legal/articles/{slug}")>{t(Msg::AdminLegalOpen)}</a></p>
                    <div class="field">
                        <label for="markdown" class="label">{t(Msg::AdminLegalBody)}</label>
                        <TextArea value=typed.clone().unwrap_or(body) {..} id="markdown" name="markdown" rows="24" spellcheck="false"/>
                    </div>
                    <button type="submit" class="button">{t(Msg::AdminLegalSave)}</button>
                </form>
            })}
            <ul class="article-list" id="legal-articles">
                {data.articles.iter().map(|a| view! {
                    <li><a href=format!("/staff/admin/legal?slug={}", a.slug)>{a.title.clone()}</a></li>
                }).collect_view()}
            </ul>
        }
    })
}
