//! `_config.yml`: the site's settings, typed where Gazette needs them and kept
//! whole for templates and Liquid (`site.*`).

use crate::{Map, Value};

/// A site's `_config.yml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteConfig {
    /// Every key as written, unknown ones included.
    pub raw: Map,
}

impl SiteConfig {
    /// Wraps a parsed `_config.yml`.
    pub fn new(raw: Map) -> Self {
        Self { raw }
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.raw.get(key).and_then(Value::as_str).map(str::trim)
    }

    /// The site's title.
    pub fn title(&self) -> &str {
        self.text("title").unwrap_or("")
    }

    /// The folder of the resource room, if the site has one.
    pub fn resources_name(&self) -> Option<&str> {
        self.text("resources_name")
            .map(|name| name.trim_matches('/'))
            .filter(|name| !name.is_empty())
    }

    /// Posts per listing page (Isomer's default is 12).
    pub fn paginate(&self) -> usize {
        match self.raw.get("paginate") {
            Some(Value::Number(n)) => n.as_u64().map_or(12, |n| n.max(1) as usize),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(12),
            _ => 12,
        }
    }

    /// Whether the site shows the government masthead.
    pub fn is_government(&self) -> bool {
        truthy(self.raw.get("is_government"))
    }

    /// Paths Jekyll was told to leave out of the site.
    pub fn exclude(&self) -> Vec<String> {
        string_list(self.raw.get("exclude"))
    }

    /// Paths Jekyll was told to read although `exclude` or their name
    /// (`_redirects`) would leave them out.
    pub fn include(&self) -> Vec<String> {
        string_list(self.raw.get("include"))
    }

    /// Whether posts dated after the build are published (`future: true`;
    /// Jekyll's default is not to).
    pub fn future(&self) -> bool {
        truthy(self.raw.get("future"))
    }

    /// Whether pages with `published: false` are published anyway
    /// (`unpublished: true`, Jekyll's `--unpublished`).
    pub fn unpublished(&self) -> bool {
        truthy(self.raw.get("unpublished"))
    }

    /// The site's permalink style for posts (`permalink`: `none`, `date`,
    /// `pretty`, `ordinal` or a pattern); Jekyll's default is `date`.
    pub fn post_permalink_style(&self) -> &str {
        self.text("permalink").unwrap_or("date")
    }

    /// Collections declared in `_config.yml` (older sites), by name.
    pub fn declared_collections(&self) -> Option<&Map> {
        self.raw.get("collections").and_then(Value::as_object)
    }
}

impl SiteConfig {
    /// The site's published address (`url`, with `baseurl` after it), with
    /// no trailing `/`: what absolute URLs (canonical links, the sitemap,
    /// feeds) start with. Only an `http` or `https` address with a host
    /// counts; anything else is as if the site had none.
    pub fn absolute_base(&self) -> Option<String> {
        let url = self.text("url")?.trim_end_matches('/');
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let valid_host =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
        if host.is_empty() || !host.chars().all(valid_host) {
            return None;
        }
        let base = self.text("baseurl").unwrap_or("").trim_matches('/');
        let base_ok = base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '~'));
        Some(match base {
            "" => url.to_owned(),
            _ if base_ok => format!("{url}/{base}"),
            _ => url.to_owned(),
        })
    }

    /// Takes `address` (`base_url` in the site's `site.toml`) as the site's
    /// `url` when `_config.yml` gives none that [`Self::absolute_base`]
    /// accepts, so canonical links, the sitemap and feeds have an address.
    /// Liquid's `site.url` shows it too, as it would had `_config.yml` said it.
    pub fn use_address_if_unset(&mut self, address: &str) {
        if self.absolute_base().is_none() && !address.trim().is_empty() {
            self.raw
                .insert("url".into(), Value::String(address.trim().to_owned()));
        }
    }

    /// The language of the site's pages (`lang`, Jekyll's and jekyll-seo-tag's
    /// setting), `en` when it has none or it is not a language tag.
    pub fn lang(&self) -> &str {
        self.text("lang")
            .filter(|tag| is_language_tag(tag))
            .unwrap_or("en")
    }

    /// Whether `_config.yml` lists the Jekyll plugin `name` under `plugins`
    /// (or `gems`, its older name). A site whose settings list no plugins at
    /// all is Gazette's own, and gets what the plugins would write.
    pub fn has_plugin(&self, name: &str) -> bool {
        let listed: Vec<String> = ["plugins", "gems"]
            .iter()
            .flat_map(|key| string_list(self.raw.get(*key)))
            .collect();
        let declared = ["plugins", "gems"]
            .iter()
            .any(|key| self.raw.contains_key(*key));
        !declared || listed.iter().any(|plugin| plugin.trim() == name)
    }
}

/// Whether `tag` looks like a BCP 47 language tag (`en`, `zh-Hans-SG`):
/// letters and digits in parts of one to eight, joined by `-` or `_`.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Settings of real Isomer sites that ask for a script from another host,
/// which Gazette's theme never adds (see [`SiteConfig::unsupported_settings`]).
/// Google Analytics and WOGAA are honoured (see [`SiteConfig::analytics`]).
const THIRD_PARTY_SETTINGS: &[(&str, &str)] = &[
    ("facebook-pixel", "the Facebook pixel"),
    ("linkedin-insights", "LinkedIn's Insight Tag"),
    ("vica", "the VICA chatbot"),
];

impl SiteConfig {
    /// The settings this site gives a value that Gazette does not honour,
    /// with what each asks for: the Isomer theme loaded these scripts from
    /// other hosts; Gazette's pages load none of them.
    pub fn unsupported_settings(&self) -> Vec<(&'static str, &'static str)> {
        THIRD_PARTY_SETTINGS
            .iter()
            .copied()
            .filter(|(key, _)| match self.raw.get(*key) {
                Some(Value::String(text)) => !text.trim().is_empty(),
                Some(Value::Bool(on)) => *on,
                Some(Value::Null) | None => false,
                Some(_) => true,
            })
            .collect()
    }
}

/// YAML 1.1 truthiness as Jekyll saw it: `true`, `yes`, `on`.
pub(crate) fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "on" | "y"
        ),
        _ => false,
    }
}

/// A list of strings (numbers read as text), or one string, as a list: how
/// settings and front matter write lists such as `exclude` or `tags`.
pub fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Settings from `_config.yml` text, for tests.
    pub(crate) fn config(yaml: &str) -> SiteConfig {
        match crate::yaml::parse(yaml) {
            Ok(Value::Object(map)) => SiteConfig::new(map),
            _ => panic!("test settings must parse"),
        }
    }

    #[test]
    fn site_toml_address_is_used_only_when_config_has_no_usable_url() {
        for yaml in ["title: T\n", "url: \"\"\n", "url: ftp://x.gov.sg\n"] {
            let mut settings = config(yaml);
            settings.use_address_if_unset("https://www.x.gov.sg/");
            assert_eq!(
                settings.absolute_base().as_deref(),
                Some("https://www.x.gov.sg"),
                "{yaml}"
            );
        }
        let mut own = config("url: https://own.gov.sg\nbaseurl: /docs\n");
        own.use_address_if_unset("https://www.x.gov.sg");
        assert_eq!(
            own.absolute_base().as_deref(),
            Some("https://own.gov.sg/docs")
        );
    }
}
