//! Whether a publish by one build of Gazette reuses what another build of
//! the same source published: the reuse key is a hash of the crates'
//! sources, not of the executable, so a debug build (the one tests and
//! `cargo run` use) and the release build must reuse each other's pages.
//! The row times the release binary's one-page publish on top of a debug
//! binary's full publish, and its note says how many pages were reused.

use std::path::Path;
use std::process::Command;

use super::history::{self, History};
use super::measure;
use super::{Row, built_binary, progress, publish_note, remove};

/// Publishes the base commit with the debug binary, then the one-page
/// commit with `release`; a failure is reported in the row.
pub fn reuse_row(
    project: &Path,
    release: &Path,
    workspace: &Path,
    history: &History,
    bench_dir: &Path,
) -> Row {
    let mut row = Row {
        key: "publish-across-builds".into(),
        label: "one-page publish, release after debug".into(),
        unit: "s",
        value: None,
        peak_mib: None,
        note: String::new(),
    };
    match measure_reuse(project, release, workspace, history, bench_dir) {
        Ok((sample, note)) => {
            row = Row::timed(&row.key, &row.label, &[sample], note);
        }
        Err(error) => row.note = format!("not measured: {error:#}"),
    }
    row
}

fn measure_reuse(
    project: &Path,
    release: &Path,
    workspace: &Path,
    history: &History,
    bench_dir: &Path,
) -> anyhow::Result<(measure::Sample, String)> {
    progress("publish: debug build, then release build", 1, 1);
    let debug = built_binary(project, false)?;
    let one_page = history
        .steps
        .iter()
        .find(|step| step.key == "one-page")
        .map(|step| step.commit.as_str())
        .unwrap_or(&history.base);
    let out = bench_dir.join("out-across-builds");
    history::forget_published(workspace)?;
    remove(&out)?;
    let logs = bench_dir.join("logs");
    let publish = |binary: &Path, commit: &str| {
        let mut command = Command::new(binary);
        command
            .current_dir(workspace)
            .args(["publish", "--no-check", "--out"])
            .arg(&out)
            .args(["--rev", commit]);
        command
    };
    measure::run(
        &mut publish(&debug, &history.base),
        &logs.join("across-debug.log"),
    )?;
    let log = logs.join("across-release.log");
    let sample = measure::run(&mut publish(release, one_page), &log)?;
    history::forget_published(workspace)?;
    Ok((
        sample,
        format!("{} (after a debug build's publish)", publish_note(&log)),
    ))
}
