//! `/staff/admin/questions`: admins keep the extra questions each appeal category asks (issue
//! 13). The page lists the categories with their number of questions; `?category=` opens one:
//! its questions in the order asked, each with move up / move down / delete buttons and its edit
//! form (in a `<details>`, open when a save of it was refused), then a form that adds one. Plain
//! forms posted to `/staff/admin/questions/save`, `/delete` and `/move` (CSRF, 303 back to the
//! category), so all of it works with JavaScript off; a refused save comes back with each
//! field's problem and what was typed, on the form it came from.

use super::staff::{csrf_input, staff_bar, staff_page};
use crate::components::{fill, lang, t, ErrorSummary, Notice, PageTitle, TextArea};
use crate::staff_api::StaffData;
use domain::questions::{kind_name, Question, QuestionForm, QuestionKind, CODE_MAX, HELP_MAX, LABEL_MAX, UNIT_MAX};
use domain::region::localized;
use domain::staff::Flash;
use domain::views::CategoryView;
use domain::{FieldName, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// The editor's data: every category with its number of questions, and the open category's
/// questions (`None`: no category chosen, or an unknown one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionsView {
    pub categories: Vec<(CategoryView, usize)>,
    pub open: Option<(CategoryView, Vec<Question>)>,
}

#[server]
pub async fn staff_admin_questions(category: String) -> Result<StaffData<QuestionsView>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        let mut all = backend::services::questions::list(&state, &staff.who()).await?;
        let cat = state.catalog.get();
        let view = |c: &domain::region::Category| CategoryView {
            code: c.code.clone(),
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            urgent: c.urgent,
        };
        let categories = cat.categories.iter().map(|c| (view(c), all.get(&c.code).map_or(0, Vec::len))).collect();
        let open = cat.category(category.trim()).map(|c| (view(c), all.remove(&c.code).unwrap_or_default()));
        Ok(QuestionsView { categories, open })
    })
    .await
}

#[component]
pub fn AdminQuestions() -> impl IntoView {
    let category = use_query_map().read_untracked().get("category").unwrap_or_default();
    staff_page(staff_admin_questions(category), |header, flash, data| {
        let lang = lang();
        let csrf = header.csrf.clone();
        let ours = flash.form.starts_with("questions-");
        let refused = ours && !flash.errors.is_empty();
        let title = if refused {
            format!("{}: {} - {}", t(Msg::ErrorSummaryTitle), t(Msg::AdminQuestions), t(Msg::StaffTitle))
        } else {
            format!("{} - {}", t(Msg::AdminQuestions), t(Msg::StaffTitle))
        };
        let open_code = data.open.as_ref().map(|(c, _)| c.code.clone()).unwrap_or_default();
        let nav = data
            .categories
            .iter()
            .map(|(c, n)| {
                let current = (c.code == open_code).then_some("page");
                view! {
                    <li>
                        <a href=format!("/staff/admin/questions?category={}", c.code) aria-current=current>
                            {localized(lang, &c.name, &c.name_en).to_owned()}
                        </a>
                        " · "{fill(t(Msg::QuestionsCount), &[("n", n.to_string())])}
                    </li>
                }
            })
            .collect_view();
        // A refused delete or move (an unknown category) says so at the top.
        let other_errors = if ours && flash.form != "questions-save" { flash.errors.clone() } else { Vec::new() };
        view! {
            <PageTitle text=title/>
            {staff_bar(&header)}
            <p><a class="back" href="/staff/admin">{t(Msg::AdminTitle)}</a></p>
            <h1>{t(Msg::AdminQuestions)}</h1>
            <p class="hint">{t(Msg::AdminQuestionsHint)}</p>
            <Notice msg=ours.then_some(flash.notice).flatten()/>
            <Notice msg=ours.then_some(flash.problem).flatten() problem=true/>
            <ErrorSummary errors=other_errors/>
            <nav aria-labelledby="question-categories-title">
                <h2 id="question-categories-title">{t(Msg::QuestionsCategories)}</h2>
                <ul id="question-categories">{nav}</ul>
            </nav>
            {match data.open.clone() {
                None => view! { <p class="empty" id="questions-choose">{t(Msg::QuestionsChoose)}</p> }.into_any(),
                Some((c, questions)) => category_view(&csrf, &flash, &c, &questions).into_any(),
            }}
        }
    })
}

/// One category: its questions in order, then the form that adds one.
fn category_view(csrf: &str, f: &Flash, c: &CategoryView, questions: &[Question]) -> impl IntoView {
    let lang = lang();
    let n = questions.len();
    let items = questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let kind = t(match q.kind {
                QuestionKind::Text => Msg::QuestionKindText,
                QuestionKind::Number => Msg::QuestionKindNumber,
                QuestionKind::Choice => Msg::QuestionKindChoice,
            });
            let required = t(if q.required { Msg::QuestionRequired } else { Msg::QuestionNotRequired });
            let label = q.label_in(lang).to_owned();
            let mine = f.form == "questions-save" && !f.errors.is_empty() && f.value("original") == q.code;
            let move_form = |dir: &'static str, msg: Msg| {
                view! {
                    <form method="post" action="/staff/admin/questions/move" class="inline">
                        {csrf_input(csrf)}
                        <input type="hidden" name="category" value=c.code.clone()/>
                        <input type="hidden" name="code" value=q.code.clone()/>
                        <input type="hidden" name="dir" value=dir/>
                        <button type="submit" class="link-button">{t(msg)}<span class="visually-hidden">" "{label.clone()}</span></button>
                    </form>
                }
            };
            view! {
                <li class="question" id=format!("question-{}", q.code) data-code=q.code.clone()>
                    <p class="line1"><strong>{label.clone()}</strong>" "<code>{q.code.clone()}</code></p>
                    <p class="line2">{kind}" · "{required}</p>
                    <div class="question-actions">
                        {(i > 0).then(|| move_form("up", Msg::QuestionMoveUp))}
                        " "
                        {(i + 1 < n).then(|| move_form("down", Msg::QuestionMoveDown))}
                        " "
                        <form method="post" action="/staff/admin/questions/delete" class="inline">
                            {csrf_input(csrf)}
                            <input type="hidden" name="category" value=c.code.clone()/>
                            <input type="hidden" name="code" value=q.code.clone()/>
                            <button type="submit" class="link-button">{t(Msg::Delete)}<span class="visually-hidden">" "{label.clone()}</span></button>
                        </form>
                    </div>
                    <p class="hint">{t(Msg::QuestionDeleteHint)}</p>
                    <details open=mine>
                        <summary>{t(Msg::QuestionEdit)}<span class="visually-hidden">" "{label.clone()}</span></summary>
                        {question_form(csrf, f, &c.code, Some(q))}
                    </details>
                </li>
            }
        })
        .collect_view();
    view! {
        <section id=format!("q-{}", c.code) data-category=c.code.clone()>
            <h2>{localized(lang, &c.name, &c.name_en).to_owned()}</h2>
            {if questions.is_empty() {
                view! { <p class="empty" id="questions-empty">{t(Msg::QuestionsNone)}</p> }.into_any()
            } else {
                view! { <ol id="questions">{items}</ol> }.into_any()
            }}
            <h3 id="question-new-title">{t(Msg::QuestionAdd)}</h3>
            {question_form(csrf, f, &c.code, None)}
        </section>
    }
}

/// The form of one question (`None`: the form that adds one).
fn question_form(csrf: &str, f: &Flash, category: &str, q: Option<&Question>) -> impl IntoView {
    let original = q.map(|x| x.code.clone()).unwrap_or_default();
    // This form's refused post: its errors, and the values as typed.
    let mine = f.form == "questions-save" && !f.errors.is_empty() && f.value("original") == original;
    let errors = if mine { f.errors.clone() } else { Vec::new() };
    let stored = q.map(QuestionForm::of).unwrap_or_default();
    let v = |k: &str, s: &str| if mine { f.value(k) } else { s.to_owned() };
    let kind_v = v("qkind", &stored.kind);
    let required_v = if mine { f.value("required") == "1" } else { stored.required };
    let suffix = if original.is_empty() { "new".to_owned() } else { original.clone() };
    // The error summary links to the plain ids: only the form with the errors has them.
    let fid = |field: FieldName| if mine { field.as_str().to_owned() } else { format!("{}-{suffix}", field.as_str()) };
    let err = |field: FieldName| errors.iter().find(|e| e.field == field).map(|e| e.msg);
    let text_input = move |field: FieldName, label: Msg, value: String, max: usize| {
        let id = fid(field);
        view! {
            <div class="field">
                <label for=id.clone() class="label">{t(label)}</label>
                {err(field).map(|m| view! { <p class="field-error" id=format!("{id}-error")>{t(m)}</p> })}
                <input id=id.clone() name=field.as_str() type="text" maxlength=max value=value
                    aria-invalid=err(field).is_some().to_string()/>
            </div>
        }
    };
    let kinds = [
        (QuestionKind::Text, Msg::QuestionKindText),
        (QuestionKind::Number, Msg::QuestionKindNumber),
        (QuestionKind::Choice, Msg::QuestionKindChoice),
    ];
    let (kid, rid, chid) = (fid(FieldName::QuestionKind), format!("required-{suffix}"), fid(FieldName::Choices));
    view! {
        <div class="question-form" id=format!("qf-{suffix}")>
            <ErrorSummary errors=errors.clone()/>
            <form method="post" action="/staff/admin/questions/save" class="step-form">
                {csrf_input(csrf)}
                <input type="hidden" name="category" value=category.to_owned()/>
                <input type="hidden" name="original" value=original.clone()/>
                {text_input(FieldName::Code, Msg::QuestionCode, v("code", &stored.code), CODE_MAX)}
                <div class="field">
                    <label for=kid.clone() class="label">{t(Msg::QuestionKindLabel)}</label>
                    {err(FieldName::QuestionKind).map(|m| view! { <p class="field-error" id=format!("{kid}-error")>{t(m)}</p> })}
                    <select id=kid.clone() name="qkind" aria-invalid=err(FieldName::QuestionKind).is_some().to_string()>
                        <option value="">{t(Msg::ChooseOption)}</option>
                        {kinds.into_iter().map(|(k, m)| view! {
                            <option value=kind_name(k) selected=kind_v == kind_name(k)>{t(m)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="choice">
                    <input type="checkbox" id=rid.clone() name="required" value="1" checked=required_v/>
                    <label for=rid>{t(Msg::QuestionRequired)}</label>
                </div>
                {text_input(FieldName::Label, Msg::QuestionLabelZh, v("label", &stored.label), LABEL_MAX)}
                {text_input(FieldName::LabelEn, Msg::QuestionLabelEn, v("label_en", &stored.label_en), LABEL_MAX)}
                {text_input(FieldName::Help, Msg::QuestionHelpZh, v("help", &stored.help), HELP_MAX)}
                {text_input(FieldName::HelpEn, Msg::QuestionHelpEn, v("help_en", &stored.help_en), HELP_MAX)}
                <p class="hint">{t(Msg::QuestionKindOnly)}</p>
                <fieldset>
                    <legend>{t(Msg::QuestionForText)}</legend>
                    {text_input(FieldName::MaxLen, Msg::QuestionMaxLen, v("max_len", &stored.max_len), 3)}
                </fieldset>
                <fieldset>
                    <legend>{t(Msg::QuestionForNumber)}</legend>
                    {text_input(FieldName::MaxValue, Msg::QuestionMaxValue, v("max_value", &stored.max), 13)}
                    {text_input(FieldName::Decimals, Msg::QuestionDecimals, v("decimals", &stored.decimals), 1)}
                    {text_input(FieldName::UnitZh, Msg::QuestionUnitZh, v("unit_zh", &stored.unit), UNIT_MAX)}
                    {text_input(FieldName::UnitEn, Msg::QuestionUnitEn, v("unit_en", &stored.unit_en), UNIT_MAX)}
                </fieldset>
                <fieldset>
                    <legend>{t(Msg::QuestionForChoice)}</legend>
                    <div class="field">
                        <label for=chid.clone() class="label">{t(Msg::QuestionChoices)}</label>
                        {err(FieldName::Choices).map(|m| view! { <p class="field-error" id=format!("{chid}-error")>{t(m)}</p> })}
                        <TextArea value=v("choices", &stored.choices) {..} id=chid.clone() name="choices" rows="5" maxlength="4000"
                            aria-invalid=err(FieldName::Choices).is_some().to_string()/>
                    </div>
                </fieldset>
                <button type="submit" class="button">{if q.is_some() { t(Msg::QuestionSave) } else { t(Msg::QuestionAdd) }}</button>
            </form>
        </div>
    }
}
