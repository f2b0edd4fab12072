//! The loader: reads a whole site from a [`Source`], file by file, and
//! never stops at the first problem: every file is read, every problem
//! becomes a [`Diagnostic`], and files with errors are left out so the rest
//! can still be checked.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::classify::{Place, classify, collection_names, excluded_paths, is_site_file};
use crate::file_outcome::FileOutcome;
use crate::footer::checked_footer;
use crate::front_matter::{self, FrontMatter, FrontMatterError};
use crate::includes;
use crate::jekyll_paths::{
    PostFileName, derived_page_permalink, escape_path, extension, file_stem, jekyll_path_of_url,
    post_permalink, replace_extension,
};
use crate::load_cache::{LoadCache, context_key};
use crate::navigation::Navigation;
use crate::page::{self, BodyVariant, Page, PageBody, PageKind, PostKind};
use crate::permalink::{Permalink, is_external_url};
use crate::publishing::{LoadOptions, draft_post_name, leave_out_unpublished};
use crate::resource_room::build_resource_room;
use crate::site::{LoadedSite, Site, StaticFile, StyleSheet};
use crate::{Diagnostic, Diagnostics, Map, Source, Value, string_list, yaml};

/// Extensions of files that may carry front matter and so must be text.
const TEXT_EXTENSIONS: &[&str] = &["md", "markdown", "html", "htm", "scss", "sass"];

impl Site {
    /// Reads a site from `source`. `name` labels diagnostics and the output.
    ///
    /// Fails only when the source cannot be listed or has no readable
    /// `_config.yml`; every other problem is in [`LoadedSite::diagnostics`].
    pub fn load(name: &str, source: &dyn Source) -> Result<LoadedSite, Diagnostics> {
        Self::load_with(name, source, &LoadOptions::default())
    }

    /// Like [`Site::load`], with [`LoadOptions`].
    pub fn load_with(
        name: &str,
        source: &dyn Source,
        options: &LoadOptions,
    ) -> Result<LoadedSite, Diagnostics> {
        // No cache: nothing read now would be asked for again, so neither
        // the files' versions nor a copy of what each gave is needed.
        Loader::new(name, source).load(None, options)
    }

    /// Like [`Site::load_cached`], with [`LoadOptions`].
    pub fn load_cached_with(
        name: &str,
        source: &dyn Source,
        cache: &mut LoadCache,
        options: &LoadOptions,
    ) -> Result<LoadedSite, Diagnostics> {
        Loader::new(name, source).load(Some(cache), options)
    }

    /// Like [`Site::load`], reading again only the files whose version (see
    /// [`Source::version`]) changed since the last load with this cache: what
    /// a live preview needs to follow edits quickly.
    pub fn load_cached(
        name: &str,
        source: &dyn Source,
        cache: &mut LoadCache,
    ) -> Result<LoadedSite, Diagnostics> {
        Loader::new(name, source).load(Some(cache), &LoadOptions::default())
    }
}

pub(crate) struct Loader<'a> {
    pub(crate) name: &'a str,
    pub(crate) source: &'a dyn Source,
    /// The site's `permalink` style, which places posts without one.
    pub(crate) post_style: String,
    /// Whether the last front matter read was dropped for its YAML.
    dropped_front_matter: bool,
    /// The day of the build: the date of a draft without one.
    today: jiff::civil::Date,
    pub(crate) diagnostics: Diagnostics,
}

/// One file of a load: what it is, and its problems, from the cache or
/// read now.
struct FileRead<'p> {
    path: &'p str,
    /// `Some` when read now, with the version to cache it under (if the
    /// load has a cache and the source has versions).
    fresh: Option<Option<String>>,
    outcome: FileOutcome,
    diagnostics: Vec<Diagnostic>,
}

/// A file of the site, read as text, waiting to be classified.
pub(crate) struct TextFile {
    pub(crate) path: String,
    pub(crate) text: String,
    pub(crate) content_id: String,
}

impl<'a> Loader<'a> {
    pub(crate) fn new(name: &'a str, source: &'a dyn Source) -> Self {
        Self {
            name,
            source,
            post_style: String::from("date"),
            dropped_front_matter: false,
            today: jiff::civil::Date::constant(1970, 1, 1),
            diagnostics: Diagnostics::default(),
        }
    }

    /// A loader for reading one file beside others: the site's settings,
    /// no problems yet.
    fn for_one_file(&self) -> Self {
        Self {
            post_style: self.post_style.clone(),
            today: self.today,
            ..Self::new(self.name, self.source)
        }
    }

    pub(crate) fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn load(
        mut self,
        mut cache: Option<&mut LoadCache>,
        options: &LoadOptions,
    ) -> Result<LoadedSite, Diagnostics> {
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
        let Some(mut config) = self.read_config(&paths) else {
            return Err(self.diagnostics);
        };
        if let Some(url) = &options.base_url {
            config
                .raw
                .insert("url".to_owned(), Value::String(url.clone()));
        } else if let Some(address) = &options.fallback_base_url {
            config.use_address_if_unset(address);
        }
        self.today = options.today();
        let excluded = excluded_paths(&config);
        config
            .post_permalink_style()
            .clone_into(&mut self.post_style);
        let paths: Vec<String> = paths
            .into_iter()
            .filter(|path| is_site_file(path, &excluded))
            .collect();

        let data = self.read_data(&paths);
        let includes = self.read_includes(&paths);
        let navigation = self.navigation(&data);
        let footer = checked_footer(self.name, self.source, &data, &mut self.diagnostics);

        let collection_names = collection_names(&paths, &config);
        let resources_name = config.resources_name().map(str::to_owned);

        // Sized once: a large site's pages are megabytes, and growing the
        // vector step by step copies them and touches fresh memory each time.
        let mut pages = Vec::with_capacity(paths.len());
        let mut static_files = Vec::new();
        let mut stylesheets = Vec::new();
        let mut layouts = BTreeMap::new();
        let mut sass_partials = BTreeMap::new();
        let mut warned_folders = BTreeSet::new();

        if let Some(cache) = cache.as_deref_mut() {
            cache.prepare(context_key(
                &collection_names,
                resources_name.as_deref(),
                excluded.patterns(),
                &self.post_style,
            ));
        }
        let mut planned: Vec<(&String, Place)> = Vec::with_capacity(paths.len());
        for path in &paths {
            let place = classify(path, &collection_names, resources_name.as_deref());
            match place {
                Place::Ignored => continue,
                Place::Draft { .. } if !options.drafts => continue,
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
        // Files are independent, so they are read side by side, on whatever
        // cores the rest of a publish leaves free: a cached entry decoded (at
        // 10,000 pages a one-page publish gained about 5 %), any other file
        // read and parsed by a reader of its own, whose problems are taken
        // in the files' order afterwards (reading was a sixth of a cold
        // build, on one core).
        let loader = &self;
        let cache_read = cache.as_deref();
        let read: Vec<FileRead<'_>> = planned
            .into_par_iter()
            .map(|(path, place)| {
                // Only a cache asks for a file's version.
                let version = cache_read.and_then(|_| loader.source.version(path));
                let cached = version
                    .as_deref()
                    .zip(cache_read)
                    .and_then(|(version, cache)| cache.get(path, version));
                match cached {
                    Some(cached) => FileRead {
                        path,
                        fresh: None,
                        outcome: cached.outcome.clone(),
                        diagnostics: cached.diagnostics.clone(),
                    },
                    None => {
                        let mut reader = loader.for_one_file();
                        let outcome = reader.read_file(path, place);
                        FileRead {
                            path,
                            fresh: Some(version),
                            outcome,
                            diagnostics: reader.diagnostics.0,
                        }
                    }
                }
            })
            .collect();
        for file in read {
            if let (Some(Some(version)), Some(cache)) = (file.fresh, cache.as_deref_mut()) {
                cache.insert(
                    file.path,
                    version,
                    file.outcome.clone(),
                    file.diagnostics.clone(),
                );
            }
            self.diagnostics.extend(file.diagnostics);
            match file.outcome {
                FileOutcome::Page(page) => pages.push(*page),
                FileOutcome::Static(file) => static_files.push(file),
                FileOutcome::StyleSheet(sheet) => stylesheets.push(sheet),
                FileOutcome::Layout(name, layout) => {
                    layouts.insert(name, layout);
                }
                FileOutcome::SassPartial(path, text) => {
                    sass_partials.insert(path, text);
                }
                FileOutcome::Nothing => {}
            }
        }
        if let Some(cache) = cache {
            cache.forget_missing(&paths);
        }

        let today = self.today;
        leave_out_unpublished(&mut pages, &config, options, today);
        let settings = self.collection_settings(&paths, &collection_names);
        for page in &mut pages {
            if let Some(found) = page.collection().and_then(|name| settings.get(name)) {
                page.published = found.output;
            }
        }
        self.resolve_url_conflicts(&mut pages, &settings, today);
        let collections = self.collections(&paths, &settings, &mut pages);
        let resource_room = resources_name
            .as_deref()
            .map(|room| build_resource_room(room, &pages));

        let relative_includes = self.read_relative_includes(&pages);
        let redirect_rules = self.read_redirect_rules(&static_files);
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
                sass_partials,
                relative_includes,
                includes,
                redirect_rules,
            },
            diagnostics: self.diagnostics,
        })
    }

    /// Reads one file of the site for what it is at its place.
    pub(crate) fn read_file(&mut self, path: &str, place: Place) -> FileOutcome {
        if let Place::SassPartial = place {
            return match self.read_text(path) {
                Some(file) => FileOutcome::SassPartial(file.path, file.text),
                None => FileOutcome::Nothing,
            };
        }
        if let Place::Layout(name) = place {
            return match self.read_text(path) {
                Some(file) => match self.parse_page_text(&file, true) {
                    Some(parsed) => FileOutcome::Layout(name, parsed),
                    None => FileOutcome::Nothing,
                },
                None => FileOutcome::Nothing,
            };
        }
        if matches!(place, Place::Post { .. }) {
            let file_name = path.rsplit('/').next().unwrap_or(path);
            if PostFileName::parse(file_name).is_none() {
                self.diagnostics.push(
                    Diagnostic::tolerated(
                        self.name,
                        path,
                        "invalid-post-name",
                        "this file is in a `_posts` folder but its name is not `YYYY-MM-DD-title.ext`, so it is not a post and is not published",
                    )
                    .with_hint("start the name with the post's date (`2024-03-07-title.md`), or move the file out of `_posts/`"),
                );
                return FileOutcome::Nothing;
            }
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
        // Media folders are copied as they are, but for a Markdown or HTML
        // file with front matter, which Jekyll publishes as a page.
        let is_media = matches!(place, Place::Media);
        let media_page = is_media
            && extension(path).is_some_and(|ext| {
                matches!(
                    ext.to_ascii_lowercase().as_str(),
                    "md" | "markdown" | "html" | "htm"
                )
            });
        if !may_have_front_matter || (is_media && !media_page) {
            return static_file(self);
        }
        let Some(file) = self.read_text(path) else {
            return FileOutcome::Nothing;
        };
        let has_front_matter = front_matter::has_front_matter(&file.text);
        let is_post = matches!(place, Place::Post { .. } | Place::Draft { .. });
        if !has_front_matter && !is_post {
            return static_file(self);
        }
        if !has_front_matter {
            // Jekyll reads every file of a `_posts` folder named like a post
            // as a post, front matter or not.
            self.diagnostics.push(
                Diagnostic::tolerated(
                    self.name,
                    path,
                    "post-without-front-matter",
                    "this post has no front matter (its first line is not `---`), so all of it is the body, as Jekyll reads it",
                )
                .at(&file.text, 1, 1)
                .with_hint("start the file with a line `---` and end the front matter with another"),
            );
        }
        let Some(parsed) = self.parse_page_text(&file, !has_front_matter) else {
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
        let place = if is_media { Place::Simple } else { place };
        match self.build_page(&file, parsed, place) {
            Some(page) => FileOutcome::Page(Box::new(page)),
            None => FileOutcome::Nothing,
        }
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

    pub(crate) fn read_text(&mut self, path: &str) -> Option<TextFile> {
        let bytes = match self.source.read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.error(
                    Diagnostic::error(self.name, path, format!("cannot read the file: {error}"))
                        .with_hint(
                            "check the file's permissions; a damaged Git object means the repository needs repair: run `git fsck`, then fetch again or clone it anew",
                        ),
                );
                return None;
            }
        };
        let content_id = self
            .source
            .content_id_of(path, &bytes)
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

    pub(crate) fn parse_yaml_file(&mut self, file: &TextFile) -> Option<Value> {
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
        self.dropped_front_matter = false;
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
                // Jekyll's front matter pattern needs the closing line; without
                // it the file is still a page (its first line is `---`), with
                // no front matter and all of it, `---` included, as the body.
                self.diagnostics.push(
                    Diagnostic::tolerated(
                        self.name,
                        &file.path,
                        "front-matter-unclosed",
                        "front matter has no closing `---`, so none of it is read: the whole file is the body",
                    )
                    .at(&file.text, 1, 1)
                    .with_hint("end the front matter with a line containing only `---`"),
                );
                Some(FrontMatter {
                    data: Map::new(),
                    body: file
                        .text
                        .strip_prefix('\u{feff}')
                        .unwrap_or(&file.text)
                        .to_owned(),
                    body_line: 1,
                })
            }
            Err(FrontMatterError::Yaml {
                message,
                line,
                column,
                over_budget: false,
            }) if !optional => {
                // Jekyll prints the YAML error and builds the file with empty
                // front matter (default layout, URL from the file name).
                let (body, body_line) = front_matter::body_after(&file.text)?;
                self.dropped_front_matter = true;
                self.diagnostics.push(
                    Diagnostic::tolerated(
                        self.name,
                        &file.path,
                        "front-matter-yaml",
                        format!("malformed YAML in front matter: {message}; the page is built without its front matter (default layout, URL from its file name)"),
                    )
                    .at(&file.text, line, column)
                    .with_hint("check the indentation and quote values that contain `: ` or start with `{`, `[`, `*` or `&`"),
                );
                Some(FrontMatter {
                    data: Map::new(),
                    body: body.to_owned(),
                    body_line,
                })
            }
            Err(FrontMatterError::Yaml {
                message,
                line,
                column,
                ..
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

        let is_draft = matches!(place, Place::Draft { .. });
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
                // A page keeps its folder's case (`news/Newsletters/` is at
                // `/news/Newsletters/`), though its posts' URLs are lower case.
                format!("/{room}/{category}/"),
                None,
            ),
            Place::Post { categories } | Place::Draft { categories } => {
                let file_name = path.rsplit('/').next().unwrap_or(path);
                let post_name = match is_draft {
                    true => draft_post_name(file_name, text("date").as_deref(), self.today)?,
                    false => PostFileName::parse(file_name)?,
                };
                let kind = post_name
                    .kind
                    .or_else(|| match text("layout").as_deref() {
                        Some("link") => Some(PostKind::Link),
                        Some("file") => Some(PostKind::File),
                        _ => None,
                    })
                    .unwrap_or(PostKind::Post);
                let date = text("date")
                    .and_then(|d| page::parse_date(&d))
                    .unwrap_or(post_name.date);
                // When its YAML fails, Jekyll skips reading a post's name,
                // and its URL takes the whole file name, date included.
                let slug = match text("slug") {
                    Some(slug) => slug,
                    None if self.dropped_front_matter => stem.clone(),
                    None => post_name.slug.clone(),
                };
                let permalink = post_permalink(&self.post_style, &categories, date, &slug);
                let category = categories.last().cloned().unwrap_or_default();
                (
                    PageKind::Post { category, kind },
                    permalink,
                    Some(post_name.date),
                )
            }
            Place::Media
            | Place::Ignored
            | Place::Layout(_)
            | Place::SassPartial
            | Place::UnknownUnderscore(_) => {
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
        let mut redirect_to = None;
        let permalink_text = match declared {
            Some(declared) if is_external_url(&declared) && is_link_post => {
                // The older way to link out from the resource room: Jekyll
                // writes the post at the URL taken for a path, as below.
                external_url = Some(declared.clone());
                redirect_to = Some(declared.clone());
                Some(jekyll_path_of_url(&declared))
            }
            Some(declared) if is_external_url(&declared) => {
                // Jekyll takes the URL for a path: `https://e27.co/a/` is
                // written at `/https:/e27.co/a/`, repeated slashes collapsed.
                let path_like = jekyll_path_of_url(&declared);
                let line = line_of("permalink");
                self.diagnostics.push(
                    Diagnostic::tolerated(
                        self.name,
                        path,
                        "external-permalink",
                        format!("permalink `{declared}` is another site's URL: the page is written at `{path_like}`, as Jekyll did, and sends readers on to `{declared}`"),
                    )
                    .at(&file.text, line, 1)
                    .with_hint("to list a link to another site, make this a link post (`layout: link`) or use `external:`; to keep a page on this site, give it a path such as `/news/story/`"),
                );
                redirect_to = Some(declared);
                Some(path_like)
            }
            Some(declared) => Some(declared),
            // Jekyll writes a link post at its own URL too; it sends
            // readers on to the page it links to.
            None if is_link_post => {
                redirect_to.clone_from(&external_url);
                Some(derived_permalink)
            }
            None => Some(derived_permalink),
        };
        // jekyll-redirect-from's `redirect_to:` (a URL, or a list whose first
        // one counts): the page is written and sends readers on, as a link
        // post does.
        if redirect_to.is_none() {
            redirect_to = string_list(data.get("redirect_to"))
                .into_iter()
                .map(|to| to.trim().to_owned())
                .find(|to| !to.is_empty());
        }
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
            let file_name = path.rsplit('/').next().unwrap_or(path);
            match PostFileName::parse(file_name) {
                Some(name) if matches!(kind, PageKind::Post { .. }) => name.slug,
                _ => stem.clone(),
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
            relative_includes: includes::named_in(path, &parsed.body),
            body: PageBody::Text(parsed.body),
            body_line: parsed.body_line,
            date,
            third_nav_title,
            published: true,
            redirect_to,
            external_url,
            file_url,
            data,
        })
    }
}

#[cfg(test)]
#[path = "loader_tests.rs"]
mod tests;
