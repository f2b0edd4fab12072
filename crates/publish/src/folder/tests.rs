//! Publishing to a folder: versions switched atomically, the spare recycled,
//! and every publish equal to a fresh write.

use gazette_render::OutputContents;

use super::*;

#[test]
fn a_folder_gazette_did_not_write_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let site = RenderedSite::default();
    let source = gazette_content::MemorySource::default();
    assert!(matches!(
        write_site(&site, &source, &out),
        Err(OutputError::NotOurs(_))
    ));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn a_second_publish_of_the_same_output_is_refused_while_the_first_runs() {
    let dir = tempfile::tempdir().unwrap();
    let target = FolderTarget::new(&dir.path().join("site"));
    let first = target.lock().unwrap();
    assert!(matches!(target.lock(), Err(OutputError::Busy(_))));
    drop(first);
    assert!(target.lock().is_ok());
}

#[test]
fn publishing_switches_versions_and_keeps_the_previous_one_as_spare() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let target = FolderTarget::new(&out);
    let source = gazette_content::MemorySource::default();
    let rounds: [(Spec, &str); 3] = [
        (&[("index.md", "1", &[("index.html", "one")])], "one"),
        (&[("index.md", "2", &[("index.html", "two")])], "two"),
        (&[("index.md", "3", &[("index.html", "three")])], "three"),
    ];
    for (round, (spec, text)) in rounds.into_iter().enumerate() {
        let site = render(spec, target.current_manifest().as_ref());
        write_site(&site, &source, &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), text);
        assert_eq!(versions(&out).len(), 2, "the current and the spare");
        let spare = versions(&out)
            .into_iter()
            .map(|name| dir.path().join(".site.gazette").join(name))
            .find(|path| !same_path(path, &out))
            .unwrap();
        // The first publish links its own spare, so the next recycles;
        // later ones keep the version they replaced.
        let expected = if round == 0 {
            "one"
        } else {
            rounds[round - 1].1
        };
        assert_eq!(
            fs::read_to_string(spare.join("index.html")).unwrap(),
            expected
        );
    }
}

#[test]
fn a_build_links_no_spare_keeps_the_version_before_it_and_never_recycles_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let target = FolderTarget::new(&out);
    let source = gazette_content::MemorySource::default();
    let first = render(
        &[("index.md", "1", &[("index.html", "one")])],
        target.current_manifest().as_ref(),
    );
    write_build(&first, &source, &out).unwrap();
    assert_eq!(versions(&out).len(), 1, "a cold build writes one tree");

    let second = render(
        &[("index.md", "2", &[("index.html", "two")])],
        target.current_manifest().as_ref(),
    );
    write_build(&second, &source, &out).unwrap();
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
    let spare = versions(&out)
        .into_iter()
        .map(|name| dir.path().join(".site.gazette").join(name))
        .find(|path| !same_path(path, &out))
        .expect("the first build's version is the spare now");
    assert_eq!(fs::read_to_string(spare.join("index.html")).unwrap(), "one");

    // The third writes a new tree, equal to a fresh write, and the first
    // version goes: only the current one and the one before it stay.
    let third = render(
        &[("index.md", "3", &[("index.html", "three")])],
        target.current_manifest().as_ref(),
    );
    write_build(&third, &source, &out).unwrap();
    let fresh = dir.path().join("fresh");
    write_build(&third, &source, &fresh).unwrap();
    assert_eq!(snapshot(&out), snapshot(&fresh));
    let kept: Vec<String> = versions(&out)
        .into_iter()
        .map(|name| dir.path().join(".site.gazette").join(name))
        .filter(|path| !same_path(path, &out))
        .map(|path| fs::read_to_string(path.join("index.html")).unwrap())
        .collect();
    assert_eq!(
        kept,
        ["two"],
        "the version before the third is kept as it was"
    );
}

/// Writes `site` to `out` as `build_site_with` does: staged, with no spare
/// linked after it.
fn write_build(site: &RenderedSite, source: &dyn Source, out: &Path) -> Result<(), OutputError> {
    let target = FolderTarget::new(out);
    let _lock = target.lock()?;
    target.stage(SpareLink::Never)?.finish(site, source)
}

/// A test unit: its id, the id of its inputs (empty: none, as for a copy
/// from a source without content ids) and its files, whose contents are
/// text, or `copy:<path>` for a copy from the source.
type Spec = &'static [(
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
)];

/// Renders `spec` as `render_site` does: units whose inputs match
/// `previous` are reused, and every unit is in the manifest.
fn render(spec: Spec, previous: Option<&Manifest>) -> RenderedSite {
    let mut site = RenderedSite::default();
    for (id, inputs_id, files) in spec {
        let inputs: gazette_render::Inputs = if inputs_id.is_empty() {
            Default::default()
        } else {
            [("file".to_owned(), inputs_id.to_string())].into()
        };
        let digest = gazette_render::inputs_digest(&inputs);
        let reused = previous.is_some_and(|p| p.reusable(id, &digest).is_some());
        let mut records = Vec::new();
        for (path, contents) in *files {
            let contents = if reused {
                OutputContents::Reuse(path.to_string())
            } else if let Some(from) = contents.strip_prefix("copy:") {
                OutputContents::Copy(from.to_owned())
            } else {
                OutputContents::Rendered(contents.as_bytes().to_vec())
            };
            site.outputs.push(gazette_render::Output {
                path: path.to_string(),
                contents,
                origin: id.to_string(),
            });
            records.push(gazette_render::OutputRecord {
                path: path.to_string(),
                url: None,
            });
        }
        site.manifest.units.insert(
            id.to_string(),
            gazette_render::UnitRecord::new(&inputs, records),
        );
    }
    site.manifest.lists_every_file = true;
    site.outputs.push(gazette_render::Output {
        path: MANIFEST_PATH.into(),
        contents: OutputContents::Rendered(site.manifest.to_bytes()),
        origin: "manifest".into(),
    });
    site.outputs.sort_by(|a, b| a.path.cmp(&b.path));
    site
}

/// Every file (with its bytes) and folder (`None`) under `root`.
fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
    fn walk(
        root: &Path,
        folder: &Path,
        into: &mut std::collections::BTreeMap<String, Option<Vec<u8>>>,
    ) {
        for entry in fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // The record of the files says where the bytes are, not what
            // a reader gets.
            if name == crate::stamps::STAMPS_PATH {
                continue;
            }
            let kind = entry.file_type().unwrap();
            assert!(!kind.is_symlink(), "{name} is a link");
            if kind.is_dir() {
                into.insert(name, None);
                walk(root, &path, into);
            } else {
                into.insert(name, Some(fs::read(&path).unwrap()));
            }
        }
    }
    let mut files = std::collections::BTreeMap::new();
    walk(root, root, &mut files);
    files
}

/// The version folders of the output at `out`.
fn versions(out: &Path) -> Vec<String> {
    let parent = out.parent().unwrap();
    let name = format!(".{}.gazette", out.file_name().unwrap().to_string_lossy());
    let mut names: Vec<String> = fs::read_dir(parent.join(name))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "lock")
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).unwrap().ino()
}

const A: Spec = &[
    ("index.md", "i1", &[("index.html", "home, first")]),
    ("about.md", "a1", &[("about/index.html", "about")]),
    (
        "docs.md",
        "d1",
        &[
            ("docs/index.html", "docs, first"),
            ("docs/page/2/index.html", "docs, page 2"),
        ],
    ),
    ("theme:style.css", "t1", &[("style.css", "body {}")]),
    (
        "media/logo.png",
        "",
        &[("media/logo.png", "copy:media/logo.png")],
    ),
    (
        "media/old.pdf",
        "p1",
        &[("media/old.pdf", "copy:media/old.pdf")],
    ),
    ("thing.md", "x1", &[("thing", "a file named thing")]),
];
// The home page changes, docs lose a page, a file's name becomes a
// folder's, a deep new page, a copy goes.
const B: Spec = &[
    ("index.md", "i2", &[("index.html", "home, second")]),
    ("about.md", "a1", &[("about/index.html", "about")]),
    ("docs.md", "d2", &[("docs/index.html", "docs, second")]),
    ("theme:style.css", "t1", &[("style.css", "body {}")]),
    (
        "media/logo.png",
        "",
        &[("media/logo.png", "copy:media/logo.png")],
    ),
    (
        "thing.md",
        "x2",
        &[("thing/index.html", "thing, a folder now")],
    ),
    ("new.md", "n1", &[("new/deep/index.html", "new")]),
];
// The home page as in A, whole folders emptied, the copy back, the
// folder's name a file's again.
const C: Spec = &[
    ("index.md", "i1", &[("index.html", "home, first")]),
    ("theme:style.css", "t1", &[("style.css", "body {}")]),
    (
        "media/logo.png",
        "",
        &[("media/logo.png", "copy:media/logo.png")],
    ),
    (
        "media/old.pdf",
        "p1",
        &[("media/old.pdf", "copy:media/old.pdf")],
    ),
    ("thing.md", "x1", &[("thing", "a file named thing")]),
];

#[test]
fn every_publish_equals_a_fresh_write_whether_it_recycles_the_spare_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let target = FolderTarget::new(&out);
    let mut source = gazette_content::MemorySource::default();
    source.insert("media/old.pdf", "pdf");
    let mut previous_reference = None;
    #[cfg_attr(not(unix), allow(unused))]
    let mut first_home = None;
    for (step, spec) in [A, B, C, A, B].into_iter().enumerate() {
        // The copy without a content id changes under the same name.
        source.insert("media/logo.png", format!("logo {step}"));
        let before = fs::read_link(&out).ok().map(|link| dir.path().join(link));
        let site = render(spec, target.current_manifest().as_ref());
        write_site(&site, &source, &out).unwrap();

        let fresh = dir.path().join(format!("fresh-{step}"));
        write_site(&render(spec, None), &source, &fresh).unwrap();
        let reference = snapshot(&fresh);
        assert!(
            snapshot(&out) == reference,
            "publish {step} differs from a fresh write"
        );
        assert!(!versions(&out).iter().any(|name| name.starts_with("tmp-")));
        let Some(before) = before else {
            #[cfg(unix)]
            {
                first_home = Some(inode(&out.join("index.html")));
            }
            previous_reference = Some(reference);
            continue;
        };
        // The version that was live is the spare now, untouched.
        assert_eq!(versions(&out).len(), 2, "{:?}", versions(&out));
        assert!(before.is_dir(), "publish {step} keeps the previous version");
        assert!(
            previous_reference.as_ref() == Some(&snapshot(&before)),
            "publish {step} changed the version that was live"
        );
        previous_reference = Some(reference);
        #[cfg(unix)]
        assert_eq!(
            inode(&out.join("style.css")),
            inode(&before.join("style.css")),
            "an unchanged file is shared, not written again"
        );
        if step == 2 {
            // C recycles A's version: its home page, rendered from the
            // same inputs, was left where it was.
            #[cfg(unix)]
            assert_eq!(Some(inode(&out.join("index.html"))), first_home);
        }
    }
}

#[test]
fn a_spare_half_recycled_by_a_killed_publish_is_removed_and_the_next_publish_completes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let target = FolderTarget::new(&out);
    let mut source = gazette_content::MemorySource::default();
    source.insert("media/old.pdf", "pdf");
    source.insert("media/logo.png", "logo");
    for spec in [A, B] {
        write_site(
            &render(spec, target.current_manifest().as_ref()),
            &source,
            &out,
        )
        .unwrap();
    }
    // Killed while recycling: the spare renamed to a staging folder, some
    // of its files gone and a new one half written.
    let names = versions(&out);
    let current = fs::read_link(&out).unwrap();
    let spare = names
        .iter()
        .find(|name| !current.ends_with(name.as_str()))
        .unwrap();
    let versions_dir = dir.path().join(".site.gazette");
    let staging = versions_dir.join("tmp-1-1");
    fs::rename(versions_dir.join(spare), &staging).unwrap();
    fs::remove_file(staging.join("about/index.html")).unwrap();
    fs::remove_file(staging.join(MANIFEST_PATH)).unwrap();
    fs::write(staging.join("index.html.part"), "half").unwrap();

    write_site(
        &render(C, target.current_manifest().as_ref()),
        &source,
        &out,
    )
    .unwrap();
    let fresh = dir.path().join("fresh");
    write_site(&render(C, None), &source, &fresh).unwrap();
    assert!(snapshot(&out) == snapshot(&fresh));
    assert!(!staging.exists(), "the interrupted publish is cleaned");
    // With no spare to recycle, the publish linked one of the new
    // version, beside the version it replaced (still live for readers
    // that resolved the link before the switch).
    assert_eq!(versions(&out).len(), 3, "{:?}", versions(&out));
    write_site(
        &render(A, target.current_manifest().as_ref()),
        &source,
        &out,
    )
    .unwrap();
    assert_eq!(versions(&out).len(), 2, "{:?}", versions(&out));
}

#[test]
fn a_spare_that_is_not_as_its_manifest_says_is_written_whole_instead() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let target = FolderTarget::new(&out);
    let mut source = gazette_content::MemorySource::default();
    source.insert("media/old.pdf", "pdf");
    source.insert("media/logo.png", "logo");
    for spec in [A, B] {
        write_site(
            &render(spec, target.current_manifest().as_ref()),
            &source,
            &out,
        )
        .unwrap();
    }
    let current = fs::read_link(&out).unwrap();
    let versions_dir = dir.path().join(".site.gazette");
    let spare = versions(&out)
        .into_iter()
        .find(|name| !current.ends_with(name.as_str()))
        .map(|name| versions_dir.join(name))
        .unwrap();
    // A file the manifest does not know, in a folder C no longer has.
    fs::write(spare.join("docs/notes.txt"), "mine").unwrap();
    write_site(
        &render(C, target.current_manifest().as_ref()),
        &source,
        &out,
    )
    .unwrap();
    let fresh = dir.path().join("fresh");
    write_site(&render(C, None), &source, &fresh).unwrap();
    assert!(snapshot(&out) == snapshot(&fresh));
}

#[test]
fn a_spare_without_a_complete_manifest_of_this_program_is_not_recycled() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let target = FolderTarget::new(&out);
    let mut source = gazette_content::MemorySource::default();
    source.insert("media/old.pdf", "pdf");
    source.insert("media/logo.png", "logo");
    write_site(&render(A, None), &source, &out).unwrap();
    write_site(
        &render(B, target.current_manifest().as_ref()),
        &source,
        &out,
    )
    .unwrap();
    for change in ["another tool", "incomplete"] {
        let spares = versions(&out)
            .into_iter()
            .map(|name| dir.path().join(".site.gazette").join(name))
            .filter(|path| !same_path(path, &out));
        // Each spare's manifest as another program, or an older one
        // that left out units without inputs, wrote it.
        for spare in spares {
            let path = spare.join(MANIFEST_PATH);
            let mut manifest = Manifest::from_bytes(&fs::read(&path).unwrap()).unwrap();
            match change {
                "another tool" => manifest.tool = "another".into(),
                _ => manifest.lists_every_file = false,
            }
            fs::remove_file(&path).unwrap();
            fs::write(&path, manifest.to_bytes()).unwrap();
        }
        assert!(target.usable_spare(Some(&out)).is_none(), "{change}");
        let site = render(C, target.current_manifest().as_ref());
        write_site(&site, &source, &out).unwrap();
        let fresh = dir.path().join(format!("fresh-{}", change.len()));
        write_site(&render(C, None), &source, &fresh).unwrap();
        assert!(snapshot(&out) == snapshot(&fresh), "{change}");
    }
}
