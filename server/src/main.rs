//! `pingan`: the portal's one binary. See `cli::USAGE`.

use pingan_server::{cli, config::Config};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        // Colours only on a terminal: a log file or journal gets plain `key=value` fields.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result: Result<(), Box<dyn std::error::Error>> = match args.first().map(String::as_str) {
        None | Some("serve") => cli::serve(&config).await,
        Some("migrate") => cli::migrate(&config).await.map_err(Into::into),
        Some("import-regions") => match args.get(1) {
            Some(dir) => cli::import_regions(&config, std::path::Path::new(dir)).await.map_err(Into::into),
            None => {
                eprintln!("{}", cli::USAGE);
                return ExitCode::from(2);
            }
        },
        Some("import-legal") => match args.get(1) {
            Some(dir) => cli::import_legal(&config, std::path::Path::new(dir)).await.map_err(Into::into),
            None => {
                eprintln!("{}", cli::USAGE);
                return ExitCode::from(2);
            }
        },
        Some("create-staff") => cli::create_staff(&config, &args[1..]).await,
        Some("audit") if args.get(1).map(String::as_str) == Some("verify") => cli::audit_verify(&config).await,
        Some("supervise") => cli::supervise(&config).await,
        Some("hash-cost") => cli::hash_cost(&config).await,
        Some("precompress") => cli::precompress(&config, args.get(1).map(String::as_str)),
        Some("open311-key") => cli::open311_key(&config, &args[1..], &mut std::io::stdout()).await,
        Some("-h" | "--help" | "help") => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("unknown command {other:?}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
