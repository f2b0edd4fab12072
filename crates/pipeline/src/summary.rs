//! What the gate reports: each site's result, the summary table both
//! commands print, and the exit status (0 ok, 1 content errors, 2 could not
//! run) that `build`, `publish` and `check` share.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use gazette_content::Diagnostic;
use gazette_publish::UploadStats;
use gazette_store::DamagedObject;
use serde::Serialize;

/// How a site's publish ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteStatus {
    /// Rendered (in part) and switched in.
    Published,
    /// Nothing it depends on changed since its last publish.
    Unchanged,
    /// Built from the working folder (a workspace outside Git).
    Built,
    /// The checker found errors and the site's policy stops them.
    Refused,
    /// The site has content errors; nothing was written.
    Failed,
    /// Gazette could not run for it: Git, the target or the checker failed.
    CouldNotRun,
}

impl SiteStatus {
    /// The word in the summary table.
    fn label(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Unchanged => "unchanged",
            Self::Built => "built",
            Self::Refused => "REFUSED",
            Self::Failed => "FAILED",
            Self::CouldNotRun => "ERROR",
        }
    }
}

/// One site's result.
#[derive(Debug, Clone, Serialize)]
pub struct SiteResult {
    /// The site's name.
    pub site: String,
    /// Its folder, which diagnostics are relative to.
    #[serde(skip)]
    pub site_path: PathBuf,
    /// How it ended.
    pub status: SiteStatus,
    /// The commit published, when one was.
    pub commit: Option<String>,
    /// Pages rendered.
    pub pages_rendered: usize,
    /// Pages reused from the previous publish.
    pub pages_reused: usize,
    /// Whether the edited pages were rendered alone (see `gazette-publish`).
    pub pages_alone: bool,
    /// What a bucket target uploaded: objects, bytes and deletions.
    #[serde(serialize_with = "serialize_uploads")]
    pub uploaded: Option<UploadStats>,
    /// The checker's findings (errors and warnings), in source order.
    #[serde(skip)]
    pub findings: Vec<Diagnostic>,
    /// How many of the findings are errors.
    pub check_errors: usize,
    /// The publish's warnings, or the content errors that stopped it.
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
    /// Why Gazette could not run for the site.
    pub error: Option<String>,
    /// The damaged Git object that stopped it, when that is why: the
    /// repository needs repair, not the site.
    #[serde(skip)]
    pub damaged_object: Option<DamagedObject>,
    /// How long the site took, check included.
    #[serde(serialize_with = "serialize_millis", rename = "millis")]
    pub elapsed: Duration,
}

impl SiteResult {
    /// A site not run yet: nothing rendered, nothing found.
    pub(crate) fn new(site: &str, site_path: &std::path::Path, status: SiteStatus) -> Self {
        Self {
            site: site.to_owned(),
            site_path: site_path.to_owned(),
            status,
            commit: None,
            pages_rendered: 0,
            pages_reused: 0,
            pages_alone: false,
            uploaded: None,
            findings: Vec::new(),
            check_errors: 0,
            diagnostics: Vec::new(),
            error: None,
            damaged_object: None,
            elapsed: Duration::ZERO,
        }
    }
}

fn serialize_millis<S: serde::Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(value.as_millis())
}

fn serialize_uploads<S: serde::Serializer>(
    value: &Option<UploadStats>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Uploads {
        objects: usize,
        bytes: u64,
        deleted: usize,
    }
    value
        .map(|stats| Uploads {
            objects: stats.objects_uploaded,
            bytes: stats.bytes_uploaded,
            deleted: stats.objects_deleted,
        })
        .serialize(s)
}

/// Every site's result.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineReport {
    /// In the order the sites were given.
    pub sites: Vec<SiteResult>,
    /// How long it all took.
    #[serde(serialize_with = "serialize_millis", rename = "millis")]
    pub elapsed: Duration,
}

/// The exit status of `gazette build`, `publish` and `check` and of `cargo
/// xtask publish`: the worst of any site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitStatus {
    /// 0: every site published, built or unchanged.
    Ok,
    /// 1: a site has content errors (the checker's or the render's).
    ContentErrors,
    /// 2: Gazette could not run for a site (Git, the target, the checker).
    CouldNotRun,
}

impl ExitStatus {
    /// The process's exit code.
    pub fn code(self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::ContentErrors => 1,
            Self::CouldNotRun => 2,
        }
    }
}

impl PipelineReport {
    /// The worst outcome of any site.
    pub fn exit_status(&self) -> ExitStatus {
        self.sites
            .iter()
            .map(|site| match site.status {
                SiteStatus::Published | SiteStatus::Unchanged | SiteStatus::Built => ExitStatus::Ok,
                SiteStatus::Refused | SiteStatus::Failed => ExitStatus::ContentErrors,
                SiteStatus::CouldNotRun => ExitStatus::CouldNotRun,
            })
            .max()
            .unwrap_or(ExitStatus::Ok)
    }

    /// The summary table.
    pub fn summary(&self) -> Summary<'_> {
        Summary(self)
    }
}

/// The table `gazette publish` and `cargo xtask publish` print: one row per
/// site, then the totals. Plain text, no colour, the same everywhere.
pub struct Summary<'a>(&'a PipelineReport);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<24} {:<10} {:>9} {:>7} {:>8} {:>12} {:>9}",
            "site", "status", "rendered", "reused", "uploads", "bytes", "time"
        )?;
        for site in &self.0.sites {
            let (objects, bytes) = site.uploaded.map_or(("-".into(), "-".into()), |stats| {
                (
                    stats.objects_uploaded.to_string(),
                    stats.bytes_uploaded.to_string(),
                )
            });
            writeln!(
                f,
                "{:<24} {:<10} {:>9} {:>7} {:>8} {:>12} {:>6} ms",
                site.site,
                site.status.label(),
                site.pages_rendered,
                site.pages_reused,
                objects,
                bytes,
                site.elapsed.as_millis()
            )?;
        }
        let failed = self
            .0
            .sites
            .iter()
            .filter(|site| {
                matches!(
                    site.status,
                    SiteStatus::Refused | SiteStatus::Failed | SiteStatus::CouldNotRun
                )
            })
            .count();
        writeln!(
            f,
            "{} site(s) done, {failed} failed, in {} ms",
            self.0.sites.len() - failed,
            self.0.elapsed.as_millis()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(site: &str, status: SiteStatus) -> SiteResult {
        SiteResult::new(site, &PathBuf::new(), status)
    }

    #[test]
    fn the_exit_status_is_the_worst_of_any_site() {
        let report = |statuses: &[SiteStatus]| PipelineReport {
            sites: statuses
                .iter()
                .enumerate()
                .map(|(i, status)| result(&format!("s{i}"), *status))
                .collect(),
            elapsed: Duration::ZERO,
        };
        use SiteStatus::*;
        assert_eq!(report(&[]).exit_status().code(), 0);
        assert_eq!(
            report(&[Published, Unchanged, Built]).exit_status().code(),
            0
        );
        assert_eq!(report(&[Published, Refused]).exit_status().code(), 1);
        assert_eq!(report(&[Failed, Published]).exit_status().code(), 1);
        assert_eq!(
            report(&[Failed, CouldNotRun, Refused]).exit_status().code(),
            2
        );
        let table = report(&[Published, Refused]).summary().to_string();
        assert!(table.contains("REFUSED"), "{table}");
        assert!(
            table.ends_with("1 site(s) done, 1 failed, in 0 ms\n"),
            "{table}"
        );
    }
}
