use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system's malloc: a page builds its HTML from many small strings,
/// and glibc's allocator took 18 % of the server's CPU on a category page (`make bench`,
/// issue 15); mimalloc's thread-local free lists take a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
