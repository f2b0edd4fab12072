//! Two things written to one file of the output: an error that names both
//! and points at the `permalink:` line that sent a page there, never a
//! silent overwrite. (Two pages on one URL are the loader's business: Jekyll
//! lets the last one win, and so does Gazette, with a warning.)

use std::collections::HashMap;

use gazette_content::{Diagnostic, Diagnostics, Page, Site};

use crate::rendered::Output;

/// Reports every output path that two outputs write.
pub(crate) fn check_collisions(site: &Site, outputs: &[Output], diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for output in outputs {
        let Some(first) = seen.insert(output.path.as_str(), output.origin.as_str()) else {
            continue;
        };
        // Blame the page whose permalink chose the path, if one did: a
        // copied file or a stylesheet has its path by its name.
        let (blamed, other) = match page_with_permalink(site, first) {
            Some(_) if page_with_permalink(site, &output.origin).is_none() => {
                (first, output.origin.as_str())
            }
            _ => (output.origin.as_str(), first),
        };
        diagnostics.push(at_permalink(
            site,
            blamed,
            format!(
                "`{blamed}` and `{other}` both write `{}`; only one file can be published there",
                output.path
            ),
            "change the page's `permalink`, or rename one of the two files",
        ));
    }
}

/// The error for a page whose permalink lands on a file of the theme (its
/// stylesheet, its script): replacing it would break every page. A site's
/// own copied file of the same path still replaces the theme's on purpose.
pub(crate) fn page_over_theme_asset(
    site: &Site,
    origin: &str,
    asset_path: &str,
    theme: &str,
) -> Option<Diagnostic> {
    site.pages.iter().find(|page| page.source_path == origin)?;
    Some(at_permalink(
        site,
        origin,
        format!(
            "`{origin}` writes `{asset_path}`, a file of the theme `{theme}`, which every page loads"
        ),
        "give the page another `permalink`; to replace the theme's file on purpose, add the file itself at that path",
    ))
}

/// An error about the file `origin`, at its `permalink:` line when it is a
/// page that declares one.
fn at_permalink(site: &Site, origin: &str, message: String, hint: &str) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(&site.name, origin, message).with_hint(hint);
    if let Some(page) = site.pages.iter().find(|page| page.source_path == origin)
        && let Some(line) = permalink_line(page)
    {
        diagnostic.line = Some(line);
        diagnostic.column = Some(1);
    }
    diagnostic
}

fn page_with_permalink<'s>(site: &'s Site, origin: &str) -> Option<&'s Page> {
    site.pages
        .iter()
        .find(|page| page.source_path == origin && permalink_line(page).is_some())
}

fn permalink_line(page: &Page) -> Option<u32> {
    page.key_lines
        .iter()
        .find(|(key, _)| key == "permalink")
        .map(|(_, line)| *line)
}
