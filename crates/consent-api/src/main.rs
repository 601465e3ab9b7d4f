//! `consent-api`: parses the command line and runs the server, or a backup
//! or restore of the consent ledger (see `lib.rs`).

use std::io::IsTerminal;
use std::process::ExitCode;

use consent_api::cli;
use consent_api::store::BackupSummary;
use consent_api::{Command, ConfigError, LogFormat};
use tracing_subscriber::EnvFilter;

/// See Cargo.toml for why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let command = match Command::from_process() {
        Ok(command) => command,
        Err(ConfigError::HelpRequested) => {
            println!("{}", cli::help());
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("consent-api: {error}\n\n{}", cli::usage());
            return ExitCode::from(2);
        }
    };
    let log_format = match &command {
        Command::Serve(config) => config.log_format,
        _ => LogFormat::Text,
    };
    init_logs(log_format);
    let outcome = match command {
        Command::Serve(config) => consent_api::run(*config, consent_api::shutdown_signal())
            .await
            .map_err(|e| e.to_string()),
        Command::Backup { database_url, file } => consent_api::backup_to_file(&database_url, &file)
            .await
            .map(|summary| report("backed up", &summary, &file))
            .map_err(|e| e.to_string()),
        Command::Restore { database_url, file } => {
            consent_api::restore_from_file(&database_url, &file)
                .await
                .map(|summary| report("restored", &summary, &file))
                .map_err(|e| e.to_string())
        }
        Command::ImportTenants {
            database_url,
            file,
            content_dir,
        } => consent_api::tenants::import(&database_url, &content_dir, &file)
            .await
            .map(|summary| println!("{summary}"))
            .map_err(|e| e.to_string()),
        Command::ListTenants { database_url } => {
            consent_api::tenants::list(&database_url, &mut std::io::stdout().lock())
                .await
                .map_err(|e| e.to_string())
        }
        Command::GenerateKey { file } => {
            consent_api::ledger::LedgerKeys::generate(&file, chrono::Utc::now())
                .map(|kid| {
                    println!(
                        "made ledger key {kid} in {}; it signs from now on",
                        file.display()
                    )
                })
                .map_err(|e| e.to_string())
        }
        Command::VerifyExport { file, jwks } => consent_api::verify_export_file(&file, &jwks)
            .map(|checked| println!("{checked}"))
            .map_err(|e| e.to_string()),
        Command::ExportLedger {
            database_url,
            tenant,
            key_file,
        } => consent_api::export_ledger(
            &database_url,
            &tenant,
            &key_file,
            &mut std::io::stdout().lock(),
        )
        .await
        .map_err(|e| e.to_string()),
        Command::VerifyLedger { database_url } => {
            match consent_api::verify_ledger(&database_url, &mut std::io::stdout().lock()).await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the ledger does not hold (see above)".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("consent-api: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr: stdout carries only the `listening on` line (or a tool's summary).
fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match format {
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
        // The request's span (and its request_id) is a field of every line.
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

fn report(done: &str, summary: &BackupSummary, file: &std::path::Path) {
    let tables: Vec<String> = summary
        .rows
        .iter()
        .map(|(table, rows)| format!("{table} {rows}"))
        .collect();
    println!(
        "{done} {} rows ({}) {} {}",
        summary.total(),
        tables.join(", "),
        if done == "restored" { "from" } else { "to" },
        file.display()
    );
}
