//! Timing whole processes: wall time and the process's own peak memory.
//!
//! Peak memory comes from `wait4`, which returns the resource usage of the
//! one child it reaps (`ru_maxrss`, its resident high-water mark). That is
//! per process, unlike `getrusage(RUSAGE_CHILDREN)`, which reports the
//! largest of all children waited for so far.

use std::fs::File;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde::Serialize;

/// One timed run of a process.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// From spawn to exit.
    pub wall: Duration,
    /// Peak resident memory, in kibibytes.
    pub peak_kib: u64,
}

/// Runs `command` to completion with its output in `log`, and measures it.
/// Fails, showing the end of the log, when the process does not succeed.
pub fn run(command: &mut Command, log: &Path) -> anyhow::Result<Sample> {
    let out = File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let err = out.try_clone()?;
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .with_context(|| format!("cannot start {:?}", command.get_program()))?;
    let (status, peak_kib) = wait_with_usage(child.id())?;
    let wall = started.elapsed();
    if !status.success() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "{:?} failed ({status}); its output ({}) ends with:\n{}",
            command,
            log.display(),
            tail.join("\n")
        );
    }
    Ok(Sample { wall, peak_kib })
}

/// Reaps the child `pid` and returns its exit status and peak RSS in KiB.
fn wait_with_usage(pid: u32) -> anyhow::Result<(ExitStatus, u64)> {
    let pid = libc::pid_t::try_from(pid).context("process id out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child that nothing else waits for (the
        // `Child` handle is dropped without waiting), and both out-pointers
        // point to live, writable locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error).context("cannot wait for the process");
        }
    }
    // Linux reports ru_maxrss in kibibytes.
    let peak_kib = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    Ok((ExitStatus::from_raw(status), peak_kib))
}

/// Median, minimum and maximum of some runs.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    /// The middle value (the mean of the two middle ones for an even count).
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl Spread {
    /// One value, measured once or known.
    pub fn exactly(value: f64) -> Self {
        Self {
            median: value,
            min: value,
            max: value,
        }
    }

    /// `self` divided by `other`, median by median; the extremes pair the
    /// smallest of one with the largest of the other, so the quotient's
    /// spread covers every pairing of runs.
    pub fn divided_by(self, other: Self) -> Self {
        Self {
            median: self.median / other.median,
            min: self.min / other.max,
            max: self.max / other.min,
        }
    }

    /// Every value multiplied by `factor` (a positive one).
    pub fn times(self, factor: f64) -> Self {
        Self {
            median: self.median * factor,
            min: self.min * factor,
            max: self.max * factor,
        }
    }

    /// The spread of `values`; zeros when there are none.
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Self {
                median: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len().is_multiple_of(2) {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        } else {
            sorted[middle]
        };
        Self {
            median,
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }

    /// The spread of the wall times of `samples`, in seconds.
    pub fn of_seconds(samples: &[Sample]) -> Self {
        let seconds: Vec<f64> = samples.iter().map(|s| s.wall.as_secs_f64()).collect();
        Self::of(&seconds)
    }

    /// The spread of the peak memory of `samples`, in MiB.
    pub fn of_peak_mib(samples: &[Sample]) -> Self {
        let mib: Vec<f64> = samples.iter().map(|s| s.peak_kib as f64 / 1024.0).collect();
        Self::of(&mib)
    }
}

/// Size of an output folder.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TreeSize {
    /// Regular files.
    pub files: u64,
    /// Of which HTML pages.
    pub html_pages: u64,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// The published trees of an output: `dir` itself when it is one site's
/// output (a symbolic link to its current version) or a plain folder (Hugo's),
/// else each site's output inside it. Gazette's version folders
/// (`.NAME.gazette`, which hold the current version again and the spare of
/// hard links) are not published trees: counting or copying them would count
/// each file two or three times.
pub fn published_trees(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if dir.is_symlink() {
        return Ok(vec![dir.to_owned()]);
    }
    let mut sites = Vec::new();
    let mut has_versions = false;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".gazette") {
            has_versions = true;
        } else if entry.path().is_symlink() {
            sites.push(entry.path());
        }
    }
    if !has_versions {
        return Ok(vec![dir.to_owned()]);
    }
    sites.sort();
    Ok(sites)
}

/// Counts the files of the published trees under `dir` (see
/// [`published_trees`]), following the link each site's output is, but not
/// links inside it.
pub fn tree_size(dir: &Path) -> std::io::Result<TreeSize> {
    let mut size = TreeSize::default();
    let mut stack = Vec::new();
    for tree in published_trees(dir)? {
        stack.push(std::fs::canonicalize(tree)?);
    }
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                size.files += 1;
                size.bytes += entry.metadata()?.len();
                if entry.path().extension().is_some_and(|ext| ext == "html") {
                    size.html_pages += 1;
                }
            }
        }
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let spread = Spread::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!((spread.median, spread.min, spread.max), (2.5, 1.0, 4.0));
        assert_eq!(Spread::of(&[5.0, 1.0, 3.0]).median, 3.0);
    }

    #[test]
    fn only_published_trees_are_counted_not_the_versions_beside_them() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let out = dir.path();
        for version in ["v-2", "v-1"] {
            let folder = out.join(".news.gazette").join(version);
            std::fs::create_dir_all(&folder).expect("a version folder");
            std::fs::write(folder.join("index.html"), "<p>hi</p>").expect("a page");
        }
        std::os::unix::fs::symlink(".news.gazette/v-2", out.join("news")).expect("the link");
        let size = super::tree_size(out).expect("a readable tree");
        assert_eq!((size.files, size.html_pages, size.bytes), (1, 1, 9));
        assert_eq!(
            super::published_trees(&out.join("news")).expect("a link"),
            [out.join("news")]
        );

        let plain = dir.path().join("public");
        std::fs::create_dir_all(plain.join("a")).expect("a plain folder");
        std::fs::write(plain.join("index.html"), "x").expect("a page");
        std::fs::write(plain.join("a/index.html"), "y").expect("a page");
        assert_eq!(super::tree_size(&plain).expect("a tree").files, 2);
    }

    #[test]
    fn a_measured_process_reports_its_own_peak_memory() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let sample = super::run(
            std::process::Command::new("sh").args(["-c", "exit 0"]),
            &dir.path().join("log"),
        )
        .expect("sh runs");
        assert!(sample.peak_kib > 0);
        let failed = super::run(
            std::process::Command::new("sh").args(["-c", "echo broken; exit 3"]),
            &dir.path().join("log"),
        );
        let message = format!("{:#}", failed.expect_err("exit 3 is a failure"));
        assert!(message.contains("broken"), "{message}");
    }
}
