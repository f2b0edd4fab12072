use std::borrow::Cow;
use std::collections::BTreeMap;

use super::index::{CHUNK_POSTINGS, chunk_path};
use super::tokens::{MAX_TERM_CHARS, group_of, words};
use super::*;

fn doc(url: &str, title: &str, text: &str) -> SearchDoc {
    SearchDoc {
        url: url.to_owned(),
        title: title.to_owned(),
        text: text.to_owned(),
    }
}

/// The index of `docs` (unit id, doc) built against `previous`, as a
/// render builds it: files whose bytes the previous output holds are reused.
fn build(
    previous: Option<&SearchState>,
    docs: &[(&str, &SearchDoc)],
    previous_files: &BTreeMap<String, String>,
) -> index::Updated {
    let docs: Vec<(&str, Option<&SearchDoc>)> =
        docs.iter().map(|(unit, doc)| (*unit, Some(*doc))).collect();
    index_of(previous, &docs, |unit, digest| {
        previous_files.get(unit).map(String::as_str) == Some(digest)
    })
}

/// The index of `docs` (unit id, and its doc unless search leaves the page
/// out) updated from the state `previous`, reusing what `reusable` says.
fn index_of(
    previous: Option<&SearchState>,
    docs: &[(&str, Option<&SearchDoc>)],
    reusable: impl Fn(&str, &str) -> bool + Sync,
) -> index::Updated {
    let entries: Vec<(&str, Vec<u8>)> = docs
        .iter()
        .map(|(unit, doc)| {
            let entry = doc.map(SearchDoc::indexed);
            (*unit, encode_entry(entry.as_ref()))
        })
        .collect();
    let current: Vec<CurrentPage<'_>> = entries
        .iter()
        .map(|(unit, entry)| CurrentPage {
            unit,
            inputs: "inputs",
            entry: Cow::Borrowed(entry),
        })
        .collect();
    let stored = previous.and_then(StoredState::read);
    update(stored.as_ref(), &current, reusable)
}

/// Every file of an update by unit, with the digest and bytes a clean
/// build gives (reused files take their bytes from `before`).
fn files_of(
    updated: &index::Updated,
    before: &BTreeMap<String, (String, Vec<u8>)>,
) -> BTreeMap<String, (String, Vec<u8>)> {
    updated
        .files
        .iter()
        .map(|file| {
            let bytes = match &file.bytes {
                Some(bytes) => bytes.clone(),
                None => before[&file.unit].1.clone(),
            };
            (file.unit.clone(), (file.digest.clone(), bytes))
        })
        .collect()
}

fn digests(files: &BTreeMap<String, (String, Vec<u8>)>) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(unit, (digest, _))| (unit.clone(), digest.clone()))
        .collect()
}

#[test]
fn tokenising_lowercases_splits_at_punctuation_and_drops_overlong_words() {
    let long = "x".repeat(MAX_TERM_CHARS + 1);
    let found: Vec<String> = words(&format!(
        "CPF Top-up: S$1,200 for Ah Kow’s family; Ünïcode 新加坡 ǅemal ΟΔΟΣ {long} end"
    ))
    .map(std::borrow::Cow::into_owned)
    .collect();
    assert_eq!(
        found,
        [
            "cpf",
            "top",
            "up",
            "s",
            "1",
            "200",
            "for",
            "ah",
            "kow",
            "s",
            "family",
            "ünïcode",
            "新加坡",
            "ǆemal",
            "οδος",
            "end"
        ]
    );
    assert_eq!(group_of("budget"), "bu");
    assert_eq!(group_of("新加坡"), "新加");
    assert_eq!(group_of("a"), "a");
}

#[test]
fn tokenising_splits_where_char_is_alphanumeric_says_a_word_ends_in_any_script() {
    // The definition the browser's query splitting mirrors, one character
    // at a time; the tokeniser reads ASCII by the byte and must agree.
    fn by_definition(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty() && word.chars().count() <= MAX_TERM_CHARS)
            .map(str::to_lowercase)
            .collect()
    }
    let at_limit = "é".repeat(MAX_TERM_CHARS);
    let past_limit = format!("{at_limit}e");
    let texts = [
        String::new(),
        "  ,;  ".to_owned(),
        "ABC abc AbC a1B2 007".to_owned(),
        "tab\tnew\nline\u{0b}vt\u{a0}nbsp\u{2003}em".to_owned(),
        "٣ digits ٤٥ and ½ and Ⅻ".to_owned(),
        "cafe\u{301} naïve ÉCOLE İstanbul ΣΊΣΥΦΟΣ".to_owned(),
        "emoji🙂between and 中文字 and العربية".to_owned(),
        format!("{at_limit} {past_limit} {}", "Z".repeat(MAX_TERM_CHARS + 1)),
        "ends with a letter".to_owned(),
        // ASCII runs and other letters in turn within one word.
        "mIxé1Éb aé éa aéa x🙂y Ab\u{301}C".to_owned(),
        format!(
            "{}é {}é",
            "a".repeat(MAX_TERM_CHARS - 1),
            "B".repeat(MAX_TERM_CHARS)
        ),
    ];
    for text in &texts {
        let found: Vec<String> = words(text).map(Cow::into_owned).collect();
        assert_eq!(found, by_definition(text), "words of {text:?}");
    }
}

#[test]
fn page_text_is_one_space_between_words_for_every_kind_of_white_space() {
    let html = " \t<p>\u{a0}one\u{0b}\u{0c}two&#32;&#9;three</p>\r\n<p>four\u{2003}\u{3000}five</p>six<br>seven \n";
    assert_eq!(text_of_html(html), "one two three four five six seven");
    assert_eq!(text_of_html("a&nbsp;&nbsp;b"), "a b");
    assert_eq!(text_of_html("\u{85}\u{2028}"), "");
}

#[test]
fn page_text_decodes_references_breaks_at_tags_and_leaves_out_script_and_style() {
    let text = text_of_html(
        "<h2>Fees &amp; charges</h2><p>Pay&nbsp;online<br>or at <em>any</em> branch.</p>\
         <script>var hidden = 'scriptword';</script><style>.x{color:red}</style><p>Done</p>",
    );
    assert_eq!(text, "Fees & charges Pay online or at any branch. Done");
    assert!(!text.contains("scriptword"));
}

#[test]
fn a_page_weighs_title_words_above_body_words_and_left_out_pages_have_no_document() {
    let page = doc("/fees/", "Fees", "fees apply; pay fees at fees counters");
    let indexed = page.indexed();
    let weight = |term: &str| {
        indexed
            .terms
            .iter()
            .find(|(t, _)| t == term)
            .map(|(_, w)| *w)
    };
    assert_eq!(weight("fees"), Some(IN_TITLE + OFTEN_IN_BODY));
    assert_eq!(weight("pay"), Some(IN_BODY));
    assert_eq!(weight("absent"), None);
    assert_eq!(indexed.id.len(), 16);
    assert_ne!(indexed.id, doc("/other/", "Fees", "").id());
}

#[test]
fn chunking_splits_a_large_group_by_longer_prefixes_and_places_every_term_once() {
    // Enough pages sharing "co…" words to overflow one chunk.
    let pages: Vec<SearchDoc> = (0..CHUNK_POSTINGS / 2)
        .map(|n| {
            doc(
                &format!("/p{n}/"),
                "Page",
                "community council contact cost co",
            )
        })
        .collect();
    let docs: Vec<(String, &SearchDoc)> = pages
        .iter()
        .enumerate()
        .map(|(n, d)| (format!("p{n:05}.md"), d))
        .collect();
    let docs: Vec<(&str, &SearchDoc)> = docs.iter().map(|(u, d)| (u.as_str(), *d)).collect();
    let built = build(None, &docs, &BTreeMap::new());
    let chunks: BTreeMap<String, serde_json::Map<String, serde_json::Value>> = built
        .files
        .iter()
        .filter(|file| file.unit.starts_with("search:chunk:"))
        .map(|file| {
            let key = file.unit.trim_start_matches("search:chunk:").to_owned();
            assert_eq!(file.path, chunk_path(&key));
            let value: serde_json::Value =
                serde_json::from_slice(file.bytes.as_ref().unwrap()).unwrap();
            (key, value.as_object().unwrap().clone())
        })
        .collect();
    for key in ["co", "com", "cou", "con", "cos"] {
        assert!(
            chunks.contains_key(key),
            "no chunk {key}: {:?}",
            chunks.keys()
        );
    }
    for term in ["community", "council", "contact", "cost", "co", "page"] {
        let holders: Vec<&String> = chunks
            .iter()
            .filter(|(_, terms)| terms.contains_key(term))
            .map(|(key, _)| key)
            .collect();
        assert_eq!(holders.len(), 1, "{term} in {holders:?}");
        assert!(term.starts_with(holders[0].as_str()));
        let postings = chunks[holders[0]][term].as_array().unwrap();
        assert_eq!(postings.len(), 2 * pages.len());
    }
    for terms in chunks.values() {
        let postings: usize = terms
            .values()
            .map(|p| p.as_array().unwrap().len() / 2)
            .sum();
        assert!(postings <= CHUNK_POSTINGS);
    }
    let list = built
        .files
        .iter()
        .find(|f| f.path == index::INDEX_PATH)
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(list.bytes.as_ref().unwrap()).unwrap();
    assert_eq!(list["pages"], pages.len());
    let listed: Vec<&String> = list["chunks"].as_object().unwrap().keys().collect();
    assert_eq!(listed, chunks.keys().collect::<Vec<_>>());
}

#[test]
fn incremental_update_rewrites_only_changed_chunks_and_equals_a_clean_build() {
    let a = doc("/a/", "Alpha", "harbour lighthouse ferry");
    let b = doc("/b/", "Beta", "zebra crossing quiet");
    let c = doc("/c/", "Gamma", "market stalls ferry");
    let first = build(
        None,
        &[("a.md", &a), ("b.md", &b), ("c.md", &c)],
        &BTreeMap::new(),
    );
    let first_files = files_of(&first, &BTreeMap::new());

    // One page's body edited: one word replaced.
    let b2 = doc("/b/", "Beta", "zebra crossing xylophone");
    let docs = [("a.md", &a), ("b.md", &b2), ("c.md", &c)];
    let next = build(Some(&first.state), &docs, &digests(&first_files));
    let clean = build(None, &docs, &BTreeMap::new());
    let next_files = files_of(&next, &first_files);
    assert_eq!(next_files, files_of(&clean, &BTreeMap::new()));
    assert_eq!(
        next.state, clean.state,
        "the state is what a clean build keeps"
    );

    let written: Vec<&str> = next
        .files
        .iter()
        .filter(|file| file.bytes.is_some())
        .map(|file| file.unit.as_str())
        .collect();
    // "qu" loses its only word; "xy" is new; the list and state (its head
    // and its one shard) change.
    assert_eq!(
        written,
        [
            "search:chunk:xy",
            "search:index",
            "search:state",
            "search:state:0"
        ],
        "only the chunks of words that changed are written"
    );
    assert!(!next_files.contains_key("search:chunk:qu"));

    // A word's weight changes (now three times in the body), and the title
    // word becomes a body word: the same page's postings move, not repeat.
    let b3 = doc("/b/", "Zebra", "zebra crossing crossing crossing");
    let docs = [("a.md", &a), ("b.md", &b3), ("c.md", &c)];
    let reweighed = build(Some(&next.state), &docs, &digests(&next_files));
    let clean = build(None, &docs, &BTreeMap::new());
    assert_eq!(
        files_of(&reweighed, &next_files),
        files_of(&clean, &BTreeMap::new())
    );
    assert_eq!(reweighed.state, clean.state);

    // A page removed takes its words out.
    let fewer = build(
        Some(&next.state),
        &[("a.md", &a), ("c.md", &c)],
        &digests(&next_files),
    );
    let clean = build(None, &[("a.md", &a), ("c.md", &c)], &BTreeMap::new());
    assert_eq!(
        files_of(&fewer, &next_files),
        files_of(&clean, &BTreeMap::new())
    );
}

#[test]
fn a_page_edit_changes_the_index_its_manifest_records() {
    let a = doc("/a/", "Alpha", "harbour lighthouse");
    let b = doc("/b/", "Beta", "zebra crossing");
    let built = build(None, &[("a.md", &a), ("b.md", &b)], &BTreeMap::new());
    let mut manifest = Manifest::default();
    for file in &built.files {
        let record = live::record(file.digest.clone(), file.path.clone());
        manifest.units.insert(file.unit.clone(), record);
    }
    let edit = PageEdit {
        unit: "b.md".into(),
        inputs: "new inputs".into(),
        doc: Some(doc("/b/", "Beta", "zebra walrus")),
    };
    let changes = apply_edits(&mut manifest, decoded(&built.state), vec![edit]).unwrap();
    let state = state_after(&built.state, &changes, &manifest);
    let changed: BTreeMap<String, Option<Vec<u8>>> = changes.into_iter().collect();
    let walrus = chunk_path("wa");
    let chunk: serde_json::Value =
        serde_json::from_slice(changed[&walrus].as_ref().unwrap()).unwrap();
    assert_eq!(chunk["walrus"][0], b.id());
    assert_eq!(
        changed[&chunk_path("cr")],
        None,
        "`crossing` was its only word"
    );
    assert!(manifest.units.contains_key("search:chunk:wa"));
    assert!(!manifest.units.contains_key("search:chunk:cr"));
    assert!(manifest.units.contains_key("search:page:b.md"));
    let (page_path, _) = doc("/b/", "Beta", "").file();
    let page: serde_json::Value =
        serde_json::from_slice(changed[&page_path].as_ref().unwrap()).unwrap();
    assert_eq!(page["text"], "zebra walrus");
    assert_ne!(state, built.state);
    let unknown = PageEdit {
        unit: "new.md".into(),
        inputs: String::new(),
        doc: None,
    };
    assert!(
        apply_edits(&mut manifest, decoded(&state), vec![unknown]).is_none(),
        "a page the state does not know needs the whole render"
    );
}

#[test]
fn edits_to_the_index_held_in_memory_give_the_files_and_state_of_a_whole_render() {
    // Enough pages sharing "co…" words that their group is split in chunks.
    let mut pages: Vec<(String, Option<SearchDoc>)> = (0..CHUNK_POSTINGS / 2)
        .map(|n| {
            let text = format!("community council contact cost co word{}", n % 7);
            let doc = doc(&format!("/p{n}/"), "Page", &text);
            (format!("p{n:05}.md"), Some(doc))
        })
        .collect();
    // A whole render's index of `pages` (a page left out is a unit with no
    // entry), every file written.
    let whole = |pages: &[(String, Option<SearchDoc>)]| {
        let docs: Vec<(&str, Option<&SearchDoc>)> = pages
            .iter()
            .map(|(unit, doc)| (unit.as_str(), doc.as_ref()))
            .collect();
        index_of(None, &docs, |_, _| false)
    };
    // The index's files (not the pages' own, nor the state) by path.
    let index_files = |files: &[index::IndexFile]| -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .filter(|file| !file.unit.starts_with("search:state"))
            .map(|file| (file.path.clone(), file.bytes.clone().unwrap()))
            .collect()
    };
    let built = whole(&pages);
    let mut manifest = Manifest::default();
    for file in &built.files {
        let record = live::record(file.digest.clone(), file.path.clone());
        manifest.units.insert(file.unit.clone(), record);
    }
    let mut outputs = index_files(&built.files);
    let mut index = LiveIndex::read(built.state.clone()).unwrap();
    assert_eq!(index.state().as_ref(), Some(&built.state), "read unchanged");

    let edit = |n: usize, doc: Option<SearchDoc>| PageEdit {
        unit: format!("p{n:05}.md"),
        inputs: "inputs".to_owned(),
        doc,
    };
    let zebra = doc("/p5/", "Page", "zebra council");
    let steps = [
        // New words, a word gone, a weight changed.
        vec![edit(
            3,
            Some(doc("/p3/", "Page", "xylophone contact contact contact co")),
        )],
        // One page edited twice in a batch (the last counts), another left
        // out of the index (a page that became the search page).
        vec![
            edit(5, Some(doc("/p5/", "Page", "first draft"))),
            edit(5, Some(zebra.clone())),
            edit(9, None),
        ],
        // Nothing the index holds changed.
        vec![edit(5, Some(zebra))],
    ];
    for edits in steps {
        for edit in &edits {
            let n: usize = edit.unit[1..6].parse().unwrap();
            pages[n].1.clone_from(&edit.doc);
        }
        let changes = index.apply(&mut manifest, edits).unwrap();
        for (path, bytes) in changes {
            if path.starts_with("search-index/p/") {
                continue;
            }
            match bytes {
                Some(bytes) => outputs.insert(path, bytes),
                None => outputs.remove(&path),
            };
        }
        let expected = whole(&pages);
        assert_eq!(outputs, index_files(&expected.files));
        assert_eq!(
            index.state().as_ref(),
            Some(&expected.state),
            "the state of a whole render"
        );
        let not_state = |file: &&index::IndexFile| !file.unit.starts_with("search:state");
        for file in expected.files.iter().filter(not_state) {
            let recorded = &manifest.units[&file.unit];
            assert_eq!(recorded.inputs_digest, file.digest, "{}", file.unit);
        }
        let chunks = manifest
            .units
            .keys()
            .filter(|unit| unit.starts_with("search:chunk:"));
        for unit in chunks {
            assert!(
                expected.files.iter().any(|f| &f.unit == unit),
                "{unit} is gone but still in the manifest"
            );
        }
    }
}

/// A stored state decoded for [`apply_edits`].
fn decoded(state: &SearchState) -> PreviousSearch<'static> {
    PreviousSearch::decode(state.clone()).expect("a state this program wrote decodes")
}

/// A site of `count` pages, each with words of its own, large enough that
/// its state is cut into several shards.
fn sharded_site(count: usize) -> Vec<(String, SearchDoc)> {
    (0..count)
        .map(|n| {
            let words: Vec<String> = (0..40).map(|w| format!("w{n}x{w}")).collect();
            let text = format!("harbour ferry {}", words.join(" "));
            (
                format!("p{n:05}.md"),
                doc(&format!("/p{n}/"), "Page", &text),
            )
        })
        .collect()
}

/// A whole render's index of `pages`, every file written, and a manifest
/// recording its files.
fn whole_with_manifest(pages: &[(String, SearchDoc)]) -> (index::Updated, Manifest) {
    let docs: Vec<(&str, Option<&SearchDoc>)> = pages
        .iter()
        .map(|(unit, doc)| (unit.as_str(), Some(doc)))
        .collect();
    let built = index_of(None, &docs, |_, _| false);
    let mut manifest = Manifest::default();
    for file in &built.files {
        let record = live::record(file.digest.clone(), file.path.clone());
        manifest.units.insert(file.unit.clone(), record);
    }
    (built, manifest)
}

/// The files of `state`, by path.
fn state_files(state: &SearchState) -> BTreeMap<String, Vec<u8>> {
    state
        .files()
        .map(|(path, bytes)| (path, bytes.to_vec()))
        .collect()
}

/// The state's files an edit writes (`written`) or removes.
fn state_paths(changes: &FileChanges, written: bool) -> Vec<&str> {
    changes
        .iter()
        .filter(|(path, bytes)| is_search_state_path(path) && bytes.is_some() == written)
        .map(|(path, _)| path.as_str())
        .collect()
}

/// The state `before` with `changes` (an edit's files, which `manifest`
/// now records) applied, read back from its files as the next publish
/// reads it.
fn state_after(before: &SearchState, changes: &FileChanges, manifest: &Manifest) -> SearchState {
    let mut files = state_files(before);
    for (path, bytes) in changes {
        if is_search_state_path(path) {
            match bytes {
                Some(bytes) => files.insert(path.clone(), bytes.clone()),
                None => files.remove(path),
            };
        }
    }
    SearchState::read(manifest, |path| files.get(path).cloned()).expect("the state reads back")
}

#[test]
fn a_page_edit_reads_and_writes_the_state_s_head_and_only_the_shards_it_touches() {
    let mut pages = sharded_site(600);
    let (built, mut manifest) = whole_with_manifest(&pages);
    let shards = built.state.shards.len();
    assert!(shards >= 4, "{shards} shards");

    pages[7].1 = doc("/p7/", "Page", "harbour ferry quokka");
    let edit = PageEdit {
        unit: pages[7].0.clone(),
        inputs: "inputs".into(),
        doc: Some(pages[7].1.clone()),
    };
    let files = state_files(&built.state);
    let reads = std::sync::Mutex::new(Vec::new());
    let read_file = |path: &str| {
        reads.lock().unwrap().push(path.to_owned());
        files.get(path).cloned()
    };
    let recorded = manifest.clone();
    let previous = PreviousSearch::open(&recorded, &read_file).unwrap();
    let changes = apply_edits(&mut manifest, previous, vec![edit]).unwrap();
    let (expected, _) = whole_with_manifest(&pages);
    assert_eq!(
        state_after(&built.state, &changes, &manifest),
        expected.state,
        "the state of a whole render"
    );

    let written = state_paths(&changes, true);
    assert!(written.contains(&STATE_PATH), "{written:?}");
    // The page's own shard, and those of the groups its words left and
    // joined ("w7x…" and "qu"): a few, not every one; read once each.
    assert!(written.len() > 1, "{written:?}");
    assert!(written.len() < shards, "{written:?} of {shards}");
    let reads = reads.into_inner().unwrap();
    assert!(reads.len() < shards, "{reads:?}");
    for path in &written {
        assert_eq!(
            reads.iter().filter(|read| read == path).count(),
            1,
            "{path}"
        );
    }
    for file in &expected.files {
        let recorded = &manifest.units[&file.unit];
        assert_eq!(recorded.inputs_digest, file.digest, "{}", file.unit);
    }
}

#[test]
fn an_edit_that_shrinks_the_state_cuts_it_into_fewer_shards_as_a_whole_render_would() {
    let mut pages = sharded_site(600);
    let (built, mut manifest) = whole_with_manifest(&pages);
    let before = built.state.shards.len();

    // Most pages lose their own words.
    let mut edits = Vec::new();
    for (n, (unit, page)) in pages.iter_mut().enumerate().skip(20) {
        *page = doc(&format!("/p{n}/"), "Page", "harbour ferry");
        edits.push(PageEdit {
            unit: unit.clone(),
            inputs: "inputs".into(),
            doc: Some(page.clone()),
        });
    }
    let changes = apply_edits(&mut manifest, decoded(&built.state), edits).unwrap();
    let (expected, _) = whole_with_manifest(&pages);
    assert!(expected.state.shards.len() < before);
    assert_eq!(
        state_after(&built.state, &changes, &manifest),
        expected.state,
        "the state of a whole render"
    );

    // The shards past the new count are gone, files and units.
    let gone = state_paths(&changes, false);
    assert_eq!(gone.len(), before - expected.state.shards.len(), "{gone:?}");
    let state_units = manifest
        .units
        .keys()
        .filter(|unit| unit.starts_with("search:state"))
        .count();
    assert_eq!(state_units, expected.state.shards.len() + 1);
}

#[test]
fn a_state_with_a_shard_missing_or_not_the_recorded_one_is_no_state() {
    let (built, manifest) = whole_with_manifest(&sharded_site(300));
    let files = state_files(&built.state);
    let read = SearchState::read(&manifest, |path| files.get(path).cloned()).unwrap();
    assert_eq!(read, built.state);
    let last = state::shard_path(built.state.shards.len() as u32 - 1);
    let missing = SearchState::read(&manifest, |path| {
        (path != last).then(|| files.get(path).cloned())?
    });
    assert!(missing.is_none());

    // A shard of another version (a bucket publish cut short uploads new
    // files before the manifest): the state is not read, whole or lazily.
    let (other, _) = whole_with_manifest(&sharded_site(301));
    let differs = (0..built.state.shards.len())
        .find(|&n| other.state.shards[n] != built.state.shards[n])
        .expect("a shard the extra page changed") as u32;
    let swapped = |path: &str| match path == state::shard_path(differs) {
        true => Some(other.state.shards[differs as usize].to_vec()),
        false => files.get(path).cloned(),
    };
    assert!(SearchState::read(&manifest, swapped).is_none());
    let mut edited = manifest.clone();
    let every_shard: Vec<PageEdit> = sharded_site(300)
        .into_iter()
        .map(|(unit, doc)| PageEdit {
            unit,
            inputs: "new inputs".into(),
            doc: Some(doc),
        })
        .collect();
    let previous = PreviousSearch::open(&manifest, &swapped).unwrap();
    assert!(
        apply_edits(&mut edited, previous, every_shard).is_none(),
        "a shard not recorded stops the edit"
    );
}
