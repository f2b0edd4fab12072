//! Checking one site: load and render what can be rendered, scan every
//! rendered page once, then run each concern's checks over the result.

use std::collections::HashSet;

use gazette_content::{Diagnostics, Site, Source};
use gazette_render::{
    BuildRequest, OutputContents, RenderOptions, RenderedSite, render_site_partially,
};
use gazette_theme::Theme;
use rayon::prelude::*;

use crate::context::Context;
use crate::external::ExternalOptions;
use crate::finding::{CheckReport, Finding};
use crate::locate::{SourceTexts, checked_paths};
use crate::lookup::Lookups;
use crate::published::{Published, ScannedPage};
use crate::rule::Rule;
use crate::{copied_files, html, links, media, mojibake, navigation, pages, reach, unsafe_urls};

/// What a check does beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Check external links over the network, with these limits.
    pub external: Option<ExternalOptions>,
    /// `--strict` (or `strict = true` in `site.toml`): every warning of a
    /// kind Jekyll tolerates, and script in copied files, is an error.
    pub strict: bool,
}

/// Why a check could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckFailure {
    /// The theme the site uses could not be loaded.
    #[error("cannot load theme `{theme}`: {message}")]
    Theme {
        /// The theme's name.
        theme: String,
        /// What went wrong.
        message: String,
    },
}

/// Loads, renders and checks one site. Problems that keep pages from loading
/// or rendering are findings of the `content` rule; the rest of the site is
/// checked all the same.
pub fn check_request(
    request: &BuildRequest<'_>,
    options: &CheckOptions,
) -> Result<CheckReport, CheckFailure> {
    let loaded = match Site::load_with(request.name, request.site, &request.load) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            let mut report = CheckReport {
                site: request.name.to_owned(),
                findings: Vec::new(),
            };
            report.findings.extend(content_findings(diagnostics));
            if options.strict {
                report.make_strict();
            }
            report.sort();
            return Ok(report);
        }
    };
    let mut theme =
        Theme::load(request.themes, request.theme, Some(request.site)).map_err(|error| {
            CheckFailure::Theme {
                theme: request.theme.to_owned(),
                message: error.to_string(),
            }
        })?;
    // Later pages of a duplicate permalink are left out of rendering so the
    // rest renders; the duplicate itself is a finding of its own.
    let mut renderable = loaded.site.clone();
    for index in pages::later_duplicates(&loaded.site) {
        renderable.pages[index].published = false;
    }
    let render_options = RenderOptions {
        last_changed: request.last_changed,
        ..RenderOptions::default()
    };
    // The sources findings quote are read while the site renders: the
    // loader read them too, but does not keep them.
    let (texts, (rendered, render_diagnostics)) = rayon::join(
        || SourceTexts::read(request.site, checked_paths(&loaded.site, request.site)),
        || render_site_partially(&renderable, &mut theme, &render_options),
    );
    let mut report = check_rendered(&loaded.site, &rendered, request.site, &texts, options);
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(render_diagnostics);
    report.findings.extend(
        content_findings(diagnostics).filter(|finding| !pages::is_loader_duplicate(finding)),
    );
    if options.strict {
        report.make_strict();
    }
    report.sort();
    Ok(report)
}

/// The loader's and renderer's diagnostics as findings: a URL conflict the
/// loader resolved as Jekyll does is `duplicate-permalink`, the rest are
/// `content`.
fn content_findings(diagnostics: Diagnostics) -> impl Iterator<Item = Finding> {
    diagnostics.into_iter().map(|diagnostic| Finding {
        rule: match diagnostic.code.as_deref() {
            Some("url-conflict") => Rule::DuplicatePermalink,
            _ => Rule::Content,
        },
        diagnostic,
        also_at: Vec::new(),
    })
}

/// Checks a loaded and rendered site. `source` is where the site was read
/// from, so findings can quote the lines they point at.
pub fn check_site(
    site: &Site,
    rendered: &RenderedSite,
    source: &dyn Source,
    options: &CheckOptions,
) -> CheckReport {
    let texts = SourceTexts::read(source, checked_paths(site, source));
    check_rendered(site, rendered, source, &texts, options)
}

/// [`check_site`] with the source texts already read.
fn check_rendered(
    site: &Site,
    rendered: &RenderedSite,
    source: &dyn Source,
    texts: &SourceTexts,
    options: &CheckOptions,
) -> CheckReport {
    let page_sources: HashSet<&str> = site.pages.iter().map(|p| p.source_path.as_str()).collect();
    let scans: Vec<ScannedPage> = rendered
        .outputs
        .par_iter()
        .filter_map(|output| {
            let OutputContents::Rendered(bytes) = &output.contents else {
                return None;
            };
            // A redirect page's one link is its target, which links to the
            // old address are checked against (`Published::serve`).
            if !output.path.ends_with(".html")
                || rendered.manifest.redirects.contains_key(&output.path)
            {
                return None;
            }
            Some(ScannedPage {
                output_path: output.path.clone(),
                url: url_of_output(&output.path),
                origin: page_sources
                    .contains(output.origin.as_str())
                    .then(|| output.origin.clone()),
                scan: html::scan_page(bytes),
            })
        })
        .collect();
    let published = Published::new(rendered, &scans, texts);
    let lookups = Lookups::new(&scans, &published);
    let mut context = Context {
        site,
        texts,
        published: &published,
        scans: &scans,
        lookups: &lookups,
        placed: HashSet::new(),
        findings: Vec::new(),
    };
    pages::check(&mut context);
    navigation::check(&mut context);
    links::check(&mut context);
    media::check(&mut context);
    reach::check(&mut context);
    mojibake::check(&mut context);
    unsafe_urls::check(&mut context);
    copied_files::check(&mut context, source);
    if let Some(external) = &options.external {
        links::check_external(&mut context, external);
    }
    let mut report = CheckReport {
        site: site.name.clone(),
        findings: context.findings,
    };
    if options.strict {
        report.make_strict();
    }
    report.sort();
    report
}

/// The URL a rendered file is served at: `about/index.html` is `/about/`.
fn url_of_output(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => format!("/{folder}"),
        _ => format!("/{path}"),
    }
}
