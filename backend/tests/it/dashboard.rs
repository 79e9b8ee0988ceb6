//! The staff dashboard (issue 12) on hand-built fixtures whose answers are known, both engines:
//! the member's scope only, units below with their subtrees, categories, the satisfaction line,
//! medians, and the lists that need attention.

use crate::common::{self, Engine};
use backend::services::dashboard::dashboard;
use domain::stats::Period;

async fn exec(state: &backend::AppState, sql: &str, ticket: &str) {
    sqlx::query(sql).bind(ticket).execute(&state.db.pool).await.unwrap();
}

async fn the_dashboard_counts_the_members_scope(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let other = common::staff(&state, "other", "U-HX01", "dispatcher").await;
    let cell = [("lat", "35.485"), ("lng", "106.605")];
    let anon = [("identity", "anonymous")];
    // Two in grid cell HD010101 (its grid station), six for the community committee itself.
    let (g1, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &anon).await;
    let (g2, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &anon).await;
    let mut c = Vec::new();
    for _ in 0..6 {
        c.push(common::simple_appeal(&state).await);
    }
    // Five of the community's are closed within the day and rated unsatisfied: under the line.
    for t in &c[..5] {
        exec(
            &state,
            "UPDATE appeals SET status = 'closed', closed_at = submitted_at + 7200, rating = 'unsatisfied' WHERE ticket = $1",
            t,
        )
        .await;
    }
    // Sign-for after one and after three hours: the median is two.
    exec(&state, "UPDATE appeals SET signed_at = submitted_at + 3600 WHERE ticket = $1", &g1).await;
    exec(&state, "UPDATE appeals SET signed_at = submitted_at + 10800 WHERE ticket = $1", &g2).await;
    exec(&state, "UPDATE appeals SET supervised = 1 WHERE ticket = $1", &g2).await;
    let month = Period::Month { year: 2026, month: 11 };

    let d = dashboard(&state, &street, month).await.unwrap();
    assert_eq!(d.own.received, 8);
    assert_eq!(d.own.closed, 5);
    assert_eq!(d.own.rated, 5);
    let row = |rows: &[domain::staff::DashboardRow], code: &str| rows.iter().find(|r| r.code == code).map(|r| r.counts);
    // The community's row holds its grid station's appeals too.
    assert_eq!(row(&d.units, "U-HD0101").unwrap().received, 8);
    assert_eq!(row(&d.units, "U-HD0102").unwrap().received, 0);
    assert_eq!(row(&d.categories, "sanitation").unwrap().received, 6);
    assert_eq!(row(&d.categories, "neighbor_dispute").unwrap().received, 2);
    assert_eq!(d.categories[0].code, "sanitation", "most frequent first");
    assert_eq!(d.line, 80);
    assert_eq!(d.below_line.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["U-HD0101"]);
    assert_eq!(d.medians[0].as_deref(), Some("2.0"), "sign-for: 1 h and 3 h");
    assert_eq!(d.medians[2].as_deref(), Some("2.0"), "close: five at 2 h");
    assert_eq!(d.supervised.total, 1);
    assert_eq!(d.supervised.items[0].ticket, g2);
    assert_eq!(d.overdue.total, 0);
    // The map: every cell of the street, the two grid appeals in their cell, none late yet.
    let cell = |d: &domain::staff::DashboardView, code: &str| d.map.iter().find(|c| c.code == code).cloned().unwrap();
    assert!(d.map.len() > 1 && d.map.iter().all(|c| c.code.starts_with("HD01")));
    assert_eq!(cell(&d, "HD010101").received, 2);
    assert_eq!(cell(&d, "HD010101").unit.as_deref(), Some("U-HD010101"));
    assert_eq!(cell(&d, "HD010101").overdue_now, 0);
    // A month later the open ones are overdue.
    clock.advance(time::Duration::days(40));
    let d = dashboard(&state, &street, month).await.unwrap();
    assert_eq!(d.overdue.total, 3, "g1, g2 and the sixth community appeal");
    assert_eq!(cell(&d, "HD010101").overdue_now, 2, "marked on the map");

    // The community committee: its own and its grid stations' appeals, not its neighbours'.
    let d = dashboard(&state, &community, month).await.unwrap();
    assert_eq!(d.own.received, 8);
    // Another district's dispatcher: nothing of ours.
    let d = dashboard(&state, &other, month).await.unwrap();
    assert_eq!(d.own.received, 0);
    assert!(d.units.iter().all(|r| r.counts.received == 0));
    assert!(d.overdue.items.is_empty() && d.supervised.items.is_empty());
    // Another month: nothing.
    let d = dashboard(&state, &street, Period::Month { year: 2026, month: 10 }).await.unwrap();
    assert_eq!(d.own.received, 0);
    assert_eq!(d.medians, [None, None, None]);
}
both_engines!(the_dashboard_counts_the_members_scope);

/// Received appeals per channel (issue 13): the wizard (`web`), Open311 (`open311:<key>`, the
/// key's number dropped) and the staff's intake (phone, counter, patrol), in the member's scope
/// and period only.
async fn the_dashboard_counts_received_appeals_per_channel(engine: Engine) {
    use backend::services::intake::{new_form_token, record, IntakeForm};
    use backend::services::open311;
    use domain::staff::{AppealChannel, StaffChannel};
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let other = common::staff(&state, "other", "U-HX", "dispatcher").await;
    let cell = [("lat", "35.485"), ("lng", "106.605")];
    // Two through the wizard, one named and one anonymous.
    common::appeal_at(&state, "neighbor_dispute", &cell, &[("identity", "anonymous")]).await;
    common::appeal_at(
        &state,
        "neighbor_dispute",
        &cell,
        &[("identity", "named"), ("name", "周"), ("phone", "13500135000")],
    )
    .await;
    // One through Open311.
    let cli = backend::audit::Who { id: "cli".into(), name: "cli".into(), role: "cli".into() };
    let key = open311::create_key(&state, &cli, "city app").await.unwrap().key;
    let params: std::collections::HashMap<String, String> = [
        ("api_key", key.as_str()),
        ("service_code", "neighbor_dispute"),
        ("description", "楼上邻居每天半夜装修，吵得睡不着"),
        ("lat", "35.485"),
        ("long", "106.605"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    open311::submit(&state, &open311::PostRequest::from_params(&params)).await.unwrap();
    // Staff intake: two by phone, one at the counter (district centre), one on patrol (grid).
    let intake = |channel: &str| IntakeForm {
        channel: channel.into(),
        category: "neighbor_dispute".into(),
        description: "楼上邻居每天半夜装修，打电话来反映".into(),
        cell: "HD010101".into(),
        identity: "anonymous".into(),
        token: new_form_token(),
        ..IntakeForm::default()
    };
    for (who, channel) in [(&district, "phone"), (&district, "phone"), (&district, "counter"), (&grid, "patrol")] {
        record(&state, who, &intake(channel)).await.unwrap();
    }
    let month = Period::Month { year: 2026, month: 11 };
    let per = |d: &domain::staff::DashboardView| d.channels.iter().map(|(c, n)| (c.as_str(), *n)).collect::<Vec<_>>();

    let d = dashboard(&state, &district, month).await.unwrap();
    assert_eq!(per(&d), vec![("web", 2), ("open311", 1), ("phone", 2), ("counter", 1), ("patrol", 1)]);
    assert_eq!(d.own.received, 7, "the channels add up to the whole");
    assert_eq!(d.channels[2].0, AppealChannel::Staff(StaffChannel::Phone));
    // The grid station counts the same appeals (all in its cell).
    let d = dashboard(&state, &grid, month).await.unwrap();
    assert_eq!(per(&d), vec![("web", 2), ("open311", 1), ("phone", 2), ("counter", 1), ("patrol", 1)]);
    // Another district: every channel listed, all zero.
    let d = dashboard(&state, &other, month).await.unwrap();
    assert_eq!(per(&d), vec![("web", 0), ("open311", 0), ("phone", 0), ("counter", 0), ("patrol", 0)]);
    // Another period: an appeal next month counts there, not in November.
    clock.advance(time::Duration::days(10));
    record(&state, &district, &intake("counter")).await.unwrap();
    let d = dashboard(&state, &district, Period::Month { year: 2026, month: 12 }).await.unwrap();
    assert_eq!(per(&d), vec![("web", 0), ("open311", 0), ("phone", 0), ("counter", 1), ("patrol", 0)]);
    let d = dashboard(&state, &district, month).await.unwrap();
    assert_eq!(d.channels.iter().map(|(_, n)| n).sum::<u64>(), 7);
}
both_engines!(the_dashboard_counts_received_appeals_per_channel);

/// A closed named appeal of community HD0101 (or of `place`), closed `closed_ago` seconds before
/// now, optionally rated by the resident.
async fn closed_named(
    state: &backend::AppState,
    place: &[(&str, &str)],
    identity: &str,
    closed_ago: i64,
    rating: Option<&str>,
) -> String {
    let who: Vec<(&str, &str)> = if identity == "anonymous" {
        vec![("identity", "anonymous")]
    } else {
        vec![("identity", "named"), ("name", "赵"), ("phone", "13900001111")]
    };
    let (t, _) = common::appeal_at(state, "sanitation", place, &who).await;
    let now = state.clock.ts();
    sqlx::query("UPDATE appeals SET status = 'closed', closed_at = $2 WHERE ticket = $1")
        .bind(&t)
        .bind(now - closed_ago)
        .execute(&state.db.pool)
        .await
        .unwrap();
    if let Some(r) = rating {
        sqlx::query("INSERT INTO ratings (ticket, cycle, rating, at, channel) VALUES ($1, 1, $2, $3, 'resident')")
            .bind(&t)
            .bind(r)
            .bind(now - closed_ago + 60)
            .execute(&state.db.pool)
            .await
            .unwrap();
    }
    t
}

/// A call on the appeal's current round, `ago` seconds before now.
async fn call(state: &backend::AppState, ticket: &str, id: &str, ago: i64, said: Option<&str>) {
    let now = state.clock.ts();
    sqlx::query(
        "INSERT INTO callbacks (id, ticket, cycle, reached, satisfaction, note, at, by_staff, unit)
         VALUES ($1, $2, 1, $3, $4, NULL, $5, 'someone', 'U-HD')",
    )
    .bind(id)
    .bind(ticket)
    .bind(i32::from(said.is_some()))
    .bind(said)
    .bind(now - ago)
    .execute(&state.db.pool)
    .await
    .unwrap();
}

/// The follow-up calls (回访) on the dashboard (issue 13), on a hand-built fixture: waiting now by
/// the queue's rule (the same count as the street's own queue), and the period's calls by
/// outcome, the third failed call of a round counted once as unreachable, in the period it was
/// made; the scope is the dashboard's.
async fn the_dashboard_counts_follow_up_calls(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let other = common::staff(&state, "other", "U-HX01", "dispatcher").await;
    let hd = [("district", "HD"), ("street", "HD01"), ("community", "HD0101")];
    let hx = [("district", "HX"), ("street", "HX01")];
    let (day, hour) = (86_400, 3_600);
    // Waiting: unrated past the 7-day window; rated 基本满意 yesterday; two failed calls only.
    let w1 = closed_named(&state, &hd, "named", 10 * day, None).await;
    let w2 = closed_named(&state, &hd, "named", day, Some("basically")).await;
    let u2 = closed_named(&state, &hd, "named", 10 * day, None).await;
    call(&state, &u2, "u2-a", 2 * hour, None).await;
    call(&state, &u2, "u2-b", hour, None).await;
    // Not waiting: window still open; rated 满意; anonymous.
    closed_named(&state, &hd, "named", day, None).await;
    closed_named(&state, &hd, "named", 10 * day, Some("satisfied")).await;
    closed_named(&state, &hd, "anonymous", 10 * day, None).await;
    // Reached in the period, one of each answer (out of the queue).
    for (said, n) in [("satisfied", 1), ("basically", 2), ("unsatisfied", 3)] {
        let t = closed_named(&state, &hd, "named", 10 * day, None).await;
        call(&state, &t, &format!("r{n}"), n * hour, Some(said)).await;
    }
    // Reached in October: not this period's.
    let old = closed_named(&state, &hd, "named", 60 * day, None).await;
    call(&state, &old, "old", 30 * day, Some("satisfied")).await;
    // Unreachable in the period: three failed calls (two at the same second), counted once.
    let u1 = closed_named(&state, &hd, "named", 10 * day, None).await;
    call(&state, &u1, "u1-a", 3 * hour, None).await;
    call(&state, &u1, "u1-b", 2 * hour, None).await;
    call(&state, &u1, "u1-c", 2 * hour, None).await;
    // Two failed calls in October, the third in the period: unreachable now.
    let u3 = closed_named(&state, &hd, "named", 60 * day, None).await;
    call(&state, &u3, "u3-a", 31 * day, None).await;
    call(&state, &u3, "u3-b", 30 * day, None).await;
    call(&state, &u3, "u3-c", hour, None).await;
    // All three in October: not this period's.
    let u4 = closed_named(&state, &hd, "named", 60 * day, None).await;
    for (i, ago) in [32, 31, 30].into_iter().enumerate() {
        call(&state, &u4, &format!("u4-{i}"), ago * day, None).await;
    }
    // Another district: one waiting, one reached.
    closed_named(&state, &hx, "named", 10 * day, None).await;
    let x = closed_named(&state, &hx, "named", 10 * day, None).await;
    call(&state, &x, "x", hour, Some("satisfied")).await;

    let month = Period::Month { year: 2026, month: 11 };
    let c = dashboard(&state, &street, month).await.unwrap().callbacks;
    assert_eq!(
        c,
        domain::callback::CallbackFigures { waiting: 3, satisfied: 1, basically: 1, unsatisfied: 1, unreachable: 2 }
    );
    assert_eq!(c.done(), 5);
    // The same rounds as the street's own queue (its units are all below it).
    let q = backend::services::callbacks::queue(&state, &street, 1).await.unwrap();
    assert_eq!(q.total, 3);
    let mut waiting: Vec<String> = q.items.into_iter().map(|i| i.ticket).collect();
    waiting.sort();
    let mut expected = vec![w1, u2, w2];
    expected.sort();
    assert_eq!(waiting, expected);
    // The other district sees its own only.
    let c = dashboard(&state, &other, month).await.unwrap().callbacks;
    assert_eq!(c, domain::callback::CallbackFigures { waiting: 1, satisfied: 1, ..Default::default() });
    // October: the old reached call and the rounds given up then.
    let c = dashboard(&state, &street, Period::Month { year: 2026, month: 10 }).await.unwrap().callbacks;
    assert_eq!((c.satisfied, c.basically, c.unsatisfied, c.unreachable), (1, 0, 0, 1));
    assert_eq!(c.waiting, 3, "waiting is as of now, whatever the period");
}
both_engines!(the_dashboard_counts_follow_up_calls);
