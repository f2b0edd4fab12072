//! Rendering one site in memory: every page through Liquid, Markdown or rich
//! text, the sanitiser and the theme; stylesheets through Liquid and Sass;
//! media and theme assets listed for copying. Nothing is written here.

use std::collections::HashMap;

use gazette_content::{
    BodyVariant, Diagnostic, Diagnostics, Page, PageKind, PostKind, Site, StyleSheet, Value,
};
use gazette_theme::Theme;
use rayon::prelude::*;
use serde_json::json;

use crate::context::{self, SiteView, post_summary};
use crate::liquid::LiquidEngine;
use crate::markdown::render_markdown;
use crate::sanitize::ContentSanitizer;
use crate::sass::compile_scss;

/// The outputs of one page (a listing may have several), or why it failed.
type PageResult = Result<Vec<(Output, PageOutput)>, Box<Diagnostic>>;

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
    /// Every output file, sorted by path.
    pub outputs: Vec<Output>,
    /// The pages among them, with their URLs.
    pub pages: Vec<PageOutput>,
    /// Warnings found while rendering.
    pub warnings: Diagnostics,
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

/// Renders `site` with `theme`. Every error of the site is returned at once.
pub fn render_site(site: &Site, theme: &mut Theme) -> Result<RenderedSite, Diagnostics> {
    let (rendered, diagnostics) = render_site_partially(site, theme);
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
pub fn render_site_partially(site: &Site, theme: &mut Theme) -> (RenderedSite, Diagnostics) {
    let liquid = LiquidEngine::new();
    let sanitizer = ContentSanitizer::new();
    let mut diagnostics = Diagnostics::default();

    let mut outputs = Vec::new();
    let mut stylesheet_urls = Vec::new();
    let liquid_site_for_css = liquid_value(&site_liquid_value(site));
    for sheet in &site.stylesheets {
        match compile_stylesheet(site, sheet, &liquid, &liquid_site_for_css) {
            Ok(css) => {
                stylesheet_urls.push(format!("/{}", sheet.output_path));
                outputs.push(Output {
                    path: sheet.output_path.clone(),
                    contents: OutputContents::Rendered(css.into_bytes()),
                    origin: sheet.source_path.clone(),
                });
            }
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }

    let view = SiteView::new(site, &stylesheet_urls, &sanitizer);
    theme.insert_global("site", &view.theme_site);
    let liquid_site = liquid_value(&view.liquid_site);
    let renderer = PageRenderer {
        site,
        theme,
        view: &view,
        liquid: &liquid,
        liquid_site: &liquid_site,
        sanitizer: &sanitizer,
    };

    let results: Vec<PageResult> = site
        .pages
        .par_iter()
        .enumerate()
        .filter(|(_, page)| page.published && page.permalink.is_some())
        .map(|(index, page)| renderer.render(index, page))
        .collect();
    let mut pages = Vec::new();
    for result in results {
        match result {
            Ok(rendered) => {
                for (output, page) in rendered {
                    outputs.push(output);
                    pages.push(page);
                }
            }
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }

    if !outputs.iter().any(|o| o.path == "404.html") {
        match renderer.render_not_found() {
            Ok(output) => {
                pages.push(PageOutput {
                    url: "/404.html".into(),
                    origin: "theme 404 layout".into(),
                });
                outputs.push(output);
            }
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }

    for file in &site.static_files {
        outputs.push(Output {
            path: file.output_path.clone(),
            contents: OutputContents::Copy(file.source_path.clone()),
            origin: file.source_path.clone(),
        });
    }
    let site_paths: std::collections::HashSet<String> =
        outputs.iter().map(|o| o.path.clone()).collect();
    for asset in theme.assets() {
        // A site's own file of the same name wins over the theme's.
        if !site_paths.contains(&asset.output_path) {
            outputs.push(Output {
                path: asset.output_path.clone(),
                contents: OutputContents::Rendered(asset.contents.clone()),
                origin: format!("theme {}", asset.theme),
            });
        }
    }

    check_collisions(site, &outputs, &mut diagnostics);
    diagnostics.sort();
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    let rendered = RenderedSite {
        outputs,
        pages,
        warnings: Diagnostics::default(),
    };
    (rendered, diagnostics)
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

struct PageRenderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    view: &'a SiteView,
    liquid: &'a LiquidEngine,
    liquid_site: &'a liquid_core::Value,
    sanitizer: &'a ContentSanitizer,
}

impl PageRenderer<'_> {
    fn render(&self, index: usize, page: &Page) -> PageResult {
        let site = self.site;
        let Some(permalink) = &page.permalink else {
            return Ok(Vec::new());
        };
        let layout = self.resolve_layout(page)?;
        let content = self.body_html(page)?;
        let content = self.apply_site_layouts(page, content)?;

        let mut page_value = self.page_value(index, page);
        let mut context = tera::Context::new();
        context.insert("content", &content);

        let mut rendered = Vec::new();
        if page.kind == PageKind::ResourceRoom
            && let Some(room) = &site.resource_room
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
                context.insert("categories", &self.categories(None));
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
            && let Some(room) = &site.resource_room
            && let Some(found) = room.categories.iter().find(|c| &c.name == category)
        {
            let posts: Vec<Value> = found
                .posts
                .iter()
                .map(|i| post_summary(site, &site.pages[*i]))
                .collect();
            context.insert("posts", &posts);
            context.insert("categories", &self.categories(Some(category)));
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

    fn categories(&self, current: Option<&str>) -> Vec<Value> {
        let Some(room) = &self.site.resource_room else {
            return Vec::new();
        };
        room.categories
            .iter()
            .map(|category| {
                json!({
                    "name": category.name,
                    "title": category.title,
                    "url": category.index_page.and_then(|i| self.site.pages[i].url()),
                    "current": current == Some(category.name.as_str()),
                    "count": category.posts.len(),
                })
            })
            .collect()
    }

    /// The theme layout that renders the page; site layouts (`_layouts/`)
    /// are followed down their `layout:` chain to the theme layout they wrap.
    fn resolve_layout<'p>(&'p self, page: &'p Page) -> Result<&'p str, Box<Diagnostic>> {
        let mut name = page.layout.as_str();
        for _ in 0..16 {
            if let Some(resolved) = self.theme.resolve_layout(name) {
                return Ok(resolved);
            }
            match self.site.layouts.get(name) {
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
            let Some(layout) = self.site.layouts.get(name) else {
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
                .render(&text, self.liquid_site, &page_with_content)
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
        self.theme.render_layout(layout, context).map_err(|error| {
            self.error(
                page,
                format!("the theme's `{layout}` layout failed: {error}"),
            )
            .with_hint("this is a problem in the theme's templates; the page itself may be fine")
            .into()
        })
    }

    /// Liquid, then Markdown or rich text, then the sanitiser.
    fn body_html(&self, page: &Page) -> Result<String, Box<Diagnostic>> {
        let body = if LiquidEngine::has_liquid(&page.body) {
            let page_value = liquid_value(&context::liquid_page(page));
            self.liquid
                .render(&page.body, self.liquid_site, &page_value)
                .map_err(|error| {
                    let line = page.body_line + error.line.unwrap_or(1) - 1;
                    let mut diagnostic = self
                        .error(page, format!("Liquid: {}", error.message))
                        .with_hint("check the `{{ }}` and `{% %}` tags; wrap literal braces in `{% raw %}…{% endraw %}`");
                    diagnostic.line = Some(line);
                    diagnostic
                })?
        } else {
            page.body.clone()
        };
        let html = match page.variant {
            BodyVariant::Markdown => render_markdown(&body),
            BodyVariant::Tiptap | BodyVariant::Html => body,
        };
        Ok(self.sanitizer.clean(&html))
    }

    fn page_value(&self, index: usize, page: &Page) -> Value {
        let site = self.site;
        let (previous, next) = self
            .view
            .neighbours
            .get(&index)
            .copied()
            .unwrap_or((None, None));
        let link = |i: Option<usize>| {
            i.map(|i| json!({ "title": site.pages[i].title, "url": site.pages[i].url() }))
        };
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
            "collection_title": collection.and_then(|c| self.view.collection_titles.get(c)),
            "third_nav_title": page.third_nav_title,
            "side_nav": collection.and_then(|c| self.view.side_navs.get(c)),
            "previous": link(previous),
            "next": link(next),
            "breadcrumbs": context::breadcrumbs(site, self.view, page),
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
                &self.site.name,
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
        Diagnostic::error(&self.site.name, &page.source_path, message)
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
