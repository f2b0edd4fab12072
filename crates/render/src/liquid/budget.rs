//! Budgets: what one render of a page may spend, so that a hostile or
//! mistaken template ends with an error instead of taking the process down.
//!
//! - iterations of `for` and `tablerow` bodies, counted over the whole page
//!   (so nested loops multiply into the same count; a range is never
//!   materialised, so `(1..100000000)` costs what it iterates);
//! - output: the bytes written, and the size of any one value `assign` or
//!   `capture` stores (doubling a string runs into it);
//! - nesting: blocks nested in the source (checked before parsing, see
//!   `source.rs`), and blocks and includes nested while rendering;
//! - time, checked at every iteration and include.
//!
//! The state lives in a [`Registers`](liquid_core::runtime::Registers) entry
//! of the render, which the tags reach through the runtime.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use liquid_core::Runtime;

use super::LiquidError;

/// The limits of one render.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Loop iterations over the whole render.
    pub iterations: u64,
    /// Bytes of output, and of any one stored value.
    pub output_bytes: usize,
    /// Blocks nested in one file's source.
    pub source_depth: usize,
    /// Blocks and includes nested while rendering, across includes.
    pub render_depth: u32,
    /// Wall-clock time of one render.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // A real page loops over posts and their tags: thousands.
            iterations: 1_000_000,
            output_bytes: 32 << 20,
            source_depth: 48,
            render_depth: 96,
            time: Duration::from_secs(10),
        }
    }
}

/// The render's counters and what went wrong in it.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    pub limits: Limits,
    pub iterations: u64,
    pub depth: u32,
    pub started: Option<Instant>,
    /// A budget ran out, or an include does not parse: the render ends.
    pub fatal: Option<LiquidError>,
    /// Problems Ruby Liquid would have rendered around, in order.
    pub warnings: Vec<LiquidError>,
    /// The include files being rendered, innermost last.
    pub files: Vec<String>,
    /// Set by a [`LimitedWriter`] of this render that refused to grow.
    pub full: Rc<Cell<bool>>,
}

pub(crate) fn budget(runtime: &dyn Runtime) -> std::cell::RefMut<'_, Budget> {
    runtime.registers().get_mut::<Budget>()
}

/// The error a tag returns to end the render (the reason is in `fatal`).
pub(crate) fn stop() -> liquid_core::Error {
    liquid_core::Error::with_msg("the render was stopped")
}

impl Budget {
    /// Records that a budget ran out at `line` of the current file.
    pub(crate) fn exceed(&mut self, line: u32, message: String) -> liquid_core::Error {
        if self.fatal.is_none() {
            self.fatal = Some(LiquidError {
                message,
                line: Some(line),
                file: self.files.last().cloned(),
            });
        }
        stop()
    }

    /// One loop iteration at `line`.
    pub(crate) fn tick(&mut self, line: u32) -> liquid_core::Result<()> {
        if self.fatal.is_some() {
            return Err(stop());
        }
        self.iterations += 1;
        if self.iterations > self.limits.iterations {
            let limit = self.limits.iterations;
            return Err(self.exceed(
                line,
                format!(
                    "loops ran more than {limit} times in one page (a budget of Gazette's Liquid)"
                ),
            ));
        }
        if self.iterations.is_multiple_of(64) {
            self.check_time(line)?;
        }
        Ok(())
    }

    pub(crate) fn check_time(&mut self, line: u32) -> liquid_core::Result<()> {
        let started = *self.started.get_or_insert_with(Instant::now);
        if started.elapsed() > self.limits.time {
            let limit = self.limits.time.as_secs();
            return Err(self.exceed(
                line,
                format!(
                    "the page's Liquid ran longer than {limit} s (a budget of Gazette's Liquid)"
                ),
            ));
        }
        Ok(())
    }

    /// Entering a block or include at `line`.
    pub(crate) fn enter(&mut self, line: u32) -> liquid_core::Result<()> {
        if self.fatal.is_some() {
            return Err(stop());
        }
        self.depth += 1;
        if self.depth > self.limits.render_depth {
            let limit = self.limits.render_depth;
            return Err(self.exceed(
                line,
                format!(
                    "blocks and includes nest more than {limit} deep (a budget of Gazette's Liquid)"
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// After an error at `line`: when a writer refused to grow, the render
    /// ends there.
    pub(crate) fn check_output(&mut self, line: u32) -> liquid_core::Result<()> {
        if self.full.get() {
            let limit = self.limits.output_bytes >> 20;
            return Err(self.exceed(
                line,
                format!("the output grew beyond {limit} MiB (a budget of Gazette's Liquid)"),
            ));
        }
        Ok(())
    }

    /// A value of `size` bytes is about to be stored at `line`.
    pub(crate) fn check_size(&mut self, line: u32, size: usize) -> liquid_core::Result<()> {
        if size > self.limits.output_bytes {
            let limit = self.limits.output_bytes >> 20;
            return Err(self.exceed(
                line,
                format!("a value grew beyond {limit} MiB (a budget of Gazette's Liquid)"),
            ));
        }
        Ok(())
    }
}

/// A writer that refuses to grow beyond a limit.
pub(crate) struct LimitedWriter {
    pub bytes: Vec<u8>,
    limit: usize,
    full: Rc<Cell<bool>>,
}

impl LimitedWriter {
    pub(crate) fn new(budget: &Budget, capacity: usize) -> Self {
        let limit = budget.limits.output_bytes;
        Self {
            bytes: Vec::with_capacity(capacity.min(limit)),
            limit,
            full: budget.full.clone(),
        }
    }
}

impl std::io::Write for LimitedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.full.set(true);
            return Err(std::io::Error::other("output budget exceeded"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
