use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A missing .env is normal; a malformed one is worth saying.
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        eprintln!("warning: cannot read .env: {err}");
    }
    match corkboard::cli::run(corkboard::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
