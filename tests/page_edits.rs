//! Publishes of commits that only edit the text of pages: those pages are
//! rendered alone from the state the previous publish kept, and the output
//! must be byte for byte the one a clean publish of the same commit makes
//! (its manifest included). Anything more than a text edit, or a missing
//! state, takes the whole render, with the same output.
//!
//! Through the library, in this process, for the reason `published_commit.rs`
//! gives.

mod common;

use std::fs;

use common::tree;
use common::workspace::Workspace;
use common::{commit_all_at, now_seconds};

use gazette_publish::{PublishError, PublishOutcome, PublishTarget, publish_revision};

/// Publishes `revision` to `target` and says whether its pages were
/// rendered alone, and how many.
fn publish(workspace: &Workspace, revision: &str, target: &PublishTarget) -> (bool, usize) {
    match publish_revision(&workspace.request(revision, target))
        .unwrap()
        .outcome
    {
        PublishOutcome::Published {
            stats, pages_alone, ..
        } => (pages_alone, stats.pages_rendered),
        PublishOutcome::Unchanged => panic!("{revision} was not published"),
    }
}

fn folder_target(workspace: &Workspace) -> PublishTarget {
    PublishTarget::Folder(workspace.root().join("public/ogp"))
}

fn published_tree(workspace: &Workspace) -> std::collections::BTreeMap<String, Vec<u8>> {
    tree(&workspace.root().join("public/ogp"))
}

#[test]
fn an_edit_of_a_page_text_renders_that_page_alone_as_a_clean_publish_would() {
    let workspace = Workspace::new();
    let target = folder_target(&workspace);
    publish(&workspace, &workspace.head(), &target);

    workspace.append("faq.md", "A new answer, written today.");
    let edited = workspace.commit("Answer a new question");
    assert_eq!(publish(&workspace, &edited, &target), (true, 1));
    let published = published_tree(&workspace);
    assert!(published == workspace.clean_publish(&edited));
    let faq = String::from_utf8(published["faq/index.html"].clone()).unwrap();
    assert!(faq.contains("A new answer, written today."));

    // Liquid in the text reads the kept `site`.
    workspace.append("faq.md", "Sent by {{ site.title }}.");
    let with_liquid = workspace.commit("Sign the answers");
    assert_eq!(publish(&workspace, &with_liquid, &target), (true, 1));
    let published = published_tree(&workspace);
    assert!(published == workspace.clean_publish(&with_liquid));
    let faq = String::from_utf8(published["faq/index.html"].clone()).unwrap();
    assert!(faq.contains("Sent by Open Government Products"), "{faq}");
}

#[test]
fn front_matter_listings_and_new_files_take_the_whole_render() {
    let workspace = Workspace::new();
    let target = folder_target(&workspace);
    publish(&workspace, &workspace.head(), &target);

    let faq_path = workspace.root().join("sites/ogp/pages/faq.md");
    let faq = fs::read_to_string(&faq_path).unwrap();
    workspace.write(
        "sites/ogp/pages/faq.md",
        &faq.replacen("title:", "title: Our", 1),
    );
    let retitled = workspace.commit("Retitle the FAQ");

    let home = fs::read_to_string(workspace.root().join("sites/ogp/index.md")).unwrap();
    workspace.write("sites/ogp/index.md", &format!("{home}\nWelcome.\n"));
    let homepage_text = workspace.commit("Welcome readers on the homepage");

    workspace.write(
        "sites/ogp/pages/careers.md",
        "---\ntitle: Careers\npermalink: /careers/\n---\nWe are hiring.\n",
    );
    let new_page = workspace.commit("Add a careers page");

    for commit in [&retitled, &homepage_text, &new_page] {
        let (pages_alone, _) = publish(&workspace, commit, &target);
        assert!(!pages_alone, "{commit} needs the whole site");
        assert!(published_tree(&workspace) == workspace.clean_publish(commit));
    }
}

#[test]
fn jekyll_include_relative_in_an_edited_page_takes_the_whole_render() {
    let workspace = Workspace::new();
    let target = folder_target(&workspace);
    workspace.write("sites/ogp/pages/parts/hours.md", "Open from *nine*.\n");
    let with_part = workspace.commit("Write the opening hours");
    publish(&workspace, &with_part, &target);

    workspace.append("faq.md", "{% include_relative parts/hours.md %}");
    let including = workspace.commit("Show the opening hours in the FAQ");
    let (pages_alone, _) = publish(&workspace, &including, &target);
    assert!(!pages_alone, "the kept state has no files beside the pages");
    let published = published_tree(&workspace);
    assert!(published == workspace.clean_publish(&including));
    let faq = String::from_utf8(published["faq/index.html"].clone()).unwrap();
    assert!(faq.contains("Open from <em>nine</em>."), "{faq}");

    workspace.write("sites/ogp/pages/parts/hours.md", "Open from *ten*.\n");
    let later = workspace.commit("Open later");
    publish(&workspace, &later, &target);
    let faq = String::from_utf8(published_tree(&workspace)["faq/index.html"].clone()).unwrap();
    assert!(faq.contains("Open from <em>ten</em>."), "{faq}");
}

#[test]
fn a_page_whose_date_moved_is_rendered_again_with_the_edited_one() {
    let workspace = Workspace::new();
    let day = 24 * 60 * 60;
    let target = folder_target(&workspace);
    publish(&workspace, &workspace.head(), &target);

    let faq_path = workspace.root().join("sites/ogp/pages/faq.md");
    let faq = fs::read_to_string(&faq_path).unwrap();
    workspace.append("faq.md", "A passing note.");
    // Dated in the past, so that the site's newest change (the first
    // commit's) stays on the same day and Liquid's `site.time` with it.
    commit_all_at(
        &workspace.repository,
        "Add a note",
        git2::Time::new(now_seconds() - 20 * day, 0),
    );
    // The FAQ is back as it was, but this commit touched it last.
    fs::write(&faq_path, &faq).unwrap();
    workspace.append("contact-us.md", "Call us on weekdays.");
    let later = commit_all_at(
        &workspace.repository,
        "Drop the note, add opening hours",
        git2::Time::new(now_seconds() - 10 * day, 0),
    );

    assert_eq!(publish(&workspace, &later, &target), (true, 2));
    assert!(published_tree(&workspace) == workspace.clean_publish(&later));
}

#[test]
fn an_edit_on_a_later_day_renders_the_whole_site_as_liquid_site_time_moved() {
    let workspace = Workspace::new();
    let target = folder_target(&workspace);
    publish(&workspace, &workspace.head(), &target);

    workspace.append("faq.md", "Answered {{ site.time | date: \"%Y-%m-%d\" }}.");
    let tomorrow = commit_all_at(
        &workspace.repository,
        "Answer a question tomorrow",
        git2::Time::new(now_seconds() + 2 * 24 * 60 * 60, 0),
    );
    let (pages_alone, _) = publish(&workspace, &tomorrow, &target);
    assert!(
        !pages_alone,
        "site.time moved to another day: every page reading it renders"
    );
    assert!(published_tree(&workspace) == workspace.clean_publish(&tomorrow));
}

#[test]
fn without_its_kept_state_a_publish_renders_the_whole_site() {
    let workspace = Workspace::new();
    let target = folder_target(&workspace);
    publish(&workspace, &workspace.head(), &target);
    let states = workspace.root().join(".git/gazette/ogp/render-state");
    assert_eq!(fs::read_dir(&states).unwrap().count(), 1);

    // A damaged state is never used: its bytes no longer match its name.
    for entry in fs::read_dir(&states).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, bytes).unwrap();
    }
    workspace.append("faq.md", "One more answer.");
    let edited = workspace.commit("Answer one more question");
    assert!(!publish(&workspace, &edited, &target).0);
    assert!(published_tree(&workspace) == workspace.clean_publish(&edited));

    fs::remove_dir_all(&states).unwrap();
    workspace.append("faq.md", "And another.");
    let again = workspace.commit("Answer another question");
    assert!(!publish(&workspace, &again, &target).0);
    assert!(published_tree(&workspace) == workspace.clean_publish(&again));
}

#[test]
fn an_error_in_edited_text_is_reported_and_the_output_stays() {
    let workspace = Workspace::new();
    let target = folder_target(&workspace);
    publish(&workspace, &workspace.head(), &target);
    let before = published_tree(&workspace);

    workspace.append("faq.md", "{% if site.title %}Unclosed.");
    let broken = workspace.commit("Break the FAQ");
    let Err(PublishError::Content(diagnostics)) =
        publish_revision(&workspace.request(&broken, &target))
    else {
        panic!("a Liquid error must refuse the publish");
    };
    assert!(
        diagnostics
            .errors()
            .any(|d| d.file == "pages/faq.md" && d.message.contains("Liquid")),
        "{diagnostics:?}"
    );
    assert!(published_tree(&workspace) == before);
}

/// The pages whose body or title has `word`, by URL, as the published
/// index says: the chunk whose key starts the word, then each page's file.
fn pages_found(files: &std::collections::BTreeMap<String, Vec<u8>>, word: &str) -> Vec<String> {
    let list: serde_json::Value =
        serde_json::from_slice(&files["search-index/index.json"]).unwrap();
    let mut found = Vec::new();
    for key in list["chunks"].as_object().unwrap().keys() {
        if !word.starts_with(key.as_str()) {
            continue;
        }
        let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        let chunk: serde_json::Value =
            serde_json::from_slice(&files[&format!("search-index/t/{hex}.json")]).unwrap();
        let Some(postings) = chunk[word].as_array() else {
            continue;
        };
        for id in postings.iter().step_by(2) {
            let path = format!("search-index/p/{}.json", id.as_str().unwrap());
            let page: serde_json::Value = serde_json::from_slice(&files[&path]).unwrap();
            found.push(page["url"].as_str().unwrap().to_owned());
        }
    }
    found
}

/// The files at the tip of the branch `publish/ogp`.
fn branch_files(workspace: &Workspace) -> std::collections::BTreeMap<String, Vec<u8>> {
    let repository = git2::Repository::open(workspace.root()).unwrap();
    let tip = workspace.branch_tip();
    let tree = tip.tree().unwrap();
    let mut files = std::collections::BTreeMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |folder, entry| {
        if let Ok(blob) = entry.to_object(&repository).and_then(|o| o.peel_to_blob()) {
            let name = entry.name().unwrap_or_default();
            files.insert(format!("{folder}{name}"), blob.content().to_vec());
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    files
}

#[test]
fn a_page_edit_puts_its_new_words_in_the_search_index_of_folder_and_branch_targets() {
    for branch in [false, true] {
        let workspace = Workspace::new();
        let target = if branch {
            PublishTarget::Branch("publish/ogp".into())
        } else {
            folder_target(&workspace)
        };
        let files = |workspace: &Workspace| {
            if branch {
                branch_files(workspace)
            } else {
                published_tree(workspace)
            }
        };
        publish(&workspace, &workspace.head(), &target);
        assert!(pages_found(&files(&workspace), "quokkaesque").is_empty());

        workspace.append("faq.md", "Our mascot is quokkaesque.");
        let edited = workspace.commit("A word no page had");
        assert_eq!(publish(&workspace, &edited, &target), (true, 1));
        let published = files(&workspace);
        assert_eq!(pages_found(&published, "quokkaesque"), ["/faq/"]);
        // The same index a clean publish writes.
        let clean = workspace.clean_publish(&edited);
        for (path, bytes) in &clean {
            if path.starts_with("search-index/") || gazette_render::is_search_state_path(path) {
                assert!(published.get(path) == Some(bytes), "{path} differs");
            }
        }
    }
}
