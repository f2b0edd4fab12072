//! `cargo xtask bench`: how fast Gazette builds and publishes, measured on
//! whole `gazette` processes (the release binary), and side by side with Hugo.
//!
//! The benchmark generates a workspace of realistic Isomer sites
//! ([`generator`]) with a Git history of typical edits ([`history`]), then
//! times full builds (cold and warm), incremental publishes after each kind
//! of edit, a one-page publish to a bucket on a local S3 server
//! ([`bucket`]), the edit-to-reload latency of `gazette serve` ([`serve`]), and
//! records each process's peak memory ([`measure`]), the write floor (a copy
//! of the output tree) and the real corpus against Jekyll ([`corpus`]). With
//! `--vs-hugo` it also builds the shared benchmark corpus with Gazette and
//! Hugo, alternating ([`hugo`]). Results go to a table and to JSON.

mod bucket;
mod corpus;
mod custom_scss;
mod file_tree;
mod fleet;
mod generator;
mod history;
mod hugo;
mod measure;
mod media;
mod profiles;
mod prose;
mod rng;
mod serve;
#[cfg(test)]
mod tests;
mod trash;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use serde::Serialize;

use generator::WorkspaceSpec;
use measure::{Sample, Spread, TreeSize};

/// Arguments of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Source pages per generated site (collection pages and posts).
    #[arg(long, default_value_t = 1000)]
    pages: usize,
    /// Sites in the generated workspace.
    #[arg(long, default_value_t = 1)]
    sites: usize,
    /// Runs of each measurement; the table shows their median, min and max.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Also build the shared corpus (../shared/bench/gen_corpus.py) with Hugo
    /// and Gazette, as one site, as 50 sites of 200 pages (also published
    /// from Git, in full and after a theme change) and as one site of 10,000
    /// pages (once).
    #[arg(long)]
    vs_hugo: bool,
    /// Where to write the JSON results (default: target/bench/bench.json).
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Only generate the workspace and its history (into this folder), print
    /// the commits and stop: for measuring one thing by hand.
    #[arg(long, value_name = "FOLDER")]
    generate_only: Option<PathBuf>,
}

/// One line of the results.
#[derive(Debug, Clone, Serialize)]
struct Row {
    key: String,
    label: String,
    /// `s`, `pages/s`, `%`, `KB` or `×` (a ratio).
    unit: &'static str,
    value: Option<Spread>,
    peak_mib: Option<Spread>,
    note: String,
}

impl Row {
    fn timed(key: &str, label: &str, samples: &[Sample], note: String) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            unit: "s",
            value: Some(Spread::of_seconds(samples)),
            peak_mib: Some(Spread::of_peak_mib(samples)),
            note,
        }
    }
}

/// Everything the JSON file holds.
#[derive(Debug, Serialize)]
struct Report {
    gazette_commit: String,
    machine: Machine,
    pages: usize,
    sites: usize,
    runs: usize,
    source_pages: usize,
    output: TreeSize,
    rows: Vec<Row>,
    vs_hugo: Option<hugo::Comparison>,
}

/// The machine the numbers come from.
#[derive(Debug, Serialize)]
struct Machine {
    cores: usize,
    load_average_before: String,
    load_average_after: String,
}

/// Runs the benchmark; `Ok(true)` when every measurement ran.
pub fn run(args: &BenchArgs, project: &Path) -> anyhow::Result<bool> {
    ensure!(args.runs >= 1, "--runs must be at least 1");
    ensure!(args.sites >= 1, "--sites must be at least 1");
    ensure!(args.pages >= 10, "--pages must be at least 10");
    if let Some(folder) = &args.generate_only {
        return generate_only(args, folder, project);
    }
    let bench_dir = project.join("target/bench");
    let logs = bench_dir.join("logs");
    fs::create_dir_all(&logs)?;
    trash::open(&bench_dir.join("trash"))?;
    let binary = built_binary(project, true)?;
    let load_average_before = load_average();

    let spec = WorkspaceSpec {
        sites: args.sites,
        pages: args.pages,
    };
    let workspace_dir = bench_dir.join(format!("workspace-{}x{}", args.sites, args.pages));
    remove(&workspace_dir)?;
    let started = Instant::now();
    let workspace = generator::write_workspace(&workspace_dir, &spec, &project.join("themes"))
        .with_context(|| format!("cannot generate {}", workspace_dir.display()))?;
    let history = history::record(&workspace)?;
    println!(
        "Generated {} site(s) of {} pages with {} commits in {:.1} s → {}",
        args.sites,
        args.pages,
        history.steps.len() + 1,
        started.elapsed().as_secs_f64(),
        workspace_dir.display()
    );

    let gazette = |arguments: &[&str]| {
        let mut command = Command::new(&binary);
        command.current_dir(&workspace_dir).args(arguments);
        command
    };
    let mut rows = Vec::new();

    let build_out = bench_dir.join("out-build");
    let build_out_arg = build_out.to_string_lossy().into_owned();
    let build = ["build", "--quiet", "--out", build_out_arg.as_str()];
    let mut cold = Vec::new();
    for run in 1..=args.runs {
        progress("full build, cold", run, args.runs);
        remove(&build_out)?;
        cold.push(measure::run(
            &mut gazette(&build),
            &logs.join("build-cold.log"),
        )?);
    }
    let output = measure::tree_size(&build_out)?;
    let mut warm = Vec::new();
    for run in 1..=args.runs {
        progress("full build, warm", run, args.runs);
        warm.push(measure::run(
            &mut gazette(&build),
            &logs.join("build-warm.log"),
        )?);
    }
    let size_note = format!(
        "{} pages, {} files, {} out",
        thousands(output.html_pages),
        thousands(output.files),
        megabytes(output.bytes)
    );
    rows.push(Row::timed(
        "build-cold",
        "full build, cold (fresh output folder)",
        &cold,
        size_note,
    ));
    rows.extend(write_floor_rows(
        &WriteFloor {
            key: "build",
            label: "generated site",
        },
        &build_out,
        &bench_dir,
        &cold,
        args.runs,
    )?);
    rows.push(Row::timed(
        "build-warm",
        "full build, warm (re-run into the output)",
        &warm,
        String::new(),
    ));
    let cold_seconds = Spread::of_seconds(&cold);
    let pages = output.html_pages as f64;
    rows.push(Row {
        key: "pages-per-second".into(),
        label: "pages per second (cold build)".into(),
        unit: "pages/s",
        value: Some(Spread::exactly(pages).divided_by(cold_seconds)),
        peak_mib: None,
        note: String::new(),
    });

    if let Some(row) = search_row(&build_out) {
        rows.push(row);
    }
    rows.extend(publish_rows(
        &gazette,
        &workspace_dir,
        &bench_dir,
        &history,
        args.runs,
    )?);
    rows.push(checked_publish_row(
        &gazette,
        &workspace_dir,
        &bench_dir,
        &history,
        args.runs,
    )?);
    for key in ["one-page", "one-page-checked"] {
        if let Some(share) = share_of_cold_build(&rows, key, &cold_seconds) {
            rows.push(share);
        }
    }
    rows.push(bucket::one_page_row(
        &binary, &workspace, &history, args.runs, &logs,
    ));
    rows.push(serve_row(&binary, &workspace, args.runs));
    rows.push(profiles::reuse_row(
        project,
        &binary,
        &workspace_dir,
        &history,
        &bench_dir,
    ));
    rows.extend(corpus::rows(
        &binary,
        &project.join("../shared/corpus/isomer"),
        &bench_dir.join("corpus"),
        args.runs,
    )?);

    let vs_hugo = if args.vs_hugo {
        Some(hugo::compare(
            &binary, project, &bench_dir, args.pages, args.runs,
        )?)
    } else {
        None
    };

    let report = Report {
        gazette_commit: project_commit(project),
        machine: Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            load_average_before,
            load_average_after: load_average(),
        },
        pages: args.pages,
        sites: args.sites,
        runs: args.runs,
        source_pages: workspace.sites.len() * args.pages,
        output,
        rows,
        vs_hugo,
    };
    print_report(&report);
    let json_path = args
        .json
        .clone()
        .unwrap_or_else(|| bench_dir.join("bench.json"));
    if let Some(parent) = json_path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&json_path, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    println!("Results written to {}", json_path.display());
    trash::empty()?;
    Ok(true)
}

/// `--generate-only`: the workspace and history the benchmark measures,
/// without measuring, and each commit with the step it makes.
fn generate_only(args: &BenchArgs, folder: &Path, project: &Path) -> anyhow::Result<bool> {
    let spec = WorkspaceSpec {
        sites: args.sites,
        pages: args.pages,
    };
    remove(folder)?;
    let workspace = generator::write_workspace(folder, &spec, &project.join("themes"))
        .with_context(|| format!("cannot generate {}", folder.display()))?;
    let history = history::record(&workspace)?;
    println!("base {}", history.base);
    for step in &history.steps {
        println!("{} {}", step.key, step.commit);
    }
    Ok(true)
}

/// The write floor: copying the cold build's published trees into a fresh
/// folder (`cp -rL`, following each site's link to its current version; see
/// [`measure::published_trees`]), the least any build that writes those
/// files can cost; and the cold build as a multiple of it. Measured right
/// after the builds, so both see the same machine.
fn write_floor_rows(
    floor: &WriteFloor<'_>,
    build_out: &Path,
    bench_dir: &Path,
    cold: &[Sample],
    runs: usize,
) -> anyhow::Result<Vec<Row>> {
    let copy = bench_dir.join(format!("out-copy-{}", floor.key));
    let trees = measure::published_trees(build_out)?;
    let mut samples = Vec::new();
    for run in 1..=runs {
        progress(&format!("{}: copy of the output", floor.label), run, runs);
        remove(&copy)?;
        fs::create_dir_all(&copy)?;
        let mut cp = Command::new("cp");
        cp.arg("-rL").args(&trees).arg(&copy);
        samples.push(measure::run(&mut cp, &bench_dir.join("logs/copy.log"))?);
    }
    remove(&copy)?;
    let build = Spread::of_seconds(cold);
    let floor_seconds = Spread::of_seconds(&samples);
    Ok(vec![
        Row::timed(
            &format!("{}-write-floor", floor.key),
            &format!("{}: write floor, cp -rL of the output", floor.label),
            &samples,
            String::new(),
        ),
        Row {
            key: format!("{}-over-floor", floor.key),
            label: format!("{}: cold build over its write floor", floor.label),
            unit: "×",
            value: Some(build.divided_by(floor_seconds)),
            peak_mib: None,
            note: "target: at most 1.5×".into(),
        },
    ])
}

/// Which build a write floor belongs to, for its rows' keys and labels.
struct WriteFloor<'a> {
    key: &'a str,
    label: &'a str,
}

/// Times `gazette publish` through the generated history: a first, full
/// publish of the base commit, then each edit on top of the previous one.
fn publish_rows(
    gazette: &dyn Fn(&[&str]) -> Command,
    workspace_dir: &Path,
    bench_dir: &Path,
    history: &history::History,
    runs: usize,
) -> anyhow::Result<Vec<Row>> {
    let out = bench_dir.join("out-publish");
    let out_arg = out.to_string_lossy().into_owned();
    let logs = bench_dir.join("logs");
    let revisions: Vec<(&str, &str, &str)> = std::iter::once((
        "publish-first",
        "publish, first (full) of the base commit",
        history.base.as_str(),
    ))
    .chain(
        history
            .steps
            .iter()
            .map(|step| (step.key, step.label, step.commit.as_str())),
    )
    .collect();
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); revisions.len()];
    let mut notes = vec![String::new(); revisions.len()];
    for run in 1..=runs {
        progress("publish chain", run, runs);
        history::forget_published(workspace_dir)?;
        remove(&out)?;
        for (position, (key, _, commit)) in revisions.iter().enumerate() {
            let log = logs.join(format!("{key}.log"));
            // The publish alone: the check gate is its own cost (a whole
            // render), the same for every kind of edit.
            let command = [
                "publish",
                "--no-check",
                "--out",
                out_arg.as_str(),
                "--rev",
                commit,
            ];
            samples[position].push(measure::run(&mut gazette(&command), &log)?);
            notes[position] = publish_note(&log);
        }
    }
    Ok(revisions
        .iter()
        .zip(samples)
        .zip(notes)
        .map(|(((key, label, _), samples), note)| Row::timed(key, label, &samples, note))
        .collect())
}

/// The one-page publish as the post-commit hook runs it: with the check
/// gate, after a checked publish of the base commit (whose check leaves
/// the state the next check starts from).
fn checked_publish_row(
    gazette: &dyn Fn(&[&str]) -> Command,
    workspace_dir: &Path,
    bench_dir: &Path,
    history: &history::History,
    runs: usize,
) -> anyhow::Result<Row> {
    let out = bench_dir.join("out-publish");
    let out_arg = out.to_string_lossy().into_owned();
    let log = bench_dir.join("logs/one-page-checked.log");
    let one_page = history
        .steps
        .iter()
        .find(|step| step.key == "one-page")
        .context("the history has no one-page commit")?;
    let mut samples = Vec::new();
    for run in 1..=runs {
        progress("one-page publish with the check", run, runs);
        history::forget_published(workspace_dir)?;
        remove(&out)?;
        let publish = |commit: &str| {
            let mut command = gazette(&["publish", "--out", out_arg.as_str(), "--rev", commit]);
            measure::run(&mut command, &log)
        };
        publish(&history.base)?;
        samples.push(publish(&one_page.commit)?);
    }
    Ok(Row::timed(
        "one-page-checked",
        "publish after a one-page commit, checked (the hook's default)",
        &samples,
        publish_note(&log),
    ))
}

/// The time of the row `key` as a share of a cold full build: the target for
/// a one-page publish is at most 5 %. The spread pairs the fastest publish
/// with the slowest build and the other way round.
fn share_of_cold_build(rows: &[Row], key: &str, cold: &Spread) -> Option<Row> {
    let publish = rows.iter().find(|row| row.key == key)?.value?;
    Some(Row {
        key: format!("{key}-share"),
        label: format!("{key} publish as a share of a cold build"),
        unit: "%",
        value: Some(publish.divided_by(*cold).times(100.0)),
        peak_mib: None,
        note: "target: at most 5 %".into(),
    })
}

/// What a reader downloads to search the first site of the cold build for
/// one word: the list of chunks and the largest chunk (the worst case; a
/// word usually needs one chunk), with the whole index's size beside it.
fn search_row(build_out: &Path) -> Option<Row> {
    let site = fs::read_dir(build_out)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("search-index/index.json").is_file())
        .min()?;
    let size = |path: &Path| fs::metadata(path).map_or(0, |m| m.len());
    let list = size(&site.join("search-index/index.json"));
    let chunks: Vec<u64> = fs::read_dir(site.join("search-index/t"))
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| size(&entry.path()))
        .collect();
    let pages: u64 = fs::read_dir(site.join("search-index/p"))
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| size(&entry.path()))
        .sum();
    let largest = chunks.iter().copied().max().unwrap_or(0);
    let kilobytes = (list + largest) as f64 / 1e3;
    Some(Row {
        key: "search-fetch".into(),
        label: "search: list + largest chunk a word fetches".into(),
        unit: "KB",
        value: Some(Spread::exactly(kilobytes)),
        peak_mib: None,
        note: format!(
            "{} chunks, {} in all; page files {}",
            thousands(chunks.len() as u64),
            megabytes(chunks.iter().sum()),
            megabytes(pages)
        ),
    })
}

/// Edit-to-reload latency of `gazette serve` on the first site; a failure
/// is reported in the row rather than ending the benchmark.
fn serve_row(binary: &Path, workspace: &generator::GeneratedWorkspace, runs: usize) -> Row {
    progress("serve: edit to reload", runs, runs);
    let label = "serve: edit → reload event → page fetched";
    let mut row = Row {
        key: "serve-reload".into(),
        label: label.into(),
        unit: "s",
        value: None,
        peak_mib: None,
        note: String::new(),
    };
    match serve::edit_to_reload(binary, &workspace.root, &workspace.sites[0], runs) {
        Ok(latencies) => {
            let seconds: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64()).collect();
            row.value = Some(Spread::of(&seconds));
            row.note = "one page edited on disk, site-01 served".into();
        }
        Err(error) => row.note = format!("not measured: {error:#}"),
    }
    row
}

/// "N rendered, M reused" summed over the sites of a `gazette publish` log.
fn publish_note(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let (mut rendered, mut reused, mut skipped) = (0u64, 0u64, 0u64);
    for line in text.lines() {
        if line.trim_start().starts_with("Skipped") {
            skipped += 1;
        }
        let Some((_, counts)) = line.rsplit_once(": ") else {
            continue;
        };
        let numbers: Vec<u64> = counts
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        if counts.contains("pages rendered") && numbers.len() >= 2 {
            rendered += numbers[0];
            reused += numbers[1];
        }
    }
    let mut note = format!("{rendered} pages rendered, {reused} reused");
    if skipped > 0 {
        note.push_str(&format!(", {skipped} site(s) unchanged"));
    }
    note
}

/// Builds the `gazette` binary, release or debug, and returns its path.
fn built_binary(project: &Path, release: bool) -> anyhow::Result<PathBuf> {
    let profile = if release { "release" } else { "debug" };
    println!("Building the {profile} gazette binary (cargo build --bin gazette)…");
    let output = Command::new(env!("CARGO"))
        .current_dir(project)
        .arg("build")
        .args(release.then_some("--release"))
        .args([
            "--bin",
            "gazette",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        bail!("cargo build of the {profile} gazette binary failed");
    }
    // Cargo names the executable it built in its JSON messages, wherever
    // CARGO_TARGET_DIR points.
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-artifact"
            && message["target"]["name"] == "gazette"
            && let Some(path) = message["executable"].as_str()
        {
            return Ok(PathBuf::from(path));
        }
    }
    bail!("cargo did not report where it put the gazette binary")
}

/// Takes a folder out of the way (into the [`trash`] during a bench run),
/// and for Gazette's output folder (a link to the version
/// it shows) also the versions beside it (`.NAME.gazette/`), so that the
/// next build starts cold: with a previous version left there, a build
/// recycles it and deletes the rest, which is neither cold nor what a fresh
/// checkout does.
fn remove(dir: &Path) -> anyhow::Result<()> {
    let versions = dir.file_name().and_then(|name| {
        let parent = dir.parent()?;
        Some(parent.join(format!(".{}.gazette", name.to_string_lossy())))
    });
    for path in std::iter::once(dir).chain(versions.as_deref()) {
        trash::discard(path)?;
    }
    Ok(())
}

fn progress(what: &str, run: usize, runs: usize) {
    eprint!("\r  {what}: run {run} of {runs}   ");
    if run == runs {
        eprintln!();
    }
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

fn project_commit(project: &Path) -> String {
    git2::Repository::discover(project)
        .ok()
        .and_then(|repository| {
            let head = repository.head().ok()?.peel_to_commit().ok()?;
            Some(head.id().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (position, c) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn print_report(report: &Report) {
    println!();
    println!(
        "Gazette {} · {} site(s) × {} source pages · {} run(s) · {} cores, load {} → {}",
        &report.gazette_commit[..report.gazette_commit.len().min(12)],
        report.sites,
        report.pages,
        report.runs,
        report.machine.cores,
        report.machine.load_average_before,
        report.machine.load_average_after
    );
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>9}  notes",
        "measure", "median", "min", "max", "peak RSS"
    );
    for row in &report.rows {
        let value = |v: f64| match row.unit {
            "s" => format!("{v:.3} s"),
            "%" => format!("{v:.1} %"),
            "KB" => format!("{v:.1} KB"),
            "×" => format!("{v:.1}×"),
            _ => format!("{v:.0}/s"),
        };
        let (median, min, max) = row.value.map_or_else(
            || ("—".to_owned(), "—".to_owned(), "—".to_owned()),
            |spread| (value(spread.median), value(spread.min), value(spread.max)),
        );
        let peak = row
            .peak_mib
            .map_or_else(|| "—".to_owned(), |p| format!("{:.0} MiB", p.median));
        println!(
            "{:<44} {median:>10} {min:>10} {max:>10} {peak:>9}  {}",
            row.label, row.note
        );
    }
    if let Some(comparison) = &report.vs_hugo {
        hugo::print(comparison);
    }
}
