//! Fragments that are the same on many pages except for a marker of the
//! current page, rendered once and stitched into each page.
//!
//! A collection's side navigation lists every page of the collection, and the
//! navbar lists every collection's pages: rendering them through the template
//! engine for each page makes a build quadratic in the collection's size. The
//! theme renders them once with *marks* in place of the per-page attributes
//! (`aria-current="page"`, `open`); each page then copies the fragment,
//! filling in its own marks. The cost per page is the length of its output.

/// The character that brackets a mark; from Unicode's private use area, so it
/// never occurs in content.
const MARK: char = '\u{E000}';

/// The text a template writes where mark `id` goes.
pub(crate) fn mark(id: u32) -> String {
    format!("{MARK}{id}{MARK}")
}

/// A rendered fragment split at its marks.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Fragment {
    parts: Vec<Part>,
    length: usize,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum Part {
    Text(String),
    Mark(u32),
}

impl Fragment {
    /// Splits rendered HTML at its marks.
    pub(crate) fn parse(html: &str) -> Self {
        let mut parts = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find(MARK) {
            let after = &rest[start + MARK.len_utf8()..];
            let Some(end) = after.find(MARK) else { break };
            match after[..end].parse::<u32>() {
                Ok(id) => {
                    parts.push(Part::Text(rest[..start].to_owned()));
                    parts.push(Part::Mark(id));
                    rest = &after[end + MARK.len_utf8()..];
                }
                Err(_) => {
                    parts.push(Part::Text(rest[..start + MARK.len_utf8()].to_owned()));
                    rest = after;
                }
            }
        }
        parts.push(Part::Text(rest.to_owned()));
        let length = html.len();
        Self { parts, length }
    }

    /// The fragment with each mark replaced by what `fill` says (nothing when
    /// it says `None`).
    pub(crate) fn render<'a>(&self, fill: impl Fn(u32) -> Option<&'a str>) -> String {
        let mut out = String::with_capacity(self.length + 32);
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Mark(id) => {
                    if let Some(text) = fill(*id) {
                        out.push_str(text);
                    }
                }
            }
        }
        out
    }
}

/// A rendered page without marks, for templates that rendered a marked
/// fragment themselves (through an include) instead of using the stitched
/// one.
pub(crate) fn without_marks(html: Vec<u8>) -> Vec<u8> {
    // Searched as bytes, vectorised, through the whole page: a `char`
    // search stops at every byte 0x80, the last byte of U+E000 and of much
    // punctuation (`—`, `’`).
    let mut mark = [0; 4];
    let mark = MARK.encode_utf8(&mut mark).as_bytes();
    if memchr::memmem::find(&html, mark).is_none() {
        return html;
    }
    // Templates write text only, so the page is UTF-8 (were it not, it
    // would go out as rendered).
    match String::from_utf8(html) {
        Ok(text) => Fragment::parse(&text).render(|_| None).into_bytes(),
        Err(error) => error.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_filled_for_the_page_and_dropped_elsewhere() {
        let html = format!(
            "<a href=\"/a/\"{}>A</a><a href=\"/b/\"{}>B</a>",
            mark(1),
            mark(2)
        );
        let fragment = Fragment::parse(&html);
        let current = " aria-current=\"page\"";
        let for_b = fragment.render(|id| (id == 2).then_some(current));
        assert_eq!(
            for_b,
            "<a href=\"/a/\">A</a><a href=\"/b/\" aria-current=\"page\">B</a>"
        );
    }

    #[test]
    fn a_page_loses_the_marks_its_own_includes_left() {
        let page = format!("<nav><a href=\"/a/\"{}>A</a></nav> — ’", mark(3));
        assert_eq!(
            without_marks(page.into_bytes()),
            "<nav><a href=\"/a/\">A</a></nav> — ’".as_bytes()
        );
        let plain = "<p>no mark — ’</p>".as_bytes().to_vec();
        assert_eq!(without_marks(plain.clone()), plain);
    }

    #[test]
    fn text_without_marks_is_kept_whole() {
        let fragment = Fragment::parse("<nav>plain \u{E000} stray</nav>");
        assert_eq!(fragment.render(|_| None), "<nav>plain \u{E000} stray</nav>");
    }
}
