//! `--fix-mojibake`: the repaired text of each file with mojibake, ready to
//! write over the original. Only the garbled characters change.

use std::path::Path;

use gazette_content::{Site, Source};

use crate::locate::{SourceTexts, checked_paths};
use crate::mojibake::repair_mojibake;

/// One file's repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MojibakeFix {
    /// The file, relative to the site root.
    pub path: String,
    /// Its repaired text.
    pub repaired: String,
    /// How many spots were repaired.
    pub spots: usize,
}

impl MojibakeFix {
    /// Writes the repaired text over the file under `site_root`.
    pub fn write(&self, site_root: &Path) -> std::io::Result<()> {
        std::fs::write(site_root.join(&self.path), &self.repaired)
    }
}

/// The repairs of every source file of `site` that has mojibake, by path.
pub fn plan_mojibake_fixes(site: &Site, source: &dyn Source) -> Vec<MojibakeFix> {
    let texts = SourceTexts::new(source, checked_paths(site, source));
    texts
        .iter()
        .filter_map(|(path, text)| {
            let (repaired, spots) = repair_mojibake(text);
            (spots > 0).then(|| MojibakeFix {
                path: path.to_owned(),
                repaired,
                spots,
            })
        })
        .collect()
}
