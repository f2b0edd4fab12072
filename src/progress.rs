//! A live count on standard error while long work runs (sites built or
//! published, the steps of an import), drawn only where someone watches: a
//! terminal, outside CI (`CI` set to anything but `false` or `0`), without
//! `-q`, and never with `--format json`. Anywhere else it draws nothing, so
//! logs and pipes get no carriage returns or escape codes.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A count of `total` steps, or nothing when it would not be seen.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A count of `total` `unit` (such as "sites"); `machine_output` is true
    /// for `--format json`.
    pub fn count(total: usize, unit: &str, machine_output: bool) -> Self {
        Self::shown(machine_output).map_or(Self(None), |target| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), target);
            let template = format!("{{spinner}} {{pos}}/{{len}} {unit} {{wide_msg}}");
            bar.set_style(
                ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            Self(Some(bar))
        })
    }

    /// A spinner with a message, for work that is one step after another.
    pub fn spinner(machine_output: bool) -> Self {
        Self::shown(machine_output).map_or(Self(None), |target| {
            let bar = ProgressBar::with_draw_target(None, target);
            bar.enable_steady_tick(Duration::from_millis(120));
            Self(Some(bar))
        })
    }

    fn shown(machine_output: bool) -> Option<ProgressDrawTarget> {
        let in_ci = std::env::var_os("CI")
            .is_some_and(|ci| !matches!(ci.to_str(), Some("" | "false" | "0")));
        let watched =
            !machine_output && !in_ci && !crate::output::quiet() && std::io::stderr().is_terminal();
        watched.then(ProgressDrawTarget::stderr)
    }

    /// Says what is being done now.
    pub fn working_on(&self, message: impl Into<String>) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.into());
        }
    }

    /// One step done.
    pub fn step(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Runs `print` with the count cleared from the terminal, so lines
    /// printed meanwhile are not drawn over.
    pub fn suspend<T>(&self, print: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
