//! Open311 service tests, on SQLite and on PostgreSQL: submissions take the web form's path,
//! every parameter problem is reported, keys are checked, the list filters work, and the public
//! view never shows what is private.

use crate::common;

use backend::audit::Who;
use backend::clock::{Clock, ManualClock};
use backend::config::Limits;
use backend::services::appeal::{self, StepOutcome, SubmitOutcome};
use backend::services::open311::{self, PostRequest, RequestQuery, RequestView};
use backend::store::{appeals, open311 as store, outbox};
use backend::{AppState, BackendError};
use common::Engine;
use domain::draft::Step;
use std::collections::HashMap;
use std::sync::Arc;

/// In HD010101 (东关街道和平社区第1网格), away from its edges.
const IN_HD010101: (&str, &str) = ("35.485", "106.605");

fn cli() -> Who {
    Who { id: "cli".into(), name: "pingan open311-key".into(), role: "cli".into() }
}

async fn state_at(engine: Engine, limits: Limits) -> Option<(AppState, ManualClock)> {
    let state = common::demo_state(engine, limits).await?;
    // A Wednesday morning, city time: no weekend or holiday in the first days.
    let clock = ManualClock::new(time::macros::datetime!(2025-06-04 09:00 +08:00));
    Some((state.with_clock(Arc::new(clock.clone())), clock))
}

async fn key(state: &AppState) -> String {
    open311::create_key(state, &cli(), "test client").await.unwrap().key
}

fn post(key: &str, code: &str, pairs: &[(&str, &str)]) -> PostRequest {
    let mut p: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    p.insert("api_key".into(), key.to_owned());
    p.insert("service_code".into(), code.to_owned());
    p.entry("description".into()).or_insert_with(|| "老板拖欠三个月工资，一直推说下个月给".to_owned());
    // The wage category's required attributes (issue 13); other services ignore them.
    for (k, v) in
        [("attribute[employer]", "某某建筑劳务公司"), ("attribute[amount]", "3000"), ("attribute[months]", "3")]
    {
        p.entry(k.into()).or_insert_with(|| v.to_owned());
    }
    PostRequest::from_params(&p)
}

fn at_point(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("lat", IN_HD010101.0), ("long", IN_HD010101.1)];
    v.extend_from_slice(extra);
    v
}

/// The stored ticket of a display id.
fn stored(id: &str) -> String {
    domain::receipt::Ticket::parse(id).unwrap().as_str().to_owned()
}

fn bad_request(r: Result<impl std::fmt::Debug, BackendError>) -> Vec<String> {
    match r {
        Err(BackendError::BadRequest(msgs)) => msgs,
        other => panic!("expected a bad request, got {other:?}"),
    }
}

/// The web wizard with the same facts; returns the stored ticket.
async fn web_submit(state: &AppState, category: &str, lat: &str, lng: &str) -> String {
    let form = |pairs: &[(&str, &str)]| {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<HashMap<_, _>>()
    };
    let new = appeal::start(state, "c", &form(&[("category", category)])).await.unwrap();
    assert_eq!(new.outcome, StepOutcome::Go(Step::What));
    let (t, secret) = (new.token, new.secret);
    let steps = [
        (Step::What, common::what_form()),
        (Step::Where, form(&[("lat", lat), ("lng", lng)])),
        (Step::Who, form(&[("identity", "anonymous")])),
    ];
    for (step, f) in steps {
        assert_eq!(appeal::save_step(state, &t, &secret, step, &f).await.unwrap(), StepOutcome::Go(step.next()));
    }
    match appeal::submit(state, &t, &secret, state.clock.now()).await.unwrap() {
        SubmitOutcome::Accepted { ticket } => ticket,
        other => panic!("{other:?}"),
    }
}

async fn post_routes_and_stores_like_the_web_form(engine: Engine) {
    let Some((state, _clock)) = state_at(engine, Limits::default()).await else { return };
    let k = open311::create_key(&state, &cli(), "city app").await.unwrap();
    let media = "https://img.example.org/p/1.jpg";
    let out = open311::submit(
        &state,
        &post(&k.key, "wage_arrears", &at_point(&[("media_url", media), ("jurisdiction_id", "sf")])),
    )
    .await
    .unwrap();
    assert!(out.service_request_id.starts_with("PA-") && out.service_request_id.len() == 12, "{out:?}");
    assert_eq!(out.account_id, None);
    assert!(out.service_notice.contains("河东区人力资源和社会保障局"), "{}", out.service_notice);
    let api = appeals::full(&state.db.pool, &stored(&out.service_request_id)).await.unwrap().unwrap();
    let web = appeals::full(&state.db.pool, &web_submit(&state, "wage_arrears", IN_HD010101.0, IN_HD010101.1).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(api.unit, "D-HD-hrss");
    // Everything routing and the clock decide is the same as for the web form.
    assert_eq!(
        (
            &api.unit,
            &api.region,
            &api.cell,
            &api.route_reason,
            api.deadline_at,
            api.sign_by_at,
            &api.scope_path,
            &api.status,
            api.urgent
        ),
        (
            &web.unit,
            &web.region,
            &web.cell,
            &web.route_reason,
            web.deadline_at,
            web.sign_by_at,
            &web.scope_path,
            &web.status,
            web.urgent
        )
    );
    assert_eq!(api.cell.as_deref(), Some("HD010101"));
    assert_eq!((api.lat, api.lng), (Some(35.485), Some(106.605)));
    assert_eq!(api.anonymous, 1);
    let kinds = |t: &str| {
        let pool = state.db.pool.clone();
        let t = t.to_owned();
        async move {
            appeals::public_events(&pool, &t).await.unwrap().into_iter().map(|e| e.kind.as_str()).collect::<Vec<_>>()
        }
    };
    assert_eq!(kinds(&api.ticket).await, ["submitted", "routed"]);
    assert_eq!(kinds(&api.ticket).await, kinds(&web.ticket).await);
    let note = outbox::for_ticket(&state.db.pool, &api.ticket).await.unwrap();
    assert_eq!(
        note.iter().map(|m| (m.kind.as_str(), m.recipient.as_str())).collect::<Vec<_>>(),
        [("new_assignment", "D-HD-hrss")]
    );
    assert_eq!(
        store::channel(&state.db.pool, &api.ticket).await.unwrap(),
        Some((format!("open311:{}", k.id), Some(media.to_owned())))
    );
    assert_eq!(store::channel(&state.db.pool, &web.ticket).await.unwrap(), Some(("web".to_owned(), None)));
    // Each POST is its own appeal (GeoReport v2 has no idempotency key).
    let again = open311::submit(&state, &post(&k.key, "wage_arrears", &at_point(&[]))).await.unwrap();
    assert_ne!(again.service_request_id, out.service_request_id);

    // Named: both a name and a phone, checked by the form's parsers.
    let named = open311::submit(
        &state,
        &post(
            &k.key,
            "sanitation",
            &at_point(&[
                ("first_name", "小明"),
                ("last_name", "王"),
                ("phone", "+86 138-0013-8000"),
                ("email", "w@example.org"),
            ]),
        ),
    )
    .await
    .unwrap();
    let a = appeals::full(&state.db.pool, &stored(&named.service_request_id)).await.unwrap().unwrap();
    assert_eq!(
        (a.contact_name.as_deref(), a.contact_phone.as_deref(), a.anonymous),
        (Some("王小明"), Some("13800138000"), 0)
    );
    assert_eq!(a.unit, "U-HD0101", "a community-level category goes to the community committee");

    // An address without coordinates: the city centre dispatches, the text is the address note.
    let text = open311::submit(&state, &post(&k.key, "wage_arrears", &[("address_string", "东关街道和平路 12 号")]))
        .await
        .unwrap();
    let a = appeals::full(&state.db.pool, &stored(&text.service_request_id)).await.unwrap().unwrap();
    assert_eq!((a.unit.as_str(), a.route_reason.as_str()), ("U-SF", "outside_grid"));
    assert_eq!(a.address_note.as_deref(), Some("东关街道和平路 12 号"));
    assert_eq!((a.lat, a.cell), (None, None));
    assert_eq!(kinds(&a.ticket).await, ["submitted", "routed_outside"]);
    assert!(text.service_notice.contains("manual dispatch"), "{}", text.service_notice);
    // With coordinates as well, the point routes and the text is kept as the note.
    let both = open311::submit(&state, &post(&k.key, "wage_arrears", &at_point(&[("address_string", "和平路 12 号")])))
        .await
        .unwrap();
    let a = appeals::full(&state.db.pool, &stored(&both.service_request_id)).await.unwrap().unwrap();
    assert_eq!((a.unit.as_str(), a.address_note.as_deref()), ("D-HD-hrss", Some("和平路 12 号")));
}
both_engines!(post_routes_and_stores_like_the_web_form);

async fn post_reports_every_bad_parameter(engine: Engine) {
    let Some((state, _clock)) = state_at(engine, Limits::default()).await else { return };
    let k = key(&state).await;
    let before =
        store::list(&state.db.pool, &store::ListQuery { from: 0, to: i64::MAX, limit: 100, ..Default::default() })
            .await
            .unwrap()
            .len();
    let one = |code: &str, pairs: &[(&str, &str)]| {
        let state = state.clone();
        let p = post(&k, code, pairs);
        async move { bad_request(open311::submit(&state, &p).await) }
    };
    let e = one("rockets", &at_point(&[])).await;
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("service_code:") && e[0].contains("rockets"), "{e:?}");
    assert!(one("", &at_point(&[])).await[0].starts_with("service_code:"));
    assert!(one("drop table;", &at_point(&[])).await[0].starts_with("service_code:"));
    let e = one("wage_arrears", &at_point(&[("description", "")])).await;
    assert_eq!(e, ["description: Say what happened"]);
    assert!(one("wage_arrears", &at_point(&[("description", "太短")])).await[0]
        .starts_with("description: Write at least 10"));
    for (lat, long) in [("91", "106.6"), ("35.4", ""), ("north", "106.6"), ("35.4", "NaN")] {
        let e = one("wage_arrears", &[("lat", lat), ("long", long)]).await;
        assert!(e.len() == 1 && e[0].starts_with("lat/long:"), "{lat},{long}: {e:?}");
    }
    assert_eq!(one("wage_arrears", &[]).await, ["lat/long or address_string: a location is required"]);
    assert!(one("wage_arrears", &[("address_string", &"路".repeat(201))]).await[0].starts_with("address_string:"));
    assert!(one("wage_arrears", &at_point(&[("phone", "13800138000")])).await[0].starts_with("first_name/last_name:"));
    assert!(
        one("wage_arrears", &at_point(&[("first_name", "Jane"), ("phone", "12345")])).await[0].starts_with("phone:")
    );
    for bad in ["ftp://x.example/a.jpg", "javascript:alert(1)", "/a.jpg", "https://"] {
        assert!(one("wage_arrears", &at_point(&[("media_url", bad)])).await[0].starts_with("media_url:"), "{bad}");
    }
    // Every problem at once.
    let e = one("rockets", &[("description", ""), ("media_url", "ftp://x")]).await;
    assert_eq!(e.len(), 4, "{e:?}");
    // Nothing was stored by any of them.
    let after =
        store::list(&state.db.pool, &store::ListQuery { from: 0, to: i64::MAX, limit: 100, ..Default::default() })
            .await
            .unwrap()
            .len();
    assert_eq!(before, after);
}
both_engines!(post_reports_every_bad_parameter);

async fn keys_are_checked_revocable_audited_and_rate_limited(engine: Engine) {
    let limits = Limits { open311_per_hour: 2, ..Limits::default() };
    let Some((state, _clock)) = state_at(engine, limits).await else { return };
    let forbidden = |key: &str| {
        let state = state.clone();
        let p = post(key, "wage_arrears", &at_point(&[]));
        async move { matches!(open311::submit(&state, &p).await, Err(BackendError::Forbidden)) }
    };
    assert!(forbidden("").await);
    assert!(forbidden("p311_0000000000000000000000000000000000000000000000000000000000000000").await);
    assert!(forbidden("not even the right shape").await);
    let a = open311::create_key(&state, &cli(), "  app A  ").await.unwrap();
    let b = open311::create_key(&state, &cli(), "app B").await.unwrap();
    assert_eq!(a.name, "app A");
    assert!(a.key.starts_with("p311_") && a.key.len() == 5 + 64 && a.key[5..].bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a.key, b.key);
    assert!(matches!(open311::create_key(&state, &cli(), "  ").await, Err(BackendError::BadRequest(_))));
    // A bad key is refused before its parameters are looked at.
    assert!(matches!(open311::submit(&state, &post("nope", "rockets", &[])).await, Err(BackendError::Forbidden)));
    // Two per hour for A; B has its own budget.
    open311::submit(&state, &post(&a.key, "wage_arrears", &at_point(&[]))).await.unwrap();
    open311::submit(&state, &post(&a.key, "wage_arrears", &at_point(&[]))).await.unwrap();
    assert!(matches!(
        open311::submit(&state, &post(&a.key, "wage_arrears", &at_point(&[]))).await,
        Err(BackendError::RateLimited)
    ));
    open311::submit(&state, &post(&b.key, "wage_arrears", &at_point(&[]))).await.unwrap();
    // Revoked: refused at once; revoking again is not found.
    open311::revoke_key(&state, &cli(), b.id).await.unwrap();
    assert!(forbidden(&b.key).await);
    assert!(matches!(open311::revoke_key(&state, &cli(), b.id).await, Err(BackendError::NotFound)));
    assert!(matches!(open311::revoke_key(&state, &cli(), 999).await, Err(BackendError::NotFound)));
    let keys = open311::list_keys(&state).await.unwrap();
    assert_eq!(
        keys.iter().map(|k| (k.id, k.name.as_str(), k.revoked_at.is_some())).collect::<Vec<_>>(),
        [(a.id, "app A", false), (b.id, "app B", true)]
    );
    // Audited, and the chain holds.
    let log = backend::store::audit::recent(&state.db.pool, None, None, None, 50).await.unwrap();
    let actions: Vec<(&str, &str)> = log.iter().map(|r| (r.action.as_str(), r.actor.as_str())).collect();
    assert_eq!(actions.iter().filter(|a| **a == ("open311_key_create", "cli")).count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == ("open311_key_revoke", "cli")).count(), 1);
    assert!(
        log.iter().all(|r| !r.detail.contains(&a.key[5..]) && !r.detail.contains(&b.key[5..])),
        "keys never reach the log"
    );
    assert_eq!(backend::audit::verify(&state.db.pool).await.unwrap().first_broken, None);
}
both_engines!(keys_are_checked_revocable_audited_and_rate_limited);

/// A node trusts a key it looked up for `KEY_CACHE_SECONDS`: a key revoked by another node (here:
/// straight in the database, as that node's service would) stops being accepted within that time.
async fn a_key_revoked_elsewhere_stops_within_the_cache_time(engine: Engine) {
    let Some((state, clock)) = state_at(engine, Limits::default()).await else { return };
    let k = open311::create_key(&state, &cli(), "app").await.unwrap();
    let submit = |state: AppState, key: String| async move {
        open311::submit(&state, &post(&key, "wage_arrears", &at_point(&[]))).await
    };
    submit(state.clone(), k.key.clone()).await.unwrap();
    let mut tx = state.db.pool.begin().await.unwrap();
    assert!(store::revoke_key(&mut tx, k.id, clock.ts()).await.unwrap());
    tx.commit().await.unwrap();
    clock.advance(time::Duration::seconds(open311::KEY_CACHE_SECONDS - 1));
    submit(state.clone(), k.key.clone()).await.expect("still trusted by this node for the cache time");
    clock.advance(time::Duration::seconds(1));
    assert!(matches!(submit(state.clone(), k.key.clone()).await, Err(BackendError::Forbidden)));
    // A revoked key is never kept: asked again every time.
    assert!(matches!(submit(state.clone(), k.key.clone()).await, Err(BackendError::Forbidden)));
}
both_engines!(a_key_revoked_elsewhere_stops_within_the_cache_time);

fn q(pairs: &[(&str, &str)]) -> RequestQuery {
    RequestQuery::from_params(&pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

fn ids(v: &[RequestView]) -> Vec<String> {
    v.iter().map(|r| r.service_request_id.clone()).collect()
}

async fn filters_window_status_codes_ids_and_limit(engine: Engine) {
    let Some((state, clock)) = state_at(engine, Limits::default()).await else { return };
    let k = key(&state).await;
    let submit = |code: &'static str| {
        let state = state.clone();
        let p = post(&k, code, &at_point(&[]));
        async move { open311::submit(&state, &p).await.unwrap().service_request_id }
    };
    let old = submit("sanitation").await; // 2025-06-04
    clock.advance(time::Duration::days(100));
    let mid = submit("wage_arrears").await; // 2025-09-12
    clock.advance(time::Duration::days(10));
    let new = submit("sanitation").await; // 2025-09-22
                                          // Close `mid`.
    let mut tx = state.db.pool.begin().await.unwrap();
    appeals::apply(
        &mut tx,
        &stored(&mid),
        &appeals::Change {
            status: Some(domain::workflow::Status::Closed),
            closed_at: Some(Some(clock.ts())),
            ..Default::default()
        },
        clock.ts(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // The default window is the last 90 days, newest first.
    assert_eq!(ids(&open311::requests(&state, &q(&[])).await.unwrap()), [new.as_str(), mid.as_str()]);
    let all = [("start_date", "2025-01-01T00:00:00+08:00")];
    assert_eq!(ids(&open311::requests(&state, &q(&all)).await.unwrap()), [new.as_str(), mid.as_str(), old.as_str()]);
    // A start alone runs to now; an end alone reaches 90 days back.
    assert_eq!(ids(&open311::requests(&state, &q(&[("end_date", "2025-06-05")])).await.unwrap()), [old.as_str()]);
    assert_eq!(
        ids(&open311::requests(&state, &q(&[("start_date", "2025-06-04"), ("end_date", "2025-06-04")])).await.unwrap()),
        [old.as_str()]
    );
    assert_eq!(
        ids(&open311::requests(&state, &q(&[("start_date", "2025-06-04T01:00:02Z")])).await.unwrap()),
        [new.as_str(), mid.as_str(), old.as_str()],
        "windows are whole days: a start one second after `old` must not tell its exact time"
    );
    assert_eq!(
        ids(&open311::requests(
            &state,
            &q(&[("start_date", "2025-06-04T08:59:59Z"), ("end_date", "2025-06-04T15:59:59Z")])
        )
        .await
        .unwrap()),
        [old.as_str()]
    );
    assert_eq!(
        ids(&open311::requests(&state, &q(&[("start_date", "2025-06-04T16:00:00Z"), ("end_date", "2025-06-05")]))
            .await
            .unwrap()),
        Vec::<&str>::new(),
        "the next city day"
    );
    // Status and service code, also comma-separated.
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v = all.to_vec();
        v.extend_from_slice(extra);
        q(&v)
    };
    let r = open311::requests(&state, &with(&[("status", "closed")])).await.unwrap();
    assert_eq!(ids(&r), [mid.as_str()]);
    assert_eq!((r[0].status.as_str(), r[0].status_notes.as_str()), ("closed", "closed: handling finished"));
    assert_eq!(
        ids(&open311::requests(&state, &with(&[("status", "open")])).await.unwrap()),
        [new.as_str(), old.as_str()]
    );
    assert_eq!(ids(&open311::requests(&state, &with(&[("status", "open,closed")])).await.unwrap()).len(), 3);
    assert_eq!(
        ids(&open311::requests(&state, &with(&[("service_code", "sanitation")])).await.unwrap()),
        [new.as_str(), old.as_str()]
    );
    assert_eq!(
        ids(&open311::requests(&state, &with(&[("service_code", "wage_arrears, sanitation"), ("status", "open")]))
            .await
            .unwrap()),
        [new.as_str(), old.as_str()]
    );
    assert!(open311::requests(&state, &with(&[("service_code", "rockets")])).await.unwrap().is_empty());
    // Ids: any spelling, the other filters ignored, unknown or malformed ones simply not found.
    let list = format!("{},{} , PA-0000-0000,not-a-ticket,{}", old.to_lowercase(), mid.replace('-', ""), new);
    let r = open311::requests(
        &state,
        &q(&[("service_request_id", &list), ("status", "closed"), ("service_code", "other")]),
    )
    .await
    .unwrap();
    assert_eq!(ids(&r), [new.as_str(), mid.as_str(), old.as_str()]);
    assert!(open311::requests(&state, &q(&[("service_request_id", "nonsense")])).await.unwrap().is_empty());
    let too_many = vec!["PA-0000-0000"; 1001].join(",");
    assert!(bad_request(open311::requests(&state, &q(&[("service_request_id", &too_many)])).await)[0]
        .starts_with("service_request_id:"));
    // Malformed parameters are named, all at once.
    let e = bad_request(
        open311::requests(
            &state,
            &q(&[("start_date", "yesterday"), ("status", "pending"), ("service_code", "drop table;")]),
        )
        .await,
    );
    assert_eq!(e.len(), 3, "{e:?}");
    for p in ["start_date:", "status:", "service_code:"] {
        assert!(e.iter().any(|m| m.starts_with(p)), "{p} in {e:?}");
    }
    assert!(bad_request(open311::requests(&state, &q(&[("end_date", "2025-13-01")])).await)[0].starts_with("end_date:"));
    let e =
        bad_request(open311::requests(&state, &q(&[("start_date", "2025-06-05"), ("end_date", "2025-06-04")])).await);
    assert_eq!(e, ["start_date: must not be after end_date"]);
    // One by id; unknown and malformed ids are not found.
    assert_eq!(open311::request(&state, &new.to_lowercase()).await.unwrap().service_request_id, new);
    assert!(matches!(open311::request(&state, "PA-0000-0000").await, Err(BackendError::NotFound)));
    assert!(matches!(open311::request(&state, "../etc").await, Err(BackendError::NotFound)));
    // Dates are days only (midnight, city time, with the zone); updated falls back to submitted;
    // no deadline (it is counted from the exact time).
    let o = open311::request(&state, &old).await.unwrap();
    assert_eq!(o.requested_datetime, "2025-06-04T00:00:00+08:00");
    assert_eq!(o.updated_datetime, o.requested_datetime);
    assert_eq!(o.expected_datetime, None);
    assert_eq!(open311::request(&state, &mid).await.unwrap().updated_datetime, "2025-09-22T00:00:00+08:00");
    assert_eq!(o.status_notes, "assigned: waiting to be signed for (past its deadline)");
}
both_engines!(filters_window_status_codes_ids_and_limit);

async fn at_most_a_thousand_newest_first(engine: Engine) {
    let Some((state, clock)) = state_at(engine, Limits::default()).await else { return };
    // 1001 appeals in one transaction through the store (a thousand POSTs would only be slower).
    let now = clock.ts();
    let mut tx = state.db.pool.begin().await.unwrap();
    for i in 0..1001_i64 {
        let ticket = format!("PA{i:08}");
        let token = format!("{i:032x}");
        appeals::insert(
            &mut tx,
            &appeals::NewAppeal {
                ticket: &ticket,
                submit_token: &token,
                key_hash: "x",
                category: "sanitation",
                description: "楼道里堆满了杂物，已经两个星期没人管了",
                lat: None,
                lng: None,
                region: Some("HD0101"),
                cell: None,
                address_note: None,
                contact: None,
                status: domain::workflow::Status::Assigned,
                unit: "U-HD0101",
                route_reason: "chosen_region",
                submitted_at: now - 1001 + i,
                deadline_at: now + 86_400,
                sign_by_at: now + 3600,
                urgent: false,
                scope_path: "/SF/HD/HD01/HD0101/",
                channel: "web",
                media_url: None,
                publish_requested: false,
                answers: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let r = open311::requests(&state, &q(&[])).await.unwrap();
    assert_eq!(r.len(), open311::MAX_REQUESTS);
    assert_eq!(r[0].service_request_id, "PA-0000-1000");
    assert_eq!(r[999].service_request_id, "PA-0000-0001", "the oldest one is left out");
    assert!(r.windows(2).all(|w| w[0].requested_datetime >= w[1].requested_datetime));
}
both_engines!(at_most_a_thousand_newest_first);

async fn the_public_view_keeps_residents_private(engine: Engine) {
    let Some((state, _clock)) = state_at(engine, Limits::default()).await else { return };
    let k = key(&state).await;
    let who = [("first_name", "小明"), ("last_name", "王"), ("phone", "13800138000"), ("email", "wang@example.org")];
    let media = ("media_url", "https://img.example.org/p/2.jpg");
    let note = ("address_string", "和平路12号3单元");
    let submit = |code: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let state = state.clone();
        let p = post(&k, code, &extra);
        async move { open311::submit(&state, &p).await.unwrap().service_request_id }
    };
    let named = submit("sanitation", at_point(&[who[0], who[1], who[2], who[3], media, note])).await;
    let anonymous = submit("sanitation", at_point(&[media])).await;
    let sensitive = submit("family_dispute", at_point(&[who[0], who[1], who[2], media])).await;
    let cat = state.catalog.get();
    let centre = cat.cell_center("HD010101").unwrap();
    let r = open311::request(&state, &named).await.unwrap();
    let json = serde_json::to_string(&r).unwrap();
    for secret in ["小明", "王小明", "13800138000", "wang@example.org", "和平路12号"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    // Issue 9 §3: a named appeal without consent shows none of its text; no media, no point, no
    // cell centre, no unit; the community is the only location.
    assert_eq!(r.description, None);
    assert!(!json.contains("老板拖欠"), "{json}");
    assert_eq!(r.media_url, None);
    assert_eq!((r.lat, r.lng), (None, None));
    assert!(!json.contains(&centre.lat.to_string()) && !json.contains("35.485"), "{json}");
    assert_eq!(r.address.as_deref(), Some("河东区 / 东关街道 / 和平社区"));
    assert_eq!(r.agency_responsible, None);
    assert!(!json.contains("U-HD0101") && !json.contains("居委会"), "{json}");
    assert_eq!(
        (r.service_code.as_str(), r.service_name.as_deref(), r.status.as_str()),
        ("sanitation", Some("环境卫生"), "open")
    );
    // A sensitive category names the district only: a family dispute from one small community
    // on one day could point at the family.
    assert_eq!(open311::request(&state, &sensitive).await.unwrap().address.as_deref(), Some("河东区"));
    let listed = open311::requests(&state, &open311::RequestQuery::default()).await.unwrap();
    let in_list = listed.iter().find(|r| r.service_request_id == sensitive).unwrap();
    assert_eq!(in_list.address.as_deref(), Some("河东区"));
    // Anonymous and sensitive appeals: no description, no media.
    for id in [&anonymous, &sensitive] {
        let r = open311::request(&state, id).await.unwrap();
        assert_eq!((r.description.as_deref(), r.media_url.as_deref()), (None, None), "{id}");
        assert_eq!((r.lat, r.lng), (None, None));
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("老板") && !json.contains("13800138000") && !json.contains("小明"), "{json}");
    }
    // The old "public location" flag no longer shows any point.
    for id in [&named, &sensitive] {
        let mut tx = state.db.pool.begin().await.unwrap();
        assert!(store::set_public_location(&mut tx, &stored(id), true).await.unwrap());
        tx.commit().await.unwrap();
    }
    for id in [&named, &sensitive] {
        let r = open311::request(&state, id).await.unwrap();
        assert_eq!((r.lat, r.lng), (None, None));
    }
    // No cell, no coordinates: a text address (outside the grid) and a web appeal by region.
    let text = submit("wage_arrears", vec![note]).await;
    let r = open311::request(&state, &text).await.unwrap();
    assert_eq!((r.lat, r.lng, r.address.as_deref()), (None, None, None));
    assert_eq!(r.agency_responsible, None);
    assert!(!serde_json::to_string(&r).unwrap().contains("和平路"));
    // The list shows the same views.
    let list = open311::requests(&state, &q(&[])).await.unwrap();
    assert_eq!(list.len(), 4);
    let json = serde_json::to_string(&list).unwrap();
    for secret in ["小明", "13800138000", "wang@example.org", "和平路12号"] {
        assert!(!json.contains(secret), "{secret} in the list");
    }
}
both_engines!(the_public_view_keeps_residents_private);

async fn services_are_the_categories(engine: Engine) {
    let Some((state, _clock)) = state_at(engine, Limits::default()).await else { return };
    let s = open311::services(&state);
    assert_eq!(s.len(), 13);
    assert_eq!(s[0].service_code, "neighbor_dispute");
    let w = open311::service(&state, "wage_arrears").unwrap();
    assert_eq!(
        (w.service_name.as_str(), w.description.as_str(), w.group.as_str(), w.kind, w.metadata),
        ("劳资欠薪", "Unpaid wages", "department", "realtime", true),
        "metadata: the wage category asks extra questions (issue 13)"
    );
    assert_eq!(open311::service(&state, "sanitation").unwrap().group, "community");
    assert!(!open311::service(&state, "sanitation").unwrap().metadata, "sanitation asks nothing");
    assert!(matches!(open311::service(&state, "rockets"), Err(BackendError::NotFound)));
    assert!(open311::contact(&state).contains("示范市社会治理综合指挥中心"));
}
both_engines!(services_are_the_categories);
