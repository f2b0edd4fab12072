//! Permalinks: the URL path of a page, and the file it is written to.
//!
//! A permalink comes from front matter or is derived the way Jekyll derived it
//! for Isomer sites (`permalink: none`). Whatever its origin it is validated
//! here, so that no output path can ever leave the output folder.

use std::borrow::Cow;
use std::fmt;

/// A validated URL path of a page on its site, such as `/about/` or `/404.html`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Permalink(String);

/// Why a permalink was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermalinkError {
    /// A `..` segment would climb out of the output folder.
    #[error("permalink `{0}` has a `..` segment that would leave the output folder")]
    ParentSegment(String),
    /// Backslashes are path separators on Windows.
    #[error("permalink `{0}` contains a backslash")]
    Backslash(String),
    /// NUL and other control characters cannot be in a file name.
    #[error("permalink `{0}` contains a control character")]
    ControlCharacter(String),
    /// `C:` and the like name a drive, not a folder of the site.
    #[error("permalink `{0}` names a drive")]
    Drive(String),
    /// A full URL (`https://...`) is not a path on this site.
    #[error("permalink `{0}` is a link to another site, not a path on this one")]
    External(String),
    /// `?` and `#` cannot be part of a file path.
    #[error("permalink `{0}` contains `?` or `#`")]
    QueryOrFragment(String),
    /// The permalink is empty.
    #[error("permalink is empty")]
    Empty,
    /// A segment that decodes to `.` (`%2e`): a browser reads it as the
    /// folder itself, so the page's address and its file would differ.
    #[error("permalink `{0}` has an encoded `.` segment (`%2e`)")]
    EncodedDotSegment(String),
    /// A segment longer than a file name may be.
    #[error(
        "permalink `{permalink}` has a segment of {length} bytes; a file or folder name holds at most {MAX_SEGMENT_BYTES}"
    )]
    SegmentTooLong {
        /// The permalink, shortened for display.
        permalink: String,
        /// The segment's length, decoded.
        length: usize,
    },
    /// A path longer than file systems and browsers handle.
    #[error("permalink `{permalink}` is {length} bytes long; at most {MAX_PATH_BYTES} are allowed")]
    TooLong {
        /// The permalink, shortened for display.
        permalink: String,
        /// Its length, decoded.
        length: usize,
    },
    /// A name Gazette keeps for its own files at the top of a site's output
    /// (`.gazette-manifest`, `.gazette-output`).
    #[error(
        "permalink `{0}` uses a name Gazette keeps for its own files (`{RESERVED_PREFIX}…` at the top of the site)"
    )]
    Reserved(String),
}

/// The first characters of the names Gazette keeps for its own files at the
/// top of a site's output (the manifest, the output marker): no page may be
/// written there.
pub const RESERVED_PREFIX: &str = ".gazette";

/// The longest segment a permalink may have, in bytes: a file name holds 255
/// on common file systems, and a page without an extension gains `.html`.
pub const MAX_SEGMENT_BYTES: usize = 250;

/// The longest permalink, in bytes: far beyond any real address, and short
/// enough that the output root and the path stay within a file system's
/// 4,096-byte limit.
pub const MAX_PATH_BYTES: usize = 2_000;

/// A permalink as an error message shows it: whole when short, else its
/// start and its length.
fn shown(raw: &str) -> String {
    const SHOWN: usize = 60;
    if raw.len() <= SHOWN + 20 {
        return raw.to_owned();
    }
    let mut end = SHOWN;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &raw[..end])
}

impl Permalink {
    /// Validates and normalises a permalink: a missing leading `/` is added and
    /// repeated slashes are collapsed, as Jekyll did.
    pub fn parse(raw: &str) -> Result<Self, PermalinkError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(PermalinkError::Empty);
        }
        let owned = || shown(raw);
        if is_external_url(raw) {
            return Err(PermalinkError::External(owned()));
        }
        if raw.contains('\\') {
            return Err(PermalinkError::Backslash(owned()));
        }
        if raw.contains(['?', '#']) {
            return Err(PermalinkError::QueryOrFragment(owned()));
        }
        let decoded = percent_decode(raw);
        if decoded.chars().any(char::is_control) {
            return Err(PermalinkError::ControlCharacter(owned()));
        }
        if decoded.contains('\\') {
            return Err(PermalinkError::Backslash(owned()));
        }
        let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
        if segments.contains(&"..") {
            return Err(PermalinkError::ParentSegment(owned()));
        }
        if raw
            .split('/')
            .any(|segment| segment != "." && percent_decode(segment) == ".")
        {
            return Err(PermalinkError::EncodedDotSegment(owned()));
        }
        if segments
            .first()
            .is_some_and(|s| s.starts_with(RESERVED_PREFIX))
        {
            return Err(PermalinkError::Reserved(owned()));
        }
        if let Some(length) = segments
            .iter()
            .map(|segment| segment.len())
            .find(|length| *length > MAX_SEGMENT_BYTES)
        {
            return Err(PermalinkError::SegmentTooLong {
                permalink: owned(),
                length,
            });
        }
        if decoded.len() > MAX_PATH_BYTES {
            return Err(PermalinkError::TooLong {
                permalink: owned(),
                length: decoded.len(),
            });
        }
        if segments.first().is_some_and(|s| is_drive(s)) {
            return Err(PermalinkError::Drive(owned()));
        }
        let mut normal = String::with_capacity(raw.len() + 1);
        for segment in raw.split('/').filter(|s| !s.is_empty() && *s != ".") {
            normal.push('/');
            normal.push_str(segment);
        }
        if normal.is_empty() || raw.ends_with('/') {
            normal.push('/');
        }
        Ok(Self(normal))
    }

    /// The URL path, always starting with `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file this page is written to, relative to the site's output root,
    /// as Jekyll wrote it: `/` is `index.html`, `/about/` is
    /// `about/index.html`, `/about` (no extension) is `about.html`, and
    /// `/404.html` is `404.html`. Percent-escapes are decoded.
    pub fn output_path(&self) -> String {
        let decoded = percent_decode(self.0.trim_start_matches('/'));
        if decoded.is_empty() {
            return "index.html".to_owned();
        }
        if decoded.ends_with('/') {
            return format!("{decoded}index.html");
        }
        // Jekyll keeps a permalink's own extension (`File.extname`: a dot
        // after the first character of the last segment) and adds `.html`
        // to one without.
        let last = decoded.rsplit('/').next().unwrap_or(&decoded);
        if last
            .get(1..)
            .is_some_and(|after_first| after_first.contains('.'))
        {
            decoded
        } else {
            format!("{decoded}.html")
        }
    }
}

impl fmt::Display for Permalink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a link points to another site (`https://`, `mailto:`, `//host`).
pub(crate) fn is_external_url(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("//")
        || url.split_once(':').is_some_and(|(scheme, _)| {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

fn is_drive(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Decodes `%XX` escapes; invalid escapes are kept as written, and text
/// whose escapes do not spell UTF-8 is kept whole.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_owned(), Cow::into_owned)
}

/// Jekyll's `slugify` in "pretty" mode, keeping case: runs of characters other
/// than letters, digits and `._~!$&'()+,;=@` become one `-`, trimmed at the ends.
/// This is how Jekyll turned a post's file name into its URL.
pub fn slugify_pretty(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        let keep = c.is_alphanumeric() || "._~!$&'()+,;=@".contains(c);
        if keep {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c);
        } else {
            pending_dash = true;
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_reads_every_escape_and_keeps_what_is_not_utf8() {
        assert_eq!(
            percent_decode("/Annual%20Report%2Epdf"),
            "/Annual Report.pdf"
        );
        assert_eq!(percent_decode("/caf%C3%A9"), "/café");
        assert_eq!(percent_decode("/a%2"), "/a%2");
        assert_eq!(percent_decode("/%zz/100%"), "/%zz/100%");
        assert_eq!(percent_decode("/bad%FF"), "/bad%FF");
    }

    #[test]
    fn permalinks_map_to_index_files() {
        let cases = [
            ("/", "index.html"),
            ("/about/", "about/index.html"),
            ("/about", "about.html"),
            ("/experts/Astar", "experts/Astar.html"),
            ("/https:/e27.co/story", "https:/e27.co/story.html"),
            ("/.hidden", ".hidden.html"),
            ("/404.html", "404.html"),
            ("/a/b.html", "a/b.html"),
            ("/with%20space/", "with space/index.html"),
            ("no-slash/", "no-slash/index.html"),
        ];
        for (raw, path) in cases {
            assert_eq!(Permalink::parse(raw).unwrap().output_path(), path, "{raw}");
        }
    }

    #[test]
    fn permalinks_that_escape_the_output_folder_are_refused() {
        for raw in [
            "/../etc/passwd",
            "/a/../../b/",
            "/%2e%2e/secret/",
            "/a\\b/",
            "/a\0b/",
            "/C:/Windows/",
            "C:\\Windows",
            "https://example.org/",
            "/a/%2e/b/",
            "/.gazette-manifest",
            "/.gazette-output/",
            "/.gazette-anything/x/",
        ] {
            assert!(Permalink::parse(raw).is_err(), "{raw:?} should be refused");
        }
    }

    #[test]
    fn over_long_segments_and_paths_are_refused_and_shown_short() {
        let segment = format!("/{}/", "a".repeat(MAX_SEGMENT_BYTES + 1));
        let error = Permalink::parse(&segment).unwrap_err();
        assert!(
            matches!(error, PermalinkError::SegmentTooLong { length, .. } if length == MAX_SEGMENT_BYTES + 1)
        );
        assert!(error.to_string().len() < 200, "{error}");
        let path = format!("/{}/", ["abcdefghi"; 800].join("/"));
        let error = Permalink::parse(&path).unwrap_err();
        assert!(
            matches!(error, PermalinkError::TooLong { length: 8001, .. }),
            "{error:?}"
        );
        assert!(error.to_string().len() < 200, "{error}");
        let longest = format!("/{}", "a".repeat(MAX_SEGMENT_BYTES));
        assert_eq!(
            Permalink::parse(&longest).unwrap().output_path().len(),
            MAX_SEGMENT_BYTES + 5
        );
        assert!(Permalink::parse("/a/./b/.well-known/x.gazette/").is_ok());
    }

    #[test]
    fn repeated_slashes_are_collapsed() {
        assert_eq!(
            Permalink::parse("//a///b/").unwrap_err(),
            PermalinkError::External("//a///b/".into())
        );
        assert_eq!(Permalink::parse("/a///b/").unwrap().as_str(), "/a/b/");
    }

    #[test]
    fn slugs_follow_jekyll_pretty_mode() {
        assert_eq!(
            slugify_pretty("file-HealthX Innovation Sandbox: Overall Process"),
            "file-HealthX-Innovation-Sandbox-Overall-Process"
        );
        assert_eq!(slugify_pretty("  Q&A (2024) "), "Q&A-(2024)");
    }
}
