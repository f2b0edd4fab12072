//! Compiling a stylesheet in a child process, so that Sass which never ends,
//! nests without end or grows without end costs one stylesheet an error, not
//! the whole process.
//!
//! The parent ([`SassSandbox::compile`]) starts the program it was given
//! (the `gazette` binary, re-running itself as the worker), writes one
//! [`Job`] on its standard input and reads the result on its standard
//! output. The worker ([`run_sass_worker`]) limits its own address space,
//! compiles on a thread with a stack of known size, and answers. Whatever
//! ends the worker instead (the parent killing it at the time limit, an
//! allocation refused at the memory limit, a stack overflow) becomes a
//! [`SassError`] saying what to look for in the stylesheet.
//!
//! The worker reads partials only from the job: the file system it gives
//! grass is still the site's partials alone (see the parent module).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{SassError, compile_scss};

/// The worker's stack. Real stylesheets nest a few levels; this leaves room
/// for far deeper ones, and does not depend on the stack limit of the shell
/// that started Gazette. Deeper recursion overflows it and ends the worker.
const WORKER_STACK_BYTES: usize = 64 << 20;

/// How much of the worker's standard error is kept to explain its end (the
/// runtime's last words come first; an endless `@debug` may say much more).
const KEPT_STDERR_BYTES: u64 = 16 << 10;

/// What one stylesheet may spend in the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SassLimits {
    /// Wall-clock time, from starting the worker to its answer.
    pub time: Duration,
    /// The worker's address space: its memory, stack included.
    pub memory_bytes: u64,
    /// Bytes of compiled CSS.
    pub output_bytes: u64,
}

impl Default for SassLimits {
    fn default() -> Self {
        Self {
            // Real stylesheets (14 KiB in the corpus at most) compile in
            // milliseconds; the Liquid budget of a page is the same 10 s.
            time: Duration::from_secs(10),
            // A few hundred MiB: about a thousand times what a real
            // stylesheet needs, and what a build can spare per stylesheet.
            memory_bytes: 512 << 20,
            // As much as a page's Liquid may write.
            output_bytes: 32 << 20,
        }
    }
}

/// Compiles stylesheets in child processes: `program` with `args` must
/// start a process that calls [`run_sass_worker`].
#[derive(Debug, Clone)]
pub struct SassSandbox {
    program: PathBuf,
    args: Vec<OsString>,
    limits: SassLimits,
}

/// One stylesheet to compile, as the parent sends it.
#[derive(Serialize, Deserialize)]
struct Job<'a> {
    text: &'a str,
    #[serde(borrow)]
    partials: BTreeMap<&'a str, &'a str>,
    memory_bytes: u64,
}

/// Why the worker gave no answer.
enum WorkerEnd {
    OutOfTime,
    OutputTooLarge,
    Exited(ExitStatus),
}

impl SassSandbox {
    /// A sandbox that runs `program args…` as the worker, within `limits`.
    pub fn new(
        program: impl Into<PathBuf>,
        args: impl IntoIterator<Item = impl Into<OsString>>,
        limits: SassLimits,
    ) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            limits,
        }
    }

    /// The limits each compile runs within.
    pub fn limits(&self) -> SassLimits {
        self.limits
    }

    /// Compiles `text` in a new worker, as
    /// [`compile_scss`](super::compile_scss) would, within the limits.
    pub fn compile(
        &self,
        text: &str,
        partials: &BTreeMap<String, String>,
    ) -> Result<String, SassError> {
        let job = Job {
            text,
            partials: partials
                .iter()
                .map(|(path, text)| (path.as_str(), text.as_str()))
                .collect(),
            memory_bytes: self.limits.memory_bytes,
        };
        let job = postcard::to_allocvec(&job).map_err(|error| {
            self.failure(format!(
                "the stylesheet could not be sent to the Sass worker: {error}"
            ))
        })?;
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                self.failure(format!(
                    "the Sass worker `{}` could not be started: {error}",
                    self.program.display()
                ))
            })?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            // Never seen: every stream was asked for as a pipe.
            let _ = child.kill();
            let _ = child.wait();
            return Err(self.failure("the Sass worker has no pipes".into()));
        };
        // The worker reads the whole job before answering, but a worker that
        // dies first must not leave a writer blocked: each stream has a thread.
        std::thread::scope(|scope| {
            scope.spawn(move || {
                // A worker that ended early closed the pipe; its end says why.
                let _ = stdin.write_all(&job);
            });
            let stderr = scope.spawn(move || kept_stderr(stderr));
            let (sender, answer) = mpsc::channel();
            let read_limit = self.limits.output_bytes.saturating_add(64);
            scope.spawn(move || {
                let mut bytes = Vec::new();
                let read = stdout.take(read_limit + 1).read_to_end(&mut bytes);
                let _ = sender.send(read.map(|_| bytes));
            });
            let end = self.wait(&mut child, &answer, read_limit);
            let stderr = stderr.join().unwrap_or_default();
            match end {
                Ok(bytes) => postcard::from_bytes::<Result<String, SassError>>(&bytes)
                    .unwrap_or_else(|_| Err(self.crashed(None, &stderr))),
                Err(WorkerEnd::OutOfTime) => Err(self.out_of_time()),
                Err(WorkerEnd::OutputTooLarge) => Err(self.output_too_large()),
                Err(WorkerEnd::Exited(status)) => Err(self.crashed(Some(status), &stderr)),
            }
        })
    }

    /// Waits for the worker's answer until the time limit, killing it at
    /// the limit or when it writes too much. The answer's bytes when the
    /// worker ended well.
    fn wait(
        &self,
        child: &mut Child,
        answer: &mpsc::Receiver<io::Result<Vec<u8>>>,
        read_limit: u64,
    ) -> Result<Vec<u8>, WorkerEnd> {
        let deadline = Instant::now() + self.limits.time;
        let bytes = match answer.recv_timeout(self.limits.time) {
            Ok(Ok(bytes)) if bytes.len() as u64 > read_limit => {
                stop(child);
                return Err(WorkerEnd::OutputTooLarge);
            }
            Ok(Ok(bytes)) => bytes,
            // The pipe failed, or the time ran out before the worker closed it.
            Ok(Err(_)) | Err(_) => Vec::new(),
        };
        // The worker closes its output as it exits, so this rarely waits.
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(bytes),
                Ok(Some(status)) => return Err(WorkerEnd::Exited(status)),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(None) | Err(_) => {
                    stop(child);
                    return Err(WorkerEnd::OutOfTime);
                }
            }
        }
    }

    fn out_of_time(&self) -> SassError {
        budget_error(
            format!(
                "took longer than {} to compile (a budget of Gazette's Sass)",
                seconds(self.limits.time)
            ),
            "look for an endless `@while`, or a `@function` or `@mixin` that calls itself",
        )
    }

    fn output_too_large(&self) -> SassError {
        budget_error(
            format!(
                "the compiled CSS grew beyond {} MiB (a budget of Gazette's Sass)",
                self.limits.output_bytes >> 20
            ),
            "look for a `@for` or `@while` loop that writes far more rules than it should",
        )
    }

    /// The worker ended without an answer: what its last words say.
    fn crashed(&self, status: Option<ExitStatus>, stderr: &str) -> SassError {
        if stderr.contains("overflowed its stack") {
            return budget_error(
                "nests too deeply to compile (a budget of Gazette's Sass)".into(),
                "look for a `@function` or `@mixin` that calls itself, or rules nested thousands deep",
            );
        }
        if stderr.contains("memory allocation of") {
            return budget_error(
                format!(
                    "needed more than {} MiB of memory to compile (a budget of Gazette's Sass)",
                    self.limits.memory_bytes >> 20
                ),
                "look for a loop that doubles a string or a list (`$s: $s + $s`), a `@function` \
                 or `@mixin` that calls itself, or rules nested thousands deep",
            );
        }
        let said = stderr.lines().rev().find(|line| !line.trim().is_empty());
        let how = status.map_or_else(|| "gave no answer".to_owned(), |s| format!("ended ({s})"));
        self.failure(format!(
            "the Sass worker {how}{}",
            said.map(|line| format!(": {}", line.trim()))
                .unwrap_or_default()
        ))
    }

    fn failure(&self, message: String) -> SassError {
        SassError {
            message,
            line: None,
            hint: Some(format!(
                "this is a problem of Gazette's Sass worker (`{}`), not of the stylesheet",
                self.program.display()
            )),
        }
    }
}

/// The worker's side: reads one job on standard input, limits its own
/// address space, compiles the stylesheet on a thread of known stack size,
/// writes the result on standard output and exits. The process may instead
/// be ended by the limits; [`SassSandbox::compile`] explains that end.
pub fn run_sass_worker() -> ExitCode {
    let mut input = Vec::new();
    if let Err(error) = io::stdin().lock().read_to_end(&mut input) {
        eprintln!("the Sass worker could not read its job: {error}");
        return ExitCode::from(2);
    }
    let Ok(job) = postcard::from_bytes::<Job<'_>>(&input) else {
        eprintln!("the Sass worker's input is not a job from Gazette");
        return ExitCode::from(2);
    };
    if let Err(error) = limit_address_space(job.memory_bytes) {
        eprintln!("the Sass worker could not limit its memory: {error}");
        return ExitCode::from(2);
    }
    let partials: BTreeMap<String, String> = job
        .partials
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect();
    let compiled = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(WORKER_STACK_BYTES)
            .spawn_scoped(scope, || compile_scss(job.text, &partials))
            .map(|thread| thread.join())
    });
    let result = match compiled {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => {
            eprintln!("the Sass compiler panicked");
            return ExitCode::from(3);
        }
        Err(error) => {
            eprintln!("the Sass worker could not start its thread: {error}");
            return ExitCode::from(2);
        }
    };
    let answered = postcard::to_allocvec(&result)
        .map_err(io::Error::other)
        .and_then(|bytes| {
            let mut stdout = io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()
        });
    match answered {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("the Sass worker could not answer: {error}");
            ExitCode::from(2)
        }
    }
}

/// Caps this process's address space, so an allocation past it fails (and
/// the process aborts with the allocator's message) instead of the machine
/// running out of memory.
#[cfg(unix)]
fn limit_address_space(bytes: u64) -> io::Result<()> {
    let bytes = libc::rlim_t::try_from(bytes).unwrap_or(libc::RLIM_INFINITY);
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: setrlimit only reads the struct given, which lives across the
    // call, and changes this process's own limit.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere the time limit still holds; memory is the system's to bound.
#[cfg(not(unix))]
fn limit_address_space(_bytes: u64) -> io::Result<()> {
    Ok(())
}

/// Ends a worker that is still running, and reaps it.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The first bytes of the worker's standard error; the rest is read and
/// dropped so the worker never blocks on a full pipe.
fn kept_stderr(stderr: impl Read) -> String {
    let mut stderr = stderr;
    let mut kept = Vec::new();
    let _ = (&mut stderr).take(KEPT_STDERR_BYTES).read_to_end(&mut kept);
    let _ = io::copy(&mut stderr, &mut io::sink());
    String::from_utf8_lossy(&kept).into_owned()
}

fn budget_error(message: String, hint: &str) -> SassError {
    SassError {
        message,
        line: None,
        hint: Some(hint.to_owned()),
    }
}

/// A duration as people read it: `10 s`, `0.5 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> SassSandbox {
        SassSandbox::new("gazette", ["worker"], SassLimits::default())
    }

    #[test]
    fn a_job_reaches_the_worker_as_sent() {
        let partials = BTreeMap::from([("_sass/_a.scss", "$a: 1;")]);
        let job = Job {
            text: ".a { b: c; }",
            partials: partials.clone(),
            memory_bytes: 7,
        };
        let bytes = postcard::to_allocvec(&job).unwrap();
        let read: Job<'_> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(read.text, ".a { b: c; }");
        assert_eq!(read.partials, partials);
        assert_eq!(read.memory_bytes, 7);
    }

    #[test]
    fn a_stack_overflow_is_explained_as_nesting() {
        let error = sandbox().crashed(
            None,
            "\nthread '<unnamed>' has overflowed its stack\nfatal runtime error: stack overflow\n",
        );
        assert!(error.message.contains("nests too deeply"), "{error:?}");
        assert!(error.hint.unwrap().contains("calls itself"));
    }

    #[test]
    fn a_refused_allocation_is_explained_as_memory() {
        let error = sandbox().crashed(None, "memory allocation of 1073741824 bytes failed\n");
        assert!(error.message.contains("more than 512 MiB"), "{error:?}");
        assert!(error.hint.unwrap().contains("$s: $s + $s"));
    }

    #[test]
    fn any_other_end_quotes_the_workers_last_line() {
        let error = sandbox().crashed(None, "first\nsomething broke\n\n");
        assert!(
            error.message.ends_with("gave no answer: something broke"),
            "{error:?}"
        );
    }

    #[test]
    fn a_worker_that_cannot_start_is_an_error_not_a_panic() {
        let sandbox = SassSandbox::new(
            "/nonexistent/gazette-sass-worker",
            Vec::<OsString>::new(),
            SassLimits::default(),
        );
        let error = sandbox
            .compile(".a { b: c; }", &BTreeMap::new())
            .unwrap_err();
        assert!(error.message.contains("could not be started"), "{error:?}");
    }
}
