//! `/staff/admin/templates`: admins keep the reply templates per appeal category (issue 13): each
//! template is an edit form (category, title, text) with a delete button, and a last form adds
//! one. Posts go to `/staff/admin/templates/save` and `/delete` (CSRF, 303 back here); a refused
//! save comes back with each field's problem and what was typed, on the form it came from.

use super::staff::{csrf_input, staff_bar, staff_page};
use crate::components::{lang, t, ErrorSummary, Notice, PageTitle, TextArea};
use crate::staff_api::StaffData;
use domain::callback::{ReplyTemplate, TEMPLATE_TITLE_MAX};
use domain::region::localized;
use domain::staff::Flash;
use domain::views::CategoryView;
use domain::{FieldName, Msg};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The admin page's data: every template, and the categories to choose from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplatesView {
    pub templates: Vec<ReplyTemplate>,
    pub categories: Vec<CategoryView>,
}

#[server]
pub async fn staff_admin_templates() -> Result<StaffData<TemplatesView>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        let templates = backend::services::templates::list(&state, &staff.who()).await?;
        let categories = state
            .catalog
            .get()
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                urgent: c.urgent,
            })
            .collect();
        Ok(TemplatesView { templates, categories })
    })
    .await
}

#[component]
pub fn AdminTemplates() -> impl IntoView {
    staff_page(staff_admin_templates(), |header, flash, data| {
        let csrf = header.csrf.clone();
        let saved =
            (flash.form == "templates-save" || flash.form == "templates-delete").then_some(flash.notice).flatten();
        let forms = data
            .templates
            .iter()
            .map(|tpl| template_form(&csrf, &flash, &data.categories, Some(tpl)).into_any())
            .collect_view();
        view! {
            <PageTitle text=format!("{} - {}", t(Msg::AdminTemplates), t(Msg::StaffTitle))/>
            {staff_bar(&header)}
            <p><a class="back" href="/staff/admin">{t(Msg::AdminTitle)}</a></p>
            <h1>{t(Msg::AdminTemplates)}</h1>
            <p class="hint">{t(Msg::TemplatesHint)}</p>
            <Notice msg=saved/>
            {if data.templates.is_empty() {
                view! { <p class="empty" id="templates-empty">{t(Msg::TemplatesEmpty)}</p> }.into_any()
            } else {
                view! { <div id="templates">{forms}</div> }.into_any()
            }}
            <h2 id="template-new-title">{t(Msg::TemplateAdd)}</h2>
            {template_form(&csrf, &flash, &data.categories, None)}
        }
    })
}

/// The form of one template (`None`: the form that adds one).
fn template_form(csrf: &str, f: &Flash, categories: &[CategoryView], tpl: Option<&ReplyTemplate>) -> impl IntoView {
    let lang = lang();
    let id = tpl.map(|x| x.id.clone()).unwrap_or_default();
    // This form's refused post: its errors, and the values as typed.
    let mine = f.form == "templates-save" && (!f.errors.is_empty()) && f.value("id") == id;
    let errors = if mine { f.errors.clone() } else { Vec::new() };
    let err = |field: FieldName| errors.iter().find(|e| e.field == field).map(|e| e.msg);
    let value = |k: &str, stored: Option<String>| if mine { f.value(k) } else { stored.unwrap_or_default() };
    let category_v = value("category", tpl.map(|x| x.category.clone()));
    let title_v = value("title", tpl.map(|x| x.title.clone()));
    let body_v = value("body", tpl.map(|x| x.body.clone()));
    let suffix = if id.is_empty() { "new".to_owned() } else { id.clone() };
    // The error summary links to `#category`, `#title`, `#body`: only the form with the errors
    // has those ids.
    let fid = |field: FieldName| if mine { field.as_str().to_owned() } else { format!("{}-{suffix}", field.as_str()) };
    let (cid, tid, bid) = (fid(FieldName::Category), fid(FieldName::Title), fid(FieldName::Body));
    let msg = |field: FieldName, id: &str| {
        err(field).map(|m| view! { <p class="field-error" id=format!("{id}-error")>{t(m)}</p> })
    };
    view! {
        <section class="template" id=format!("t-{suffix}") data-category=category_v.clone()>
            <ErrorSummary errors=errors.clone()/>
            <form method="post" action="/staff/admin/templates/save" class="step-form">
                {csrf_input(csrf)}
                <input type="hidden" name="id" value=id.clone()/>
                <div class="field">
                    <label for=cid.clone() class="label">{t(Msg::TemplateCategory)}</label>
                    {msg(FieldName::Category, &cid)}
                    <select id=cid.clone() name="category" aria-invalid=err(FieldName::Category).is_some().to_string()>
                        <option value="">{t(Msg::ChooseOption)}</option>
                        {categories.iter().map(|c| view! {
                            <option value=c.code.clone() selected=c.code == category_v>{localized(lang, &c.name, &c.name_en).to_owned()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=tid.clone() class="label">{t(Msg::TemplateTitle)}</label>
                    {msg(FieldName::Title, &tid)}
                    <input id=tid.clone() name="title" type="text" maxlength=TEMPLATE_TITLE_MAX value=title_v
                        aria-invalid=err(FieldName::Title).is_some().to_string()/>
                </div>
                <div class="field">
                    <label for=bid.clone() class="label">{t(Msg::TemplateBody)}</label>
                    {msg(FieldName::Body, &bid)}
                    <TextArea value=body_v.clone() {..} id=bid.clone() name="body" rows="5" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH
                        aria-invalid=err(FieldName::Body).is_some().to_string()/>
                </div>
                <button type="submit" class="button">{if tpl.is_some() { t(Msg::TemplateSave) } else { t(Msg::TemplateAdd) }}</button>
            </form>
            {tpl.map(|x| view! {
                <form method="post" action="/staff/admin/templates/delete" class="inline">
                    {csrf_input(csrf)}
                    <input type="hidden" name="id" value=x.id.clone()/>
                    <button type="submit" class="link-button">{t(Msg::Delete)}<span class="visually-hidden">" "{x.title.clone()}</span></button>
                </form>
            })}
        </section>
    }
}
