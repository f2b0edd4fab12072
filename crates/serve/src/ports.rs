//! Which port each site previews on, kept between runs so that a site keeps
//! its port when another site is added (a bookmark or an open tab stays
//! right).
//!
//! A stable hash of the name would need no file, but it scatters ports over
//! a range and two names can land on one port (with 50 sites in 1,000
//! ports, more likely than not); so each site gets the lowest free offset
//! the first time it is served, in name order, and keeps it: the book is a
//! small text file of `offset name` lines in the repository's Git folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each site's offset from the index's port (1, 2, …), as recorded.
#[derive(Debug, Default)]
pub struct PortBook {
    path: Option<PathBuf>,
    offsets: BTreeMap<String, u16>,
    changed: bool,
}

impl PortBook {
    /// The book kept at `path` (empty when it does not exist yet or cannot be
    /// read); `None` keeps nothing, so sites are numbered in the order asked.
    pub fn open(path: Option<PathBuf>) -> Self {
        let text = path
            .as_deref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        let offsets = text
            .lines()
            .filter_map(|line| {
                let (offset, name) = line.split_once(' ')?;
                Some((
                    name.to_owned(),
                    offset.parse::<u16>().ok().filter(|o| *o > 0)?,
                ))
            })
            .collect();
        Self {
            path,
            offsets,
            changed: false,
        }
    }

    /// The offsets of `names` (in the order given): recorded ones kept, new
    /// names given the lowest offsets no other site holds, in name order.
    pub fn assign(&mut self, names: &[String]) -> Vec<u16> {
        let mut new: Vec<&String> = names
            .iter()
            .filter(|name| !self.offsets.contains_key(*name))
            .collect();
        new.sort();
        for name in new {
            let taken: std::collections::BTreeSet<u16> = self.offsets.values().copied().collect();
            let free = (1..=u16::MAX)
                .find(|offset| !taken.contains(offset))
                .unwrap_or(1);
            self.offsets.insert(name.clone(), free);
            self.changed = true;
        }
        names.iter().map(|name| self.offsets[name]).collect()
    }

    /// Writes the book back if a site was added to it. A book that cannot be
    /// written costs only stable ports: the preview works the same.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = self.path.as_deref().filter(|_| self.changed) else {
            return Ok(());
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let text: String = self
            .offsets
            .iter()
            .map(|(name, offset)| format!("{offset} {name}\n"))
            .collect();
        write_replacing(path, &text)
    }
}

/// Writes `text` to `path` through a file beside it, so two previews
/// starting at once never leave a half-written book.
fn write_replacing(path: &Path, text: &str) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_site_keeps_its_port_when_another_is_added_before_it() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("gazette").join("preview-ports");
        let mut first = PortBook::open(Some(path.clone()));
        assert_eq!(first.assign(&names(&["health", "ogp"])), [1, 2]);
        first.save().unwrap();

        // `agency` sorts first; the others keep their offsets.
        let mut second = PortBook::open(Some(path.clone()));
        assert_eq!(
            second.assign(&names(&["agency", "health", "ogp"])),
            [3, 1, 2]
        );
        second.save().unwrap();

        // Serving one site alone uses its own offset too.
        let mut third = PortBook::open(Some(path));
        assert_eq!(third.assign(&names(&["ogp"])), [2]);
    }

    #[test]
    fn without_a_book_sites_are_numbered_in_name_order() {
        let mut book = PortBook::open(None);
        assert_eq!(book.assign(&names(&["b", "a"])), [2, 1]);
        book.save().unwrap();
    }
}
