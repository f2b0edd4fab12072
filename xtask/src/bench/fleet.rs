//! The many-sites case of `--vs-hugo` from Git: the 50-site workspace is
//! committed, published in full into a fresh output, then a change to a
//! theme template that every page of every site includes is committed and
//! published on top. Both publishes run in the same loop as the side-by-side
//! builds (after Gazette's build and Hugo's 50 builds of each run), so the
//! ratios to Hugo come from one run on one machine load.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use git2::Repository;
use serde::Serialize;

use super::measure::{self, Sample, Spread};
use super::{history, publish_note, remove};

/// The two commits of the workspace.
#[derive(Debug)]
pub struct FleetHistory {
    base: String,
    theme: String,
}

/// Makes the workspace at `root` a Git repository: the sites and themes as
/// generated, then the footer note of [`history::add_footer_note`]. The work
/// tree gets the footer back as it was, so `gazette build` (which reads the
/// work tree) builds the same sites as the first publish and as Hugo.
pub fn commit(root: &Path) -> anyhow::Result<FleetHistory> {
    let repository = Repository::init(root)
        .with_context(|| format!("cannot create a Git repository in {}", root.display()))?;
    let base = history::commit_all(&repository, "Import the sites", history::EPOCH)?;
    let footer_before = history::add_footer_note(root)?;
    let theme = history::commit_all(
        &repository,
        history::THEME_COMMIT_MESSAGE,
        history::EPOCH + 3_600,
    )?;
    let footer = root.join("themes/isomer/templates/partials/footer.html");
    std::fs::write(&footer, footer_before)
        .with_context(|| format!("cannot write {}", footer.display()))?;
    Ok(FleetHistory { base, theme })
}

/// The samples of every run so far.
#[derive(Debug)]
pub struct Publishes {
    binary: PathBuf,
    workspace: PathBuf,
    out: PathBuf,
    logs: PathBuf,
    history: FleetHistory,
    first: Vec<Sample>,
    theme: Vec<Sample>,
}

impl Publishes {
    pub fn new(binary: &Path, dir: &Path, history: FleetHistory) -> Self {
        Self {
            binary: binary.to_owned(),
            workspace: dir.join("gazette"),
            out: dir.join("out-publish"),
            logs: dir.join("logs"),
            history,
            first: Vec::new(),
            theme: Vec::new(),
        }
    }

    /// One run: forget what was published, publish the base commit into a
    /// fresh output (every page of every site), then the theme commit.
    pub fn run_once(&mut self) -> anyhow::Result<()> {
        history::forget_published(&self.workspace)?;
        remove(&self.out)?;
        let first = self.publish(&self.history.base, "publish-first.log")?;
        self.first.push(first);
        let theme = self.publish(&self.history.theme, "publish-theme.log")?;
        self.theme.push(theme);
        Ok(())
    }

    fn publish(&self, commit: &str, log: &str) -> anyhow::Result<Sample> {
        // Without the check gate, as the publish rows of the generated
        // workspace: the gate is a whole render of its own, and Hugo checks
        // nothing either.
        let mut command = Command::new(&self.binary);
        command
            .current_dir(&self.workspace)
            .args(["publish", "--no-check", "--out"])
            .arg(&self.out)
            .args(["--rev", commit]);
        measure::run(&mut command, &self.logs.join(log))
    }

    /// The rows, with `hugo_seconds` (the median of Hugo's 50 builds in the
    /// same runs) for the ratio.
    pub fn report(&self, hugo_seconds: Spread) -> FleetPublish {
        let first = Spread::of_seconds(&self.first);
        let theme = Spread::of_seconds(&self.theme);
        FleetPublish {
            first: Publish::new(
                &self.first,
                publish_note(&self.logs.join("publish-first.log")),
            ),
            theme: Publish::new(
                &self.theme,
                publish_note(&self.logs.join("publish-theme.log")),
            ),
            hugo_over_first: hugo_seconds.divided_by(first),
            theme_share_of_first: theme.divided_by(first).times(100.0),
        }
    }
}

/// One publish of the workspace, over the runs.
#[derive(Debug, Serialize)]
pub struct Publish {
    seconds: Spread,
    peak_mib: Spread,
    /// Pages rendered and reused, summed over the sites (the last run's log).
    note: String,
}

impl Publish {
    fn new(samples: &[Sample], note: String) -> Self {
        Self {
            seconds: Spread::of_seconds(samples),
            peak_mib: Spread::of_peak_mib(samples),
            note,
        }
    }
}

/// What the many-sites publishes measured.
#[derive(Debug, Serialize)]
pub struct FleetPublish {
    /// `gazette publish` of the base commit into a fresh output.
    first: Publish,
    /// `gazette publish` of the theme commit on top of it.
    theme: Publish,
    /// Hugo's 50 builds over the full publish (target: at least 10×).
    hugo_over_first: Spread,
    /// The theme publish as a percentage of the full publish.
    theme_share_of_first: Spread,
}

/// Prints the rows under the side-by-side table.
pub fn print(fleet: &FleetPublish) {
    let row = |label: &str, publish: &Publish| {
        println!(
            "{label:<34} {:>22} {:>14.0} MiB  {}",
            format!(
                "{:.2} s ({:.2}–{:.2})",
                publish.seconds.median, publish.seconds.min, publish.seconds.max
            ),
            publish.peak_mib.median,
            publish.note
        );
    };
    row("  publish from Git, first (full)", &fleet.first);
    row("  publish of a theme commit", &fleet.theme);
    let ratio = fleet.hugo_over_first;
    println!(
        "{:<34} {:>22}  Hugo's 50 builds over the full publish (target: at least 10×)",
        "",
        format!("{:.1}× ({:.1}–{:.1})", ratio.median, ratio.min, ratio.max)
    );
    let share = fleet.theme_share_of_first;
    println!(
        "{:<34} {:>22}  the theme publish as a share of the full publish",
        "",
        format!("{:.0} % ({:.0}–{:.0})", share.median, share.min, share.max)
    );
}
