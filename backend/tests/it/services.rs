//! Service tests: every use case of the resident slice, on SQLite and on PostgreSQL.

use crate::common;

use backend::config::Limits;
use backend::photos::{self, Size};
use backend::services::appeal::{self, StepOutcome, SubmitOutcome};
use backend::services::{import, resident, track, work};
use backend::store::{appeals, regions};
use backend::{AppState, BackendError};
use common::{DraftRef, Engine};
use domain::draft::Step;
use domain::Msg;
use std::collections::HashMap;

fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(40, 30, image::Rgb([10, 120, 200]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// Fills every step of a new draft; returns it.
async fn fill(state: &AppState, category: &str, place: &[(&str, &str)], who: &[(&str, &str)]) -> DraftRef {
    let t = common::start(state, category).await;
    let steps: [(Step, HashMap<String, String>); 3] =
        [(Step::What, common::what_form()), (Step::Where, form(place)), (Step::Who, form(who))];
    for (step, f) in steps {
        let out = appeal::save_step(state, &t.token, &t.secret, step, &f).await.unwrap();
        assert_eq!(out, StepOutcome::Go(step.next()), "{step:?}");
    }
    t
}

async fn accepted(state: &AppState, d: &DraftRef) -> String {
    match appeal::submit(state, &d.token, &d.secret, time::OffsetDateTime::now_utc()).await.unwrap() {
        SubmitOutcome::Accepted { ticket } => ticket,
        other => panic!("not accepted: {other:?}"),
    }
}

async fn import_is_idempotent_and_all_or_nothing(engine: Engine) {
    let Some(db) = common::fresh_db(engine).await else { return };
    let files = import::demo_files();
    let first = import::import(&db, &files).await.unwrap();
    let again = import::import(&db, &files).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(regions::count_regions(&db.pool).await.unwrap(), 148);
    // A renamed unit plus one bad line: nothing of the file may be applied.
    let mut bad = import::demo_files();
    bad.units = bad.units.replace("河东区综治中心", "改名后的中心");
    bad.units.push_str("X-9,Ghost,grid_station,NOWHERE,1\n");
    match import::import(&db, &bad).await {
        Err(BackendError::Import(errs)) => assert!(errs.iter().any(|e| e.contains("unknown region \"NOWHERE\""))),
        other => panic!("expected an import error, got {other:?}"),
    }
    let units = regions::all_units(&db.pool).await.unwrap();
    assert!(units.iter().any(|u| u.name == "河东区综治中心"));
    assert!(!units.iter().any(|u| u.name == "改名后的中心"));
    // A valid rename is applied in place, not duplicated.
    let mut renamed = import::demo_files();
    renamed.units = renamed.units.replace("河东区综治中心", "河东区社会治理中心");
    import::import(&db, &renamed).await.unwrap();
    let units = regions::all_units(&db.pool).await.unwrap();
    assert_eq!(units.len(), 163);
    assert!(units.iter().any(|u| u.code == "U-HD" && u.name == "河东区社会治理中心"));
}
both_engines!(import_is_idempotent_and_all_or_nothing);

async fn submit_routes_stores_and_is_idempotent(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let t = fill(
        &state,
        "wage_arrears",
        &[("district", "HD"), ("street", ""), ("community", "")],
        &[("identity", "named"), ("name", "王师傅"), ("phone", "138 0013 8000")],
    )
    .await;
    let ticket = accepted(&state, &t).await;
    let row = appeals::by_ticket(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!(row.unit, "D-HD-hrss");
    assert_eq!(row.status.as_str(), "assigned");
    assert!(row.deadline_at > row.submitted_at + 10 * 86_400, "10 working days");
    let events = appeals::public_events(&state.db.pool, &ticket).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["submitted", "routed"]);
    // The same token again: same ticket, still one appeal.
    assert_eq!(accepted(&state, &t).await, ticket);
    assert_eq!(appeals::count_by_token(&state.db.pool, &t.token).await.unwrap(), 1);
    // Editing a submitted draft changes nothing and says so.
    let out = appeal::save_step(&state, &t.token, &t.secret, Step::What, &form(&[("description", "x")])).await.unwrap();
    assert_eq!(out, StepOutcome::Submitted);
    let receipt = appeal::receipt(&state, &t.token, &t.secret).await.unwrap();
    assert_eq!(receipt.unit.name, "河东区人力资源和社会保障局");
    assert_eq!(receipt.ticket.replace('-', ""), ticket);
}
both_engines!(submit_routes_stores_and_is_idempotent);

async fn parallel_double_submit_makes_one_appeal(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let t = fill(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "anonymous")],
    )
    .await;
    let (a, b, c) = tokio::join!(accepted(&state, &t), accepted(&state, &t), accepted(&state, &t));
    assert_eq!(a, b);
    assert_eq!(b, c);
    assert_eq!(appeals::count_by_token(&state.db.pool, &t.token).await.unwrap(), 1);
    let row = appeals::by_ticket(&state.db.pool, &a).await.unwrap().unwrap();
    assert_eq!(row.unit, "U-HD0101", "community-level category goes to the community committee");
}
both_engines!(parallel_double_submit_makes_one_appeal);

/// Submissions arriving together (group-committed on SQLite) each get their own appeal, with its
/// events, its unit's message and the receipt in its draft, acknowledged only once stored.
async fn concurrent_submissions_are_each_stored(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits { submit_per_hour: 1000, ..Limits::default() }).await else {
        return;
    };
    let mut drafts = Vec::new();
    for _ in 0..40 {
        let d = fill(
            &state,
            "sanitation",
            &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
            &[("identity", "anonymous")],
        )
        .await;
        drafts.push(d);
    }
    // Every fifth draft is sent twice at once (a double tap): both copies can land in one batch,
    // where the second fails on the draft's unique token. That failure must stay its own (the
    // batch runs again job by job) and the second tap gets the first one's appeal.
    let sends: Vec<&common::DraftRef> =
        drafts.iter().enumerate().flat_map(|(i, d)| if i % 5 == 0 { vec![d, d] } else { vec![d] }).collect();
    let tasks: Vec<_> = sends
        .iter()
        .map(|d| {
            let (state, token, secret) = (state.clone(), d.token.clone(), d.secret.clone());
            tokio::spawn(async move { appeal::submit(&state, &token, &secret, time::OffsetDateTime::now_utc()).await })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        match t.await.unwrap().unwrap() {
            SubmitOutcome::Accepted { ticket } => answers.push(ticket),
            other => panic!("not accepted: {other:?}"),
        }
    }
    let mut tickets = Vec::new();
    for (i, ticket) in answers.iter().enumerate() {
        if i > 0 && std::ptr::eq(sends[i], sends[i - 1]) {
            assert_eq!(ticket, &answers[i - 1], "the second tap gets the first one's appeal");
        } else {
            tickets.push(ticket.clone());
        }
    }
    let mut distinct = tickets.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 40, "one appeal per draft");
    for (d, ticket) in drafts.iter().zip(&tickets) {
        assert_eq!(appeals::count_by_token(&state.db.pool, &d.token).await.unwrap(), 1);
        let events = appeals::public_events(&state.db.pool, ticket).await.unwrap();
        assert_eq!(events.len(), 2, "{ticket}: submitted + routed");
        let receipt = appeal::receipt(&state, &d.token, &d.secret).await.unwrap();
        assert_eq!(receipt.ticket.replace('-', ""), *ticket);
    }
}
both_engines!(concurrent_submissions_are_each_stored);

async fn point_routing_and_outside_the_city(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let inside =
        fill(&state, "neighbor_dispute", &[("lat", "35.485"), ("lng", "106.605")], &[("identity", "anonymous")]).await;
    let ticket = accepted(&state, &inside).await;
    assert_eq!(appeals::by_ticket(&state.db.pool, &ticket).await.unwrap().unwrap().unit, "U-HD010101");
    // A resident's point outside the city is not routed to the city centre unnoticed (issue 14):
    // the where step stays, with the field's message, and keeps the point for the resident to
    // see and change. (Open311 clients' outside points are routed to the city: open311.rs.)
    let d = common::start(&state, "neighbor_dispute").await;
    let what = appeal::save_step(&state, &d.token, &d.secret, Step::What, &common::what_form()).await.unwrap();
    assert_eq!(what, StepOutcome::Go(Step::Where));
    let out = appeal::save_step(&state, &d.token, &d.secret, Step::Where, &form(&[("lat", "34.0"), ("lng", "106.0")]))
        .await
        .unwrap();
    assert_eq!(out, StepOutcome::Stay(Step::Where));
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    assert_eq!(v.draft.errors.iter().map(|e| e.msg).collect::<Vec<_>>(), [Msg::ErrPointOutsideCity]);
    assert_eq!((v.draft.lat.as_str(), v.draft.lng.as_str()), ("34.0", "106.0"), "the point is kept");
    assert_eq!(appeals::count_by_token(&state.db.pool, &d.token).await.unwrap(), 0);
}
both_engines!(point_routing_and_outside_the_city);

async fn invalid_steps_keep_what_was_typed(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let d = common::start(&state, "").await;
    let t = d.token.as_str();
    let sec = d.secret.as_str();
    let out = appeal::save_step(&state, t, sec, Step::What, &form(&[("description", "太短了")])).await.unwrap();
    assert_eq!(out, StepOutcome::Stay(Step::What));
    let v = appeal::draft_view(&state, t, sec).await.unwrap();
    assert_eq!(v.draft.description, "太短了");
    assert_eq!(v.draft.errors[0].msg, Msg::ErrDescriptionShort);
    // Unknown category and a street outside the chosen district are caught against the catalog.
    let out = appeal::save_step(&state, t, sec, Step::Category, &form(&[("category", "rockets")])).await.unwrap();
    assert_eq!(out, StepOutcome::Stay(Step::Category));
    assert_eq!(appeal::draft_view(&state, t, sec).await.unwrap().draft.errors[0].msg, Msg::ErrCategoryUnknown);
    let out = appeal::save_step(&state, t, sec, Step::Where, &form(&[("district", "HD")])).await.unwrap();
    assert_eq!(out, StepOutcome::Go(Step::Photos));
    // A street of another district (a stale select with JavaScript off) is dropped, not kept.
    let out =
        appeal::save_step(&state, t, sec, Step::Where, &form(&[("district", "HD"), ("street", "HX01")])).await.unwrap();
    assert_eq!(out, StepOutcome::Go(Step::Photos));
    assert_eq!(appeal::draft_view(&state, t, sec).await.unwrap().draft.street, "");
    // An unknown district is an error on the region field.
    let out = appeal::save_step(&state, t, sec, Step::Where, &form(&[("district", "ZZ")])).await.unwrap();
    assert_eq!(out, StepOutcome::Stay(Step::Where));
    // Refining the cascade never shows errors; changing the district drops the old street.
    let out = appeal::save_step(
        &state,
        t,
        sec,
        Step::Where,
        &form(&[("district", "HX"), ("street", "HD01"), ("action", "refine")]),
    )
    .await
    .unwrap();
    assert_eq!(out, StepOutcome::Stay(Step::Where));
    let v = appeal::draft_view(&state, t, sec).await.unwrap();
    assert_eq!((v.draft.district.as_str(), v.draft.street.as_str()), ("HX", ""));
    assert!(v.draft.errors.is_empty());
    assert_eq!(v.streets.len(), 3);
    // Submitting an incomplete draft sends the resident to the first unfinished step.
    let out = appeal::submit(&state, t, sec, time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(out, SubmitOutcome::Incomplete(Step::Category));
}
both_engines!(invalid_steps_keep_what_was_typed);

async fn photos_are_capped_and_move_with_the_appeal(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let t = fill(&state, "safety_hazard", &[("district", "GX")], &[("identity", "anonymous")]).await;
    for _ in 0..3 {
        appeal::add_photo(&state, &t.token, &t.secret, png()).await.unwrap();
    }
    match appeal::add_photo(&state, &t.token, &t.secret, png()).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrPhotoTooMany),
        other => panic!("{other:?}"),
    }
    // Not decoded at all once the draft is full: "too many", not "wrong type" (issue 9 §5).
    match appeal::add_photo(&state, &t.token, &t.secret, b"not an image".to_vec()).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrPhotoTooMany),
        other => panic!("{other:?}"),
    }
    let ids = appeal::draft_view(&state, &t.token, &t.secret).await.unwrap().photo_ids;
    assert_eq!(ids.len(), 3);
    let jpeg = appeal::draft_photo(&state, &t.token, &t.secret, &ids[0], Size::Full).await.unwrap();
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    appeal::remove_photo(&state, &t.token, &t.secret, &ids[0]).await.unwrap();
    let ticket = accepted(&state, &t).await;
    assert_eq!(appeals::photo_count(&state.db.pool, &ticket).await.unwrap(), 2);
    assert!(appeal::draft_view(&state, &t.token, &t.secret).await.unwrap().photo_ids.is_empty());
}
both_engines!(photos_are_capped_and_move_with_the_appeal);

/// A JPEG's pixel size.
fn size_of(jpeg: &[u8]) -> (u32, u32) {
    assert_eq!(image::guess_format(jpeg).unwrap(), image::ImageFormat::Jpeg);
    let img = image::load_from_memory(jpeg).unwrap();
    (img.width(), img.height())
}

fn photo_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 60]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// Issue 14: every accepted photo keeps a square thumbnail beside it, in the draft, after
/// submitting and when added from the track page; it is served with the photo's own access rules;
/// a photo stored before thumbnails (none kept) is served whole when its thumbnail is asked for.
async fn photos_keep_a_thumbnail_for_lists(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let t =
        fill(&state, "safety_hazard", &[("district", "HD"), ("street", "HD01")], &[("identity", "anonymous")]).await;
    appeal::add_photo(&state, &t.token, &t.secret, photo_png(2400, 1200)).await.unwrap();
    let big = appeal::draft_view(&state, &t.token, &t.secret).await.unwrap().photo_ids[0].clone();
    appeal::add_photo(&state, &t.token, &t.secret, photo_png(100, 60)).await.unwrap();
    let ids = appeal::draft_view(&state, &t.token, &t.secret).await.unwrap().photo_ids;
    let small = ids.iter().find(|id| **id != big).unwrap().clone();
    let (big, small) = (&big, &small);
    let full = appeal::draft_photo(&state, &t.token, &t.secret, big, Size::Full).await.unwrap();
    let thumb = appeal::draft_photo(&state, &t.token, &t.secret, big, Size::Thumb).await.unwrap();
    assert_eq!(size_of(&full), (photos::MAX_SIDE, photos::MAX_SIDE / 2));
    assert_eq!(size_of(&thumb), (photos::THUMB_SIDE, photos::THUMB_SIDE));
    assert!(thumb.len() * 4 < full.len(), "{} / {}", thumb.len(), full.len());
    let small_thumb = appeal::draft_photo(&state, &t.token, &t.secret, small, Size::Thumb).await.unwrap();
    assert_eq!(size_of(&small_thumb), (60, 60));
    // The same rules as the photo: another browser's secret opens neither.
    assert!(matches!(
        appeal::draft_photo(&state, &t.token, "not-the-secret", big, Size::Thumb).await,
        Err(BackendError::NotFound)
    ));
    // A photo from before migration 0021: no thumbnail, so the list gets the photo itself.
    sqlx::query("UPDATE draft_photos SET thumb = NULL WHERE id = $1")
        .bind(small)
        .execute(&state.db.pool)
        .await
        .unwrap();
    let old_full = appeal::draft_photo(&state, &t.token, &t.secret, small, Size::Full).await.unwrap();
    let old_thumb = appeal::draft_photo(&state, &t.token, &t.secret, small, Size::Thumb).await.unwrap();
    assert_eq!(old_thumb, old_full);
    assert_eq!(size_of(&old_thumb), (100, 60));
    // Submitted: the thumbnails move with the photos.
    let ticket = accepted(&state, &t).await;
    let r = appeal::receipt(&state, &t.token, &t.secret).await.unwrap();
    let session = track::open(&state, "ip", &r.ticket, &r.key).await.unwrap();
    assert_eq!(resident::photo_in_session(&state, &session, big, Size::Thumb).await.unwrap(), thumb);
    assert_eq!(resident::photo_in_session(&state, &session, big, Size::Full).await.unwrap(), full);
    assert_eq!(resident::photo_in_session(&state, &session, small, Size::Thumb).await.unwrap(), old_full);
    // Added from the track page: a thumbnail too.
    resident::add_photo_to(&state, &ticket, photo_png(900, 1800)).await.unwrap();
    let added = appeals::photo_ids(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .find(|id| id != big && id != small)
        .unwrap();
    let added_thumb = resident::photo_in_session(&state, &session, &added, Size::Thumb).await.unwrap();
    assert_eq!(size_of(&added_thumb), (photos::THUMB_SIDE, photos::THUMB_SIDE));
    assert_eq!(size_of(&resident::photo_in_session(&state, &session, &added, Size::Full).await.unwrap()), (800, 1600));
    // Staff: within their scope only, thumbnail or photo.
    let unit = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().unit;
    assert_eq!(unit, "U-HD01", "a grid matter placed only down to the street goes to the street's centre");
    let handler = common::staff(&state, "thumb-handler", &unit, "dispatcher").await;
    assert_eq!(work::photo(&state, &handler, &ticket, &added, Size::Thumb).await.unwrap(), added_thumb);
    assert_eq!(work::photo(&state, &handler, &ticket, small, Size::Thumb).await.unwrap(), old_full);
    let elsewhere = common::staff(&state, "thumb-elsewhere", "U-HX", "dispatcher").await;
    assert_ne!(unit, "U-HX");
    assert!(matches!(work::photo(&state, &elsewhere, &ticket, big, Size::Thumb).await, Err(BackendError::NotFound)));
}
both_engines!(photos_keep_a_thumbnail_for_lists);

async fn tracking_needs_both_and_says_nothing_more(engine: Engine) {
    let limits = Limits { track_per_10min: 6, ..Limits::default() };
    let Some(state) = common::demo_state(engine, limits).await else { return };
    let t = fill(&state, "suggestion", &[("district", "HX"), ("street", "HX02")], &[("identity", "anonymous")]).await;
    accepted(&state, &t).await;
    let r = appeal::receipt(&state, &t.token, &t.secret).await.unwrap();
    let found = track::track(&state, "ip1", &r.ticket, &r.key).await.unwrap();
    assert_eq!(found.unit.code, "U-HX02");
    assert_eq!(found.events.len(), 2);
    assert_eq!(found.status.as_str(), "assigned");
    // Lower case and without dashes works too.
    track::track(&state, "ip1", &r.ticket.to_lowercase(), &r.key.replace('-', "")).await.unwrap();
    // Wrong key and unknown ticket look the same.
    let mut wrong_key = r.key.clone();
    wrong_key.replace_range(0..1, if wrong_key.starts_with('A') { "B" } else { "A" });
    assert!(matches!(track::track(&state, "ip1", &r.ticket, &wrong_key).await, Err(BackendError::NotFound)));
    assert!(matches!(track::track(&state, "ip1", "PA-0000-0000", &r.key).await, Err(BackendError::NotFound)));
    match track::track(&state, "ip1", "bad", "").await {
        Err(BackendError::Invalid(e)) => assert_eq!(e.len(), 2),
        other => panic!("{other:?}"),
    }
    // Sixth attempt was the last allowed; the seventh is refused even with the right key.
    track::track(&state, "ip1", &r.ticket, &r.key).await.unwrap();
    assert!(matches!(track::track(&state, "ip1", &r.ticket, &r.key).await, Err(BackendError::RateLimited)));
    assert!(track::track(&state, "ip2", &r.ticket, &r.key).await.is_ok());
}
both_engines!(tracking_needs_both_and_says_nothing_more);

async fn drafts_open_only_with_their_browser_secret(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let draft_rows = |state: &AppState| {
        let pool = state.db.pool.clone();
        async move { sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM drafts").fetch_one(&pool).await.unwrap().0 }
    };
    let a = fill(
        &state,
        "wage_arrears",
        &[("district", "HD")],
        &[("identity", "named"), ("name", "王师傅"), ("phone", "13800138000")],
    )
    .await;
    let b = common::start(&state, "sanitation").await;
    let before = draft_rows(&state).await;
    // A token nobody issued is no draft, whatever is asked of it, and nothing is written.
    let invented = appeal::new_token();
    let f = form(&[("description", "攻击者想要的草稿内容，足够长")]);
    let nf = |r: Result<(), BackendError>| matches!(r, Err(BackendError::NotFound));
    for secret in [a.secret.as_str(), "", "not hex"] {
        assert!(nf(appeal::draft_view(&state, &invented, secret).await.map(|_| ())));
        assert!(nf(appeal::save_step(&state, &invented, secret, Step::What, &f).await.map(|_| ())));
        assert!(nf(appeal::add_photo(&state, &invented, secret, png()).await));
        assert!(nf(appeal::remove_photo(&state, &invented, secret, "x").await));
        assert!(nf(appeal::draft_photo(&state, &invented, secret, "x", Size::Full).await.map(|_| ())));
        assert!(nf(appeal::set_step_errors(&state, &invented, secret, Step::Photos, Vec::new()).await));
        assert!(nf(appeal::submit(&state, &invented, secret, time::OffsetDateTime::now_utc()).await.map(|_| ())));
        assert!(nf(appeal::receipt(&state, &invented, secret).await.map(|_| ())));
    }
    assert_eq!(draft_rows(&state).await, before, "no draft comes from an invented token");
    // A real draft with another browser's secret, or none: the same answer, nothing changed.
    appeal::add_photo(&state, &a.token, &a.secret, png()).await.unwrap();
    let photo = appeal::draft_view(&state, &a.token, &a.secret).await.unwrap().photo_ids[0].clone();
    for secret in [b.secret.as_str(), "", &appeal::new_token()] {
        assert!(nf(appeal::draft_view(&state, &a.token, secret).await.map(|_| ())));
        assert!(nf(appeal::save_step(&state, &a.token, secret, Step::What, &f).await.map(|_| ())));
        assert!(nf(appeal::add_photo(&state, &a.token, secret, png()).await));
        assert!(nf(appeal::remove_photo(&state, &a.token, secret, &photo).await));
        assert!(nf(appeal::draft_photo(&state, &a.token, secret, &photo, Size::Full).await.map(|_| ())));
        assert!(nf(appeal::submit(&state, &a.token, secret, time::OffsetDateTime::now_utc()).await.map(|_| ())));
    }
    let v = appeal::draft_view(&state, &a.token, &a.secret).await.unwrap();
    assert_eq!((v.draft.description.as_str(), v.photo_ids.len()), ("楼道里堆满了杂物，已经两个星期没人管了", 1));
    assert_eq!(
        appeals::count_by_token(&state.db.pool, &a.token).await.unwrap(),
        0,
        "not submitted by the other browser"
    );
    // The receipt too belongs to the browser that submitted.
    accepted(&state, &a).await;
    assert!(appeal::receipt(&state, &a.token, &a.secret).await.is_ok());
    assert!(nf(appeal::receipt(&state, &a.token, &b.secret).await.map(|_| ())));
    // A draft from before the binding (no hash) is expired, even with a well-formed secret.
    sqlx::query("UPDATE drafts SET browser_hash = NULL WHERE token = $1")
        .bind(&b.token)
        .execute(&state.db.pool)
        .await
        .unwrap();
    assert!(nf(appeal::draft_view(&state, &b.token, &b.secret).await.map(|_| ())));
    // Only the hash is stored.
    let row = backend::store::drafts::get(&state.db.pool, &a.token).await.unwrap().unwrap();
    assert_eq!(row.browser_hash.as_deref(), Some(appeal::hash_secret(&a.secret).as_str()));
    assert_ne!(row.browser_hash.as_deref(), Some(a.secret.as_str()));
    // The first step's post is the rate-limited part.
    let limited = common::demo_state(engine, Limits { submit_per_hour: 1, ..Limits::default() }).await.unwrap();
    appeal::start(&limited, "ip", &form(&[("category", "other")])).await.unwrap();
    assert!(matches!(
        appeal::start(&limited, "ip", &form(&[("category", "other")])).await,
        Err(BackendError::RateLimited)
    ));
}
both_engines!(drafts_open_only_with_their_browser_secret);

async fn track_sessions_stand_for_the_key_and_own_their_flashes(engine: Engine) {
    use backend::services::resident::{self, FlashOwner};
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let t = fill(&state, "suggestion", &[("district", "HX"), ("street", "HX02")], &[("identity", "anonymous")]).await;
    let ticket = accepted(&state, &t).await;
    let r = appeal::receipt(&state, &t.token, &t.secret).await.unwrap();
    // Wrong pairs open nothing.
    assert!(matches!(
        track::open(&state, "ip", &r.ticket, "AAAAAAAAAAAAAAAAAAAAAAAAAA").await,
        Err(BackendError::NotFound)
    ));
    assert!(matches!(track::open(&state, "ip", "bad", "").await, Err(BackendError::Invalid(_))));
    let id = track::open(&state, "ip", &r.ticket, &r.key).await.unwrap();
    assert_eq!(track::session_ticket(&state, &id).await.unwrap(), ticket);
    assert_eq!(track::track_session(&state, &id).await.unwrap().ticket, r.ticket);
    for bad in ["", "zz", &appeal::new_token()] {
        assert!(matches!(track::track_session(&state, bad).await, Err(BackendError::NotFound)));
    }
    // A post without a live session stores nothing, not even a flash.
    let flashes = || backend::store::resident::flash_count(&state.db.pool);
    let before = flashes().await.unwrap();
    let bad = appeal::new_token();
    assert!(matches!(
        resident::add_information_in_session(&state, "ip", &bad, "我来补充一下情况，东门的垃圾桶满了").await,
        Err(BackendError::NotFound)
    ));
    assert!(matches!(
        resident::rate_in_session(&state, "ip", &bad, "satisfied", "").await,
        Err(BackendError::NotFound)
    ));
    assert_eq!(flashes().await.unwrap(), before);
    resident::add_information_in_session(&state, "ip", &id, "我来补充一下情况，东门的垃圾桶满了").await.unwrap();
    let kinds: Vec<String> = appeals::public_events(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str().to_owned())
        .collect();
    assert!(kinds.contains(&"supplement".to_owned()), "{kinds:?}");
    // A flash is read once, and only with the session it was made for.
    let flash = domain::staff::Flash { form: "info".into(), notice: Some(Msg::InfoReceived), ..Default::default() };
    let f = resident::put_flash(&state, FlashOwner::Session(&id), &flash).await.unwrap();
    let other = track::open(&state, "ip", &r.ticket, &r.key).await.unwrap();
    assert_eq!(resident::take_flash(&state, FlashOwner::Session(&other), &f).await.unwrap(), None);
    assert_eq!(resident::take_flash(&state, FlashOwner::Lookup, &f).await.unwrap(), None);
    assert_eq!(resident::take_flash(&state, FlashOwner::Session(&id), &f).await.unwrap(), Some(flash));
    assert_eq!(resident::take_flash(&state, FlashOwner::Session(&id), &f).await.unwrap(), None, "one shot");
    // "Forget on this phone" ends it; the other session lives on.
    track::close(&state, &id).await.unwrap();
    assert!(matches!(track::session_ticket(&state, &id).await, Err(BackendError::NotFound)));
    assert!(track::session_ticket(&state, &other).await.is_ok());
}
both_engines!(track_sessions_stand_for_the_key_and_own_their_flashes);

/// Issue 13: a resident adds photos after submitting, through their track session, under the
/// wizard's upload rules and the appeal's own room; staff and the timeline see them, nobody else.
async fn residents_add_photos_after_submitting(engine: Engine) {
    use backend::services::resident;
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let t = fill(&state, "sanitation", &[("district", "HD"), ("street", "HD01")], &[("identity", "anonymous")]).await;
    appeal::add_photo(&state, &t.token, &t.secret, png()).await.unwrap();
    let ticket = accepted(&state, &t).await;
    let r = appeal::receipt(&state, &t.token, &t.secret).await.unwrap();
    let id = track::open(&state, "ip", &r.ticket, &r.key).await.unwrap();
    assert_eq!(track::track_session(&state, &id).await.unwrap().photos.len(), 1, "the photo sent with it");
    // Not a session: nothing.
    assert!(matches!(
        resident::photo_ticket_in_session(&state, "ip", &appeal::new_token()).await,
        Err(BackendError::NotFound)
    ));
    // Not a picture: a field error, nothing stored, no event.
    let got = resident::photo_ticket_in_session(&state, "ip", &id).await.unwrap();
    assert_eq!(got, ticket);
    match resident::add_photo_to(&state, &ticket, b"<svg>not a photo</svg>".to_vec()).await {
        Err(BackendError::Invalid(errs)) => assert_eq!(errs[0].field, domain::FieldName::Photo),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(appeals::photo_count(&state.db.pool, &ticket).await.unwrap(), 1);
    // Up to six in all, then refused before anything is read, and again if it got that far.
    for _ in 1..domain::fields::APPEAL_PHOTOS_MAX {
        resident::add_photo_to(&state, &ticket, png()).await.unwrap();
    }
    let full = |r: Result<(), BackendError>| match r {
        Err(BackendError::Invalid(errs)) => errs[0].msg == Msg::ErrAppealPhotosFull,
        _ => false,
    };
    assert!(full(resident::photo_ticket_in_session(&state, "ip", &id).await.map(|_| ())));
    assert!(full(resident::add_photo_to(&state, &ticket, png()).await));
    let view = track::track_session(&state, &id).await.unwrap();
    assert_eq!(view.photos.len(), domain::fields::APPEAL_PHOTOS_MAX);
    let added = view.events.iter().filter(|e| e.kind == domain::events::EventKind::PhotoAdded).count();
    assert_eq!(added, domain::fields::APPEAL_PHOTOS_MAX - 1, "one public event per added photo");
    // The session's own photos are re-encoded JPEGs; another appeal's session cannot read them.
    let jpeg = resident::photo_in_session(&state, &id, &view.photos[5], Size::Full).await.unwrap();
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let other =
        fill(&state, "suggestion", &[("district", "HX"), ("street", "HX02")], &[("identity", "anonymous")]).await;
    accepted(&state, &other).await;
    let o = appeal::receipt(&state, &other.token, &other.secret).await.unwrap();
    let other_id = track::open(&state, "ip", &o.ticket, &o.key).await.unwrap();
    assert!(matches!(
        resident::photo_in_session(&state, &other_id, &view.photos[5], Size::Full).await,
        Err(BackendError::NotFound)
    ));
    // Staff see every photo, in order.
    assert_eq!(appeals::photo_ids(&state.db.pool, &ticket).await.unwrap(), view.photos);
    // A closed appeal takes no more photos.
    let other_ticket = track::session_ticket(&state, &other_id).await.unwrap();
    let other_unit = appeals::full(&state.db.pool, &other_ticket).await.unwrap().unwrap().unit;
    common::force(&state, &other_ticket, &other_unit, "closed").await;
    assert!(matches!(
        resident::photo_ticket_in_session(&state, "ip", &other_id).await,
        Err(BackendError::Conflict(Msg::ErrAppealClosed))
    ));
    assert!(matches!(
        resident::add_photo_to(&state, &other_ticket, png()).await,
        Err(BackendError::Conflict(Msg::ErrAppealClosed))
    ));
    assert_eq!(appeals::photo_count(&state.db.pool, &other_ticket).await.unwrap(), 0);
}
both_engines!(residents_add_photos_after_submitting);

async fn track_sessions_expire(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let (_, d) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "anonymous")],
    )
    .await;
    let (ticket, key) = common::receipt(&state, &d).await;
    let id = track::open(&state, "ip", &ticket, &key).await.unwrap();
    clock.advance(time::Duration::minutes(track::SESSION_MINUTES - 1));
    assert!(track::session_ticket(&state, &id).await.is_ok());
    clock.advance(time::Duration::minutes(2));
    assert!(matches!(track::session_ticket(&state, &id).await, Err(BackendError::NotFound)));
}
both_engines!(track_sessions_expire);

/// Issue 14: with 匿名 chosen, a name and phone typed (or left from before) are not kept, not
/// even in the draft, as the page says; named, or not yet chosen, they are.
async fn anonymous_keeps_no_name_or_phone_in_the_draft(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let d = common::start(&state, "sanitation").await;
    let who = |identity: &str| form(&[("identity", identity), ("name", "张三"), ("phone", "13800138000")]);
    // No choice made yet: the fields are on show, so what was typed stays for the error's answer.
    appeal::save_step(&state, &d.token, &d.secret, Step::Who, &who("")).await.unwrap();
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    assert_eq!((v.draft.name.as_str(), v.draft.phone.as_str()), ("张三", "13800138000"));
    assert!(v.draft.errors.iter().any(|e| e.field == domain::FieldName::Identity), "{:?}", v.draft.errors);
    appeal::save_step(&state, &d.token, &d.secret, Step::Who, &who("named")).await.unwrap();
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    assert_eq!((v.draft.name.as_str(), v.draft.phone.as_str()), ("张三", "13800138000"));
    appeal::save_step(&state, &d.token, &d.secret, Step::Who, &who("anonymous")).await.unwrap();
    let v = appeal::draft_view(&state, &d.token, &d.secret).await.unwrap();
    assert_eq!((v.draft.identity.as_str(), v.draft.name.as_str(), v.draft.phone.as_str()), ("anonymous", "", ""));
    let stored: (String,) = sqlx::query_as("SELECT data FROM drafts WHERE token = $1")
        .bind(&d.token)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert!(!stored.0.contains("13800138000") && !stored.0.contains("张三"), "{}", stored.0);
}
both_engines!(anonymous_keeps_no_name_or_phone_in_the_draft);
