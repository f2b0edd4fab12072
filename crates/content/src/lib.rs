//! The Isomer content model.
//!
//! This crate owns everything Gazette knows about a site's *content*: reading an
//! Isomer v2 site (Jekyll layout, front matter, collections, the resource room,
//! navigation and footer data) through a [`Source`] and turning it into a
//! [`Site`]: pages with their permalinks, collections in order with third-level
//! groups, resource room posts, data files and media.
//!
//! It must not touch Git or the filesystem directly (every byte comes through a
//! [`Source`]), and it writes no HTML: rendering belongs to `gazette-publish`.
//! Every problem found while reading is a [`Diagnostic`] with the file, line,
//! column and a hint, and a load reports all of them at once. It also owns
//! which URLs from a site's data may reach a page ([`is_allowed_url`]) and
//! where each text of a YAML file or front matter is written
//! ([`yaml_texts`], [`front_matter_texts`]), so rules about values can
//! point at their line.
//!
//! ```
//! use gazette_content::{MemorySource, Site};
//!
//! let source = MemorySource::from_files([
//!     ("_config.yml", "title: Example Agency\n"),
//!     ("index.md", "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n"),
//!     ("pages/faq.md", "---\ntitle: FAQ\npermalink: /faq/\n---\nAsk us.\n"),
//! ]);
//! let loaded = Site::load("example", &source).expect("a readable site");
//! assert!(!loaded.diagnostics.has_errors());
//! let faq = loaded.site.page_by_url("/faq/").expect("the FAQ page");
//! assert_eq!(faq.title, "FAQ");
//! ```

mod analytics;
mod classify;
mod collection;
mod collection_order;
mod config;
mod config_reader;
mod data_file;
mod diagnostic;
mod file_outcome;
mod footer;
mod front_matter;
mod includes;
mod jekyll_paths;
mod load_cache;
mod loader;
mod navigation;
mod page;
mod page_reader;
mod pagination;
mod permalink;
mod publishing;
mod redirect_rules;
mod resource_room;
mod site;
mod source;
mod text_places;
mod url_conflicts;
mod url_policy;
mod yaml;

pub use analytics::{
    Analytics, GOOGLE_ANALYTICS_SETTINGS, RefusalReason, RefusedAnalyticsId, is_measurement_id,
};
pub use collection::{Collection, CollectionEntry};
pub use config::{SiteConfig, string_list};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use front_matter::{FrontMatter, head_of};
pub use includes::resolve_relative_include;
pub use load_cache::LoadCache;
pub use navigation::{NavLink, NavSublink, Navigation};
pub use page::{BodyVariant, Page, PageBody, PageKind, PostKind, has_liquid};
pub use page_reader::PageReader;
pub use pagination::Pagination;
pub use permalink::{
    MAX_PATH_BYTES, MAX_SEGMENT_BYTES, Permalink, PermalinkError, RESERVED_PREFIX, percent_decode,
    slugify_pretty,
};
pub use publishing::LoadOptions;
pub use redirect_rules::{RedirectRule, exact_redirect_rules};
pub use resource_room::{Category, ResourceRoom};
pub use site::{LoadedSite, Site, StaticFile, StyleSheet};
pub use source::{MemorySource, Source, SourceError};
pub use text_places::{YamlText, front_matter_texts, yaml_texts};
pub use url_policy::{
    ALLOWED_SCHEMES, INERT_URL, decode_character_references, is_allowed_url, is_css_color,
    safe_url, url_scheme,
};

/// A YAML or JSON-like value as read from front matter and data files; unknown
/// keys are kept so that templates and Liquid can read them.
pub type Value = serde_json::Value;

/// A mapping of string keys to values, in the order they were written.
pub type Map = serde_json::Map<String, Value>;

/// Front matter as JSON text inside a stored [`LoadCache`]: the cache's
/// compact binary format cannot hold self-describing values directly.
mod json_text {
    use serde::{Deserialize as _, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(map: &crate::Map, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(map).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<crate::Map, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        serde_json::from_str(text).map_err(D::Error::custom)
    }
}
