//! Extra questions per category (issue 13, "answers faster"), on SQLite and PostgreSQL: asked on
//! the wizard's "what happened" step and kept through errors, stored with the appeal (also when
//! the group commit writes a batch), shown to the staff who may see the appeal and to nobody
//! else, asked by the staff intake form, and offered to Open311 clients as attributes.

use crate::common;
use backend::audit::Who;
use backend::config::Limits;
use backend::services::appeal::{self, StepOutcome, SubmitOutcome};
use backend::services::intake::{self, IntakeForm};
use backend::services::{open311, work};
use backend::{AppState, BackendError};
use common::Engine;
use domain::draft::Step;
use domain::fields::FieldName;
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
