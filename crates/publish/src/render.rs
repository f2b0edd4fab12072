//! Rendering one site in memory: every page through Liquid, Markdown or rich
//! text, the sanitiser and the theme; stylesheets through Liquid and Sass;
//! media and theme assets listed for copying. Nothing is written here.

use std::collections::{BTreeMap, HashMap, HashSet};

use gazette_content::{
    BodyVariant, Diagnostic, Diagnostics, FrontMatter, Page, PageBody, PageKind, PostKind, Site,
    Source, StaticFile, StyleSheet, Value, has_liquid,
};
use gazette_theme::Theme;
use rayon::prelude::*;
use serde_json::json;

use crate::context::{self, SideNavMarks, SiteView, post_summary};
use crate::fragment::{self, Fragment};
use crate::liquid::LiquidEngine;
use crate::manifest::{
    Inputs, MANIFEST_PATH, Manifest, OutputRecord, UnitRecord, hash_json, inputs_digest,
};
use crate::markdown::render_markdown;
use crate::render_state::{KeptState, SharedState};
use crate::sanitize::ContentSanitizer;
use crate::sass::compile_scss;

/// The outputs of one page (a listing may have several), or why it failed.
type PageResult = Result<Vec<(Output, PageOutput)>, Box<Diagnostic>>;

/// A unit rendered or reused, or why it failed.
type UnitResult = Result<Unit, Box<Diagnostic>>;

/// One file of a site's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Where it goes, relative to the site's output root, `/`-separated.
    pub path: String,
    /// What goes there.
    pub contents: OutputContents,
    /// The source file it comes from, or a description (`theme isomer`).
    pub origin: String,
}

/// The bytes of an output, rendered or copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputContents {
    /// Rendered in memory.
    Rendered(Vec<u8>),
    /// Copied from this path of the site's source when written.
    Copy(String),
    /// Unchanged since the previous publish: taken from its output at this path.
    Reuse(String),
}

/// A page written by a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOutput {
    /// Its URL path.
    pub url: String,
    /// The source file, or what made it (`pagination`, `theme 404`).
    pub origin: String,
}

/// A site rendered in memory, ready to write.
#[derive(Debug, Clone, Default)]
pub struct RenderedSite {
    /// Every output file, sorted by path (the manifest included).
    pub outputs: Vec<Output>,
    /// The pages among them, with their URLs.
    pub pages: Vec<PageOutput>,
    /// Warnings found while rendering.
    pub warnings: Diagnostics,
    /// What each unit read and wrote, for the next publish.
    pub manifest: Manifest,
    /// How much was rendered and how much reused.
    pub stats: RenderStats,
    /// What the next publish needs to render edited pages alone, when
    /// [`RenderOptions::keep_state`] asked for it; the manifest names it.
    pub state: Option<KeptState>,
}

/// Counts of work done by a render.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Pages rendered anew.
    pub pages_rendered: usize,
    /// Pages whose previous output was reused.
    pub pages_reused: usize,
}

impl RenderedSite {
    /// How many outputs are copies of media and other files.
    pub fn copied_files(&self) -> usize {
        self.outputs
            .iter()
            .filter(|o| matches!(o.contents, OutputContents::Copy(_)))
            .count()
    }
}

/// What a render may use beyond the site and the theme.
#[derive(Default, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// When each source file last changed (seconds since the epoch, by
    /// site-relative path); pages show it as "Last updated".
    pub last_changed: Option<&'a BTreeMap<String, i64>>,
    /// The manifest of the previous publish: units whose inputs are unchanged
    /// are not rendered again, their outputs are reused.
    pub previous: Option<&'a Manifest>,
    /// Where the site was loaded from, for the bodies a stored load cache
    /// left there ([`PageBody::InSource`]): only pages that render read theirs.
    pub bodies: Option<&'a dyn Source>,
    /// The commit being published, recorded in the manifest.
    pub commit: Option<&'a str>,
    /// Whether to make a state for the next publish to render edited pages
    /// with ([`RenderedSite::state`]).
    pub keep_state: bool,
}

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
    let (rendered, diagnostics, _) = render_all(site, theme, options);
    (rendered, diagnostics)
}

/// Renders the whole site and keeps what its pages shared, for re-rendering
/// single pages later ([`RenderSession`]).
fn render_all(
    site: &Site,
    theme: &mut Theme,
    options: &RenderOptions<'_>,
) -> (RenderedSite, Diagnostics, Option<Shared>) {
    let liquid = LiquidEngine::new();
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

    let mut stylesheet_urls = Vec::new();
    let site_for_css = site_liquid_value(site);
    let css_inputs_key = hash_json(&site_for_css);
    let liquid_site_for_css = liquid_value(&site_for_css);
    for sheet in &site.stylesheets {
        stylesheet_urls.push(format!("/{}", sheet.output_path));
        let inputs = inputs([
            ("site-data", css_inputs_key.clone()),
            ("file", sheet.content_id.clone()),
        ]);
        if let Some(records) = reuse(&sheet.source_path, &inputs) {
            units.push(Unit::reused(&sheet.source_path, inputs, records));
            continue;
        }
        match compile_stylesheet(site, sheet, &liquid, &liquid_site_for_css) {
            Ok(css) => units.push(Unit {
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
            }),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }

    let view = SiteView::new(site, &stylesheet_urls, &sanitizer);
    theme.insert_global("site", &view.theme_site);
    let liquid_site = LiquidSite::ready(liquid_value(&view.liquid_site));
    let keys = InputKeys::new(site, theme, &view);
    let fragments = match Fragments::render(site, theme, &view) {
        Ok(fragments) => fragments,
        Err(diagnostic) => {
            diagnostics.push(*diagnostic);
            return (RenderedSite::default(), diagnostics, None);
        }
    };
    let shared = Shared {
        view,
        liquid_site,
        keys,
        fragments,
        liquid,
        sanitizer,
    };
    let keys = &shared.keys;
    let renderer = shared.renderer(site, theme, options);

    // With a state to keep, every page's surroundings are worked out (and
    // stored), not only those of the pages rendered.
    let results: Vec<(UnitResult, Option<Vec<u8>>)> = site
        .pages
        .par_iter()
        .enumerate()
        .filter(|(_, page)| page.published && page.permalink.is_some())
        .map(|(index, page)| {
            let inputs = keys.page_inputs(page, renderer.last_updated(page));
            let reused = reuse(&page.source_path, &inputs);
            let surroundings = || Surroundings::of(site, &shared.view, index, page);
            let around = options.keep_state.then(surroundings);
            // Empty bytes stand for a page only a whole render renders: a
            // listing, or (never seen) surroundings that failed to encode.
            let kept = options.keep_state.then(|| match &around {
                Some(around) if !is_listing(page) => {
                    postcard::to_allocvec(around).unwrap_or_default()
                }
                _ => Vec::new(),
            });
            let unit = match reused {
                Some(records) => Ok(Unit::reused(&page.source_path, inputs, records)),
                None => {
                    let around = around.unwrap_or_else(surroundings);
                    renderer.render(page, &around).map(|outputs| Unit {
                        id: page.source_path.clone(),
                        inputs,
                        outputs: outputs
                            .into_iter()
                            .map(|(output, page)| (output, Some(page.url)))
                            .collect(),
                        reused: false,
                        is_page: true,
                    })
                }
            };
            (unit, kept)
        })
        .collect();
    let mut kept_pages = Vec::new();
    for (result, kept) in results {
        match result {
            Ok(unit) => {
                if let Some(kept) = kept {
                    kept_pages.push((unit.id.clone(), kept));
                }
                units.push(unit);
            }
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }

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
        let Some(content_id) = &file.content_id else {
            // Without an id the file must be read to know it is unchanged; copying it is as cheap.
            units.push(Unit::copy(file, inputs([])));
            continue;
        };
        let inputs = inputs([("file", content_id.clone())]);
        match reuse(&file.source_path, &inputs) {
            Some(records) => units.push(Unit::reused(&file.source_path, inputs, records)),
            None => units.push(Unit::copy(file, inputs)),
        }
    }
    let site_paths: HashSet<String> = units
        .iter()
        .flat_map(|unit| unit.outputs.iter().map(|(o, _)| o.path.clone()))
        .collect();
    for asset in theme.assets() {
        // A site's own file of the same name wins over the theme's.
        if site_paths.contains(&asset.output_path) {
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

    let mut outputs = Vec::with_capacity(units.len() + 1);
    let mut pages = Vec::with_capacity(site.pages.len());
    let mut manifest = Manifest::default();
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
    let state = options.keep_state.then(|| {
        let kept = keep_state(site, &shared, kept_pages);
        manifest.render_state = Some(kept.id.clone());
        kept
    });

    check_collisions(site, &outputs, &mut diagnostics);
    diagnostics.sort();
    add_manifest(&mut outputs, &mut pages, &manifest);
    let rendered = RenderedSite {
        outputs,
        pages,
        warnings: Diagnostics::default(),
        manifest,
        stats,
        state,
    };
    (rendered, diagnostics, Some(shared))
}

/// Adds the manifest to `outputs`, and puts outputs in path order and pages
/// in URL order, as a [`RenderedSite`] holds them.
pub(crate) fn add_manifest(
    outputs: &mut Vec<Output>,
    pages: &mut [PageOutput],
    manifest: &Manifest,
) {
    outputs.push(Output {
        path: MANIFEST_PATH.to_owned(),
        contents: OutputContents::Rendered(manifest.to_bytes()),
        origin: "manifest".to_owned(),
    });
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    pages.sort_by(|a, b| a.url.cmp(&b.url));
}

/// The state the next publish renders edited pages with: what every page
/// shares, and `pages` (each page unit's encoded surroundings).
fn keep_state(site: &Site, shared: &Shared, pages: Vec<(String, Vec<u8>)>) -> KeptState {
    let state = SharedState {
        reader: site.page_reader(),
        theme_site: shared.view.theme_site.to_string(),
        liquid_site: shared.view.liquid_site.to_string(),
        layouts: site.layouts.clone(),
        navbar: shared.fragments.navbar.clone(),
        keys: shared.keys.clone(),
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

/// What every page of a site shares when it renders: the site view, the
/// input keys, the fragments, and the engines.
struct Shared {
    view: SiteView,
    liquid_site: LiquidSite,
    keys: InputKeys,
    fragments: Fragments,
    liquid: LiquidEngine,
    sanitizer: ContentSanitizer,
}

impl Shared {
    fn renderer<'a>(
        &'a self,
        site: &'a Site,
        theme: &'a Theme,
        options: &RenderOptions<'a>,
    ) -> PageRenderer<'a> {
        PageRenderer {
            site_name: &site.name,
            layouts: &site.layouts,
            listings: Some(site),
            theme,
            fragments: &self.fragments,
            liquid: &self.liquid,
            liquid_site: &self.liquid_site,
            sanitizer: &self.sanitizer,
            last_changed: options.last_changed,
            bodies: options.bodies,
        }
    }
}

/// A rendered site kept in memory with everything its pages shared, so that
/// an edit to one page's body re-renders that page alone: what a live
/// preview needs to answer an edit within milliseconds on a large site.
///
/// Only edits that leave everything other pages read unchanged qualify:
/// a page's body is read by that page alone (listings, navigation and
/// Liquid's `site` read front matter), so a page whose front matter, place
/// and kind are unchanged changes no other output. Anything else needs a
/// whole render, which [`RenderSession::render`] does and reuses what it can.
pub struct RenderSession {
    site: Site,
    theme: Theme,
    shared: Shared,
}

/// A page rendered again by a [`RenderSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUpdate {
    /// Its unit id (the source path), as in the manifest.
    pub id: String,
    /// The digest of its inputs now.
    pub inputs_digest: String,
    /// Its outputs, each with its URL.
    pub outputs: Vec<(Output, PageOutput)>,
}

impl RenderSession {
    /// Renders `site` like [`render_site`], reusing the outputs of
    /// `previous`, and keeps the session for later page edits when it
    /// succeeds.
    pub fn render(
        site: Site,
        mut theme: Theme,
        previous: Option<&Manifest>,
    ) -> Result<(RenderedSite, Self), Diagnostics> {
        let options = RenderOptions {
            previous,
            ..RenderOptions::default()
        };
        let (rendered, diagnostics, shared) = render_all(&site, &mut theme, &options);
        match shared {
            Some(shared) if !diagnostics.has_errors() => Ok((
                RenderedSite {
                    warnings: diagnostics,
                    ..rendered
                },
                Self {
                    site,
                    theme,
                    shared,
                },
            )),
            _ => Err(diagnostics),
        }
    }

    /// The site as last rendered (with page edits applied).
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Whether `edited` can replace the page of the same source path by
    /// re-rendering that page alone: it must differ from it only in its body.
    pub fn can_update(&self, edited: &Page) -> bool {
        self.index_of(edited)
            .is_some_and(|index| differs_only_in_body(&self.site.pages[index], edited))
    }

    /// Replaces a page by its edited version and renders it. `None` when the
    /// edit needs a whole render (see [`RenderSession::can_update`]); the
    /// page's diagnostics when it fails to render (the session then holds
    /// the edited page, so a fix renders alone too).
    pub fn update_page(&mut self, edited: Page) -> Option<Result<PageUpdate, Diagnostics>> {
        let index = self.index_of(&edited)?;
        let current = &self.site.pages[index];
        if !differs_only_in_body(current, &edited) || !current.published {
            return None;
        }
        self.site.pages[index] = edited;
        let page = &self.site.pages[index];
        let renderer = self
            .shared
            .renderer(&self.site, &self.theme, &RenderOptions::default());
        let inputs = self.shared.keys.page_inputs(page, None);
        let around = Surroundings::of(&self.site, &self.shared.view, index, page);
        Some(match renderer.render(page, &around) {
            Ok(outputs) => Ok(PageUpdate {
                id: page.source_path.clone(),
                inputs_digest: inputs,
                outputs,
            }),
            Err(diagnostic) => Err(Diagnostics(vec![*diagnostic])),
        })
    }

    fn index_of(&self, page: &Page) -> Option<usize> {
        self.site
            .pages
            .iter()
            .position(|candidate| candidate.source_path == page.source_path)
    }
}

/// Whether two versions of a page differ in nothing but their body (and the
/// id of their content, which follows the body).
fn differs_only_in_body(current: &Page, edited: &Page) -> bool {
    let without_body = |page: &Page| Page {
        body: PageBody::InSource { has_liquid: false },
        content_id: String::new(),
        ..page.clone()
    };
    // Cheap fields first: most edits that change more change one of these.
    current.body_line == edited.body_line
        && current.title == edited.title
        && without_body(current) == without_body(edited)
}

/// The digest of a unit's inputs, from `(name, id)` pairs.
fn inputs<const N: usize>(pairs: [(&str, String); N]) -> String {
    inputs_digest(&input_map(pairs))
}

fn input_map<const N: usize>(pairs: [(&str, String); N]) -> Inputs {
    pairs
        .into_iter()
        .map(|(name, id)| (name.to_owned(), id))
        .collect()
}

/// One unit of work and what came of it.
struct Unit {
    id: String,
    /// The digest of its inputs.
    inputs: String,
    /// Each output with the page URL it serves, for pages.
    outputs: Vec<(Output, Option<String>)>,
    reused: bool,
    is_page: bool,
}

impl Unit {
    fn reused(id: &str, inputs: String, records: Vec<OutputRecord>) -> Self {
        let is_page = records.iter().any(|record| record.url.is_some());
        Self {
            id: id.to_owned(),
            inputs,
            outputs: records
                .into_iter()
                .map(|record| {
                    (
                        Output {
                            contents: OutputContents::Reuse(record.path.clone()),
                            path: record.path,
                            origin: id.to_owned(),
                        },
                        record.url,
                    )
                })
                .collect(),
            reused: true,
            is_page,
        }
    }

    fn copy(file: &StaticFile, inputs: String) -> Self {
        Self {
            id: file.source_path.clone(),
            inputs,
            outputs: vec![(
                Output {
                    path: file.output_path.clone(),
                    contents: OutputContents::Copy(file.source_path.clone()),
                    origin: file.source_path.clone(),
                },
                None,
            )],
            reused: false,
            is_page: false,
        }
    }
}

/// Ids of the inputs that many pages share, computed once per site.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct InputKeys {
    /// The theme chain and site template overrides.
    pub theme: String,
    /// Everything every page reads: settings, data, navigation, footer, theme,
    /// the site's own layouts, and this tool's version.
    site: String,
    /// Per collection: its pages' titles, URLs and groups (side navigation,
    /// previous and next, breadcrumbs).
    collections: BTreeMap<String, String>,
    /// The resource room's posts and categories (listings, Liquid's `site.posts`).
    room: String,
}

impl InputKeys {
    fn new(site: &Site, theme: &Theme, view: &SiteView) -> Self {
        let layouts: BTreeMap<&String, (&gazette_content::Map, &String)> = site
            .layouts
            .iter()
            .map(|(name, layout)| (name, (&layout.data, &layout.body)))
            .collect();
        // Hashed by reference (tuples are JSON arrays): these values are
        // large, and copying them into one `json!` value costs more than
        // hashing them.
        let site_key = hash_json(&(
            crate::manifest::tool_fingerprint(),
            theme.fingerprint(),
            &view.theme_site,
            layouts,
        ));
        let collections = view
            .side_navs
            .iter()
            .map(|(name, nav)| {
                let first = site
                    .collection(name)
                    .and_then(|c| c.entries.first())
                    .and_then(|entry| site.pages[entry.page].url());
                (name.clone(), hash_json(&(nav, first)))
            })
            .collect();
        let room = match &site.resource_room {
            Some(room) => {
                // Liquid's `site.posts`: the summary of every post, as
                // listings show them.
                let posts = view.liquid_site.get("posts");
                let categories: Vec<Value> = room
                    .categories
                    .iter()
                    .map(|c| {
                        json!([
                            c.name,
                            c.title,
                            c.index_page.and_then(|i| site.pages[i].url())
                        ])
                    })
                    .collect();
                hash_json(&(&view.room_title, posts, categories))
            }
            None => String::new(),
        };
        Self {
            theme: theme.fingerprint().to_owned(),
            site: site_key,
            collections,
            room,
        }
    }

    /// The digest of what a page reads.
    pub(crate) fn page_inputs(&self, page: &Page, last_updated: Option<String>) -> String {
        let mut inputs = input_map([
            ("site", self.site.clone()),
            ("page", page.content_id.clone()),
        ]);
        if let Some(collection) = page.collection()
            && let Some(key) = self.collections.get(collection)
        {
            inputs.insert("collection".into(), key.clone());
        }
        let reads_room = matches!(
            page.kind,
            PageKind::Homepage
                | PageKind::ResourceRoom
                | PageKind::Category { .. }
                | PageKind::Post { .. }
        ) || page.body.has_liquid();
        if reads_room && !self.room.is_empty() {
            inputs.insert("room".into(), self.room.clone());
        }
        if let Some(date) = last_updated {
            inputs.insert("last-updated".into(), date);
        }
        inputs_digest(&inputs)
    }
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
    compile_scss(&scss).map_err(|message| {
        let mut diagnostic = Diagnostic::error(&site.name, &sheet.source_path, format!("Sass: {message}"))
            .with_hint("the stylesheet is compiled after its Liquid is evaluated; check the values it reads from `site`");
        diagnostic.line = Some(sheet.body_line);
        Box::new(diagnostic)
    })
}

/// Two inputs that would write the same file: an error, never a silent overwrite.
fn check_collisions(site: &Site, outputs: &[Output], diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for output in outputs {
        if let Some(first) = seen.insert(output.path.as_str(), output.origin.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    &site.name,
                    &output.origin,
                    format!("writes `{}`, which `{first}` also writes", output.path),
                )
                .with_hint("rename one of the two files or change its permalink"),
            );
        }
    }
}

/// `site` for Liquid in stylesheets, before the page view exists.
fn site_liquid_value(site: &Site) -> Value {
    let mut map = site.config.raw.clone();
    map.insert("data".into(), Value::Object(site.data.clone()));
    Value::Object(map)
}

/// Converts a JSON-like value for Liquid; the conversion cannot fail for
/// values that came from YAML.
fn liquid_value(value: &Value) -> liquid_core::Value {
    liquid_core::to_value(value).unwrap_or(liquid_core::Value::Nil)
}

/// The navbar and each collection's side navigation, rendered once.
pub(crate) struct Fragments {
    pub navbar: Option<Fragment>,
    pub side_navs: HashMap<String, Fragment>,
}

impl Fragments {
    const NAVBAR: &'static str = "partials/navbar.html";
    const SIDE_NAV: &'static str = "partials/side_nav.html";

    fn render(site: &Site, theme: &Theme, view: &SiteView) -> Result<Self, Box<Diagnostic>> {
        let failed = |template: &str, error: gazette_theme::ThemeError| {
            Box::new(
                Diagnostic::error(
                    &site.name,
                    "",
                    format!("the theme's `{template}` failed: {error}"),
                )
                .with_hint("this is a problem in the theme's templates"),
            )
        };
        let navbar = if theme.has_template(Self::NAVBAR) {
            let html = theme
                .render(Self::NAVBAR, &tera::Context::new())
                .map_err(|error| failed(Self::NAVBAR, error))?;
            Some(Fragment::parse(&html))
        } else {
            None
        };
        let mut side_navs = HashMap::new();
        if theme.has_template(Self::SIDE_NAV) {
            for (name, items) in &view.side_navs {
                let mut context = tera::Context::new();
                context.insert("side_nav", items);
                context.insert("collection_title", &view.collection_titles.get(name));
                let html = theme
                    .render(Self::SIDE_NAV, &context)
                    .map_err(|error| failed(Self::SIDE_NAV, error))?;
                side_navs.insert(name.clone(), Fragment::parse(&html));
            }
        }
        Ok(Self { navbar, side_navs })
    }
}

/// Renders pages. A page reads the rest of the site through its
/// [`Surroundings`] alone, except listings (the homepage, the resource room
/// and its categories), which read the posts of the whole site.
pub(crate) struct PageRenderer<'a> {
    pub site_name: &'a str,
    pub layouts: &'a BTreeMap<String, FrontMatter>,
    /// The whole site, for listings; absent when a publish renders edited
    /// pages from a kept [`RenderState`](crate::render_state), which never
    /// renders a listing.
    pub listings: Option<&'a Site>,
    pub theme: &'a Theme,
    pub fragments: &'a Fragments,
    pub liquid: &'a LiquidEngine,
    pub liquid_site: &'a LiquidSite,
    pub sanitizer: &'a ContentSanitizer,
    pub last_changed: Option<&'a BTreeMap<String, i64>>,
    pub bodies: Option<&'a dyn Source>,
}

impl PageRenderer<'_> {
    /// "Last updated" of a page, from the last commit that changed its file.
    pub(crate) fn last_updated(&self, page: &Page) -> Option<String> {
        Some(
            self.last_changed_date(page)?
                .strftime("%-d %b %Y")
                .to_string(),
        )
    }

    fn last_updated_iso(&self, page: &Page) -> Option<String> {
        Some(self.last_changed_date(page)?.to_string())
    }

    fn last_changed_date(&self, page: &Page) -> Option<jiff::civil::Date> {
        let seconds = *self.last_changed?.get(&page.source_path)?;
        let timestamp = jiff::Timestamp::from_second(seconds).ok()?;
        // Dates are shown in Singapore time, where Isomer sites are published.
        let zone = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
        Some(zone.to_datetime(timestamp).date())
    }

    pub(crate) fn render(&self, page: &Page, around: &Surroundings) -> PageResult {
        let Some(permalink) = &page.permalink else {
            return Ok(Vec::new());
        };
        if is_listing(page) && self.listings.is_none() {
            return Err(Box::new(
                self.error(page, "a listing was rendered without its site".into())
                    .with_hint("this is a bug in Gazette: publish again with the whole site"),
            ));
        }
        // Only listings read it (above: they never render without it).
        let room = self
            .listings
            .and_then(|site| Some((site, site.resource_room.as_ref()?)));
        let layout = self.resolve_layout(page)?;
        let content = self.body_html(page)?;
        let content = self.apply_site_layouts(page, content)?;

        let mut page_value = self.page_value(page, around);
        let mut context = tera::Context::new();
        context.insert("content", &content);
        self.insert_fragments(page, around, &mut context);

        let mut rendered = Vec::new();
        if page.kind == PageKind::ResourceRoom
            && let Some((site, room)) = room
        {
            let per_page = site.config.paginate();
            let chunks: Vec<&[usize]> = if room.posts.is_empty() {
                vec![&[]]
            } else {
                room.posts.chunks(per_page).collect()
            };
            let total = chunks.len();
            let page_url = |number: usize| {
                if number == 1 {
                    permalink.as_str().to_owned()
                } else {
                    format!("{}page{number}/", with_slash(permalink.as_str()))
                }
            };
            for (position, chunk) in chunks.iter().enumerate() {
                let number = position + 1;
                let posts: Vec<Value> = chunk
                    .iter()
                    .map(|i| post_summary(site, &site.pages[*i]))
                    .collect();
                context.insert("posts", &posts);
                context.insert("categories", &categories(site, None));
                context.insert(
                    "pagination",
                    &json!({
                        "current": number,
                        "total": total,
                        "previous": (number > 1).then(|| page_url(number - 1)),
                        "next": (number < total).then(|| page_url(number + 1)),
                        "pages": (1..=total).map(|n| json!({"number": n, "url": page_url(n)})).collect::<Vec<_>>(),
                    }),
                );
                let url = page_url(number);
                page_value["url"] = Value::String(url.clone());
                context.insert("page", &page_value);
                let html = self.render_layout(page, layout, &context)?;
                let path = gazette_content::Permalink::parse(&url)
                    .map(|p| p.output_path())
                    .unwrap_or_else(|_| permalink.output_path());
                rendered.push((
                    Output {
                        path,
                        contents: OutputContents::Rendered(html.into_bytes()),
                        origin: page.source_path.clone(),
                    },
                    PageOutput {
                        url,
                        origin: if number == 1 {
                            page.source_path.clone()
                        } else {
                            format!("{} (listing page {number})", page.source_path)
                        },
                    },
                ));
            }
            return Ok(rendered);
        }

        if let PageKind::Category { category } = &page.kind
            && let Some((site, room)) = room
            && let Some(found) = room.categories.iter().find(|c| &c.name == category)
        {
            let posts: Vec<Value> = found
                .posts
                .iter()
                .map(|i| post_summary(site, &site.pages[*i]))
                .collect();
            context.insert("posts", &posts);
            context.insert("categories", &categories(site, Some(category)));
        }
        if page.kind == PageKind::Homepage
            && let Some((site, room)) = room
        {
            let latest: Vec<Value> = room
                .posts
                .iter()
                .take(6)
                .map(|i| post_summary(site, &site.pages[*i]))
                .collect();
            context.insert("latest_posts", &latest);
        }
        context.insert("page", &page_value);
        let html = self.render_layout(page, layout, &context)?;
        rendered.push((
            Output {
                path: permalink.output_path(),
                contents: OutputContents::Rendered(html.into_bytes()),
                origin: page.source_path.clone(),
            },
            PageOutput {
                url: permalink.as_str().to_owned(),
                origin: page.source_path.clone(),
            },
        ));
        Ok(rendered)
    }

    /// The navbar and side navigation of this page, from the fragments.
    fn insert_fragments(&self, page: &Page, around: &Surroundings, context: &mut tera::Context) {
        if let Some(navbar) = &self.fragments.navbar {
            let current = around.navbar_current;
            let section = around
                .navbar_section
                .map(|index| context::SECTION_MARKS + index);
            let html = navbar.render(|mark| {
                if Some(mark) == current {
                    Some(context::CURRENT_ATTRIBUTE)
                } else if Some(mark) == section {
                    Some(" is-active")
                } else {
                    None
                }
            });
            context.insert("navbar_html", &html);
        }
        let side_nav = page
            .collection()
            .and_then(|collection| self.fragments.side_navs.get(collection));
        if let Some(side_nav) = side_nav {
            let marks = around.side_nav;
            let html = side_nav.render(|mark| marks.and_then(|marks| marks.fill(mark)));
            context.insert("side_nav_html", &html);
        }
    }

    /// The theme layout that renders the page; site layouts (`_layouts/`)
    /// are followed down their `layout:` chain to the theme layout they wrap.
    fn resolve_layout<'p>(&'p self, page: &'p Page) -> Result<&'p str, Box<Diagnostic>> {
        let mut name = page.layout.as_str();
        for _ in 0..16 {
            if let Some(resolved) = self.theme.resolve_layout(name) {
                return Ok(resolved);
            }
            match self.layouts.get(name) {
                Some(layout) => match layout.data.get("layout").and_then(Value::as_str) {
                    Some(parent) => name = parent,
                    // A site layout without a parent is a whole document of its own.
                    None => return Ok(""),
                },
                None => break,
            }
        }
        let known: Vec<&str> = self.theme.layout_names().collect();
        Err(Box::new(
            self.error(page, format!("unknown layout `{}`", page.layout))
                .at_key(page, "layout")
                .with_hint(format!(
                    "use one of the theme's layouts ({}) or add `_layouts/{}.html` to the site",
                    known.join(", "),
                    page.layout
                )),
        ))
    }

    /// Wraps content in the site's own Liquid layouts, innermost first.
    fn apply_site_layouts(
        &self,
        page: &Page,
        mut content: String,
    ) -> Result<String, Box<Diagnostic>> {
        let mut name = page.layout.as_str();
        let page_value = liquid_value(&context::liquid_page(page));
        for _ in 0..16 {
            if self.theme.resolve_layout(name).is_some() {
                break;
            }
            let Some(layout) = self.layouts.get(name) else {
                break;
            };
            let mut page_with_content = page_value.clone();
            if let liquid_core::Value::Object(map) = &mut page_with_content {
                map.insert(
                    "content".into(),
                    liquid_core::Value::scalar(content.clone()),
                );
            }
            let text = layout.body.replace("{{ content }}", "{{ page.content }}");
            content = self
                .liquid
                .render(&text, self.liquid_site.get(), &page_with_content)
                .map_err(|error| {
                    self.error(page, format!("in site layout `{name}`: {}", error.message))
                        .with_hint(format!("check `_layouts/{name}.html`"))
                })?;
            match layout.data.get("layout").and_then(Value::as_str) {
                Some(parent) => name = parent,
                None => break,
            }
        }
        Ok(content)
    }

    fn render_layout(
        &self,
        page: &Page,
        layout: &str,
        context: &tera::Context,
    ) -> Result<String, Box<Diagnostic>> {
        if layout.is_empty() {
            return Ok(context
                .get("content")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_owned());
        }
        let html = self.theme.render_layout(layout, context).map_err(|error| {
            Box::new(
                self.error(
                    page,
                    format!("the theme's `{layout}` layout failed: {error}"),
                )
                .with_hint(
                    "this is a problem in the theme's templates; the page itself may be fine",
                ),
            )
        })?;
        Ok(fragment::without_marks(html))
    }

    /// Liquid, then Markdown or rich text, then the sanitiser.
    fn body_html(&self, page: &Page) -> Result<String, Box<Diagnostic>> {
        let text = match (&page.body, self.bodies) {
            (PageBody::Text(text), _) => std::borrow::Cow::Borrowed(text.as_str()),
            (PageBody::InSource { .. }, Some(source)) => page.read_body(self.site_name, source)?,
            (PageBody::InSource { .. }, None) => {
                return Err(Box::new(
                    self.error(page, "the page's body was not read with the site".into())
                        .with_hint("this is a bug in Gazette: the render was given no source for page bodies"),
                ));
            }
        };
        let body = if has_liquid(&text) {
            let page_value = liquid_value(&context::liquid_page(page));
            self.liquid
                .render(&text, self.liquid_site.get(), &page_value)
                .map_err(|error| {
                    let line = page.body_line + error.line.unwrap_or(1) - 1;
                    let mut diagnostic = self
                        .error(page, format!("Liquid: {}", error.message))
                        .with_hint("check the `{{ }}` and `{% %}` tags; wrap literal braces in `{% raw %}…{% endraw %}`");
                    diagnostic.line = Some(line);
                    diagnostic
                })?
        } else {
            text.into_owned()
        };
        let html = match page.variant {
            BodyVariant::Markdown => render_markdown(&body),
            BodyVariant::Tiptap | BodyVariant::Html => body,
        };
        Ok(self.sanitizer.clean(&html))
    }

    fn page_value(&self, page: &Page, around: &Surroundings) -> Value {
        let collection = page.collection();
        let (post_kind, category) = match &page.kind {
            PageKind::Post { kind, category } => (Some(*kind), Some(category.as_str())),
            PageKind::Category { category } => (None, Some(category.as_str())),
            _ => (None, None),
        };
        json!({
            "title": page.title,
            "url": page.url(),
            "layout": page.layout,
            "source_path": page.source_path,
            "description": page.text("description"),
            "image": page.text("image").filter(|i| !i.trim().is_empty()),
            "date": page.date.map(|d| d.strftime("%-d %b %Y").to_string()),
            "date_iso": page.date.map(|d| d.to_string()),
            "kind": kind_name(&page.kind),
            "collection": collection,
            "collection_title": around.collection_title,
            "third_nav_title": page.third_nav_title,
            "previous": around.previous,
            "next": around.next,
            "breadcrumbs": around.breadcrumbs,
            "last_updated": self.last_updated(page),
            "last_updated_iso": self.last_updated_iso(page),
            "sections": self.sections(page),
            "post_kind": post_kind.map(PostKind::as_str),
            "category": category,
            "file_url": page.file_url,
            "external_url": page.external_url,
            "data": page.data,
        })
    }

    /// Homepage sections as `{type, ...fields}`, with their text fields
    /// sanitised because Isomer lets authors write HTML in them.
    fn sections(&self, page: &Page) -> Value {
        let Some(sections) = page.data.get("sections").and_then(Value::as_array) else {
            return Value::Array(Vec::new());
        };
        let normalised = sections
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|section| {
                let (kind, fields) = section.iter().next()?;
                let mut fields = match fields {
                    Value::Object(map) => map.clone(),
                    _ => Default::default(),
                };
                self.sanitize_text_fields(&mut fields);
                fields.insert("type".into(), Value::String(kind.clone()));
                Some(Value::Object(fields))
            })
            .collect();
        Value::Array(normalised)
    }

    fn sanitize_text_fields(&self, fields: &mut gazette_content::Map) {
        for (key, value) in fields.iter_mut() {
            match value {
                Value::String(text)
                    if matches!(
                        key.as_str(),
                        "title" | "subtitle" | "description" | "announcement" | "caption"
                    ) =>
                {
                    *text = self.sanitizer.clean(text);
                }
                Value::Object(map) => self.sanitize_text_fields(map),
                Value::Array(items) => {
                    for item in items {
                        if let Value::Object(map) = item {
                            self.sanitize_text_fields(map);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn render_not_found(&self) -> Result<Output, Box<Diagnostic>> {
        let mut context = tera::Context::new();
        context.insert(
            "page",
            &json!({ "title": "Page not found", "url": "/404.html", "breadcrumbs": [], "kind": "not_found" }),
        );
        context.insert("content", "");
        let html = self.theme.render_layout("404", &context).map_err(|error| {
            Diagnostic::error(
                self.site_name,
                "",
                format!("the theme's 404 layout failed: {error}"),
            )
            .with_hint("add `misc/404.html` to the site or fix the theme's `layouts/404.html`")
        })?;
        Ok(Output {
            path: "404.html".into(),
            contents: OutputContents::Rendered(html.into_bytes()),
            origin: "theme 404 layout".into(),
        })
    }

    fn error(&self, page: &Page, message: String) -> Diagnostic {
        Diagnostic::error(self.site_name, &page.source_path, message)
    }
}

/// Whether a page lists posts (the homepage, the resource room and its
/// categories): those read the whole site, not only their surroundings.
pub(crate) fn is_listing(page: &Page) -> bool {
    matches!(
        page.kind,
        PageKind::Homepage | PageKind::ResourceRoom | PageKind::Category { .. }
    )
}

/// The resource room's categories as listings show them.
fn categories(site: &Site, current: Option<&str>) -> Vec<Value> {
    let Some(room) = &site.resource_room else {
        return Vec::new();
    };
    room.categories
        .iter()
        .map(|category| {
            json!({
                "name": category.name,
                "title": category.title,
                "url": category.index_page.and_then(|i| site.pages[i].url()),
                "current": current == Some(category.name.as_str()),
                "count": category.posts.len(),
            })
        })
        .collect()
}

/// What one page shows of the rest of its site, besides the fragments and
/// `site`: its neighbours, breadcrumbs and places in the navigation. Worked
/// out from the whole site, and kept between publishes (`render_state`) so
/// that an edit to a page's text renders that page without the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Surroundings {
    previous: Option<Link>,
    next: Option<Link>,
    breadcrumbs: Vec<Link>,
    /// The title of the page's collection, as the navbar names it.
    collection_title: Option<String>,
    /// The page's own mark in the navbar, if it is listed there.
    navbar_current: Option<u32>,
    /// The navbar entry whose section holds the page.
    navbar_section: Option<u32>,
    /// The marks the page fills in its collection's side navigation.
    side_nav: Option<SideNavMarks>,
}

/// A link as templates read it (`{title, url}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Link {
    pub title: String,
    pub url: Option<String>,
}

impl Surroundings {
    /// The surroundings of `site.pages[index]`.
    fn of(site: &Site, view: &SiteView, index: usize, page: &Page) -> Self {
        let (previous, next) = view.neighbours.get(&index).copied().unwrap_or((None, None));
        let link = |i: Option<usize>| {
            i.map(|i| Link {
                title: site.pages[i].title.clone(),
                url: site.pages[i].url().map(str::to_owned),
            })
        };
        let in_room = matches!(
            page.kind,
            PageKind::Post { .. } | PageKind::Category { .. } | PageKind::ResourceRoom
        );
        let navbar_section = site
            .navigation
            .links
            .iter()
            .position(|link| {
                (link.collection.is_some() && link.collection.as_deref() == page.collection())
                    || (link.resource_room && in_room)
            })
            .map(|position| position as u32);
        Self {
            previous: link(previous),
            next: link(next),
            breadcrumbs: context::breadcrumbs(site, view, page),
            collection_title: page
                .collection()
                .and_then(|c| view.collection_titles.get(c))
                .cloned(),
            navbar_current: page
                .url()
                .and_then(|url| view.navbar_marks.get(url))
                .copied(),
            navbar_section,
            side_nav: view.side_nav_marks.get(&index).copied(),
        }
    }
}

/// Liquid's `site`, converted when a page first needs it: most pages have
/// no Liquid, and a publish of edited pages keeps it as JSON text until then.
pub(crate) struct LiquidSite {
    json: String,
    value: std::sync::OnceLock<liquid_core::Value>,
}

impl LiquidSite {
    fn ready(value: liquid_core::Value) -> Self {
        Self {
            json: String::new(),
            value: value.into(),
        }
    }

    /// From the JSON text of a kept state.
    pub(crate) fn from_json(json: String) -> Self {
        Self {
            json,
            value: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> &liquid_core::Value {
        self.value.get_or_init(|| {
            // The text was written by `Value::to_string` into a state whose
            // bytes are checked against their hash when read back, so it
            // always parses.
            let value: Value = serde_json::from_str(&self.json).unwrap_or(Value::Null);
            liquid_value(&value)
        })
    }
}

trait AtKey {
    fn at_key(self, page: &Page, key: &str) -> Self;
}

impl AtKey for Diagnostic {
    /// Points at a front matter key of the page, showing its line.
    fn at_key(mut self, page: &Page, key: &str) -> Self {
        let line = page.line_of(key);
        self.line = Some(line);
        self.column = Some(1);
        let value = page.text(key).unwrap_or_default();
        self.source_line = Some(format!("{key}: {value}"));
        self
    }
}

fn kind_name(kind: &PageKind) -> &'static str {
    match kind {
        PageKind::Homepage => "homepage",
        PageKind::Simple => "page",
        PageKind::CollectionItem { .. } => "collection_page",
        PageKind::ResourceRoom => "resource_room",
        PageKind::Category { .. } => "category",
        PageKind::Post { .. } => "post",
    }
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}
