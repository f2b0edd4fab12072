//! Pages at old addresses that send readers on: jekyll-redirect-from's
//! `redirect_from:` front matter, and the exact rules of `_redirects`
//! (hosts that read that file follow the rest). Each is written through the
//! theme's `link` layout, the one link posts use: a `<meta http-equiv=
//! "refresh">` and a canonical link to the target, which pass the scheme
//! allowlist like every URL in an attribute. A redirect never replaces a
//! file the site writes itself: Jekyll warns of the conflict, and so does
//! Gazette.

use std::collections::HashMap;

use gazette_content::{
    BodyVariant, Diagnostic, Map, Page, PageBody, PageKind, Permalink, Site, Value, is_allowed_url,
    string_list,
};

/// A page to write at an old address.
pub(crate) struct Redirect {
    /// The old address.
    pub from: Permalink,
    /// Where readers go as written: a path of the site or another site's
    /// URL. The page refreshes to it as it is, so it works on any host and
    /// in the preview; its canonical link is absolute.
    pub target: String,
    /// The title the page shows (the target page's, when it is one).
    pub title: String,
    /// The file that asked for it (a page, or `_redirects`).
    pub origin: String,
}

/// Every redirect the site asks for, with a warning for each that cannot be
/// written (an old address no file can hold, a target outside the allowlist).
pub(crate) fn redirects_of(site: &Site) -> (Vec<Redirect>, Vec<Diagnostic>) {
    let mut redirects = Vec::new();
    let mut warnings = Vec::new();
    let mut warn = |origin: &str, line: u32, message: String| {
        let mut diagnostic = Diagnostic::tolerated(&site.name, origin, "redirect", message)
            .with_hint("write the old address as a path of this site, such as `/old-page/`");
        diagnostic.line = Some(line);
        warnings.push(diagnostic);
    };
    for page in site.pages.iter().filter(|p| p.published) {
        let Some(url) = page.url() else { continue };
        for from in string_list(page.data.get("redirect_from")) {
            let from = from.trim();
            let path = if from.starts_with('/') {
                from.to_owned()
            } else {
                format!("/{from}")
            };
            match Permalink::parse(&path) {
                Ok(permalink) => redirects.push(Redirect {
                    from: permalink,
                    target: url.to_owned(),
                    title: page.title.clone(),
                    origin: page.source_path.clone(),
                }),
                Err(error) => warn(
                    &page.source_path,
                    page.line_of("redirect_from"),
                    format!("`redirect_from: {from}` is not written: the address {error}"),
                ),
            }
        }
    }
    for rule in &site.redirect_rules {
        // Other hosts serve only HTML files as pages; other old addresses
        // (`/Pages/Home.aspx`) are for hosts that read `_redirects`.
        let Ok(permalink) = Permalink::parse(&rule.from) else {
            continue;
        };
        let output = permalink.output_path();
        if !(output.ends_with(".html") || output.ends_with(".htm")) {
            continue;
        }
        if !is_allowed_url(&rule.to) {
            warn(
                "_redirects",
                rule.line,
                format!(
                    "the redirect to `{}` is not written: its scheme is not allowed",
                    rule.to
                ),
            );
            continue;
        }
        redirects.push(Redirect {
            from: permalink,
            target: rule.to.clone(),
            title: "Page moved".into(),
            origin: "_redirects".into(),
        });
    }
    (redirects, warnings)
}

impl Redirect {
    /// The page the theme's `link` layout renders for it.
    pub(crate) fn page(&self) -> Page {
        let mut data = Map::new();
        data.insert("moved".into(), Value::Bool(true));
        Page {
            source_path: self.origin.clone(),
            content_id: String::new(),
            kind: PageKind::Simple,
            data,
            key_lines: Vec::new(),
            title: self.title.clone(),
            layout: "link".into(),
            permalink: Some(self.from.clone()),
            variant: BodyVariant::Markdown,
            body: PageBody::Text(String::new()),
            body_line: 1,
            date: None,
            third_nav_title: None,
            published: true,
            external_url: None,
            redirect_to: Some(self.target.clone()),
            file_url: None,
            relative_includes: Vec::new(),
        }
    }
}

/// The warning for a redirect whose old address is a file the site writes
/// itself, which stays (Jekyll reports the conflict the same way).
pub(crate) fn over_a_file(
    site: &Site,
    redirect: &Redirect,
    path: &str,
    written_by: &HashMap<String, String>,
) -> Diagnostic {
    let by = written_by.get(path).map_or("another file", String::as_str);
    Diagnostic::tolerated(
        &site.name,
        &redirect.origin,
        "url-conflict",
        format!(
            "the redirect from `{}` is not written: `{path}` is `{by}`'s, which stays",
            redirect.from
        ),
    )
    .with_hint("remove the old address from `redirect_from` or `_redirects`, or move the page")
}
