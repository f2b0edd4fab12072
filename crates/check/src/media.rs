//! Media: images without alt text (those marked decorative aside), the same
//! image twice in a row, and media named in front matter (`image`,
//! `file_url`) that the site does not have.

use std::collections::HashMap;

use crate::context::{Context, UrlProblem};
use crate::rule::Rule;
use crate::url::{Target, resolve};

/// Checks the images of every rendered page and the media front matter names.
pub(crate) fn check(context: &mut Context<'_>) {
    let scans = context.scans;
    for page in scans {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for image in page.scan.images() {
            let occurrence = {
                let count = seen.entry(image.src).or_default();
                *count += 1;
                *count - 1
            };
            let problem = |rule: Rule, message: String, hint: &str| UrlProblem {
                rule,
                severity: rule.default_severity(),
                origin: page.origin.as_deref(),
                url: image.src,
                occurrence,
                message,
                hint: hint.to_owned(),
            };
            if !image.decorative && image.alt.is_none_or(|alt| alt.trim().is_empty()) {
                let how = if image.alt.is_some() {
                    "an empty `alt`"
                } else {
                    "no `alt`"
                };
                context.add_url_problem(problem(
                    Rule::MissingAlt,
                    format!("image `{}` has no alt text ({how})", image.src),
                    "describe the image for people who cannot see it (Markdown: `![description](…)`; HTML: `alt=\"…\"`; homepage sections: `alt:`)",
                ));
            }
            if image.repeats_previous {
                context.add_url_problem(problem(
                    Rule::RepeatedImage,
                    format!("image `{}` repeats the image just before it", image.src),
                    "remove the copy, or put the image that was meant here",
                ));
            }
        }
    }
    front_matter_media(context);
}

/// `image` and `file_url` of every page, which listings and downloads use.
fn front_matter_media(context: &mut Context<'_>) {
    let site = context.site;
    for page in &site.pages {
        for key in ["image", "file_url"] {
            let Some(url) = page.text(key).map(str::trim).filter(|u| !u.is_empty()) else {
                continue;
            };
            let Target::Internal { path, .. } = resolve(url, "/") else {
                continue;
            };
            if context.published.serve(&path).is_some() {
                continue;
            }
            context.add_url_problem(UrlProblem {
                rule: Rule::MissingMedia,
                severity: Rule::MissingMedia.default_severity(),
                origin: Some(&page.source_path),
                url,
                occurrence: 0,
                message: format!("`{url}` is not in the site's files"),
                hint: format!("add the file to the site, or fix `{key}`"),
            });
        }
    }
}
