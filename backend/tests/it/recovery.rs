//! Receipt recovery by phone number and SMS code (issue 14), on both engines: the same answer
//! for any number, an SMS only for a number with named appeals, codes stored as digests, expiry,
//! attempts, the limits per number and per client, and sessions that see only their number's
//! named appeals.

use crate::common::{self, Engine};
use backend::services::{recovery, track};
use backend::{AppState, BackendError};
use domain::{FieldError, FieldName, Lang, Msg};

const KNOWN: &str = "13812341234";
const OTHER: &str = "13800138000";
const UNKNOWN: &str = "13900001111";

fn cell() -> [(&'static str, &'static str); 2] {
    [("lat", "35.485"), ("lng", "106.605")]
}

async fn named(state: &AppState, phone: &str) -> String {
    common::appeal_at(
        state,
        "neighbor_dispute",
        &cell(),
        &[("identity", "named"), ("name", "王秀英"), ("phone", phone)],
    )
    .await
    .0
}

/// The recovery SMS messages in the outbox: (recipient, payload).
async fn sms(state: &AppState) -> Vec<(String, serde_json::Value)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, payload FROM outbox WHERE kind = 'recovery_code' ORDER BY id")
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
    rows.into_iter().map(|(r, p)| (r, serde_json::from_str(&p).unwrap())).collect()
}

/// The code of the newest SMS.
async fn last_code(state: &AppState) -> String {
    sms(state).await.last().unwrap().1["code"].as_str().unwrap().to_owned()
}

/// A `recovery_codes` row, every column.
type CodeRow = (String, Option<String>, String, String, i64, i64, i64);

/// Every column of every code row, as text.
async fn code_rows(state: &AppState) -> Vec<String> {
    let rows: Vec<CodeRow> = sqlx::query_as(
        "SELECT phone_key, phone, request_hash, code_hash, created_at, expires_at, attempts FROM recovery_codes",
    )
    .fetch_all(&state.db.pool)
    .await
    .unwrap();
    rows.into_iter().map(|r| format!("{r:?}")).collect()
}

fn wrong() -> FieldError {
    FieldError::new(FieldName::Code, Msg::RecoverCodeWrong)
}

/// Another code than `code` (same format).
fn not(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn same_answer_for_any_number_and_an_sms_only_for_a_known_one(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let first = named(&state, KNOWN).await;
    clock.advance(time::Duration::minutes(5));
    let mine = [first, named(&state, KNOWN).await];
    let others = named(&state, OTHER).await;
    let anonymous = common::appeal_at(&state, "neighbor_dispute", &cell(), &[("identity", "anonymous")]).await.0;

    let known = recovery::request(&state, "c1", "138 1234 1234", Lang::En).await.unwrap();
    let unknown = recovery::request(&state, "c2", UNKNOWN, Lang::En).await.unwrap();
    assert_eq!((known.len(), unknown.len()), (32, 32), "the same kind of answer");
    assert_ne!(known, unknown);

    // One SMS, to the known number, with a 6-digit code in the resident's language.
    let sent = sms(&state).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, KNOWN);
    let code = sent[0].1["code"].as_str().unwrap().to_owned();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    let text = sent[0].1["text"].as_str().unwrap();
    assert!(text.contains(&code) && text.contains("valid for 10 minutes"), "{text}");
    assert!(text.contains("Do not tell anyone this code; staff never ask for it"), "{text}");
    assert_eq!(sent[0].1["lang"], "en");

    // The code rows: one per number, neither holds the code; the unknown number is not in clear.
    let rows = code_rows(&state).await;
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(!r.contains(&code), "the raw code is stored: {r}");
        assert!(!r.contains(UNKNOWN), "an unknown number is stored in clear: {r}");
        assert!(!r.contains(&known) && !r.contains(&unknown), "a request id is stored in clear: {r}");
    }

    // A wrong code is counted; the right one opens a session listing exactly this number's
    // named appeals, newest first.
    let e = recovery::verify(&state, "c1", &known, &not(&code)).await.unwrap_err();
    assert!(matches!(e, BackendError::Invalid(ref v) if v == &vec![wrong()]), "{e:?}");
    let session = recovery::verify(&state, "c1", &known, &code).await.unwrap();
    let list = recovery::appeals(&state, &session).await.unwrap();
    let tickets: Vec<String> = list.iter().map(|a| a.ticket.replace('-', "")).collect();
    assert_eq!(tickets, vec![mine[1].replace('-', ""), mine[0].replace('-', "")], "{list:?}");
    assert!(list[0].ticket.starts_with("PA-") && list[0].ticket.len() == 12, "shown grouped: {}", list[0].ticket);
    assert_eq!(list[0].category_name.1, "Neighbour dispute");
    assert_eq!(list[0].status, domain::workflow::Status::Assigned);
    assert!(!list[0].unit_name.is_empty() && !list[0].unit_name.starts_with("U-"), "{}", list[0].unit_name);
    // The code is used up.
    let e = recovery::verify(&state, "c1", &known, &code).await.unwrap_err();
    assert!(matches!(e, BackendError::Conflict(Msg::RecoverCodeExpired)), "{e:?}");

    // Opening: only this number's tickets; another's, an anonymous one, garbage: not found.
    for t in [&others, &anonymous] {
        assert!(matches!(recovery::open(&state, &session, t).await, Err(BackendError::NotFound)), "{t}");
    }
    assert!(matches!(recovery::open(&state, &session, "PA-0000-0000").await, Err(BackendError::NotFound)));
    assert!(matches!(recovery::open(&state, &session, "x").await, Err(BackendError::NotFound)));
    let id = recovery::open(&state, &session, &list[1].ticket).await.unwrap();
    let view = track::track_session(&state, &id).await.unwrap();
    assert_eq!(view.ticket.replace('-', ""), mine[0].replace('-', ""));
    // A session of nobody opens nothing.
    assert!(matches!(recovery::open(&state, &"0".repeat(32), &list[1].ticket).await, Err(BackendError::NotFound)));

    // Once delivered, the outbox row no longer holds the code; the file record never did.
    let file = std::env::temp_dir().join(format!("pingan-recovery-{}.log", &known[..8]));
    let sink = backend::notify::Sink::parse(&format!("file:{}", file.display()), None).unwrap();
    // (Delivered while the code lives: an expired one is given up unsent, see below.)
    backend::notify::deliver_due(&state.db.pool, &sink, "test", state.clock.ts()).await.unwrap();
    let record = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(record.contains("recovery_code") && !record.contains(&code) && !record.contains(KNOWN), "{record}");
    let after = sms(&state).await;
    assert_eq!(after[0].1["code"], "(sent)", "wiped after delivery: {after:?}");
}
both_engines!(same_answer_for_any_number_and_an_sms_only_for_a_known_one);

async fn codes_expire_die_after_five_wrong_answers_and_are_replaced(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    named(&state, KNOWN).await;
    named(&state, OTHER).await;
    let minute = time::Duration::minutes(1);

    // Expired after 10 minutes.
    let id = recovery::request(&state, "c1", KNOWN, Lang::ZhCn).await.unwrap();
    let code = last_code(&state).await;
    clock.advance(minute * 10 + time::Duration::seconds(1));
    let e = recovery::verify(&state, "c1", &id, &code).await.unwrap_err();
    assert!(matches!(e, BackendError::Conflict(Msg::RecoverCodeExpired)), "{e:?}");

    // Five wrong answers: four are "wrong", the fifth kills the code, the right one is too late.
    // A malformed answer is not counted.
    let id = recovery::request(&state, "c2", KNOWN, Lang::ZhCn).await.unwrap();
    let code = last_code(&state).await;
    let e = recovery::verify(&state, "c2", &id, "12a456").await.unwrap_err();
    assert!(
        matches!(e, BackendError::Invalid(ref v) if v == &vec![FieldError::new(FieldName::Code, Msg::RecoverCodeFormat)])
    );
    for _ in 0..4 {
        let e = recovery::verify(&state, "c2", &id, &not(&code)).await.unwrap_err();
        assert!(matches!(e, BackendError::Invalid(ref v) if v == &vec![wrong()]), "{e:?}");
    }
    let e = recovery::verify(&state, "c2", &id, &not(&code)).await.unwrap_err();
    assert!(matches!(e, BackendError::Conflict(Msg::RecoverCodeDead)), "{e:?}");
    let e = recovery::verify(&state, "c2", &id, &code).await.unwrap_err();
    assert!(matches!(e, BackendError::Conflict(Msg::RecoverCodeExpired)), "{e:?}");
    assert!(code_rows(&state).await.is_empty(), "the dead code is gone");

    // A new request replaces the number's code: the first request's code no longer works.
    let first = recovery::request(&state, "c3", OTHER, Lang::ZhCn).await.unwrap();
    let first_code = last_code(&state).await;
    let second = recovery::request(&state, "c3", OTHER, Lang::ZhCn).await.unwrap();
    let second_code = last_code(&state).await;
    assert_eq!(code_rows(&state).await.len(), 1, "one live code per number");
    let e = recovery::verify(&state, "c3", &first, &first_code).await.unwrap_err();
    assert!(matches!(e, BackendError::Conflict(Msg::RecoverCodeExpired)), "{e:?}");
    // The code of another request of the same number is not this request's either.
    if first_code != second_code {
        let e = recovery::verify(&state, "c3", &second, &first_code).await.unwrap_err();
        assert!(matches!(e, BackendError::Invalid(_)), "{e:?}");
    }
    recovery::verify(&state, "c3", &second, &second_code).await.unwrap();
    // No pending request (no cookie, or garbage): "expired", never a server error.
    for id in ["", "nonsense", &"f".repeat(32)] {
        let e = recovery::verify(&state, "c4", id, "123456").await.unwrap_err();
        assert!(matches!(e, BackendError::Conflict(Msg::RecoverCodeExpired)), "{id}: {e:?}");
    }
}
both_engines!(codes_expire_die_after_five_wrong_answers_and_are_replaced);

async fn limits_per_number_and_per_client_are_the_same_for_any_number(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    named(&state, KNOWN).await;
    let mut n = 0;
    let mut fresh_client = || {
        n += 1;
        format!("client-{n}")
    };
    let limited = |r: backend::Result<String>| matches!(r, Err(BackendError::RateLimited));

    // Per number: three codes in an hour, for a known and an unknown number alike.
    let mut live = String::new();
    for phone in [KNOWN, UNKNOWN] {
        for _ in 0..3 {
            let id = recovery::request(&state, &fresh_client(), phone, Lang::ZhCn).await.unwrap();
            if phone == KNOWN {
                live = id;
            }
        }
        assert!(limited(recovery::request(&state, &fresh_client(), phone, Lang::ZhCn).await), "{phone}");
    }
    assert_eq!(sms(&state).await.len(), 3, "no SMS for a refused request");
    // The refused request left the live code alone.
    recovery::verify(&state, "v", &live, &last_code(&state).await).await.unwrap();
    // An hour later two more (five in the day), then the day's limit.
    clock.advance(time::Duration::minutes(61));
    for _ in 0..2 {
        recovery::request(&state, &fresh_client(), KNOWN, Lang::ZhCn).await.unwrap();
    }
    assert!(limited(recovery::request(&state, &fresh_client(), KNOWN, Lang::ZhCn).await), "five a day");
    assert_eq!(sms(&state).await.len(), 5);
    clock.advance(time::Duration::hours(24));
    recovery::request(&state, &fresh_client(), KNOWN, Lang::ZhCn).await.unwrap();
    assert_eq!(sms(&state).await.len(), 6, "a new day");

    // Per client: five requests an hour, whatever they ask (a malformed number counts too).
    let phones = ["13700000001", "13700000002", "13700000003", "13700000004"];
    let e = recovery::request(&state, "busy", "12345", Lang::ZhCn).await.unwrap_err();
    assert!(matches!(e, BackendError::Invalid(ref v) if v[0].field == FieldName::Phone), "{e:?}");
    for p in phones {
        recovery::request(&state, "busy", p, Lang::ZhCn).await.unwrap();
    }
    assert!(limited(recovery::request(&state, "busy", "13700000005", Lang::ZhCn).await));
    assert!(limited(recovery::request(&state, "busy", KNOWN, Lang::ZhCn).await));
    recovery::request(&state, "calm", "13700000005", Lang::ZhCn).await.unwrap();
    clock.advance(time::Duration::minutes(61));
    recovery::request(&state, "busy", "13700000006", Lang::ZhCn).await.unwrap();
}
both_engines!(limits_per_number_and_per_client_are_the_same_for_any_number);

async fn sessions_expire_after_thirty_minutes_and_can_be_ended(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let ticket = named(&state, KNOWN).await;
    let session = async {
        let id = recovery::request(&state, "c8", KNOWN, Lang::ZhCn).await.unwrap();
        recovery::verify(&state, "v", &id, &last_code(&state).await).await.unwrap()
    };
    let s = session.await;
    clock.advance(time::Duration::minutes(29));
    assert_eq!(recovery::appeals(&state, &s).await.unwrap().len(), 1);
    clock.advance(time::Duration::minutes(1) + time::Duration::seconds(1));
    assert!(matches!(recovery::appeals(&state, &s).await, Err(BackendError::NotFound)));
    assert!(matches!(recovery::open(&state, &s, &ticket).await, Err(BackendError::NotFound)));

    let id = recovery::request(&state, "c9", KNOWN, Lang::ZhCn).await.unwrap();
    let s = recovery::verify(&state, "v", &id, &last_code(&state).await).await.unwrap();
    recovery::close(&state, &s).await.unwrap();
    assert!(matches!(recovery::appeals(&state, &s).await, Err(BackendError::NotFound)));
    // Ending an unknown or malformed session is not an error.
    recovery::close(&state, "nonsense").await.unwrap();
}
both_engines!(sessions_expire_after_thirty_minutes_and_can_be_ended);

async fn parallel_requests_of_one_client_count_one_after_the_other(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    // Ten requests at once from one client, each for another number (so only the client's limit
    // can refuse). Each counts in its own transaction: without serialising them per client, on
    // PostgreSQL none would see the others' rows and all ten would pass.
    let state = &state;
    let r = |i: u32| async move { recovery::request(state, "burst", &format!("1370000{i:04}"), Lang::ZhCn).await };
    let all = tokio::join!(r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(8), r(9), r(10));
    let all = [all.0, all.1, all.2, all.3, all.4, all.5, all.6, all.7, all.8, all.9];
    let accepted = all.iter().filter(|r| r.is_ok()).count();
    assert!(all.iter().all(|r| matches!(r, Ok(_) | Err(BackendError::RateLimited))), "{all:?}");
    assert_eq!(accepted, usize::try_from(recovery::REQUESTS_PER_CLIENT_HOUR).unwrap(), "{all:?}");
    // Another client is not affected.
    recovery::request(state, "calm", "13700000011", Lang::ZhCn).await.unwrap();
}
both_engines!(parallel_requests_of_one_client_count_one_after_the_other);

async fn a_number_gets_ten_wrong_answers_a_day_over_all_its_codes(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    named(&state, KNOWN).await;
    named(&state, OTHER).await;
    let limited = |r: &backend::Result<String>| matches!(r, Err(BackendError::RateLimited));
    // Two codes take four wrong answers each (each code survives four), a third takes two: ten.
    for (client, wrongs) in [("c1", 4), ("c2", 4), ("c3", 2)] {
        let id = recovery::request(&state, client, KNOWN, Lang::ZhCn).await.unwrap();
        let code = last_code(&state).await;
        for _ in 0..wrongs {
            let e = recovery::verify(&state, client, &id, &not(&code)).await.unwrap_err();
            assert!(matches!(e, BackendError::Invalid(ref v) if v == &vec![wrong()]), "{client}: {e:?}");
        }
        if client == "c3" {
            // The eleventh answer of the day is refused, right or wrong, and the code lives on.
            assert!(limited(&recovery::verify(&state, client, &id, &not(&code)).await));
            assert!(limited(&recovery::verify(&state, client, &id, &code).await));
            assert_eq!(code_rows(&state).await.len(), 1);
        }
    }
    let text = sms(&state).await.last().unwrap().1["text"].as_str().unwrap().to_owned();
    assert!(text.contains("请勿告诉任何人，工作人员不会向您索要验证码"), "{text}");
    // Another number is not affected.
    let id = recovery::request(&state, "o", OTHER, Lang::ZhCn).await.unwrap();
    recovery::verify(&state, "o", &id, &last_code(&state).await).await.unwrap();
    // A fresh code of the same number later that day: still refused.
    clock.advance(time::Duration::minutes(61));
    let id = recovery::request(&state, "c4", KNOWN, Lang::ZhCn).await.unwrap();
    assert!(limited(&recovery::verify(&state, "c4", &id, &last_code(&state).await).await));
    // A day after the wrong answers, the number's right code works again.
    clock.advance(time::Duration::hours(23));
    let id = recovery::request(&state, "c5", KNOWN, Lang::ZhCn).await.unwrap();
    recovery::verify(&state, "c5", &id, &last_code(&state).await).await.unwrap();
}
both_engines!(a_number_gets_ten_wrong_answers_a_day_over_all_its_codes);

/// Counted events (all buckets).
async fn events(state: &AppState) -> i64 {
    sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM recovery_requests").fetch_one(&state.db.pool).await.unwrap().0
}

async fn counted_events_are_forgotten_by_the_sweep_not_by_requests(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    // Each request counts twice: once for the client, once for the number.
    recovery::request(&state, "c1", UNKNOWN, Lang::ZhCn).await.unwrap();
    assert_eq!(events(&state).await, 2);
    clock.advance(time::Duration::hours(25));
    recovery::request(&state, "c2", OTHER, Lang::ZhCn).await.unwrap();
    assert_eq!(events(&state).await, 4, "a request deletes nothing");
    recovery::sweep(&state, state.clock.ts()).await.unwrap();
    assert_eq!(events(&state).await, 2, "the sweep forgets what is over a day old, and only that");
    // The sweep is in the hourly job: what it keeps still counts.
    for _ in 0..2 {
        recovery::request(&state, "c3", OTHER, Lang::ZhCn).await.unwrap();
    }
    assert!(matches!(recovery::request(&state, "c4", OTHER, Lang::ZhCn).await, Err(BackendError::RateLimited)));
}
both_engines!(counted_events_are_forgotten_by_the_sweep_not_by_requests);

async fn an_unsent_code_is_given_up_once_expired(engine: Engine) {
    use backend::notify::{self, Sink};
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    named(&state, KNOWN).await;
    let outbox_row = |id: i64| {
        let pool = state.db.pool.clone();
        async move {
            sqlx::query_as::<_, (Option<i64>, String, Option<String>)>(
                "SELECT delivered_at, payload, last_error FROM outbox WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let last_id = || async {
        sqlx::query_as::<_, (i64,)>("SELECT MAX(id) FROM outbox WHERE kind = 'recovery_code'")
            .fetch_one(&state.db.pool)
            .await
            .unwrap()
            .0
    };
    // Everything pending so far goes out.
    notify::deliver_due(&state.db.pool, &Sink::Log, "w", state.clock.ts()).await.unwrap();
    // A code the gateway cannot take: retried while the code lives, with the code in the row.
    recovery::request(&state, "c1", KNOWN, Lang::ZhCn).await.unwrap();
    let code = last_code(&state).await;
    let id = last_id().await;
    let broken = Sink::File(std::env::temp_dir().join("pingan-no-such-dir").join(backend::crypto::random_hex()));
    let r = notify::deliver_due(&state.db.pool, &broken, "w", state.clock.ts()).await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 1));
    clock.advance(time::Duration::minutes(5));
    let r = notify::deliver_due(&state.db.pool, &broken, "w", state.clock.ts()).await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 1), "still alive: retried");
    assert!(outbox_row(id).await.1.contains(&code));
    // Past the code's ten minutes: given up without sending, the code wiped from the row.
    clock.advance(time::Duration::minutes(5) + time::Duration::seconds(1));
    let r = notify::deliver_due(&state.db.pool, &Sink::Log, "w", state.clock.ts()).await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 0));
    let (delivered_at, payload, last_error) = outbox_row(id).await;
    assert_eq!(delivered_at, Some(state.clock.ts()));
    assert!(!payload.contains(&code), "{payload}");
    assert!(last_error.unwrap().contains("not sent"));
    // A fresh code is still delivered as usual.
    recovery::request(&state, "c2", KNOWN, Lang::ZhCn).await.unwrap();
    let r = notify::deliver_due(&state.db.pool, &Sink::Log, "w", state.clock.ts()).await.unwrap();
    assert_eq!((r.sent, r.failed), (1, 0));
}
both_engines!(an_unsent_code_is_given_up_once_expired);
