//! `/staff/admin/summons`: admins keep, per appeal category, the kinds of department a centre may
//! summon (吹哨报到, issue 13). One form per category with a checkbox per department kind; none
//! ticked means any department of the district. Posts go to `/staff/admin/summons/save` (CSRF,
//! 303 back here); a refused save comes back with its message on the form it came from.

use super::staff::{csrf_input, staff_bar, staff_page};
use crate::components::{lang, t, ErrorSummary, Notice, PageTitle};
use crate::staff_api::StaffData;
use domain::region::localized;
use domain::staff::Flash;
use domain::views::CategoryView;
use domain::Msg;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The admin page's data: the categories, the department kinds (code, an example department's
/// name) and each category's listed kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummonRulesView {
    pub categories: Vec<CategoryView>,
    pub kinds: Vec<(String, String)>,
    pub rules: BTreeMap<String, Vec<String>>,
}

#[server]
pub async fn staff_admin_summons() -> Result<StaffData<SummonRulesView>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        let rules = backend::services::summons::rules(&state, &staff.who()).await?;
        let cat = state.catalog.get();
        let kinds = backend::services::summons::department_kinds(&cat);
        let categories = cat
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                urgent: c.urgent,
            })
            .collect();
        Ok(SummonRulesView { categories, kinds, rules })
    })
    .await
}

#[component]
pub fn AdminSummons() -> impl IntoView {
    staff_page(staff_admin_summons(), |header, flash, data| {
        let csrf = header.csrf.clone();
        let saved = (flash.form == "summons-save").then_some(flash.notice).flatten();
        let forms = data.categories.iter().map(|c| rule_form(&csrf, &flash, &data, c)).collect_view();
        view! {
            <PageTitle text=format!("{} - {}", t(Msg::AdminSummons), t(Msg::StaffTitle))/>
            {staff_bar(&header)}
            <p><a class="back" href="/staff/admin">{t(Msg::AdminTitle)}</a></p>
            <h1>{t(Msg::AdminSummons)}</h1>
            <p class="hint">{t(Msg::AdminSummonsHint)}</p>
            <Notice msg=saved/>
            <div id="summon-rules">{forms}</div>
        }
    })
}

/// One category's form: a checkbox per department kind.
fn rule_form(csrf: &str, f: &Flash, data: &SummonRulesView, c: &CategoryView) -> impl IntoView {
    let lang = lang();
    let listed = data.rules.get(&c.code).cloned().unwrap_or_default();
    // This form's refused post: its errors (the ticks as stored are shown again).
    let mine = f.form == "summons-save" && !f.errors.is_empty() && f.value("category") == c.code;
    let errors = if mine { f.errors.clone() } else { Vec::new() };
    let name = localized(lang, &c.name, &c.name_en).to_owned();
    let legend_id = format!("rule-{}-title", c.code);
    let boxes = data
        .kinds
        .iter()
        .map(|(k, example)| {
            let id = if mine && k == &data.kinds[0].0 { "units".to_owned() } else { format!("rule-{}-{k}", c.code) };
            view! {
                <div class="choice">
                    <input type="checkbox" id=id.clone() name="kinds" value=k.clone() checked=listed.contains(k)/>
                    <label for=id>{format!("{k} · {example}")}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="summon-rule" id=format!("rule-{}", c.code) data-category=c.code.clone() data-kinds=listed.join(",")>
            <ErrorSummary errors=errors/>
            <form method="post" action="/staff/admin/summons/save" class="step-form">
                {csrf_input(csrf)}
                <input type="hidden" name="category" value=c.code.clone()/>
                <fieldset class="choices">
                    <legend id=legend_id>{name}</legend>
                    {listed.is_empty().then(|| view! { <p class="hint">{t(Msg::SummonRuleAny)}</p> })}
                    {boxes}
                </fieldset>
                <button type="submit" class="button">{t(Msg::SummonRuleSave)}</button>
            </form>
        </section>
    }
}
