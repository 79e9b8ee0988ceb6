//! `/legal/eligibility`: the legal-aid self-check, one question per page, working with
//! JavaScript off. Each page is a GET form carrying the earlier answers as hidden fields and
//! naming the question asked (`q`), so an empty answer shows the question again with an error;
//! the result page's addresses are plain links that can be shared or bookmarked. The rule is
//! `domain::legal_aid`; the income standard comes from the server's configuration.

use crate::components::{fill, lang, phone_links, t, urlencode, PageTitle};
use crate::legal_api::legal_eligibility_info;
use crate::pages::legal::{canonical, service_item, Disclaimer};
use domain::legal::ServiceKind;
use domain::legal_aid::{appeal_description, assess, Answers, Assessment, Group, Matter, Means, Question};
use domain::Msg;
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::{Link, Meta};
use leptos_router::hooks::use_query_map;

fn href(a: &Answers) -> String {
    let q = a.query();
    if q.is_empty() {
        "/legal/eligibility".to_owned()
    } else {
        format!("/legal/eligibility?{q}")
    }
}

/// The question before `q` in the flow, if any.
fn previous(q: Question) -> Option<Question> {
    match q {
        Question::Matter => None,
        Question::Group => Some(Question::Matter),
        Question::Means => Some(Question::Group),
    }
}

fn number(q: Question) -> usize {
    match q {
        Question::Matter => 1,
        Question::Group => 2,
        Question::Means => 3,
    }
}

/// The choices of a question: (code, words).
fn choices(q: Question, limit: u32) -> Vec<(&'static str, String)> {
    let limit = limit.to_string();
    match q {
        Question::Matter => Matter::ALL.iter().map(|m| (m.code(), t(m.label()).to_owned())).collect(),
        Question::Group => Group::ALL.iter().map(|g| (g.code(), t(g.label()).to_owned())).collect(),
        Question::Means => {
            Means::ALL.iter().map(|m| (m.code(), fill(t(m.label()), &[("limit", limit.clone())]))).collect()
        }
    }
}

#[component]
pub fn LegalEligibility() -> impl IntoView {
    let query = use_query_map();
    let get = |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let answers = Answers::parse(&get("matter"), &get("group"), &get("means"));
    let asked = Question::parse(&get("q"));
    let info = legal_eligibility_info().shared();
    view! {
        <Meta name="description" content=t(Msg::LegalEligibilityLead)/>
        <Link rel="canonical" href=canonical("/legal/eligibility")/>
        <Suspense fallback=|| ()>
            {move || {
                let info = info.clone();
                Suspend::new(async move {
                    let Ok(info) = info.await else {
                        return view! { <p role="alert">{t(Msg::GenericError)}</p> }.into_any();
                    };
                    match (answers.next_question(), assess(&answers)) {
                        (Some(q), _) => question_page(answers, q, asked == Some(q), info.income_limit).into_any(),
                        (None, Some(result)) => result_page(answers, result, info).into_any(),
                        (None, None) => question_page(Answers::default(), Question::Matter, false, info.income_limit).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn question_page(answers: Answers, q: Question, missing: bool, limit: u32) -> impl IntoView {
    let name = q.param();
    let title = t(q.title());
    let page_title = if missing {
        format!("{}: {title} - {} - {}", t(Msg::ErrorSummaryTitle), t(Msg::LegalEligibilityTitle), t(Msg::SiteName))
    } else {
        format!("{title} - {} - {}", t(Msg::LegalEligibilityTitle), t(Msg::SiteName))
    };
    let back = previous(q).map_or_else(|| "/legal".to_owned(), |p| href(&answers.before(p)));
    let step_of = fill(t(Msg::LegalAidQuestionOf), &[("n", number(q).to_string())]);
    let hint_id = format!("{name}-hint");
    let described = if missing { format!("{hint_id} {name}-error") } else { hint_id.clone() };
    let hidden = answers.before(q);
    view! {
        <PageTitle text=page_title/>
        <a class="back" href=back>{t(Msg::Back)}</a>
        <p class="step-of">{t(Msg::LegalEligibilityTitle)}" · "{step_of}</p>
        {missing.then(|| view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
                <h2 id="error-summary-title">{t(Msg::ErrorSummaryTitle)}</h2>
                <ul><li><a href=format!("#{name}")>{t(Msg::LegalAidChooseOne)}</a></li></ul>
            </div>
        })}
        <form method="get" action="/legal/eligibility" class="step-form" novalidate>
            <h1>{title}</h1>
            {(q == Question::Matter).then(|| view! { <p>{t(Msg::LegalEligibilityLead)}</p> })}
            {hidden.matter.map(|m| view! { <input type="hidden" name="matter" value=m.code()/> })}
            {hidden.group.map(|g| view! { <input type="hidden" name="group" value=g.code()/> })}
            <input type="hidden" name="q" value=name/>
            <fieldset class="choices" aria-describedby=described>
                <legend class="visually-hidden">{title}</legend>
                <p class="hint" id=hint_id>{t(q.hint())}</p>
                {(q == Question::Means).then(|| view! {
                    <p class="notice" id="income-standard">{fill(t(Msg::LegalAidStandard), &[("limit", limit.to_string())])}</p>
                })}
                {missing.then(|| view! {
                    <p class="field-error" id=format!("{name}-error")>
                        <span class="visually-hidden">{t(Msg::ErrorSummaryTitle)}": "</span>{t(Msg::LegalAidChooseOne)}
                    </p>
                })}
                {choices(q, limit)
                    .into_iter()
                    .enumerate()
                    .map(|(i, (code, label))| {
                        let id = if i == 0 { name.to_owned() } else { format!("{name}-{code}") };
                        view! {
                            <div class="choice">
                                <input type="radio" name=name id=id.clone() value=code aria-invalid=missing.to_string()/>
                                <label for=id>{label}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit" class="button">{t(Msg::Continue)}</button>
        </form>
    }
}

fn result_page(answers: Answers, result: Assessment, info: domain::legal::EligibilityInfo) -> impl IntoView {
    let lang = lang();
    let limit = info.income_limit;
    let outcome = result.outcome;
    let description = appeal_description(&answers, &result, limit, lang);
    let appeal = format!("/appeal/new?category=legal_aid&description={}", urlencode(&description));
    let mut rows: Vec<(Question, String)> = Vec::new();
    if let Some(m) = answers.matter {
        rows.push((Question::Matter, t(m.label()).to_owned()));
    }
    if let Some(g) = answers.group {
        rows.push((Question::Group, t(g.label()).to_owned()));
    }
    if let Some(m) = answers.means {
        rows.push((Question::Means, fill(t(m.label()), &[("limit", limit.to_string())])));
    }
    let docs = [Msg::LegalAidDocId, Msg::LegalAidDocResidence, Msg::LegalAidDocMeans, Msg::LegalAidDocDispute];
    let unlikely = outcome == domain::legal_aid::Outcome::LikelyNot;
    let start_class = if unlikely { "button button-secondary" } else { "button" };
    let start = view! {
        <section aria-labelledby="appeal-title" class="start-appeal">
            <h2 id="appeal-title" class="visually-hidden">{t(Msg::LegalAidStartAppeal)}</h2>
            <p><a class=start_class id="start-appeal" href=appeal>{t(Msg::LegalAidStartAppeal)}</a></p>
            <p class="hint">{t(Msg::LegalAidStartAppealHint)}</p>
        </section>
    };
    view! {
        <PageTitle text=format!("{} - {} - {}", t(outcome.title()), t(Msg::LegalEligibilityTitle), t(Msg::SiteName))/>
        <a class="back" href="/legal">{t(Msg::HomeLegalTitle)}</a>
        <p class="step-of">{t(Msg::LegalEligibilityTitle)}</p>
        <div class=format!("eligibility-result result-{}", outcome.code()) role="status" id="eligibility-result" data-outcome=outcome.code()>
            <h1>{t(outcome.title())}</h1>
            <p>{t(Msg::LegalAidNotDecision)}</p>
        </div>
        <section aria-labelledby="why-title">
            <h2 id="why-title">{t(Msg::LegalAidWhyTitle)}</h2>
            <ul class="reasons">{result.reasons.iter().map(|m| view! { <li>{phone_links(t(*m))}</li> }).collect_view()}</ul>
        </section>
        <section aria-labelledby="answers-title">
            <h2 id="answers-title">{t(Msg::LegalAidYourAnswers)}</h2>
            <dl class="summary" id="your-answers">
                {rows.into_iter().map(|(q, value)| view! {
                    <div class="summary-row">
                        <dt>{t(q.title())}</dt>
                        <dd class="pre">{value}</dd>
                        <dd><a href=href(&answers.before(q))>{t(Msg::LegalAidChange)}<span class="visually-hidden">" "{t(q.title())}</span></a></dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
        // Likely not eligible: lead with where else to get help; applying stays possible, second
        // and plainer (issue 14).
        {unlikely.then(|| view! { <p id="unlikely-next" class="notice">{phone_links(t(Msg::LegalAidUnlikelyNext))}</p> })}
        {(!unlikely).then(|| start.clone())}
        <section aria-labelledby="docs-title">
            <h2 id="docs-title">{t(Msg::LegalAidDocsTitle)}</h2>
            <ul class="docs">{docs.into_iter().map(|m| view! { <li>{t(m)}</li> }).collect_view()}</ul>
        </section>
        <section aria-labelledby="where-title">
            <h2 id="where-title">{t(Msg::LegalAidWhereTitle)}</h2>
            <p>{t(Msg::LegalAidWhereHint)}</p>
            <ul class="services">{info.centres.iter().map(|p| service_item(p, false)).collect_view()}</ul>
            <p><a href=format!("/legal/services?kind={}", ServiceKind::LegalAidCenter.code())>{t(Msg::LegalTriageDirectory)}</a></p>
        </section>
        {unlikely.then(|| start.clone())}
        <p><a href="/legal/eligibility" id="restart">{t(Msg::LegalAidRestart)}</a></p>
        <Disclaimer/>
    }
}
