//! Rendering one page: its body through Liquid, Markdown or rich text and
//! the sanitiser, the site's own layouts, then the theme's layout with the
//! navbar and side navigation filled in for it. Listings (the homepage, the
//! resource room and its categories) also show the site's posts.

use std::collections::BTreeMap;

use gazette_content::{
    BodyVariant, Diagnostic, FrontMatter, Page, PageBody, PageKind, Pagination, PostKind, Site,
    Source, Value, has_liquid,
};
use gazette_theme::Theme;
use serde_json::json;

use crate::context::{self, Fragments, post_summary};
use crate::footer::{FOOTER, Footers};
use crate::fragment;
use crate::liquid::{LiquidEngine, LiquidSite, liquid_value};
use crate::rendered::{Output, OutputContents, PageOutput};
use crate::sanitize::ContentSanitizer;
use crate::search::SearchDoc;
use crate::site_head::{SITE_HEAD, SiteHead};
use crate::surroundings::Surroundings;

/// The outputs of one page (a listing may have several) and what it gives
/// the search index, or why it failed.
type PageResult = Result<(Vec<(Output, PageOutput)>, Option<SearchDoc>), Box<Diagnostic>>;

/// Renders pages. A page reads the rest of the site through its
/// [`Surroundings`] alone, except listings (the homepage, the resource room
/// and its categories), which read the posts of the whole site.
pub(crate) struct PageRenderer<'a> {
    pub site_name: &'a str,
    pub layouts: &'a BTreeMap<String, FrontMatter>,
    /// The whole site, for listings; absent when a publish renders edited
    /// pages from a kept [`RenderState`](crate::RenderState), which never
    /// renders a listing.
    pub listings: Option<&'a Site>,
    /// The copies of a page jekyll-paginate writes, for whole renders.
    pub pagination: Option<&'a Pagination>,
    pub theme: &'a Theme,
    pub fragments: &'a Fragments,
    pub liquid: &'a LiquidEngine,
    pub liquid_site: &'a LiquidSite<'a>,
    pub sanitizer: &'a ContentSanitizer,
    pub last_changed: Option<&'a BTreeMap<String, i64>>,
    pub bodies: Option<&'a dyn Source>,
    /// Tolerated problems of the pages rendered so far (Liquid that Jekyll
    /// renders past), for the caller to report.
    pub warnings: std::sync::Mutex<Vec<Diagnostic>>,
    /// The footers rendered so far, by date.
    pub footers: Footers,
    /// The site's part of the `<head>`, once rendered.
    pub site_head: SiteHead,
}

impl PageRenderer<'_> {
    /// The tolerated problems of the pages rendered so far, sorted.
    pub(crate) fn take_warnings(&self) -> Vec<Diagnostic> {
        let mut warnings =
            std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|p| p.into_inner()));
        warnings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        warnings
    }

    /// The pagination whose template `page` is, if any.
    fn pagination_of(&self, page: &Page) -> Option<&Pagination> {
        let site = self.listings?;
        self.pagination
            .filter(|pagination| site.pages[pagination.template].source_path == page.source_path)
    }

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
        Some(crate::liquid::singapore().to_datetime(timestamp).date())
    }

    pub(crate) fn render(&self, page: &Page, around: &Surroundings) -> PageResult {
        let Some(permalink) = &page.permalink else {
            return Ok((Vec::new(), None));
        };
        if (is_listing(page) || self.pagination_of(page).is_some()) && self.listings.is_none() {
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
        // The body as the author wrote it: the site's layouts around it
        // repeat on every page.
        let search = SearchDoc::of(page, permalink.as_str(), &content);
        let content = self.apply_site_layouts(page, content)?;

        let mut page_value = self.page_value(page, around);
        let mut context = tera::Context::new();
        context.insert("content", &content);
        self.insert_fragments(page, around, &mut context);
        // The dates as `page_value` has them, worked out once.
        let date = |key: &str| page_value[key].as_str().map(str::to_owned);
        self.insert_site_partials(&mut context, date("last_updated"), date("last_updated_iso"))
            .map_err(|error| Box::new(self.error(page, error)))?;

        if let Some((site, room)) = room {
            let listed = match &page.kind {
                PageKind::ResourceRoom => Some((room.posts.as_slice(), None)),
                PageKind::Category { category } => room
                    .categories
                    .iter()
                    .find(|c| &c.name == category)
                    .map(|found| (found.posts.as_slice(), Some(category.as_str()))),
                _ => None,
            };
            if let Some((posts, current)) = listed {
                insert_listing(&mut context, site, posts, current);
            }
            if page.kind == PageKind::Homepage {
                let latest: Vec<Value> = room
                    .posts
                    .iter()
                    .take(6)
                    .map(|i| post_summary(site, &site.pages[*i]))
                    .collect();
                context.insert("latest_posts", &latest);
            }
        }

        // The page itself, then the copies jekyll-paginate writes of it.
        let mut urls = vec![permalink.as_str().to_owned()];
        if let Some(pagination) = self.pagination_of(page) {
            urls.extend((2..=pagination.pages).map(|number| pagination.url(number)));
        }
        let mut rendered = Vec::with_capacity(urls.len());
        for (position, url) in urls.into_iter().enumerate() {
            let path = if position == 0 {
                permalink.output_path()
            } else {
                gazette_content::Permalink::parse(&url)
                    .map_err(|error| {
                        Box::new(
                            Diagnostic::error(
                                self.site_name,
                                "_config.yml",
                                format!(
                                    "`paginate_path` makes the listing URL `{url}`, which {error}"
                                ),
                            )
                            .with_hint(
                                "write `paginate_path` as a site path such as `/media/page:num`",
                            ),
                        )
                    })?
                    .output_path()
            };
            page_value["url"] = Value::String(url.clone());
            context.insert("page", &page_value);
            let html = self.render_layout(page, layout, &context)?;
            let origin = if position == 0 {
                page.source_path.clone()
            } else {
                format!("{} (listing page {})", page.source_path, position + 1)
            };
            rendered.push((
                Output {
                    path,
                    contents: OutputContents::Rendered(html),
                    origin: page.source_path.clone(),
                },
                PageOutput { url, origin },
            ));
        }
        Ok((rendered, search))
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

    /// The site's partials rendered once: its part of the `<head>` (see
    /// `site_head.rs`) as `site_head_html`, and its footer for a page of
    /// these dates (see `footer.rs`) as `footer_html`; `Err` says which of
    /// the theme's partials failed, and why.
    fn insert_site_partials(
        &self,
        context: &mut tera::Context,
        last_updated: Option<String>,
        last_updated_iso: Option<String>,
    ) -> Result<(), String> {
        let head = self
            .site_head
            .get(self.theme)
            .map_err(|error| format!("the theme's `{SITE_HEAD}` failed: {error}"))?;
        if let Some(head) = head {
            context.insert_value("site_head_html", head);
        }
        let footer = self
            .footers
            .get(self.theme, last_updated, last_updated_iso)
            .map_err(|error| format!("the theme's `{FOOTER}` failed: {error}"))?;
        if let Some(footer) = footer {
            context.insert_value("footer_html", footer);
        }
        Ok(())
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
        // Jekyll warns about a layout that exists nowhere and writes the
        // page's content alone; so does Gazette (an error under --strict).
        let known: Vec<&str> = self.theme.layout_names().collect();
        let mut warning = self
            .error(
                page,
                format!(
                    "unknown layout `{}`: the page is written without one, as Jekyll writes it",
                    page.layout
                ),
            )
            .at_key(page, "layout")
            .with_hint(format!(
                "use one of the theme's layouts ({}) or add `_layouts/{}.html` to the site",
                known.join(", "),
                page.layout
            ));
        warning.severity = gazette_content::Severity::Warning;
        warning.code = Some("missing-layout".to_owned());
        self.warnings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(warning);
        Ok("")
    }

    /// Wraps content in the site's own Liquid layouts, innermost first, each
    /// seeing `content`, `page`, `site`, `layout` (its own front matter) and
    /// `paginator` (nil: Isomer's listings are the theme's) as Jekyll gives
    /// them.
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
            let content_value = liquid_core::Value::scalar(content);
            let layout_value = liquid_value(&Value::Object(layout.data.clone()));
            let file = format!("_layouts/{name}.html");
            content = self.render_liquid(
                page,
                &file,
                layout.body_line,
                &layout.body,
                &[
                    ("site", self.liquid_site.get()),
                    ("page", &page_with_content),
                    ("content", &content_value),
                    ("layout", &layout_value),
                    ("paginator", &liquid_core::Value::Nil),
                ],
            )?;
            match layout.data.get("layout").and_then(Value::as_str) {
                Some(parent) => name = parent,
                None => break,
            }
        }
        Ok(content)
    }

    /// Renders Liquid of `file` (whose text starts on `first_line`): what
    /// Ruby Liquid rejects is an error at its file and line; tags that fail
    /// while rendering render nothing and are tolerated warnings (Jekyll's
    /// `liquid.error_mode: warn`; `--strict` makes them errors).
    fn render_liquid(
        &self,
        page: &Page,
        file: &str,
        first_line: u32,
        text: &str,
        named: &[(&str, &liquid_core::Value)],
    ) -> Result<String, Box<Diagnostic>> {
        let place = |error: &crate::liquid::LiquidError| match &error.file {
            Some(include) => (include.clone(), error.line),
            None => (
                file.to_owned(),
                Some(first_line + error.line.unwrap_or(1) - 1),
            ),
        };
        match self.liquid.render_page(text, named) {
            Ok(output) => {
                let mut warnings = self.warnings.lock().unwrap_or_else(|p| p.into_inner());
                for warning in &output.warnings {
                    let (at, line) = place(warning);
                    let mut diagnostic = Diagnostic::tolerated(
                        self.site_name,
                        file,
                        "liquid",
                        format!("Liquid at {at}:{}: {} (rendered as nothing, as Jekyll goes on past it)", line.unwrap_or(1), warning.message),
                    )
                    .with_hint(format!("`{}` renders without it", page.source_path));
                    if at == file {
                        diagnostic.line = line;
                    }
                    warnings.push(diagnostic);
                }
                Ok(output.text)
            }
            Err(error) => {
                let (at, line) = place(&error);
                let mut diagnostic = Diagnostic::error(self.site_name, &at, format!("Liquid: {}", error.message))
                    .with_hint(format!(
                        "while rendering `{}`; check the `{{{{ }}}}` and `{{% %}}` tags; wrap literal braces in `{{% raw %}}…{{% endraw %}}`",
                        page.source_path
                    ));
                diagnostic.line = line;
                Err(Box::new(diagnostic))
            }
        }
    }

    fn render_layout(
        &self,
        page: &Page,
        layout: &str,
        context: &tera::Context,
    ) -> Result<Vec<u8>, Box<Diagnostic>> {
        if layout.is_empty() {
            return Ok(context
                .get("content")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .into());
        }
        let html = self
            .theme
            .render_layout_bytes(layout, context)
            .map_err(|error| {
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
        let had_liquid = has_liquid(&text);
        let body = if had_liquid {
            let page_value = liquid_value(&context::liquid_page(page));
            self.render_liquid(
                page,
                &page.source_path,
                page.body_line,
                &text,
                &[("site", self.liquid_site.get()), ("page", &page_value)],
            )?
        } else {
            text.into_owned()
        };
        let html = match page.variant {
            BodyVariant::Markdown => self.sanitizer.markdown(&body),
            BodyVariant::Tiptap | BodyVariant::Html => self.sanitizer.clean_body(&body),
        };
        let html = html.map_err(|error| {
            let mut diagnostic = self.error(page, format!("the page {error}")).with_hint(
                "close the quotes, lists or HTML elements opened there; no real page nests this deep",
            );
            if had_liquid {
                diagnostic.message += &format!(", at line {} of the text its Liquid wrote", error.line);
            } else {
                diagnostic.line = Some(page.body_line + error.line - 1);
            }
            Box::new(diagnostic)
        })?;
        Ok(html)
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
            "redirect_to": page.redirect_to,
            "data": page.data,
        })
    }

    /// Homepage sections as `{type, ...fields}`, with their text fields
    /// sanitised because Isomer lets authors write HTML in them; a homepage
    /// of Isomer's first template has them in `_data/homepage.yml`.
    fn sections(&self, page: &Page) -> Value {
        let from_v1;
        let sections = match page.data.get("sections").and_then(Value::as_array) {
            Some(sections) => sections,
            None => {
                let v1 = self
                    .listings
                    .filter(|_| page.kind == PageKind::Homepage)
                    .and_then(|site| site.data.get("homepage")?.as_object());
                let Some(v1) = v1 else {
                    return Value::Array(Vec::new());
                };
                from_v1 = crate::homepage_v1::sections(v1);
                &from_v1
            }
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

    pub(crate) fn render_not_found(&self) -> Result<Output, Box<Diagnostic>> {
        let mut context = tera::Context::new();
        context.insert(
            "page",
            &json!({ "title": "Page not found", "url": "/404.html", "breadcrumbs": [], "kind": "not_found" }),
        );
        context.insert("content", "");
        let failed =
            |message: String| {
                Box::new(Diagnostic::error(self.site_name, "", message).with_hint(
                    "add `misc/404.html` to the site or fix the theme's `layouts/404.html`",
                ))
            };
        self.insert_site_partials(&mut context, None, None)
            .map_err(failed)?;
        let html = self
            .theme
            .render_layout("404", &context)
            .map_err(|error| failed(format!("the theme's 404 layout failed: {error}")))?;
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

/// What a listing shows: all its posts (the theme's script shows them a page
/// at a time, as Isomer's does, so a reader without script still sees them
/// all), the years they span for the date filter, and the categories.
fn insert_listing(
    context: &mut tera::Context,
    site: &Site,
    posts: &[usize],
    current: Option<&str>,
) {
    let summaries: Vec<Value> = posts
        .iter()
        .map(|i| post_summary(site, &site.pages[*i]))
        .collect();
    let mut years: Vec<i16> = posts
        .iter()
        .filter_map(|i| site.pages[*i].date.map(|date| date.year()))
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    context.insert("posts", &summaries);
    context.insert("post_years", &years);
    context.insert("page_size", &site.config.paginate());
    context.insert("categories", &categories(site, current));
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

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;
