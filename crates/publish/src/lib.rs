//! Rendering and publishing Gazette sites.
//!
//! This crate owns turning a loaded [`gazette_content::Site`] into files:
//! Liquid in content, Markdown and rich text to HTML, sanitising, the theme's
//! templates, Sass, and writing the result to a folder all at once. A build
//! either renders every page of a site or reports every error and writes
//! nothing.
//!
//! It must not parse command lines or print: callers get values
//! ([`SiteBuild`], [`gazette_content::Diagnostics`]) and present them.
//!
//! ```no_run
//! use std::path::Path;
//! use gazette_publish::{BuildRequest, build_site};
//! use gazette_store::WorkTreeSource;
//!
//! let site = WorkTreeSource::new("sites/govtech").unwrap();
//! let themes = WorkTreeSource::new("themes").unwrap();
//! let request = BuildRequest {
//!     name: "govtech",
//!     site: &site,
//!     themes: &themes,
//!     theme: "isomer",
//!     last_changed: None,
//! };
//! match build_site(&request, Path::new("public/govtech")) {
//!     Ok(build) => println!("{} pages", build.rendered.pages.len()),
//!     Err(failure) => eprintln!("{failure}"),
//! }
//! ```

mod build;
pub mod check;
mod context;
mod fragment;
mod liquid;
mod manifest;
mod markdown;
mod output;
mod page_edits;
mod render;
mod render_state;
mod revision;
mod sanitize;
mod sass;
mod workspace;

pub use build::{BuildFailure, BuildRequest, SiteBuild, build_site, render_request};
pub use liquid::{LiquidEngine, LiquidError};
pub use manifest::{
    Inputs, MANIFEST_PATH, Manifest, OutputRecord, UnitRecord, inputs_digest, tool_fingerprint,
};
pub use markdown::render_markdown;
pub use output::{
    FolderTarget, OUTPUT_MARKER, OutputError, Spare, TargetLock, safe_join, write_site,
};
pub use render::{
    Output, OutputContents, PageOutput, PageUpdate, RenderOptions, RenderSession, RenderStats,
    RenderedSite, render_site, render_site_partially,
};
pub use render_state::KeptState;
pub use revision::{
    PublishError, PublishOutcome, PublishReport, PublishRequest, PublishTarget, is_unchanged,
    publish_revision,
};
pub use sanitize::ContentSanitizer;
pub use sass::compile_scss;
pub use workspace::{
    CheckPolicy, PublishSettings, SiteEntry, SiteSettings, WORKSPACE_FILE, Workspace,
    WorkspaceError, WorkspaceSettings,
};
