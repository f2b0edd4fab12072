//! A whole site, and the loader that reads it from a [`Source`].
//!
//! Loading never stops at the first problem: every file is read, every
//! problem becomes a [`Diagnostic`], and a site with errors is refused as a
//! whole so that nothing half-read can be published.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::collection::{Collection, CollectionEntry};
use crate::config::{SiteConfig, string_list, truthy};
use crate::front_matter::{self, FrontMatter, FrontMatterError};
use crate::navigation::Navigation;
use crate::page::{self, BodyVariant, Page, PageBody, PageKind, PostKind};
use crate::permalink::{Permalink, is_external_url, slugify_pretty};
use crate::resource_room::{Category, ResourceRoom};
use crate::{Diagnostic, Diagnostics, Map, Source, Value, yaml};

/// An Isomer site, read and checked, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The site's name (its folder under `sites/`).
    pub name: String,
    /// `_config.yml`.
    pub config: SiteConfig,
    /// `_data/navigation.yml`.
    pub navigation: Navigation,
    /// `_data/footer.yml`, as written.
    pub footer: Value,
    /// Every `_data/*.yml` by file stem (navigation and footer included), for
    /// Liquid's `site.data.*`.
    pub data: Map,
    /// Every page, in source path order.
    pub pages: Vec<Page>,
    /// Collections by name order.
    pub collections: Vec<Collection>,
    /// The resource room, when `resources_name` names a folder.
    pub resource_room: Option<ResourceRoom>,
    /// Files copied as they are (media, `_redirects`, files without front matter).
    pub static_files: Vec<StaticFile>,
    /// Sass files with front matter (`misc/custom.scss`) compiled to CSS.
    pub stylesheets: Vec<StyleSheet>,
    /// The site's own Liquid layouts (`_layouts/<name>.html`) by name.
    pub layouts: BTreeMap<String, FrontMatter>,
}

/// A file published byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StaticFile {
    /// Where it is in the source.
    pub source_path: String,
    /// The source's id of its content, when the source has one (Git).
    pub content_id: Option<String>,
    /// Where it goes, relative to the output root.
    pub output_path: String,
}

/// A Sass stylesheet with front matter, whose body may use Liquid.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StyleSheet {
    /// Where it is in the source.
    pub source_path: String,
    /// Where the CSS goes (`misc/custom.scss` → `misc/custom.css`).
    pub output_path: String,
    /// An id of the file's content.
    pub content_id: String,
    /// The Sass text after the front matter.
    pub body: String,
    /// The line the body starts on.
    pub body_line: u32,
}

/// A site as far as it could be read, with every problem found on the way.
///
/// Files with errors are left out of `site`, so the rest can still be checked
/// and rendered and every error of a build reported at once; a site whose
/// `diagnostics` hold an error must not be published.
#[derive(Debug, Clone)]
pub struct LoadedSite {
    /// The site, without the files that had errors.
    pub site: Site,
    /// Errors and warnings, sorted by file and line.
    pub diagnostics: Diagnostics,
}

/// Folders starting with `_` that Jekyll gives a meaning other than a collection.
const RESERVED_FOLDERS: &[&str] = &[
    "_data",
    "_layouts",
    "_includes",
    "_sass",
    "_site",
    "_posts",
    "_drafts",
    "_plugins",
];

/// Files at the root that build a site but are never part of it.
const PLUMBING: &[&str] = &[
    "Gemfile",
    "Gemfile.lock",
    "netlify.toml",
    "README.md",
    "LICENSE",
    "LICENSE.md",
    "CONTRIBUTING.md",
    "package.json",
    "package-lock.json",
    "site.toml",
    "travis-script.js",
    "CNAME",
];

/// Folders whose files are media, copied as they are.
const MEDIA_FOLDERS: &[&str] = &["images", "files", "assets"];

/// Extensions of files that may carry front matter and so must be text.
const TEXT_EXTENSIONS: &[&str] = &["md", "markdown", "html", "htm", "scss", "sass"];

impl Site {
    /// Reads a site from `source`. `name` labels diagnostics and the output.
    ///
    /// Fails only when the source cannot be listed or has no readable
    /// `_config.yml`; every other problem is in [`LoadedSite::diagnostics`].
    pub fn load(name: &str, source: &dyn Source) -> Result<LoadedSite, Diagnostics> {
        Loader::new(name, source).load(&mut LoadCache::default())
    }

    /// Like [`Site::load`], reading again only the files whose version (see
    /// [`Source::version`]) changed since the last load with this cache: what
    /// a live preview needs to follow edits quickly.
    pub fn load_cached(
        name: &str,
        source: &dyn Source,
        cache: &mut LoadCache,
    ) -> Result<LoadedSite, Diagnostics> {
        Loader::new(name, source).load(cache)
    }

    /// Reads one page's file again after an edit, as the loader would, so
    /// that a live preview can re-render that page alone. `None` when `path`
    /// is not a page of this site (a new file, a stylesheet, data): those
    /// need a whole load. Problems found in the file come back as its
    /// diagnostics, warnings included, so the caller can fall back to a
    /// whole load that reports them in context.
    pub fn reread_page(
        &self,
        source: &dyn Source,
        path: &str,
    ) -> Option<Result<Page, Diagnostics>> {
        self.pages.iter().find(|page| page.source_path == path)?;
        self.page_reader().read_page(source, path)
    }

    /// What reading one of this site's page files depends on besides the
    /// file, to read pages again without the site.
    pub fn page_reader(&self) -> PageReader {
        PageReader {
            name: self.name.clone(),
            collections: self
                .collections
                .iter()
                .map(|c| (c.name.clone(), c.output))
                .collect(),
            room: self.resource_room.as_ref().map(|room| room.name.clone()),
        }
    }

    /// The body of `page`: see [`Page::read_body`].
    pub fn read_body<'p>(
        &self,
        source: &dyn Source,
        page: &'p Page,
    ) -> Result<std::borrow::Cow<'p, str>, Box<Diagnostic>> {
        page.read_body(&self.name, source)
    }

    /// The published page at a URL path such as `/about/`.
    pub fn page_by_url(&self, url: &str) -> Option<&Page> {
        self.pages
            .iter()
            .find(|page| page.published && page.url() == Some(url))
    }

    /// The collection with this name.
    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }

    /// The homepage, if the site has one.
    pub fn homepage(&self) -> Option<&Page> {
        self.pages
            .iter()
            .find(|page| page.kind == PageKind::Homepage)
    }
}

/// What a page file's reading depends on besides the file itself: the
/// site's name (for diagnostics), its collections and its resource room,
/// which place a path. While those stay the same, a page file parses the
/// same within the site or alone ([`Site::page_reader`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageReader {
    name: String,
    /// Each collection with whether it is published (`output`).
    collections: BTreeMap<String, bool>,
    room: Option<String>,
}

impl PageReader {
    /// The site's name, as diagnostics give it.
    pub fn site_name(&self) -> &str {
        &self.name
    }

    /// Reads the page at `path` from `source` as the site's loader would.
    /// `None` when the file is not a page there (media, a stylesheet, a
    /// layout, or a file without front matter); its problems, warnings
    /// included, as diagnostics.
    pub fn read_page(&self, source: &dyn Source, path: &str) -> Option<Result<Page, Diagnostics>> {
        let collections = self
            .collections
            .iter()
            .map(|(name, output)| (name.clone(), CollectionSpec { output: *output }))
            .collect();
        let place = classify(path, &collections, self.room.as_deref());
        let mut loader = Loader::new(&self.name, source);
        let outcome = loader.read_file(path, place);
        if !loader.diagnostics.0.is_empty() {
            return Some(Err(loader.diagnostics));
        }
        match outcome {
            FileOutcome::Page(page) => Some(Ok(*page)),
            _ => None,
        }
    }
}

impl Page {
    /// The body of the page: its text when it was read with the page, read
    /// from `source` when a stored [`LoadCache`] left it there. The file must
    /// still be the one the page was read from (its content id is checked).
    /// `site_name` labels the diagnostic.
    pub fn read_body<'p>(
        &'p self,
        site_name: &str,
        source: &dyn Source,
    ) -> Result<std::borrow::Cow<'p, str>, Box<Diagnostic>> {
        if let PageBody::Text(text) = &self.body {
            return Ok(std::borrow::Cow::Borrowed(text));
        }
        let path = &self.source_path;
        let unreadable = |message: String| {
            Box::new(
                Diagnostic::error(site_name, path, message)
                    .with_hint("check that the repository is not corrupt, then publish again"),
            )
        };
        let bytes = source
            .read(path)
            .map_err(|error| unreadable(format!("cannot read the file: {error}")))?;
        let content_id = source
            .content_id(path)
            .unwrap_or_else(|| blake3::hash(&bytes).to_hex().to_string());
        if content_id != self.content_id {
            return Err(unreadable(
                "the file is not the version the site was loaded from".to_owned(),
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| unreadable("the file is no longer valid UTF-8".to_owned()))?;
        front_matter::body_of(&text)
            .map(|body| std::borrow::Cow::Owned(body.to_owned()))
            .ok_or_else(|| unreadable("the file's front matter is no longer closed".to_owned()))
    }
}

struct Loader<'a> {
    name: &'a str,
    source: &'a dyn Source,
    diagnostics: Diagnostics,
}

/// A file of the site, read as text, waiting to be classified.
struct TextFile {
    path: String,
    text: String,
    content_id: String,
}

impl<'a> Loader<'a> {
    fn new(name: &'a str, source: &'a dyn Source) -> Self {
        Self {
            name,
            source,
            diagnostics: Diagnostics::default(),
        }
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn load(mut self, cache: &mut LoadCache) -> Result<LoadedSite, Diagnostics> {
        let paths = match self.source.list() {
            Ok(paths) => paths,
            Err(error) => {
                self.error(
                    Diagnostic::error(self.name, "", format!("cannot list the site: {error}"))
                        .with_hint("check that the site folder or revision exists"),
                );
                return Err(self.diagnostics);
            }
        };
        let Some(config) = self.read_config(&paths) else {
            return Err(self.diagnostics);
        };
        let excluded = excluded_paths(&config);
        let paths: Vec<String> = paths
            .into_iter()
            .filter(|path| is_site_file(path, &excluded))
            .collect();

        let data = self.read_data(&paths);
        let navigation = self.navigation(&data);
        let footer = data.get("footer").cloned().unwrap_or(Value::Null);

        let collection_names = collection_names(&paths, &config);
        let resources_name = config.resources_name().map(str::to_owned);

        // Sized once: a large site's pages are megabytes, and growing the
        // vector step by step copies them and touches fresh memory each time.
        let mut pages = Vec::with_capacity(paths.len());
        let mut static_files = Vec::new();
        let mut stylesheets = Vec::new();
        let mut layouts = BTreeMap::new();
        let mut warned_folders = BTreeSet::new();

        cache.prepare(context_key(
            &collection_names,
            resources_name.as_deref(),
            &excluded,
        ));
        let mut planned: Vec<(&String, Place)> = Vec::with_capacity(paths.len());
        for path in &paths {
            let place = classify(path, &collection_names, resources_name.as_deref());
            match place {
                Place::Ignored => continue,
                Place::UnknownUnderscore(folder) => {
                    if warned_folders.insert(folder.clone()) {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                self.name,
                                &folder,
                                format!("`{folder}/` is not a collection, so it is not published"),
                            )
                            .with_hint(format!(
                                "add `{folder}/collection.yml` to publish it as a collection"
                            )),
                        );
                    }
                    continue;
                }
                _ => planned.push((path, place)),
            }
        }
        // Entries are independent, so they are decoded side by side, on
        // whatever cores the rest of a publish leaves free (at 10,000 pages
        // a one-page publish gained about 5 %).
        let versions_and_cached: Vec<(Option<String>, Option<CachedFile>)> = planned
            .par_iter()
            .map(|(path, _)| {
                let version = self.source.version(path);
                let cached = version
                    .as_deref()
                    .and_then(|version| cache.get(path, version))
                    .map(std::borrow::Cow::into_owned);
                (version, cached)
            })
            .collect();
        for ((path, place), (version, cached)) in planned.into_iter().zip(versions_and_cached) {
            let outcome = match cached {
                Some(cached) => {
                    self.diagnostics.extend(cached.diagnostics);
                    cached.outcome
                }
                None => {
                    let before = self.diagnostics.0.len();
                    let outcome = self.read_file(path, place);
                    if let Some(version) = version {
                        let diagnostics = self.diagnostics.0[before..].to_vec();
                        cache.insert(path, version, outcome.clone(), diagnostics);
                    }
                    outcome
                }
            };
            match outcome {
                FileOutcome::Page(page) => pages.push(*page),
                FileOutcome::Static(file) => static_files.push(file),
                FileOutcome::StyleSheet(sheet) => stylesheets.push(sheet),
                FileOutcome::Layout(name, layout) => {
                    layouts.insert(name, layout);
                }
                FileOutcome::Nothing => {}
            }
        }
        cache.forget_missing(&paths);

        let collections = self.collections(&paths, &collection_names, &mut pages);
        self.check_duplicate_permalinks(&pages);
        let resource_room = resources_name
            .as_deref()
            .map(|room| build_resource_room(room, &pages));

        self.diagnostics.sort();
        Ok(LoadedSite {
            site: Site {
                name: self.name.to_owned(),
                config,
                navigation,
                footer,
                data,
                pages,
                collections,
                resource_room,
                static_files,
                stylesheets,
                layouts,
            },
            diagnostics: self.diagnostics,
        })
    }

    /// Reads one file of the site for what it is at its place.
    fn read_file(&mut self, path: &str, place: Place) -> FileOutcome {
        if let Place::Layout(name) = place {
            return match self.read_text(path) {
                Some(file) => match self.parse_page_text(&file, true) {
                    Some(parsed) => FileOutcome::Layout(name, parsed),
                    None => FileOutcome::Nothing,
                },
                None => FileOutcome::Nothing,
            };
        }
        let in_collection = matches!(place, Place::CollectionFile { .. });
        let static_file = |loader: &Self| {
            if in_collection {
                // Jekyll publishes a collection's documents, not its other files.
                return FileOutcome::Nothing;
            }
            FileOutcome::Static(StaticFile {
                source_path: path.to_owned(),
                content_id: loader.source.content_id(path),
                output_path: path.to_owned(),
            })
        };
        let may_have_front_matter = extension(path)
            .is_some_and(|ext| TEXT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
        if !may_have_front_matter || matches!(place, Place::Media) {
            return static_file(self);
        }
        let Some(file) = self.read_text(path) else {
            return FileOutcome::Nothing;
        };
        if !front_matter::has_front_matter(&file.text) {
            return static_file(self);
        }
        let Some(parsed) = self.parse_page_text(&file, false) else {
            return FileOutcome::Nothing;
        };
        if matches!(extension(path), Some("scss" | "sass")) {
            return FileOutcome::StyleSheet(StyleSheet {
                source_path: path.to_owned(),
                content_id: file.content_id.clone(),
                output_path: replace_extension(path, "css"),
                body: parsed.body,
                body_line: parsed.body_line,
            });
        }
        match self.build_page(&file, parsed, place) {
            Some(page) => FileOutcome::Page(Box::new(page)),
            None => FileOutcome::Nothing,
        }
    }

    fn read_config(&mut self, paths: &[String]) -> Option<SiteConfig> {
        if !paths.iter().any(|p| p == "_config.yml") {
            self.error(
                Diagnostic::error(self.name, "_config.yml", "the site has no `_config.yml`")
                    .with_hint("an Isomer site keeps its settings in `_config.yml` at its root; check the site path"),
            );
            return None;
        }
        let file = self.read_text("_config.yml")?;
        match self.parse_yaml_file(&file)? {
            Value::Object(map) => Some(SiteConfig::new(map)),
            Value::Null => Some(SiteConfig::default()),
            _ => {
                self.error(
                    Diagnostic::error(self.name, "_config.yml", "`_config.yml` is not a mapping")
                        .at(&file.text, 1, 1)
                        .with_hint("write settings as `key: value` lines"),
                );
                None
            }
        }
    }

    fn read_data(&mut self, paths: &[String]) -> Map {
        let mut data = Map::new();
        for path in paths {
            let Some(file_name) = path.strip_prefix("_data/") else {
                continue;
            };
            let Some((stem, ext)) = file_name.rsplit_once('.') else {
                continue;
            };
            if !matches!(ext, "yml" | "yaml" | "json") || stem.contains('/') {
                continue;
            }
            if let Some(file) = self.read_text(path)
                && let Some(value) = self.parse_yaml_file(&file)
            {
                data.insert(stem.to_owned(), value);
            }
        }
        data
    }

    fn navigation(&mut self, data: &Map) -> Navigation {
        let Some(value) = data.get("navigation") else {
            return Navigation::default();
        };
        let (navigation, problems) = Navigation::from_value(value);
        for problem in problems {
            self.diagnostics.push(
                Diagnostic::warning(
                    self.name,
                    "_data/navigation.yml",
                    format!("entry {}: {}", problem.index + 1, problem.message),
                )
                .with_hint("each link needs a `title` and one of `url`, `collection`, `resource_room` or `sublinks`"),
            );
        }
        navigation
    }

    fn read_text(&mut self, path: &str) -> Option<TextFile> {
        let bytes = match self.source.read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.error(
                    Diagnostic::error(self.name, path, format!("cannot read the file: {error}"))
                        .with_hint(
                            "check the file's permissions, or that the repository is not corrupt",
                        ),
                );
                return None;
            }
        };
        let content_id = self
            .source
            .content_id(path)
            .unwrap_or_else(|| blake3::hash(&bytes).to_hex().to_string());
        match String::from_utf8(bytes) {
            Ok(text) => Some(TextFile {
                path: path.to_owned(),
                text,
                content_id,
            }),
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let bytes = error.as_bytes();
                let before = String::from_utf8_lossy(&bytes[..valid]);
                let line = before.matches('\n').count() as u32 + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
                let lossy = String::from_utf8_lossy(bytes);
                self.error(
                    Diagnostic::error(
                        self.name,
                        path,
                        format!("the file is not valid UTF-8 (byte {valid})"),
                    )
                    .at(&lossy, line, column)
                    .with_hint(
                        "re-save the file with UTF-8 encoding (it may be Windows-1252 or Latin-1)",
                    ),
                );
                None
            }
        }
    }

    fn parse_yaml_file(&mut self, file: &TextFile) -> Option<Value> {
        match yaml::parse(&file.text) {
            Ok(value) => Some(value),
            Err(error) => {
                self.error(
                    Diagnostic::error(
                        self.name,
                        &file.path,
                        format!("malformed YAML: {}", error.message),
                    )
                    .at(&file.text, error.line, error.column)
                    .with_hint("check the indentation and quote values that contain `: ` or start with `{`, `[`, `*` or `&`"),
                );
                None
            }
        }
    }

    /// Parses front matter, reporting problems; `optional` accepts files
    /// without any (site layouts may have none).
    fn parse_page_text(&mut self, file: &TextFile, optional: bool) -> Option<FrontMatter> {
        if optional && !front_matter::has_front_matter(&file.text) {
            return Some(FrontMatter {
                data: Map::new(),
                body: file.text.clone(),
                body_line: 1,
            });
        }
        match front_matter::parse(&file.text) {
            Ok(parsed) => Some(parsed),
            Err(FrontMatterError::Unclosed) => {
                self.error(
                    Diagnostic::error(self.name, &file.path, "front matter has no closing `---`")
                        .at(&file.text, 1, 1)
                        .with_hint("end the front matter with a line containing only `---`"),
                );
                None
            }
            Err(FrontMatterError::Yaml {
                message,
                line,
                column,
            }) => {
                self.error(
                    Diagnostic::error(
                        self.name,
                        &file.path,
                        format!("malformed YAML in front matter: {message}"),
                    )
                    .at(&file.text, line, column)
                    .with_hint("check the indentation and quote values that contain `: ` or start with `{`, `[`, `*` or `&`"),
                );
                None
            }
            Err(FrontMatterError::NotAMapping { line }) => {
                self.error(
                    Diagnostic::error(self.name, &file.path, "front matter is not a mapping")
                        .at(&file.text, line, 1)
                        .with_hint("write front matter as `key: value` lines"),
                );
                None
            }
        }
    }

    fn build_page(&mut self, file: &TextFile, parsed: FrontMatter, place: Place) -> Option<Page> {
        let path = &file.path;
        let key_lines = page::key_lines(&file.text, parsed.body_line);
        let data = parsed.data;
        let text = |key: &str| {
            data.get(key)
                .and_then(|v| match v {
                    Value::String(s) => Some(s.trim().to_owned()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
        };
        let line_of = |key: &str| {
            key_lines
                .iter()
                .find(|(k, _)| k == key)
                .map_or(1, |(_, line)| *line)
        };
        let stem = file_stem(path);

        let (kind, derived_permalink, file_date) = match place {
            Place::Homepage => (PageKind::Homepage, "/".to_owned(), None),
            Place::Simple => (PageKind::Simple, derived_page_permalink(path), None),
            Place::CollectionFile {
                collection,
                relative,
            } => {
                let without_ext = relative
                    .rsplit_once('.')
                    .map_or(relative.as_str(), |(s, _)| s);
                let permalink = format!("/{collection}/{}.html", escape_path(without_ext));
                (PageKind::CollectionItem { collection }, permalink, None)
            }
            Place::RoomIndex { room } => (PageKind::ResourceRoom, format!("/{room}/"), None),
            Place::CategoryIndex { room, category } => (
                PageKind::Category {
                    category: category.clone(),
                },
                format!("/{room}/{}/", category.to_lowercase()),
                None,
            ),
            Place::Post { room, category } => {
                let post_name = PostFileName::parse(&stem);
                let kind = post_name
                    .kind
                    .or_else(|| match text("layout").as_deref() {
                        Some("link") => Some(PostKind::Link),
                        Some("file") => Some(PostKind::File),
                        _ => None,
                    })
                    .unwrap_or(PostKind::Post);
                let slug = slugify_pretty(&post_name.slug);
                let permalink = format!(
                    "/{}/{}/{}.html",
                    room.to_lowercase(),
                    category.to_lowercase(),
                    escape_path(&slug)
                );
                (PageKind::Post { category, kind }, permalink, post_name.date)
            }
            Place::Outside => {
                self.error(
                    Diagnostic::error(
                        self.name,
                        path,
                        "this page is outside every folder an Isomer site publishes",
                    )
                    .at(&file.text, 1, 1)
                    .with_hint("move it to `pages/` (or a collection folder `_<name>/`), or remove its front matter to publish it as a plain file"),
                );
                return None;
            }
            Place::Media | Place::Ignored | Place::Layout(_) | Place::UnknownUnderscore(_) => {
                return None;
            }
        };

        let is_link_post = matches!(
            kind,
            PageKind::Post {
                kind: PostKind::Link,
                ..
            }
        );
        let declared = text("permalink");
        let mut external_url = text("external").filter(|url| is_external_url(url));
        let permalink_text = match declared {
            Some(declared) if is_external_url(&declared) && is_link_post => {
                external_url = Some(declared);
                None
            }
            Some(declared) => Some(declared),
            None if is_link_post && external_url.is_some() => None,
            None => Some(derived_permalink),
        };
        let permalink = match permalink_text.map(|p| Permalink::parse(&p)) {
            None => None,
            Some(Ok(permalink)) => Some(permalink),
            Some(Err(error)) => {
                let line = line_of("permalink");
                let column = file
                    .text
                    .lines()
                    .nth(line as usize - 1)
                    .and_then(|l| l.find(':'))
                    .map_or(1, |c| c as u32 + 3);
                self.error(
                    Diagnostic::error(self.name, path, error.to_string())
                        .at(&file.text, line, column)
                        .with_hint("write a path on this site such as `/about/our-team/`; link posts may point to `https://…`"),
                );
                return None;
            }
        };

        let default_layout = match kind {
            PageKind::Homepage => "homepage",
            PageKind::ResourceRoom => "resources",
            PageKind::Category { .. } => "resources-alt",
            PageKind::Post { kind, .. } => kind.as_str(),
            PageKind::Simple | PageKind::CollectionItem { .. } => "page",
        };
        let layout = text("layout").unwrap_or_else(|| default_layout.to_owned());
        let variant = match text("variant").as_deref() {
            Some("tiptap") => BodyVariant::Tiptap,
            Some(_) => BodyVariant::Markdown,
            None if matches!(extension(path), Some("html" | "htm")) => BodyVariant::Html,
            None => BodyVariant::Markdown,
        };
        let date = text("date")
            .and_then(|d| page::parse_date(&d))
            .or(file_date);
        let third_nav_title = text("third_nav_title").or_else(|| {
            // A page in a subfolder of a collection belongs to that group.
            if let PageKind::CollectionItem { collection } = &kind {
                let inside = path.strip_prefix(&format!("_{collection}/"))?;
                inside.rsplit_once('/').map(|(folder, _)| folder.to_owned())
            } else {
                None
            }
        });
        let file_url = text("file_url");
        let title = text("title").unwrap_or_else(|| {
            let name = PostFileName::parse(&stem);
            if matches!(kind, PageKind::Post { .. }) {
                name.slug
            } else {
                stem.clone()
            }
        });
        Some(Page {
            source_path: path.clone(),
            content_id: file.content_id.clone(),
            kind,
            key_lines,
            title,
            layout,
            permalink,
            variant,
            body: PageBody::Text(parsed.body),
            body_line: parsed.body_line,
            date,
            third_nav_title,
            published: !is_link_post,
            external_url,
            file_url,
            data,
        })
    }

    fn collections(
        &mut self,
        paths: &[String],
        names: &BTreeMap<String, CollectionSpec>,
        pages: &mut [Page],
    ) -> Vec<Collection> {
        let mut collections = Vec::new();
        for (name, spec) in names {
            let folder = format!("_{name}/");
            let mut output = spec.output;
            let mut order: Vec<String> = Vec::new();
            let mut yml_text = String::new();
            let yml_path = format!("{folder}collection.yml");
            if paths.contains(&yml_path)
                && let Some(file) = self.read_text(&yml_path)
            {
                yml_text = file.text.clone();
                if let Some(value) = self.parse_yaml_file(&file) {
                    let settings = value.get("collections").and_then(|c| {
                        c.get(name.as_str())
                            .or_else(|| c.as_object()?.values().next())
                    });
                    if let Some(settings) = settings {
                        if let Some(flag) = settings.get("output") {
                            output = truthy(Some(flag));
                        }
                        order.extend(string_list(settings.get("order")));
                    }
                }
            }
            let page_index: HashMap<String, usize> = pages
                .iter()
                .enumerate()
                .filter_map(|(index, page)| {
                    Some((page.source_path.strip_prefix(&folder)?.to_owned(), index))
                })
                .collect();
            let mut entries = Vec::new();
            let mut seen = BTreeSet::new();
            for written in &order {
                let entry = written.trim().trim_start_matches("./");
                if entry.ends_with(".keep") {
                    continue;
                }
                match page_index.get(entry) {
                    Some(&index) => {
                        if seen.insert(index) {
                            entries.push(CollectionEntry {
                                page: index,
                                group: pages[index].third_nav_title.clone(),
                            });
                        }
                    }
                    None if paths.contains(&format!("{folder}{entry}")) => {}
                    None => self.error(
                        Diagnostic::error(
                            self.name,
                            &yml_path,
                            format!("`order` names `{entry}`, which is not in `{folder}`"),
                        )
                        // Found only for errors: a search per entry is quadratic.
                        .at(&yml_text, line_in(&yml_text, written), 1)
                        .with_hint("fix the file name (names are case-sensitive and may contain spaces) or remove the entry"),
                    ),
                }
            }
            if order.is_empty() {
                // Without an order, Jekyll listed documents by path.
                let mut unordered: Vec<usize> = page_index.values().copied().collect();
                unordered.sort_by(|a, b| pages[*a].source_path.cmp(&pages[*b].source_path));
                entries.extend(unordered.into_iter().map(|index| CollectionEntry {
                    page: index,
                    group: pages[index].third_nav_title.clone(),
                }));
            }
            for &index in page_index.values() {
                pages[index].published = output;
            }
            collections.push(Collection {
                name: name.clone(),
                output,
                entries,
            });
        }
        collections
    }

    fn check_duplicate_permalinks(&mut self, pages: &[Page]) {
        let mut first_by_output: HashMap<String, &Page> = HashMap::new();
        for page in pages.iter().filter(|page| page.published) {
            let Some(permalink) = &page.permalink else {
                continue;
            };
            let output = permalink.output_path();
            if let Some(first) = first_by_output.get(&output) {
                let line = page.line_of("permalink");
                let text = self
                    .source
                    .read(&page.source_path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                self.error(
                    Diagnostic::error(
                        self.name,
                        &page.source_path,
                        format!(
                            "permalink `{permalink}` is already used by `{}`",
                            first.source_path
                        ),
                    )
                    .at(&text, line, 1)
                    .with_hint("give one of the two pages a different `permalink`"),
                );
            } else {
                first_by_output.insert(output, page);
            }
        }
    }
}

/// What one file of the site turned out to be.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum FileOutcome {
    Page(Box<Page>),
    Static(StaticFile),
    StyleSheet(StyleSheet),
    Layout(String, FrontMatter),
    Nothing,
}

/// Files read by earlier loads, by path, with the version they were read at.
///
/// Entries depend on where a file sits, which depends on the collections,
/// the resource room's folder and `exclude`; when those change, the cache
/// starts again.
///
/// A cache can be kept between runs ([`LoadCache::to_bytes`]): with Git
/// blob ids as versions, a publish then parses only the files a commit
/// changed. A cache read back keeps each entry as bytes until a load asks
/// for it, so each entry is decoded straight into the site, never copied.
/// Pages read back from it leave their bodies in the source
/// ([`PageBody::InSource`]): [`Site::read_body`] reads the ones needed.
#[derive(Debug, Default)]
pub struct LoadCache {
    context: String,
    files: HashMap<String, CacheEntry>,
    /// The bytes a stored cache was read from; [`CacheEntry::Stored`] points into them.
    stored: Vec<u8>,
    /// Entries added, replaced or dropped since the cache was made or read.
    changes: usize,
}

#[derive(Debug)]
enum CacheEntry {
    /// Read by a load of this process.
    Parsed(CachedFile),
    /// Read back from a stored cache: a [`StoredRecord`] at this range of
    /// [`LoadCache::stored`].
    Stored {
        version: String,
        record: std::ops::Range<usize>,
    },
}

#[derive(Debug, Clone)]
struct CachedFile {
    version: String,
    outcome: FileOutcome,
    diagnostics: Vec<Diagnostic>,
}

/// The header of a stored cache: a different format or program starts afresh.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredCacheHeader {
    format: u32,
    stamp: String,
}

/// The index of a stored cache: every entry with its record's bytes.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredIndex<'a> {
    context: &'a str,
    #[serde(borrow)]
    entries: Vec<StoredEntry<'a>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredEntry<'a> {
    path: &'a str,
    version: &'a str,
    /// A [`StoredRecord`], encoded.
    record: &'a [u8],
}

/// What a file turned out to be, as stored.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredRecord {
    outcome: FileOutcome,
    diagnostics: Vec<Diagnostic>,
}

/// The version of the stored cache's layout.
const STORED_CACHE_FORMAT: u32 = 2;

impl LoadCache {
    /// The cache as bytes to keep between runs. `stamp` names the program
    /// that parsed the entries: a cache is only read back by the same one.
    pub fn to_bytes(&self, stamp: &str) -> Vec<u8> {
        let header = StoredCacheHeader {
            format: STORED_CACHE_FORMAT,
            stamp: stamp.to_owned(),
        };
        // Serialising finite values into memory cannot fail.
        let encode = |file: &CachedFile| {
            // Bodies are most of a site's bytes and a publish renders few
            // pages: they stay in the source (see `Site::read_body`).
            let outcome = match &file.outcome {
                FileOutcome::Page(page) => FileOutcome::Page(Box::new(Page {
                    body: page.body.left_in_source(),
                    ..Page::clone(page)
                })),
                other => other.clone(),
            };
            let record = StoredRecord {
                outcome,
                diagnostics: file.diagnostics.clone(),
            };
            postcard::to_stdvec(&record).unwrap_or_default()
        };
        let parsed: HashMap<&str, Vec<u8>> = self
            .files
            .iter()
            .filter_map(|(path, entry)| match entry {
                CacheEntry::Parsed(file) => Some((path.as_str(), encode(file))),
                CacheEntry::Stored { .. } => None,
            })
            .collect();
        let mut entries: Vec<StoredEntry<'_>> = self
            .files
            .iter()
            .map(|(path, entry)| match entry {
                CacheEntry::Parsed(file) => StoredEntry {
                    path,
                    version: &file.version,
                    record: &parsed[path.as_str()],
                },
                CacheEntry::Stored { version, record } => StoredEntry {
                    path,
                    version,
                    record: &self.stored[record.clone()],
                },
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(b.path));
        let index = StoredIndex {
            context: &self.context,
            entries,
        };
        let mut bytes = postcard::to_stdvec(&header).unwrap_or_default();
        bytes.extend(postcard::to_stdvec(&index).unwrap_or_default());
        bytes
    }

    /// A cache read back from [`LoadCache::to_bytes`]; an empty cache when the
    /// bytes are damaged or were written by another program or format.
    /// Entries are decoded when a load uses them.
    pub fn from_bytes(bytes: Vec<u8>, stamp: &str) -> Self {
        let Ok((header, rest)) = postcard::take_from_bytes::<StoredCacheHeader>(&bytes) else {
            return Self::default();
        };
        if header.format != STORED_CACHE_FORMAT || header.stamp != stamp {
            return Self::default();
        }
        let Ok(index) = postcard::from_bytes::<StoredIndex<'_>>(rest) else {
            return Self::default();
        };
        let start = bytes.as_ptr() as usize;
        let files = index
            .entries
            .iter()
            .map(|entry| {
                let offset = entry.record.as_ptr() as usize - start;
                let stored = CacheEntry::Stored {
                    version: entry.version.to_owned(),
                    record: offset..offset + entry.record.len(),
                };
                (entry.path.to_owned(), stored)
            })
            .collect();
        let context = index.context.to_owned();
        Self {
            context,
            files,
            stored: bytes,
            changes: 0,
        }
    }

    /// How many entries loads added, replaced or dropped since the cache was
    /// made or read: how far a stored copy is behind.
    pub fn changes(&self) -> usize {
        self.changes
    }

    /// How many files the cache holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the cache holds no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn prepare(&mut self, context: String) {
        if self.context != context {
            self.changes += self.files.len().max(1);
            self.files.clear();
            self.stored = Vec::new();
            self.context = context;
        }
    }

    /// The entry of `path` if it was read at `version`: borrowed when this
    /// process parsed it, decoded from the stored bytes otherwise (a damaged
    /// record counts as missing, so the file is parsed again).
    fn get(&self, path: &str, version: &str) -> Option<std::borrow::Cow<'_, CachedFile>> {
        match self.files.get(path)? {
            CacheEntry::Parsed(file) if file.version == version => {
                Some(std::borrow::Cow::Borrowed(file))
            }
            CacheEntry::Stored {
                version: stored_version,
                record,
            } if stored_version == version => {
                let record: StoredRecord =
                    postcard::from_bytes(&self.stored[record.clone()]).ok()?;
                Some(std::borrow::Cow::Owned(CachedFile {
                    version: stored_version.clone(),
                    outcome: record.outcome,
                    diagnostics: record.diagnostics,
                }))
            }
            _ => None,
        }
    }

    fn insert(
        &mut self,
        path: &str,
        version: String,
        outcome: FileOutcome,
        diagnostics: Vec<Diagnostic>,
    ) {
        self.files.insert(
            path.to_owned(),
            CacheEntry::Parsed(CachedFile {
                version,
                outcome,
                diagnostics,
            }),
        );
        self.changes += 1;
    }

    fn forget_missing(&mut self, paths: &[String]) {
        let present: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
        let before = self.files.len();
        self.files.retain(|path, _| present.contains(path.as_str()));
        self.changes += before - self.files.len();
    }
}

/// What the place of every file depends on.
fn context_key(
    collections: &BTreeMap<String, CollectionSpec>,
    resources_name: Option<&str>,
    excluded: &[String],
) -> String {
    let names: Vec<String> = collections
        .iter()
        .map(|(name, spec)| format!("{name}:{}", spec.output))
        .collect();
    format!(
        "{}|{}|{}",
        names.join(","),
        resources_name.unwrap_or(""),
        excluded.join(",")
    )
}

/// Where a file sits in the Isomer layout.
enum Place {
    Homepage,
    Simple,
    CollectionFile {
        collection: String,
        relative: String,
    },
    RoomIndex {
        room: String,
    },
    CategoryIndex {
        room: String,
        category: String,
    },
    Post {
        room: String,
        category: String,
    },
    Media,
    Layout(String),
    UnknownUnderscore(String),
    Outside,
    Ignored,
}

/// What the loader knows about one collection before reading its pages.
struct CollectionSpec {
    output: bool,
}

fn classify(
    path: &str,
    collections: &BTreeMap<String, CollectionSpec>,
    resources_name: Option<&str>,
) -> Place {
    let (top, rest) = path.split_once('/').unwrap_or(("", path));
    if top.is_empty() {
        return match path {
            "_config.yml" => Place::Ignored,
            "index.md" | "index.html" | "index.markdown" => Place::Homepage,
            _ if path.starts_with('_') && path != "_redirects" => Place::Ignored,
            _ => Place::Simple,
        };
    }
    if top == "_layouts" {
        let name = rest.rsplit_once('.').map_or(rest, |(stem, _)| stem);
        return Place::Layout(name.to_owned());
    }
    if let Some(collection) = top.strip_prefix('_') {
        if collections.contains_key(collection) {
            if rest == "collection.yml" || rest.ends_with(".keep") {
                return Place::Ignored;
            }
            return Place::CollectionFile {
                collection: collection.to_owned(),
                relative: rest.to_owned(),
            };
        }
        if RESERVED_FOLDERS.contains(&top) {
            return Place::Ignored;
        }
        return Place::UnknownUnderscore(top.to_owned());
    }
    if resources_name == Some(top) {
        let parts: Vec<&str> = rest.split('/').collect();
        return match parts.as_slice() {
            [index] if is_index(index) => Place::RoomIndex {
                room: top.to_owned(),
            },
            [category, index] if is_index(index) => Place::CategoryIndex {
                room: top.to_owned(),
                category: (*category).to_owned(),
            },
            [category, "_posts", ..] => Place::Post {
                room: top.to_owned(),
                category: (*category).to_owned(),
            },
            _ => Place::Simple,
        };
    }
    if MEDIA_FOLDERS.contains(&top) {
        return Place::Media;
    }
    if top == "pages" || top == "misc" {
        return Place::Simple;
    }
    Place::Outside
}

fn is_index(file_name: &str) -> bool {
    matches!(file_name, "index.html" | "index.md" | "index.markdown")
}

/// The collections of a site: folders with a `collection.yml`, and those that
/// older sites declared in `_config.yml`.
fn collection_names(paths: &[String], config: &SiteConfig) -> BTreeMap<String, CollectionSpec> {
    let mut names = BTreeMap::new();
    for path in paths {
        if let Some(folder) = path.strip_suffix("/collection.yml")
            && let Some(name) = folder.strip_prefix('_')
            && !name.contains('/')
        {
            names.insert(name.to_owned(), CollectionSpec { output: true });
        }
    }
    if let Some(declared) = config.declared_collections() {
        for (name, settings) in declared {
            let output = settings.get("output").is_none_or(|flag| truthy(Some(flag)));
            names.insert(name.clone(), CollectionSpec { output });
        }
    }
    names
}

/// Paths left out by `exclude` in `_config.yml` (exact files or folder prefixes).
fn excluded_paths(config: &SiteConfig) -> Vec<String> {
    config
        .exclude()
        .into_iter()
        .map(|entry| entry.trim().trim_start_matches('/').to_owned())
        .filter(|entry| !entry.is_empty())
        .collect()
}

fn is_site_file(path: &str, excluded: &[String]) -> bool {
    if PLUMBING.contains(&path) {
        return false;
    }
    let hidden = path
        .split('/')
        .any(|segment| segment.starts_with('.') && segment != ".keep");
    if hidden {
        return false;
    }
    let top = path.split('/').next().unwrap_or(path);
    if matches!(top, "node_modules" | "vendor" | "_site" | "templates") {
        return false;
    }
    !excluded.iter().any(|entry| {
        let entry = entry.trim_end_matches('/');
        path == entry || path.starts_with(&format!("{entry}/"))
    })
}

/// Jekyll's URL for a page without a permalink (`permalink: none`):
/// `/dir/name.html`, or `/dir/` for an index file.
fn derived_page_permalink(path: &str) -> String {
    let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let folder = if folder.is_empty() {
        String::from("/")
    } else {
        format!("/{}/", escape_path(folder))
    };
    if stem == "index" {
        folder
    } else {
        format!("{folder}{}.html", escape_path(stem))
    }
}

fn escape_path(path: &str) -> String {
    path.replace('%', "%25").replace(' ', "%20")
}

fn extension(path: &str) -> Option<&str> {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.').map(|(_, ext)| ext)
}

fn file_stem(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_owned()
}

fn replace_extension(path: &str, new_extension: &str) -> String {
    match path.rsplit_once('.') {
        Some((stem, _)) => format!("{stem}.{new_extension}"),
        None => format!("{path}.{new_extension}"),
    }
}

/// The line of a YAML file where `needle` first appears (for `order` entries).
fn line_in(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|line| line.contains(needle))
        .map_or(1, |index| index as u32 + 1)
}

/// The parts of a post's file name: `2024-03-14-file-Annual Report`.
struct PostFileName {
    date: Option<jiff::civil::Date>,
    kind: Option<PostKind>,
    /// The rest, which Jekyll slugified into the URL (kind included).
    slug: String,
}

impl PostFileName {
    fn parse(stem: &str) -> Self {
        let (date, rest) = match stem.get(..10).and_then(page::parse_date) {
            Some(date) => (Some(date), stem[10..].trim_start_matches('-')),
            None => (None, stem),
        };
        let kind = match rest.split_once('-').map(|(kind, _)| kind) {
            Some("post") => Some(PostKind::Post),
            Some("link") => Some(PostKind::Link),
            Some("file") => Some(PostKind::File),
            _ => None,
        };
        Self {
            date,
            kind,
            slug: rest.to_owned(),
        }
    }
}

fn build_resource_room(room: &str, pages: &[Page]) -> ResourceRoom {
    let mut categories: BTreeMap<String, Category> = BTreeMap::new();
    let mut index_page = None;
    let mut posts = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        match &page.kind {
            PageKind::ResourceRoom => index_page = Some(index),
            PageKind::Category { category } => {
                let entry = categories
                    .entry(category.clone())
                    .or_insert_with(|| empty_category(category));
                entry.index_page = Some(index);
                entry.title = page.title.clone();
            }
            PageKind::Post { category, .. } => {
                posts.push(index);
                categories
                    .entry(category.clone())
                    .or_insert_with(|| empty_category(category))
                    .posts
                    .push(index);
            }
            _ => {}
        }
    }
    let newest_first = |a: &usize, b: &usize| {
        pages[*b]
            .date
            .cmp(&pages[*a].date)
            .then_with(|| pages[*a].source_path.cmp(&pages[*b].source_path))
    };
    posts.sort_by(newest_first);
    for category in categories.values_mut() {
        category.posts.sort_by(newest_first);
    }
    ResourceRoom {
        name: room.to_owned(),
        index_page,
        categories: categories.into_values().collect(),
        posts,
    }
}

fn empty_category(name: &str) -> Category {
    Category {
        name: name.to_owned(),
        title: name.to_owned(),
        index_page: None,
        posts: Vec::new(),
    }
}

#[cfg(test)]
#[path = "site_tests.rs"]
mod tests;
