//! Summonses with duties (吹哨报到, issue 13) on SQLite and PostgreSQL: the per-category list of
//! departments (allowed, refused, none listed = any; the admin's edits, authz and audit), the
//! report-back deadline in working days, its warning and 督办 exactly once (two runs, two
//! "nodes"), nothing after the report, and the summoning unit's rating of the report.

use crate::common;

use backend::auth::Staff;
use backend::services::summons;
use backend::services::work::{self, Act};
use backend::store::{appeals, audit as audit_store, outbox};
use backend::{AppState, BackendError};
use common::Engine;
use domain::summons::HistoryFilter;
use domain::workflow::Action;
use domain::{FieldName, Msg};
use time::macros::datetime;
use time::Duration;

fn summon(units: &[&str], days: &str) -> Act {
    Act::Summon { units: units.iter().map(|u| (*u).to_owned()).collect(), note: "请协助".into(), days: days.into() }
}

fn rate(unit: &str, rating: &str, note: &str) -> Act {
    Act::RateReport { unit: unit.into(), rating: rating.into(), note: note.into() }
}

/// An appeal of `category` handled by the street centre U-HD01 (district HD), in progress.
async fn street_appeal(state: &AppState, category: &str) -> String {
    let (ticket, _) = common::appeal_at(
        state,
        category,
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "anonymous")],
    )
    .await;
    common::force(state, &ticket, "U-HD01", "in_progress").await;
    ticket
}

fn field_errors(r: Result<(), BackendError>) -> Vec<(FieldName, Msg)> {
    match r {
        Err(BackendError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.msg)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn cohandler(state: &AppState, ticket: &str, unit: &str) -> appeals::CoHandler {
    appeals::cohandlers(&state.db.pool, ticket).await.unwrap().into_iter().find(|c| c.unit == unit).unwrap()
}

async fn outbox_to(state: &AppState, ticket: &str, unit: &str) -> Vec<String> {
    outbox::for_ticket(&state.db.pool, ticket)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient == unit)
        .map(|m| m.kind)
        .collect()
}

async fn events(state: &AppState, ticket: &str, kind: &str) -> Vec<appeals::FullEvent> {
    appeals::all_events(&state.db.pool, ticket).await.unwrap().into_iter().filter(|e| e.kind.as_str() == kind).collect()
}

async fn the_list_decides_whom_a_centre_may_summon(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    // Property management: the migration lists housing and market.
    let prop = street_appeal(&state, "property_mgmt").await;
    let page = work::appeal_page(&state, &street, &prop).await.unwrap();
    let offered: Vec<&str> = page.summon_targets.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(offered, ["D-HD-housing", "D-HD-market"]);
    assert!(!page.summon_any);
    // A department of the district that is not listed: refused at the field, nothing written.
    assert_eq!(
        field_errors(work::act(&state, &street, &prop, &summon(&["D-HD-market", "D-HD-hrss"], "")).await),
        [(FieldName::Units, Msg::ErrSummonNotListed)]
    );
    // Another district's listed kind: not even a department of this district.
    assert_eq!(
        field_errors(work::act(&state, &street, &prop, &summon(&["D-HX-housing"], "")).await),
        [(FieldName::Units, Msg::ErrSummonUnits)]
    );
    assert!(appeals::cohandlers(&state.db.pool, &prop).await.unwrap().is_empty());
    work::act(&state, &street, &prop, &summon(&["D-HD-market"], "")).await.unwrap();
    assert_eq!(cohandler(&state, &prop, "D-HD-market").await.summoned_by.as_deref(), Some("U-HD01"));

    // Suggestions: nothing listed, so any department of the district, and the page says so.
    let idea = street_appeal(&state, "suggestion").await;
    let page = work::appeal_page(&state, &street, &idea).await.unwrap();
    assert!(page.summon_any);
    assert_eq!(page.summon_targets.len(), 5, "all five HD departments");
    work::act(&state, &street, &idea, &summon(&["D-HD-housing", "D-HD-ecology"], "")).await.unwrap();

    // The admin narrows suggestions to ecology and opens property management to any department.
    summons::save_rules(&state, &admin.who(), "suggestion", &["ecology".into()]).await.unwrap();
    summons::save_rules(&state, &admin.who(), "property_mgmt", &[]).await.unwrap();
    let idea2 = street_appeal(&state, "suggestion").await;
    assert_eq!(
        field_errors(work::act(&state, &street, &idea2, &summon(&["D-HD-housing"], "")).await),
        [(FieldName::Units, Msg::ErrSummonNotListed)]
    );
    let page = work::appeal_page(&state, &street, &idea2).await.unwrap();
    assert_eq!(page.summon_targets.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), ["D-HD-ecology"]);
    work::act(&state, &street, &prop, &summon(&["D-HD-hrss"], "")).await.unwrap();
}
both_engines!(the_list_decides_whom_a_centre_may_summon);

async fn only_admins_edit_the_list_and_each_edit_is_audited(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let city = common::staff(&state, "city", "U-SF", "dispatcher").await;
    for who in [&city] {
        assert!(matches!(summons::rules(&state, &who.who()).await, Err(BackendError::Forbidden)));
        assert!(matches!(
            summons::save_rules(&state, &who.who(), "pollution", &["hrss".into()]).await,
            Err(BackendError::Forbidden)
        ));
    }
    let rules = summons::rules(&state, &admin.who()).await.unwrap();
    assert_eq!(rules["pollution"], ["ecology"]);
    assert!(!rules.contains_key("suggestion"));
    // Unknown kind and unknown category: per-field errors, nothing changed.
    assert!(matches!(
        summons::save_rules(&state, &admin.who(), "pollution", &["police".into()]).await,
        Err(BackendError::Invalid(e)) if e[0].field == FieldName::Units && e[0].msg == Msg::ErrSummonKindUnknown
    ));
    assert!(matches!(
        summons::save_rules(&state, &admin.who(), "nope", &["hrss".into()]).await,
        Err(BackendError::Invalid(e)) if e[0].field == FieldName::Category && e[0].msg == Msg::ErrCategoryUnknown
    ));
    summons::save_rules(&state, &admin.who(), "pollution", &["market".into(), " ecology ".into(), "market".into()])
        .await
        .unwrap();
    assert_eq!(summons::rules(&state, &admin.who()).await.unwrap()["pollution"], ["ecology", "market"]);
    let entries = audit_store::recent(&state.db.pool, None, Some("summon_rules_set"), None, 10).await.unwrap();
    assert_eq!(entries.len(), 1, "refused edits are not audited");
    let d: serde_json::Value = serde_json::from_str(&entries[0].detail).unwrap();
    assert_eq!(d, serde_json::json!({ "category": "pollution", "kinds": [["ecology"], ["ecology", "market"]] }));
    assert_eq!(entries[0].actor, admin.id);
}
both_engines!(only_admins_edit_the_list_and_each_edit_is_audited);

async fn the_report_is_due_in_working_days(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    // The clock: Monday 2026-11-23 09:00 China time. Default 3 working days → Thursday's end.
    let t = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t, &summon(&["D-HD-hrss"], "")).await.unwrap();
    let due = datetime!(2026-11-26 23:59:59 +8).unix_timestamp();
    assert_eq!(cohandler(&state, &t, "D-HD-hrss").await.due_at, Some(due));
    // Five days over a weekend: Mon 30.
    work::act(&state, &street, &t, &summon(&["D-HD-market"], "5")).await.unwrap();
    assert_eq!(
        cohandler(&state, &t, "D-HD-market").await.due_at,
        Some(datetime!(2026-11-30 23:59:59 +8).unix_timestamp())
    );
    // A holiday on Wednesday 25 moves two days from Wednesday to Thursday.
    backend::services::supervision::set_holiday(&state, &admin.who(), "2026-11-25", "holiday", "测试假日")
        .await
        .unwrap();
    work::act(&state, &street, &t, &summon(&["D-HD-ecology"], "2")).await.unwrap();
    assert_eq!(cohandler(&state, &t, "D-HD-ecology").await.due_at, Some(due));
    // Out of range, or not a number: the days field says so.
    for bad in ["0", "16", "three"] {
        assert_eq!(
            field_errors(work::act(&state, &street, &t, &summon(&["D-HD-justice"], bad)).await),
            [(FieldName::Days, Msg::ErrSummonDays)],
            "{bad}"
        );
    }
    // The page shows the date, not yet overdue.
    let page = work::appeal_page(&state, &street, &t).await.unwrap();
    let hrss = page.cohandlers.iter().find(|c| c.unit == "D-HD-hrss").unwrap();
    assert_eq!((hrss.due_at, hrss.overdue), (Some(due), false));
}
both_engines!(the_report_is_due_in_working_days);

async fn warned_then_supervised_exactly_once(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss: Staff = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let t = street_appeal(&state, "suggestion").await;
    // A leader in charge hears the 督办 too, told which department it is about.
    let chief = common::staff(&state, "chief", "U-HD", "dispatcher").await;
    work::act(&state, &chief, &t, &Act::NameOwner { staff_id: chief.id.clone() }).await.unwrap();
    let summoned = clock_ts(&state);
    work::act(&state, &street, &t, &summon(&["D-HD-hrss"], "3")).await.unwrap();
    let due = cohandler(&state, &t, "D-HD-hrss").await.due_at.unwrap();
    let warn = domain::sla::warning_at(ts(summoned), ts(due)).unix_timestamp();
    // A second before the warning point: nothing.
    clock.set(ts(warn - 1));
    assert_eq!(summons::run(&state, 100).await.unwrap(), summons::RunReport::default());
    // At it: one warning, however many runs and "nodes" (two runs at once) get there.
    clock.set(ts(warn));
    let (a, b) = tokio::join!(summons::run(&state, 100), summons::run(&state, 100));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.warnings + b.warnings, a.supervisions + b.supervisions), (1, 0));
    assert_eq!(summons::run(&state, 100).await.unwrap(), summons::RunReport::default());
    assert_eq!(outbox_to(&state, &t, "D-HD-hrss").await, ["summoned", "summons_warning"]);
    // Exactly at the deadline it is not yet overdue; a second later 督办, once.
    clock.set(ts(due));
    assert_eq!(summons::run(&state, 100).await.unwrap(), summons::RunReport::default());
    clock.set(ts(due + 1));
    let (a, b) = tokio::join!(summons::run(&state, 100), summons::run(&state, 100));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.warnings + b.warnings, a.supervisions + b.supervisions), (0, 1));
    // The job as the server runs it finds nothing left for this summons.
    clock.advance(Duration::hours(1));
    let r = backend::services::supervision::run(&state, 100).await.unwrap();
    assert_eq!((r.summons_warnings, r.summons_supervisions), (0, 0));
    assert_eq!(outbox_to(&state, &t, "D-HD-hrss").await, ["summoned", "summons_warning", "summons_supervision"]);
    let to_leader: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM outbox WHERE ticket = $1 AND audience = 'staff' AND kind = 'summons_supervision'",
    )
    .bind(&t)
    .fetch_all(&state.db.pool)
    .await
    .unwrap();
    assert_eq!(to_leader.len(), 1, "{to_leader:?}");
    let leader: serde_json::Value = serde_json::from_str(&to_leader[0].0).unwrap();
    assert_eq!((leader["staff"].as_str(), leader["unit"].as_str()), (Some(chief.id.as_str()), Some("D-HD-hrss")));
    let sup = events(&state, &t, "summons_overdue").await;
    assert_eq!(sup.len(), 1);
    assert_eq!(sup[0].public, 0, "督办 of a department is between staff");
    assert_eq!(sup[0].unit.as_deref(), Some("D-HD-hrss"));
    let fired: Vec<String> =
        backend::store::summons::fired(&state.db.pool, &t).await.unwrap().into_iter().map(|f| f.2).collect();
    assert_eq!(fired, ["warning", "supervision"]);
    assert_eq!(
        audit_store::recent(&state.db.pool, Some(&t), Some("summons_supervise"), None, 10).await.unwrap().len(),
        1
    );
    // Overdue on the page (the department's own, and the centre's).
    for who in [&street, &hrss] {
        let page = work::appeal_page(&state, who, &t).await.unwrap();
        assert!(page.cohandlers[0].overdue);
    }
    // A late report ends it: no longer overdue.
    work::act(&state, &hrss, &t, &Act::ReportBack { body: "已到现场".into() }).await.unwrap();
    assert!(!work::appeal_page(&state, &street, &t).await.unwrap().cohandlers[0].overdue);
    // The dashboard's figure: one summons, reported late, rated satisfied, of one rated — in the
    // scope of the street and the district above it, not of the street next door.
    work::act(&state, &street, &t, &rate("D-HD-hrss", "satisfied", "")).await.unwrap();
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let other = common::staff(&state, "other", "U-HD02", "dispatcher").await;
    let month = domain::stats::Period::Month { year: 2026, month: 11 };
    for (who, want) in [(&street, [1, 1, 1, 1]), (&district, [1, 1, 1, 1]), (&other, [0, 0, 0, 0])] {
        let d = backend::services::dashboard::dashboard(&state, who, month).await.unwrap();
        assert_eq!(d.summons, want, "{}", who.username);
    }
}
both_engines!(warned_then_supervised_exactly_once);

async fn nothing_is_watched_after_the_report(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let t = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t, &summon(&["D-HD-hrss", "D-HD-market"], "1")).await.unwrap();
    work::act(&state, &hrss, &t, &Act::ReportBack { body: "已核实".into() }).await.unwrap();
    clock.advance(Duration::days(10));
    // Only the department still owing its report is warned and supervised.
    let r = summons::run(&state, 100).await.unwrap();
    assert_eq!((r.warnings, r.supervisions), (1, 1));
    assert_eq!(outbox_to(&state, &t, "D-HD-hrss").await, ["summoned"]);
    assert_eq!(outbox_to(&state, &t, "D-HD-market").await, ["summoned", "summons_warning", "summons_supervision"]);
    // Summoned again: a new series with a new deadline.
    work::act(&state, &street, &t, &summon(&["D-HD-market"], "1")).await.unwrap();
    assert_eq!(summons::run(&state, 100).await.unwrap(), summons::RunReport::default());
}
both_engines!(nothing_is_watched_after_the_report);

async fn the_summoning_unit_rates_the_report_once(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let market = common::staff(&state, "market", "D-HD-market", "unit_handler").await;
    let t = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t, &summon(&["D-HD-hrss", "D-HD-market"], "")).await.unwrap();
    // Before the report: nothing to rate.
    assert!(matches!(
        work::act(&state, &street, &t, &rate("D-HD-hrss", "satisfied", "")).await,
        Err(BackendError::Conflict(Msg::ErrRateNotNow))
    ));
    work::act(&state, &hrss, &t, &Act::ReportBack { body: "已约谈用人单位".into() }).await.unwrap();
    let page = work::appeal_page(&state, &street, &t).await.unwrap();
    let may: Vec<(&str, bool)> = page.cohandlers.iter().map(|c| (c.unit.as_str(), c.may_rate)).collect();
    assert_eq!(may, [("D-HD-hrss", true), ("D-HD-market", false)]);
    // Not the department itself, another department, the centre above, nor the community.
    for who in [&hrss, &market, &district, &community] {
        let r = work::act(&state, who, &t, &rate("D-HD-hrss", "unsatisfied", "")).await;
        assert!(matches!(r, Err(BackendError::Forbidden | BackendError::NotFound)), "{}: {r:?}", who.username);
        let page = work::appeal_page(&state, who, &t).await;
        assert!(page.map_or(true, |p| p.cohandlers.iter().all(|c| !c.may_rate)));
    }
    // A rating is required; the note has a limit.
    assert_eq!(
        field_errors(work::act(&state, &street, &t, &rate("D-HD-hrss", "great", &"很".repeat(501))).await),
        [(FieldName::Rating, Msg::ErrRatingMissing), (FieldName::Body, Msg::ErrRatingNoteLong)]
    );
    work::act(&state, &street, &t, &rate("D-HD-hrss", "basically", "反馈及时，措施还不具体")).await.unwrap();
    let c = cohandler(&state, &t, "D-HD-hrss").await;
    assert_eq!((c.rating.as_deref(), c.rating_note.as_deref()), (Some("basically"), Some("反馈及时，措施还不具体")));
    // Once per summons.
    assert!(matches!(
        work::act(&state, &street, &t, &rate("D-HD-hrss", "satisfied", "")).await,
        Err(BackendError::Conflict(Msg::ErrRateNotNow))
    ));
    assert_eq!(outbox_to(&state, &t, "D-HD-hrss").await, ["summoned", "report_rated"]);
    let ev = events(&state, &t, "report_rated").await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].public, 0);
    let audit = audit_store::recent(&state.db.pool, Some(&t), Some("rate_report"), None, 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].reason.as_deref(), Some("反馈及时，措施还不具体"));
    assert!(audit[0].detail.contains("\"rating\":\"basically\""));
    let page = work::appeal_page(&state, &street, &t).await.unwrap();
    assert!(page.actions.contains(&Action::RateReport));
    assert!(page.cohandlers.iter().all(|c| !c.may_rate));
}
both_engines!(the_summoning_unit_rates_the_report_once);

fn ts(t: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t).unwrap()
}

fn clock_ts(state: &AppState) -> i64 {
    state.clock.ts()
}

async fn a_summons_without_a_recorded_summoner_is_not_rated(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let t = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t, &summon(&["D-HD-hrss"], "")).await.unwrap();
    work::act(&state, &hrss, &t, &Act::ReportBack { body: "已约谈用人单位".into() }).await.unwrap();
    // As a summons made before migration 0015 whose event is lost (no summoner on record). The street centre handles
    // the appeal now, but it cannot stand in: after a transfer it would be a centre that never
    // summoned anyone.
    sqlx::query("UPDATE appeal_cohandlers SET summoned_by = NULL WHERE ticket = $1")
        .bind(&t)
        .execute(&state.db.pool)
        .await
        .unwrap();
    let page = work::appeal_page(&state, &street, &t).await.unwrap();
    assert!(page.cohandlers.iter().all(|c| !c.may_rate), "no rating form");
    let r = work::act(&state, &street, &t, &rate("D-HD-hrss", "satisfied", "")).await;
    assert!(matches!(r, Err(BackendError::Conflict(Msg::ErrRateSummonerUnknown))), "{r:?}");
    let c = cohandler(&state, &t, "D-HD-hrss").await;
    assert_eq!(c.rating, None);
    assert!(audit_store::recent(&state.db.pool, Some(&t), Some("rate_report"), None, 10).await.unwrap().is_empty());
    // A recorded summoner still rates (the refusal is about the missing record only).
    sqlx::query("UPDATE appeal_cohandlers SET summoned_by = 'U-HD01' WHERE ticket = $1")
        .bind(&t)
        .execute(&state.db.pool)
        .await
        .unwrap();
    work::act(&state, &street, &t, &rate("D-HD-hrss", "satisfied", "")).await.unwrap();
}
both_engines!(a_summons_without_a_recorded_summoner_is_not_rated);

/// A summoned department's inbox marks the appeals it owes a report on, and lists them alone
/// with the "owes" filter; the report clears the mark, and the summoning centre owes nothing.
async fn the_summoned_inbox_shows_what_it_owes(engine: Engine) {
    use domain::staff::InboxFilter;
    let Some(state) = common::demo_state(engine, backend::config::Limits::default()).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let owed = street_appeal(&state, "suggestion").await;
    let reported = street_appeal(&state, "suggestion").await;
    for t in [&owed, &reported] {
        work::act(&state, &street, t, &summon(&["D-HD-hrss"], "3")).await.unwrap();
    }
    work::act(&state, &hrss, &reported, &Act::ReportBack { body: "已核实，已联系企业".into() }).await.unwrap();
    let marks = |inbox: domain::staff::Inbox| -> Vec<(String, bool)> {
        let mut v: Vec<_> = inbox.items.into_iter().map(|i| (i.ticket, i.owes_report)).collect();
        v.sort();
        v
    };
    let all = InboxFilter::default();
    let mut want = vec![(owed.clone(), true), (reported.clone(), false)];
    want.sort();
    assert_eq!(marks(work::inbox(&state, &hrss, &all).await.unwrap()), want);
    let owes = InboxFilter { due: "owes".into(), ..InboxFilter::default() };
    assert_eq!(marks(work::inbox(&state, &hrss, &owes).await.unwrap()), [(owed.clone(), true)]);
    // The centre that summoned holds both and owes no report itself.
    assert!(marks(work::inbox(&state, &street, &all).await.unwrap()).iter().all(|(_, o)| !o));
    assert!(work::inbox(&state, &street, &owes).await.unwrap().items.is_empty());
    // Closed: nothing is owed any more.
    common::force(&state, &owed, "U-HD01", "closed").await;
    assert!(work::inbox(&state, &hrss, &owes).await.unwrap().items.is_empty());
}
both_engines!(the_summoned_inbox_shows_what_it_owes);

/// (ticket, department, rating, late) of a history page.
fn lines(h: &domain::summons::History) -> Vec<(String, String, Option<String>, bool)> {
    h.items.iter().map(|i| (i.ticket.clone(), i.unit.clone(), i.rating.clone(), i.late)).collect()
}

async fn listed(state: &AppState, who: &Staff, query: &[(&str, &str)]) -> domain::summons::History {
    let m: std::collections::HashMap<String, String> =
        query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    summons::history(state, who, &HistoryFilter::from_query(|k| m.get(k).cloned())).await.unwrap()
}

/// The summons history (`/staff/summons`): the summonses made by a unit of the member's scope or
/// addressed to their department, nobody else's; waiting / late / reported; the period; newest
/// first, 50 a page.
async fn the_history_lists_the_scopes_summonses_only(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    // Monday 2026-11-23: two departments called in (due Thursday), hrss reports and is rated.
    let t1 = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t1, &summon(&["D-HD-hrss", "D-HD-market"], "")).await.unwrap();
    work::act(&state, &hrss, &t1, &Act::ReportBack { body: "已约谈用人单位".into() }).await.unwrap();
    work::act(&state, &street, &t1, &rate("D-HD-hrss", "satisfied", "")).await.unwrap();
    // Friday 27: the market department is late; hrss is called in again on another appeal.
    clock.advance(Duration::days(4));
    let t2 = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t2, &summon(&["D-HD-hrss"], "5")).await.unwrap();

    let (h1, m1, h2) = (
        (t1.clone(), "D-HD-hrss".to_owned(), Some("satisfied".to_owned()), false),
        (t1.clone(), "D-HD-market".to_owned(), None, true),
        (t2.clone(), "D-HD-hrss".to_owned(), None, false),
    );
    let all = listed(&state, &street, &[]).await;
    assert_eq!(lines(&all), [h2.clone(), h1.clone(), m1.clone()], "newest first");
    assert_eq!((all.total, all.page, all.pages), (3, 1, 1));
    let i = &all.items[1];
    assert_eq!((i.category.as_str(), i.unit_name.is_empty()), ("suggestion", false));
    assert!(i.reported_at.is_some() && i.due_at > i.summoned_at);
    assert_eq!(lines(&listed(&state, &street, &[("show", "waiting")]).await), vec![h2.clone()]);
    assert_eq!(lines(&listed(&state, &street, &[("show", "late")]).await), vec![m1.clone()]);
    assert_eq!(lines(&listed(&state, &street, &[("show", "reported")]).await), vec![h1.clone()]);
    assert_eq!(lines(&listed(&state, &street, &[("from", "2026-11-24")]).await), vec![h2.clone()]);
    assert_eq!(lines(&listed(&state, &street, &[("to", "2026-11-23")]).await), [h1.clone(), m1.clone()]);
    let bad = listed(&state, &street, &[("from", "2026-13-01")]).await;
    assert!(bad.items.is_empty() && bad.problems[0].field == FieldName::From);

    // Who sees them: the centres above by region, admins, and
    // each department its own; not the community below, not another district or its department.
    for (user, unit, role, n) in [
        ("district", "U-HD", "dispatcher", 3),
        ("city", "U-SF", "dispatcher", 3),
        ("admin", "U-SF", "admin", 3),
        ("market", "D-HD-market", "unit_handler", 1),
        ("community", "U-HD0101", "unit_handler", 0),
        ("hxcentre", "U-HX", "dispatcher", 0),
        ("hxstreet", "U-HX01", "dispatcher", 0),
        ("hxhrss", "D-HX-hrss", "unit_handler", 0),
    ] {
        let s = common::staff(&state, user, unit, role).await;
        let h = listed(&state, &s, &[]).await;
        assert_eq!((h.total, h.items.len()), (n, usize::try_from(n).unwrap()), "{user}");
    }
    assert_eq!(lines(&listed(&state, &hrss, &[]).await), [h2.clone(), h1.clone()], "its own department's only");

    // 50 a page: 48 more older summonses make 51.
    for n in 0..48_i64 {
        sqlx::query(
            "INSERT INTO appeal_cohandlers (ticket, unit, summoned_at, due_at, summoned_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t1)
        .bind(format!("D-OLD-{n:02}"))
        .bind(1_700_000_000_i64 + n)
        .bind(1_700_900_000_i64)
        .bind("U-HD01")
        .execute(&state.db.pool)
        .await
        .unwrap();
    }
    let p1 = listed(&state, &street, &[]).await;
    assert_eq!((p1.total, p1.pages, p1.items.len()), (51, 2, 50));
    let p2 = listed(&state, &street, &[("page", "2")]).await;
    assert_eq!(p2.items.iter().map(|i| i.unit.as_str()).collect::<Vec<_>>(), ["D-OLD-00"], "the oldest last");
    assert!(p2.items[0].late);
    assert_eq!(listed(&state, &street, &[("page", "9")]).await.page, 2, "past the end: the last page");
    assert_eq!(listed(&state, &street, &[("page", "9223372036854775807")]).await.page, 2, "no overflow");
    assert_eq!(listed(&state, &common::staff(&state, "hx2", "U-HX", "dispatcher").await, &[]).await.total, 0);
}
both_engines!(the_history_lists_the_scopes_summonses_only);

/// A summons made before migration 0015 has neither report-back deadline nor summoner in its row.
/// The job gives each one still owing its report the default deadline counted from when it first
/// sees it (nothing is invented for the past), takes the summoner from the `summoned` event, says
/// so on the staff timeline, to the department and in the audit log, once whatever the runs at
/// once; from then on it is warned, supervised and rated like any other. One already reported
/// owes nothing and is left as it is.
async fn a_summons_from_before_deadlines_is_watched_from_then_on(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let market = common::staff(&state, "market", "D-HD-market", "unit_handler").await;
    let t = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t, &summon(&["D-HD-hrss", "D-HD-market"], "")).await.unwrap();
    work::act(&state, &hrss, &t, &Act::ReportBack { body: "已核实".into() }).await.unwrap();
    // A second appeal whose summons left no event either (written straight into the table).
    let bare = street_appeal(&state, "suggestion").await;
    sqlx::query("INSERT INTO appeal_cohandlers (ticket, unit, summoned_at) VALUES ($1, 'D-HD-ecology', $2)")
        .bind(&bare)
        .bind(clock_ts(&state))
        .execute(&state.db.pool)
        .await
        .unwrap();
    // A third, closed since: nothing is chased for it.
    let done = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &done, &summon(&["D-HD-hrss"], "")).await.unwrap();
    common::force(&state, &done, "U-HD01", "closed").await;
    sqlx::query("UPDATE appeal_cohandlers SET due_at = NULL, summoned_by = NULL")
        .execute(&state.db.pool)
        .await
        .unwrap();
    clock.advance(Duration::days(30));
    let now = clock_ts(&state);
    let (a, b) = tokio::join!(summons::run(&state, 100), summons::run(&state, 100));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.adopted + b.adopted, 2, "the two owing a report, once each");
    // Already three quarters of its time behind it (30 days of 30 + 3 working days): warned at once.
    assert_eq!((a.warnings + b.warnings, a.supervisions + b.supervisions), (2, 0));
    let cal = backend::services::deadlines::calendar_cached(&state).await.unwrap();
    let due = domain::summons::due_at(&cal, ts(now), domain::summons::DEFAULT_DAYS).unix_timestamp();
    assert!(due > now + 2 * 86_400, "counted from now, not from the summons");
    let owing = cohandler(&state, &t, "D-HD-market").await;
    assert_eq!((owing.due_at, owing.summoned_by.as_deref()), (Some(due), Some("U-HD01")));
    let reported = cohandler(&state, &t, "D-HD-hrss").await;
    assert_eq!((reported.due_at, reported.summoned_by), (None, None), "a report already in is not re-dated");
    let unknown = cohandler(&state, &bare, "D-HD-ecology").await;
    assert_eq!((unknown.due_at, unknown.summoned_by), (Some(due), None), "no event: the summoner stays unknown");
    assert_eq!(cohandler(&state, &done, "D-HD-hrss").await.due_at, None, "a closed appeal's summons is left alone");
    assert_eq!(outbox_to(&state, &done, "D-HD-hrss").await, ["summoned"]);
    let set = events(&state, &t, "summons_due_set").await;
    assert_eq!(set.len(), 1);
    assert_eq!((set[0].public, set[0].unit.as_deref(), set[0].actor.as_str()), (0, Some("D-HD-market"), "system"));
    let d: domain::events::EventDetail = serde_json::from_str(set[0].detail.as_deref().unwrap()).unwrap();
    assert_eq!(d.due, Some(due));
    assert_eq!(outbox_to(&state, &t, "D-HD-market").await, ["summoned", "summons_due_set", "summons_warning"]);
    assert_eq!(audit_store::recent(&state.db.pool, None, Some("summons_due_set"), None, 10).await.unwrap().len(), 2);
    assert_eq!(summons::run(&state, 100).await.unwrap(), summons::RunReport::default());
    // Past the new deadline: 督办, once; then the report, rated by the centre that summoned.
    clock.set(ts(due + 1));
    let r = summons::run(&state, 100).await.unwrap();
    assert_eq!((r.adopted, r.warnings, r.supervisions), (0, 0, 2));
    assert!(work::appeal_page(&state, &street, &t).await.unwrap().cohandlers.iter().any(|c| c.overdue));
    work::act(&state, &market, &t, &Act::ReportBack { body: "已到现场".into() }).await.unwrap();
    work::act(&state, &street, &t, &rate("D-HD-market", "basically", "")).await.unwrap();
    assert_eq!(cohandler(&state, &t, "D-HD-market").await.rating.as_deref(), Some("basically"));
}
both_engines!(a_summons_from_before_deadlines_is_watched_from_then_on);

/// Nothing is chased for a closed appeal: a department that never reported is neither warned nor
/// supervised while the appeal is closed, and is again once it reopens.
async fn a_closed_appeals_summons_is_not_chased(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let t = street_appeal(&state, "suggestion").await;
    work::act(&state, &street, &t, &summon(&["D-HD-hrss"], "1")).await.unwrap();
    common::force(&state, &t, "U-HD01", "closed").await;
    clock.advance(Duration::days(10));
    assert_eq!(summons::run(&state, 100).await.unwrap(), summons::RunReport::default());
    assert_eq!(outbox_to(&state, &t, "D-HD-hrss").await, ["summoned"]);
    common::force(&state, &t, "U-HD01", "in_progress").await;
    let r = summons::run(&state, 100).await.unwrap();
    assert_eq!((r.warnings, r.supervisions), (1, 1));
}
both_engines!(a_closed_appeals_summons_is_not_chased);
