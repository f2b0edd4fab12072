//! One site held in memory, and re-rendering it after a change.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use gazette_content::{Diagnostic, Diagnostics, LoadCache, Site, Source};
use gazette_publish::{
    Manifest, OutputContents, RenderOptions, RenderedSite, SiteEntry, render_site,
};
use gazette_store::WorkTreeSource;
use gazette_theme::Theme;

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
}

impl SitePreview {
    /// A preview with nothing rendered yet.
    pub fn new(entry: SiteEntry, theme: String) -> Self {
        Self {
            entry,
            theme,
            outputs: HashMap::new(),
            manifest: None,
            errors: Vec::new(),
            cache: LoadCache::default(),
        }
    }

    /// The bytes of an output, if the site has it.
    pub fn output(&self, key: &str) -> Option<Arc<Vec<u8>>> {
        self.outputs.get(key).cloned()
    }

    /// The errors of the last rebuild (empty when it succeeded).
    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// Reads the site and themes again and renders what changed, reusing
    /// everything else from memory.
    pub fn rebuild(&mut self, themes_dir: &Path) -> Change {
        let previous = self.manifest.take();
        let mut result = self.render(themes_dir, previous.as_ref());
        self.manifest = previous;
        if let Ok(rendered) = &result
            && !self.holds_everything_reused(rendered)
        {
            result = self.render(themes_dir, None);
        }
        match result {
            Ok(rendered) => self.take(rendered),
            Err(diagnostics) => {
                self.errors = diagnostics.0.clone();
                Change::Failed(diagnostics.0)
            }
        }
    }

    fn render(
        &mut self,
        themes_dir: &Path,
        previous: Option<&Manifest>,
    ) -> Result<RenderedSite, Diagnostics> {
        let failure =
            |message: String| Diagnostics(vec![Diagnostic::error(&self.entry.name, "", message)]);
        let source = WorkTreeSource::new(&self.entry.path).map_err(|e| failure(e.to_string()))?;
        let themes = WorkTreeSource::new(themes_dir).map_err(|e| failure(e.to_string()))?;
        let loaded = Site::load_cached(&self.entry.name, &source, &mut self.cache)?;
        let mut diagnostics = loaded.diagnostics;
        let mut theme = Theme::load(&themes, &self.theme, Some(&source))
            .map_err(|error| failure(format!("cannot load theme `{}`: {error}", self.theme)))?;
        let options = RenderOptions {
            last_changed: None,
            previous,
        };
        let mut rendered = match render_site(&loaded.site, &mut theme, &options) {
            Ok(rendered) => rendered,
            Err(more) => {
                diagnostics.extend(more);
                diagnostics.sort();
                return Err(diagnostics);
            }
        };
        if diagnostics.has_errors() {
            diagnostics.sort();
            return Err(diagnostics);
        }
        // Copies are read now, so the served version never depends on files
        // changing under it.
        for output in &mut rendered.outputs {
            if let OutputContents::Copy(path) = &output.contents {
                let bytes = source.read(path).map_err(|e| failure(e.to_string()))?;
                output.contents = OutputContents::Rendered(bytes);
            }
        }
        Ok(rendered)
    }

    fn holds_everything_reused(&self, rendered: &RenderedSite) -> bool {
        rendered
            .outputs
            .iter()
            .all(|output| match &output.contents {
                OutputContents::Reuse(path) => self.outputs.contains_key(path),
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
                OutputContents::Reuse(_) | OutputContents::Copy(_) => {
                    self.outputs.get(&output.path).cloned().unwrap_or_default()
                }
            };
            let is_new = self
                .outputs
                .get(&output.path)
                .is_none_or(|old| !Arc::ptr_eq(old, &bytes));
            if is_new && output.path != gazette_publish::MANIFEST_PATH {
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
