//! Rendering one site in memory: every page through Liquid, Markdown or rich
//! text, the sanitiser and the theme; stylesheets through Liquid and Sass;
//! media and theme assets listed for copying. Nothing is written here.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use gazette_content::{Diagnostic, Diagnostics, Page, Pagination, Site, StyleSheet, Value};
use gazette_theme::Theme;
use rayon::prelude::*;
use serde_json::json;

use crate::collisions::{check_collisions, page_over_theme_asset};
use crate::context::{Fragments, SiteView};
use crate::footer::Footers;
use crate::kept_state::{KeptState, SharedState};
use crate::liquid::{LiquidEngine, LiquidSite, SiteTargets, liquid_value};
use crate::manifest::{Manifest, OutputRecord, UnitRecord, hash_json, tool_fingerprint};
use crate::page::{PageRenderer, is_listing};
use crate::redirects::{over_a_file, redirects_of};
use crate::rendered::{
    Output, OutputContents, OutputSink, PageOutput, RenderOptions, RenderStats, RenderedSite,
    add_manifest, hand_over,
};
use crate::sanitize::ContentSanitizer;
use crate::sass::compile_stylesheet_text;
use crate::search;
use crate::site_files::SiteFiles;
use crate::site_head::SiteHead;
use crate::surroundings::Surroundings;
use crate::unit::{InputKeys, Unit, inputs};

/// A unit rendered or reused, or why it failed.
type UnitResult = Result<Unit, Box<Diagnostic>>;

/// Renders `site` with `theme`. Every error of the site is returned at once.
pub fn render_site(
    site: &Site,
    theme: &mut Theme,
    options: &RenderOptions<'_>,
) -> Result<RenderedSite, Diagnostics> {
    let (rendered, diagnostics) = render_site_partially(site, theme, options);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(RenderedSite {
        warnings: diagnostics,
        ..rendered
    })
}

/// Renders every page of `site` that can be rendered and returns the errors
/// of the others beside them (in `RenderedSite::warnings` there are none).
///
/// For tools that inspect a broken site, such as the checker; a site with
/// errors must never be written.
pub fn render_site_partially(
    site: &Site,
    theme: &mut Theme,
    options: &RenderOptions<'_>,
) -> (RenderedSite, Diagnostics) {
    let (rendered, diagnostics, shared) = render_all(site, theme, options);
    free_in_background(shared);
    (rendered, diagnostics)
}

/// Drops `value` on a thread of its own. What a render held for every page
/// (the site's values for templates and Liquid, their digests, the parsed
/// includes) and the loaded site are tens of MB at 10,000 pages, freed a
/// small allocation at a time: freed on the caller's thread, they held up
/// the version's record and the switch by 30–50 ms. When no thread can be
/// started, `value` is freed on the caller's thread.
pub(crate) fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("gazette-free".into())
        .spawn(move || drop(value));
}

/// Renders the whole site and keeps what its pages shared, for re-rendering
/// single pages later ([`RenderSession`]).
pub(crate) fn render_all(
    site: &Site,
    theme: &mut Theme,
    options: &RenderOptions<'_>,
) -> (RenderedSite, Diagnostics, Option<Shared>) {
    let liquid = liquid_engine(site, theme);
    let sanitizer = ContentSanitizer::new();
    let mut diagnostics = Diagnostics::default();
    let mut units: Vec<Unit> =
        Vec::with_capacity(site.pages.len() + site.static_files.len() + site.stylesheets.len());
    let reuse = |id: &str, inputs: &str| {
        options
            .previous
            .and_then(|previous| previous.reusable(id, inputs))
            .map(|records| records.to_vec())
    };

    let site_files = SiteFiles::of(site);
    let pagination = Pagination::of(site);
    let stylesheet_urls: Vec<String> = site
        .stylesheets
        .iter()
        .map(|sheet| format!("/{}", sheet.output_path))
        .collect();
    // Stylesheets compile in a worker process (`sass::sandbox`) that this
    // side only waits for: meanwhile the other side makes what every page
    // reads. One after the other, they were a twentieth of a cold build of
    // 1,000 pages, on one core.
    let (sheets, (view, keys, fragments)) = rayon::join(
        || stylesheet_units(site, &liquid, &reuse),
        || {
            let time = crate::liquid_site::site_time(options.last_changed);
            let mut view = SiteView::new(site, &stylesheet_urls, &sanitizer, Some(&time));
            view.theme_site["feeds"] = json!(site_files.feed_links());
            theme.insert_global("site", &view.theme_site);
            crate::sanitize::install_in(theme);
            let keys = InputKeys::new(site, theme, &view, pagination.as_ref());
            let fragments = Fragments::render(site, theme, &view);
            (view, keys, fragments)
        },
    );
    for sheet in sheets {
        match sheet {
            Ok(unit) => units.push(unit),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }
    let fragments = match fragments {
        Ok(fragments) => fragments,
        Err(diagnostic) => {
            diagnostics.push(*diagnostic);
            return (RenderedSite::default(), diagnostics, None);
        }
    };
    // Converted for Liquid when a page first needs it, on the thread that
    // renders that page: most pages have none, and the conversion took
    // milliseconds on this thread, which every page waits for.
    let liquid_site = LiquidSite::lazy(Arc::clone(&view.liquid_site));
    let shared = Shared {
        view,
        liquid_site,
        keys,
        fragments,
        liquid,
        sanitizer,
        pagination,
        site_files,
    };
    let keys = &shared.keys;
    let renderer = shared.renderer(site, theme, options);

    // A page is reused only when the previous search state holds its words
    // (for the same inputs) and its own search file is reusable too.
    let previous_search = options
        .previous
        .and(options.previous_search)
        .and_then(search::StoredState::read);
    // A render without the index reuses a page on its own unit alone.
    let with_search = !options.without_search_index;
    let search_entry = |page: &Page, inputs: &str| -> Option<Vec<u8>> {
        let entry = previous_search.as_ref()?.page(&page.source_path, inputs)?;
        let has_file = entry.first() == Some(&1);
        let file_kept = !has_file || reuse(&search::page_unit(&page.source_path), inputs).is_some();
        file_kept.then(|| entry.to_vec())
    };

    // With a state to keep, every page's surroundings are worked out (and
    // stored), not only those of the pages rendered.
    let results: Vec<(UnitResult, Option<Vec<u8>>, Option<PageSearch>)> = site
        .pages
        .par_iter()
        .enumerate()
        .filter(|(_, page)| page.published && page.permalink.is_some())
        .map(|(index, page)| {
            let inputs = keys.page_inputs(page, renderer.last_updated(page));
            let kept_entry = with_search.then(|| search_entry(page, &inputs)).flatten();
            let reused = if with_search {
                kept_entry
                    .as_ref()
                    .and_then(|_| reuse(&page.source_path, &inputs))
            } else {
                reuse(&page.source_path, &inputs)
            };
            let surroundings = || Surroundings::of(site, &shared.view, index, page);
            let around = options.keep_state.then(surroundings);
            // Empty bytes stand for a page only a whole render renders: a
            // listing, or (never seen) surroundings that failed to encode.
            let kept = options.keep_state.then(|| match &around {
                Some(around) if !is_listing(page) && !shared.is_pagination_template(site, page) => {
                    postcard::to_allocvec(around).unwrap_or_default()
                }
                _ => Vec::new(),
            });
            let (unit, search) = match (reused, kept_entry) {
                (Some(records), Some(entry)) => {
                    let file_unit = search::page_unit(&page.source_path);
                    let file = reuse(&file_unit, &inputs)
                        .map(|records| Unit::reused(&file_unit, inputs.clone(), records));
                    let search = PageSearch {
                        unit: page.source_path.clone(),
                        inputs: inputs.clone(),
                        entry,
                        file,
                    };
                    (
                        Ok(Unit::reused(&page.source_path, inputs, records)),
                        Some(search),
                    )
                }
                (Some(records), None) if !with_search => {
                    (Ok(Unit::reused(&page.source_path, inputs, records)), None)
                }
                _ => {
                    let around = around.unwrap_or_else(surroundings);
                    match renderer.render(page, &around) {
                        Ok((outputs, doc)) => {
                            // Written now, from this worker: the site's
                            // pages are never all held at once.
                            let search = with_search.then(|| {
                                PageSearch::rendered(page, &inputs, doc.as_ref(), options.sink)
                            });
                            let unit = Unit {
                                id: page.source_path.clone(),
                                outputs: outputs
                                    .into_iter()
                                    .map(|(mut output, served)| {
                                        hand_over(
                                            options.sink,
                                            &page.source_path,
                                            &inputs,
                                            &mut output,
                                        );
                                        (output, Some(served.url))
                                    })
                                    .collect(),
                                inputs,
                                reused: false,
                                is_page: true,
                            };
                            (Ok(unit), search)
                        }
                        Err(diagnostic) => (Err(diagnostic), None),
                    }
                }
            };
            (unit, kept, search)
        })
        .collect();
    let mut kept_pages = Vec::new();
    let mut searched = Vec::with_capacity(results.len());
    for (result, kept, search) in results {
        match result {
            Ok(unit) => {
                if let Some(kept) = kept {
                    kept_pages.push((unit.id.clone(), kept));
                }
                units.push(unit);
            }
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
        if let Some(mut search) = search {
            units.extend(search.file.take());
            searched.push(search);
        }
    }
    searched.sort_by(|a, b| a.unit.cmp(&b.unit));
    let current: Vec<search::CurrentPage<'_>> = searched
        .iter()
        .map(|page| search::CurrentPage {
            unit: &page.unit,
            inputs: &page.inputs,
            entry: std::borrow::Cow::Borrowed(&page.entry),
        })
        .collect();
    let index = if with_search {
        search::update(previous_search.as_ref(), &current, |unit, digest| {
            reuse(unit, digest).is_some()
        })
    } else {
        search::Updated::default()
    };
    drop(current);
    let index_units = units.len();
    for file in index.files {
        match (file.bytes, reuse(&file.unit, &file.digest)) {
            (None, Some(records)) => units.push(Unit::reused(&file.unit, file.digest, records)),
            (bytes, _) => units.push(Unit {
                id: file.unit.clone(),
                inputs: file.digest,
                outputs: vec![(
                    Output {
                        path: file.path,
                        contents: OutputContents::Rendered(bytes.unwrap_or_default()),
                        origin: "search index".to_owned(),
                    },
                    None,
                )],
                reused: false,
                is_page: false,
            }),
        }
    }
    // Handed over now, not with the rest at the end: the chunks and the
    // state are tens of MB at 10,000 pages.
    hand_over_all(&mut units[index_units..], options.sink);
    diagnostics.extend(renderer.take_warnings());

    let has_own_404 = units
        .iter()
        .any(|unit| unit.outputs.iter().any(|(o, _)| o.path == "404.html"));
    if !has_own_404 {
        let id = "theme:404";
        let inputs = inputs([("site", keys.site.clone())]);
        if let Some(records) = reuse(id, &inputs) {
            units.push(Unit::reused(id, inputs, records));
        } else {
            match renderer.render_not_found() {
                Ok(output) => units.push(Unit {
                    id: id.to_owned(),
                    inputs,
                    outputs: vec![(output, Some("/404.html".to_owned()))],
                    reused: false,
                    is_page: true,
                }),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
    }

    for file in &site.static_files {
        let sanitize =
            options.sanitize_svg && file.source_path.to_ascii_lowercase().ends_with(".svg");
        let Some(content_id) = &file.content_id else {
            // Without an id the file must be read to know it is unchanged; copying it is as cheap.
            units.push(Unit::copy(file, inputs([]), sanitize));
            continue;
        };
        let inputs = if sanitize {
            inputs([
                ("file", content_id.clone()),
                ("sanitize-svg", String::new()),
            ])
        } else {
            inputs([("file", content_id.clone())])
        };
        match reuse(&file.source_path, &inputs) {
            Some(records) => units.push(Unit::reused(&file.source_path, inputs, records)),
            None => units.push(Unit::copy(file, inputs, sanitize)),
        }
    }
    let site_paths: HashMap<String, String> = units
        .iter()
        .flat_map(|unit| {
            unit.outputs
                .iter()
                .map(|(o, _)| (o.path.clone(), o.origin.clone()))
        })
        .collect();
    for asset in theme.assets() {
        // A site's own file of the same name wins over the theme's; a page
        // sent there by its permalink is a mistake.
        if let Some(origin) = site_paths.get(&asset.output_path) {
            diagnostics.extend(page_over_theme_asset(
                site,
                origin,
                &asset.output_path,
                &asset.theme,
            ));
            continue;
        }
        let id = format!("theme:{}", asset.output_path);
        let inputs = inputs([("theme", keys.theme.clone())]);
        if let Some(records) = reuse(&id, &inputs) {
            units.push(Unit::reused(&id, inputs, records));
            continue;
        }
        units.push(Unit {
            id,
            inputs,
            outputs: vec![(
                Output {
                    path: asset.output_path.clone(),
                    contents: OutputContents::Rendered(asset.contents.clone()),
                    origin: format!("theme {}", asset.theme),
                },
                None,
            )],
            reused: false,
            is_page: false,
        });
    }

    // Redirect pages, where no file of the site or theme is written.
    let mut redirect_targets = BTreeMap::new();
    let (redirects, redirect_warnings) = redirects_of(site);
    diagnostics.extend(redirect_warnings);
    let written: HashMap<String, String> = units
        .iter()
        .flat_map(|unit| unit.outputs.iter())
        .map(|(o, _)| (o.path.clone(), o.origin.clone()))
        .collect();
    for redirect in &redirects {
        let path = redirect.from.output_path();
        if written.contains_key(&path) || redirect_targets.contains_key(&path) {
            diagnostics.push(over_a_file(site, redirect, &path, &written));
            continue;
        }
        redirect_targets.insert(path.clone(), redirect.target.clone());
        let id = format!("redirect:{path}");
        let inputs = inputs([
            ("site", keys.site.clone()),
            (
                "redirect",
                hash_json(&(&redirect.target, &redirect.title, &redirect.origin)),
            ),
        ]);
        if let Some(records) = reuse(&id, &inputs) {
            units.push(Unit::reused(&id, inputs, records));
            continue;
        }
        let around = Surroundings::home_only();
        match renderer.render(&redirect.page(), &around) {
            // A redirect page is not in the search index.
            Ok((outputs, _)) => units.push(Unit {
                id,
                inputs,
                outputs: outputs.into_iter().map(|(o, _)| (o, None)).collect(),
                reused: false,
                is_page: false,
            }),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }

    let reusable = |id: &str, inputs: &str| reuse(id, inputs).is_some();
    for unit in shared.site_files.units(options.last_changed, &reusable) {
        units.push(match unit.outputs {
            None => match reuse(&unit.id, &unit.inputs) {
                Some(records) => Unit::reused(&unit.id, unit.inputs, records),
                None => continue,
            },
            Some(outputs) => Unit {
                id: unit.id,
                inputs: unit.inputs,
                outputs: outputs.into_iter().map(|output| (output, None)).collect(),
                reused: false,
                is_page: false,
            },
        });
    }

    // What the pages' workers did not hand over yet (stylesheets, theme
    // assets, the search index, redirects, feeds), in parallel as well.
    hand_over_all(&mut units, options.sink);
    let mut outputs = Vec::with_capacity(units.len() + 1);
    let mut pages = Vec::with_capacity(site.pages.len());
    let mut manifest = Manifest::default();
    manifest.tool = crate::manifest::render_identity(options.base_url);
    let mut stats = RenderStats::default();
    for unit in units {
        if unit.is_page {
            if unit.reused {
                stats.pages_reused += 1;
            } else {
                stats.pages_rendered += 1;
            }
        }
        let mut records = Vec::with_capacity(unit.outputs.len());
        for (output, url) in unit.outputs {
            if let Some(url) = &url {
                pages.push(PageOutput {
                    url: url.clone(),
                    origin: output.origin.clone(),
                });
            }
            records.push(OutputRecord {
                path: output.path.clone(),
                url,
            });
            outputs.push(output);
        }
        // Units without inputs too: they are never reused, but the manifest
        // must name every file of the output.
        manifest.units.insert(
            unit.id,
            UnitRecord {
                inputs_digest: unit.inputs,
                outputs: records,
            },
        );
    }
    // Two units of one id would hide the first one's files.
    let recorded: usize = manifest.units.values().map(|unit| unit.outputs.len()).sum();
    manifest.lists_every_file = recorded == outputs.len();
    if let Some(last_changed) = options.last_changed {
        manifest.last_changed = last_changed.clone();
    }
    manifest.commit = options.commit.map(str::to_owned);
    manifest.redirects = redirect_targets;
    let state = options.keep_state.then(|| {
        let kept = keep_state(site, &shared, kept_pages);
        manifest.render_state = Some(kept.id.clone());
        kept
    });

    check_collisions(site, &outputs, &mut diagnostics);
    diagnostics.sort();
    add_manifest(&mut outputs, &mut pages, &manifest, options.sink);
    let rendered = RenderedSite {
        outputs,
        pages,
        warnings: Diagnostics::default(),
        manifest,
        stats,
        state,
        search_state: index.state,
    };
    (rendered, diagnostics, Some(shared))
}

/// Hands every rendered output of `units` to `sink`, in parallel.
fn hand_over_all(units: &mut [Unit], sink: Option<&dyn OutputSink>) {
    units.par_iter_mut().for_each(|unit| {
        for (output, _) in &mut unit.outputs {
            hand_over(sink, &unit.id, &unit.inputs, output);
        }
    });
}

/// The state the next publish renders edited pages with: what every page
/// shares, and `pages` (each page unit's encoded surroundings).
fn keep_state(site: &Site, shared: &Shared, pages: Vec<(String, Vec<u8>)>) -> KeptState {
    let state = SharedState {
        reader: site.page_reader(),
        theme_site: shared.view.theme_site.to_string(),
        liquid_site: shared.view.liquid_site.to_string().into(),
        layouts: site.layouts.clone(),
        includes: site.includes.clone(),
        links: site_targets(site),
        navbar: shared.fragments.navbar.clone(),
        keys: shared.keys.clone(),
        site_files: shared.site_files.clone(),
    };
    let side_navs = shared
        .fragments
        .side_navs
        .iter()
        .map(|(name, fragment)| {
            (
                name.as_str(),
                postcard::to_allocvec(fragment).unwrap_or_default(),
            )
        })
        .collect();
    KeptState::new(&state, side_navs, pages)
}

/// What a page gives the search index in this render: its entry, and its
/// own search file's unit (reused or rendered) when it is indexed.
struct PageSearch {
    unit: String,
    inputs: String,
    entry: Vec<u8>,
    file: Option<Unit>,
}

impl PageSearch {
    fn rendered(
        page: &Page,
        inputs: &str,
        doc: Option<&search::SearchDoc>,
        sink: Option<&dyn OutputSink>,
    ) -> Self {
        let unit = search::page_unit(&page.source_path);
        let file = doc.map(|doc| {
            let (path, bytes) = doc.file();
            let mut output = Output {
                path,
                contents: OutputContents::Rendered(bytes),
                origin: page.source_path.clone(),
            };
            hand_over(sink, &unit, inputs, &mut output);
            Unit {
                id: unit.clone(),
                inputs: inputs.to_owned(),
                outputs: vec![(output, None)],
                reused: false,
                is_page: false,
            }
        });
        Self {
            unit: page.source_path.clone(),
            inputs: inputs.to_owned(),
            entry: search::encode_entry(doc.map(search::SearchDoc::indexed).as_ref()),
            file,
        }
    }
}

/// What every page of a site shares when it renders: the site view, the
/// input keys, the fragments, and the engines.
pub(crate) struct Shared {
    pub view: SiteView,
    pub liquid_site: LiquidSite<'static>,
    pub keys: InputKeys,
    pub fragments: Fragments,
    pub liquid: LiquidEngine,
    pub sanitizer: ContentSanitizer,
    pub pagination: Option<Pagination>,
    pub site_files: SiteFiles,
}

impl Shared {
    /// Whether `page` is repeated by jekyll-paginate: like a listing, only a
    /// whole render renders it.
    pub(crate) fn is_pagination_template(&self, site: &Site, page: &Page) -> bool {
        self.pagination
            .as_ref()
            .is_some_and(|p| site.pages[p.template].source_path == page.source_path)
    }

    pub(crate) fn renderer<'a>(
        &'a self,
        site: &'a Site,
        theme: &'a Theme,
        options: &RenderOptions<'a>,
    ) -> PageRenderer<'a> {
        PageRenderer {
            site_name: &site.name,
            layouts: &site.layouts,
            listings: Some(site),
            pagination: self.pagination.as_ref(),
            theme,
            fragments: &self.fragments,
            liquid: &self.liquid,
            liquid_site: &self.liquid_site,
            sanitizer: &self.sanitizer,
            last_changed: options.last_changed,
            bodies: options.bodies,
            warnings: Default::default(),
            footers: Footers::default(),
            site_head: SiteHead::default(),
        }
    }
}

/// The Liquid engine of a site: its `_includes/`, the theme's includes, and
/// the URLs `{% link %}` and `{% post_url %}` find.
fn liquid_engine(site: &Site, theme: &Theme) -> LiquidEngine {
    LiquidEngine::with_files(
        site.includes.clone(),
        &theme_includes(theme),
        site_targets(site),
    )
}

/// The theme chain's Liquid includes by name, nearest theme first.
pub(crate) fn theme_includes(theme: &Theme) -> BTreeMap<String, String> {
    theme
        .include_names()
        .filter_map(|name| Some((name.to_owned(), theme.include(name)?.to_owned())))
        .collect()
}

/// Source paths of published pages and posts → their URLs; posts also by
/// their file stem (`2017-01-02-title`), with and without the folders
/// between `_posts/` and the file, as `{% post_url %}` names them.
pub(crate) fn site_targets(site: &Site) -> SiteTargets {
    let mut targets = SiteTargets::default();
    for page in site.pages.iter().filter(|p| p.published) {
        let Some(url) = page.url() else { continue };
        targets
            .pages
            .insert(page.source_path.clone(), url.to_owned());
        if let Some((_, inside)) = page.source_path.split_once("_posts/") {
            let stem = inside.rsplit_once('.').map_or(inside, |(stem, _)| stem);
            targets.posts.insert(stem.to_owned(), url.to_owned());
            if let Some((_, name)) = stem.rsplit_once('/') {
                targets
                    .posts
                    .entry(name.to_owned())
                    .or_insert_with(|| url.to_owned());
            }
        }
    }
    targets.relative_includes = site.relative_includes.clone();
    targets
}

/// Each stylesheet of `site` compiled, or reused from the previous output
/// when `reuse` finds it with the same inputs; in the site's order.
fn stylesheet_units(
    site: &Site,
    liquid: &LiquidEngine,
    reuse: &(impl Fn(&str, &str) -> Option<Vec<OutputRecord>> + Sync),
) -> Vec<UnitResult> {
    let site_for_css = site_liquid_value(site);
    // What a stylesheet reads besides its own file: settings, data and
    // includes (its Liquid), the `_sass/` partials it may import, and the
    // compiler.
    let css_inputs_key = hash_json(&(
        &site_for_css,
        &site.sass_partials,
        &site.includes,
        tool_fingerprint(),
    ));
    let liquid_site_for_css = liquid_value(&site_for_css);
    site.stylesheets
        .iter()
        .map(|sheet| {
            let inputs = inputs([
                ("site-data", css_inputs_key.clone()),
                ("file", sheet.content_id.clone()),
            ]);
            if let Some(records) = reuse(&sheet.source_path, &inputs) {
                return Ok(Unit::reused(&sheet.source_path, inputs, records));
            }
            let css = compile_stylesheet(site, sheet, liquid, &liquid_site_for_css)?;
            Ok(Unit {
                id: sheet.source_path.clone(),
                inputs,
                outputs: vec![(
                    Output {
                        path: sheet.output_path.clone(),
                        contents: OutputContents::Rendered(css.into_bytes()),
                        origin: sheet.source_path.clone(),
                    },
                    None,
                )],
                reused: false,
                is_page: false,
            })
        })
        .collect()
}

/// A Sass stylesheet with Liquid in it (`misc/custom.scss`) to CSS.
fn compile_stylesheet(
    site: &Site,
    sheet: &StyleSheet,
    liquid: &LiquidEngine,
    liquid_site: &liquid_core::Value,
) -> Result<String, Box<Diagnostic>> {
    let empty_page = liquid_value(&json!({}));
    let scss = liquid
        .render(&sheet.body, liquid_site, &empty_page)
        .map_err(|error| {
            let mut diagnostic = Diagnostic::error(
                &site.name,
                &sheet.source_path,
                format!("Liquid: {}", error.message),
            )
            .with_hint("check the `{{ }}` and `{% %}` tags of the stylesheet");
            diagnostic.line = Some(sheet.body_line + error.line.unwrap_or(1) - 1);
            Box::new(diagnostic)
        })?;
    compile_stylesheet_text(&scss, &site.sass_partials).map_err(|error| {
        let hint = error.hint.unwrap_or_else(|| "the stylesheet is compiled after its Liquid is evaluated; it can import only the site's own partials in `_sass/`".to_owned());
        let mut diagnostic = Diagnostic::error(&site.name, &sheet.source_path, format!("Sass: {}", error.message))
            .with_hint(hint);
        diagnostic.line = Some(sheet.body_line + error.line.unwrap_or(1) - 1);
        Box::new(diagnostic)
    })
}

/// `site` for Liquid in stylesheets, before the page view exists.
fn site_liquid_value(site: &Site) -> Value {
    let mut map = site.config.raw.clone();
    map.insert("data".into(), Value::Object(site.data.clone()));
    Value::Object(map)
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
