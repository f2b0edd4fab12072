//! A whole site as the loader read it: pages, collections, the resource
//! room, data, media and stylesheets.
//!
//! The model only; reading it from a [`Source`](crate::Source) is the
//! loader's job (`loader.rs`), and where each file belongs is decided in
//! `classify.rs`.

use std::collections::BTreeMap;

use crate::collection::Collection;
use crate::config::SiteConfig;
use crate::front_matter::FrontMatter;
use crate::navigation::Navigation;
use crate::page::{Page, PageKind};
use crate::resource_room::ResourceRoom;
use crate::{Diagnostic, Diagnostics, Map, Source, Value};

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
    /// The site's Sass partials (`_sass/…`, Jekyll's `sass_dir`) by path: the
    /// only files a stylesheet can import.
    pub sass_partials: BTreeMap<String, String>,
    /// The site's Liquid include files (`_includes/<path>`) by path.
    pub includes: BTreeMap<String, String>,
    /// The files pages include with `{% include_relative %}`, by site path.
    pub relative_includes: BTreeMap<String, String>,
    /// The exact rules of `_redirects`, which are written as redirect pages too.
    pub redirect_rules: Vec<crate::RedirectRule>,
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

impl Site {
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
