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

/// "And N more outside your scope" (issue 13): the same number's appeals the member may not see
/// listed are counted, and nothing else about them reaches the page: not their tickets,
/// categories, units, places or dates. Anonymous appeals and those who get no list count
/// nothing.
async fn the_rest_of_the_same_phone_is_a_count_only(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let other = common::staff(&state, "other", "U-HX01", "dispatcher").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let cell = [("lat", "35.485"), ("lng", "106.605")];
    let named = [("identity", "named"), ("name", "王秀英"), ("phone", "13812341234")];
    let (a1, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &named).await;
    clock.advance(time::Duration::hours(1));
    let (a2, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &named).await;
    // Two in another district, under their own words; one anonymous there too.
    let hx = [("district", "HX"), ("street", "HX01")];
    let (far1, _) = common::appeal_at(&state, "suggestion", &hx, &named).await;
    let (far2, _) = common::appeal_at(&state, "sanitation", &hx, &named).await;
    common::appeal_at(&state, "suggestion", &hx, &[("identity", "anonymous")]).await;
    // Another number outside: never counted.
    let (_, _) = common::appeal_at(
        &state,
        "suggestion",
        &hx,
        &[("identity", "named"), ("name", "李"), ("phone", "13800138000")],
    )
    .await;

    let page = work::appeal_page(&state, &street, &a1).await.unwrap();
    assert_eq!(page.repeats.iter().map(|r| r.ticket.clone()).collect::<Vec<_>>(), vec![a2.clone()]);
    assert_eq!(page.repeats_elsewhere, 2, "the two in the other district");
    let json = serde_json::to_string(&page).unwrap();
    for (what, text) in [
        ("far ticket", far1.as_str()),
        ("far ticket", far2.as_str()),
        ("their categories", "suggestion"),
        ("their categories", "意见建议"),
        ("their categories", "sanitation"),
        ("their unit", "U-HX01"),
        ("the number", "13812341234"),
    ] {
        assert!(!json.contains(text), "{what} must not leak: {text} in {json}");
    }
    // From the other side: no list (ours are outside), the count of ours.
    let page = work::appeal_page(&state, &other, &far1).await.unwrap();
    assert_eq!(page.repeats.iter().map(|r| r.ticket.clone()).collect::<Vec<_>>(), vec![far2.clone()]);
    assert_eq!(page.repeats_elsewhere, 2, "a1 and a2");
    let json = serde_json::to_string(&page).unwrap();
    for text in [a1.as_str(), a2.as_str(), "neighbor_dispute", "Neighbour dispute", "U-HD010101"] {
        assert!(!json.contains(text), "{text} must not leak: {json}");
    }
    // Those who may not reveal the contact get neither list nor count.
    for s in [&community, &admin] {
        let page = work::appeal_page(&state, s, &a1).await.unwrap();
        assert!(page.repeats.is_empty());
        assert_eq!(page.repeats_elsewhere, 0);
    }
    // An anonymous appeal has no number: nothing.
    let (anon, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &[("identity", "anonymous")]).await;
    assert_eq!(work::appeal_page(&state, &street, &anon).await.unwrap().repeats_elsewhere, 0);
    // A new appeal in scope moves to the list, not to the count.
    let (a3, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &named).await;
    let page = work::appeal_page(&state, &street, &a1).await.unwrap();
    assert_eq!(page.repeats.len(), 2);
    assert!(page.repeats.iter().any(|r| r.ticket == a3));
    assert_eq!(page.repeats_elsewhere, 2);
}
both_engines!(the_rest_of_the_same_phone_is_a_count_only);
