//! A previous publish's output patched with pages rendered anew from a kept
//! state: the rendered units replace theirs, the search index is updated
//! for their words, every other file is reused.

use std::collections::{BTreeMap, HashMap};

use crate::manifest::{Manifest, OutputRecord, UnitRecord};
use crate::render_state::RenderedUnit;
use crate::rendered::{
    Output, OutputContents, PageOutput, RenderStats, RenderedSite, add_manifest,
};
use crate::search::{PageEdit, PreviousSearch, apply_edits};

/// The output of `previous` with `units` rendered anew and everything else
/// reused; `None` when a unit would not write the files it wrote before
/// (which a body edit cannot do: then the whole render decides), or when
/// `previous_search` (the previous output's index) does not know an edited
/// page.
pub fn patched(
    previous: &Manifest,
    previous_search: PreviousSearch<'_>,
    units: Vec<RenderedUnit>,
    commit: &str,
    dates: BTreeMap<String, i64>,
) -> Option<RenderedSite> {
    let mut manifest = previous.clone();
    manifest.commit = Some(commit.to_owned());
    manifest.last_changed = dates;
    let mut fresh: HashMap<String, Vec<u8>> = HashMap::new();
    let is_page = |unit: &&crate::render_state::RenderedUnit| {
        unit.outputs.iter().any(|(_, page)| page.is_some())
    };
    let pages_rendered = units.iter().filter(is_page).count();
    let edits = units
        .iter()
        .filter(is_page)
        .map(|unit| PageEdit {
            unit: unit.id.clone(),
            inputs: unit.inputs_digest.clone(),
            doc: unit.search.clone(),
        })
        .collect();
    let changes = apply_edits(&mut manifest, previous_search, edits)?;
    // Files gone from the index are gone from the manifest, which lists
    // the outputs below.
    fresh.extend(
        changes
            .into_iter()
            .filter_map(|(path, bytes)| Some((path, bytes?))),
    );
    for unit in units {
        let record = manifest.units.get_mut(&unit.id)?;
        let paths: Vec<&str> = unit.outputs.iter().map(|(o, _)| o.path.as_str()).collect();
        let before: Vec<&str> = record.outputs.iter().map(|o| o.path.as_str()).collect();
        if paths != before {
            return None;
        }
        let mut records = Vec::with_capacity(unit.outputs.len());
        for (output, page) in unit.outputs {
            let OutputContents::Rendered(bytes) = output.contents else {
                return None;
            };
            records.push(OutputRecord {
                path: output.path.clone(),
                url: page.map(|page| page.url),
            });
            fresh.insert(output.path, bytes);
        }
        *record = UnitRecord {
            inputs_digest: unit.inputs_digest,
            outputs: records,
        };
    }

    let mut outputs = Vec::with_capacity(
        manifest
            .units
            .values()
            .map(|u| u.outputs.len())
            .sum::<usize>()
            + 1,
    );
    let mut pages = Vec::new();
    let mut page_units = 0;
    for (id, unit) in &manifest.units {
        if unit.outputs.iter().any(|record| record.url.is_some()) {
            page_units += 1;
        }
        for record in &unit.outputs {
            if let Some(url) = &record.url {
                pages.push(PageOutput {
                    url: url.clone(),
                    origin: id.clone(),
                });
            }
            let contents = match fresh.remove(&record.path) {
                Some(bytes) => OutputContents::Rendered(bytes),
                None => OutputContents::Reuse(record.path.clone()),
            };
            outputs.push(Output {
                path: record.path.clone(),
                contents,
                origin: id.clone(),
            });
        }
    }
    add_manifest(&mut outputs, &mut pages, &manifest, None);
    Some(RenderedSite {
        outputs,
        pages,
        manifest,
        stats: RenderStats {
            pages_rendered,
            pages_reused: page_units - pages_rendered,
        },
        // The state's changed files are among the outputs; the whole state
        // was never read.
        ..RenderedSite::default()
    })
}
