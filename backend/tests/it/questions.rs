//! Extra questions per category (issue 13, "answers faster"), on SQLite and PostgreSQL: asked on
//! the wizard's "what happened" step and kept through errors, stored with the appeal (also when
//! the group commit writes a batch), shown to the staff who may see the appeal and to nobody
//! else, asked by the staff intake form, and offered to Open311 clients as attributes.

use crate::common;
use backend::audit::Who;
use backend::config::Limits;
use backend::services::appeal::{self, StepOutcome, SubmitOutcome};
use backend::services::intake::{self, IntakeForm};
use backend::services::{open311, questions, work};
use backend::{AppState, BackendError};
use common::Engine;
use domain::draft::Step;
use domain::fields::FieldName;
use domain::questions::QuestionForm;
use domain::Msg;
use std::collections::HashMap;

fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

const DESCRIPTION: &str = "老板拖欠三个月工资，一直推说下个月给";

async fn wizard_to_where(state: &AppState, category: &str, what: &[(&str, &str)]) -> (common::DraftRef, StepOutcome) {
    let d = common::start(state, category).await;
    let out = appeal::save_step(state, &d.token, &d.secret, Step::What, &form(what)).await.unwrap();
    (d, out)
}

async fn finish(state: &AppState, d: &common::DraftRef) -> String {
    for (step, f) in [(Step::Where, form(&[("district", "HD")])), (Step::Who, form(&[("identity", "anonymous")]))] {
        assert_eq!(
            appeal::save_step(state, &d.token, &d.secret, step, &f).await.unwrap(),
            StepOutcome::Go(step.next())
        );
    }
    match appeal::submit(state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
        SubmitOutcome::Accepted { ticket } => ticket,
        other => panic!("not accepted: {other:?}"),
    }
}

/// (code, zh value, en value) of the stored answers, in order.
async fn stored(state: &AppState, ticket: &str) -> Vec<(String, String, String)> {
    backend::store::questions::answers(&state.db.pool, ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.code, a.value, a.value_en))
        .collect()
}

async fn wizard_asks_checks_keeps_and_stores_the_answers(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    // Wrong answers: the step stays, one error per question, everything typed kept.
    let (d, out) = wizard_to_where(
        &state,
        "wage_arrears",
        &[
            ("description", DESCRIPTION),
            ("q_employer", "  "),
            ("q_amount", "3万"),
            ("q_months", "121"),
            ("q_workers", "12"),
        ],
    )
    .await;
    assert_eq!(out, StepOutcome::Stay(Step::What));
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    let codes: Vec<&str> = v.questions.iter().map(|q| q.code.as_str()).collect();
    assert_eq!(codes, ["employer", "amount", "months", "workers"], "the wage category's questions, in order");
    assert_eq!(v.draft.error_step, Some(Step::What));
    assert!(v.draft.errors.is_empty(), "the description was fine");
    let errs: Vec<(&str, Msg)> = v.draft.answer_errors.iter().map(|e| (e.code.as_str(), e.msg)).collect();
    assert_eq!(
        errs,
        [("employer", Msg::ErrAnswerRequired), ("amount", Msg::ErrAnswerNumber), ("months", Msg::ErrAnswerTooBig)]
    );
    assert_eq!(v.draft.answers["amount"], "3万", "kept as typed");
    assert_eq!(v.draft.answers["workers"], "12");
    assert_eq!(v.draft.description, DESCRIPTION);
    // Submitting anyway goes back to the step with the same errors.
    for (step, f) in [(Step::Where, form(&[("district", "HD")])), (Step::Who, form(&[("identity", "anonymous")]))] {
        appeal::save_step(&state, &d.token, &d.secret, step, &f).await.unwrap();
    }
    assert_eq!(
        appeal::submit(&state, &d.token, &d.secret, state.clock.now()).await.unwrap(),
        SubmitOutcome::Incomplete(Step::What)
    );
    assert_eq!(appeal::draft_view(&state, &d.token, &d.secret).await.unwrap().draft.answer_errors.len(), 3);

    // Fixed: on to the next step; stored normalised, with the labels and units as asked.
    let good = [
        ("description", DESCRIPTION),
        ("q_employer", " 某某建筑劳务公司 "),
        ("q_amount", "１２，５００元"),
        ("q_months", "3"),
        ("q_workers", ""),
    ];
    assert_eq!(
        appeal::save_step(&state, &d.token, &d.secret, Step::What, &form(&good)).await.unwrap(),
        StepOutcome::Go(Step::Where)
    );
    let ticket = finish(&state, &d).await;
    assert_eq!(
        stored(&state, &ticket).await,
        [
            ("employer".into(), "某某建筑劳务公司".into(), "某某建筑劳务公司".into()),
            ("amount".into(), "12500 元".into(), "12500 yuan".into()),
            ("months".into(), "3 个月".into(), "3 months".into()),
        ],
        "the optional question left empty is not stored"
    );

    // The handling unit's staff see them with their labels; a unit elsewhere does not see the
    // appeal at all.
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let page = work::appeal_page(&state, &hrss, &ticket).await.unwrap();
    let shown: Vec<(&str, &str)> = page.answers.iter().map(|a| (a.label.as_str(), a.value.as_str())).collect();
    assert_eq!(shown, [("欠薪的单位名称", "某某建筑劳务公司"), ("欠薪金额", "12500 元"), ("拖欠月数", "3 个月")]);
    assert_eq!(page.answers[1].label_en, "Amount owed");
    let elsewhere = common::staff(&state, "other", "U-HX", "dispatcher").await;
    assert!(work::appeal_page(&state, &elsewhere, &ticket).await.is_err(), "outside the scope: nothing");
}
both_engines!(wizard_asks_checks_keeps_and_stores_the_answers);

async fn a_category_without_questions_asks_nothing(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    // Answers typed for the wage category, then the category changed: they are not kept.
    let (d, out) =
        wizard_to_where(&state, "sanitation", &[("description", DESCRIPTION), ("q_employer", "甲公司")]).await;
    assert_eq!(out, StepOutcome::Go(Step::Where));
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    assert!(v.questions.is_empty());
    assert!(v.draft.answers.is_empty(), "only the chosen category's questions are read");
    let ticket = finish(&state, &d).await;
    assert!(stored(&state, &ticket).await.is_empty());
    let (answers,): (Option<String>,) = sqlx::query_as("SELECT answers FROM appeals WHERE ticket = $1")
        .bind(&ticket)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(answers, None, "no answers, no JSON");
    // A category changed after answering: the new category's questions apply at submission.
    let (d, out) = wizard_to_where(&state, "safety_hazard", &[("description", DESCRIPTION), ("q_hazard", "gas")]).await;
    assert_eq!(out, StepOutcome::Go(Step::Where));
    let ticket = finish(&state, &d).await;
    assert_eq!(stored(&state, &ticket).await, [("hazard".into(), "燃气".into(), "Gas".into())]);
}
both_engines!(a_category_without_questions_asks_nothing);

/// Concurrent submissions share the group commit's multi-row insert on SQLite: each appeal must
/// get its own answers, not its neighbour's.
async fn a_batch_keeps_each_appeals_answers(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let mut drafts = Vec::new();
    for i in 1..=12 {
        let employer = format!("第{i}建筑公司");
        let amount = (i * 1000).to_string();
        let (d, out) = wizard_to_where(
            &state,
            "wage_arrears",
            &[("description", DESCRIPTION), ("q_employer", &employer), ("q_amount", &amount), ("q_months", "2")],
        )
        .await;
        assert_eq!(out, StepOutcome::Go(Step::Where));
        for (step, f) in [(Step::Where, form(&[("district", "HD")])), (Step::Who, form(&[("identity", "anonymous")]))] {
            appeal::save_step(&state, &d.token, &d.secret, step, &f).await.unwrap();
        }
        drafts.push((i, d));
    }
    let tasks: Vec<_> = drafts
        .into_iter()
        .map(|(i, d)| {
            let state = state.clone();
            tokio::spawn(async move {
                match appeal::submit(&state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
                    SubmitOutcome::Accepted { ticket } => (i, ticket),
                    other => panic!("{other:?}"),
                }
            })
        })
        .collect();
    for t in tasks {
        let (i, ticket) = t.await.unwrap();
        let got = stored(&state, &ticket).await;
        assert_eq!(got[0].1, format!("第{i}建筑公司"), "{ticket}");
        assert_eq!(got[1].1, format!("{} 元", i * 1000), "{ticket}");
    }
}
both_engines!(a_batch_keeps_each_appeals_answers);

async fn staff_intake_asks_the_chosen_categorys_questions(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let centre = common::staff(&state, "centre", "U-HD", "dispatcher").await;
    let base = IntakeForm {
        channel: "phone".into(),
        category: "wage_arrears".into(),
        description: DESCRIPTION.into(),
        cell: "HD010101".into(),
        identity: "anonymous".into(),
        token: intake::new_form_token(),
        ..IntakeForm::default()
    };
    // Missing answers: refused with one pointer, the details per question.
    let bad = IntakeForm { answers: [("amount".to_owned(), "0".to_owned())].into(), ..base.clone() };
    match intake::record(&state, &centre, &bad).await {
        Err(BackendError::Invalid(errs)) => {
            assert_eq!(
                errs.iter().map(|e| (e.field, e.msg)).collect::<Vec<_>>(),
                [(FieldName::Answers, Msg::ErrAnswersBelow)]
            );
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    let details: Vec<(String, Msg)> =
        intake::answer_errors(&state, &bad).into_iter().map(|e| (e.code, e.msg)).collect();
    assert_eq!(
        details,
        [
            ("employer".to_owned(), Msg::ErrAnswerRequired),
            ("amount".to_owned(), Msg::ErrAnswerNumber),
            ("months".to_owned(), Msg::ErrAnswerRequired)
        ]
    );
    let good = IntakeForm {
        answers: [("employer", "乙公司"), ("amount", "8,000"), ("months", "4"), ("workers", "20")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        ..base.clone()
    };
    let r = intake::record(&state, &centre, &good).await.unwrap();
    let got: Vec<String> = stored(&state, &r.ticket).await.into_iter().map(|a| a.1).collect();
    assert_eq!(got, ["乙公司", "8000 元", "4 个月", "20 人"]);
    // Another category ignores the wage answers.
    let other = IntakeForm { category: "neighbor_dispute".into(), token: intake::new_form_token(), ..bad };
    let r = intake::record(&state, &centre, &other).await.unwrap();
    assert!(stored(&state, &r.ticket).await.is_empty());
}
both_engines!(staff_intake_asks_the_chosen_categorys_questions);

async fn open311_attributes_are_defined_checked_and_stored(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let (s, attrs) = open311::service_definition(&state, "wage_arrears").unwrap();
    assert!(s.metadata);
    let shape: Vec<(&str, &str, bool, u32)> =
        attrs.iter().map(|a| (a.code.as_str(), a.datatype, a.required, a.order)).collect();
    assert_eq!(
        shape,
        [
            ("employer", "string", true, 1),
            ("amount", "number", true, 2),
            ("months", "number", true, 3),
            ("workers", "number", false, 4)
        ]
    );
    assert_eq!(attrs[0].description, "欠薪的单位名称 / Employer's name");
    assert!(attrs[1].datatype_description.contains("at most 10000000 (yuan)"), "{}", attrs[1].datatype_description);
    let (_, hazard) = open311::service_definition(&state, "safety_hazard").unwrap();
    let values: Vec<(&str, &str)> =
        hazard[0].values.as_ref().unwrap().iter().map(|v| (v.key.as_str(), v.name.as_str())).collect();
    assert_eq!(values[1], ("gas", "燃气 / Gas"));
    assert!(open311::service_definition(&state, "sanitation").unwrap().1.is_empty());

    let who = Who { id: "cli".into(), name: "test".into(), role: "cli".into() };
    let key = open311::create_key(&state, &who, "questions").await.unwrap().key;
    let post = |extra: &[(&str, &str)]| {
        let mut p = form(&[
            ("api_key", &key),
            ("service_code", "wage_arrears"),
            ("lat", "35.485"),
            ("long", "106.605"),
            ("description", DESCRIPTION),
        ]);
        p.extend(form(extra));
        open311::PostRequest::from_params(&p)
    };
    match open311::submit(&state, &post(&[("attribute[amount]", "-3"), ("attribute[months]", "2")])).await {
        Err(BackendError::BadRequest(msgs)) => assert_eq!(
            msgs,
            [
                "attribute[employer]: Please fill in “Employer's name”",
                "attribute[amount]: “Amount owed” must be a number greater than 0"
            ]
        ),
        other => panic!("expected a bad request, got {other:?}"),
    }
    let ok = open311::submit(
        &state,
        &post(&[("attribute[employer]", "丙公司"), ("attribute[amount]", "3000"), ("attribute[months]", "2")]),
    )
    .await
    .unwrap();
    let ticket = domain::receipt::Ticket::parse(&ok.service_request_id).unwrap().as_str().to_owned();
    let got: Vec<String> = stored(&state, &ticket).await.into_iter().map(|a| a.1).collect();
    assert_eq!(got, ["丙公司", "3000 元", "2 个月"]);
    // The public view of the request never shows them.
    let public = serde_json::to_string(&open311::request(&state, &ok.service_request_id).await.unwrap()).unwrap();
    assert!(!public.contains("丙公司"), "{public}");
}
both_engines!(open311_attributes_are_defined_checked_and_stored);

fn question_form(code: &str, kind: &str, label: &str, label_en: &str) -> QuestionForm {
    QuestionForm {
        code: code.into(),
        kind: kind.into(),
        required: true,
        label: label.into(),
        label_en: label_en.into(),
        max_len: "50".into(),
        max: "1000".into(),
        decimals: "0".into(),
        choices: "yes|有|Yes\nno|没有|No".into(),
        ..QuestionForm::default()
    }
}

/// The codes the wizard asks for `category` now (the live catalogue).
async fn asked(state: &AppState, category: &str) -> Vec<String> {
    let d = common::start(state, category).await;
    appeal::draft_view(state, &d.token, &d.secret).await.unwrap().questions.into_iter().map(|q| q.code).collect()
}

/// The admins' editor (`/staff/admin/questions`): only admins; every field checked; each change
/// audited, reloaded at once (the wizard and Open311 ask the new questions), and appeals that
/// answered a question that changed or went away still show their answers as given.
async fn admins_edit_the_questions_and_old_answers_stay(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let admin = common::staff(&state, "admin", "U-SF", "admin").await.who();
    let centre = common::staff(&state, "centre", "U-HD", "dispatcher").await;
    let version = state.catalog.version();
    // An appeal answered under today's questions.
    let (d, out) = wizard_to_where(
        &state,
        "wage_arrears",
        &[("description", DESCRIPTION), ("q_employer", "某某公司"), ("q_amount", "3000"), ("q_months", "2")],
    )
    .await;
    assert_eq!(out, StepOutcome::Go(Step::Where));
    let old = finish(&state, &d).await;

    // Nobody else may read or change them.
    let f = question_form("contract", "choice", "是否签了劳动合同", "Signed a contract");
    assert!(matches!(questions::list(&state, &centre.who()).await, Err(BackendError::Forbidden)));
    assert!(matches!(
        questions::save(&state, &centre.who(), "wage_arrears", "", &f).await,
        Err(BackendError::Forbidden)
    ));
    assert!(matches!(
        questions::delete(&state, &centre.who(), "wage_arrears", "employer").await,
        Err(BackendError::Forbidden)
    ));
    assert!(matches!(
        questions::move_question(&state, &centre.who(), "wage_arrears", "months", true).await,
        Err(BackendError::Forbidden)
    ));
    // Field by field: a taken code, an empty label, a choice list of one.
    let mut bad = question_form("amount", "choice", "", "Amount");
    bad.choices = "yes|有|Yes".into();
    match questions::save(&state, &admin, "wage_arrears", "", &bad).await {
        Err(BackendError::Invalid(e)) => assert_eq!(
            e.iter().map(|e| (e.field, e.msg)).collect::<Vec<_>>(),
            [
                (FieldName::Code, Msg::ErrQuestionCodeTaken),
                (FieldName::Label, Msg::ErrQuestionLabelEmpty),
                (FieldName::Choices, Msg::ErrQuestionChoicesFew)
            ]
        ),
        other => panic!("{other:?}"),
    }
    match questions::save(&state, &admin, "no_such", "", &f).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].field, FieldName::Category),
        other => panic!("{other:?}"),
    }
    assert!(matches!(questions::save(&state, &admin, "wage_arrears", "nope", &f).await, Err(BackendError::NotFound)));
    assert_eq!(state.catalog.version(), version, "nothing refused changed the catalogue");

    // Add: asked at once, at the end, by the wizard and in Open311's definition.
    assert_eq!(questions::save(&state, &admin, "wage_arrears", "", &f).await.unwrap(), "contract");
    assert!(state.catalog.version() > version, "a new catalogue version for every node");
    assert_eq!(asked(&state, "wage_arrears").await, ["employer", "amount", "months", "workers", "contract"]);
    let (_, attrs) = open311::service_definition(&state, "wage_arrears").unwrap();
    let last = attrs.last().unwrap();
    assert_eq!((last.code.as_str(), last.datatype, last.order), ("contract", "singlevaluelist", 5));
    assert_eq!(last.values.as_ref().unwrap()[1].name, "没有 / No");
    // Edit: the label and the limits change, the code may too; its place stays.
    let mut e = question_form("employer_name", "text", "欠薪单位", "Employer");
    e.max_len = "30".into();
    e.required = false;
    assert_eq!(questions::save(&state, &admin, "wage_arrears", "employer", &e).await.unwrap(), "employer_name");
    let now = questions::list(&state, &admin).await.unwrap().remove("wage_arrears").unwrap();
    assert_eq!(
        (now[0].code.as_str(), now[0].label.as_str(), now[0].max_len, now[0].required),
        ("employer_name", "欠薪单位", 30, false)
    );
    // Move: the contract question up one place, then the first one up (nothing happens).
    questions::move_question(&state, &admin, "wage_arrears", "contract", true).await.unwrap();
    questions::move_question(&state, &admin, "wage_arrears", "employer_name", true).await.unwrap();
    assert!(matches!(
        questions::move_question(&state, &admin, "wage_arrears", "gone", false).await,
        Err(BackendError::NotFound)
    ));
    assert_eq!(asked(&state, "wage_arrears").await, ["employer_name", "amount", "months", "contract", "workers"]);
    // Delete: no longer asked; the old appeal's answers are still shown as they were given.
    questions::delete(&state, &admin, "wage_arrears", "amount").await.unwrap();
    questions::delete(&state, &admin, "wage_arrears", "employer_name").await.unwrap();
    assert!(matches!(questions::delete(&state, &admin, "wage_arrears", "amount").await, Err(BackendError::NotFound)));
    assert_eq!(asked(&state, "wage_arrears").await, ["months", "contract", "workers"]);
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let page = work::appeal_page(&state, &hrss, &old).await.unwrap();
    let shown: Vec<(&str, &str)> = page.answers.iter().map(|a| (a.label.as_str(), a.value.as_str())).collect();
    assert_eq!(shown, [("欠薪的单位名称", "某某公司"), ("欠薪金额", "3000 元"), ("拖欠月数", "2 个月")]);
    // A new appeal answers the new questions.
    let (d, out) = wizard_to_where(
        &state,
        "wage_arrears",
        &[("description", DESCRIPTION), ("q_months", "2"), ("q_contract", "no"), ("q_amount", "5")],
    )
    .await;
    assert_eq!(out, StepOutcome::Go(Step::Where));
    let new = finish(&state, &d).await;
    assert_eq!(
        stored(&state, &new).await,
        [("months".into(), "2 个月".into(), "2 months".into()), ("contract".into(), "没有".into(), "No".into())]
    );

    // Each change is audited, an edit and a delete with what the question was.
    let log = backend::store::audit::recent(&state.db.pool, None, None, None, 50).await.unwrap();
    let ours: Vec<_> = log.iter().rev().filter(|r| r.action.starts_with("question_")).collect();
    assert_eq!(
        ours.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        ["question_add", "question_edit", "question_move", "question_delete", "question_delete"]
    );
    assert!(ours[1].detail.contains("欠薪的单位名称") && ours[1].detail.contains("欠薪单位"), "{}", ours[1].detail);
    assert!(ours[3].detail.contains("欠薪金额"), "{}", ours[3].detail);
}
both_engines!(admins_edit_the_questions_and_old_answers_stay);
