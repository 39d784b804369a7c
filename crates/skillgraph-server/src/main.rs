//! The `skillgraph` binary: parses the command line and runs it.

use std::process::ExitCode;

use clap::Parser;
use skillgraph_server::{app, cli};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Schema => {
            print!("{}", skillgraph_server::api::sdl());
            ExitCode::SUCCESS
        }
        cli::Command::Serve(args) => {
            app::init_logging(&args);
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("skillgraph: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(app::serve(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!(error = %e, "skillgraph stopped");
                    eprintln!("skillgraph: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
