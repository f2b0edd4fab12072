//! The Gazette workspace: `gazette.toml`, the sites under `sites/` with their
//! `site.toml`, and the themes under `themes/` (over the ones built into the
//! program). Outside a workspace, an Isomer repository is a workspace of one
//! site ([`Workspace::discover_or_site`]).

use std::fs;
use std::path::{Path, PathBuf};

use gazette_store::WorkTreeSource;
use gazette_theme::ThemeLibrary;
use serde::Deserialize;

use crate::bucket::BucketTarget;
use crate::request::PublishTarget;

/// The file that marks a workspace's root.
pub const WORKSPACE_FILE: &str = "gazette.toml";

/// Workspace-wide settings (`gazette.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct WorkspaceSettings {
    /// Where sites are built to, relative to the root.
    pub output: PathBuf,
    /// The folder holding one folder per site.
    pub sites: PathBuf,
    /// The folder holding one folder per theme.
    pub themes: PathBuf,
    /// The theme of sites whose `site.toml` names none.
    pub default_theme: String,
}

impl Default for WorkspaceSettings {
    fn default() -> Self {
        Self {
            output: "public".into(),
            sites: "sites".into(),
            themes: "themes".into(),
            default_theme: "isomer".into(),
        }
    }
}

/// A site's own Gazette settings (`sites/<name>/site.toml`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// The theme to render with.
    pub theme: Option<String>,
    /// The address the site is published at.
    pub base_url: Option<String>,
    /// What `cargo xtask publish` does with the checker's errors.
    pub check: CheckPolicy,
    /// Where `gazette publish` puts the site.
    pub publish: PublishSettings,
    /// Whether what Jekyll tolerates (URL conflicts, broken front matter,
    /// missing layouts, Liquid errors, ...) fails the build, as `--strict`
    /// does, for teams that want a clean site.
    pub strict: bool,
    /// Whether `gazette publish` writes SVG images with script, event
    /// handlers, `<foreignObject>` and unsafe links removed, rather than as
    /// they are (as Jekyll does).
    pub sanitize_svg: bool,
}

/// `[publish]` of `site.toml`: a folder (the default, `public/<site>`), a
/// branch of the repository, or a bucket.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PublishSettings {
    /// The output folder, relative to the workspace root.
    pub folder: Option<PathBuf>,
    /// A branch to commit the output to, such as `publish/govtech`.
    pub branch: Option<String>,
    /// A bucket to upload the output to: `s3://name/prefix`.
    pub bucket: Option<String>,
    /// The bucket's S3 endpoint, for stores other than AWS.
    pub endpoint: Option<String>,
    /// The bucket's region.
    pub region: Option<String>,
}

/// What publishing does when `gazette check` finds errors in a site
/// (`check = "error"` or `check = "warn"` in `site.toml`).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CheckPolicy {
    /// Errors stop the site from being published.
    #[default]
    Error,
    /// Errors are printed as warnings and the site is published.
    Warn,
}

/// A workspace found on disk.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder holding `gazette.toml`, or the site folder (or the current
    /// folder) when there is none.
    pub root: PathBuf,
    /// Its settings.
    pub settings: WorkspaceSettings,
    /// Whether `root` holds a `gazette.toml`; without one the workspace is
    /// the Isomer site at `root`, rendered with the built-in themes.
    pub declared: bool,
}

/// A site to build: a folder and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteEntry {
    /// Its name: the folder name.
    pub name: String,
    /// The site's folder.
    pub path: PathBuf,
    /// `site.toml`, or defaults for a folder without one.
    pub settings: SiteSettings,
}

/// Why the workspace or a site could not be found.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// No `gazette.toml` in the folder or any parent.
    #[error("no {WORKSPACE_FILE} in {0} or any folder above it; run Gazette inside a workspace")]
    NotFound(PathBuf),
    /// A settings file is malformed.
    #[error("{path}: {message}")]
    Settings {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Neither a site of the workspace nor a folder.
    #[error(
        "`{name}` is neither a site under sites/ nor a folder (sites: {}){}",
        if known.is_empty() { "none".to_owned() } else { known.join(", ") },
        closest.as_ref().map(|closest| format!("; did you mean `{closest}`?")).unwrap_or_default()
    )]
    UnknownSite {
        /// The name as given.
        name: String,
        /// The sites of the workspace.
        known: Vec<String>,
        /// The known name closest to it, when one is close.
        closest: Option<String>,
    },
    /// The site has a Git repository of its own inside the workspace.
    #[error(
        "{site} has a Git repository of its own ({}/.git), so the workspace's commits do not \
         hold its files; to bring it in with its history, move it out of the workspace and \
         run `gazette import PATH --name {site}`",
        path.display()
    )]
    OwnRepository {
        /// The site's name.
        site: String,
        /// Its folder.
        path: PathBuf,
    },
    /// The site is in another repository than the workspace's themes.
    #[error(
        "{site} is in the Git repository at {}, and the workspace's themes are not: \
         publish sites of the workspace's own repository (`gazette import` brings one in)",
        repository.display()
    )]
    ThemesElsewhere {
        /// The site's name.
        site: String,
        /// The repository holding it.
        repository: PathBuf,
    },
    /// The site's folder is not in the revision to publish.
    #[error(
        "{site} is not committed: `{folder}` is not in revision `{revision}`. Gazette publishes \
         what Git holds; commit the site first (`git add {folder} && git commit`), or try it \
         with `gazette build {site}`"
    )]
    NotCommitted {
        /// The site's name.
        site: String,
        /// Its folder in the repository.
        folder: String,
        /// The revision.
        revision: String,
    },
    /// Git could not be read.
    #[error("{0}")]
    Git(#[from] gazette_store::GitError),
    /// The themes folder could not be read.
    #[error("{path}: cannot read the themes: {message}")]
    Themes {
        /// The themes folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Reading a folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

impl Workspace {
    /// Finds the workspace holding `start` (the folder itself or a parent).
    pub fn discover(start: &Path) -> Result<Self, WorkspaceError> {
        let start = fs::canonicalize(start).map_err(|source| WorkspaceError::Io {
            path: start.to_owned(),
            source,
        })?;
        let root = start
            .ancestors()
            .find(|folder| folder.join(WORKSPACE_FILE).is_file())
            .ok_or_else(|| WorkspaceError::NotFound(start.clone()))?
            .to_owned();
        let settings = read_toml(&root.join(WORKSPACE_FILE))?;
        Ok(Self {
            root,
            settings,
            declared: true,
        })
    }

    /// The workspace holding `start`; when there is none, the Isomer site
    /// holding it (the nearest folder at or above `start` with a
    /// `_config.yml`, as in an agency's own repository) as a workspace of
    /// that one site, else `start` itself with no sites (sites can still be
    /// named by path).
    pub fn discover_or_site(start: &Path) -> Result<Self, WorkspaceError> {
        match Self::discover(start) {
            Err(WorkspaceError::NotFound(start)) => {
                let root = start
                    .ancestors()
                    .find(|folder| folder.join("_config.yml").is_file())
                    .unwrap_or(&start)
                    .to_owned();
                Ok(Self {
                    root,
                    settings: WorkspaceSettings::default(),
                    declared: false,
                })
            }
            found => found,
        }
    }

    /// The themes sites render with: the workspace's `themes/` over the
    /// ones built into the program (those alone outside a workspace or when
    /// the folder is missing).
    pub fn themes(&self) -> Result<ThemeLibrary, WorkspaceError> {
        let folder = self.themes_dir();
        let own = if self.declared && folder.is_dir() {
            let source = WorkTreeSource::new(&folder).map_err(|error| WorkspaceError::Themes {
                path: folder.clone(),
                message: error.to_string(),
            })?;
            Some(Box::new(source) as Box<dyn gazette_content::Source>)
        } else {
            None
        };
        ThemeLibrary::new(own).map_err(|error| WorkspaceError::Themes {
            path: folder,
            message: error.to_string(),
        })
    }

    /// The folder sites are built to by default.
    pub fn output_dir(&self) -> PathBuf {
        self.root.join(&self.settings.output)
    }

    /// The themes folder.
    pub fn themes_dir(&self) -> PathBuf {
        self.root.join(&self.settings.themes)
    }

    /// Every site of the workspace, by name.
    pub fn sites(&self) -> Result<Vec<SiteEntry>, WorkspaceError> {
        if !self.declared {
            return if self.root.join("_config.yml").is_file() {
                Ok(vec![self.site_at(&self.root)?])
            } else {
                Ok(Vec::new())
            };
        }
        let folder = self.root.join(&self.settings.sites);
        let entries = fs::read_dir(&folder).map_err(|source| WorkspaceError::Io {
            path: folder.clone(),
            source,
        })?;
        let mut sites = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| WorkspaceError::Io {
                path: folder.clone(),
                source,
            })?;
            let path = entry.path();
            if path.join("_config.yml").is_file() {
                sites.push(self.site_at(&path)?);
            }
        }
        sites.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(sites)
    }

    /// The sites named on a command line, or every site when none is named.
    pub fn select(&self, names: &[String]) -> Result<Vec<SiteEntry>, WorkspaceError> {
        if names.is_empty() {
            return self.sites();
        }
        names.iter().map(|name| self.resolve_site(name)).collect()
    }

    /// A site named on the command line: a site of the workspace by name, or
    /// the path of any Isomer site folder.
    pub fn resolve_site(&self, argument: &str) -> Result<SiteEntry, WorkspaceError> {
        let by_name = self.root.join(&self.settings.sites).join(argument);
        let is_plain_name = !argument.contains(['/', '\\']) && argument != "." && argument != "..";
        if self.declared && is_plain_name && by_name.is_dir() {
            return self.site_at(&by_name);
        }
        let as_path = PathBuf::from(argument);
        if as_path.is_dir() {
            return self.site_at(&as_path);
        }
        let known: Vec<String> = self
            .sites()
            .map(|sites| sites.into_iter().map(|site| site.name).collect())
            .unwrap_or_default();
        Err(WorkspaceError::UnknownSite {
            name: argument.to_owned(),
            closest: closest_name(argument, &known).map(str::to_owned),
            known,
        })
    }

    fn site_at(&self, path: &Path) -> Result<SiteEntry, WorkspaceError> {
        let path = fs::canonicalize(path).map_err(|source| WorkspaceError::Io {
            path: path.to_owned(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        let settings_path = path.join("site.toml");
        let settings = if settings_path.is_file() {
            read_toml(&settings_path)?
        } else {
            SiteSettings::default()
        };
        Ok(SiteEntry {
            name,
            path,
            settings,
        })
    }

    /// Where a site lives in Git: the repository's working folder and the
    /// site's folder inside it, when the site is in a repository with commits.
    pub fn git_location(&self, site: &SiteEntry) -> Option<(PathBuf, String)> {
        let root = gazette_store::work_dir(&site.path).ok()?;
        let root = fs::canonicalize(root).ok()?;
        match gazette_store::resolve_commit(&root, "HEAD") {
            // A damaged commit is still a commit: reading the site from it
            // reports the damage, where the working folder would hide it.
            Ok(_) | Err(gazette_store::GitError::Damaged(_)) => {}
            Err(_) => return None,
        }
        let folder = site.path.strip_prefix(&root).ok()?;
        Some((root, folder.to_string_lossy().replace('\\', "/")))
    }

    /// The themes folder relative to the repository's working folder.
    pub fn themes_folder_in(&self, repository_root: &Path) -> Option<String> {
        let themes = fs::canonicalize(self.themes_dir()).ok()?;
        let folder = themes.strip_prefix(repository_root).ok()?;
        Some(folder.to_string_lossy().replace('\\', "/"))
    }

    /// The workspace's themes folder inside `repository`, which holds
    /// `site`: a revision's themes go over the built-in ones, so a workspace
    /// without a themes folder names where one would be.
    pub fn site_themes_folder(
        &self,
        site: &SiteEntry,
        repository: &Path,
    ) -> Result<String, WorkspaceError> {
        if let Some(folder) = self.themes_folder_in(repository) {
            return Ok(folder);
        }
        if !self.themes_dir().exists() && self.root == repository {
            return Ok(self.settings.themes.to_string_lossy().replace('\\', "/"));
        }
        if repository == site.path && site.path.starts_with(&self.root) {
            return Err(WorkspaceError::OwnRepository {
                site: site.name.clone(),
                path: site.path.clone(),
            });
        }
        Err(WorkspaceError::ThemesElsewhere {
            site: site.name.clone(),
            repository: repository.to_owned(),
        })
    }

    /// Fails, suggesting a commit, when the site's `folder` is not in the
    /// tree of `revision` (a site copied in or made, not yet committed).
    pub fn ensure_committed(
        site: &SiteEntry,
        repository: &Path,
        folder: &str,
        revision: &str,
    ) -> Result<(), WorkspaceError> {
        if gazette_store::folder_exists(repository, revision, folder)? {
            return Ok(());
        }
        Err(WorkspaceError::NotCommitted {
            site: site.name.clone(),
            folder: folder.to_owned(),
            revision: revision.to_owned(),
        })
    }

    /// Where a site is published: `out/<site>` when a folder is given,
    /// else its `[publish]` setting (a bucket, a branch or a folder), else
    /// `public/<site>`.
    pub fn publish_target(&self, site: &SiteEntry, out: Option<&Path>) -> PublishTarget {
        let settings = &site.settings.publish;
        if let Some(out) = out {
            return PublishTarget::Folder(out.join(&site.name));
        }
        if let Some(url) = &settings.bucket {
            return PublishTarget::Bucket(BucketTarget {
                url: url.clone(),
                endpoint: settings.endpoint.clone(),
                region: settings.region.clone(),
            });
        }
        match (&settings.branch, &settings.folder) {
            (Some(branch), _) => PublishTarget::Branch(branch.clone()),
            (None, Some(folder)) => PublishTarget::Folder(self.root.join(folder)),
            (None, None) => PublishTarget::Folder(self.output_dir().join(&site.name)),
        }
    }

    /// The theme a site uses.
    pub fn theme_of<'a>(&'a self, site: &'a SiteEntry) -> &'a str {
        site.settings
            .theme
            .as_deref()
            .unwrap_or(&self.settings.default_theme)
    }
}

/// The name in `known` most like `name`, when it is like enough to be a
/// typo of it (Jaro similarity above 0.7, the threshold clap suggests
/// subcommands with).
fn closest_name<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (strsim::jaro(name, candidate), candidate))
        .filter(|(similarity, _)| *similarity > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate.as_str())
}

fn read_toml<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, WorkspaceError> {
    let text = fs::read_to_string(path).map_err(|source| WorkspaceError::Io {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|error| WorkspaceError::Settings {
        path: path.to_owned(),
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_found_by_name_or_by_path() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(WORKSPACE_FILE), "").unwrap();
        fs::create_dir_all(dir.path().join("sites/alpha")).unwrap();
        fs::write(dir.path().join("sites/alpha/_config.yml"), "title: A\n").unwrap();
        fs::write(
            dir.path().join("sites/alpha/site.toml"),
            "theme = \"agency\"\ncheck = \"warn\"\n",
        )
        .unwrap();
        fs::create_dir_all(dir.path().join("elsewhere/beta")).unwrap();
        fs::write(dir.path().join("elsewhere/beta/_config.yml"), "title: B\n").unwrap();

        let workspace = Workspace::discover(&dir.path().join("sites/alpha")).unwrap();
        let names: Vec<String> = workspace
            .sites()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["alpha"]);
        let alpha = workspace.resolve_site("alpha").unwrap();
        assert_eq!(workspace.theme_of(&alpha), "agency");
        assert_eq!(alpha.settings.check, CheckPolicy::Warn);
        let beta = workspace
            .resolve_site(dir.path().join("elsewhere/beta").to_str().unwrap())
            .unwrap();
        assert_eq!(beta.name, "beta");
        assert_eq!(workspace.theme_of(&beta), "isomer");
        assert_eq!(beta.settings.check, CheckPolicy::Error);
        assert!(workspace.resolve_site("gamma").is_err());
    }

    #[test]
    fn an_unknown_site_lists_the_sites_and_suggests_the_closest() {
        let known = ["govtech".to_owned(), "mse".to_owned(), "ogp".to_owned()];
        assert_eq!(closest_name("govtehc", &known), Some("govtech"));
        assert_eq!(closest_name("ogpp", &known), Some("ogp"));
        assert_eq!(closest_name("treasury", &known), None);
        let error = WorkspaceError::UnknownSite {
            name: "govtehc".to_owned(),
            closest: Some("govtech".to_owned()),
            known: known.to_vec(),
        };
        assert_eq!(
            error.to_string(),
            "`govtehc` is neither a site under sites/ nor a folder (sites: govtech, mse, ogp); did you mean `govtech`?"
        );
    }
}
