//! Test databases: a fresh SQLite file per test, and a fresh PostgreSQL database per test on the
//! server `PINGAN_TEST_PG_URL` points at (`test.sh` starts one). Without that variable the
//! PostgreSQL half of a test fails, unless skipping was asked for with `PINGAN_TEST_SKIP_PG=1`:
//! a forgotten server must not look like a green run. The files and databases a test made are
//! removed when its body returns (kept after a failure, for a post-mortem).

#![allow(dead_code)]

use backend::catalog::CatalogHandle;
use backend::config::Limits;
use backend::db::Db;
use backend::services::import;
use backend::AppState;
use sqlx::Connection;

#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

fn unique() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

tokio::task_local! {
    /// What the running test created: SQLite files and PostgreSQL database names.
    static CREATED: std::cell::RefCell<Created>;
}

#[derive(Default)]
struct Created {
    files: Vec<std::path::PathBuf>,
    pg: Vec<(String, String)>, // (admin URL, database name)
}

fn record(f: impl FnOnce(&mut Created)) {
    // Outside `with_cleanup` (a test that builds its own runtime) nothing is recorded.
    let _ = CREATED.try_with(|c| f(&mut c.borrow_mut()));
}

/// Runs a test body, then drops the databases and files it created. The body's pools are
/// dropped by then; `WITH (FORCE)` ends any connection still closing.
pub async fn with_cleanup<F: std::future::Future<Output = ()>>(body: F) {
    CREATED
        .scope(std::cell::RefCell::new(Created::default()), async {
            body.await;
            let created = CREATED.with(|c| std::mem::take(&mut *c.borrow_mut()));
            for (admin, name) in created.pg {
                let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.unwrap();
            }
            for f in created.files {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = f.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
        })
        .await;
}

/// Whether the PostgreSQL half of the tests was explicitly skipped (`PINGAN_TEST_SKIP_PG=1`).
fn skip_pg() -> bool {
    std::env::var("PINGAN_TEST_SKIP_PG").is_ok_and(|v| v == "1")
}

/// A migrated, empty database of the given engine, or `None` for PostgreSQL when
/// `PINGAN_TEST_SKIP_PG=1` asks to skip it.
pub async fn fresh_db(engine: Engine) -> Option<Db> {
    let db = empty_db(engine).await?;
    db.migrate().await.unwrap();
    Some(db)
}

/// A new database of the given engine with no tables yet (`None` as for [`fresh_db`]).
pub async fn empty_db(engine: Engine) -> Option<Db> {
    sqlx::any::install_default_drivers();
    let url = match engine {
        Engine::Sqlite => {
            let dir = std::env::temp_dir().join("pingan-tests");
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join(format!("{}.db", unique()));
            record(|c| c.files.push(file.clone()));
            format!("sqlite://{}?mode=rwc", file.display())
        }
        Engine::Postgres => {
            if skip_pg() {
                eprintln!("PINGAN_TEST_SKIP_PG=1: the PostgreSQL half of this test is skipped");
                return None;
            }
            let admin = std::env::var("PINGAN_TEST_PG_URL").expect(
                "PostgreSQL tests need PINGAN_TEST_PG_URL (test.sh starts a server and sets it); \
                 set PINGAN_TEST_SKIP_PG=1 to skip them explicitly",
            );
            let name = format!("pingan_t_{}", unique());
            let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
            record(|c| c.pg.push((admin.clone(), name.clone())));
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
            format!("{base}/{name}")
        }
    };
    Some(Db::connect(&url).await.unwrap())
}

/// A database with the demo city imported, and the application state around it.
pub async fn demo_state(engine: Engine, limits: Limits) -> Option<AppState> {
    let db = fresh_db(engine).await?;
    import::import(&db, &import::demo_files()).await.unwrap();
    let catalog = import::load_catalog(&db).await.unwrap();
    Some(AppState::new(db, CatalogHandle::new(catalog), limits))
}

/// Runs one async test body against both engines.
#[macro_export]
macro_rules! both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::with_cleanup(super::$name($crate::common::Engine::Sqlite)).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::with_cleanup(super::$name($crate::common::Engine::Postgres)).await;
            }
        }
    };
}

/// A demo-city state whose clock only moves when told to (Monday 2026-11-23 09:00 in China),
/// with fast password hashing.
pub async fn clocked_state(engine: Engine) -> Option<(AppState, backend::clock::ManualClock)> {
    let clock = backend::clock::ManualClock::new(time::macros::datetime!(2026-11-23 01:00 UTC));
    let state = demo_state(engine, Limits { submit_per_hour: 100_000, ..Limits::default() }).await?;
    let auth = backend::config::AuthConfig {
        cost: backend::config::PasswordCost::TEST,
        ..backend::config::AuthConfig::default()
    };
    Some((state.with_clock(std::sync::Arc::new(clock.clone())).with_auth(auth), clock))
}

/// A staff account (password `correct horse battery`).
pub async fn staff(state: &AppState, username: &str, unit: &str, role: &str) -> backend::auth::Staff {
    let n = backend::auth::NewStaff {
        username: username.into(),
        display_name: username.into(),
        unit: unit.into(),
        role: role.into(),
        password: "correct horse battery".into(),
    };
    backend::auth::create_staff(state, &backend::audit::Who::system(), &n).await.unwrap()
}

fn form(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A draft as its browser knows it: the token (in URLs) and the secret (in the cookie).
#[derive(Debug, Clone)]
pub struct DraftRef {
    pub token: String,
    pub secret: String,
}

/// Starts a draft with the first step's form, as `/form/appeal/new` does.
pub async fn start(state: &AppState, category: &str) -> DraftRef {
    let new = backend::services::appeal::start(state, "client", &form(&[("category", category)])).await.unwrap();
    DraftRef { token: new.token, secret: new.secret }
}

/// The "what happened" step's form: a description, and answers to the wage category's required
/// questions (issue 13; other categories read none of them).
pub fn what_form() -> std::collections::HashMap<String, String> {
    form(&[
        ("description", "楼道里堆满了杂物，已经两个星期没人管了"),
        ("q_employer", "某某建筑劳务公司"),
        ("q_amount", "3000"),
        ("q_months", "3"),
    ])
}

/// A submitted appeal (through the wizard's services) at the state's clock; returns
/// (ticket, draft).
pub async fn appeal_at(
    state: &AppState,
    category: &str,
    place: &[(&str, &str)],
    who: &[(&str, &str)],
) -> (String, DraftRef) {
    use backend::services::appeal::{self, SubmitOutcome};
    use domain::draft::Step;
    let d = start(state, category).await;
    let steps = [(Step::What, what_form()), (Step::Where, form(place)), (Step::Who, form(who))];
    for (step, f) in steps {
        appeal::save_step(state, &d.token, &d.secret, step, &f).await.unwrap();
    }
    match appeal::submit(state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
        SubmitOutcome::Accepted { ticket } => (ticket, d),
        other => panic!("not accepted: {other:?}"),
    }
}

/// An anonymous sanitation appeal in community HD0101 (goes to U-HD0101).
pub async fn simple_appeal(state: &AppState) -> String {
    appeal_at(
        state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "anonymous")],
    )
    .await
    .0
}

/// Moves an appeal to `unit` and `status` directly (test set-up, not a workflow action).
pub async fn force(state: &AppState, ticket: &str, unit: &str, status: &str) {
    let path = state.catalog.get().unit_path(unit);
    let mut tx = state.db.pool.begin().await.unwrap();
    let change = backend::store::appeals::Change {
        status: Some(domain::workflow::Status::parse(status).expect("a status")),
        unit: Some((unit, &path)),
        ..Default::default()
    };
    backend::store::appeals::apply(&mut tx, ticket, &change, state.clock.ts()).await.unwrap();
    tx.commit().await.unwrap();
}

/// The resident's receipt (ticket and key in display form) for a submitted draft.
pub async fn receipt(state: &AppState, d: &DraftRef) -> (String, String) {
    let r = backend::services::appeal::receipt(state, &d.token, &d.secret).await.unwrap();
    (r.ticket, r.key)
}
