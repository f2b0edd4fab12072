//! The `isomer` theme built into the program, and a themes source that puts a
//! workspace's own themes over it.
//!
//! So Gazette renders any Isomer repository without a workspace: the theme
//! the sites expect ships with the binary. A workspace's `themes/` still
//! wins: a theme folder there replaces the built-in theme of that name whole
//! (never file by file, so a theme is always one author's), and a theme of
//! its own can `extends = "isomer"` without copying it.

use std::collections::BTreeSet;

use gazette_content::{Source, SourceError};
use include_dir::{Dir, include_dir};

/// The themes shipped in the binary: `themes/isomer/` of this repository.
static ISOMER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../themes/isomer");

/// The name of the theme built into the program.
pub const BUILTIN_THEME: &str = "isomer";

/// The built-in themes as a [`Source`] whose top folders are themes, like a
/// workspace's `themes/`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinThemes;

impl BuiltinThemes {
    fn file(path: &str) -> Option<&'static [u8]> {
        let inside = path.strip_prefix(BUILTIN_THEME)?.strip_prefix('/')?;
        ISOMER.get_file(inside).map(include_dir::File::contents)
    }
}

impl Source for BuiltinThemes {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        let mut paths = Vec::new();
        let mut folders = vec![&ISOMER];
        while let Some(folder) = folders.pop() {
            for entry in folder.entries() {
                match entry {
                    include_dir::DirEntry::Dir(inner) => folders.push(inner),
                    include_dir::DirEntry::File(file) => paths.push(format!(
                        "{BUILTIN_THEME}/{}",
                        file.path().to_string_lossy().replace('\\', "/")
                    )),
                }
            }
        }
        paths.sort();
        Ok(paths)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        Self::file(path)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| SourceError::NotFound {
                path: path.to_owned(),
                source_name: self.describe(),
            })
    }

    fn describe(&self) -> String {
        "the themes built into gazette".to_owned()
    }

    fn content_id(&self, path: &str) -> Option<String> {
        Self::file(path).map(|bytes| blake3::hash(bytes).to_hex().to_string())
    }
}

/// A workspace's themes (if it has any) over the built-in ones: a theme is
/// read from the workspace when it has a folder of that name, else from the
/// binary.
pub struct ThemeLibrary {
    own: Option<Box<dyn Source>>,
    /// The top folders of `own`: the themes it replaces or adds.
    own_themes: BTreeSet<String>,
}

impl ThemeLibrary {
    /// `own` (a workspace's `themes/`, from a folder or a revision) over the
    /// built-in themes; `None` when there is no themes folder.
    pub fn new(own: Option<Box<dyn Source>>) -> Result<Self, SourceError> {
        let own_themes = match &own {
            Some(source) => source
                .list()?
                .iter()
                .filter_map(|path| path.split_once('/').map(|(theme, _)| theme.to_owned()))
                .collect(),
            None => BTreeSet::new(),
        };
        Ok(Self { own, own_themes })
    }

    /// The built-in themes alone.
    pub fn builtin() -> Self {
        Self {
            own: None,
            own_themes: BTreeSet::new(),
        }
    }

    /// The source a path is read from.
    fn layer(&self, path: &str) -> &dyn Source {
        let theme = path.split_once('/').map_or(path, |(theme, _)| theme);
        match &self.own {
            Some(own) if self.own_themes.contains(theme) => own.as_ref(),
            _ => &BuiltinThemes,
        }
    }
}

impl Source for ThemeLibrary {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        let mut paths = match &self.own {
            Some(own) => own.list()?,
            None => Vec::new(),
        };
        paths.extend(BuiltinThemes.list()?.into_iter().filter(|path| {
            let theme = path.split_once('/').map_or(path.as_str(), |(t, _)| t);
            !self.own_themes.contains(theme)
        }));
        paths.sort();
        Ok(paths)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        self.layer(path).read(path)
    }

    fn describe(&self) -> String {
        match &self.own {
            Some(own) => format!("{} and {}", own.describe(), BuiltinThemes.describe()),
            None => BuiltinThemes.describe(),
        }
    }

    fn content_id(&self, path: &str) -> Option<String> {
        self.layer(path).content_id(path)
    }

    fn content_id_of(&self, path: &str, bytes: &[u8]) -> Option<String> {
        self.layer(path).content_id_of(path, bytes)
    }

    fn version(&self, path: &str) -> Option<String> {
        self.layer(path).version(path)
    }
}

#[cfg(test)]
mod tests {
    use gazette_content::MemorySource;

    use super::*;
    use crate::Theme;

    #[test]
    fn the_builtin_isomer_theme_loads_without_any_themes_folder() {
        let library = ThemeLibrary::builtin();
        assert!(
            library
                .list()
                .unwrap()
                .contains(&"isomer/theme.toml".to_owned())
        );
        let theme = Theme::load(&library, BUILTIN_THEME, None).unwrap();
        assert!(theme.resolve_layout("page").is_some());
    }

    #[test]
    fn a_workspace_theme_replaces_the_builtin_one_of_its_name_whole() {
        let own = MemorySource::from_files([
            ("isomer/theme.toml", "name = \"isomer\"\n"),
            ("isomer/templates/layouts/page.html", "own page"),
        ]);
        let library = ThemeLibrary::new(Some(Box::new(own))).unwrap();
        let paths = library.list().unwrap();
        assert_eq!(
            paths,
            ["isomer/templates/layouts/page.html", "isomer/theme.toml"]
        );
        assert_eq!(
            library.read("isomer/templates/layouts/page.html").unwrap(),
            b"own page"
        );
    }

    #[test]
    fn a_workspace_theme_extends_the_builtin_one() {
        let own = MemorySource::from_files([(
            "agency/theme.toml",
            "name = \"agency\"\nextends = \"isomer\"\n",
        )]);
        let library = ThemeLibrary::new(Some(Box::new(own))).unwrap();
        let theme = Theme::load(&library, "agency", None).unwrap();
        assert!(theme.resolve_layout("page").is_some());
        assert_eq!(theme.chain(), ["agency", "isomer"]);
    }
}
