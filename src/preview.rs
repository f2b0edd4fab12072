//! What previews show beyond what is published, and the address a site is
//! rendered for: the flags `build`, `serve` and `publish` share.

use gazette_content::LoadOptions;

/// Jekyll's preview flags, for `build` and `serve`. `publish` never takes
/// them: what it publishes is what readers may see.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct PreviewArgs {
    /// Render the posts in `_drafts/` folders too, dated by their `date:` or
    /// else today (Jekyll's `--drafts`).
    #[arg(long)]
    pub drafts: bool,
    /// Render posts dated after today too (Jekyll's `--future`).
    #[arg(long)]
    pub future: bool,
    /// Render pages and posts with `published: false` too (Jekyll's
    /// `--unpublished`).
    #[arg(long)]
    pub unpublished: bool,
}

impl PreviewArgs {
    /// Whether any flag asks for what is not published.
    pub fn any(self) -> bool {
        self.drafts || self.future || self.unpublished
    }

    /// How sites load with these flags and `base_url`.
    pub fn load_options(self, base_url: Option<&BaseUrl>) -> LoadOptions {
        LoadOptions {
            drafts: self.drafts,
            future: self.future,
            unpublished: self.unpublished,
            base_url: base_url.map(|url| url.0.clone()),
            fallback_base_url: None,
            today: None,
        }
    }
}

/// A site's address given with `--base-url`: `http(s)://host[:port]`, in
/// place of `url` in `_config.yml` for canonical links, `og:url`, the
/// sitemap and feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(pub String);

impl std::str::FromStr for BaseUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let example = "such as https://www.agency.gov.sg or http://localhost:8080";
        let url = url::Url::parse(text).map_err(|error| {
            format!("`{text}` is not an absolute URL ({error}): give the site's address, {example}")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "`{text}` uses `{}:`, not a web address: start it with http:// or https://, {example}",
                url.scheme()
            ));
        }
        if url.host().is_none() {
            return Err(format!("`{text}` names no host: {example}"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "`{text}` holds a user name or password, which would be written into every page: \
                 give the address alone, {example}"
            ));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "`{text}` has a path, query or fragment: give the host alone, {example} \
                 (a site under a folder keeps `baseurl` in its _config.yml)"
            ));
        }
        Ok(Self(url.origin().ascii_serialization()))
    }
}
