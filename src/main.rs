//! The `partnerscope` binary: parse the command line, run, print the error chain, exit.

use clap::Parser;

fn main() {
    let cli = partnerscope::cli::Cli::parse();
    match partnerscope::commands::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            match &error {
                // Each problem on its own line, as `file:line:column: message`.
                partnerscope::Error::Invalid(_) => eprintln!("{error}"),
                _ => eprintln!("error: {error}"),
            }
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            std::process::exit(error.exit_code());
        }
    }
}
