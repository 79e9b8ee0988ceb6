//! Repeat cases on the staff appeal page (issue 13): the other appeals from the same phone
//! number, only for those who may reveal the contact, only inside their own scope, newest
//! first, never the number itself. Both engines.

use crate::common::{self, Engine};
use backend::services::work;
use domain::workflow::Action;

async fn repeats_are_listed_in_scope_for_those_who_may_reveal(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let other = common::staff(&state, "other", "U-HX01", "dispatcher").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    // Grid cell HD010101: neighbour disputes go to its station U-HD010101.
    let cell = [("lat", "35.485"), ("lng", "106.605")];
    let named = [("identity", "named"), ("name", "王秀英"), ("phone", "13812341234")];
    let hour = time::Duration::hours(1);
    let (a1, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &named).await;
    clock.advance(hour);
    let (a2, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &named).await;
    clock.advance(hour);
    // The same number in another district: outside the street's scope.
    let (far, _) = common::appeal_at(&state, "suggestion", &[("district", "HX"), ("street", "HX01")], &named).await;
    // Another number, and no number at all, in the same cell.
    let someone_else = [("identity", "named"), ("name", "李阿姨"), ("phone", "13800138000")];
    let (b, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &someone_else).await;
    let (anon, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &[("identity", "anonymous")]).await;

    let listed = |s: &backend::auth::Staff, ticket: &String| {
        let (state, s, ticket) = (state.clone(), s.clone(), ticket.clone());
        async move {
            let page = work::appeal_page(&state, &s, &ticket).await.unwrap();
            page.repeats.iter().map(|r| r.ticket.clone()).collect::<Vec<_>>()
        }
    };
    // The street's dispatcher sees exactly the other in-scope appeal, from either side.
    assert_eq!(listed(&street, &a1).await, vec![a2.clone()]);
    assert_eq!(listed(&street, &a2).await, vec![a1.clone()]);
    // So does the grid station handling both.
    assert_eq!(listed(&grid, &a1).await, vec![a2.clone()]);
    // The other district's dispatcher, on its own appeal: ours are outside its scope.
    assert!(listed(&other, &far).await.is_empty());
    // The community committee above the station may view but not reveal: nothing listed.
    let page = work::appeal_page(&state, &community, &a1).await.unwrap();
    assert!(!page.actions.contains(&Action::RevealContact), "the premise: it may not reveal");
    assert!(page.repeats.is_empty());
    // Nor for an admin (who reads, audited, but never sees contacts).
    assert!(listed(&admin, &a1).await.is_empty());
    // No phone, no repeats; and another number's appeal is never listed.
    assert!(listed(&street, &anon).await.is_empty());
    assert!(listed(&street, &b).await.is_empty());

    // What a line says: category, status, submitted time; the number itself is nowhere.
    let page = work::appeal_page(&state, &street, &a1).await.unwrap();
    let r = &page.repeats[0];
    assert_eq!(r.category_name.1, "Neighbour dispute");
    assert_eq!(r.status, domain::workflow::Status::Assigned);
    assert_eq!(r.submitted_at, state.clock.ts() - 3600, "a2 came an hour after a1");
    let json = serde_json::to_string(&page).unwrap();
    assert!(!json.contains("13812341234"), "never the phone number");

    // Newest first: a later one goes to the top.
    clock.advance(hour);
    let (a3, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &named).await;
    assert_eq!(listed(&street, &a1).await, vec![a3.clone(), a2.clone()]);
    assert_eq!(listed(&street, &a3).await, vec![a2, a1]);
}
both_engines!(repeats_are_listed_in_scope_for_those_who_may_reveal);
