//! Related and repeated appeals (issue 13): the wizard's offer and the resident's join, staff
//! merges and links with their rules and scope, the merged appeals following their main one
//! (closed with it, its answers on their track page, not supervised on their own), and a 不满意
//! on a merged appeal. Both engines.

use crate::common::{self, Engine};
use backend::services::appeal::{self, SubmitOutcome};
use backend::services::{resident, supervision, track, work};
use backend::BackendError;
use domain::draft::Step;
use domain::events::EventKind;
use domain::workflow::Status;
use domain::Msg;
use std::collections::HashMap;
use work::Act;

/// Grid cell HD010101 (neighbour disputes go to its station U-HD010101) and its neighbour
/// HD010102.
const CELL: [(&str, &str); 2] = [("lat", "35.485"), ("lng", "106.605")];
const NEXT_CELL: [(&str, &str); 2] = [("lat", "35.4836"), ("lng", "106.6165")];
const NAMED: [(&str, &str); 3] = [("identity", "named"), ("name", "王秀英"), ("phone", "13812341234")];
const ANON: [(&str, &str); 1] = [("identity", "anonymous")];

fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A draft filled up to the check step, not submitted.
async fn draft(state: &backend::AppState, category: &str, place: &[(&str, &str)]) -> common::DraftRef {
    let d = common::start(state, category).await;
    let steps = [(Step::What, common::what_form()), (Step::Where, form(place)), (Step::Who, form(&ANON))];
    for (step, f) in steps {
        appeal::save_step(state, &d.token, &d.secret, step, &f).await.unwrap();
    }
    d
}

async fn full(state: &backend::AppState, t: &str) -> backend::store::appeals::FullAppeal {
    backend::store::appeals::full(&state.db.pool, t).await.unwrap().unwrap()
}

async fn kinds(state: &backend::AppState, t: &str) -> Vec<(EventKind, bool)> {
    backend::store::appeals::all_events(&state.db.pool, t)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.public != 0))
        .collect()
}

fn invalid_msg(r: Result<(), BackendError>) -> Msg {
    match r {
        Err(BackendError::Invalid(errs)) => errs[0].msg,
        Err(BackendError::Conflict(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn offers_are_open_same_category_same_cell_and_public_only(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let hour = time::Duration::hours(1);
    let (a1, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &NAMED).await;
    clock.advance(hour);
    let (a2, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    clock.advance(hour);
    // Not offered: another category in the cell, the category in the next cell, one chosen by
    // region (no point), one closed, one merged away.
    let (other_cat, _) = common::appeal_at(&state, "sanitation", &CELL, &ANON).await;
    let (next_cell, _) = common::appeal_at(&state, "neighbor_dispute", &NEXT_CELL, &ANON).await;
    assert_ne!(full(&state, &next_cell).await.cell, full(&state, &a1).await.cell, "the premise: another cell");
    let by_region = [("district", "HD"), ("street", "HD01"), ("community", "HD0101")];
    let (placed_by_region, _) = common::appeal_at(&state, "neighbor_dispute", &by_region, &ANON).await;
    let (closed, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    common::force(&state, &closed, "U-HD010101", "closed").await;
    clock.advance(hour);
    let (dup, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    work::act(&state, &grid, &dup, &Act::Merge { into: a1.clone(), reason: "同一纠纷".into() }).await.unwrap();

    let d = draft(&state, "neighbor_dispute", &CELL).await;
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    let tickets: Vec<&str> = v.related.iter().map(|o| o.ticket.as_str()).collect();
    assert_eq!(tickets, vec![a2.as_str(), a1.as_str()], "newest first; not {other_cat} nor {next_cell}");
    let o = &v.related[1];
    assert_eq!(o.joined, 1, "the merged duplicate counts as one who joined");
    assert_eq!(o.status, Status::Assigned);
    assert_eq!(o.category_name.1, "Neighbour dispute");
    assert!(o.place.iter().any(|(_, en)| !en.is_empty()) && o.place.len() >= 2, "community and cell: {:?}", o.place);
    assert_eq!(o.received_on.len(), 10, "a date only: {}", o.received_on);
    assert_eq!(o.public_text, None, "nothing was published");
    // Nothing private: not the description, name, phone or point.
    let json = serde_json::to_string(&v.related).unwrap();
    for private in ["楼道", "王秀英", "13812341234", "35.485", "106.605"] {
        assert!(!json.contains(private), "{private} leaked: {json}");
    }
    // Another category, or no point yet: nothing offered.
    let other = draft(&state, "sanitation", &by_region).await;
    assert!(appeal::draft_view(&state, &other.token, &other.secret).await.unwrap().related.is_empty());
    // Without a point (the cascade, e.g. JavaScript off): the appeals placed by the same
    // community, without a point.
    let no_point = draft(&state, "neighbor_dispute", &by_region).await;
    let v2 = appeal::draft_view(&state, &no_point.token, &no_point.secret).await.unwrap();
    assert_eq!(v2.related.iter().map(|o| o.ticket.as_str()).collect::<Vec<_>>(), vec![placed_by_region.as_str()]);
    // Only the draft's own browser sees it (the offer is part of the draft's page).
    assert!(matches!(appeal::draft_view(&state, &d.token, &other.secret).await, Err(BackendError::NotFound)));

    // At most five, newest first.
    for _ in 0..5 {
        clock.advance(hour);
        common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    }
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    assert_eq!(v.related.len(), 5);
    assert!(!v.related.iter().any(|o| o.ticket == a1 || o.ticket == a2));
}
both_engines!(offers_are_open_same_category_same_cell_and_public_only);

async fn joining_makes_an_own_appeal_that_follows_the_main_one(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let (main, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &NAMED).await;
    let (elsewhere, _) = common::appeal_at(&state, "neighbor_dispute", &NEXT_CELL, &ANON).await;
    // A ticket that is not offered to this draft (another cell) sends it back to the check step.
    let d = draft(&state, "neighbor_dispute", &CELL).await;
    let out = appeal::submit_joining(&state, &d.token, &d.secret, Some(&elsewhere), state.clock.now()).await.unwrap();
    assert_eq!(out, SubmitOutcome::Incomplete(Step::Check));
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    assert_eq!(v.draft.errors[0].msg, Msg::ErrJoinGone);
    assert!(v.submitted_ticket.is_none(), "nothing was sent");

    let SubmitOutcome::Accepted { ticket } =
        appeal::submit_joining(&state, &d.token, &d.secret, Some(&main), state.clock.now()).await.unwrap()
    else {
        panic!("not accepted")
    };
    assert_ne!(ticket, main, "an appeal of its own");
    let (t, key) = common::receipt(&state, &d).await;
    assert_eq!(domain::receipt::Ticket::parse(&t).unwrap().as_str(), ticket, "the receipt is the new appeal's");
    assert_eq!(full(&state, &ticket).await.merged_into.as_deref(), Some(main.as_str()));
    assert!(kinds(&state, &ticket).await.contains(&(EventKind::Joined, true)), "the resident's choice, shown to them");
    assert!(kinds(&state, &main).await.contains(&(EventKind::MergedIn, false)), "between staff on the main one");
    // A second submission of the same draft is the same receipt, not a second join.
    assert_eq!(
        appeal::submit_joining(&state, &d.token, &d.secret, Some(&main), state.clock.now()).await.unwrap(),
        SubmitOutcome::Accepted { ticket: ticket.clone() }
    );
    let joined = kinds(&state, &main).await.iter().filter(|k| k.0 == EventKind::MergedIn).count();
    assert_eq!(joined, 1);
    // The resident tracks their own appeal with their own key, and sees they follow another.
    let view = track::track(&state, "client", &ticket, &key).await.unwrap();
    let followed = view.followed.expect("follows the main appeal");
    assert!(followed.joined);
    assert_eq!(followed.status, Status::Assigned);
    // A joined appeal is no longer offered itself; the main one is, now with one resident joined.
    let d2 = draft(&state, "neighbor_dispute", &CELL).await;
    let offers = appeal::draft_view(&state, &d2.token, &d2.secret).await.unwrap().related;
    assert_eq!(offers.iter().map(|o| (o.ticket.as_str(), o.joined)).collect::<Vec<_>>(), vec![(main.as_str(), 1)]);

    // Anyone may join an open appeal, so a joiner sees what was done and when, never what staff
    // wrote to the resident who reported first: not the reply, not the resolution.
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    work::act(&state, &grid, &main, &Act::Sign).await.unwrap();
    work::act(&state, &grid, &main, &Act::Reply { body: "李女士，明天上午到您家调解".into() }).await.unwrap();
    work::act(&state, &grid, &main, &Act::Close { resolution: "与李女士的邻居签订调解协议".into() }).await.unwrap();
    let view = track::track(&state, "client", &ticket, &key).await.unwrap();
    assert_eq!(view.status, Status::Closed, "closed with the main one");
    assert!(view.can_rate);
    assert!(!format!("{view:?}").contains("李女士"), "nothing of the other resident's answers");
    let followed = view.followed.clone().expect("still follows it");
    let kinds_seen: Vec<EventKind> = followed.events.iter().map(|e| e.kind).collect();
    assert!(kinds_seen.contains(&EventKind::Reply) && kinds_seen.contains(&EventKind::Closed), "{kinds_seen:?}");
    assert!(followed.events.iter().all(|e| e.body.is_none()), "{:?}", followed.events);
    let own = view.events.iter().find(|e| e.kind == EventKind::ClosedWithMain).expect("closed with the main one");
    assert_eq!(own.body, None);
    assert_eq!(full(&state, &ticket).await.resolution, None, "no resolution kept for the joiner either");
    // Nor one stored on the joiner's closing event before this rule.
    sqlx::query("UPDATE appeal_events SET body = $1 WHERE ticket = $2 AND kind = 'closed_with_main'")
        .bind("与李女士的邻居签订调解协议")
        .bind(&ticket)
        .execute(&state.db.pool)
        .await
        .unwrap();
    let again = track::track(&state, "client", &ticket, &key).await.unwrap();
    assert!(!format!("{again:?}").contains("李女士"), "{:?}", again.events);
    // Not satisfied: taken out of the main appeal, to be answered on its own.
    resident::rate(&state, "client", &ticket, &key, "unsatisfied", "").await.unwrap();
    assert_eq!(full(&state, &ticket).await.merged_into, None);
}
both_engines!(joining_makes_an_own_appeal_that_follows_the_main_one);

async fn merges_need_both_in_scope_and_never_chain(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let other = common::staff(&state, "other", "U-HX01", "dispatcher").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let (a, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    let (b, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    let (c, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    let (d, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    let (far, _) = common::appeal_at(&state, "suggestion", &[("district", "HX"), ("street", "HX01")], &ANON).await;
    let (closed, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    common::force(&state, &closed, "U-HD010101", "closed").await;
    let merge = |s: &backend::auth::Staff, from: &str, into: &str| {
        let (state, s, from, into) = (state.clone(), s.clone(), from.to_owned(), into.to_owned());
        async move { work::act(&state, &s, &from, &Act::Merge { into, reason: "同一件事".into() }).await }
    };
    // Not into itself, not into a closed one, not into one outside the scope, not without reason.
    assert_eq!(invalid_msg(merge(&grid, &a, &a).await), Msg::ErrMergeSelf);
    assert_eq!(invalid_msg(merge(&grid, &a, &closed).await), Msg::ErrMergeTargetClosed);
    assert_eq!(invalid_msg(merge(&grid, &a, &far).await), Msg::ErrMergeTargetUnknown);
    assert_eq!(invalid_msg(merge(&grid, &a, "PA-0000-0000").await), Msg::ErrMergeTargetUnknown);
    let no_reason = work::act(&state, &grid, &a, &Act::Merge { into: b.clone(), reason: " ".into() }).await;
    assert_eq!(invalid_msg(no_reason), Msg::ErrReasonEmpty);
    // Who: the other district's dispatcher does not see it; the community above may view and
    // link but not merge; an admin acts on nothing.
    assert!(matches!(merge(&other, &a, &b).await, Err(BackendError::NotFound)));
    assert!(matches!(merge(&community, &a, &b).await, Err(BackendError::Forbidden)));
    assert!(matches!(merge(&admin, &a, &b).await, Err(BackendError::Forbidden)));
    // The other district's dispatcher cannot pull ours into theirs either.
    assert_eq!(invalid_msg(merge(&other, &far, &a).await), Msg::ErrMergeTargetUnknown);
    assert_eq!(full(&state, &a).await.merged_into, None, "nothing was merged by the refusals");

    // b into a; then c into b lands on a (no chain).
    merge(&grid, &b, &a).await.unwrap();
    merge(&grid, &c, &b).await.unwrap();
    assert_eq!(full(&state, &c).await.merged_into.as_deref(), Some(a.as_str()));
    // Merged once is merged: b again is refused, and a into b (its own follower) is a into a.
    assert_eq!(invalid_msg(merge(&grid, &b, &d).await), Msg::ErrAlreadyMerged);
    assert_eq!(invalid_msg(merge(&grid, &a, &b).await), Msg::ErrMergeSelf);
    // a, with followers b and c, merged into d: they move along, all follow d.
    merge(&grid, &a, &d).await.unwrap();
    for t in [&a, &b, &c] {
        assert_eq!(full(&state, t).await.merged_into.as_deref(), Some(d.as_str()), "{t}");
    }
    let page = work::appeal_page(&state, &grid, &d).await.unwrap();
    // Oldest first; these came in the same second, so by ticket.
    let followers: Vec<&str> = page.followers.iter().map(|f| f.ticket.as_str()).collect();
    let mut expected = vec![a.as_str(), b.as_str(), c.as_str()];
    expected.sort_unstable();
    assert_eq!(followers, expected);
    assert!(page.followers.iter().all(|f| f.in_scope && !f.by_resident));
    assert!(page.actions.contains(&domain::workflow::Action::Merge));
    let page_a = work::appeal_page(&state, &grid, &a).await.unwrap();
    assert_eq!(page_a.merged_into.as_ref().map(|m| m.ticket.as_str()), Some(d.as_str()));
    assert!(page_a.actions.contains(&domain::workflow::Action::Unmerge));
    assert!(!page_a.actions.contains(&domain::workflow::Action::Merge));
    // On both timelines, and audited with the reason.
    assert!(kinds(&state, &a).await.contains(&(EventKind::Merged, true)));
    assert!(kinds(&state, &d).await.iter().filter(|k| **k == (EventKind::MergedIn, false)).count() == 3);
    let audit = backend::store::audit::recent(&state.db.pool, None, None, None, 200).await.unwrap();
    let merges: Vec<_> = audit.iter().filter(|e| e.action == "merge").collect();
    assert_eq!(merges.len(), 3);
    assert!(merges.iter().all(|e| e.reason.as_deref() == Some("同一件事")));

    // The inbox marks a follower with its main appeal (the main one carries no mark).
    let inbox = work::inbox(&state, &grid, &domain::staff::InboxFilter::default()).await.unwrap();
    let line = |t: &str| inbox.items.iter().find(|i| i.ticket == t).map(|i| i.follows.clone());
    assert_eq!(line(&a), Some(Some(d.clone())));
    assert_eq!(line(&d), Some(None));
    // Filters: only the followers, or everything but them.
    let only = |due: &str| domain::staff::InboxFilter { due: due.into(), ..Default::default() };
    let merged = work::inbox(&state, &grid, &only("merged")).await.unwrap();
    assert!(merged.items.iter().any(|i| i.ticket == a), "a follows d");
    assert!(merged.items.iter().all(|i| i.follows.is_some()), "only followers");
    let unmerged = work::inbox(&state, &grid, &only("unmerged")).await.unwrap();
    assert!(unmerged.items.iter().any(|i| i.ticket == d), "d is a main appeal");
    assert!(unmerged.items.iter().all(|i| i.follows.is_none()), "no follower");
    assert_eq!(merged.total + unmerged.total, inbox.total, "the two split the inbox");
    // Unmerge: a is on its own again; d's other followers stay. Its own deadline ran out while it
    // followed d (an hour after the merge; unmerged two hours after it): it starts again from now,
    // so a is not overdue the moment it is on its own.
    let merged_at = state.clock.ts();
    sqlx::query("UPDATE appeals SET deadline_at = $1 WHERE ticket = $2")
        .bind(merged_at + 3_600)
        .bind(&a)
        .execute(&state.db.pool)
        .await
        .unwrap();
    clock.advance(time::Duration::hours(2));
    work::act(&state, &grid, &a, &Act::Unmerge).await.unwrap();
    assert!(full(&state, &a).await.deadline_at > state.clock.ts(), "a fresh deadline");
    assert_eq!(full(&state, &a).await.clock_start_at, state.clock.ts(), "its clock restarted");
    assert_eq!(full(&state, &b).await.merged_into.as_deref(), Some(d.as_str()));
    // A deadline already past when the appeal was merged is not reset by merging and unmerging.
    let late = full(&state, &b).await;
    sqlx::query("UPDATE appeals SET deadline_at = $1 WHERE ticket = $2")
        .bind(merged_at - 60)
        .bind(&b)
        .execute(&state.db.pool)
        .await
        .unwrap();
    work::act(&state, &grid, &b, &Act::Unmerge).await.unwrap();
    assert_eq!(full(&state, &b).await.deadline_at, merged_at - 60, "still late: {late:?}");
    assert_eq!(full(&state, &a).await.merged_into, None);
    assert!(kinds(&state, &a).await.contains(&(EventKind::Unmerged, true)));
    assert_eq!(invalid_msg(work::act(&state, &grid, &a, &Act::Unmerge).await), Msg::ErrNotMerged);
}
both_engines!(merges_need_both_in_scope_and_never_chain);

/// A merge sends the landing appeal's answers to the merged appeal's resident: the member must
/// be one who may merge there too (handles or oversees it), not one who only sees it; and the
/// private categories are never merged, into or from (a link, which informs staff only, is).
async fn merges_land_only_where_the_member_may_merge_and_never_on_private_matters(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let merge = |s: &backend::auth::Staff, from: &str, into: &str| {
        let (state, s, from, into) = (state.clone(), s.clone(), from.to_owned(), into.to_owned());
        async move { work::act(&state, &s, &from, &Act::Merge { into, reason: "同一件事".into() }).await }
    };
    // The community's own appeal, and a grid cell's below it, which the community sees (and may
    // link) but does not handle.
    let (own, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    common::force(&state, &own, "U-HD0101", "assigned").await;
    let (grids, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    assert_eq!(full(&state, &grids).await.unit, "U-HD010101", "the premise: the grid's");
    assert!(work::appeal_page(&state, &community, &grids).await.is_ok(), "the premise: the community sees it");
    assert_eq!(invalid_msg(merge(&community, &own, &grids).await), Msg::ErrMergeTargetUnknown);
    assert_eq!(full(&state, &own).await.merged_into, None);
    work::act(&state, &community, &own, &Act::Link { other: grids.clone() }).await.unwrap();

    // Private categories: neither merged away nor merged into, even by the unit handling both.
    let (family, _) = common::appeal_at(&state, "family_dispute", &CELL, &ANON).await;
    common::force(&state, &family, "U-HD010101", "assigned").await;
    let (noise, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    let page = work::appeal_page(&state, &grid, &family).await.unwrap();
    assert!(!page.actions.contains(&domain::workflow::Action::Merge), "no merge form on a private appeal");
    assert!(page.actions.contains(&domain::workflow::Action::Link));
    assert_eq!(invalid_msg(merge(&grid, &family, &noise).await), Msg::ErrMergeSensitive);
    assert_eq!(invalid_msg(merge(&grid, &noise, &family).await), Msg::ErrMergeSensitive);
    // Nor through a follower of a private one's main appeal: there is none to follow, so the
    // only way in is the main appeal itself, refused above.
    assert_eq!(full(&state, &family).await.merged_into, None);
    assert_eq!(full(&state, &noise).await.merged_into, None);
    work::act(&state, &grid, &noise, &Act::Link { other: family.clone() }).await.unwrap();
    // The rest still merges.
    merge(&grid, &noise, &grids).await.unwrap();
    assert_eq!(full(&state, &noise).await.merged_into.as_deref(), Some(grids.as_str()));
}
both_engines!(merges_land_only_where_the_member_may_merge_and_never_on_private_matters);

async fn links_are_both_ways_in_scope_and_once(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let (a, _) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    let (b, _) = common::appeal_at(&state, "sanitation", &CELL, &ANON).await;
    let (far, _) = common::appeal_at(&state, "suggestion", &[("district", "HX"), ("street", "HX01")], &ANON).await;
    let link = |s: &backend::auth::Staff, x: &str, y: &str| {
        let (state, s, x, y) = (state.clone(), s.clone(), x.to_owned(), y.to_owned());
        async move { work::act(&state, &s, &x, &Act::Link { other: y }).await }
    };
    assert_eq!(invalid_msg(link(&grid, &a, &a).await), Msg::ErrMergeSelf);
    assert_eq!(invalid_msg(link(&grid, &a, &far).await), Msg::ErrMergeTargetUnknown);
    // The community committee above reads both: it may link them (display form typed).
    let shown = domain::receipt::Ticket::parse(&b).unwrap().display().to_lowercase();
    link(&community, &a, &shown).await.unwrap();
    assert_eq!(invalid_msg(link(&community, &b, &a).await), Msg::ErrAlreadyLinked, "once per pair, either way");
    // The grid station does not see b (its community's): it cannot link from there.
    assert!(matches!(link(&grid, &b, &a).await, Err(BackendError::NotFound)));
    for (x, y) in [(&a, &b), (&b, &a)] {
        let page = work::appeal_page(&state, &community, x).await.unwrap();
        assert_eq!(page.links.iter().map(|l| l.ticket.as_str()).collect::<Vec<_>>(), vec![y.as_str()]);
        assert!(kinds(&state, x).await.contains(&(EventKind::Linked, false)), "between staff");
        // No status effect.
        assert_eq!(page.status, Status::Assigned);
        assert_eq!(page.merged_into, None);
    }
    let audit = backend::store::audit::recent(&state.db.pool, None, None, None, 200).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "link").count(), 1);
}
both_engines!(links_are_both_ways_in_scope_and_once);

async fn followers_close_with_the_main_one_and_are_not_supervised_alone(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let (main, md) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    let (f, fd) = common::appeal_at(&state, "neighbor_dispute", &CELL, &NAMED).await;
    let (g, gd) = common::appeal_at(&state, "neighbor_dispute", &CELL, &ANON).await;
    for t in [&f, &g] {
        work::act(&state, &grid, t, &Act::Merge { into: main.clone(), reason: "重复".into() }).await.unwrap();
    }
    // Long past every deadline: the main appeal is warned, supervised and escalated; the
    // followers are left alone.
    clock.advance(time::Duration::days(40));
    for _ in 0..3 {
        supervision::run(&state, 100).await.unwrap();
    }
    let notices = |t: String| {
        let state = state.clone();
        async move { backend::store::supervision::notices(&state.db.pool, &t).await.unwrap().len() }
    };
    assert!(notices(main.clone()).await > 0, "the premise: the main one was overdue");
    assert_eq!(notices(f.clone()).await, 0);
    assert_eq!(notices(g.clone()).await, 0);
    assert_eq!(full(&state, &f).await.unit, "U-HD010101", "not escalated on its own");

    // The main one is answered and closed wherever it went; the followers close with it.
    let m = full(&state, &main).await;
    let handler = if m.unit == "U-HD010101" {
        grid.clone()
    } else {
        let role = if m.unit.len() <= 6 { "dispatcher" } else { "unit_handler" };
        common::staff(&state, "handler", &m.unit, role).await
    };
    if m.status == Status::Assigned {
        work::act(&state, &handler, &main, &Act::Sign).await.unwrap();
    }
    // The main appeal's resident adds words of their own: theirs alone, never a follower's to read.
    let (_, mkey) = common::receipt(&state, &md).await;
    resident::add_information(&state, "client", &main, &mkey, "我家住三楼，对门的张某每晚吵到凌晨").await.unwrap();
    work::act(&state, &handler, &main, &Act::Reply { body: "已约双方调解".into() }).await.unwrap();
    work::act(&state, &handler, &main, &Act::Close { resolution: "调解成功，双方签字".into() }).await.unwrap();
    for t in [&f, &g] {
        let a = full(&state, t).await;
        assert_eq!(a.status, Status::Closed, "{t}");
        assert_eq!(a.resolution.as_deref(), Some("调解成功，双方签字"));
        assert!(kinds(&state, t).await.contains(&(EventKind::ClosedWithMain, true)));
    }
    let audit = backend::store::audit::recent(&state.db.pool, None, None, None, 200).await.unwrap();
    let close = audit.iter().find(|e| e.action == "close").unwrap();
    assert!(close.detail.contains(&f) && close.detail.contains(&g), "{}", close.detail);

    // The follower's resident sees the main one's answers on their own track page.
    let (_, key) = common::receipt(&state, &fd).await;
    let view = track::track(&state, "client", &f, &key).await.unwrap();
    assert_eq!(view.status, Status::Closed);
    assert!(view.can_rate, "each resident rates their own appeal");
    let followed = view.followed.unwrap();
    assert!(!followed.joined, "merged by staff");
    assert_eq!(followed.status, Status::Closed);
    let bodies: Vec<&str> = followed.events.iter().filter_map(|e| e.body.as_deref()).collect();
    assert!(bodies.contains(&"已约双方调解") && bodies.contains(&"调解成功，双方签字"), "{bodies:?}");
    assert!(!followed.events.iter().any(|e| e.kind == EventKind::Submitted), "not how the other came in");
    assert!(!bodies.iter().any(|b| b.contains("张某")), "never the other resident's words: {bodies:?}");
    assert!(!followed.events.iter().any(|e| e.kind == EventKind::Supplement));

    // A satisfied rating keeps the merge; a 不满意 reopens that appeal alone, on its own.
    let (_, gkey) = common::receipt(&state, &gd).await;
    resident::rate(&state, "client", &g, &gkey, "satisfied", "").await.unwrap();
    assert_eq!(full(&state, &g).await.merged_into.as_deref(), Some(main.as_str()));
    resident::rate(&state, "client", &f, &key, "unsatisfied", "没解决").await.unwrap();
    let a = full(&state, &f).await;
    assert_eq!(a.status, Status::Assigned, "reopened one level up, the ordinary rule");
    assert_eq!(a.merged_into, None, "and handled on its own");
    assert!(kinds(&state, &f).await.contains(&(EventKind::Unmerged, true)));
    assert_eq!(full(&state, &main).await.status, Status::Closed, "the main one is untouched");
    assert!(track::track(&state, "client", &f, &key).await.unwrap().followed.is_none());
}
both_engines!(followers_close_with_the_main_one_and_are_not_supervised_alone);
