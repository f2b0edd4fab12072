//! A loaded theme chain: one Tera environment and the merged static assets.

use std::collections::{BTreeMap, BTreeSet};

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
    fingerprint: String,
    chain: Vec<String>,
    layouts: BTreeSet<String>,
    aliases: BTreeMap<String, String>,
    assets: Vec<StaticAsset>,
}

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

        let mut layers: Vec<(String, &dyn Source, String)> = Vec::new();
        if let Some(site) = site {
            layers.push((SITE_LAYER.to_owned(), site, String::new()));
        }
        for (theme_name, _) in &chain {
            layers.push((theme_name.clone(), themes, format!("{theme_name}/")));
        }

        let mut tera = tera::Tera::default();
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
        for (layer, source, prefix) in &layers {
            let paths = if *layer == SITE_LAYER {
                source.list().map_err(|error| ThemeError::Unreadable {
                    path: source.describe(),
                    message: error.to_string(),
                })?
            } else {
                theme_paths.clone()
            };
            for path in paths {
                let Some(inside) = path.strip_prefix(prefix.as_str()) else {
                    continue;
                };
                if let Some(template) = inside.strip_prefix("templates/") {
                    let bytes = read(*source, &path)?;
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
                } else if let Some(asset) = inside.strip_prefix("static/")
                    && *layer != SITE_LAYER
                    && !assets.contains_key(asset)
                {
                    assets.insert(
                        asset.to_owned(),
                        StaticAsset {
                            output_path: asset.to_owned(),
                            theme: layer.clone(),
                            contents: read(*source, &path)?,
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
        for (alias, target) in &aliases {
            hasher
                .update(alias.as_bytes())
                .update(&[0])
                .update(target.as_bytes())
                .update(&[0]);
        }
        Ok(Self {
            tera,
            fingerprint: hasher.finalize().to_hex().to_string(),
            chain: chain.into_iter().map(|(name, _)| name).collect(),
            layouts,
            aliases,
            assets: assets.into_values().collect(),
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
        let resolved = self
            .resolve_layout(layout)
            .ok_or_else(|| ThemeError::Template(format!("no layout `{layout}` in the theme")))?;
        self.render(&format!("layouts/{resolved}.html"), context)
    }

    /// Renders any template by name, such as `partials/navbar.html`.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String, ThemeError> {
        self.tera
            .render(template, context)
            .map_err(|error| ThemeError::Template(error_chain(&error)))
    }

    /// Static assets of the whole chain, each from the nearest theme that has it.
    pub fn assets(&self) -> &[StaticAsset] {
        &self.assets
    }
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
fn register_filters(tera: &mut tera::Tera) {
    tera.register_filter(
        "safe_url",
        |value: &tera::Value, _: tera::Kwargs, _: &tera::State| -> String {
            gazette_content::safe_url(&template_text(value)).into_owned()
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
