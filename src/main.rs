//! The `partnerscope` binary: parse the command line, run, print the error chain, exit.
//! Messages are printed with their control characters escaped: they quote data files.

use clap::Parser;
use partnerscope::terminal::escape;

/// The system allocator, with the bound on a template's memory (SPEC §14).
#[global_allocator]
static ALLOCATOR: partnerscope::report::templates::Budgeted =
    partnerscope::report::templates::Budgeted;

fn main() {
    let cli = partnerscope::cli::Cli::parse();
    match partnerscope::commands::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            match &error {
                // Each problem on its own line, as `file:line:column: message`.
                partnerscope::Error::Invalid(_) => {
                    partnerscope::errln!("{}", escape(&error.to_string()))
                }
                _ => partnerscope::errln!("error: {}", escape(&error.to_string())),
            }
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                partnerscope::errln!("  caused by: {}", escape(&cause.to_string()));
                source = cause.source();
            }
            std::process::exit(error.exit_code());
        }
    }
}
