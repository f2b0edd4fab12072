//! The files Liquid's include tags read: `_includes/`, and the files a page
//! names in `{% include_relative NAME %}`.
//!
//! Jekyll reads such a file at render time, relative to the folder of the
//! page being rendered. A render here has no files but the loaded site, so
//! the loader finds the names while it reads each page (they are kept with
//! the page, also in the stored cache, where the body is not) and reads the
//! files with the rest of the site. A name computed by Liquid
//! (`{% include_relative {{ x }} %}`) cannot be known before the render;
//! the render reports it.

use std::collections::{BTreeMap, BTreeSet};

use crate::loader::Loader;
use crate::page::Page;

impl Loader<'_> {
    /// `_includes/`: the text of every file, by its path inside the folder,
    /// for Liquid's `{% include %}`.
    pub(crate) fn read_includes(&mut self, paths: &[String]) -> BTreeMap<String, String> {
        paths
            .iter()
            .filter_map(|path| {
                let name = path.strip_prefix("_includes/")?;
                let file = self.read_text(path)?;
                Some((name.to_owned(), file.text))
            })
            .collect()
    }

    /// The files pages name in `{% include_relative %}`, by site path; one
    /// that is missing is left to the render, which reports it at its line.
    pub(crate) fn read_relative_includes(&mut self, pages: &[Page]) -> BTreeMap<String, String> {
        let paths: BTreeSet<&String> = pages.iter().flat_map(|p| &p.relative_includes).collect();
        paths
            .into_iter()
            .filter(|path| self.source.version(path).is_some())
            .filter_map(|path| Some((path.clone(), self.read_text(path)?.text)))
            .collect()
    }
}

/// The site paths a page body includes with a literal name, in order, each
/// once. `page_path` is the page's own path in the site. Names that climb
/// out of the page's folder (`..`), or start at the root, are left out:
/// Jekyll refuses them, and the render reports them.
pub(crate) fn named_in(page_path: &str, body: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    // Most bodies hold no tag: one quick scan says so.
    if memchr::memmem::find(body.as_bytes(), b"{%").is_none() {
        return found;
    }
    let mut rest = body;
    while let Some(start) = rest.find("{%") {
        rest = &rest[start + 2..];
        let markup = rest.trim_start_matches('-').trim_start();
        let Some(after) = markup.strip_prefix("include_relative") else {
            continue;
        };
        if !after.starts_with(char::is_whitespace) {
            continue;
        }
        let name = after
            .trim_start()
            .split(|c: char| c.is_whitespace() || c == '%')
            .next()
            .unwrap_or("")
            .trim_end_matches('-');
        if name.is_empty() || name.starts_with("{{") {
            continue;
        }
        if let Some(path) = resolve_relative_include(page_path, name)
            && !found.contains(&path)
        {
            found.push(path);
        }
    }
    found
}

/// The site path `name` names from the page at `page_path`, as Jekyll
/// resolves `include_relative`: inside the page's folder, never above it.
pub fn resolve_relative_include(page_path: &str, name: &str) -> Option<String> {
    let name = name.trim_matches(|c| c == '"' || c == '\'');
    if name.is_empty() || name.starts_with('/') || name.contains('\\') {
        return None;
    }
    let mut segments: Vec<&str> = match page_path.rsplit_once('/') {
        Some((folder, _)) => folder.split('/').collect(),
        None => Vec::new(),
    };
    for segment in name.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            segment => segments.push(segment),
        }
    }
    Some(segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jekyll_include_relative_resolves_from_the_page_folder() {
        let body =
            "a {% include_relative parts/intro.md %} b {%- include_relative note.html x=\"1\" -%}";
        assert_eq!(
            named_in("pages/about/index.md", body),
            ["pages/about/parts/intro.md", "pages/about/note.html"]
        );
        assert_eq!(named_in("index.md", "{%include_relative a.md%}"), ["a.md"]);
    }

    #[test]
    fn jekyll_include_relative_refuses_names_above_the_page_folder() {
        assert!(named_in("pages/a.md", "{% include_relative ../secret.md %}").is_empty());
        assert!(named_in("pages/a.md", "{% include_relative /etc/passwd %}").is_empty());
        assert!(named_in("pages/a.md", "{% include_relative x/../../y %}").is_empty());
    }

    #[test]
    fn computed_names_and_other_tags_are_not_files() {
        let body =
            "{% include_relative {{ page.part }} %}{% include x.html %}{% include_relatives y %}";
        assert!(named_in("pages/a.md", body).is_empty());
    }

    #[test]
    fn each_file_is_named_once() {
        let body = "{% include_relative a.md %}{% include_relative ./a.md %}";
        assert_eq!(named_in("p/x.md", body), ["p/a.md"]);
    }
}
