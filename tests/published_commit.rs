//! Publishes made by this process, through the library, after a publish was
//! killed: when the published ref was left behind the output (the output's
//! manifest, not the ref, says what is published; compared with clean full
//! publishes byte for byte), and when the parse cache was half stored.
//!
//! These sit apart from the tests that run the `gazette` program: a child
//! process holds a copy of every open file of its parent from its start
//! until it runs its program, a held target lock with it, so a publish in a
//! process that starts others at the same time may find its target busy.

mod common;

use common::tree;
use common::workspace::Workspace;
use common::{commit_all_at, now_seconds};

use gazette_publish::{PublishOutcome, PublishTarget, is_unchanged, publish_revision};

#[test]
fn a_ref_left_a_publish_behind_its_output_never_skips_a_publish_and_is_moved() {
    let workspace = Workspace::new();
    let first = workspace.head();
    workspace.append("faq.md", "One more answer.");
    let second = workspace.commit("Answer one more question");
    let clean = [
        workspace.clean_publish(&first),
        workspace.clean_publish(&second),
    ];
    let out = workspace.root().join("public/ogp");
    let target = PublishTarget::Folder(out.clone());
    let publish = |revision: &str| publish_revision(&workspace.request(revision, &target)).unwrap();
    let unchanged = |revision: &str| is_unchanged(&workspace.request(revision, &target)).unwrap();
    publish(&first);
    publish(&second);
    // Killed after switching the output to the second commit, before the ref.
    workspace.set_published_ref(&first);
    assert!(!unchanged(&first), "the output shows the second commit");
    assert!(!unchanged(&second), "the ref is to be moved");

    let report = publish(&first);
    assert!(matches!(report.outcome, PublishOutcome::Published { .. }));
    assert_eq!(report.previous_commit.as_ref(), Some(&second));
    assert!(
        tree(&out) == clean[0],
        "the first commit is published whole"
    );
    assert_eq!(workspace.published_ref().as_ref(), Some(&first));

    publish(&second);
    workspace.set_published_ref(&first);
    let report = publish(&second);
    assert_eq!(report.outcome, PublishOutcome::Unchanged);
    assert!(tree(&out) == clean[1]);
    assert_eq!(workspace.published_ref().as_ref(), Some(&second));
    assert!(unchanged(&second));
}

#[test]
fn a_publish_after_a_ref_left_behind_dates_pages_by_the_history_of_its_own_commit() {
    let workspace = Workspace::new();
    let day = 24 * 60 * 60;
    let first = workspace.head();
    workspace.append("faq.md", "One more answer.");
    let faq_edit = commit_all_at(
        &workspace.repository,
        "Answer one more question",
        git2::Time::new(now_seconds() + 10 * day, 0),
    );
    // A commit beside it, on the first: the FAQ as it was then, and so
    // dated by the first commit.
    let first_object = workspace.repository.revparse_single(&first).unwrap();
    workspace
        .repository
        .reset(&first_object, git2::ResetType::Hard, None)
        .unwrap();
    workspace.append("contact-us.md", "Call us.");
    let beside = commit_all_at(
        &workspace.repository,
        "Add a phone number",
        git2::Time::new(now_seconds() + 20 * day, 0),
    );
    let clean = workspace.clean_publish(&beside);

    let out = workspace.root().join("public/ogp");
    let target = PublishTarget::Folder(out.clone());
    for revision in [&first, &faq_edit] {
        publish_revision(&workspace.request(revision, &target)).unwrap();
    }
    workspace.set_published_ref(&first);
    publish_revision(&workspace.request(&beside, &target)).unwrap();
    assert!(tree(&out) == clean, "dates come from the published commit");
    assert_eq!(workspace.published_ref(), Some(beside));
}

#[test]
fn storing_the_parse_cache_removes_what_a_killed_publish_left_of_it() {
    let workspace = Workspace::new();
    // Enough pages that the first publish keeps its parse cache.
    for n in 0..80 {
        workspace.write(
            &format!("sites/ogp/pages/extra-{n}.md"),
            &format!("---\ntitle: Extra {n}\npermalink: /extra-{n}/\n---\nText {n}.\n"),
        );
    }
    let commit = workspace.commit("Add pages");
    let cache = workspace.root().join(".git/gazette/ogp");
    std::fs::create_dir_all(&cache).unwrap();
    let left = cache.join("load-cache.4242.tmp");
    std::fs::write(&left, "half a cache").unwrap();

    let target = PublishTarget::Folder(workspace.root().join("public/ogp"));
    publish_revision(&workspace.request(&commit, &target)).unwrap();
    assert!(cache.join("load-cache").is_file(), "the cache is kept");
    assert!(!left.exists(), "the killed publish's file is gone");
}
