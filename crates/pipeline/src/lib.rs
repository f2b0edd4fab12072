//! The publish gate of a Gazette workspace: each site is checked
//! (`gazette-check`), then published (`gazette-publish`) unless the checker
//! found errors the site's policy does not let through; one summary and one
//! exit status for the lot.
//!
//! `gazette publish` (what the post-commit hook runs) and `cargo xtask
//! publish` (what pipelines run) both call [`publish_sites`], so the hook and
//! the pipeline publish exactly the same things. This is the only crate that
//! uses both the checker and the publisher: neither of those may use the
//! other.
//!
//! It must not parse command lines or print: callers get a
//! [`PipelineReport`] (with the checker's and the publisher's diagnostics)
//! and present it; its [`Summary`] is the one table both commands show.
//!
//! ```no_run
//! use gazette_pipeline::{PipelineRequest, publish_sites};
//! use gazette_publish::Workspace;
//!
//! let workspace = Workspace::discover(std::path::Path::new(".")).unwrap();
//! let sites = workspace.sites().unwrap();
//! let request = PipelineRequest {
//!     workspace: &workspace,
//!     revision: "HEAD",
//!     out: None,
//!     no_check: false,
//!     base_url: None,
//! };
//! let report = publish_sites(&request, &sites, |site| println!("{}: {:?}", site.site, site.status));
//! print!("{}", report.summary());
//! std::process::exit(report.exit_status().code());
//! ```

mod concurrent;
mod gate;
mod summary;

pub use concurrent::{folder_weight, map_in_order};

pub use gate::{PipelineRequest, Shard, publish_site, publish_sites};
pub use summary::{ExitStatus, PipelineReport, SiteResult, SiteStatus, Summary};
