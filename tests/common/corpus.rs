//! The corpus ratchet: which real sites do not yet build as Jekyll built them,
//! and why.
//!
//! Every corpus site is either held to the full checks (it builds, writes
//! every URL Jekyll wrote, and shows Jekyll's text) or listed in
//! [`KNOWN_GAPS`] with the exact kinds of the problems it still has. The
//! corpus tests fail when a listed site gains or loses a kind, so the list can
//! only shrink as the compatibility work lands: fixing a kind means deleting it
//! here.

use std::collections::BTreeSet;

/// A kind of gap between Gazette's build of a real site and Jekyll's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// The build fails: two files write one URL (Jekyll warns `Conflict:`).
    UrlConflict,
    /// The build fails: a page outside `pages/` and the collections (Jekyll
    /// publishes it at its path).
    PageOutsideFolders,
    /// The build fails: a layout Gazette's theme lacks (Jekyll writes the
    /// page without a layout, or the Isomer theme has it).
    UnknownLayout,
    /// The build fails: a permalink that is another site's URL (Jekyll writes
    /// it as a path).
    ExternalPermalink,
    /// The build fails: Liquid that Jekyll renders (includes, `else if`,
    /// `where_exp`, lookups of missing keys).
    Liquid,
    /// The build fails: front matter YAML that does not parse (Jekyll warns
    /// and builds the file with empty front matter).
    FrontMatterYaml,
    /// The build fails: front matter without a closing `---` (Jekyll reads
    /// the whole file as the body).
    FrontMatterUnclosed,
    /// The build fails: `collection.yml` `order` names a missing file (Jekyll
    /// ignores the entry).
    StaleOrder,
    /// The build fails for a reason this list does not know yet.
    OtherError,
    /// The site builds but does not write every URL Jekyll wrote.
    MissingUrls,
    /// The site builds but shows less of Jekyll's text than the bar: mean
    /// recall under [`MIN_MEAN_RECALL`], or a page body under
    /// [`MIN_BODY_RECALL`].
    LowRecall,
    /// The site builds but fails the browser checks (axe-core, requests to
    /// other hosts; `tests/browser.rs`).
    BrowserCheck,
}

impl Gap {
    /// Whether this gap stops the site from building at all.
    pub fn is_build_error(self) -> bool {
        !matches!(self, Gap::MissingUrls | Gap::LowRecall | Gap::BrowserCheck)
    }

    /// The kind of one `error:` line that `gazette build` printed.
    pub fn of_error(message: &str) -> Gap {
        let has = |text: &str| message.contains(text);
        if has("is already used by") || has("` both write `") || has(", a file of the theme") {
            Gap::UrlConflict
        } else if has("outside every folder") {
            Gap::PageOutsideFolders
        } else if has("unknown layout") {
            Gap::UnknownLayout
        } else if has("is a link to another site") {
            Gap::ExternalPermalink
        } else if has("Liquid") || has("liquid") {
            Gap::Liquid
        } else if has("malformed YAML") {
            Gap::FrontMatterYaml
        } else if has("no closing `---`") {
            Gap::FrontMatterUnclosed
        } else if has("`order` names") {
            Gap::StaleOrder
        } else {
            Gap::OtherError
        }
    }
}

/// The mean content recall a site must reach (the share of Jekyll's words
/// that Gazette's page shows, averaged over its pages).
pub const MIN_MEAN_RECALL: f64 = 0.98;

/// The recall every page or post body must reach.
pub const MIN_BODY_RECALL: f64 = 0.9;

use Gap::*;

/// The corpus sites that do not yet build as Jekyll built them, each with
/// every kind of gap it has today. Remove a kind when it is fixed; remove the
/// site when it has none left.
pub const KNOWN_GAPS: &[(&str, &[Gap])] = &[
    // Jekyll's list has both `/https:/sgtechcentre…/…-winners1.html` and the
    // same URL with a trailing `/`: a file and a folder of one name, which no
    // folder of files can hold. Gazette writes the folder (the post's
    // permalink ends in `/`), so the file's URL stays missing.
    ("imda-oin", &[MissingUrls]),
];

/// The gaps listed for `site` (empty for a site held to every check).
pub fn known_gaps(site: &str) -> BTreeSet<Gap> {
    KNOWN_GAPS
        .iter()
        .find(|(name, _)| *name == site)
        .map(|(_, gaps)| gaps.iter().copied().collect())
        .unwrap_or_default()
}

/// Whether `site` is listed as not building at all.
pub fn fails_to_build(site: &str) -> bool {
    known_gaps(site).iter().any(|gap| gap.is_build_error())
}
