//! Pages: front matter the format needs, duplicate permalinks and `image: ""`.

use std::collections::HashSet;

use gazette_content::{Page, PageKind, Site, Value};

use crate::context::Context;
use crate::files::FileFinding;
use crate::finding::Finding;
use crate::locate::Position;
use crate::rule::Rule;

/// Missing `title` and `permalink`, and duplicate permalinks (`image: ""`
/// is a finding of the page's source alone: [`empty_image_findings`]).
pub(crate) fn check(context: &mut Context<'_>) {
    let site = context.site;
    for page in &site.pages {
        let file = page.source_path.as_str();
        let start = Some(Position { line: 1, column: 1 });
        if !has_text(page, "title") {
            context.add_at(
                Rule::MissingFrontMatter,
                Rule::MissingFrontMatter.default_severity(),
                file,
                start,
                "the page has no `title`".to_owned(),
                "add `title: …` to the front matter; navigation, listings and the browser tab show it".to_owned(),
            );
        }
        if needs_permalink(page) && !has_text(page, "permalink") {
            context.add_at(
                Rule::MissingFrontMatter,
                Rule::MissingFrontMatter.default_severity(),
                file,
                start,
                format!(
                    "the page has no `permalink`, so its address (`{}`) follows its file name",
                    page.url().unwrap_or_default()
                ),
                "add `permalink: /…/` to the front matter, as Isomer's editor does for every page"
                    .to_owned(),
            );
        }
    }
    for index in later_duplicates(site) {
        let page = &site.pages[index];
        let first = site
            .pages
            .iter()
            .find(|other| other.published && output_of(other) == output_of(page))
            .map_or("", |other| other.source_path.as_str());
        context.add_at(
            Rule::DuplicatePermalink,
            Rule::DuplicatePermalink.default_severity(),
            &page.source_path,
            Some(Position {
                line: page.line_of("permalink"),
                column: 1,
            }),
            format!(
                "permalink `{}` is already used by `{first}`",
                page.url().unwrap_or_default()
            ),
            "give one of the two pages a different `permalink`".to_owned(),
        );
    }
}

/// Pages whose output another page, earlier in source order, already has.
pub(crate) fn later_duplicates(site: &Site) -> Vec<usize> {
    let mut seen = HashSet::new();
    site.pages
        .iter()
        .enumerate()
        .filter(|(_, page)| page.published)
        .filter_map(|(index, page)| Some((index, output_of(page)?)))
        .filter(|(_, output)| !seen.insert(output.clone()))
        .map(|(index, _)| index)
        .collect()
}

fn output_of(page: &Page) -> Option<String> {
    page.permalink.as_ref().map(|p| p.output_path())
}

/// Whether a diagnostic of the loader is its duplicate-permalink error,
/// which [`check`] reports under its own rule.
pub(crate) fn is_loader_duplicate(finding: &Finding) -> bool {
    let message = &finding.diagnostic.message;
    message.starts_with("permalink `") && message.contains("` is already used by `")
}

fn has_text(page: &Page, key: &str) -> bool {
    match page.data.get(key) {
        Some(Value::String(text)) => !text.trim().is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    }
}

/// Simple pages and collection pages get their address from `permalink` in
/// Isomer; the homepage and the resource room derive theirs from the folder.
fn needs_permalink(page: &Page) -> bool {
    matches!(
        page.kind,
        PageKind::Simple | PageKind::CollectionItem { .. }
    ) && page.published
}

/// A finding at each `image: ""` of a page's source.
pub(crate) fn empty_image_findings(text: &str) -> impl Iterator<Item = FileFinding> {
    empty_images(text).into_iter().map(|position| FileFinding {
        rule: Rule::EmptyImage,
        position,
        message: "`image` is empty".to_owned(),
        hint: "name an image in `images/` or remove the line".to_owned(),
    })
}

/// `image: ""` (or `''`) lines in a file's front matter, nested ones included.
fn empty_images(text: &str) -> Vec<Position> {
    let mut positions = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        if line.trim_end() == "---" {
            break;
        }
        let trimmed = line.trim_start();
        let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        if let Some(value) = item.strip_prefix("image:")
            && matches!(value.trim(), "\"\"" | "''")
        {
            let column = (line.len() - item.len()) as u32 + 1;
            positions.push(Position {
                line: index as u32 + 1,
                column,
            });
        }
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_images_are_found_at_any_depth_of_front_matter_only() {
        let text = "---\ntitle: A\nimage: \"\"\nsections:\n  - infopic:\n      image: ''\n      alt: x\n---\nimage: \"\"\n";
        assert_eq!(
            empty_images(text),
            [
                Position { line: 3, column: 1 },
                Position { line: 6, column: 7 }
            ]
        );
    }
}
