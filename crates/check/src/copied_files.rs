//! Script in files the site publishes as they are: HTML without front matter
//! and SVG images run in a reader's browser on the site's own address, and
//! never pass the content allowlist (Jekyll copies them byte for byte, and so
//! does Gazette). A warning Jekyll would not give, so `--strict` makes it an
//! error; `sanitize_svg = true` in `site.toml` cleans SVGs on publish.

use gazette_content::{Diagnostic, Source};
use gazette_render::script_signs;

use crate::context::Context;
use crate::finding::Finding;
use crate::rule::Rule;

/// The extensions of copied files a browser runs script in.
const MARKUP_EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "svg"];

/// Checks every copied HTML and SVG file.
pub(crate) fn check(context: &mut Context<'_>, source: &dyn Source) {
    for file in &context.site.static_files {
        let extension = file
            .source_path
            .rsplit_once('.')
            .map(|(_, extension)| extension.to_ascii_lowercase());
        if !extension.is_some_and(|e| MARKUP_EXTENSIONS.contains(&e.as_str())) {
            continue;
        }
        let Ok(bytes) = source.read(&file.source_path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let is_svg = file.source_path.to_ascii_lowercase().ends_with(".svg");
        for sign in script_signs(&text) {
            let hint = if is_svg {
                "remove it (an image needs no script), or set `sanitize_svg = true` in the site's `site.toml` to clean SVGs on publish"
            } else {
                "remove it, or make the file a page (front matter) so its HTML passes the content allowlist"
            };
            let message = format!(
                "{} in a file published as it is: it runs in readers' browsers on the site's address",
                sign.what
            );
            // A kind Jekyll lets through: tolerated, so `--strict` makes it an error.
            let diagnostic = Diagnostic::tolerated(
                &context.site.name,
                &file.source_path,
                Rule::ScriptInCopiedFile.id(),
                message,
            )
            .at(&text, sign.line, 1)
            .with_hint(hint);
            context.findings.push(Finding {
                rule: Rule::ScriptInCopiedFile,
                diagnostic,
                also_at: Vec::new(),
            });
        }
    }
}
