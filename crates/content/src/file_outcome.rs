//! What reading one file of a site produced: the unit the loader hands
//! back and the load cache keeps.

use crate::front_matter::FrontMatter;
use crate::page::Page;
use crate::site::{StaticFile, StyleSheet};

/// What one file of the site turned out to be.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) enum FileOutcome {
    Page(Box<Page>),
    Static(StaticFile),
    StyleSheet(StyleSheet),
    Layout(String, FrontMatter),
    /// A Sass partial's path and text.
    SassPartial(String, String),
    Nothing,
}
