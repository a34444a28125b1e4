//! `mizan-server` (also run as `mizan serve`).

use std::path::PathBuf;
use std::process::ExitCode;

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
                    listen: cli.listen,
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
