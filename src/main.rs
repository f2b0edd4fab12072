//! `gazette`: build and publish many Isomer-format government websites from
//! one Git workspace.
//!
//! The binary parses commands and presents results; the work is done by the
//! library crates under `crates/`, which `cargo xtask` also uses.

mod build;
mod check;
mod hook;
mod import;
mod new;
mod output;
mod preview;
mod progress;
mod publish;
mod report;
mod sass_worker;
mod serve;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

// See Cargo.toml for why the binary does not use the system allocator.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The version `--version` prints: the release and the commit built.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("GAZETTE_COMMIT"), ")");

/// Build and publish Isomer-format government websites from one workspace.
#[derive(Debug, Parser)]
#[command(name = "gazette", version = VERSION, about)]
pub struct Cli {
    /// Print errors only.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: where each site is read from and written to.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build sites into folders of static files.
    Build(BuildArgs),
    /// Publish the sites a commit changed, rendering only what changed.
    Publish(PublishArgs),
    /// Preview sites on 127.0.0.1, re-rendering and reloading as files change.
    Serve(ServeArgs),
    /// Manage the Git hook that publishes on every commit.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Check sites for broken links, missing media, mojibake and more.
    Check(check::CheckArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `gazette man > gazette.1`.
    Man,
    /// Bring an existing Isomer repository into the workspace, with its history.
    Import(import::ImportArgs),
    /// Create a small working site from the theme.
    New(new::NewArgs),
    /// Compiles one stylesheet sent on standard input (the child process
    /// every stylesheet compiles in; not for people).
    #[command(name = sass_worker::SUBCOMMAND, hide = true)]
    SassWorker,
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
    /// Build the sites as they are at this Git revision instead of the
    /// working folder (read from the repository, no checkout needed).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// How to report: a line per site for people, or JSON for scripts
    /// (every site's counts and diagnostics, on standard output).
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
    /// Fail on everything Jekyll only warns about (URL conflicts, front
    /// matter that does not parse, missing layouts, Liquid errors, ...), as
    /// `strict = true` in a site's `site.toml` does.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub preview: preview::PreviewArgs,
    /// The site's address for canonical links, `og:url`, the sitemap and
    /// feeds, in place of `url` in `_config.yml` (`https://host[:port]`).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<preview::BaseUrl>,
}

/// Arguments of `gazette publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// Sites to publish by name; all sites of the workspace when none is given.
    pub sites: Vec<String>,
    /// The revision to publish.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    /// Publish to this folder (one folder per site) instead of each site's target.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Publish only shard I of N (1-based) of the sites, for a CI matrix.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<gazette_pipeline::Shard>,
    /// Publish without running the checker first (nothing is refused, and
    /// no whole-site check render is paid for a one-page publish).
    #[arg(long)]
    pub no_check: bool,
    /// How to report: the summary table for people, or JSON for scripts
    /// (every site's result, on standard output).
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
    /// The sites' address for canonical links, `og:url`, the sitemap and
    /// feeds, in place of `url` in `_config.yml` (`https://host[:port]`).
    /// Outputs published for another address are rendered again.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<preview::BaseUrl>,
    /// Refused: a publish never includes drafts, future posts or unpublished
    /// pages (preview them with `gazette serve --drafts`).
    #[command(flatten)]
    pub refused: RefusedPreviewArgs,
}

/// Jekyll's preview flags, accepted by `publish` only to refuse them with a
/// reason and what to run instead.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct RefusedPreviewArgs {
    #[arg(long, hide = true)]
    drafts: bool,
    #[arg(long, hide = true)]
    future: bool,
    #[arg(long, hide = true)]
    unpublished: bool,
}

impl RefusedPreviewArgs {
    /// The first flag given, as written.
    pub fn given(self) -> Option<&'static str> {
        [
            (self.drafts, "--drafts"),
            (self.future, "--future"),
            (self.unpublished, "--unpublished"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// How `build` and `publish` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// Diagnostics in rustc style on standard error, the summary on standard output.
    Human,
    /// One JSON document on standard output (nothing else there).
    Json,
}

/// Arguments of `gazette serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Sites to serve by name or path; all sites of the workspace when none is given.
    pub sites: Vec<String>,
    /// The port of the index of sites (the page listing them). Each site
    /// keeps a port of its own after it, the same from run to run and when
    /// sites are added (recorded in the repository's `.git/gazette/`).
    /// 0 picks free ports.
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// The address to listen on. Anything but loopback exposes drafts: a warning is printed.
    /// Requests must name localhost, 127.0.0.1 or `[::1]` as their host, or this address
    /// (any of the machine's addresses for 0.0.0.0 or ::); others get 421.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Also answer requests for this host name (repeatable), such as the machine's
    /// name on the office network when serving with --bind 0.0.0.0.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// Open the preview in the web browser once it is ready: the site when
    /// one is served, else the index (`BROWSER` names the browser to use).
    #[arg(long)]
    pub open: bool,
    #[command(flatten)]
    pub preview: preview::PreviewArgs,
    /// The address pages are rendered for (canonical links, `og:url`, the
    /// sitemap and feeds), in place of `url` in `_config.yml`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<preview::BaseUrl>,
}

#[derive(Debug, Subcommand)]
enum HookAction {
    /// Install a post-commit hook that runs `gazette publish`.
    Install {
        /// Replace a post-commit hook that Gazette did not write.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::set_verbosity(cli.quiet, cli.verbose);
    if !matches!(cli.command, Command::SassWorker) {
        sass_worker::install();
    }
    let result = match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Publish(args) => publish::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Hook {
            action: HookAction::Install { force },
        } => hook::install(force),
        Command::Check(args) => check::run(&args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "gazette",
                &mut std::io::stdout(),
            );
            Ok(true)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map(|()| true)
            .map_err(anyhow::Error::from),
        Command::Import(args) => import::run(&args),
        Command::New(args) => new::run(&args),
        Command::SassWorker => return gazette_render::run_sass_worker(),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            anstream::eprintln!(
                "{}error{}: {error:#}",
                output::BAD.render(),
                output::BAD.render_reset()
            );
            if report::damaged_object(&error).is_some() {
                report::print_damaged_repository_help();
            }
            ExitCode::from(2)
        }
    }
}
