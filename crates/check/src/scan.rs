//! One page's scan in the form a check state keeps it: each string an
//! index into one table of the distinct strings of every page's scan.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::html::{Image, PageScan, RefKind, Reference};

/// One page's scan, its strings as indices into a table of distinct
/// strings (`CheckState::strings`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct InternedScan {
    /// Each reference's string, times two, plus one for a resource.
    pub(crate) references: Vec<u32>,
    images: Vec<InternedImage>,
    ids: Vec<u32>,
}

/// One image of a page, interned.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct InternedImage {
    src: u32,
    alt: Option<u32>,
    /// [`DECORATIVE`] and [`REPEATS_PREVIOUS`].
    flags: u8,
}

const DECORATIVE: u8 = 1;
const REPEATS_PREVIOUS: u8 = 2;

/// Interns strings as indices into one table.
#[derive(Default)]
pub(crate) struct Interner {
    pub(crate) strings: Vec<String>,
    /// Hashed with Fx: a site's scans hold hundreds of references a page.
    index: FxHashMap<String, u32>,
}

impl Interner {
    /// The index of `string`; `None` past `u32::MAX / 2` strings (a
    /// reference's index is doubled).
    pub(crate) fn intern(&mut self, string: String) -> Option<u32> {
        if let Some(&index) = self.index.get(&string) {
            return Some(index);
        }
        let index = u32::try_from(self.strings.len())
            .ok()
            .filter(|index| *index < u32::MAX / 2)?;
        self.strings.push(string.clone());
        self.index.insert(string, index);
        Some(index)
    }
}

impl InternedScan {
    pub(crate) fn new(scan: PageScan, interner: &mut Interner) -> Option<Self> {
        let references = scan
            .references
            .into_iter()
            .map(|reference| {
                let resource = u32::from(reference.kind == RefKind::Resource);
                Some(interner.intern(reference.url)? * 2 + resource)
            })
            .collect::<Option<_>>()?;
        let images = scan
            .images
            .into_iter()
            .map(|image| {
                let flags = if image.decorative { DECORATIVE } else { 0 }
                    | if image.repeats_previous {
                        REPEATS_PREVIOUS
                    } else {
                        0
                    };
                Some(InternedImage {
                    src: interner.intern(image.src)?,
                    alt: match image.alt {
                        Some(alt) => Some(interner.intern(alt)?),
                        None => None,
                    },
                    flags,
                })
            })
            .collect::<Option<_>>()?;
        // Sorted, so that the same scan is always stored the same way.
        let mut ids: Vec<String> = scan.ids.into_iter().collect();
        ids.sort_unstable();
        let ids = ids
            .into_iter()
            .map(|id| interner.intern(id))
            .collect::<Option<_>>()?;
        Some(Self {
            references,
            images,
            ids,
        })
    }

    /// The scan, its strings looked up in `strings`; `None` when one is not
    /// there.
    pub(crate) fn scan(&self, strings: &[String]) -> Option<PageScan> {
        let string = |index: u32| strings.get(usize::try_from(index).ok()?).cloned();
        let references = self
            .references
            .iter()
            .map(|&packed| {
                Some(Reference {
                    url: string(packed / 2)?,
                    kind: if packed % 2 == 1 {
                        RefKind::Resource
                    } else {
                        RefKind::Link
                    },
                })
            })
            .collect::<Option<_>>()?;
        let images = self
            .images
            .iter()
            .map(|image| {
                Some(Image {
                    src: string(image.src)?,
                    alt: match image.alt {
                        Some(alt) => Some(string(alt)?),
                        None => None,
                    },
                    decorative: image.flags & DECORATIVE != 0,
                    repeats_previous: image.flags & REPEATS_PREVIOUS != 0,
                })
            })
            .collect::<Option<_>>()?;
        let ids = self
            .ids
            .iter()
            .map(|&id| string(id))
            .collect::<Option<_>>()?;
        Some(PageScan {
            references,
            images,
            ids,
        })
    }

    /// Whether every index is one of `count` strings.
    pub(crate) fn fits(&self, count: usize) -> bool {
        let fits = |index: u32| usize::try_from(index).is_ok_and(|index| index < count);
        self.references.iter().all(|&packed| fits(packed / 2))
            && self
                .images
                .iter()
                .all(|image| fits(image.src) && image.alt.is_none_or(fits))
            && self.ids.iter().all(|&id| fits(id))
    }
}
