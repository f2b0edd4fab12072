//! Sass stylesheets (`misc/custom.scss`), compiled with grass.
//!
//! A stylesheet may import only the site's own Sass partials (`_sass/`, as
//! Jekyll's `sass_dir`), which the loader read through the site's `Source`:
//! never a file of the machine that builds it, never another site's, and at
//! `--rev` the partials of that commit, not the working folder's.
//!
//! grass has no budgets and cannot be interrupted: an endless `@while` never
//! returns, a mixin that includes itself overflows the stack (which ends the
//! process), and a string doubled in a loop takes all the memory. So a
//! program that renders untrusted sites installs a [`SassSandbox`]
//! ([`install_sass_sandbox`]): every stylesheet is then compiled in a child
//! process with a time limit, a memory limit and its own stack, and the
//! child's end, however it comes, is an error naming the stylesheet. Without
//! one (library tests, benches), stylesheets compile in this process.

mod sandbox;

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use sandbox::{SassLimits, SassSandbox, run_sass_worker};

/// Where imports are looked up, besides the importing file's folder.
const SASS_DIR: &str = "_sass";

/// How this process compiles stylesheets, once a program installed it.
///
/// Process-wide rather than passed down with each render: whether a child
/// process can compile Sass is a property of the executable (only one with
/// the worker's entry point can be the child), not of a render, and every
/// caller of the renderer (builds, publishes, the preview's rebuilds, the
/// checker, page edits) must get it without each remembering to pass it.
static SANDBOX: OnceLock<SassSandbox> = OnceLock::new();

/// Makes every later stylesheet compile in `sandbox`'s child processes.
/// Returns the sandbox back when one was installed already.
pub fn install_sass_sandbox(sandbox: SassSandbox) -> Result<(), SassSandbox> {
    SANDBOX.set(sandbox)
}

/// Why a stylesheet did not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct SassError {
    /// What grass (or the sandbox) said, in one line.
    pub message: String,
    /// The 1-based line of the compiled text the error points at, when it
    /// points into that text (not into a partial).
    pub line: Option<u32>,
    /// What to look for, when the sandbox ended the compile (a budget ran
    /// out); `None` for errors in the Sass itself.
    pub hint: Option<String>,
}

/// Compiles a site's stylesheet: in the installed [`SassSandbox`], or in
/// this process when there is none.
pub(crate) fn compile_stylesheet_text(
    text: &str,
    partials: &BTreeMap<String, String>,
) -> Result<String, SassError> {
    match SANDBOX.get() {
        Some(sandbox) => sandbox.compile(text, partials),
        None => compile_scss(text, partials),
    }
}

/// Compiles SCSS text to CSS in this process, with `partials` (site path →
/// text) as the only files an `@import` or `@use` can reach, or explains why
/// it cannot. Nothing bounds its time, memory or stack: see
/// [`SassSandbox`] for text that is not trusted.
pub fn compile_scss(text: &str, partials: &BTreeMap<String, String>) -> Result<String, SassError> {
    let files = SitePartials { partials };
    let options = grass::Options::default()
        .style(grass::OutputStyle::Expanded)
        .fs(&files)
        .load_path(SASS_DIR);
    grass::from_string(text.to_owned(), &options).map_err(|error| {
        let first_line = error
            .to_string()
            .lines()
            .next()
            .unwrap_or("invalid Sass")
            .trim_start_matches("Error: ")
            .to_owned();
        match error.kind() {
            grass::ErrorKind::ParseError { message, loc, .. } => SassError {
                message,
                line: (loc.file.name() == "stdin")
                    .then(|| u32::try_from(loc.begin.line + 1).unwrap_or(u32::MAX)),
                hint: None,
            },
            _ => SassError {
                message: first_line,
                line: None,
                hint: None,
            },
        }
    })
}

/// The file system grass sees: the site's partials and nothing else.
#[derive(Debug)]
struct SitePartials<'a> {
    partials: &'a BTreeMap<String, String>,
}

impl SitePartials<'_> {
    /// The site path grass's `path` names, if it stays inside the site: no
    /// root, no drive, no `..` above the top.
    fn site_path(path: &Path) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_str()?),
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::RootDir | Component::Prefix(_) => return None,
            }
        }
        Some(parts.join("/"))
    }
}

impl grass::Fs for SitePartials<'_> {
    fn is_dir(&self, path: &Path) -> bool {
        let Some(folder) = Self::site_path(path) else {
            return false;
        };
        let prefix = format!("{folder}/");
        folder.is_empty() || self.partials.keys().any(|key| key.starts_with(&prefix))
    }

    fn is_file(&self, path: &Path) -> bool {
        Self::site_path(path).is_some_and(|key| self.partials.contains_key(&key))
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        Self::site_path(path)
            .and_then(|key| self.partials.get(&key))
            .map(|text| text.as_bytes().to_vec())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, "not a Sass partial of this site")
            })
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        Ok(path.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Result<String, SassError> {
        compile_scss(text, &BTreeMap::new())
    }

    #[test]
    fn nesting_and_colour_functions_compile() {
        let css = compile("$p: #336699;\n.a { .b { color: darken($p, 10%); } }\n").unwrap();
        assert!(css.contains(".a .b"), "{css}");
        assert!(css.contains("color: #"), "{css}");
    }

    #[test]
    fn an_error_is_one_line_with_the_line_it_points_at() {
        let error = compile(".a { color: red; }\n.b { color: $undefined; }").unwrap_err();
        assert!(error.message.contains("Undefined variable"), "{error:?}");
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn partials_of_the_site_can_be_imported() {
        let partials = BTreeMap::from([(
            "_sass/_brand.scss".to_owned(),
            "$brand: #123456;".to_owned(),
        )]);
        let css = compile_scss("@import \"brand\";\n.a { color: $brand; }", &partials).unwrap();
        assert!(css.contains("#123456"), "{css}");
    }

    #[test]
    fn no_import_reaches_a_file_outside_the_site() {
        // The builder's own files, absolute or climbing out of the site, and
        // through every way Sass has to load a file.
        let secret = std::env::temp_dir().join("gazette-sass-secret.scss");
        std::fs::write(&secret, ".secret { content: \"token\"; }").unwrap();
        let secret = secret.display().to_string();
        for text in [
            format!("@import \"{secret}\";"),
            format!("@use \"{secret}\";"),
            "@import \"/etc/passwd\";".to_owned(),
            "@import \"../../../../../../etc/passwd\";".to_owned(),
            "@use \"sass:meta\";\n.a { @include meta.load-css(\"../../../../etc/passwd\"); }"
                .to_owned(),
            format!("@use \"sass:meta\";\n.a {{ @include meta.load-css(\"{secret}\"); }}"),
        ] {
            let error = compile(&text).expect_err(&text);
            assert!(
                error.message.contains("find") || error.message.contains("import"),
                "{text}: {error:?}"
            );
        }
    }
}
