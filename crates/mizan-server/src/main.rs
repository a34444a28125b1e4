//! `mizan-server` (also run as `mizan serve`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "mizan-server",
    version,
    about = "Submissions against versioned rules, over HTTP"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The rules tree (`<authority>/<name>/<version>.mizan`, `cycles/*.toml`).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// The store: `sqlite:PATH` (embedded, WAL) or `postgres://…`.
    #[arg(long, value_name = "URL", default_value = "sqlite:mizan.db", env = "MIZAN_DB")]
    db: String,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Largest request body, in bytes (413 `payload_too_large` above).
    #[arg(long, value_name = "BYTES", default_value_t = mizan_server::BODY_LIMIT)]
    body_limit: usize,
    /// Longest a request may take, its body read included (408 `timeout`);
    /// also the longest a request waits for a slot.
    #[arg(long, value_name = "SECS", default_value_t = mizan_server::TIMEOUT.as_secs_f64(), value_parser = secs)]
    timeout: f64,
    /// Requests handled at once.
    #[arg(long, value_name = "N", default_value_t = mizan_server::CONCURRENCY, value_parser = at_least_one)]
    max_concurrency: usize,
    /// Requests that may wait for a slot; more get 503 `overloaded`.
    #[arg(long, value_name = "N", default_value_t = mizan_server::QUEUE)]
    max_queue: usize,
    /// Longest a client may take to send a request's headers (the
    /// connection is closed).
    #[arg(long, value_name = "SECS", default_value_t = mizan_server::HEADER_TIMEOUT.as_secs_f64(), value_parser = secs)]
    header_timeout: f64,
    /// Quiet time after a change under --rules before the tree is loaded
    /// again, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = mizan_server::RELOAD_DEBOUNCE.as_millis() as u64)]
    reload_debounce: u64,
    /// Most connections to the store (default: 4 for SQLite, 16 for
    /// PostgreSQL); with several instances, keep instances × N below
    /// PostgreSQL's `max_connections`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    db_pool: Option<u32>,
    /// Do not watch --rules: reload on SIGHUP only.
    #[arg(long)]
    no_watch: bool,
    /// A new store's first admin token (at least 16 characters), instead of
    /// a generated one printed once; ignored once the store has a token.
    /// From the environment only, so that it never shows in `ps`.
    #[arg(skip = std::env::var("MIZAN_ADMIN_TOKEN").ok())]
    admin_token: Option<String>,
}

/// A count of at least 1.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{s}` is not a whole number of at least 1")),
    }
}

/// A positive number of seconds (fractions allowed).
fn secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 1e9 => Ok(x),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Manage bearer tokens.
    #[command(subcommand)]
    Token(Token),
}

#[derive(Subcommand)]
enum Token {
    /// Create a token and print it (once: only its sha256 is stored).
    Create {
        /// The store.
        #[arg(long, value_name = "URL", default_value = "sqlite:mizan.db", env = "MIZAN_DB")]
        db: String,
        /// submitter, reviewer or admin.
        #[arg(long)]
        role: mizan_server::auth::Role,
        /// A submitter's entity.
        #[arg(long)]
        entity: Option<String>,
        /// The cycle the token is limited to.
        #[arg(long)]
        cycle: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(mizan::STACK_SIZE)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        match cli.command {
            Some(Command::Token(Token::Create {
                db,
                role,
                entity,
                cycle,
            })) => create_token(&db, role, entity, cycle).await,
            None => {
                let Some(rules) = cli.rules else {
                    return Err(vec!["give the rules tree: --rules DIR".to_string()]);
                };
                mizan_server::serve(mizan_server::Config {
                    rules,
                    db: cli.db,
                    db_pool: cli.db_pool,
                    listen: cli.listen,
                    limits: mizan_server::Limits {
                        body_limit: cli.body_limit,
                        timeout: Duration::from_secs_f64(cli.timeout),
                        max_concurrency: cli.max_concurrency,
                        max_queue: cli.max_queue,
                        header_timeout: Duration::from_secs_f64(cli.header_timeout),
                    },
                    watch: (!cli.no_watch).then(|| Duration::from_millis(cli.reload_debounce)),
                    admin_token: cli.admin_token,
                })
                .await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn create_token(
    db: &str,
    role: mizan_server::auth::Role,
    entity: Option<String>,
    cycle: Option<String>,
) -> Result<(), Vec<String>> {
    use mizan_server::auth::Role;
    if role == Role::Submitter && entity.is_none() {
        return Err(vec!["a submitter token needs --entity E".into()]);
    }
    if role != Role::Submitter && entity.is_some() {
        return Err(vec!["--entity is for submitter tokens only".into()]);
    }
    let store = mizan_server::store::Store::connect(db)
        .await
        .map_err(|e| vec![format!("{db}: {e}")])?;
    let token = mizan_server::auth::generate().map_err(|e| vec![e])?;
    let row = mizan_server::store::TokenRow {
        hash: mizan_server::auth::hash(&token),
        role: role.name().to_string(),
        entity,
        cycle,
    };
    store
        .add_token(&row, "cli")
        .await
        .map_err(|e| vec![e.to_string()])?;
    store.close().await;
    println!("{token}");
    Ok(())
}
