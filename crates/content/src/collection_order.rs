//! A collection's `collection.yml` and the order of its pages: listed
//! documents first, in the order given, then the rest in path order;
//! entries that name no document are a `stale-order` warning.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::Diagnostic;
use crate::classify::CollectionSpec;
use crate::collection::{Collection, CollectionEntry};
use crate::config::{string_list, truthy};
use crate::jekyll_paths::line_in;
use crate::loader::Loader;
use crate::page::Page;

/// What a collection's `collection.yml` says.
pub(crate) struct CollectionSettings {
    pub(crate) output: bool,
    pub(crate) order: Vec<String>,
    pub(crate) yml_path: String,
    pub(crate) yml_text: String,
}

impl Loader<'_> {
    /// Each collection's `output` and `order`, from its `collection.yml`.
    pub(crate) fn collection_settings(
        &mut self,
        paths: &[String],
        names: &BTreeMap<String, CollectionSpec>,
    ) -> BTreeMap<String, CollectionSettings> {
        let mut all = BTreeMap::new();
        for (name, spec) in names {
            let yml_path = format!("_{name}/collection.yml");
            let mut found = CollectionSettings {
                output: spec.output,
                order: Vec::new(),
                yml_text: String::new(),
                yml_path,
            };
            if paths.contains(&found.yml_path)
                && let Some(file) = self.read_text(&found.yml_path)
            {
                if let Some(value) = self.parse_yaml_file(&file) {
                    let settings = value.get("collections").and_then(|c| {
                        c.get(name.as_str())
                            .or_else(|| c.as_object()?.values().next())
                    });
                    if let Some(settings) = settings {
                        if let Some(flag) = settings.get("output") {
                            found.output = truthy(Some(flag));
                        }
                        found.order.extend(string_list(settings.get("order")));
                    }
                }
                found.yml_text = file.text;
            }
            all.insert(name.clone(), found);
        }
        all
    }

    /// Each collection's pages in `order`: Jekyll puts the documents it
    /// lists first, in that order, then the others in path order, and skips
    /// entries that name no document.
    pub(crate) fn collections(
        &mut self,
        paths: &[String],
        settings: &BTreeMap<String, CollectionSettings>,
        pages: &mut [Page],
    ) -> Vec<Collection> {
        let mut collections = Vec::new();
        for (name, found) in settings {
            let folder = format!("_{name}/");
            let page_index: HashMap<String, usize> = pages
                .iter()
                .enumerate()
                .filter_map(|(index, page)| {
                    Some((page.source_path.strip_prefix(&folder)?.to_owned(), index))
                })
                .collect();
            let mut entries = Vec::new();
            let mut seen = BTreeSet::new();
            for written in &found.order {
                let entry = written.trim().trim_start_matches("./");
                if entry.ends_with(".keep") {
                    continue;
                }
                match page_index.get(entry) {
                    Some(&index) => {
                        if seen.insert(index) {
                            entries.push(CollectionEntry {
                                page: index,
                                group: pages[index].third_nav_title.clone(),
                            });
                        }
                    }
                    None if paths.contains(&format!("{folder}{entry}")) => {}
                    None => self.diagnostics.push(
                        Diagnostic::tolerated(
                            self.name,
                            &found.yml_path,
                            "stale-order",
                            format!("`order` names `{entry}`, which is not in `{folder}`: the entry is ignored"),
                        )
                        // Found only for problems: a search per entry is quadratic.
                        .at(&found.yml_text, line_in(&found.yml_text, written), 1)
                        .with_hint("fix the file name (names are case-sensitive and may contain spaces) or remove the entry"),
                    ),
                }
            }
            let mut unlisted: Vec<usize> = page_index
                .values()
                .copied()
                .filter(|index| !seen.contains(index))
                .collect();
            unlisted.sort_by(|a, b| pages[*a].source_path.cmp(&pages[*b].source_path));
            entries.extend(unlisted.into_iter().map(|index| CollectionEntry {
                page: index,
                group: pages[index].third_nav_title.clone(),
            }));
            collections.push(Collection {
                name: name.clone(),
                output: found.output,
                entries,
            });
        }
        collections
    }
}
