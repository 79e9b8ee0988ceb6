//! Subcommands of the `pingan` binary.

use crate::config::Config;
use crate::startup;
use backend::db::Db;
use backend::services::import;
use backend::BackendError;
use std::path::Path;

pub const USAGE: &str = "usage: pingan [serve | migrate | import-regions DIR | import-legal DIR | create-staff ... | audit verify | supervise | hash-cost | open311-key ...]

  serve               run the portal (default); with PINGAN_DEMO=1 it loads the demo
                      city and demo staff accounts into an empty database
  migrate             apply database migrations and exit
  import-regions DIR  import regions.geojson, units.csv and categories.csv from DIR
                      (all or nothing; re-running updates in place; running servers
                      reload their routing index within seconds)
  import-legal DIR    import the legal-aid centre's DIR/articles/*.md and
                      DIR/services.csv (all or nothing; re-running updates in place
                      and removes what DIR no longer has; regions must be imported)
  create-staff --username U --unit UNIT_CODE --role ROLE [--name NAME]
                      create a staff account; the password is read from stdin
                      (roles: grid_worker, unit_handler, dispatcher, admin)
  audit verify        recompute the audit log's hash chain; exit 1 at a broken link
  supervise           run the deadline supervision job once and exit
  hash-cost           time one password hash at the configured cost (PINGAN_ARGON2)
  open311-key create --name NAME
                      create an API key for an Open311 client; the key is printed
                      once, on the last line, and only its SHA-256 is kept
  open311-key list    list the keys (id, name, created, revoked)
  open311-key revoke ID
                      revoke a key at once
  precompress [DIR]   give the client bundle's JS, WASM and CSS content-named copies
                      (served as immutable) and write FILE.br and FILE.gz beside each
                      (default DIR: $LEPTOS_SITE_ROOT/pkg), served to browsers that
                      take them instead of compressing each download again

environment: DATABASE_URL (default sqlite://data/pingan.db?mode=rwc), LEPTOS_SITE_ADDR,
LEPTOS_SITE_ROOT, PINGAN_DEMO (1 = demo city and accounts), PINGAN_TRUST_PROXY, PINGAN_RATE_LIMIT_TRACK,
PINGAN_RATE_LIMIT_SUBMIT, PINGAN_RATE_LIMIT_LOGIN_IP, PINGAN_RATE_LIMIT_LOGIN_USER, PINGAN_RATE_LIMIT_STATS,
PINGAN_RATE_LIMIT_RECOVER,
PINGAN_ARGON2 (m_kib,t,p), PINGAN_SECURE_COOKIES, PINGAN_NOTIFY (log | file:PATH |
webhook:http://HOST/PATH), PINGAN_WEBHOOK_SECRET, PINGAN_ESCALATION_GRACE_HOURS,
PINGAN_RATING_WINDOW_DAYS, PINGAN_SUPERVISION_EVERY_SECS, PINGAN_OUTBOX_EVERY_SECS,
PINGAN_RATE_LIMIT_OPEN311 (submissions per key and hour), PINGAN_LEGAL_AID_INCOME_LIMIT (yuan per person
per month, default 1200), PINGAN_UPLOADS_AT_ONCE, PINGAN_UPLOAD_QUEUE, PINGAN_UPLOAD_WAIT_SECS,
PINGAN_DECODE_MEMORY_MB, PINGAN_DECODE_TIMEOUT_SECS, PINGAN_SQLITE_CACHE_KIB (page cache per SQLite
connection, default 512)";

/// # Errors
/// Database errors or a failed migration.
pub async fn migrate(config: &Config) -> Result<(), BackendError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    println!("migrations applied");
    Ok(())
}

/// # Errors
/// Unreadable or invalid files (every problem is listed), or database errors.
pub async fn import_regions(config: &Config, dir: &Path) -> Result<(), BackendError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let files = import::read_dir(dir)?;
    let who = backend::audit::Who::cli("import-regions");
    let r = import::import_as(&db, &files, &who).await?;
    println!("imported {} regions, {} units, {} categories", r.regions, r.units, r.categories);
    Ok(())
}

/// `pingan import-legal DIR`: articles and service points, checked against the imported regions.
///
/// # Errors
/// Unreadable or invalid files (every problem is listed), or database errors.
pub async fn import_legal(config: &Config, dir: &Path) -> Result<(), BackendError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let catalog = import::load_catalog(&db).await?;
    let files = backend::services::legal::read_dir(dir)?;
    let who = backend::audit::Who::cli("import-legal");
    let r = backend::services::legal::import_as(&db, &catalog, &files, &who).await?;
    println!("imported {} articles and {} service points ({} removed)", r.articles, r.services, r.removed);
    Ok(())
}

/// `pingan precompress [DIR]`: see [`crate::compress::precompress_dir`].
///
/// # Errors
/// Reading or writing the files.
pub fn precompress(config: &Config, dir: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    let dir = dir.map_or_else(|| std::path::Path::new(config.site_root.as_str()).join("pkg"), std::path::PathBuf::from);
    let mut done = crate::compress::fingerprint_dir(&dir, crate::startup::OUTPUT_NAME)?;
    done.extend(crate::compress::precompress_dir(&dir)?);
    if done.is_empty() {
        println!("{}: compressed copies are up to date", dir.display());
    }
    for line in done {
        println!("{line}");
    }
    Ok(())
}

/// Runs the server until Ctrl-C / SIGTERM.
///
/// # Errors
/// Startup failures (database, migrations, binding the address).
pub async fn serve(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let state = startup::build_state(config).await?;
    let options = startup::leptos_options(config);
    crate::jobs::start(&state, config.sink.clone(), config.supervision_every, config.outbox_every);
    let app = startup::build_router(state, options, config.trust_proxy);
    let listener = tokio::net::TcpListener::bind(config.site_addr).await?;
    println!("pingan is running at {}", config.public_url());
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// Reads `--flag value` pairs.
fn flags(args: &[String]) -> Result<std::collections::HashMap<String, String>, String> {
    let mut out = std::collections::HashMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let k = a.strip_prefix("--").ok_or_else(|| format!("unexpected argument {a:?}"))?;
        let v = it.next().ok_or_else(|| format!("--{k} needs a value"))?;
        out.insert(k.to_owned(), v.clone());
    }
    Ok(out)
}

/// `pingan create-staff --username U --unit UNIT --role ROLE [--name NAME]`, password on stdin
/// (its first line; nothing is echoed or logged).
///
/// # Errors
/// Bad flags, a weak password or other invalid fields (each explained), database errors.
pub async fn create_staff(config: &Config, args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let f = flags(args)?;
    let need = |k: &str| f.get(k).cloned().ok_or_else(|| format!("missing --{k}\n\n{USAGE}"));
    let username = need("username")?;
    let (unit, role) = (need("unit")?, need("role")?);
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let state = startup::build_state(config).await?;
    let by = backend::audit::Who::cli("create-staff");
    let n = backend::auth::NewStaff {
        display_name: f.get("name").cloned().unwrap_or_else(|| username.clone()),
        username,
        unit,
        role,
        password,
    };
    match backend::auth::create_staff(&state, &by, &n).await {
        Ok(s) => {
            println!("created {} ({}, {}) id {}", s.username, s.role.as_str(), s.unit, s.id);
            Ok(())
        }
        Err(BackendError::Invalid(errs)) => {
            let lines: Vec<String> =
                errs.iter().map(|e| format!("{}: {}", e.field.as_str(), e.msg.text(domain::Lang::En))).collect();
            Err(lines.join("\n").into())
        }
        Err(e) => Err(e.into()),
    }
}

/// `pingan audit verify`: prints how many entries were checked and the first broken link.
///
/// # Errors
/// Database errors, or a broken chain.
pub async fn audit_verify(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let v = backend::audit::verify(&db.pool).await?;
    println!("checked {} entries", v.checked);
    match v.first_broken {
        None => {
            println!("audit chain intact");
            Ok(())
        }
        Some((seq, why)) => Err(format!("audit chain broken at entry {seq}: {why}").into()),
    }
}

/// `pingan supervise`: one supervision run, then deliver what it queued.
///
/// # Errors
/// Database errors.
pub async fn supervise(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let state = startup::build_state(config).await?;
    let r = backend::services::supervision::run(&state, usize::MAX).await?;
    println!(
        "{} appeals: {} warnings, {} supervisions, {} escalations; summonses: {} warnings, {} supervisions",
        r.appeals, r.warnings, r.supervisions, r.escalations, r.summons_warnings, r.summons_supervisions
    );
    Ok(())
}

/// `pingan hash-cost`: how long one hash takes at the configured argon2 cost.
///
/// # Errors
/// The hasher failed.
pub async fn hash_cost(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let c = config.auth.cost;
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        backend::auth::password::hash("a sample password of ordinary length".into(), c).await?;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!("argon2id m={} KiB t={} p={}: {:.3} s per hash (median of 3)", c.m_kib, c.t, c.p, times[1]);
    Ok(())
}

/// `pingan open311-key create --name NAME | list | revoke ID`, writing to `out`. `create` puts the
/// key alone on the last line, so scripts can take it with `tail -n 1`.
///
/// # Errors
/// Bad arguments, an unknown or already revoked id, database errors.
pub async fn open311_key(
    config: &Config,
    args: &[String],
    out: &mut impl std::io::Write,
) -> Result<(), Box<dyn std::error::Error>> {
    use backend::services::open311;
    let by = backend::audit::Who::cli("open311-key");
    let fmt_ts = domain::sla::local_text;
    match args.first().map(String::as_str) {
        Some("create") => {
            let f = flags(&args[1..])?;
            let name = f.get("name").ok_or_else(|| format!("missing --name\n\n{USAGE}"))?;
            let state = startup::build_state(config).await?;
            match open311::create_key(&state, &by, name).await {
                Ok(k) => {
                    writeln!(
                        out,
                        "created Open311 API key {} ({}); it is shown only now, keep it secret:",
                        k.id, k.name
                    )?;
                    writeln!(out, "{}", k.key)?;
                    Ok(())
                }
                Err(BackendError::BadRequest(msgs)) => Err(msgs.join("\n").into()),
                Err(e) => Err(e.into()),
            }
        }
        Some("list") if args.len() == 1 => {
            let state = startup::build_state(config).await?;
            let keys = open311::list_keys(&state).await?;
            if keys.is_empty() {
                writeln!(out, "no Open311 API keys")?;
            }
            for k in keys {
                let revoked = k.revoked_at.map_or_else(|| "active".to_owned(), |t| format!("revoked {}", fmt_ts(t)));
                writeln!(out, "{}\t{}\tcreated {}\t{revoked}", k.id, k.name, fmt_ts(k.created_at))?;
            }
            Ok(())
        }
        Some("revoke") if args.len() == 2 => {
            let id: i64 = args[1].parse().map_err(|_| format!("not a key id: {:?}", args[1]))?;
            let state = startup::build_state(config).await?;
            match open311::revoke_key(&state, &by, id).await {
                Ok(()) => {
                    writeln!(
                        out,
                        "revoked Open311 API key {id} (running servers refuse it within {} s)",
                        backend::services::open311::KEY_CACHE_SECONDS
                    )?;
                    Ok(())
                }
                Err(BackendError::NotFound) => Err(format!("no active Open311 API key with id {id}").into()),
                Err(e) => Err(e.into()),
            }
        }
        _ => Err(format!("usage: pingan open311-key create --name NAME | list | revoke ID\n\n{USAGE}").into()),
    }
}
