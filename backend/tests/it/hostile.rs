//! Hostile load on the backend (issue 9 §5), on SQLite and on PostgreSQL: the per-draft photo
//! budget is enforced before decoding and again when storing, and the demo accounts get a
//! password of their own per database, handed out once.

use crate::common;

use backend::config::Limits;
use backend::photos::{self, MAX_DRAFT_BYTES};
use backend::services::{appeal, demo};
use backend::store::drafts;
use backend::BackendError;
use common::Engine;
use domain::Msg;

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(40, 30, image::Rgb([10, 120, 200]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn refused_with(r: Result<(), BackendError>, msg: Msg) {
    match r {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, msg),
        other => panic!("expected {msg:?}, got {other:?}"),
    }
}

async fn the_draft_byte_budget_is_checked_before_decoding(engine: Engine) {
    let Some(state) = common::demo_state(engine, Limits::default()).await else { return };
    let form = [("category".to_owned(), "suggestion".to_owned())].into_iter().collect();
    let d = appeal::start(&state, "c", &form).await.unwrap();
    let (t, secret) = (d.token.clone(), d.secret.clone());
    // Two stored "photos" of 7 MB each (straight into the store: re-encoded photos are far
    // smaller, which is why the budget never stands in an honest resident's way).
    let seven = vec![0u8; 7 * 1024 * 1024];
    for id in ["a", "b"] {
        assert!(drafts::add_photo(&state.db.pool, &t, id, (&seven, None), photos::MAX_PHOTOS, MAX_DRAFT_BYTES, 1)
            .await
            .unwrap());
    }
    assert_eq!(drafts::photo_usage(&state.db.pool, &t).await.unwrap(), (2, 14 * 1024 * 1024));
    // 3 MB more would pass 16 MB: refused as "full", garbage included (so: not decoded).
    let three = vec![7u8; 3 * 1024 * 1024];
    refused_with(appeal::add_photo(&state, &t, &secret, three.clone()).await, Msg::ErrPhotoDraftFull);
    // The read cap handed to the upload handler is what is left.
    assert_eq!(photos::check_room(&state.db.pool, &t, 0).await.unwrap(), 2 * 1024 * 1024);
    // A small real photo still fits; the store refuses what would pass the budget even when it
    // got past the earlier checks (parallel uploads).
    appeal::add_photo(&state, &t, &secret, png()).await.unwrap();
    let t2 = appeal::start(&state, "c2", &form).await.unwrap().token;
    assert!(drafts::add_photo(&state.db.pool, &t2, "a2", (&seven, None), 3, MAX_DRAFT_BYTES, 1).await.unwrap());
    assert!(drafts::add_photo(&state.db.pool, &t2, "b2", (&seven, None), 3, MAX_DRAFT_BYTES, 1).await.unwrap());
    assert!(!drafts::add_photo(&state.db.pool, &t2, "c2", (&three, None), 3, MAX_DRAFT_BYTES, 1).await.unwrap());
    let three_photo = photos::Encoded { jpeg: three.clone(), thumb: Vec::new() };
    refused_with(photos::store(&state.db.pool, &t2, "c2", &three_photo, 1).await, Msg::ErrPhotoDraftFull);
    // And a full count is "too many", before decoding.
    let d3 = appeal::start(&state, "c3", &form).await.unwrap();
    for _ in 0..3 {
        appeal::add_photo(&state, &d3.token, &d3.secret, png()).await.unwrap();
    }
    refused_with(appeal::add_photo(&state, &d3.token, &d3.secret, b"GIF89a".to_vec()).await, Msg::ErrPhotoTooMany);
}
both_engines!(the_draft_byte_budget_is_checked_before_decoding);

async fn demo_accounts_get_a_password_per_database_once(engine: Engine) {
    let auth = backend::config::AuthConfig {
        cost: backend::config::PasswordCost::TEST,
        ..backend::config::AuthConfig::default()
    };
    let Some(one) = common::demo_state(engine, Limits::default()).await else { return };
    let one = one.with_auth(auth);
    let Some(two) = common::demo_state(engine, Limits::default()).await else { return };
    let two = two.with_auth(auth);
    let p1 = demo::seed_staff(&one).await.unwrap().expect("accounts made, password handed out");
    let p2 = demo::seed_staff(&two).await.unwrap().expect("accounts made, password handed out");
    assert_eq!(p1.len(), 20);
    assert_ne!(p1, p2, "each database gets its own random password");
    // Once: a second start finds the accounts and hands out nothing.
    assert_eq!(demo::seed_staff(&one).await.unwrap(), None);
    // The printed password is the accounts' password, and only in its own database.
    let row = backend::store::staff::by_username(&one.db.pool, "admin").await.unwrap().unwrap();
    assert!(backend::auth::password::verify(p1.clone(), row.password_hash.clone()).await.unwrap());
    assert!(!backend::auth::password::verify(p2, row.password_hash).await.unwrap());
    assert_eq!(
        backend::auth::list_staff(&one, &backend::audit::Who::system()).await.unwrap().len(),
        demo::DEMO_STAFF.len()
    );
}
both_engines!(demo_accounts_get_a_password_per_database_once);
