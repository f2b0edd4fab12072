//! Themes: templates and static assets that give sites their look.
//!
//! This crate owns finding a theme, following its `extends` chain
//! (`themes/<name>/theme.toml`), layering a site's own template overrides on
//! top, and building the Tera environment that renders pages. A template or
//! static file in a child replaces the parent's.
//!
//! It reads theme files through a [`gazette_content::Source`] (so a theme can
//! come from a Git revision as well as from disk); the `isomer` theme is also
//! built into the binary ([`BuiltinThemes`]), under a workspace's own
//! themes ([`ThemeLibrary`]), and must not parse content:
//! it receives ready-made template contexts from `gazette-publish`.
//!
//! ```
//! use gazette_content::MemorySource;
//! use gazette_theme::Theme;
//!
//! let themes = MemorySource::from_files([
//!     ("base/theme.toml", "name = \"base\"\n"),
//!     ("base/templates/layouts/page.html", "<h1>{{ page.title }}</h1>"),
//! ]);
//! let theme = Theme::load(&themes, "base", None).expect("a valid theme");
//! let mut context = tera::Context::new();
//! context.insert("page", &serde_json::json!({"title": "Hello"}));
//! assert_eq!(theme.render_layout("page", &context).unwrap(), "<h1>Hello</h1>");
//! ```

mod builtin;
mod chain;
mod contrast;
mod escape;
mod theme;

pub use builtin::{BUILTIN_THEME, BuiltinThemes, ThemeLibrary};
pub use chain::{ThemeManifest, resolve_chain};
pub use theme::{StaticAsset, Theme, ThemeError};
