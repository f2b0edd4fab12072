//! Theme inheritance: `theme.toml` and the `extends` chain.

use gazette_content::Source;
use serde::Deserialize;

use crate::ThemeError;

/// A theme's `theme.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ThemeManifest {
    /// The theme's name (its folder name when absent).
    #[serde(default)]
    pub name: Option<String>,
    /// What the theme is for.
    #[serde(default)]
    pub description: Option<String>,
    /// The parent theme whose templates and assets this one builds on.
    #[serde(default)]
    pub extends: Option<String>,
    /// Older layout names mapped to the layout that renders them.
    #[serde(default)]
    pub layout_aliases: std::collections::BTreeMap<String, String>,
}

/// Resolves `name` and its ancestors, child first. A missing theme or a cycle
/// is an error naming the whole chain.
pub fn resolve_chain(
    themes: &dyn Source,
    name: &str,
) -> Result<Vec<(String, ThemeManifest)>, ThemeError> {
    let mut chain: Vec<(String, ThemeManifest)> = Vec::new();
    let mut next = Some(name.to_owned());
    while let Some(current) = next {
        if chain.iter().any(|(seen, _)| *seen == current) {
            let mut names: Vec<&str> = chain.iter().map(|(n, _)| n.as_str()).collect();
            names.push(&current);
            return Err(ThemeError::Cycle(names.join(" → ")));
        }
        let manifest_path = format!("{current}/theme.toml");
        let bytes = themes
            .read(&manifest_path)
            .map_err(|_| ThemeError::Missing {
                name: current.clone(),
                wanted_by: chain.last().map(|(child, _)| child.clone()),
                themes: themes.describe(),
            })?;
        let text = String::from_utf8_lossy(&bytes);
        let manifest: ThemeManifest =
            toml::from_str(&text).map_err(|error| ThemeError::Manifest {
                path: manifest_path.clone(),
                message: error.to_string(),
            })?;
        next = manifest.extends.clone();
        chain.push((current, manifest));
    }
    Ok(chain)
}
