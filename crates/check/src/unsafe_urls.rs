//! Unsafe URLs: a URL the theme takes from settings, data or front matter
//! whose scheme is outside the allowlist (`javascript:`, `data:`, however
//! spelled). The theme already writes `#` in its place
//! (`gazette_content::safe_url`); the finding tells the author, at the line,
//! that the link is dead and was never legitimate.

use gazette_content::{YamlText, front_matter_texts, is_allowed_url, url_scheme, yaml_texts};

use crate::files::FileFinding;
use crate::locate::Position;
use crate::rule::Rule;

/// The data files whose URLs the theme writes into every page.
const DATA_FILES: [&str; 3] = ["_config.yml", "_data/navigation.yml", "_data/footer.yml"];

/// The keys whose text the theme (or Isomer's layouts) reads as a URL:
/// navigation and footer links, homepage section buttons and images, link
/// and file posts, contact pages, and the site's images.
const URL_KEYS: &[&str] = &[
    "url",
    "link_url",
    "permalink",
    "external",
    "file_url",
    "image",
    "background",
    "logo",
    "favicon",
    "shareicon",
    "contact_us",
    "feedback",
    "faq",
    "privacy_policy",
    "terms_of_use",
    "map",
];

/// A mapping whose every value is a link (`social_media: {facebook: …}`).
const LINK_MAPS: &[&str] = &["social_media"];

/// The unsafe URLs of one source file: in the settings, navigation and
/// footer, and in a page's front matter (`as_page`).
pub(crate) fn file_findings(path: &str, text: &str, as_page: bool) -> Vec<FileFinding> {
    let mut found = Vec::new();
    if DATA_FILES.contains(&path) {
        found.extend(unsafe_texts(yaml_texts(text)));
    }
    if as_page {
        found.extend(unsafe_texts(front_matter_texts(text)));
    }
    found
        .into_iter()
        .map(|text| {
            let key = text.keys.join(".");
            let scheme = url_scheme(&text.value).unwrap_or_default();
            FileFinding {
                rule: Rule::UnsafeUrl,
                position: Position {
                    line: text.line,
                    column: text.column,
                },
                message: format!(
                    "`{key}` is a `{scheme}:` URL, which a page must never follow: the theme writes `#` instead"
                ),
                hint: "write an `https://` address or a path on this site such as `/about/`; links may use http, https, mailto or tel".to_owned(),
            }
        })
        .collect()
}

/// The texts at URL keys whose scheme the allowlist refuses.
fn unsafe_texts(texts: Vec<YamlText>) -> impl Iterator<Item = YamlText> {
    texts.into_iter().filter(|text| {
        let is_url = text
            .keys
            .last()
            .is_some_and(|key| URL_KEYS.contains(&key.as_str()))
            || text
                .keys
                .iter()
                .any(|key| LINK_MAPS.contains(&key.as_str()));
        is_url && !is_allowed_url(&text.value)
    })
}
