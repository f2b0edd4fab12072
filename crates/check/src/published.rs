//! What a site publishes: every output file, the element ids of its pages
//! and the paths `_redirects` answers, so a link can be looked up the way a
//! static host would serve it.

use std::collections::{HashMap, HashSet};

use gazette_render::RenderedSite;

use crate::locate::SourceTexts;
use crate::scan::PageScan;

/// How a path of the site is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Served {
    /// By this output file (`about/index.html`).
    File(String),
    /// By a rule of `_redirects`.
    Redirect,
}

/// The files and redirects of a rendered site.
pub(crate) struct Published {
    /// Output paths, `/`-separated, without a leading `/`, percent-decoded.
    files: HashSet<String>,
    /// Lowercased output path to the real one, for "did you mean" hints.
    by_lowercase: HashMap<String, String>,
    /// Output path of each scanned page to its index in the scans.
    pages: HashMap<String, usize>,
    /// The `FROM` patterns of `_redirects`.
    redirects: Vec<Vec<String>>,
    /// Redirect pages by output path, with the address each sends readers to.
    redirect_pages: HashMap<String, String>,
}

impl Published {
    pub fn new(rendered: &RenderedSite, scans: &[ScannedPage<'_>], texts: &SourceTexts) -> Self {
        let files: HashSet<String> = rendered.outputs.iter().map(|o| o.path.clone()).collect();
        let by_lowercase = files
            .iter()
            .map(|path| (path.to_lowercase(), path.clone()))
            .collect();
        let pages = scans
            .iter()
            .enumerate()
            .map(|(index, scan)| (scan.output_path.clone(), index))
            .collect();
        let redirects = texts
            .get("_redirects")
            .map(redirect_sources)
            .unwrap_or_default();
        let redirect_pages = rendered
            .manifest
            .redirects
            .iter()
            .map(|(path, to)| (path.clone(), to.clone()))
            .collect();
        Self {
            files,
            by_lowercase,
            pages,
            redirects,
            redirect_pages,
        }
    }

    /// How an absolute, decoded URL path is served, if it is: the file
    /// itself, `index.html` inside it, or `.html` added (as static hosts
    /// with pretty URLs do), or a redirect.
    pub fn serve(&self, path: &str) -> Option<Served> {
        if let Some(found) = self.serve_file(path) {
            // A redirect page serves a link only when its target is served
            // (one step: a page never redirects to another redirect page).
            return match self.redirect_pages.get(&found) {
                Some(to) if to.starts_with('/') => {
                    let target = to.split(['#', '?']).next().unwrap_or(to);
                    let decoded = gazette_content::percent_decode(target);
                    let served = self.serve_file(&decoded)?;
                    (!self.redirect_pages.contains_key(&served)).then_some(Served::Redirect)
                }
                Some(_) => Some(Served::Redirect),
                None => Some(Served::File(found)),
            };
        }
        self.redirects
            .iter()
            .any(|pattern| redirect_matches(pattern, path))
            .then_some(Served::Redirect)
    }

    /// The file an absolute, decoded URL path is served from, if any.
    fn serve_file(&self, path: &str) -> Option<String> {
        let relative = path.trim_start_matches('/');
        let candidates = if relative.is_empty() {
            vec!["index.html".to_owned()]
        } else if relative.ends_with('/') {
            vec![format!("{relative}index.html")]
        } else {
            vec![
                relative.to_owned(),
                format!("{relative}/index.html"),
                format!("{relative}.html"),
            ]
        };
        candidates.into_iter().find(|c| self.files.contains(c))
    }

    /// A published path that differs from `path` only in letter case.
    pub fn same_but_for_case(&self, path: &str) -> Option<&str> {
        let relative = path.trim_start_matches('/').to_lowercase();
        let candidates = [
            relative.clone(),
            format!("{}/index.html", relative.trim_end_matches('/')),
        ];
        candidates
            .iter()
            .find_map(|c| self.by_lowercase.get(c))
            .map(String::as_str)
    }

    /// The scan of the page written to this output path.
    pub fn page(&self, output_path: &str) -> Option<usize> {
        self.pages.get(output_path).copied()
    }
}

/// The `FROM` path of each rule in a `_redirects` file, split into segments.
fn redirect_sources(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|line| line.starts_with('/'))
        .filter_map(|line| line.split_whitespace().next())
        .map(segments)
        .collect()
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Netlify's matching: `*` at the end matches the rest, `:name` one segment.
fn redirect_matches(pattern: &[String], path: &str) -> bool {
    let path = segments(path);
    let mut index = 0;
    for part in pattern {
        if part == "*" {
            return true;
        }
        let Some(segment) = path.get(index) else {
            return false;
        };
        if !part.starts_with(':') && part != segment {
            return false;
        }
        index += 1;
    }
    index == path.len()
}

/// One rendered page and what it holds: scanned by this check, or its scan
/// read in the state of the last (`'a`).
pub(crate) struct ScannedPage<'a> {
    /// Its output path (`about/index.html`).
    pub output_path: String,
    /// The URL it is served at (`/about/`).
    pub url: String,
    /// The page's source file, when it has one.
    pub origin: Option<String>,
    /// Its links, images and ids.
    pub scan: PageScan<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_rules_match_exact_paths_placeholders_and_splats() {
        let rules = redirect_sources(
            "# comment\n/old-page /new-page/ 301\n/news/:year/* /news/ 302\n\n/blog/* https://blog.example 301\n",
        );
        let matches = |path: &str| rules.iter().any(|r| redirect_matches(r, path));
        assert!(matches("/old-page"));
        assert!(matches("/old-page/"));
        assert!(matches("/news/2020/anything/here"));
        assert!(matches("/blog/x"));
        assert!(!matches("/old-page/child"));
        assert!(!matches("/news"));
    }
}
