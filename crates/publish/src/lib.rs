//! Publishing Gazette sites.
//!
//! This crate owns the workspace (`gazette.toml`, each site's `site.toml`),
//! publishing a site at a Git revision incrementally (what changed since
//! the output the target shows, and which path that calls for: nothing, the
//! edited pages alone, or the whole render), the targets a site goes to (a
//! folder switched in one rename, a branch, or a bucket), writing a rendered site to a
//! folder all at once, and each version's record of the files it wrote
//! ([`STAMPS_PATH`]), so no file changed on disk since is kept or linked
//! into a later version. Rendering itself is `gazette-render`'s; Git is
//! reached through `gazette-store`.
//!
//! It must not render pages itself, check sites (`gazette-check`), parse
//! command lines or print: callers get values ([`PublishReport`],
//! [`SiteBuild`], [`gazette_content::Diagnostics`]) and present them.
//!
//! ```no_run
//! use std::path::Path;
//! use gazette_publish::{PublishRequest, PublishTarget, publish_revision};
//!
//! let target = PublishTarget::Folder("public/govtech".into());
//! let request = PublishRequest {
//!     name: "govtech",
//!     repository: Path::new("."),
//!     revision: "HEAD",
//!     site_folder: "sites/govtech",
//!     themes: None,
//!     themes_folder: "themes",
//!     theme: "isomer",
//!     target: &target,
//!     sanitize_svg: false,
//!     base_url: None,
//!     fallback_base_url: None,
//! };
//! match publish_revision(&request) {
//!     Ok(report) => println!("published {}: {:?}", report.commit, report.outcome),
//!     Err(error) => eprintln!("{error}"),
//! }
//! ```

mod bucket;
mod build;
mod folder;
mod kept_states;
mod load_cache;
mod output;
mod page_edits;
mod request;
mod revision;
mod staging;
mod stamps;
mod target;
mod workspace;

pub use bucket::{BucketError, BucketTarget, OBJECTS_PATH, RENDER_STATE_PATH, UploadStats};
pub use build::{BuildFailure, SiteBuild, Strictness, build_site, build_site_with};
pub use folder::{FolderTarget, Spare, SpareLink, TargetLock, write_site};
pub use load_cache::{StoredLoadCache, keep_check_state, read_check_state};
pub use output::{OUTPUT_MARKER, OutputError, safe_join};
pub use request::{PublishError, PublishOutcome, PublishReport, PublishRequest, PublishTarget};
pub use revision::{is_unchanged, publish_revision};
pub use staging::StagedVersion;
pub use stamps::STAMPS_PATH;
pub use workspace::{
    CheckPolicy, PublishSettings, SiteEntry, SiteSettings, WORKSPACE_FILE, Workspace,
    WorkspaceError, WorkspaceSettings,
};
