//! `gazette`: build and publish many Isomer-format government websites from
//! one Git workspace.
//!
//! The binary parses commands and presents results; the work is done by the
//! library crates under `crates/`, which `cargo xtask` also uses.

mod build;
mod check;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Build and publish Isomer-format government websites from one workspace.
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build sites into folders of static files.
    Build(BuildArgs),
    /// Check sites for broken links, missing media, mojibake and more.
    Check(check::CheckArgs),
}

/// Arguments of `gazette build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Sites to build: names of folders under `sites/`, or paths to any
    /// Isomer site folder. All sites of the workspace when none is given.
    pub sites: Vec<String>,
    /// Where to write: the site's output root when one site is built, or a
    /// folder holding one folder per site. Defaults to `public/<site>/`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print errors only.
    #[arg(long, short)]
    pub quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
