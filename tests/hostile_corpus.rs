//! Real pages and stylesheets of the corpus, made careless and hostile
//! (lines duplicated, deleted and spliced, fragments that loop, nest or grow
//! without end inserted), still build to an end: the site, or errors that
//! name their file, with a hint. Never a panic, a crash or a hang; the
//! budgets bound each case, and the number of cases bounds the test.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError};

/// Fragments that have taken a renderer down, or would take a careless one.
const PAGE_FRAGMENTS: &[&str] = &[
    "{% for i in (1..100000000) %}x{% endfor %}",
    "{% assign s = 'ab' %}{% for i in (1..64) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
    "{% if a %}{% for x in y %}{% unless b %}",
    "{% endfor %}{% endif %}",
    "{% include no-such-include.html %}",
    "{% include {{ page.title }} %}",
    "{{ 1 | divided_by: 0 }}{{ 99999999999999999999 | times: 99999999999999999999 }}",
    "{% raw %}{{ unclosed",
    "{{{{{{{{{{{{{{{{",
    "---\ntitle: [unclosed\n---",
    "[link](",
    "***___***___***___",
    "````\n",
    "<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>",
    "<div><span><p><table><tr><td>",
    "</div></div></div></span>",
    "<!--",
    "{: .class #id target=\"_blank\"}",
];

/// Fragments repeated until they nest or grow far beyond any budget.
const REPEATED_PAGE_FRAGMENTS: &[(&str, usize)] = &[
    ("> ", 100_000),
    ("<div>", 100_000),
    ("- ", 50_000),
    ("{% if true %}", 10_000),
    ("[", 100_000),
    ("*", 100_000),
    ("`", 50_000),
];

const STYLESHEET_FRAGMENTS: &[&str] = &[
    "$i: 0;\n@while true { $i: $i + 1; }",
    "@mixin m { .a { @include m; } }\n.b { @include m; }",
    "@function f($x) { @return f($x); }\n.c { d: f(1); }",
    "$s: \"ab\";\n@for $i from 1 through 40 { $s: $s + $s; }\n.e { f: $s; }",
    "@import \"no-such-partial\";",
    "@import \"/etc/passwd\";",
    "}",
    ".g { h: {{ site.title }}; }",
    "{% for i in (1..100000000) %}{% endfor %}",
    "@use \"sass:meta\";\n.i { @include meta.load-css(\"../../../etc/passwd\"); }",
];

/// A change to a file's lines.
#[derive(Debug, Clone)]
enum Mutation {
    Duplicate(Index),
    Delete(Index),
    /// Moves up to `length` lines from one place to another.
    Splice {
        from: Index,
        to: Index,
        length: usize,
    },
    Insert(Index, Index),
    InsertRepeated(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Duplicate),
        1 => any::<Index>().prop_map(Mutation::Delete),
        1 => (any::<Index>(), any::<Index>(), 1..20usize)
            .prop_map(|(from, to, length)| Mutation::Splice { from, to, length }),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(at, what)| Mutation::Insert(at, what)),
        1 => (any::<Index>(), any::<Index>())
            .prop_map(|(at, what)| Mutation::InsertRepeated(at, what)),
    ]
}

/// Applies `mutations` to `text`, taking inserted fragments from `fragments`
/// (and, for pages, `repeated`).
fn mutate(
    text: &str,
    mutations: &[Mutation],
    fragments: &[&str],
    repeated: &[(&str, usize)],
) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for mutation in mutations {
        // Every insertion may go one past the end, so an empty file is
        // never a special case.
        let at = |index: &Index, lines: &[String]| index.index(lines.len() + 1);
        match mutation {
            Mutation::Duplicate(line) if !lines.is_empty() => {
                let line = line.index(lines.len());
                lines.insert(line, lines[line].clone());
            }
            Mutation::Delete(line) if !lines.is_empty() => {
                lines.remove(line.index(lines.len()));
            }
            Mutation::Splice { from, to, length } if !lines.is_empty() => {
                let from = from.index(lines.len());
                let end = (from + length).min(lines.len());
                let moved: Vec<String> = lines.drain(from..end).collect();
                let to = at(to, &lines);
                lines.splice(to..to, moved);
            }
            Mutation::Insert(line, what) => {
                let line = at(line, &lines);
                lines.insert(line, fragments[what.index(fragments.len())].to_owned());
            }
            Mutation::InsertRepeated(line, what) if !repeated.is_empty() => {
                let (fragment, times) = repeated[what.index(repeated.len())];
                let line = at(line, &lines);
                lines.insert(line, fragment.repeat(times));
            }
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

/// The corpus's page files (with front matter) and stylesheets, by site.
struct Corpus {
    pages: Vec<(PathBuf, String)>,
    stylesheets: Vec<PathBuf>,
}

impl Corpus {
    fn read() -> Self {
        let mut pages = Vec::new();
        let mut stylesheets = Vec::new();
        let mut sites: Vec<PathBuf> = fs::read_dir(common::corpus_dir())
            .expect("the corpus folder")
            .map(|entry| entry.expect("an entry").path())
            .filter(|path| path.is_dir())
            .collect();
        sites.sort();
        for site in sites {
            let stylesheet = site.join("misc/custom.scss");
            if stylesheet.is_file() {
                stylesheets.push(stylesheet);
            }
            for relative in common::file_paths(&site) {
                let is_page = relative.ends_with(".md") || relative.ends_with(".html");
                let is_theirs = ["_layouts/", "_includes/", "_site/", "node_modules/"]
                    .iter()
                    .any(|folder| relative.starts_with(folder));
                if is_page && !is_theirs {
                    pages.push((site.clone(), relative));
                }
            }
        }
        pages.sort();
        assert!(
            !pages.is_empty() && !stylesheets.is_empty(),
            "an empty corpus"
        );
        Self { pages, stylesheets }
    }
}

/// A site made of one real page and one real stylesheet, both mutated, with
/// the settings, data, includes, layouts and partials of the page's site.
fn case_site(root: &Path, page_site: &Path, page: &str, page_text: &str, stylesheet: &str) {
    common::minimal_site(root, "Case");
    for part in ["_config.yml", "_data", "_includes", "_layouts", "_sass"] {
        let from = page_site.join(part);
        if from.is_dir() {
            common::copy_tree(&from, &root.join(part));
        } else if from.is_file() {
            fs::copy(&from, root.join(part)).expect("a copied file");
        }
    }
    common::write(root, page, page_text);
    common::write(root, "misc/custom.scss", stylesheet);
}

/// Builds the case site: it must end with the site written (exit 0) or
/// with errors each naming a file and a hint (exit 1).
fn assert_builds_or_explains(root: &Path, out: &Path, what: &str) -> Result<(), TestCaseError> {
    let output = common::gazette_build(root, out)
        .env("NO_COLOR", "1")
        // Each endless stylesheet costs a case this long.
        .env("GAZETTE_SASS_TIMEOUT_MS", "1500")
        .output()
        .expect("the gazette binary runs");
    let report = String::from_utf8_lossy(&output.stderr);
    prop_assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{what}: gazette ended with {} (a crash or a panic):\n{report}",
        output.status
    );
    prop_assert!(!report.contains("panicked"), "{what}:\n{report}");
    let lines: Vec<&str> = report.lines().collect();
    for (number, line) in lines.iter().enumerate() {
        if line.starts_with("error") {
            let rest = lines[number + 1..].iter().take_while(|l| !l.is_empty());
            let place = rest.clone().any(|l| l.trim_start().starts_with("-->"));
            let hint = rest.clone().any(|l| l.contains("help:"));
            prop_assert!(
                place && hint,
                "{what}: an error without its file or hint:\n{report}"
            );
        }
    }
    if output.status.code() == Some(1) {
        prop_assert!(
            report.contains("error"),
            "{what}: failed silently:\n{report}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 64,
        // Each shrinking step is a build; a failure is explained well enough
        // by the first few.
        max_shrink_iters: 16,
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn mutated_real_pages_and_stylesheets_build_or_fail_with_clear_errors(
        page in any::<Index>(),
        stylesheet in any::<Index>(),
        page_mutations in prop::collection::vec(mutation(), 1..5),
        stylesheet_mutations in prop::collection::vec(mutation(), 0..3),
    ) {
        let corpus = corpus();
        let (page_site, page_path) = &corpus.pages[page.index(corpus.pages.len())];
        let stylesheet_path = &corpus.stylesheets[stylesheet.index(corpus.stylesheets.len())];
        let page_text = fs::read(page_site.join(page_path)).expect("a corpus page");
        let page_text = mutate(
            &String::from_utf8_lossy(&page_text),
            &page_mutations,
            PAGE_FRAGMENTS,
            REPEATED_PAGE_FRAGMENTS,
        );
        let stylesheet_text = fs::read_to_string(stylesheet_path).expect("a corpus stylesheet");
        let stylesheet_text = mutate(&stylesheet_text, &stylesheet_mutations, STYLESHEET_FRAGMENTS, &[]);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().join("case");
        case_site(&root, page_site, page_path, &page_text, &stylesheet_text);
        let what = format!(
            "{} with {page_mutations:?}, {} with {stylesheet_mutations:?}",
            page_site.join(page_path).display(),
            stylesheet_path.display()
        );
        assert_builds_or_explains(&root, &dir.path().join("out"), &what)?;
    }
}

/// The corpus, read once for all cases.
fn corpus() -> &'static Corpus {
    static CORPUS: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
    CORPUS.get_or_init(Corpus::read)
}
