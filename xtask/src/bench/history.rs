//! A Git history of realistic commits on a generated workspace, so that
//! incremental publishing can be timed on the kinds of change editors make:
//! one page, several pages, the navigation, a new post, a theme template.
//!
//! Commits have fixed authors and times, so the same workspace always gets
//! the same commit ids.

use std::fs;
use std::path::Path;

use anyhow::{Context as _, bail};
use git2::{IndexAddOption, Repository, Signature, Time};

use super::generator::GeneratedWorkspace;

/// One kind of change, committed on top of the previous one.
#[derive(Debug, Clone)]
pub struct Step {
    /// A short name for the JSON report: `one-page`, `theme`, ...
    pub key: &'static str,
    /// What the commit changed, for the table.
    pub label: &'static str,
    /// The commit id.
    pub commit: String,
}

/// The commits of a benchmark workspace.
#[derive(Debug, Clone)]
pub struct History {
    /// The first commit: the whole workspace.
    pub base: String,
    /// The changes after it, in order.
    pub steps: Vec<Step>,
}

/// When the generated history starts (2026-03-02 09:00 +08:00).
pub const EPOCH: i64 = 1_772_413_200;

/// Makes `workspace.root` a Git repository and commits the workspace, then
/// one commit per kind of change to its first site (and the theme).
pub fn record(workspace: &GeneratedWorkspace) -> anyhow::Result<History> {
    let root = &workspace.root;
    let site = workspace
        .sites
        .first()
        .context("the workspace has no sites")?;
    let site_dir = root.join(&site.folder);
    let repository = Repository::init(root)
        .with_context(|| format!("cannot create a Git repository in {}", root.display()))?;
    let mut clock = 0;
    let mut commit = |message: &str| -> anyhow::Result<String> {
        clock += 1;
        commit_all(&repository, message, EPOCH + clock * 3_600)
    };
    let base = commit("Import the sites")?;
    let mut steps = Vec::new();

    let page = &site.pages[site.pages.len() / 2].path;
    append(&site_dir.join(page), 0)?;
    steps.push(Step {
        key: "one-page",
        label: "publish after a one-page commit",
        commit: commit(&format!("{}: update {page}", site.name))?,
    });

    let stride = (site.pages.len() / 5).max(1);
    for (number, page) in site.pages.iter().step_by(stride).take(5).enumerate() {
        append(&site_dir.join(&page.path), number + 1)?;
    }
    steps.push(Step {
        key: "several-pages",
        label: "publish after a five-page commit",
        commit: commit(&format!("{}: review five pages", site.name))?,
    });

    let navigation = site_dir.join("_data/navigation.yml");
    replace_once(&navigation, "  - title: News\n", "  - title: Newsroom\n")?;
    steps.push(Step {
        key: "navigation",
        label: "publish after a navigation change",
        commit: commit(&format!(
            "{}: rename News to Newsroom in the navigation",
            site.name
        ))?,
    });

    let category = site
        .categories
        .first()
        .context("the site has no resource room categories")?;
    fs::write(
        site_dir
            .join(category)
            .join("_posts/2026-03-20-post-Registration Opens for the Spring Programme.md"),
        NEW_POST,
    )?;
    steps.push(Step {
        key: "new-post",
        label: "publish after a new post",
        commit: commit(&format!("{}: add a post, registration opens", site.name))?,
    });

    add_footer_note(root)?;
    steps.push(Step {
        key: "theme",
        label: "publish after a theme template change",
        commit: commit(THEME_COMMIT_MESSAGE)?,
    });
    Ok(History { base, steps })
}

/// The message of the theme step's commit.
pub const THEME_COMMIT_MESSAGE: &str = "Theme: add a review note to the footer";

/// The theme step's edit: a note appended to the `isomer` theme's footer
/// partial, which every page of every site using the theme includes.
/// Returns the template as it was, so a caller can put it back. Appended
/// rather than edited in place, so the step survives changes to the theme's
/// markup.
pub fn add_footer_note(root: &Path) -> anyhow::Result<String> {
    let footer = root.join("themes/isomer/templates/partials/footer.html");
    let before =
        fs::read_to_string(&footer).with_context(|| format!("cannot read {}", footer.display()))?;
    let after =
        format!("{before}<p class=\"footer-note\">We review this site every quarter.</p>\n");
    fs::write(&footer, after).with_context(|| format!("cannot write {}", footer.display()))?;
    Ok(before)
}

const NEW_POST: &str = "---\ntitle: Registration Opens for the Spring Programme\n\
permalink: /news/registration-opens-spring-programme/\nlayout: post\n\
description: Residents can sign up online from today.\n---\n\
Registration for the spring programme opens today. Residents can sign up \
online or at any community centre.\n\n\
| Session | Dates |\n| --- | --- |\n| Morning | 6 April to 25 May |\n| Evening | 8 April to 27 May |\n";

/// Adds a review note at the end of a page (valid in Markdown and in
/// rich-text pages alike).
pub fn append(path: &Path, number: usize) -> anyhow::Result<()> {
    let mut text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.push_str(&format!(
        "\n<p>Reviewed in March 2026 (note {number}): the information on this page is current.</p>\n"
    ));
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn replace_once(path: &Path, from: &str, to: &str) -> anyhow::Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !text.contains(from) {
        bail!("{} does not contain {from:?}", path.display());
    }
    fs::write(path, text.replacen(from, to, 1))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Commits every file of the work tree (minus ignored ones) on HEAD.
pub fn commit_all(repository: &Repository, message: &str, seconds: i64) -> anyhow::Result<String> {
    let mut index = repository.index()?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
    index.update_all(["*"], None)?;
    index.write()?;
    let tree = repository.find_tree(index.write_tree()?)?;
    let author = Signature::new(
        "Benchmark Editor",
        "editor@example.gov.sg",
        &Time::new(seconds, 480),
    )?;
    let parent = match repository.head() {
        Ok(head) => Some(head.peel_to_commit()?),
        Err(_) => None,
    };
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let id = repository.commit(Some("HEAD"), &author, &author, message, &tree, &parents)?;
    Ok(id.to_string())
}

/// Deletes every `refs/gazette/published/*` ref, so the next publish of each
/// site is a first, full one.
pub fn forget_published(root: &Path) -> anyhow::Result<()> {
    let repository = Repository::open(root)?;
    let mut references = repository.references_glob("refs/gazette/published/*")?;
    let mut names = Vec::new();
    for reference in references.by_ref() {
        names.push(reference?.name()?.to_owned());
    }
    for name in names {
        repository.find_reference(&name)?.delete()?;
    }
    Ok(())
}
