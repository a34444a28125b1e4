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
    /// How long a token found in the store is trusted before it is looked
    /// up again, in seconds: a revoked token stops working on every
    /// instance within this time (0: looked up on every request).
    #[arg(long, value_name = "SECS", default_value_t = mizan_server::store::TOKEN_TTL.as_secs_f64(), value_parser = secs_or_zero)]
    token_ttl: f64,
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

/// A number of seconds, zero or more (fractions allowed).
fn secs_or_zero(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1e9).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number of seconds (0 or more)")),
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
    /// List the tokens: id, role, entity, cycle, when created and revoked
    /// (never the tokens themselves: only their sha256 is stored).
    List {
        /// The store.
        #[arg(long, value_name = "URL", default_value = "sqlite:mizan.db", env = "MIZAN_DB")]
        db: String,
        /// Output: `human` (a table, its headings in `--lang`) or `json`.
        #[arg(long, default_value = "human", value_parser = ["human", "json"])]
        format: String,
        /// Language of the table's headings: `en` or `ar`.
        #[arg(long, default_value = "en", env = "MIZAN_LANG", value_parser = ["en", "ar"])]
        lang: String,
    },
    /// Revoke a token by its id (`token list`; at least 8 hex digits). It
    /// stays in the store for the audit log and stops working on every
    /// instance within the servers' --token-ttl.
    Revoke {
        /// The token's id.
        id: String,
        /// The store.
        #[arg(long, value_name = "URL", default_value = "sqlite:mizan.db", env = "MIZAN_DB")]
        db: String,
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
            Some(Command::Token(Token::List { db, format, lang })) => list_tokens(&db, &format, &lang).await,
            Some(Command::Token(Token::Revoke { id, db })) => revoke_token(&db, &id).await,
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
                    token_ttl: Duration::from_secs_f64(cli.token_ttl),
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
    eprintln!(
        "token id {} (for `token list` and `token revoke`)",
        mizan_server::auth::token_id(&row.hash)
    );
    Ok(())
}

async fn list_tokens(db: &str, format: &str, lang: &str) -> Result<(), Vec<String>> {
    use mizan::render::Lang;
    use mizan_server::store::rfc3339;
    let store = mizan_server::store::Store::connect(db)
        .await
        .map_err(|e| vec![format!("{db}: {e}")])?;
    let tokens = store.tokens().await.map_err(|e| vec![e.to_string()])?;
    store.close().await;
    if format == "json" {
        let rows: Vec<serde_json::Value> = tokens
            .iter()
            .map(|t| {
                serde_json::json!({
                    "id": t.id,
                    "role": t.role,
                    "entity": t.entity,
                    "cycle": t.cycle,
                    "created_at": rfc3339(t.created_at),
                    "revoked_at": t.revoked_at.map(rfc3339),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    let lang = if lang == "ar" { Lang::Ar } else { Lang::En };
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_header([
        lang.t("id", "المعرّف"),
        lang.t("role", "الدور"),
        lang.t("entity", "الجهة"),
        lang.t("cycle", "الدورة"),
        lang.t("created", "أُنشئ"),
        lang.t("revoked", "أُلغي"),
    ]);
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map_or_else(|| "-".to_string(), |s| lang.ltr(s).into_owned())
    };
    for tok in &tokens {
        t.add_row([
            lang.ltr(&tok.id).into_owned(),
            lang.ltr(&tok.role).into_owned(),
            opt(&tok.entity),
            opt(&tok.cycle),
            lang.ltr(&rfc3339(tok.created_at)).into_owned(),
            tok.revoked_at
                .map_or_else(|| "-".into(), |at| lang.ltr(&rfc3339(at)).into_owned()),
        ]);
    }
    println!("{t}");
    Ok(())
}

async fn revoke_token(db: &str, id: &str) -> Result<(), Vec<String>> {
    use mizan_server::store::{rfc3339, RevokeError};
    let store = mizan_server::store::Store::connect(db)
        .await
        .map_err(|e| vec![format!("{db}: {e}")])?;
    let result = store.revoke_token(id, "cli").await;
    store.close().await;
    match result {
        Ok(t) => {
            let whose = t
                .entity
                .as_deref()
                .map_or_else(String::new, |e| format!(" of entity {e}"));
            println!("revoked token {} ({}{whose})", t.id, t.role);
            Ok(())
        }
        Err(RevokeError::Unknown) => Err(vec![format!(
            "no token has id `{id}` (give at least 8 hex digits of an id that `token list` shows)"
        )]),
        Err(RevokeError::Ambiguous(n)) => Err(vec![format!(
            "`{id}` starts the ids of {n} tokens: give more of the id `token list` shows"
        )]),
        Err(RevokeError::Already(at)) => Err(vec![format!(
            "token `{id}` was revoked already, at {}",
            rfc3339(at)
        )]),
        Err(RevokeError::Store(e)) => Err(vec![e.to_string()]),
    }
}
