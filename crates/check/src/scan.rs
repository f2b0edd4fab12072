//! One page's scan as the concerns read it: its links, images and element
//! ids, each string an index into a table of distinct strings.
//!
//! A page scanned by this check owns its table (`html.rs` interns as it
//! scans). A page the check reused borrows the table of the state its scan
//! was kept in (`incremental.rs`), and is read where it is stored: a check
//! that starts from a state copies no string of the pages it did not
//! render. Expanding every kept scan into owned strings was ~15% of a
//! checked one-page publish at 1,000 pages (400,000 references, 9,400
//! distinct strings), and most of its 1.4 GB peak at 10,000.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// What a reference is for: a link people follow or something the page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `a[href]`, `area[href]`, `form[action]`.
    Link,
    /// `img[src]`, `source[src]`, `link[href]`, `script[src]`, `iframe[src]`,
    /// `video[poster]` and `url(...)` in a `style` attribute.
    Resource,
}

/// One URL as a rendered page has it, entities decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    /// The URL.
    pub url: &'a str,
    /// Followed or loaded.
    pub kind: RefKind,
}

/// One image of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Image<'a> {
    /// `src`, entities decoded.
    pub src: &'a str,
    /// `alt`, when the element has one.
    pub alt: Option<&'a str>,
    /// Whether the page says the image is decoration: `alt=""` with
    /// `role="presentation"` (or `none`) or `aria-hidden="true"`, as the
    /// theme marks the pictures of its post cards.
    pub decorative: bool,
    /// Whether the image before it has the same `src`, with no text between.
    pub repeats_previous: bool,
}

/// One page's scan, its strings as indices into a table: the form a state
/// stores, and the form every scan is read in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InternedScan {
    /// Each reference's string, times two, plus one for a resource, in
    /// document order.
    pub(crate) references: Vec<u32>,
    /// Images in document order.
    images: Vec<InternedImage>,
    /// Every `id` (and `a[name]`) on the page, the targets of `#anchors`:
    /// each once, sorted by its string, so that one is found by bisection
    /// and the same scan is always stored the same way.
    ids: Vec<u32>,
}

/// One image of a page, interned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct InternedImage {
    src: u32,
    alt: Option<u32>,
    /// [`DECORATIVE`] and [`REPEATS_PREVIOUS`].
    flags: u8,
}

const DECORATIVE: u8 = 1;
const REPEATS_PREVIOUS: u8 = 2;

impl InternedScan {
    /// Whether the scan can be read against `strings`: every index is one
    /// of them, and the ids are in order. A state that was damaged may be
    /// neither.
    pub(crate) fn fits(&self, strings: &[String]) -> bool {
        let fits = |index: u32| (index as usize) < strings.len();
        self.references.iter().all(|&packed| fits(packed / 2))
            && self
                .images
                .iter()
                .all(|image| fits(image.src) && image.alt.is_none_or(fits))
            && self.ids.iter().all(|&id| fits(id))
            && self
                .ids
                .windows(2)
                .all(|pair| strings[pair[0] as usize] < strings[pair[1] as usize])
    }
}

/// Everything the checker needs from one rendered page: an interned scan
/// and the table its indices name, owned (a page scanned now) or borrowed
/// (a page reused, read in the state).
#[derive(Debug, Clone)]
pub(crate) struct PageScan<'a> {
    scan: Cow<'a, InternedScan>,
    /// Every index of `scan` names one of these, and its ids are in order
    /// ([`InternedScan::fits`]).
    strings: Cow<'a, [String]>,
}

impl<'a> PageScan<'a> {
    /// A scan kept in a state, read against the state's table; `None` when
    /// it does not fit the table ([`InternedScan::fits`]).
    pub(crate) fn kept(scan: &'a InternedScan, strings: &'a [String]) -> Option<Self> {
        scan.fits(strings).then_some(Self {
            scan: Cow::Borrowed(scan),
            strings: Cow::Borrowed(strings),
        })
    }

    fn string(&self, index: u32) -> &str {
        &self.strings[index as usize]
    }

    /// Links and resources in document order.
    pub(crate) fn references(&self) -> impl Iterator<Item = Reference<'_>> {
        self.scan.references.iter().map(|&packed| Reference {
            url: self.string(packed / 2),
            kind: if packed % 2 == 1 {
                RefKind::Resource
            } else {
                RefKind::Link
            },
        })
    }

    /// Links and resources in document order, each with the index of its
    /// URL in the page's table: the key of a lookup for the pages that
    /// share a table ([`PageScan::shares_table`]).
    pub(crate) fn indexed_references(&self) -> impl Iterator<Item = (u32, Reference<'_>)> {
        self.scan
            .references
            .iter()
            .zip(self.references())
            .map(|(&packed, reference)| (packed / 2, reference))
    }

    /// Whether the scan's indices name strings of `table` itself (a
    /// state's, which every kept scan borrows), so that a lookup or an
    /// interning made for one index of it holds for every such scan.
    pub(crate) fn shares_table(&self, table: &[String]) -> bool {
        std::ptr::eq(self.strings.as_ref(), table)
    }

    /// Images in document order.
    pub(crate) fn images(&self) -> impl Iterator<Item = Image<'_>> {
        self.scan.images.iter().map(|image| Image {
            src: self.string(image.src),
            alt: image.alt.map(|alt| self.string(alt)),
            decorative: image.flags & DECORATIVE != 0,
            repeats_previous: image.flags & REPEATS_PREVIOUS != 0,
        })
    }

    /// Whether an element of the page has the id `id`.
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.scan
            .ids
            .binary_search_by(|&index| self.string(index).cmp(id))
            .is_ok()
    }

    /// The page's ids, in order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.scan.ids.iter().map(|&index| self.string(index))
    }

    /// The scan, its strings interned in `interner`'s table: references,
    /// then images, then ids, as a state has always stored them. `None`
    /// when the table is full.
    pub(crate) fn interned(&self, interner: &mut Interner<'_>) -> Option<InternedScan> {
        let mut intern = |index: u32| interner.intern_at(&self.strings, index);
        let references = self
            .scan
            .references
            .iter()
            .map(|&packed| Some(intern(packed / 2)? * 2 + packed % 2))
            .collect::<Option<_>>()?;
        let images = self
            .scan
            .images
            .iter()
            .map(|image| {
                Some(InternedImage {
                    src: intern(image.src)?,
                    alt: match image.alt {
                        Some(alt) => Some(intern(alt)?),
                        None => None,
                    },
                    flags: image.flags,
                })
            })
            .collect::<Option<_>>()?;
        let ids = self
            .scan
            .ids
            .iter()
            .map(|&id| intern(id))
            .collect::<Option<_>>()?;
        Some(InternedScan {
            references,
            images,
            ids,
        })
    }
}

/// Interns strings as indices into one table.
#[derive(Default)]
pub(crate) struct Interner<'t> {
    /// Each string and its index; the table is made from it at the end.
    /// Hashed with Fx: a site's scans hold hundreds of references a page.
    index: FxHashMap<String, u32>,
    /// A table many scans index (the state's, which the kept scans
    /// borrow), and the index here of each of its strings interned so far
    /// ([`NOT_YET`] for the others): the kept scans of a check are most of
    /// its 400,000 references at 1,000 pages, and each is then interned
    /// without hashing its string.
    shared: Option<(&'t [String], Vec<u32>)>,
}

/// A string of the shared table not interned yet.
const NOT_YET: u32 = u32::MAX;

impl<'t> Interner<'t> {
    /// An empty interner that knows `table` is shared by many scans.
    pub(crate) fn sharing(table: &'t [String]) -> Self {
        Self {
            index: FxHashMap::default(),
            shared: Some((table, vec![NOT_YET; table.len()])),
        }
    }

    /// The index of string `at` of `table`: as [`Interner::intern`], the
    /// same index for the same string, in the same order.
    fn intern_at(&mut self, table: &[String], at: u32) -> Option<u32> {
        let string = &table[at as usize];
        let Some((shared, interned)) = &self.shared else {
            return self.intern(string);
        };
        if !std::ptr::eq(*shared, table) {
            return self.intern(string);
        }
        let known = interned[at as usize];
        if known != NOT_YET {
            return Some(known);
        }
        let index = self.intern(string)?;
        if let Some((_, interned)) = &mut self.shared {
            interned[at as usize] = index;
        }
        Some(index)
    }

    /// The index of `string`; `None` past `u32::MAX / 2` strings (a
    /// reference's index is doubled).
    pub(crate) fn intern(&mut self, string: &str) -> Option<u32> {
        if let Some(&index) = self.index.get(string) {
            return Some(index);
        }
        let index = u32::try_from(self.index.len())
            .ok()
            .filter(|index| *index < u32::MAX / 2)?;
        self.index.insert(string.to_owned(), index);
        Some(index)
    }

    /// The table: each string at its index.
    pub(crate) fn into_strings(self) -> Vec<String> {
        let mut strings = vec![String::new(); self.index.len()];
        for (string, index) in self.index {
            strings[index as usize] = string;
        }
        strings
    }
}

/// A page's scan as it is read, interning each string as it comes. Past
/// `u32::MAX / 2` distinct strings on one page (gigabytes of markup) the
/// rest is not collected, as a scan never fails.
#[derive(Default)]
pub(crate) struct ScanBuilder {
    interner: Interner<'static>,
    scan: InternedScan,
}

impl ScanBuilder {
    /// A link or resource, when the element has one.
    pub(crate) fn reference(&mut self, url: Option<&str>, kind: RefKind) {
        if let Some(index) = url.and_then(|url| self.interner.intern(url)) {
            let resource = u32::from(kind == RefKind::Resource);
            self.scan.references.push(index * 2 + resource);
        }
    }

    /// An image.
    pub(crate) fn image(&mut self, image: Image<'_>) {
        let Some(src) = self.interner.intern(image.src) else {
            return;
        };
        let flags = if image.decorative { DECORATIVE } else { 0 }
            | if image.repeats_previous {
                REPEATS_PREVIOUS
            } else {
                0
            };
        let alt = image.alt.and_then(|alt| self.interner.intern(alt));
        self.scan.images.push(InternedImage { src, alt, flags });
    }

    /// Whether the last image so far has this `src`.
    pub(crate) fn is_last_image(&self, src: &str) -> bool {
        self.scan
            .images
            .last()
            .is_some_and(|last| self.interner.index.get(src) == Some(&last.src))
    }

    /// An element's id.
    pub(crate) fn id(&mut self, id: &str) {
        if let Some(index) = self.interner.intern(id) {
            self.scan.ids.push(index);
        }
    }

    /// The scan, which owns its table.
    pub(crate) fn finish(self) -> PageScan<'static> {
        let mut scan = self.scan;
        let strings = self.interner.into_strings();
        // Equal strings have one index, so sorting and removing repeats
        // leaves each id once.
        scan.ids
            .sort_unstable_by(|&a, &b| strings[a as usize].cmp(&strings[b as usize]));
        scan.ids.dedup();
        PageScan {
            scan: Cow::Owned(scan),
            strings: Cow::Owned(strings),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::scan_page;

    const PAGES: [&[u8]; 2] = [
        br#"<nav><a href="/">Home</a><a href="/about/">About</a></nav>
        <h2 id="b">B</h2><h2 id="a">A</h2><a name="b"></a>
        <img src="/x.png" alt="X"><img src="/x.png" alt="X"><img src="/y.png" alt="" role="none">"#,
        br#"<nav><a href="/">Home</a><a href="/about/">About</a></nav>
        <link href="/misc/custom.css"><p id="only">Text <a href="/about/#a">a</a></p>"#,
    ];

    /// `PAGES` scanned, and their scans as a state keeps them, with the
    /// state's table.
    fn scanned_and_kept() -> (Vec<PageScan<'static>>, Vec<InternedScan>, Vec<String>) {
        let fresh: Vec<PageScan<'static>> = PAGES.iter().map(|page| scan_page(page)).collect();
        let mut interner = Interner::default();
        let kept: Vec<InternedScan> = fresh
            .iter()
            .map(|scan| scan.interned(&mut interner).expect("room in the table"))
            .collect();
        (fresh, kept, interner.into_strings())
    }

    #[test]
    fn a_kept_scan_reads_as_the_page_it_was_scanned_from() {
        let (fresh, kept, strings) = scanned_and_kept();
        // The navigation is on both pages, and in the table once.
        assert_eq!(strings.iter().filter(|s| *s == "/about/").count(), 1);
        for (fresh, kept) in fresh.iter().zip(&kept) {
            let kept = PageScan::kept(kept, &strings).expect("the scan fits its table");
            assert!(kept.references().eq(fresh.references()));
            assert!(kept.images().eq(fresh.images()));
            assert!(kept.ids().eq(fresh.ids()));
        }
    }

    #[test]
    fn kept_scans_interned_by_index_are_stored_as_interned_by_string() {
        let (_, kept, table) = scanned_and_kept();
        // The next state's interning, the second page kept and the first
        // scanned again, in the other order: by index, and by string.
        let pages = |table| {
            [
                PageScan::kept(&kept[1], table).expect("the scan fits"),
                scan_page(PAGES[0]),
            ]
        };
        let intern = |mut interner: Interner<'_>, pages: &[PageScan<'_>]| {
            let scans: Vec<InternedScan> = pages
                .iter()
                .map(|scan| scan.interned(&mut interner).expect("room in the table"))
                .collect();
            (scans, interner.into_strings())
        };
        let by_index = intern(Interner::sharing(&table), &pages(&table));
        let by_string = intern(Interner::default(), &pages(&table));
        assert_eq!(by_index, by_string);
        assert!(pages(&table)[0].shares_table(&table));
        assert!(!pages(&table)[1].shares_table(&table));
    }

    #[test]
    fn ids_are_kept_once_in_order_and_found_by_bisection() {
        let scan = scan_page(PAGES[0]);
        assert_eq!(scan.ids().collect::<Vec<_>>(), ["a", "b"]);
        assert!(scan.has_id("a") && scan.has_id("b") && !scan.has_id("c"));
        let images: Vec<(&str, bool, bool)> = scan
            .images()
            .map(|image| (image.src, image.repeats_previous, image.decorative))
            .collect();
        assert_eq!(
            images,
            [
                ("/x.png", false, false),
                ("/x.png", true, false),
                ("/y.png", false, true)
            ]
        );
    }

    #[test]
    fn a_scan_fits_only_a_table_with_its_strings_and_its_ids_in_order() {
        let scan = InternedScan {
            references: vec![0, 3],
            images: Vec::new(),
            ids: vec![0, 1],
        };
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(PageScan::kept(&scan, &strings(&["a", "b"])).is_some());
        assert!(PageScan::kept(&scan, &strings(&["a"])).is_none());
        assert!(PageScan::kept(&scan, &strings(&["b", "a"])).is_none());
        assert!(PageScan::kept(&scan, &strings(&["a", "a"])).is_none());
    }
}
