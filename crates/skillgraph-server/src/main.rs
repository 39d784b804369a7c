//! The `skillgraph` binary: parses the command line and runs it.

use std::process::ExitCode;

use clap::Parser;
use skillgraph_server::{app, cli};

/// mimalloc instead of the system allocator: a GraphQL answer is built of
/// many small allocations (a map per object, a string per field), and
/// snapshot builds on blocking threads left glibc's per-thread arenas
/// holding memory. Measured in bench/README.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Schema => {
            print!("{}", skillgraph_server::api::sdl());
            ExitCode::SUCCESS
        }
        cli::Command::Generate(args) => match generate(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("skillgraph generate: {e}");
                ExitCode::FAILURE
            }
        },
        cli::Command::Import(args) => block_on(app::import(&args), "import"),
        cli::Command::Export(args) => block_on(app::export(&args), "export"),
        cli::Command::Token(cli::TokenCommand::Create(args)) => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("skillgraph: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(app::create_token(&args)) {
                Ok(token) => {
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("skillgraph token create: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        cli::Command::Token(cli::TokenCommand::List(args)) => {
            print_on(app::list_tokens(&args), "token list")
        }
        cli::Command::Token(cli::TokenCommand::Revoke(args)) => print_on(
            async {
                Ok(app::revoke_token(&args).await?.map(|token| {
                    format!(
                        "revoked token {} ({}, {:?})",
                        token.id,
                        token.role.as_str(),
                        token.label
                    )
                }))
            },
            "token revoke",
        ),
        cli::Command::Learner(cli::LearnerCommand::List(args)) => {
            print_on(app::list_learners(&args), "learner list")
        }
        cli::Command::Learner(cli::LearnerCommand::Revoke(args)) => print_on(
            async {
                Ok(app::revoke_learner(&args).await?.map(|token| {
                    format!(
                        "revoked learner token {} ({}, {:?})",
                        token.id, token.learner, token.label
                    )
                }))
            },
            "learner revoke",
        ),
        cli::Command::Learner(cli::LearnerCommand::Create(args)) => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("skillgraph: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(app::create_learner(&args)) {
                Ok((learner, token)) => {
                    eprintln!("created learner {learner}");
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("skillgraph learner create: {e}");
                    ExitCode::FAILURE
                }
            }
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
            match runtime.block_on(app::serve(*args)) {
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

/// Writes a generated bundle where the options say.
fn generate(args: &cli::GenerateArgs) -> Result<(), Box<dyn std::error::Error>> {
    use skillgraph_bundle::generate::{SharedShape, generate, generate_shared};
    let bundle = match args.shape {
        cli::GenerateShape::Areas => generate(args.skills, args.seed)?,
        cli::GenerateShape::Shared => {
            generate_shared(SharedShape::BENCH.scaled(args.scale.into()), args.seed)?
        }
    };
    let text = skillgraph_bundle::to_yaml(&bundle)?;
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

/// Runs one async command to completion and turns its outcome into an exit code.
fn block_on(work: impl Future<Output = Result<(), app::StartError>>, name: &str) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("skillgraph: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("skillgraph {name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What a listing or revoking command prints, and how it ends.
trait Printed {
    /// The text for standard output, or why the command failed.
    fn printed(self) -> Result<String, String>;
}

impl Printed for String {
    fn printed(self) -> Result<String, String> {
        Ok(self)
    }
}

/// A revocation: what was revoked (said on standard error), or nothing
/// for an id that names no token.
impl Printed for Option<String> {
    fn printed(self) -> Result<String, String> {
        match self {
            Some(done) => {
                eprintln!("{done}");
                Ok(String::new())
            }
            None => Err("there is no token with that id; `list` shows them".into()),
        }
    }
}

/// Runs one async command that prints, and turns its outcome into an exit code.
fn print_on<T: Printed>(
    work: impl Future<Output = Result<T, app::StartError>>,
    name: &str,
) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("skillgraph: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime
        .block_on(work)
        .map_err(|e| e.to_string())
        .and_then(Printed::printed)
    {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("skillgraph {name}: {e}");
            ExitCode::FAILURE
        }
    }
}
