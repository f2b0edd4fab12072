//! Two files that write one URL: Jekyll warns `Conflict:` and the file it
//! writes last wins; the others are left out with a `url-conflict` warning.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;

use crate::Diagnostic;
use crate::collection_order::CollectionSettings;
use crate::loader::Loader;
use crate::page::{Page, PageKind};

impl Loader<'_> {
    /// Two files that write one output: Jekyll warns `Conflict:` and writes
    /// both, so the one written last wins. It writes pages (in file-name
    /// order), then static files, then documents: posts in date and path
    /// order, then each collection: the documents its `order` lists, in that
    /// order, then the others in date and path order. The losers are left
    /// out, but for posts, which listings still show.
    pub(crate) fn resolve_url_conflicts(
        &mut self,
        pages: &mut Vec<Page>,
        settings: &BTreeMap<String, CollectionSettings>,
        today: Date,
    ) {
        let rank_of_collection: HashMap<&str, usize> = settings
            .keys()
            .enumerate()
            .map(|(rank, name)| (name.as_str(), rank + 1))
            .collect();
        // The isomer-jekyll plugin gives Jekyll each `collection.yml` order:
        // the documents it lists come first, in its order, then the others.
        let place_in_order: HashMap<String, usize> = settings
            .iter()
            .flat_map(|(name, collection)| {
                collection
                    .order
                    .iter()
                    .enumerate()
                    .map(move |(place, entry)| (format!("_{name}/{entry}"), place))
            })
            .collect();
        let write_order = |page| write_order(page, &rank_of_collection, &place_in_order, today);
        let mut by_output: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, page) in pages.iter().enumerate() {
            if let Some(permalink) = page.permalink.as_ref().filter(|_| page.published) {
                by_output
                    .entry(permalink.output_path())
                    .or_default()
                    .push(index);
            }
        }
        let mut losers = BTreeSet::new();
        for (output, mut writers) in by_output {
            if writers.len() < 2 {
                continue;
            }
            writers.sort_by(|a, b| write_order(&pages[*a]).cmp(&write_order(&pages[*b])));
            let winner = &pages[*writers.last().expect("two writers")];
            for &loser in &writers[..writers.len() - 1] {
                let page = &pages[loser];
                let text = self
                    .source
                    .read(&page.source_path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                self.diagnostics.push(
                    Diagnostic::tolerated(
                        self.name,
                        &page.source_path,
                        "url-conflict",
                        format!(
                            "`{}` and `{}` both write `{output}`; `{}` wins (Jekyll writes pages in file-name order, then posts and collection pages), so this file is not published",
                            page.source_path, winner.source_path, winner.source_path
                        ),
                    )
                    .at(&text, page.line_of("permalink"), 1)
                    .with_hint("give one of the two files a different `permalink`, or remove the one that is not wanted"),
                );
                losers.insert(loser);
            }
        }
        // A post that loses is still one of Jekyll's `site.posts`, so the
        // resource room still lists it (at the URL it shares); it is only not
        // written. Every other loser is left out.
        for &loser in &losers {
            if matches!(pages[loser].kind, PageKind::Post { .. }) {
                pages[loser].published = false;
            }
        }
        let mut index = 0;
        pages.retain(|page| {
            index += 1;
            !losers.contains(&(index - 1)) || matches!(page.kind, PageKind::Post { .. })
        });
    }
}

/// Where Jekyll writes `page` among the writers of one URL (the last wins).
fn write_order<'p>(
    page: &'p Page,
    rank_of_collection: &HashMap<&str, usize>,
    place_in_order: &HashMap<String, usize>,
    today: Date,
) -> (u8, usize, usize, Date, &'p str, &'p str) {
    let path = page.source_path.as_str();
    match &page.kind {
        PageKind::Post { .. } => (1, 0, 0, page.date.unwrap_or(today), "", path),
        PageKind::CollectionItem { collection } => (
            1,
            rank_of_collection
                .get(collection.as_str())
                .copied()
                .unwrap_or(0),
            place_in_order.get(path).copied().unwrap_or(usize::MAX),
            page.date.unwrap_or(today),
            "",
            path,
        ),
        _ => (
            0,
            0,
            0,
            today,
            path.rsplit('/').next().unwrap_or(path),
            path,
        ),
    }
}
