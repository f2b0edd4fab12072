//! Listing pages as the jekyll-paginate plugin writes them: `page2/`,
//! `page3/`, … beside one `index.html`, when the site asks for the plugin.
//!
//! The Isomer theme lists every post on its resource room page (the reader's
//! browser shows them a page at a time), so these extra pages repeat that
//! listing at the URLs jekyll-paginate gives them; links to them from other
//! sites and search engines keep working.

use crate::config::string_list;
use crate::{PageKind, Site, Value};

/// The extra listing pages of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// The page repeated at every extra URL, by index into the site's pages.
    pub template: usize,
    /// How many listing pages there are, the template's own included.
    pub pages: usize,
    /// `paginate_path`, with `:num` where the page number goes.
    path: String,
}

impl Pagination {
    /// The pagination jekyll-paginate would write for `site`, if any: the
    /// plugin is listed in `plugins` (or the older `gems`), `paginate` is set,
    /// and an `index.html` page sits in the folder of `paginate_path` or above
    /// it (the deepest such page is the template). The number of pages counts
    /// every post of the site, as the plugin does.
    pub fn of(site: &Site) -> Option<Self> {
        let raw = &site.config.raw;
        let listed = ["plugins", "gems"]
            .iter()
            .flat_map(|key| string_list(raw.get(*key)))
            .any(|plugin| plugin.trim() == "jekyll-paginate");
        if !listed {
            return None;
        }
        let per_page = match raw.get("paginate")? {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        if per_page == 0 {
            return None;
        }
        let path = raw
            .get("paginate_path")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|path| !path.is_empty())
            .unwrap_or("/page:num");
        let path = format!("/{}", path.trim_start_matches('/'));
        let folder = parent_folder(&path);
        let template = site
            .pages
            .iter()
            .enumerate()
            .filter(|(_, page)| page.published && page.permalink.is_some())
            .filter_map(|(index, page)| {
                let page_folder = page.source_path.strip_suffix("index.html")?;
                let page_folder = page_folder.trim_end_matches('/');
                let in_hierarchy = page_folder.is_empty()
                    || folder == page_folder
                    || folder.starts_with(&format!("{page_folder}/"));
                in_hierarchy.then_some((index, page_folder.len()))
            })
            .max_by_key(|(_, depth)| *depth)?
            .0;
        let posts = site
            .pages
            .iter()
            .filter(|page| page.published && matches!(page.kind, PageKind::Post { .. }))
            .count() as u64;
        let pages = usize::try_from(posts.div_ceil(per_page)).ok()?;
        Some(Self {
            template,
            pages,
            path,
        })
    }

    /// The URL of listing page `number` (from 2: page 1 is the template's
    /// own URL), as jekyll-paginate writes it: a folder.
    pub fn url(&self, number: usize) -> String {
        let url = self.path.replace(":num", &number.to_string());
        format!("{}/", url.trim_end_matches('/'))
    }
}

/// The folder of a site path, without slashes at either end (`""` for the
/// site's root).
fn parent_folder(path: &str) -> &str {
    let path = path.trim_matches('/');
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemorySource;

    /// A site with a resource room `media` holding five posts.
    fn site(config: &str, extra: &[(&str, &str)]) -> Site {
        let mut files: Vec<(String, String)> = vec![
            ("_config.yml".into(), config.into()),
            (
                "media/index.html".into(),
                "---\nlayout: resources\ntitle: Media\n---\n".into(),
            ),
        ];
        files.extend((1..=5).map(|day| {
            (
                format!("media/news/_posts/2024-01-0{day}-news.md"),
                format!("---\ntitle: News {day}\n---\nText."),
            )
        }));
        files.extend(
            extra
                .iter()
                .map(|(path, text)| (path.to_string(), text.to_string())),
        );
        let source = MemorySource::from_files(files);
        Site::load("site", &source).expect("the site loads").site
    }

    const PAGINATED: &str = "title: T\nresources_name: media\npaginate: 2\npaginate_path: /media/page:num\nplugins:\n  - jekyll-paginate\n";

    #[test]
    fn jekyll_paginate_repeats_the_listing_for_every_page_of_posts() {
        let site = site(PAGINATED, &[]);
        let pagination = Pagination::of(&site).expect("the site paginates");
        assert_eq!(
            site.pages[pagination.template].source_path,
            "media/index.html"
        );
        assert_eq!(pagination.pages, 3, "5 posts, 2 a page");
        assert_eq!(pagination.url(2), "/media/page2/");
    }

    #[test]
    fn without_the_plugin_listed_jekyll_writes_no_extra_pages() {
        let config = PAGINATED.replace("plugins:\n  - jekyll-paginate\n", "");
        assert_eq!(Pagination::of(&site(&config, &[])), None);
    }

    #[test]
    fn the_default_path_uses_the_root_index_html_and_a_markdown_index_is_no_template() {
        let config = "title: T\npaginate: 2\ngems: [jekyll-paginate]\n";
        let markdown_home = site(config, &[("index.md", "---\nlayout: homepage\n---\n")]);
        assert_eq!(
            Pagination::of(&markdown_home),
            None,
            "index.md is not index.html"
        );
        let with_root = site(config, &[("index.html", "---\ntitle: Home\n---\n")]);
        let pagination = Pagination::of(&with_root).expect("the root index.html paginates");
        assert_eq!(
            with_root.pages[pagination.template].source_path,
            "index.html"
        );
        assert_eq!(pagination.url(3), "/page3/");
    }
}
