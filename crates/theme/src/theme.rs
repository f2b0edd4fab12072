//! A loaded theme chain: one Tera environment and the merged static assets.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use gazette_content::Source;

use crate::chain::resolve_chain;

/// Everything that can go wrong while loading or rendering a theme.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// A theme (or a parent named by `extends`) does not exist.
    #[error("theme `{name}` not found in {themes}{}", wanted_by.as_ref().map(|c| format!(" (`{c}` extends it)")).unwrap_or_default())]
    Missing {
        /// The theme asked for.
        name: String,
        /// The child theme that named it, if any.
        wanted_by: Option<String>,
        /// Where themes were looked for.
        themes: String,
    },
    /// `extends` loops back on itself.
    #[error("theme inheritance loops: {0}")]
    Cycle(String),
    /// `theme.toml` is malformed.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest's path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A theme file could not be read.
    #[error("{path}: {message}")]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A template does not parse, or failed while rendering.
    #[error("template error: {0}")]
    Template(String),
}

/// A static file of a theme, published at the same path under the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticAsset {
    /// Where it goes, relative to the output root.
    pub output_path: String,
    /// The theme it comes from.
    pub theme: String,
    /// Its bytes.
    pub contents: Vec<u8>,
}

/// A theme chain ready to render: site overrides, then the theme, then its
/// parents, each template taken from the first layer that has it.
pub struct Theme {
    tera: tera::Tera,
    /// The length of the largest render so far (at most [`MAX_RENDER_HINT`]),
    /// the capacity the next starts with.
    largest_render: AtomicUsize,
    fingerprint: String,
    chain: Vec<String>,
    layouts: BTreeSet<String>,
    aliases: BTreeMap<String, String>,
    assets: Vec<StaticAsset>,
    includes: BTreeMap<String, String>,
}

/// The filter templates pass author-written HTML through (contact fields,
/// for instance): `{{ value | content_html }}`. Until the renderer installs
/// its sanitiser with [`Theme::set_html_sanitizer`], it shows the text alone.
pub const CONTENT_HTML_FILTER: &str = "content_html";

/// The most a render's buffer starts with: a page of a few MB (a long
/// table, say) need not make every later render allocate as much.
const MAX_RENDER_HINT: usize = 1 << 20;

/// The prefix under which a site's own template overrides are registered.
const SITE_LAYER: &str = "site";

impl Theme {
    /// Loads theme `name` from `themes` (a source whose top folders are
    /// themes), with the templates under `templates/` of `site` on top.
    pub fn load(
        themes: &dyn Source,
        name: &str,
        site: Option<&dyn Source>,
    ) -> Result<Self, ThemeError> {
        let chain = resolve_chain(themes, name)?;
        let theme_paths = themes.list().map_err(|error| ThemeError::Unreadable {
            path: themes.describe(),
            message: error.to_string(),
        })?;

        let site_paths = site
            .map(|site| {
                site.list().map_err(|error| ThemeError::Unreadable {
                    path: site.describe(),
                    message: error.to_string(),
                })
            })
            .transpose()?
            .unwrap_or_default();
        let mut layers: Vec<(String, &dyn Source, String)> = Vec::new();
        // A layer is a fallback prefix that Tera formats and looks up for
        // every include of every page until one matches: a site without
        // templates of its own gets none.
        if let Some(site) = site
            && site_paths.iter().any(|path| path.starts_with("templates/"))
        {
            layers.push((SITE_LAYER.to_owned(), site, String::new()));
        }
        for (theme_name, _) in &chain {
            layers.push((theme_name.clone(), themes, format!("{theme_name}/")));
        }

        let mut tera = tera::Tera::default();
        tera.set_escape_fn(crate::escape::escape_html);
        register_filters(&mut tera);
        tera.set_fallback_prefixes(
            layers
                .iter()
                .map(|(layer, _, _)| format!("{layer}/"))
                .collect::<Vec<_>>(),
        )
        .map_err(|error| ThemeError::Template(error.to_string()))?;

        let mut templates = Vec::new();
        let mut layouts = BTreeSet::new();
        let mut assets: BTreeMap<String, StaticAsset> = BTreeMap::new();
        let mut includes: BTreeMap<String, String> = BTreeMap::new();
        for (layer, source, prefix) in &layers {
            let paths = if *layer == SITE_LAYER {
                &site_paths
            } else {
                &theme_paths
            };
            for path in paths {
                let Some(inside) = path.strip_prefix(prefix.as_str()) else {
                    continue;
                };
                if let Some(template) = inside.strip_prefix("templates/") {
                    let bytes = read(*source, path)?;
                    let text = String::from_utf8(bytes).map_err(|_| ThemeError::Unreadable {
                        path: path.clone(),
                        message: "a template must be UTF-8 text".into(),
                    })?;
                    if let Some(layout) = template
                        .strip_prefix("layouts/")
                        .and_then(|l| l.strip_suffix(".html"))
                    {
                        layouts.insert(layout.to_owned());
                    }
                    templates.push((format!("{layer}/{template}"), text));
                } else if let Some(include) = inside.strip_prefix("includes/")
                    && *layer != SITE_LAYER
                    && !includes.contains_key(include)
                {
                    let bytes = read(*source, path)?;
                    let text = String::from_utf8(bytes).map_err(|_| ThemeError::Unreadable {
                        path: path.clone(),
                        message: "an include must be UTF-8 text".into(),
                    })?;
                    includes.insert(include.to_owned(), text);
                } else if let Some(asset) = inside.strip_prefix("static/")
                    && *layer != SITE_LAYER
                    && !assets.contains_key(asset)
                {
                    assets.insert(
                        asset.to_owned(),
                        StaticAsset {
                            output_path: asset.to_owned(),
                            theme: layer.clone(),
                            contents: read(*source, path)?,
                        },
                    );
                }
            }
        }
        let mut hasher = blake3::Hasher::new();
        for (name, text) in &templates {
            hasher
                .update(name.as_bytes())
                .update(&[0])
                .update(text.as_bytes())
                .update(&[0]);
        }
        tera.add_raw_templates(templates)
            .map_err(|error| ThemeError::Template(error.to_string()))?;

        let mut aliases = BTreeMap::new();
        // Parents first, so that a child's alias wins.
        for (_, manifest) in chain.iter().rev() {
            aliases.extend(manifest.layout_aliases.clone());
        }
        for (path, asset) in &assets {
            hasher
                .update(path.as_bytes())
                .update(&[0])
                .update(&asset.contents)
                .update(&[0]);
        }
        for (name, text) in &includes {
            hasher
                .update(b"include:")
                .update(name.as_bytes())
                .update(&[0])
                .update(text.as_bytes())
                .update(&[0]);
        }
        for (alias, target) in &aliases {
            hasher
                .update(alias.as_bytes())
                .update(&[0])
                .update(target.as_bytes())
                .update(&[0]);
        }
        Ok(Self {
            tera,
            largest_render: AtomicUsize::new(0),
            fingerprint: hasher.finalize().to_hex().to_string(),
            chain: chain.into_iter().map(|(name, _)| name).collect(),
            layouts,
            aliases,
            assets: assets.into_values().collect(),
            includes,
        })
    }

    /// A hash of every template, asset and alias of the chain (site overrides
    /// included): it changes exactly when the theme could render differently.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The theme names of the chain, child first.
    pub fn chain(&self) -> &[String] {
        &self.chain
    }

    /// The layout that renders `layout`, following aliases; `None` if the
    /// theme has no such layout.
    pub fn resolve_layout<'a>(&'a self, layout: &'a str) -> Option<&'a str> {
        if self.layouts.contains(layout) {
            return Some(layout);
        }
        let target = self.aliases.get(layout)?;
        self.layouts.contains(target).then_some(target.as_str())
    }

    /// Every layout name the theme renders, aliases included.
    pub fn layout_names(&self) -> impl Iterator<Item = &str> {
        self.layouts
            .iter()
            .map(String::as_str)
            .chain(self.aliases.keys().map(String::as_str))
    }

    /// Whether the chain (or the site) has a template of this name.
    pub fn has_template(&self, template: &str) -> bool {
        self.tera.contains_template(template)
    }

    /// Makes a value available to every template (used for `site`).
    pub fn insert_global(&mut self, key: &'static str, value: &impl serde::Serialize) {
        self.tera.global_context().insert(key, value);
    }

    /// Renders a layout (`layouts/<name>.html`, after aliases).
    pub fn render_layout(
        &self,
        layout: &str,
        context: &tera::Context,
    ) -> Result<String, ThemeError> {
        self.render(&self.layout_template(layout)?, context)
    }

    /// [`Theme::render_layout`] as the bytes of a file. A page goes straight
    /// to its output file: its tens of KB are not read once more only to
    /// prove them UTF-8 (Tera writes nothing but text).
    pub fn render_layout_bytes(
        &self,
        layout: &str,
        context: &tera::Context,
    ) -> Result<Vec<u8>, ThemeError> {
        self.render_bytes(&self.layout_template(layout)?, context)
    }

    /// The template of a layout, after aliases.
    fn layout_template(&self, layout: &str) -> Result<String, ThemeError> {
        let resolved = self
            .resolve_layout(layout)
            .ok_or_else(|| ThemeError::Template(format!("no layout `{layout}` in the theme")))?;
        Ok(format!("layouts/{resolved}.html"))
    }

    /// Renders any template by name, such as `partials/navbar.html`.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String, ThemeError> {
        String::from_utf8(self.render_bytes(template, context)?).map_err(|_| {
            ThemeError::Template(format!("`{template}` rendered text that is not UTF-8"))
        })
    }

    fn render_bytes(&self, template: &str, context: &tera::Context) -> Result<Vec<u8>, ThemeError> {
        // Tera sizes its buffer from the template's own text, a few hundred
        // bytes for a layout whose page comes to tens of KB: grown that far,
        // it was copied about eight times a page. The largest page so far
        // is a better guess.
        let hint = self.largest_render.load(Ordering::Relaxed);
        let mut output = Vec::with_capacity(hint);
        self.tera
            .render_to(template, context, &mut output)
            .map_err(|error| ThemeError::Template(error_chain(&error)))?;
        self.largest_render
            .fetch_max(output.len().min(MAX_RENDER_HINT), Ordering::Relaxed);
        Ok(output)
    }

    /// Static assets of the whole chain, each from the nearest theme that has it.
    pub fn assets(&self) -> &[StaticAsset] {
        &self.assets
    }

    /// The Liquid text of the theme include `name` (the path after
    /// `includes/`, such as `header-breadcrumb.html`), from the nearest theme
    /// of the chain that has it. A site's own `_includes/` comes first: the
    /// renderer asks the theme only for names the site does not define.
    pub fn include(&self, name: &str) -> Option<&str> {
        self.includes.get(name).map(String::as_str)
    }

    /// The names of every include the chain provides, sorted.
    pub fn include_names(&self) -> impl Iterator<Item = &str> {
        self.includes.keys().map(String::as_str)
    }

    /// Installs the sanitiser behind the `content_html` filter, so templates
    /// can show HTML that authors wrote in front matter. `clean` must return
    /// HTML that is safe to insert as it is (the content allowlist).
    pub fn set_html_sanitizer(&mut self, clean: impl Fn(&str) -> String + Send + Sync + 'static) {
        self.tera.register_filter(
            CONTENT_HTML_FILTER,
            move |value: tera::Value, _: tera::Kwargs, _: &tera::State| {
                tera::Value::safe_string(&clean(&template_text(&value)))
            },
        );
    }
}

/// The text of an HTML fragment, escaped: what `content_html` shows until a
/// sanitiser is installed. Tags go, the contents of `script` and `style` go,
/// and the common entities are read so that they are not escaped twice.
fn text_only(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let tag = &rest[start..];
        let Some(end) = tag.find('>') else {
            // Not a tag after all: keep the text as written.
            text.push_str(tag);
            rest = "";
            break;
        };
        let name: String = tag[1..end]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &tag[end + 1..];
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&close) {
                Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
                None => "",
            };
        } else if name == "br" || name == "p" {
            text.push(' ');
        }
    }
    text.push_str(rest);
    let decoded = text
        .replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let mut escaped = Vec::with_capacity(decoded.len());
    tera::escape_html(&decoded, &mut escaped).expect("writing to memory cannot fail");
    String::from_utf8(escaped).expect("escaping keeps UTF-8")
}

fn read(source: &dyn Source, path: &str) -> Result<Vec<u8>, ThemeError> {
    source.read(path).map_err(|error| ThemeError::Unreadable {
        path: path.to_owned(),
        message: error.to_string(),
    })
}

/// Tera nests the cause of a failure; people need all of it on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// The filters every theme's templates may use besides Tera's own: the
/// gates for values from a site's data that reach an attribute or a style
/// (see `gazette_content::url_policy`). `tests/template_urls.rs` makes sure
/// no template puts a data URL into an attribute without `safe_url`.
/// Registered before the templates: Tera refuses templates that name an
/// unknown filter.
fn register_filters(tera: &mut tera::Tera) {
    // Tera's own `safe` copies the string it marks, and every page passes
    // its body and its navigation (tens of KB) through it. A string is
    // marked where it is, its text shared; anything else is printed as the
    // built-in filter prints it.
    tera.register_filter(
        "safe",
        |value: tera::Value, _: tera::Kwargs, _: &tera::State| match value.as_str() {
            Some(_) => value.mark_safe(),
            None => tera::Value::safe_string(&value.to_string()),
        },
    );
    tera.register_filter(
        CONTENT_HTML_FILTER,
        |value: tera::Value, _: tera::Kwargs, _: &tera::State| {
            tera::Value::safe_string(&text_only(&template_text(&value)))
        },
    );
    tera.register_filter(
        "safe_url",
        |value: &tera::Value, _: tera::Kwargs, _: &tera::State| -> String {
            gazette_content::safe_url(&template_text(value)).into_owned()
        },
    );
    // Text colours for the site's own colours (see `contrast.rs`); a colour
    // they cannot read gives the default.
    tera.register_filter(
        "text_on",
        |value: &tera::Value, kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let default = kwargs.get::<&str>("default")?.unwrap_or("#fff");
            Ok(crate::contrast::text_on(&template_text(value))
                .unwrap_or(default)
                .to_owned())
        },
    );
    tera.register_filter(
        "readable_on_white",
        |value: &tera::Value, kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let default = kwargs.get::<&str>("default")?.unwrap_or("inherit");
            Ok(crate::contrast::readable_on_white(&template_text(value))
                .unwrap_or_else(|| default.to_owned()))
        },
    );
    // A value as one component of a URL (a share link's `?u=`): every byte
    // but ASCII letters, digits and `-._~` percent-encoded, so it can end
    // neither the component nor the attribute.
    tera.register_filter(
        "url_component",
        |value: &tera::Value, _: tera::Kwargs, _: &tera::State| -> String {
            const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'.')
                .remove(b'_')
                .remove(b'~');
            percent_encoding::utf8_percent_encode(&template_text(value), KEPT).to_string()
        },
    );
    tera.register_filter(
        "css_color",
        |value: &tera::Value, kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let text = template_text(value);
            if gazette_content::is_css_color(&text) {
                return Ok(text.trim().to_owned());
            }
            Ok(kwargs
                .get::<&str>("default")?
                .unwrap_or("inherit")
                .to_owned())
        },
    );
}

/// A template value as text: a string as it is, nothing for an undefined or
/// empty value, anything else as Tera prints it.
fn template_text(value: &tera::Value) -> String {
    match value.as_str() {
        Some(text) => text.to_owned(),
        None if value.is_undefined() || value.is_none() => String::new(),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_content::MemorySource;

    fn themes() -> MemorySource {
        MemorySource::from_files([
            (
                "base/theme.toml",
                "name = \"base\"\n[layout_aliases]\nsimple-page = \"page\"\n",
            ),
            (
                "base/templates/base.html",
                "<header>{% block header %}base header{% endblock header %}</header>{% block body %}{% endblock body %}",
            ),
            (
                "base/templates/layouts/page.html",
                "{% extends \"base.html\" %}{% block body %}<h1>{{ page.title }}</h1>{% endblock body %}",
            ),
            ("base/static/css/theme.css", "body{}"),
            ("base/static/js/menu.js", "//"),
            ("agency/theme.toml", "extends = \"base\"\n"),
            (
                "agency/templates/base.html",
                "<header>{% block header %}agency header{% endblock header %}</header>{% block body %}{% endblock body %}",
            ),
            ("agency/static/css/theme.css", "body{color:red}"),
        ])
    }

    fn context(title: &str) -> tera::Context {
        let mut context = tera::Context::new();
        context.insert("page", &serde_json::json!({ "title": title }));
        context
    }

    #[test]
    fn a_child_theme_replaces_only_what_it_overrides() {
        let theme = Theme::load(&themes(), "agency", None).unwrap();
        assert_eq!(theme.chain(), ["agency", "base"]);
        let html = theme.render_layout("page", &context("Hi")).unwrap();
        assert_eq!(html, "<header>agency header</header><h1>Hi</h1>");
        let css = theme
            .assets()
            .iter()
            .find(|a| a.output_path == "css/theme.css")
            .unwrap();
        assert_eq!(css.contents, b"body{color:red}");
        assert!(theme.assets().iter().any(|a| a.output_path == "js/menu.js"));
    }

    #[test]
    fn aliases_map_older_layout_names() {
        let theme = Theme::load(&themes(), "base", None).unwrap();
        assert_eq!(theme.resolve_layout("simple-page"), Some("page"));
        assert_eq!(theme.resolve_layout("no-such-layout"), None);
    }

    #[test]
    fn site_templates_override_the_theme() {
        let site = MemorySource::from_files([(
            "templates/layouts/page.html",
            "{% extends \"base.html\" %}{% block body %}<h2>{{ page.title }}</h2>{% endblock body %}",
        )]);
        let theme = Theme::load(&themes(), "agency", Some(&site)).unwrap();
        let html = theme.render_layout("page", &context("Hi")).unwrap();
        assert_eq!(html, "<header>agency header</header><h2>Hi</h2>");
        let without = Theme::load(&themes(), "agency", None).unwrap();
        assert_ne!(theme.fingerprint(), without.fingerprint());
    }

    #[test]
    fn a_site_without_templates_of_its_own_renders_as_the_theme_alone() {
        let site = MemorySource::from_files([
            ("_config.yml", "title: A site"),
            ("layouts/page.html", "not a template: outside templates/"),
        ]);
        let theme = Theme::load(&themes(), "agency", Some(&site)).unwrap();
        let without = Theme::load(&themes(), "agency", None).unwrap();
        assert_eq!(
            theme.render_layout("page", &context("Hi")).unwrap(),
            without.render_layout("page", &context("Hi")).unwrap()
        );
        assert_eq!(theme.fingerprint(), without.fingerprint());
    }

    #[test]
    fn safe_marks_a_string_unescaped_and_prints_other_values_as_tera_does() {
        let themes = MemorySource::from_files([
            ("plain/theme.toml", "name = \"plain\"\n"),
            (
                "plain/templates/layouts/page.html",
                "{{ html | safe }}|{{ html }}|{{ number | safe }}|{{ list | safe }}|{{ missing | default(value='') | safe }}",
            ),
        ]);
        let theme = Theme::load(&themes, "plain", None).unwrap();
        let mut context = tera::Context::new();
        context.insert("html", "<b>bold</b>");
        context.insert("number", &5);
        context.insert("list", &[1, 2]);
        assert_eq!(
            theme.render_layout("page", &context).unwrap(),
            "<b>bold</b>|&lt;b&gt;bold&lt;/b&gt;|5|[1, 2]|"
        );
    }

    #[test]
    fn includes_come_from_the_nearest_theme_and_count_in_the_fingerprint() {
        let mut files = vec![
            ("base/theme.toml", "name = \"base\"\n"),
            ("base/includes/crumbs.html", "base crumbs"),
            ("base/includes/functions/url.html", "base url"),
            ("agency/theme.toml", "extends = \"base\"\n"),
            ("agency/includes/crumbs.html", "agency crumbs"),
        ];
        let site = MemorySource::from_files([("includes/crumbs.html", "not an include")]);
        let theme = Theme::load(
            &MemorySource::from_files(files.clone()),
            "agency",
            Some(&site),
        )
        .unwrap();
        assert_eq!(theme.include("crumbs.html"), Some("agency crumbs"));
        assert_eq!(theme.include("functions/url.html"), Some("base url"));
        assert_eq!(theme.include("missing.html"), None);
        assert_eq!(
            theme.include_names().collect::<Vec<_>>(),
            ["crumbs.html", "functions/url.html"]
        );
        files[4].1 = "agency crumbs, changed";
        let changed = Theme::load(&MemorySource::from_files(files), "agency", None).unwrap();
        assert_ne!(theme.fingerprint(), changed.fingerprint());
    }

    #[test]
    fn content_html_shows_text_until_a_sanitiser_is_installed() {
        let themes = MemorySource::from_files([
            ("base/theme.toml", "name = \"base\"\n"),
            (
                "base/templates/layouts/page.html",
                "<p>{{ page.other | content_html }}</p><p>{{ page.phone | content_html }}{{ page.none | content_html }}</p>",
            ),
        ]);
        let mut context = tera::Context::new();
        context.insert(
            "page",
            &serde_json::json!({
                "other": "Write to <a href=\"https://go.gov.sg/x\" onclick=\"evil()\">us</a> &amp; <b>co</b><script>alert(1)</script> <3",
                "phone": 62111234,
                "none": null,
            }),
        );
        let mut theme = Theme::load(&themes, "base", None).unwrap();
        assert_eq!(
            theme.render_layout("page", &context).unwrap(),
            "<p>Write to us &amp; co &lt;3</p><p>62111234</p>"
        );
        theme.set_html_sanitizer(|html| html.replace(" onclick=\"evil()\"", ""));
        let html = theme.render_layout("page", &context).unwrap();
        assert!(
            html.starts_with("<p>Write to <a href=\"https://go.gov.sg/x\">us</a>"),
            "{html}"
        );
    }

    #[test]
    fn url_component_encodes_all_but_unreserved_characters() {
        let themes = MemorySource::from_files([
            ("base/theme.toml", "name = \"base\"\n"),
            (
                "base/templates/layouts/page.html",
                "<a href=\"https://x.example/?u={{ page.url | url_component }}\">",
            ),
        ]);
        let mut context = tera::Context::new();
        context.insert(
            "page",
            &serde_json::json!({ "url": "https://a.gov.sg/x y/?q=1&r=\"2\"#é-._~" }),
        );
        let theme = Theme::load(&themes, "base", None).unwrap();
        assert_eq!(
            theme.render_layout("page", &context).unwrap(),
            "<a href=\"https://x.example/?u=https%3A%2F%2Fa.gov.sg%2Fx%20y%2F%3Fq%3D1%26r%3D%222%22%23%C3%A9-._~\">"
        );
    }

    #[test]
    fn missing_parents_and_cycles_are_errors() {
        let broken = MemorySource::from_files([
            ("a/theme.toml", "extends = \"b\"\n"),
            ("b/theme.toml", "extends = \"a\"\n"),
            ("c/theme.toml", "extends = \"nowhere\"\n"),
        ]);
        assert!(matches!(
            Theme::load(&broken, "a", None),
            Err(ThemeError::Cycle(_))
        ));
        assert!(matches!(
            Theme::load(&broken, "c", None),
            Err(ThemeError::Missing {
                wanted_by: Some(_),
                ..
            })
        ));
    }
}
