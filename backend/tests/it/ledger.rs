//! The ledger export's batches (issue 12): an export reads its rows in batches that grow, and
//! every row of the member's scope comes exactly once, in ticket order, whatever the batch sizes.

use crate::common::{self, Engine};
use backend::services::ledger::{self, Cursor};
use domain::staff::InboxFilter;

async fn an_export_reads_every_row_once_in_growing_batches(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let mut mine = Vec::new();
    for _ in 0..11 {
        mine.push(common::simple_appeal(&state).await);
    }
    // Another community's appeal the community works on with it (a co-handler): in its scope.
    let other = common::simple_appeal(&state).await;
    common::force(&state, &other, "U-HD0102", "assigned").await;
    sqlx::query("INSERT INTO appeal_cohandlers (ticket, unit, summoned_at) VALUES ($1, 'U-HD0101', 0)")
        .bind(&other)
        .execute(&state.db.pool)
        .await
        .unwrap();
    mine.push(other);
    // And one it has nothing to do with.
    let elsewhere = common::simple_appeal(&state).await;
    common::force(&state, &elsewhere, "U-HD0102", "assigned").await;
    mine.sort();

    let f = InboxFilter { status: String::new(), ..InboxFilter::default() };
    let export = ledger::start(&state, &community, &f, "csv", None).await.unwrap();
    let mut cursor = Cursor::sized(2, 4);
    let (mut sizes, mut tickets) = (Vec::new(), Vec::new());
    while let Some(rows) = cursor.next(&state, &export).await.unwrap() {
        sizes.push(rows.len());
        tickets.extend(rows.into_iter().map(|r| r.ticket));
    }
    assert_eq!(sizes, vec![2, 4, 4, 2], "batches double from 2 up to 4; the short one ends it");
    assert_eq!(tickets, mine, "every row of the scope once, in ticket order, nothing else");
    assert!(cursor.next(&state, &export).await.unwrap().is_none(), "an ended cursor stays ended");

    // A batch that ends exactly on the last row is followed by an empty one that ends it.
    let mut cursor = Cursor::sized(3, 3);
    let mut sizes = Vec::new();
    while let Some(rows) = cursor.next(&state, &export).await.unwrap() {
        sizes.push(rows.len());
    }
    assert_eq!(sizes, vec![3, 3, 3, 3, 0]);
    // The default sizes read all twelve in one batch.
    let mut cursor = Cursor::default();
    assert_eq!(cursor.next(&state, &export).await.unwrap().map(|r| r.len()), Some(12));
    assert!(cursor.next(&state, &export).await.unwrap().is_none());

    // (A member has one export at a time: this one ends here.)
    drop(export);
    // Contact details: read only for an export that asked for them (with a reason), and then
    // shown for the rows the member may reveal: a street dispatcher's for its communities'.
    let named = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "named"), ("name", "李秀兰"), ("phone", "13912345678")],
    )
    .await
    .0;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let cat = state.catalog.get();
    for (who, reason) in [(&community, None), (&street, None), (&street, Some("回访"))] {
        let export = ledger::start(&state, who, &f, "csv", reason).await.unwrap();
        let mut cursor = Cursor::default();
        let rows = cursor.next(&state, &export).await.unwrap().unwrap();
        let row = rows.iter().find(|r| r.ticket == named).expect("the named appeal is in both scopes");
        let cells = ledger::cells(&cat, domain::Lang::ZhCn, row, export.pii.as_ref());
        if reason.is_some() {
            assert_eq!(cells[12..], ["李秀兰".to_owned(), "13912345678".to_owned()], "{}", who.username);
            assert!(!row.scope_path.is_empty());
        } else {
            assert_eq!(cells.len(), 12, "no contact columns");
            assert!(row.contact_name.is_none() && row.contact_phone.is_none(), "not even read");
        }
    }
    // An administrator never exports contact details (they work on no appeal).
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    assert!(matches!(
        ledger::start(&state, &admin, &f, "csv", Some("回访")).await,
        Err(backend::BackendError::Forbidden)
    ));
    // A row in the member's scope whose contact they may not reveal (another community's named
    // appeal they co-handle) has empty contact cells, though the export carries the columns.
    let neighbours = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0102")],
        &[("identity", "named"), ("name", "王建国"), ("phone", "13800001111")],
    )
    .await
    .0;
    common::force(&state, &neighbours, "U-HD0102", "assigned").await;
    sqlx::query("INSERT INTO appeal_cohandlers (ticket, unit, summoned_at) VALUES ($1, 'U-HD0101', 0)")
        .bind(&neighbours)
        .execute(&state.db.pool)
        .await
        .unwrap();
    let export = ledger::start(&state, &community, &f, "csv", Some("回访")).await.unwrap();
    let rows = Cursor::default().next(&state, &export).await.unwrap().unwrap();
    let cells_of = |t: &str| {
        let row = rows.iter().find(|r| r.ticket == t).unwrap_or_else(|| panic!("{t} in the community's scope"));
        ledger::cells(&cat, domain::Lang::ZhCn, row, export.pii.as_ref())
    };
    assert_eq!(cells_of(&named)[12..], ["李秀兰".to_owned(), "13912345678".to_owned()], "its own unit's appeal");
    assert_eq!(cells_of(&neighbours)[12..], [String::new(), String::new()], "a co-handled appeal of another unit");
}
both_engines!(an_export_reads_every_row_once_in_growing_batches);

/// A node writes at most `EXPORTS_AT_ONCE` exports at a time, at most one per member; one more
/// is refused (and not audited: nothing was exported) until one of them ends.
async fn a_node_writes_two_exports_at_once(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let members = [
        common::staff(&state, "community", "U-HD0101", "unit_handler").await,
        common::staff(&state, "community2", "U-HD0101", "unit_handler").await,
    ];
    let third = common::staff(&state, "community3", "U-HD0101", "unit_handler").await;
    common::simple_appeal(&state).await;
    let audited = || async {
        let n: (i64,) = sqlx::query_as("SELECT count(*) FROM audit_log").fetch_one(&state.db.pool).await.unwrap();
        n.0
    };
    let f = InboxFilter::default();
    let own_busy = |r: &backend::Result<ledger::Export>| {
        matches!(r, Err(backend::BackendError::Conflict(domain::Msg::LedgerOwnBusy)))
    };
    let node_busy = |r: &backend::Result<ledger::Export>| {
        matches!(r, Err(backend::BackendError::Conflict(domain::Msg::LedgerBusy)))
    };

    // One member, one export at a time, while the node still has a free turn.
    let first = ledger::start(&state, &members[0], &f, "csv", None).await.unwrap();
    let before = audited().await;
    let again = ledger::start(&state, &members[0], &f, "xlsx", None).await;
    assert!(own_busy(&again), "{again:?}");
    assert_eq!(audited().await, before, "a refused export is not audited");
    assert_eq!(ledger::EXPORTS_AT_ONCE, 2);
    let second = ledger::start(&state, &members[1], &f, "csv", None).await.unwrap();

    // The node's turns are taken: a third member waits; a member with a turn is told it is theirs.
    let before = audited().await;
    let refused = ledger::start(&state, &third, &f, "xlsx", None).await;
    assert!(node_busy(&refused), "{refused:?}");
    assert!(own_busy(&ledger::start(&state, &members[1], &f, "csv", None).await));
    assert_eq!(audited().await, before, "a refused export is not audited");

    // A copy of a running export (the read-ahead task's) keeps its turn until the last goes.
    let copy = first.clone();
    drop(first);
    assert!(node_busy(&ledger::start(&state, &third, &f, "csv", None).await));
    assert!(own_busy(&ledger::start(&state, &members[0], &f, "csv", None).await));
    drop(copy);
    // Given back: the node's turn and the member's.
    let next = ledger::start(&state, &third, &f, "csv", None).await.unwrap();
    drop(second);
    let again = ledger::start(&state, &members[0], &f, "csv", None).await.unwrap();
    let mut cursor = Cursor::default();
    assert_eq!(cursor.next(&state, &next).await.unwrap().map(|r| r.len()), Some(1));
    assert_eq!(audited().await, before + 2);
    drop((next, again));
}
both_engines!(a_node_writes_two_exports_at_once);
