//! What a load publishes: the load's options, and Jekyll's rules for
//! unpublished pages and posts dated in the future.

use jiff::civil::Date;

use crate::config::SiteConfig;
use crate::jekyll_paths::PostFileName;
use crate::page::{Page, PageKind};
use crate::{Map, Value};

/// Choices a load makes that the site's files do not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Keep posts dated after `today` even when `_config.yml` does not say
    /// `future: true` (Jekyll's `--future`): a preview of what is scheduled.
    pub future: bool,
    /// Read the posts of `_drafts` folders too (Jekyll's `--drafts`), each
    /// dated by its `date:` or else the day of the build.
    pub drafts: bool,
    /// Keep pages and posts with `published: false` even when `_config.yml`
    /// does not say `unpublished: true` (Jekyll's `--unpublished`).
    pub unpublished: bool,
    /// The site's address, in place of `url` in `_config.yml` (canonical
    /// links, the sitemap and feeds start with it): `https://host[:port]`.
    pub base_url: Option<String>,
    /// `base_url` of the site's `site.toml`: the site's address when
    /// `_config.yml` has no `url` and `base_url` above does not replace it.
    pub fallback_base_url: Option<String>,
    /// The day of the build, which tells future posts; `None` is today.
    pub today: Option<Date>,
}

impl LoadOptions {
    pub(crate) fn today(&self) -> Date {
        self.today.unwrap_or_else(|| {
            let days = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs() / 86_400);
            Date::constant(1970, 1, 1)
                .checked_add(jiff::Span::new().days(days as i64))
                .unwrap_or(Date::MAX)
        })
    }
}

/// Whether front matter says `published: false` (or leaves `published:`
/// empty, which Ruby reads as false too).
pub(crate) fn is_unpublished(data: &Map) -> bool {
    match data.get("published") {
        None => false,
        Some(Value::Null) => true,
        Some(Value::String(flag)) => matches!(flag.trim(), "false" | "no" | "off" | "n"),
        Some(flag) => flag == &Value::Bool(false),
    }
}

/// Jekyll's publisher: pages and documents with `published: false` are not
/// read into the site (unless `unpublished: true` or
/// [`LoadOptions::unpublished`]), and posts dated after
/// the build are not either (unless `future: true` or [`LoadOptions::future`]).
pub(crate) fn leave_out_unpublished(
    pages: &mut Vec<Page>,
    config: &SiteConfig,
    options: &LoadOptions,
    today: Date,
) {
    let keep_unpublished = options.unpublished || config.unpublished();
    let keep_future = options.future || config.future();
    pages.retain(|page| {
        if !keep_unpublished && is_unpublished(&page.data) {
            return false;
        }
        let in_the_future = matches!(page.kind, PageKind::Post { .. })
            && page.date.is_some_and(|date| date > today);
        keep_future || !in_the_future
    });
}

/// A draft's name read as a post's: Jekyll names drafts without a date
/// (`_drafts/new-clinic.md`) and dates them by `date:` or, lacking it, the
/// file's modification time; Gazette, which may read from Git, takes the
/// day of the build instead.
pub(crate) fn draft_post_name(
    file_name: &str,
    written_date: Option<&str>,
    today: Date,
) -> Option<PostFileName> {
    let date = written_date
        .and_then(crate::page::parse_date)
        .unwrap_or(today);
    let mut name = PostFileName::parse(&format!("{date}-{file_name}"))?;
    name.date = date;
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LoadedSite, MemorySource, Site};

    fn load(files: &[(&str, &str)], options: &LoadOptions) -> LoadedSite {
        let mut all = vec![("_config.yml", "title: T\npermalink: none\n")];
        all.extend_from_slice(files);
        let source = MemorySource::from_files(all.iter().map(|(p, c)| (*p, *c)));
        Site::load_with("test", &source, options).expect("a readable site")
    }

    fn urls(loaded: &LoadedSite) -> Vec<(&str, Option<&str>)> {
        let mut urls: Vec<_> = loaded
            .site
            .pages
            .iter()
            .map(|page| (page.source_path.as_str(), page.url()))
            .collect();
        urls.sort();
        urls
    }

    const DRAFTS: [(&str, &str); 4] = [
        ("news/_posts/2024-01-01-past.md", "---\ntitle: Past\n---\n"),
        ("news/_drafts/clinic.md", "---\ntitle: Clinic\n---\n"),
        (
            "news/_drafts/dated.md",
            "---\ntitle: Dated\ndate: 2024-02-02\n---\n",
        ),
        // Jekyll dates drafts, and hides those dated after the build unless --future.
        (
            "_drafts/later.md",
            "---\ntitle: Later\ndate: 2030-01-01\n---\n",
        ),
    ];

    fn on(today: Date) -> LoadOptions {
        LoadOptions {
            today: Some(today),
            ..LoadOptions::default()
        }
    }

    #[test]
    fn jekyll_rule_drafts_are_read_only_with_the_drafts_option() {
        let today = jiff::civil::date(2024, 3, 1);
        let plain = load(&DRAFTS, &on(today));
        assert_eq!(
            urls(&plain),
            [("news/_posts/2024-01-01-past.md", Some("/news/past.html"))]
        );
        assert!(plain.diagnostics.0.is_empty(), "{}", plain.diagnostics);

        let drafts = load(
            &DRAFTS,
            &LoadOptions {
                drafts: true,
                ..on(today)
            },
        );
        assert_eq!(
            urls(&drafts),
            [
                ("news/_drafts/clinic.md", Some("/news/clinic.html")),
                ("news/_drafts/dated.md", Some("/news/dated.html")),
                ("news/_posts/2024-01-01-past.md", Some("/news/past.html")),
            ]
        );
        let dates: Vec<_> = drafts
            .site
            .pages
            .iter()
            .map(|p| (p.title.as_str(), p.date))
            .collect();
        assert!(dates.contains(&("Clinic", Some(today))), "{dates:?}");
        assert!(
            dates.contains(&("Dated", Some(jiff::civil::date(2024, 2, 2)))),
            "{dates:?}"
        );

        let everything = load(
            &DRAFTS,
            &LoadOptions {
                drafts: true,
                future: true,
                ..on(today)
            },
        );
        assert_eq!(urls(&everything).len(), 4);
    }

    #[test]
    fn jekyll_rule_unpublished_option_keeps_published_false_pages() {
        let files = [("pages/hidden.md", "---\ntitle: H\npublished: false\n---\n")];
        assert!(urls(&load(&files, &LoadOptions::default())).is_empty());
        let kept = load(
            &files,
            &LoadOptions {
                unpublished: true,
                ..LoadOptions::default()
            },
        );
        assert_eq!(
            urls(&kept),
            [("pages/hidden.md", Some("/pages/hidden.html"))]
        );
    }

    #[test]
    fn a_base_url_replaces_the_url_of_the_settings() {
        let source =
            MemorySource::from_files([("_config.yml", "title: T\nurl: https://www.old.gov.sg\n")]);
        let options = LoadOptions {
            base_url: Some("https://preview.example.org".to_owned()),
            ..LoadOptions::default()
        };
        let loaded = Site::load_with("test", &source, &options).expect("a readable site");
        assert_eq!(
            loaded.site.config.absolute_base().as_deref(),
            Some("https://preview.example.org")
        );
    }

    #[test]
    fn the_site_toml_address_is_used_only_where_the_settings_have_no_url() {
        let load_base = |config: &str, base_url: Option<&str>| {
            let source = MemorySource::from_files([("_config.yml", config)]);
            let options = LoadOptions {
                base_url: base_url.map(str::to_owned),
                fallback_base_url: Some("https://www.agency.gov.sg".to_owned()),
                ..LoadOptions::default()
            };
            let loaded = Site::load_with("test", &source, &options).expect("a readable site");
            loaded.site.config.absolute_base()
        };
        assert_eq!(
            load_base("title: T\nurl: \"\"\n", None).as_deref(),
            Some("https://www.agency.gov.sg")
        );
        assert_eq!(
            load_base("title: T\nurl: https://www.own.gov.sg\n", None).as_deref(),
            Some("https://www.own.gov.sg"),
            "_config.yml's url wins over site.toml"
        );
        assert_eq!(
            load_base("title: T\n", Some("https://preview.example.org")).as_deref(),
            Some("https://preview.example.org"),
            "--base-url wins over both"
        );
    }
}
