//! One site held in memory, and re-rendering it after a change.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gazette_content::{Diagnostic, Diagnostics, LoadCache, LoadOptions, Site};
use gazette_publish::SiteEntry;
use gazette_render::{
    MANIFEST_PATH, Manifest, OutputContents, OutputRecord, PageUpdate, RenderSession, RenderedSite,
    SearchState, UnitRecord, is_search_state_path,
};
use gazette_store::WorkTreeSource;
use gazette_theme::{Theme, ThemeLibrary};

/// What a rebuild changed, as the browser needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Some pages changed: reload.
    Reload,
    /// Only stylesheets changed: swap them without a reload.
    Stylesheets(Vec<String>),
    /// The site has errors now; the last good version is still served.
    Failed(Vec<Diagnostic>),
    /// Nothing a reader can see changed.
    Unchanged,
}

/// A site rendered into memory.
pub struct SitePreview {
    /// The site's folder and settings.
    pub entry: SiteEntry,
    /// Its theme's name.
    pub theme: String,
    outputs: HashMap<String, Arc<Vec<u8>>>,
    manifest: Option<Manifest>,
    errors: Vec<Diagnostic>,
    cache: LoadCache,
    /// The last good render, kept for edits that touch one page's body.
    session: Option<RenderSession>,
    /// Whether the last rebuild re-rendered edited pages alone.
    pages_only: bool,
    /// What the preview shows beyond what is published (`--drafts`,
    /// `--future`, `--unpublished`) and the address it renders for.
    load: LoadOptions,
    /// Called at the start of each rebuild, so tests can make one fail the
    /// way a bug in the renderer would (a panic, deep recursion).
    #[cfg(test)]
    pub(crate) fault: Option<fn(&[PathBuf])>,
}

/// The stack of the threads rebuilds run on: deep but legal nesting in a
/// page must not overflow it, since an overflow ends the whole process.
const REBUILD_STACK: usize = 256 << 20;

/// The threads rebuilds run on, pages rendered in parallel included (the
/// renderer's parallel work stays in the pool it was started from). `None`
/// if they cannot be started; rebuilds then run where they are called.
fn rebuild_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|index| format!("gazette-rebuild-{index}"))
            .stack_size(REBUILD_STACK)
            .build()
            .ok()
    })
    .as_ref()
}

impl SitePreview {
    /// A preview with nothing rendered yet.
    pub fn new(entry: SiteEntry, theme: String) -> Self {
        let load = LoadOptions {
            fallback_base_url: entry.settings.base_url.clone(),
            ..LoadOptions::default()
        };
        Self {
            entry,
            theme,
            outputs: HashMap::new(),
            manifest: None,
            errors: Vec::new(),
            cache: LoadCache::default(),
            session: None,
            pages_only: false,
            load,
            #[cfg(test)]
            fault: None,
        }
    }

    /// The preview loading its site with `load` (drafts, future posts,
    /// unpublished pages, another address).
    pub fn with_load(mut self, load: LoadOptions) -> Self {
        self.load = LoadOptions {
            fallback_base_url: self.entry.settings.base_url.clone(),
            ..load
        };
        self
    }

    /// The bytes of an output, if the site has it.
    pub fn output(&self, key: &str) -> Option<Arc<Vec<u8>>> {
        self.outputs.get(key).cloned()
    }

    /// Where the redirect page at output path `key` sends readers, if it is one.
    pub fn redirect(&self, key: &str) -> Option<&str> {
        self.manifest
            .as_ref()?
            .redirects
            .get(key)
            .map(String::as_str)
    }

    /// Whether the last rebuild re-rendered only the edited pages (their
    /// bodies alone changed) rather than reading the whole site again.
    pub fn rendered_pages_only(&self) -> bool {
        self.pages_only
    }

    /// The errors of the last rebuild (empty when it succeeded).
    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// Renders what changed after the files at `changed` (absolute paths)
    /// were written. An edit to pages' bodies re-renders those pages alone;
    /// anything else reads the site and themes again and renders what
    /// changed, reusing everything else from memory.
    ///
    /// Runs on threads with a large stack; a panic while rendering (a bug
    /// some page triggers) becomes an error shown like any other, the last
    /// good version stays served, and the next rebuild starts afresh.
    pub fn rebuild(&mut self, themes_dir: Option<&Path>, changed: &[PathBuf]) -> Change {
        let mut attempt = || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.rebuild_here(themes_dir, changed)
            }))
        };
        let outcome = match rebuild_pool() {
            Some(pool) => pool.install(attempt),
            None => attempt(),
        };
        outcome.unwrap_or_else(|panic| self.crashed(panic.as_ref()))
    }

    /// After a panic in a rebuild: whatever it left half-done is forgotten
    /// (the next rebuild renders the whole site without reuse), and the
    /// panic is reported as an error of the site.
    fn crashed(&mut self, panic: &(dyn std::any::Any + Send)) -> Change {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no reason given".to_owned());
        self.session = None;
        self.manifest = None;
        self.pages_only = false;
        let mut diagnostic = Diagnostic::error(
            &self.entry.name,
            "",
            format!("Gazette crashed while rendering this site: {reason}"),
        );
        diagnostic.hint = Some(
            "this is a bug in Gazette, not in the site; the last good version is still served, and the next save renders the site again"
                .to_owned(),
        );
        self.errors = vec![diagnostic];
        Change::Failed(self.errors.clone())
    }

    fn rebuild_here(&mut self, themes_dir: Option<&Path>, changed: &[PathBuf]) -> Change {
        #[cfg(test)]
        if let Some(fault) = self.fault {
            fault(changed);
        }
        if let Some(change) = self.update_pages(changed) {
            self.pages_only = true;
            return change;
        }
        self.pages_only = false;
        let previous = self.manifest.take();
        // The session holds the search index of the output in memory.
        let search = self.session.as_ref().and_then(RenderSession::search_state);
        let mut result = self.render(themes_dir, previous.as_ref().zip(search.as_ref()));
        drop(search);
        self.manifest = previous;
        if let Ok((rendered, _)) = &result
            && !self.holds_everything_reused(rendered)
        {
            result = self.render(themes_dir, None);
        }
        match result {
            Ok((rendered, session)) => {
                self.session = Some(session);
                self.take(rendered)
            }
            Err(diagnostics) => {
                // The session stays for its search index, which the next
                // whole render updates; with errors showing, no edit takes
                // the quick path, so its pages (no longer those on disk)
                // are not rendered again.
                self.errors = diagnostics.0.clone();
                Change::Failed(diagnostics.0)
            }
        }
    }

    /// The quick path: when every changed file is a page of the site whose
    /// body alone changed (the usual edit), re-renders just those pages.
    /// `None` when the change needs the whole path.
    fn update_pages(&mut self, changed: &[PathBuf]) -> Option<Change> {
        // With errors showing, only a whole render knows whether they are fixed.
        if !self.errors.is_empty() || changed.is_empty() {
            return None;
        }
        let session = self.session.as_mut()?;
        let manifest = self.manifest.as_mut()?;
        let root = &self.entry.path;
        let canonical_root = std::fs::canonicalize(root).ok();
        let source = WorkTreeSource::new(root).ok()?;
        let mut edited = Vec::new();
        let relative_paths: BTreeSet<String> = changed
            .iter()
            .map(|path| {
                path.strip_prefix(root)
                    .ok()
                    .or_else(|| path.strip_prefix(canonical_root.as_ref()?).ok())
                    .and_then(Path::to_str)
                    .map(|relative| relative.replace(std::path::MAIN_SEPARATOR, "/"))
            })
            .collect::<Option<_>>()?;
        for relative in &relative_paths {
            match session.site().reread_page(&source, relative) {
                Some(Ok(page)) if session.can_update(&page) => edited.push(page),
                Some(_) => return None,
                // An editor's temporary file, already gone, is no part of the site.
                None if is_unknown_and_gone(session.site(), root, relative) => {}
                None => return None,
            }
        }
        let mut updates: Vec<PageUpdate> = Vec::with_capacity(edited.len());
        for page in edited {
            match session.update_page(page)? {
                Ok(update) => updates.push(update),
                Err(diagnostics) => {
                    self.errors = diagnostics.0.clone();
                    return Some(Change::Failed(diagnostics.0));
                }
            }
        }
        let mut changed_any = false;
        for update in updates {
            let mut records = Vec::with_capacity(update.outputs.len());
            for (output, page) in update.outputs {
                let OutputContents::Rendered(bytes) = output.contents else {
                    continue;
                };
                let unchanged = self
                    .outputs
                    .get(&output.path)
                    .is_some_and(|old| **old == bytes);
                if !unchanged {
                    changed_any = true;
                    self.outputs.insert(output.path.clone(), Arc::new(bytes));
                }
                records.push(OutputRecord {
                    path: output.path,
                    url: Some(page.url),
                });
            }
            manifest.units.insert(
                update.id,
                UnitRecord {
                    inputs_digest: update.inputs_digest,
                    outputs: records,
                },
            );
        }
        // The search index follows the pages' words; should it not be able
        // to, the next change renders the whole site.
        let Some(index) = session.update_search(manifest) else {
            self.session = None;
            self.manifest = None;
            return None;
        };
        for (path, bytes) in index {
            changed_any = true;
            match bytes {
                Some(bytes) => self.outputs.insert(path, Arc::new(bytes)),
                None => self.outputs.remove(&path),
            };
        }
        Some(if changed_any {
            Change::Reload
        } else {
            Change::Unchanged
        })
    }

    fn render(
        &mut self,
        themes_dir: Option<&Path>,
        previous: Option<(&Manifest, &SearchState)>,
    ) -> Result<(RenderedSite, RenderSession), Diagnostics> {
        let failure =
            |message: String| Diagnostics(vec![Diagnostic::error(&self.entry.name, "", message)]);
        let source = WorkTreeSource::new(&self.entry.path).map_err(|e| failure(e.to_string()))?;
        let own = match themes_dir {
            Some(folder) => Some(Box::new(
                WorkTreeSource::new(folder).map_err(|e| failure(e.to_string()))?,
            ) as Box<dyn gazette_content::Source>),
            None => None,
        };
        let themes = ThemeLibrary::new(own).map_err(|e| failure(e.to_string()))?;
        let loaded =
            Site::load_cached_with(&self.entry.name, &source, &mut self.cache, &self.load)?;
        let mut diagnostics = loaded.diagnostics;
        let theme = Theme::load(&themes, &self.theme, Some(&source))
            .map_err(|error| failure(format!("cannot load theme `{}`: {error}", self.theme)))?;
        if diagnostics.has_errors() {
            diagnostics.sort();
            return Err(diagnostics);
        }
        let (mut rendered, session) = match RenderSession::render(loaded.site, theme, previous) {
            Ok(rendered) => rendered,
            Err(more) => {
                diagnostics.extend(more);
                diagnostics.sort();
                return Err(diagnostics);
            }
        };
        // Copies are read now, so the served version never depends on files
        // changing under it.
        for output in &mut rendered.outputs {
            if let Some(bytes) = output.contents.read_copy(&source) {
                let bytes = bytes.map_err(|e| failure(e.to_string()))?;
                output.contents = OutputContents::Rendered(bytes);
            }
        }
        Ok((rendered, session))
    }

    fn holds_everything_reused(&self, rendered: &RenderedSite) -> bool {
        rendered
            .outputs
            .iter()
            .all(|output| match &output.contents {
                OutputContents::Reuse(path) => {
                    self.outputs.contains_key(path) || is_search_state_path(path)
                }
                _ => true,
            })
    }

    /// Installs a successful render and says what changed.
    fn take(&mut self, rendered: RenderedSite) -> Change {
        let had_errors = !self.errors.is_empty();
        let mut outputs = HashMap::with_capacity(rendered.outputs.len());
        let mut changed = Vec::new();
        for output in rendered.outputs {
            let bytes = match output.contents {
                OutputContents::Rendered(bytes) => {
                    let unchanged = self
                        .outputs
                        .get(&output.path)
                        .is_some_and(|old| **old == bytes);
                    if unchanged {
                        self.outputs[&output.path].clone()
                    } else {
                        Arc::new(bytes)
                    }
                }
                // Copies were read in `render`; reused outputs are in memory
                // (checked by `holds_everything_reused`).
                // (The preview gives its renders no sink: nothing is Written.)
                OutputContents::Reuse(_)
                | OutputContents::Copy(_)
                | OutputContents::CopySanitizedSvg(_)
                | OutputContents::Written => {
                    self.outputs.get(&output.path).cloned().unwrap_or_default()
                }
            };
            if output.path == MANIFEST_PATH || is_search_state_path(&output.path) {
                // The preview keeps the manifest in memory, and the session
                // the search index; neither is a page to serve.
                continue;
            }
            let is_new = self
                .outputs
                .get(&output.path)
                .is_none_or(|old| !Arc::ptr_eq(old, &bytes));
            if is_new {
                changed.push(output.path.clone());
            }
            outputs.insert(output.path, bytes);
        }
        let removed = self.outputs.keys().any(|key| !outputs.contains_key(key));
        self.outputs = outputs;
        self.manifest = Some(rendered.manifest);
        self.errors.clear();
        if had_errors || removed {
            return Change::Reload;
        }
        if changed.is_empty() {
            Change::Unchanged
        } else if changed.iter().all(|path| path.ends_with(".css")) {
            Change::Stylesheets(changed)
        } else {
            Change::Reload
        }
    }
}

/// Whether a changed path names nothing the site has and no longer exists:
/// the temporary files editors write and rename or delete within one save.
fn is_unknown_and_gone(site: &Site, root: &Path, relative: &str) -> bool {
    let known = site.static_files.iter().any(|f| f.source_path == relative)
        || site.stylesheets.iter().any(|s| s.source_path == relative)
        || relative.starts_with('_');
    !known && !root.join(relative).exists()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use gazette_publish::SiteSettings;

    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    /// The sample site `ogp` and the themes, copied to a temporary folder.
    pub(crate) fn sample() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("ogp");
        let themes = dir.path().join("themes");
        copy_tree(&workspace.join("sites/ogp"), &site);
        copy_tree(&workspace.join("themes"), &themes);
        (dir, site, themes)
    }

    fn preview(site: &Path, themes: &Path) -> SitePreview {
        let entry = SiteEntry {
            name: "ogp".into(),
            path: site.to_owned(),
            settings: SiteSettings::default(),
        };
        let mut preview = SitePreview::new(entry, "isomer".into());
        assert_eq!(preview.rebuild(Some(themes), &[]), Change::Reload);
        preview
    }

    fn everything(preview: &SitePreview) -> std::collections::BTreeMap<String, Vec<u8>> {
        preview
            .outputs
            .iter()
            .map(|(path, bytes)| (path.clone(), bytes.to_vec()))
            .collect()
    }

    #[test]
    fn a_body_edit_renders_one_page_and_matches_a_whole_render() {
        let (_dir, site, themes) = sample();
        let mut live = preview(&site, &themes);
        let page = site.join("pages/faq.md");
        let text = std::fs::read_to_string(&page).unwrap();
        std::fs::write(&page, format!("{text}\nA new answer, written live.\n")).unwrap();
        let before = everything(&live);

        assert_eq!(
            live.rebuild(Some(themes.as_path()), std::slice::from_ref(&page)),
            Change::Reload
        );
        assert!(live.rendered_pages_only());
        let after = everything(&live);
        let changed: Vec<&String> = after
            .iter()
            .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
            .map(|(path, _)| path)
            .collect();
        // The page, and the search index's files that hold its new words.
        let (index, pages): (Vec<&String>, Vec<&String>) = changed
            .into_iter()
            .partition(|path| path.starts_with("search-index/"));
        assert_eq!(pages, ["faq/index.html"], "one page rendered");
        assert!(!index.is_empty(), "the index follows the edit");
        let changed = pages;
        assert!(
            String::from_utf8_lossy(&after[changed[0]]).contains("A new answer, written live.")
        );
        let fresh = preview(&site, &themes);
        assert_eq!(after, everything(&fresh), "the same as a whole render");
        let state = |preview: &SitePreview| preview.session.as_ref().unwrap().search_state();
        assert!(state(&fresh).is_some());
        assert_eq!(
            state(&live),
            state(&fresh),
            "the index's state, held in memory, is the one a whole render writes"
        );

        // The manifest follows, so a later whole render reuses the new page.
        let stale_page = live.outputs[changed[0].as_str()].clone();
        assert_eq!(live.rebuild(Some(themes.as_path()), &[]), Change::Unchanged);
        assert!(Arc::ptr_eq(&stale_page, &live.outputs[changed[0].as_str()]));
    }

    #[test]
    fn a_front_matter_edit_or_a_new_file_takes_the_whole_path() {
        let (_dir, site, themes) = sample();
        let mut live = preview(&site, &themes);
        let page = site.join("pages/faq.md");
        let text = std::fs::read_to_string(&page).unwrap();
        let retitled = text.replacen("title:", "title: Renamed", 1);
        assert_ne!(retitled, text);
        std::fs::write(&page, retitled).unwrap();
        let session = live.session.as_ref().unwrap();
        let reread = session
            .site()
            .reread_page(&source_of(&site), "pages/faq.md");
        assert!(!session.can_update(&reread.unwrap().unwrap()));
        assert_eq!(
            live.rebuild(Some(themes.as_path()), &[page]),
            Change::Reload
        );
        assert!(!live.rendered_pages_only());
        assert_eq!(everything(&live), everything(&preview(&site, &themes)));

        let new_page = site.join("pages/new.md");
        std::fs::write(&new_page, "---\ntitle: New\npermalink: /new/\n---\nNew.\n").unwrap();
        assert_eq!(
            live.rebuild(Some(themes.as_path()), &[new_page]),
            Change::Reload
        );
        assert!(!live.rendered_pages_only());
        assert!(live.output("new/index.html").is_some());
    }

    #[test]
    fn an_error_in_a_body_shows_and_its_fix_clears_it() {
        let (_dir, site, themes) = sample();
        let mut live = preview(&site, &themes);
        let page = site.join("pages/faq.md");
        let text = std::fs::read_to_string(&page).unwrap();
        std::fs::write(&page, format!("{text}\n{{% if %}}\n")).unwrap();
        let Change::Failed(errors) =
            live.rebuild(Some(themes.as_path()), std::slice::from_ref(&page))
        else {
            panic!("a Liquid error fails the rebuild");
        };
        assert!(live.rendered_pages_only());
        assert_eq!(errors[0].file, "pages/faq.md");
        std::fs::write(&page, &text).unwrap();
        assert_eq!(
            live.rebuild(Some(themes.as_path()), &[page]),
            Change::Reload
        );
        assert!(live.errors().is_empty());
        assert_eq!(everything(&live), everything(&preview(&site, &themes)));
    }

    #[test]
    fn a_panic_in_a_rebuild_is_an_error_and_the_next_save_renders_again() {
        let (_dir, site, themes) = sample();
        let mut live = preview(&site, &themes);
        let before = everything(&live);
        let page = site.join("pages/faq.md");
        let text = std::fs::read_to_string(&page).unwrap();
        std::fs::write(&page, format!("{text}\nAfter the crash.\n")).unwrap();
        live.fault = Some(|_| panic!("injected renderer bug"));
        let Change::Failed(errors) =
            live.rebuild(Some(themes.as_path()), std::slice::from_ref(&page))
        else {
            panic!("a panic fails the rebuild");
        };
        assert!(
            errors[0].message.contains("injected renderer bug"),
            "{errors:?}"
        );
        assert_eq!(live.errors(), errors);
        assert_eq!(everything(&live), before, "the last good version stays");

        live.fault = None;
        assert_eq!(
            live.rebuild(Some(themes.as_path()), &[page]),
            Change::Reload
        );
        assert!(live.errors().is_empty());
        assert_eq!(everything(&live), everything(&preview(&site, &themes)));
    }

    #[test]
    fn rebuilds_have_room_for_deep_nesting() {
        /// 16 to 64 MiB of stack (by build): far more than a thread's usual 2 or 8 MiB.
        fn nest(depth: usize) -> usize {
            let frame = std::hint::black_box([depth as u8; 4096]);
            if depth == 0 {
                return frame[0] as usize;
            }
            nest(depth - 1) + std::hint::black_box(frame)[1] as usize
        }
        let (_dir, site, themes) = sample();
        let mut live = preview(&site, &themes);
        live.fault = Some(|_| {
            std::hint::black_box(nest(4 * 1024));
        });
        assert_eq!(live.rebuild(Some(themes.as_path()), &[]), Change::Unchanged);
    }

    fn source_of(site: &Path) -> WorkTreeSource {
        WorkTreeSource::new(site).unwrap()
    }
}
