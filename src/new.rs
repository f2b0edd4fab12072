//! `gazette new NAME`: a small working site from the theme's starter files
//! (`themes/<theme>/starter/`, built in for `isomer`), in the Isomer format.

use anyhow::{Context as _, bail};
use gazette_content::Source;
use gazette_publish::Workspace;

/// Arguments of `gazette new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The site's name: its folder (under `sites/` in a workspace, else here).
    pub name: String,
    /// The site's title (default: the name).
    #[arg(long)]
    pub title: Option<String>,
}

/// Where a theme keeps the files of a new site.
const STARTER: &str = "starter/";

/// The placeholder the starter files carry where the title goes.
const TITLE_MARK: &str = "SITE_TITLE";

/// Writes the new site; prints where and what to do next.
pub fn run(args: &NewArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover_or_site(&current)?;
    let name = &args.name;
    anyhow::ensure!(
        !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.'),
        "`{name}` cannot name a site folder"
    );
    let folder = if workspace.declared {
        workspace.root.join(&workspace.settings.sites).join(name)
    } else {
        current.join(name)
    };
    if folder.exists() {
        bail!("{} already exists", folder.display());
    }
    let theme = workspace.settings.default_theme.clone();
    let themes = workspace.themes()?;
    let prefix = format!("{theme}/{STARTER}");
    let files: Vec<String> = themes
        .list()?
        .into_iter()
        .filter(|path| path.starts_with(&prefix))
        .collect();
    if files.is_empty() {
        bail!("the theme `{theme}` has no starter site ({prefix})");
    }
    let title = args.title.as_deref().unwrap_or(name);
    // The title goes into YAML values; quotes keep any character it holds.
    let yaml_title = serde_json::to_string(title)?;
    for path in &files {
        let bytes = themes.read(path)?;
        let target = folder.join(&path[prefix.len()..]);
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => text.replace(TITLE_MARK, &yaml_title).into_bytes(),
            Err(binary) => binary.into_bytes(),
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot make {}", parent.display()))?;
        }
        std::fs::write(&target, bytes)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    println!(
        "{:>10} {name}: {} files in {}",
        "Created",
        files.len(),
        folder.display()
    );
    let shown = if workspace.declared {
        name.clone()
    } else {
        folder.display().to_string()
    };
    println!("Next:");
    println!("  gazette serve {shown}     # preview it while you edit");
    println!("  gazette check {shown}     # find broken links and missing images");
    if workspace.declared {
        println!(
            "  git add {} && git commit   # then `gazette publish {name}`",
            folder
                .strip_prefix(&workspace.root)
                .unwrap_or(&folder)
                .display()
        );
    }
    Ok(true)
}
