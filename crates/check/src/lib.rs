//! The site checker behind `gazette check`: problems a build does not stop
//! for but readers would meet, found before a site is published.
//!
//! A check reads the site as loaded ([`Site`](gazette_content::Site)) and as
//! rendered ([`RenderedSite`](gazette_render::RenderedSite)): every rendered page is scanned once with `lol_html` for
//! its links, images and element ids, each URL is resolved the way a browser
//! would, and what it points at is looked up among the files the site
//! publishes. A finding about a URL points at the place in the sources where
//! it was written (the page, or the data file a layout read it from).
//!
//! Errors (a site with any should not be published): broken internal links
//! and `#anchors`, missing media, duplicate permalinks, navigation entries
//! that point nowhere, links to `.md` sources, missing `title`/`permalink`,
//! URLs in settings, data or front matter with a scheme the theme refuses
//! (`javascript:`, `data:`), and the loader's and renderer's own errors.
//! Warnings: mojibake, images
//! without alt text, the same image twice in a row, pages nothing reaches,
//! `image: ""`, `http://` links to `*.gov.sg`, and script in HTML and SVG
//! files published as they are (an error with [`CheckOptions::strict`]). External links are checked
//! only on request ([`CheckOptions::external`]).
//!
//! It reads a site and what `gazette-render` made of it; it must not publish
//! (that is `gazette-publish`'s), write outputs, or print. The one thing it
//! writes is a mojibake repair, and only when the caller asks
//! ([`MojibakeFix::write`]).
//!
//! Reports are values: [`CheckReport`] for people (each finding is a
//! [`Diagnostic`](gazette_content::Diagnostic) with its rustc-style `render`), and [`json_report`] and
//! [`sarif_report`] for machines. The JSON schema is documented in
//! `docs/check-json-schema.md`.
//!
//! ```
//! use gazette_content::{MemorySource, Site};
//! use gazette_check::{CheckOptions, Rule, check_site};
//! use gazette_render::RenderedSite;
//!
//! let source = MemorySource::from_files([
//!     ("_config.yml", "title: Example Agency\n"),
//!     ("pages/faq.md", "---\npermalink: /faq/\n---\nAsk us.\n"),
//! ]);
//! let loaded = Site::load("example", &source).expect("a readable site");
//! let report = check_site(&loaded.site, &RenderedSite::default(), &source, &CheckOptions::default());
//! assert_eq!(report.findings[0].rule, Rule::MissingFrontMatter);
//! assert!(report.has_errors());
//! ```

mod check;
mod context;
mod copied_files;
mod external;
mod files;
mod finding;
mod fix;
mod html;
mod incremental;
mod links;
mod locate;
mod lookup;
mod media;
mod mojibake;
mod navigation;
mod pages;
mod published;
mod reach;
mod report;
mod rule;
mod scan;
mod unsafe_urls;
mod url;

pub use check::{
    CheckFailure, CheckOptions, Checked, check_request, check_request_with, check_site,
};
pub use external::{ExternalOptions, LinkStatus, check_external_urls};
pub use finding::{CheckReport, Finding};
pub use fix::{MojibakeFix, plan_mojibake_fixes};
pub use incremental::CheckState;
pub use mojibake::{MojibakeSpot, find_mojibake, repair_mojibake};
pub use report::{JSON_SCHEMA_VERSION, SiteReport, json_report, sarif_report};
pub use rule::Rule;

#[cfg(test)]
mod incremental_tests;
#[cfg(test)]
mod tests;
