//! Stylesheets compile in a child process of this same binary
//! (`gazette sass-worker`, hidden), so a stylesheet that never ends, recurses
//! without end or takes all the memory fails alone: see
//! `gazette_render::SassSandbox`.

use std::time::Duration;

use gazette_render::{SassLimits, SassSandbox};

/// The hidden subcommand the worker runs as.
pub const SUBCOMMAND: &str = "sass-worker";

/// Overrides the time limit of one stylesheet, in milliseconds (tests use a
/// short one; a slow machine may want a longer one).
const TIMEOUT_VARIABLE: &str = "GAZETTE_SASS_TIMEOUT_MS";

/// Makes every stylesheet this process renders compile in a worker.
pub fn install() {
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(error) => {
            eprintln!(
                "warning: cannot find the gazette executable ({error}); stylesheets compile \
                 in this process, without limits on their time and memory"
            );
            return;
        }
    };
    let mut limits = SassLimits::default();
    if let Some(value) = std::env::var_os(TIMEOUT_VARIABLE) {
        match value.to_str().and_then(|text| text.parse::<u64>().ok()) {
            Some(milliseconds) => limits.time = Duration::from_millis(milliseconds),
            None => eprintln!(
                "warning: {TIMEOUT_VARIABLE} is not a number of milliseconds; using {} s",
                limits.time.as_secs()
            ),
        }
    }
    // Installed once, first thing in `main`: there is nothing to replace.
    let _ = gazette_render::install_sass_sandbox(SassSandbox::new(program, [SUBCOMMAND], limits));
}
