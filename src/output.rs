//! How much the binary prints and in which colours: `-q`/`-v` for the whole
//! run, and styles written through `anstream`, which drops them when the
//! stream is not a terminal or `NO_COLOR` is set and keeps them under
//! `CLICOLOR_FORCE`.

use std::sync::OnceLock;

use anstyle::{AnsiColor, Style};

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only (`-q`).
    Quiet,
    /// Errors, warnings and a line per site.
    Normal,
    /// Also where each site is read from and written to (`-v`).
    Verbose,
}

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

/// Sets the verbosity for the run, once, from the command line.
pub fn set_verbosity(quiet: bool, verbose: u8) {
    let verbosity = match (quiet, verbose) {
        (true, _) => Verbosity::Quiet,
        (false, 0) => Verbosity::Normal,
        (false, _) => Verbosity::Verbose,
    };
    let _ = VERBOSITY.set(verbosity);
}

/// Whether only errors are printed.
pub fn quiet() -> bool {
    verbosity() == Verbosity::Quiet
}

/// Whether the details `-v` asks for are printed.
pub fn verbose() -> bool {
    verbosity() == Verbosity::Verbose
}

fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or(Verbosity::Normal)
}

/// The style of a status word that went well (`Built`, `Checked`).
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
/// The style of a status word that went wrong (`Failed`).
pub const BAD: Style = AnsiColor::Red.on_default().bold();

/// A status word right-aligned in ten columns, as cargo prints them.
pub fn status(word: &str, style: Style) -> String {
    format!("{style}{word:>10}{style:#}")
}
