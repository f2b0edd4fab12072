//! Rendering Gazette sites in memory.
//!
//! This crate owns turning a loaded [`gazette_content::Site`] and a
//! [`gazette_theme::Theme`] into bytes in memory: Liquid in content, Markdown
//! and rich text to HTML, the sanitisers (content HTML, its embedded frames
//! made click-to-load, and SVG images a site asks to clean) and the finding
//! of script in files copied as they are ([`script_signs`]), Sass, the site
//! view computed once
//! per site, the navbar and side-navigation fragments with their marks, the
//! theme's templates, units of work and the keys of their inputs, the
//! manifest that records them, and the state kept so that a later publish
//! renders edited pages alone ([`KeptState`], [`RenderState`]). A render
//! either renders every page of a site or reports every error.
//!
//! One page or stylesheet cannot take the process down: content nests at
//! most [`NestingError`]'s budget deep before the sanitiser parses it, and a
//! program that installs a [`SassSandbox`] compiles every stylesheet in a
//! child process with time and memory limits.
//!
//! It must not know of Git, output targets or the workspace, nor write a
//! site's output anywhere: callers (`gazette-publish`, `gazette-serve`,
//! `gazette-check`) get [`RenderedSite`] values and decide where they go,
//! or give the render an [`OutputSink`] that takes each output as soon as it
//! is rendered (a publish writes them into the folder it prepares, so a
//! site's bytes are never all in memory at once). It reads files only
//! through [`gazette_content::Source`].
//!
//! ```no_run
//! use gazette_content::MemorySource;
//! use gazette_render::{BuildRequest, FileDates, OutputContents, render_request};
//!
//! let site = MemorySource::from_files([
//!     ("_config.yml", "title: Example Agency\n"),
//!     ("pages/faq.md", "---\ntitle: FAQ\npermalink: /faq/\n---\nAsk us.\n"),
//! ]);
//! // Usually the workspace's `themes/` folder, read with gazette-store.
//! let themes = MemorySource::from_files([("isomer/theme.toml", "")]);
//! let request = BuildRequest {
//!     name: "example",
//!     site: &site,
//!     themes: &themes,
//!     theme: "isomer",
//!     last_changed: FileDates::Unknown,
//!     load: Default::default(),
//! };
//! match render_request(&request) {
//!     Ok((rendered, _warnings)) => {
//!         for output in &rendered.outputs {
//!             if let OutputContents::Rendered(bytes) = &output.contents {
//!                 println!("{}: {} bytes", output.path, bytes.len());
//!             }
//!         }
//!     }
//!     Err(diagnostics) => eprintln!("{diagnostics}"),
//! }
//! ```

mod code_fences;
mod collisions;
mod context;
mod copied_markup;
#[cfg(test)]
mod corpus_pages;
mod embeds;
mod footer;
mod fragment;
mod homepage_v1;
mod html_clean;
mod kept_state;
mod kramdown_raw;
mod liquid;
mod liquid_site;
mod manifest;
mod markdown;
mod markdown_clean;
mod nesting;
mod page;
mod patch;
mod redirects;
mod render;
mod render_state;
mod rendered;
mod request;
mod sanitiser_rules;
mod sanitize;
mod sass;
mod search;
mod session;
mod site_files;
mod site_head;
mod surroundings;
mod table_cells;
mod unit;

pub use copied_markup::{ScriptSign, sanitize_svg, script_signs};
pub use kept_state::KeptState;
pub use liquid::{LiquidEngine, LiquidError};
pub use liquid_site::site_time;
pub use manifest::{
    Inputs, MANIFEST_PATH, Manifest, ManifestSummary, OutputRecord, UnitRecord, inputs_digest,
    render_identity, tool_fingerprint,
};
pub use markdown::render_markdown;
pub use nesting::NestingError;
pub use patch::patched;
pub use render::{render_site, render_site_partially};
pub use render_state::{KnownPage, OpenState, RenderState, RenderedUnit};
pub use rendered::{
    Output, OutputContents, OutputSink, PageOutput, RenderOptions, RenderStats, RenderedSite,
};
pub use request::{BuildRequest, FileDates, render_request, render_request_into};
pub use sanitize::ContentSanitizer;
pub use sass::{
    SassError, SassLimits, SassSandbox, compile_scss, install_sass_sandbox, run_sass_worker,
};
pub use search::{PreviousSearch, SEARCH_STATE_PATH, SearchState, is_search_state_path};
pub use session::{PageUpdate, RenderSession};
pub use surroundings::Surroundings;
