//! Issue 9 §4 on both engines: the (account, client) throttle that no stranger can turn into a
//! lock-out, the TOTP second factor (replay, recovery codes), and the self-service password
//! change.

use crate::common;

use backend::auth;
use backend::auth::signin::{self, SigninError};
use backend::{AppState, BackendError};
use common::Engine;
use domain::{FieldName, Msg};

const PASSWORD: &str = "correct horse battery";

async fn failed(state: &AppState, client: &str, user: &str) -> SigninError {
    auth::login(state, client, user, "not the password at all").await.unwrap_err()
}

async fn throttle_is_per_account_and_client_and_grows(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    common::staff(&state, "wang", "U-HD0101", "unit_handler").await;
    // Three free failures, then 1 s, 2 s, 4 s … for this (account, client) pair only.
    for _ in 0..3 {
        assert!(matches!(failed(&state, "10.0.0.1", "wang").await, SigninError::Failed));
    }
    let mut waits = Vec::new();
    for _ in 0..4 {
        match auth::login(&state, "10.0.0.1", "wang", PASSWORD).await {
            Err(SigninError::Throttled { retry_after }) => waits.push(retry_after),
            other => panic!("expected a wait, got {other:?}"),
        }
        clock.advance(time::Duration::seconds(waits.last().copied().unwrap()));
        assert!(matches!(failed(&state, "10.0.0.1", "wang").await, SigninError::Failed));
    }
    assert_eq!(waits, vec![1, 2, 4, 8], "the wait doubles");
    // Still waiting, even with the right password (the router test shows argon2 is not run).
    assert!(matches!(
        auth::login(&state, "10.0.0.1", "wang", PASSWORD).await,
        Err(SigninError::Throttled { retry_after: 16 })
    ));
    // The owner, from another client, is not refused; and the pair for another account is free.
    let ok = auth::login(&state, "10.0.0.2", "wang", PASSWORD).await.unwrap();
    assert_eq!(ok.staff.username, "wang");
    assert!(!ok.needs_code);
    assert!(
        matches!(failed(&state, "10.0.0.1", "nobody").await, SigninError::Failed),
        "unknown names are counted, not refused at once"
    );
    // After the wait the right password works and clears the pair's count.
    clock.advance(time::Duration::seconds(16));
    auth::login(&state, "10.0.0.1", "wang", PASSWORD).await.unwrap();
    assert!(matches!(failed(&state, "10.0.0.1", "wang").await, SigninError::Failed));
    assert!(
        auth::login(&state, "10.0.0.1", "wang", PASSWORD).await.is_ok(),
        "one failure after a success is free again"
    );
    // Old rows are swept once they block nothing.
    clock.advance(time::Duration::days(2));
    assert!(signin::sweep(&state).await.unwrap() >= 1);
}
both_engines!(throttle_is_per_account_and_client_and_grows);

async fn totp_codes_are_single_use_and_recovery_codes_work_once(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let boss = common::staff(&state, "boss", "U-SF", "admin").await;
    assert!(signin::totp_required(boss.role));
    let secret = signin::new_secret();
    assert_eq!(totp_rs::Secret::Encoded(secret.clone()).to_bytes().unwrap().len(), 20, "160 bits");
    // A wrong code does not enrol.
    let e = signin::confirm_enrolment(&state, &boss, &secret, "000000").await;
    let wrong = signin::code_at(&secret, state.clock.ts()).unwrap() == "000000";
    if !wrong {
        assert!(
            matches!(e, Err(BackendError::Invalid(ref v)) if v[0].field == FieldName::Code && v[0].msg == Msg::ErrCodeWrong)
        );
    }
    let now = state.clock.ts();
    let code = signin::code_at(&secret, now).unwrap();
    let (recovery, _) = signin::confirm_enrolment(&state, &boss, &secret, &code).await.unwrap();
    assert_eq!(recovery.len(), 10);
    assert!(signin::enrolled(&state, &boss.id).await.unwrap());
    assert!(
        matches!(signin::confirm_enrolment(&state, &boss, &secret, &code).await, Err(BackendError::Invalid(_))),
        "once"
    );
    // The password now asks for a code.
    assert!(auth::login(&state, "c", "boss", PASSWORD).await.unwrap().needs_code);
    // The code used to enrol is spent; so is any older one.
    assert!(matches!(signin::verify_second_factor(&state, "c", &boss.id, &code).await, Err(SigninError::Failed)));
    clock.advance(time::Duration::seconds(30));
    let next = signin::code_at(&secret, state.clock.ts()).unwrap();
    // ±1 step: the next step's code is taken a little early, the one after is not.
    let far = signin::code_at(&secret, state.clock.ts() + 60).unwrap();
    if far != next {
        assert!(matches!(signin::verify_second_factor(&state, "c", &boss.id, &far).await, Err(SigninError::Failed)));
    }
    assert_eq!(signin::verify_second_factor(&state, "c", &boss.id, &next).await.unwrap().id, boss.id);
    assert!(
        matches!(signin::verify_second_factor(&state, "c2", &boss.id, &next).await, Err(SigninError::Failed)),
        "replayed from elsewhere"
    );
    // A recovery code works once, typed in any case and with or without dashes.
    let rc = recovery[3].to_lowercase().replace('-', " ");
    assert!(signin::verify_second_factor(&state, "c3", &boss.id, &rc).await.is_ok());
    assert!(matches!(
        signin::verify_second_factor(&state, "c3", &boss.id, &recovery[3]).await,
        Err(SigninError::Failed)
    ));
    assert_eq!(signin::recovery_left(&state, &boss.id).await.unwrap(), 9);
    // New codes need a current code from the authenticator: not none, not a wrong or spent one,
    // not a recovery code; then they replace the old ones.
    let refused = |r: backend::Result<Vec<String>>| matches!(r, Err(BackendError::Invalid(ref v)) if v[0].field == FieldName::Code && v[0].msg == Msg::ErrCodeWrong);
    assert!(refused(signin::regenerate_recovery_codes(&state, &boss, "").await));
    assert!(refused(signin::regenerate_recovery_codes(&state, &boss, &next).await), "spent at sign-in");
    assert!(refused(signin::regenerate_recovery_codes(&state, &boss, &recovery[5]).await));
    assert_eq!(signin::recovery_left(&state, &boss.id).await.unwrap(), 9, "nothing replaced");
    clock.advance(time::Duration::seconds(30));
    let now_code = signin::code_at(&secret, state.clock.ts()).unwrap();
    let fresh = signin::regenerate_recovery_codes(&state, &boss, &now_code).await.unwrap();
    assert!(refused(signin::regenerate_recovery_codes(&state, &boss, &now_code).await), "once");
    assert!(matches!(
        signin::verify_second_factor(&state, "c4", &boss.id, &recovery[4]).await,
        Err(SigninError::Failed)
    ));
    assert!(signin::verify_second_factor(&state, "c4", &boss.id, &fresh[0]).await.is_ok());
    // Admins cannot switch it off; every step is audited (never a secret or a code).
    assert!(matches!(signin::disable(&state, &boss, &next).await, Err(BackendError::Forbidden)));
    let log = backend::store::audit::recent(&state.db.pool, None, None, None, 50).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    for a in ["totp_enrol", "recovery_code_used", "recovery_codes_regenerate", "sign_in", "sign_in_failed"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let dump = format!("{:?}", log.iter().map(|r| r.detail.clone()).collect::<Vec<_>>());
    assert!(!dump.contains(&secret) && !dump.contains(&fresh[1]) && !dump.contains(&next));
}
both_engines!(totp_codes_are_single_use_and_recovery_codes_work_once);

async fn optional_second_factor_can_be_turned_off_with_a_code(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let wang = common::staff(&state, "wang", "U-HD0101", "unit_handler").await;
    assert!(!signin::totp_required(wang.role));
    let secret = signin::new_secret();
    signin::confirm_enrolment(&state, &wang, &secret, &signin::code_at(&secret, state.clock.ts()).unwrap())
        .await
        .unwrap();
    clock.advance(time::Duration::seconds(30));
    signin::disable(&state, &wang, &signin::code_at(&secret, state.clock.ts()).unwrap()).await.unwrap();
    assert!(!signin::enrolled(&state, &wang.id).await.unwrap());
    assert!(!auth::login(&state, "c", "wang", PASSWORD).await.unwrap().needs_code);
}
both_engines!(optional_second_factor_can_be_turned_off_with_a_code);

async fn a_password_change_checks_the_old_one_and_the_list(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let wang = common::staff(&state, "wang", "U-HD0101", "unit_handler").await;
    clock.advance(time::Duration::seconds(5));
    let field = |r: Result<i64, BackendError>| match r {
        Err(BackendError::Invalid(v)) => (v[0].field, v[0].msg),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(
            signin::change_password(&state, "c", &wang, "wrong", "a new and fine secret", "a new and fine secret")
                .await
        ),
        (FieldName::Password, Msg::ErrCurrentPasswordWrong)
    );
    assert_eq!(
        field(
            signin::change_password(&state, "c", &wang, PASSWORD, "a new and fine secret", "a new and fine secreT")
                .await
        ),
        (FieldName::NewPassword, Msg::ErrPasswordsDiffer)
    );
    assert_eq!(
        field(signin::change_password(&state, "c", &wang, PASSWORD, "qwerty123qwerty123", "qwerty123qwerty123").await),
        (FieldName::NewPassword, Msg::ErrPasswordCommon)
    );
    let at = signin::change_password(&state, "c", &wang, PASSWORD, "a new and fine secret", "a new and fine secret")
        .await
        .unwrap();
    let after = auth::active_staff(&state, &wang.id).await.unwrap().unwrap();
    assert_eq!(after.updated_at, at, "sessions begun before this end");
    assert!(auth::login(&state, "c", "wang", PASSWORD).await.is_err());
    assert!(auth::login(&state, "c", "wang", "a new and fine secret").await.is_ok());
    // The same rule where admins and the CLI set passwords.
    let n = auth::NewStaff {
        username: "zhaoli".into(),
        display_name: "zhaoli".into(),
        unit: "U-HD0101".into(),
        role: "unit_handler".into(),
        password: "baseball123456".into(),
    };
    assert!(
        matches!(auth::create_staff(&state, &backend::audit::Who::system(), &n).await, Err(BackendError::Invalid(ref v)) if v[0].msg == Msg::ErrPasswordCommon)
    );
    assert!(auth::reset_password(&state, &backend::audit::Who::system(), &wang.id, "password1234").await.is_err());
}
both_engines!(a_password_change_checks_the_old_one_and_the_list);
