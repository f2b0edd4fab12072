//! Reading one page file again without the rest of its site: what the
//! preview and a page-edit publish need to re-render a page alone.

use std::collections::BTreeMap;

use crate::classify::{CollectionSpec, classify};
use crate::file_outcome::FileOutcome;
use crate::front_matter;
use crate::loader::Loader;
use crate::page::{Page, PageBody};
use crate::site::Site;
use crate::{Diagnostic, Diagnostics, Source};

impl Site {
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
            post_style: self.config.post_permalink_style().to_owned(),
        }
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
    /// The site's `permalink` style, which places posts.
    post_style: String,
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
        self.post_style.clone_into(&mut loader.post_style);
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
    /// from `source` when a stored [`LoadCache`](crate::LoadCache) left it there. The file must
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
