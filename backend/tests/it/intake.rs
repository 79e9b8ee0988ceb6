//! Appeals recorded by staff (issue 13): same validation, routing and receipt as the wizard,
//! their channel kept, the SMS receipt queued with the appeal, one appeal per form, audited, and
//! the resident then tracks it like any other. Both engines.

use crate::common::{self, Engine};
use backend::services::intake::{record, IntakeForm};
use backend::store::outbox;
use backend::BackendError;
use domain::fields::FieldName;
use domain::Msg;

fn form(channel: &str) -> IntakeForm {
    IntakeForm {
        channel: channel.into(),
        category: "neighbor_dispute".into(),
        description: "楼上邻居每天半夜装修，打电话来反映".into(),
        cell: "HD010101".into(),
        identity: "named".into(),
        name: "张建国".into(),
        phone: "13700001111".into(),
        sms: true,
        token: backend::services::intake::new_form_token(),
        ..IntakeForm::default()
    }
}

async fn staff_record_appeals_from_every_channel(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let centre = common::staff(&state, "centre", "U-HD", "dispatcher").await;
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;

    // By phone at the district centre, named, receipt by SMS: routed by the cell to its station.
    let f = form("phone");
    let r = record(&state, &centre, &f).await.unwrap();
    let a = appeals_row(&state, &r.ticket).await;
    assert_eq!(a, ("phone".to_owned(), "U-HD010101".to_owned(), Some("13700001111".to_owned())));
    assert!(r.sms_queued);
    let msgs = outbox::for_ticket(&state.db.pool, &r.ticket).await.unwrap();
    let sms: Vec<_> = msgs.iter().filter(|m| m.kind == "receipt").collect();
    assert_eq!(sms.len(), 1);
    assert_eq!((sms[0].audience.as_str(), sms[0].recipient.as_str()), ("resident", "13700001111"));
    // The message holds the key until it is delivered (the webhook sink sends the payload to
    // the SMS gateway); once delivered, the outbox row no longer holds it.
    let payload = |state: backend::AppState, ticket: String| async move {
        let (p,): (String,) = sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'receipt' AND ticket = $1")
            .bind(ticket)
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
        p
    };
    let sent: serde_json::Value = serde_json::from_str(&payload(state.clone(), r.ticket.clone()).await).unwrap();
    assert_eq!(sent["key"], r.key.as_str());
    // The SMS's own text, in the page's language, with the ticket and key grouped for reading.
    let grouped_key = domain::receipt::AccessKey::parse(&r.key).unwrap().display();
    let grouped_ticket = domain::receipt::Ticket::parse(&r.ticket).unwrap().display();
    let text = sent["text"].as_str().unwrap();
    assert!(text.contains("查询码") && text.contains(&grouped_key) && text.contains(&grouped_ticket), "{text}");
    let en = record(&state, &centre, &IntakeForm { lang: domain::Lang::En, ..form("counter") }).await.unwrap();
    let en_sent: serde_json::Value = serde_json::from_str(&payload(state.clone(), en.ticket.clone()).await).unwrap();
    let en_text = en_sent["text"].as_str().unwrap();
    assert!(
        en_text.starts_with("[Ping'an Key]") && en_text.contains(&en.key[..4]) && !en_text.contains("查询码"),
        "{en_text}"
    );
    let file = std::env::temp_dir().join(format!("pingan-sms-{}.log", r.ticket));
    let sink = backend::notify::Sink::parse(&format!("file:{}", file.display()), None).unwrap();
    backend::notify::deliver_due(&state.db.pool, &sink, "test", state.clock.ts() + 3600).await.unwrap();
    let _ = std::fs::remove_file(&file);
    let after = payload(state.clone(), r.ticket.clone()).await;
    assert!(!after.contains(&r.key), "wiped after delivery: {after}");
    // The resident follows it with the receipt like any other appeal.
    assert!(backend::services::track::track(&state, "test", &r.ticket, &r.key).await.is_ok());
    assert!(backend::services::track::track(&state, "test", &r.ticket, &p_key_of_other()).await.is_err());
    // ... and rates it once it is closed, like any other appeal.
    backend::services::work::act(&state, &grid, &r.ticket, &backend::services::work::Act::Sign).await.unwrap();
    let close = backend::services::work::Act::Close { resolution: "已上门协调，双方达成一致".into() };
    backend::services::work::act(&state, &grid, &r.ticket, &close).await.unwrap();
    assert!(backend::services::track::track(&state, "test", &r.ticket, &r.key).await.unwrap().can_rate);
    backend::services::resident::rate(&state, "test", &r.ticket, &r.key, "satisfied", "").await.unwrap();
    let (rating,): (Option<String>,) = sqlx::query_as("SELECT rating FROM appeals WHERE ticket = $1")
        .bind(&r.ticket)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(rating.as_deref(), Some("satisfied"));
    // The same form posted again: not a second appeal.
    assert!(matches!(record(&state, &centre, &f).await, Err(BackendError::Conflict(Msg::ErrIntakeTwice))));
    // Audited with its channel.
    let log = backend::store::audit::recent(&state.db.pool, Some(&r.ticket), None, None, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "intake" && e.detail.contains("\"channel\":\"phone\"")));

    // On patrol, anonymous: no SMS; the grid worker's own cell.
    let patrol =
        IntakeForm { identity: "anonymous".into(), name: String::new(), phone: String::new(), ..form("patrol") };
    let p = record(&state, &grid, &patrol).await.unwrap();
    assert!(!p.sms_queued);
    assert_eq!(appeals_row(&state, &p.ticket).await.0, "patrol");
    assert!(outbox::for_ticket(&state.db.pool, &p.ticket).await.unwrap().iter().all(|m| m.kind != "receipt"));
    // A cell outside the member's area is refused (the grid worker has one cell).
    let far = IntakeForm { cell: "HD010102".into(), ..form("patrol") };
    let Err(BackendError::Invalid(errs)) = record(&state, &grid, &far).await else { panic!("outside refused") };
    assert_eq!(errs, vec![domain::FieldError::new(FieldName::Region, Msg::ErrRegionUnknown)]);

    // Every bad field at once, each with its message; nothing stored.
    let bad = IntakeForm {
        channel: "fax".into(),
        category: "nope".into(),
        description: "短".into(),
        cell: String::new(),
        phone: "123".into(),
        ..form("phone")
    };
    let Err(BackendError::Invalid(errs)) = record(&state, &centre, &bad).await else { panic!("refused") };
    let fields: Vec<FieldName> = errs.iter().map(|e| e.field).collect();
    for f in [FieldName::Channel, FieldName::Category, FieldName::Description, FieldName::Phone, FieldName::Region] {
        assert!(fields.contains(&f), "{f:?} in {errs:?}");
    }
    // Admins never act on appeals.
    assert!(matches!(record(&state, &admin, &form("counter")).await, Err(BackendError::Forbidden)));
}
both_engines!(staff_record_appeals_from_every_channel);

/// A well-formed key that is not this appeal's.
fn p_key_of_other() -> String {
    "A".repeat(26)
}

async fn appeals_row(state: &backend::AppState, ticket: &str) -> (String, String, Option<String>) {
    sqlx::query_as("SELECT channel, unit, contact_phone FROM appeals WHERE ticket = $1")
        .bind(ticket)
        .fetch_one(&state.db.pool)
        .await
        .unwrap()
}

/// The phone's GPS point on the intake (issue 13: "grid workers report from their phone, with
/// location from GPS or the cell they work"): routed by the resident's rule, refused at its field
/// outside the city's grid or malformed, dropped on request; no point and no cell is the grid
/// worker's own cell, and only theirs.
async fn gps_points_route_like_the_residents_and_the_own_cell_is_the_default(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let cat = state.catalog.get();
    // A point of the neighbouring cell, outside the grid worker's own: patrols cross borders,
    // and the point decides, as a resident's would.
    let next = cat.cell_center("HD010102").expect("the demo city has HD010102");
    let (lat, lng) = (format!("{:.6}", next.lat), format!("{:.6}", next.lng));
    let gps = |lat: &str, lng: &str| IntakeForm {
        channel: "patrol".into(),
        lat: lat.into(),
        lng: lng.into(),
        cell: String::new(),
        token: backend::services::intake::new_form_token(),
        ..form("patrol")
    };
    let r = record(&state, &grid, &gps(&lat, &lng)).await.unwrap();
    let (resident, _) =
        common::appeal_at(&state, "neighbor_dispute", &[("lat", &lat), ("lng", &lng)], &[("identity", "anonymous")])
            .await;
    let unit = appeals_row(&state, &r.ticket).await.1;
    assert_eq!(unit, appeals_row(&state, &resident).await.1, "the resident's routing");
    assert_eq!(unit, "U-HD010102", "by the point, not by the worker's own cell");
    let (lat_kept, cell): (Option<f64>, Option<String>) =
        sqlx::query_as("SELECT lat, cell FROM appeals WHERE ticket = $1")
            .bind(&r.ticket)
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
    assert!((lat_kept.unwrap() - next.lat).abs() < 1e-5, "the point is stored");
    assert_eq!(cell.as_deref(), Some("HD010102"));
    let log = backend::store::audit::recent(&state.db.pool, Some(&r.ticket), None, None, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "intake" && e.detail.contains("\"placed_by\":\"gps\"")));
    // A point given wins over the cell chosen.
    let both = IntakeForm { cell: "HD010101".into(), ..gps(&lat, &lng) };
    let r = record(&state, &grid, &both).await.unwrap();
    assert_eq!(appeals_row(&state, &r.ticket).await.1, "U-HD010102");

    // Outside the city's grid (the wizard would send it to the city centre): refused at the
    // field, with nothing else wrong reported, and nothing stored.
    let before = appeals_count(&state).await;
    let Err(BackendError::Invalid(errs)) = record(&state, &grid, &gps("39.9", "116.4")).await else {
        panic!("outside refused")
    };
    assert_eq!(errs, vec![domain::FieldError::new(FieldName::Location, Msg::ErrIntakePointOutside)]);
    // Malformed, or half a point: the wizard's message.
    for (la, ln) in [("35.4x", "106.6"), ("35.485", ""), ("91", "106.6")] {
        let Err(BackendError::Invalid(errs)) = record(&state, &grid, &gps(la, ln)).await else {
            panic!("{la},{ln} refused")
        };
        assert_eq!(errs, vec![domain::FieldError::new(FieldName::Location, Msg::ErrLocationInvalid)], "{la},{ln}");
    }
    assert_eq!(appeals_count(&state).await, before);
    // "Do not use this location": the cell places it, whatever the point.
    let dropped = IntakeForm { drop_point: true, cell: "HD010101".into(), ..gps("39.9", "116.4") };
    let r = record(&state, &grid, &dropped).await.unwrap();
    assert_eq!(appeals_row(&state, &r.ticket).await.1, "U-HD010101");
    let log = backend::store::audit::recent(&state.db.pool, Some(&r.ticket), None, None, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "intake" && e.detail.contains("\"placed_by\":\"cell\"")));

    // No point, no cell: the grid worker's own cell…
    let r = record(&state, &grid, &gps("", "")).await.unwrap();
    assert_eq!(appeals_row(&state, &r.ticket).await.1, "U-HD010101");
    // …but a community has several cells: it must choose.
    let Err(BackendError::Invalid(errs)) = record(&state, &community, &gps("", "")).await else {
        panic!("no place refused")
    };
    assert_eq!(errs, vec![domain::FieldError::new(FieldName::Region, Msg::ErrRegionMissing)]);
    assert_eq!(backend::services::intake::default_cell(&cat, &community).map(|r| r.code.as_str()), None);
    assert_eq!(backend::services::intake::default_cell(&cat, &grid).map(|r| r.code.as_str()), Some("HD010101"));
}
both_engines!(gps_points_route_like_the_residents_and_the_own_cell_is_the_default);

async fn appeals_count(state: &backend::AppState) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appeals").fetch_one(&state.db.pool).await.unwrap();
    n
}
