//! The checker's rules: a stable id for each kind of finding, its default
//! severity and a one-line description (shown in SARIF and the docs).

use gazette_content::Severity;

/// What a finding is about. The ids returned by [`Rule::id`] are part of the
/// JSON and SARIF output and never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The site could not be read or rendered as it is (malformed YAML, an
    /// unknown layout, a Liquid error, ...): the loader's and renderer's own
    /// diagnostics.
    Content,
    /// An internal link to a page or file that the site does not publish.
    BrokenLink,
    /// A link to `#anchor` that no element of the target page has as its id.
    BrokenAnchor,
    /// An image or file that is not in the site's media folders.
    MissingMedia,
    /// Two pages published at the same address.
    DuplicatePermalink,
    /// A navigation entry that points nowhere.
    BrokenNavigation,
    /// A link to a source file (`.md`) instead of the page it becomes.
    SourceLink,
    /// Front matter a page must have (`title`, `permalink`) is missing.
    MissingFrontMatter,
    /// Text that was UTF-8, decoded as Windows-1252 and encoded again.
    Mojibake,
    /// An image without alternative text.
    MissingAlt,
    /// The same image twice in a row.
    RepeatedImage,
    /// A page that no navigation, listing or link reaches from the homepage.
    OrphanPage,
    /// `image: ""` in front matter.
    EmptyImage,
    /// An `http://` link to a government host that serves HTTPS.
    InsecureGovernmentLink,
    /// An external link that does not answer (only with `--external`).
    ExternalLink,
    /// A URL in settings, data or front matter with a scheme the theme
    /// refuses (`javascript:`, `data:`, …).
    UnsafeUrl,
    /// Script (`<script>`, `on…=` handlers, `javascript:` links) in an HTML
    /// or SVG file the site publishes as it is.
    ScriptInCopiedFile,
}

impl Rule {
    /// Every rule, in the order reports list them.
    pub const ALL: [Rule; 17] = [
        Rule::Content,
        Rule::BrokenLink,
        Rule::BrokenAnchor,
        Rule::MissingMedia,
        Rule::DuplicatePermalink,
        Rule::BrokenNavigation,
        Rule::SourceLink,
        Rule::MissingFrontMatter,
        Rule::Mojibake,
        Rule::MissingAlt,
        Rule::RepeatedImage,
        Rule::OrphanPage,
        Rule::EmptyImage,
        Rule::InsecureGovernmentLink,
        Rule::ExternalLink,
        Rule::UnsafeUrl,
        Rule::ScriptInCopiedFile,
    ];

    /// The stable id used in JSON and SARIF.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Content => "content",
            Rule::BrokenLink => "broken-link",
            Rule::BrokenAnchor => "broken-anchor",
            Rule::MissingMedia => "missing-media",
            Rule::DuplicatePermalink => "duplicate-permalink",
            Rule::BrokenNavigation => "broken-navigation",
            Rule::SourceLink => "source-link",
            Rule::MissingFrontMatter => "missing-front-matter",
            Rule::Mojibake => "mojibake",
            Rule::MissingAlt => "missing-alt",
            Rule::RepeatedImage => "repeated-image",
            Rule::OrphanPage => "orphan-page",
            Rule::EmptyImage => "empty-image",
            Rule::InsecureGovernmentLink => "insecure-government-link",
            Rule::ExternalLink => "external-link",
            Rule::UnsafeUrl => "unsafe-url",
            Rule::ScriptInCopiedFile => "script-in-copied-file",
        }
    }

    /// The severity findings of this rule usually have. `content` and
    /// `external-link` findings carry their own.
    pub fn default_severity(self) -> Severity {
        match self {
            Rule::Content
            | Rule::BrokenLink
            | Rule::BrokenAnchor
            | Rule::MissingMedia
            | Rule::DuplicatePermalink
            | Rule::BrokenNavigation
            | Rule::SourceLink
            | Rule::MissingFrontMatter
            | Rule::ExternalLink
            | Rule::UnsafeUrl => Severity::Error,
            Rule::Mojibake
            | Rule::MissingAlt
            | Rule::RepeatedImage
            | Rule::OrphanPage
            | Rule::EmptyImage
            | Rule::InsecureGovernmentLink
            | Rule::ScriptInCopiedFile => Severity::Warning,
        }
    }

    /// What the rule finds, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            Rule::Content => "The site's files could not be read or rendered as they are.",
            Rule::BrokenLink => {
                "An internal link points to a page or file the site does not publish."
            }
            Rule::BrokenAnchor => {
                "A link points to an #anchor that no element of the target page has."
            }
            Rule::MissingMedia => {
                "An image or file is missing from the site's images/ or files/ folders."
            }
            Rule::DuplicatePermalink => "Two pages are published at the same address.",
            Rule::BrokenNavigation => "A navigation entry points nowhere.",
            Rule::SourceLink => {
                "A link points to a source file (.md) instead of the page it becomes."
            }
            Rule::MissingFrontMatter => {
                "A page lacks front matter the Isomer format needs (title, permalink)."
            }
            Rule::Mojibake => {
                "Text was UTF-8 decoded as Windows-1252 and encoded again (e.g. â€™ for ’)."
            }
            Rule::MissingAlt => "An image has no alternative text.",
            Rule::RepeatedImage => "The same image appears twice in a row.",
            Rule::OrphanPage => {
                "No navigation, listing or link reaches the page from the homepage."
            }
            Rule::EmptyImage => "Front matter sets `image` to an empty string.",
            Rule::InsecureGovernmentLink => {
                "An http:// link points to a government host that serves HTTPS."
            }
            Rule::ExternalLink => "An external link does not answer or answers with an error.",
            Rule::ScriptInCopiedFile => {
                "An HTML or SVG file published as it is holds script, event handlers or javascript: links."
            }
            Rule::UnsafeUrl => {
                "A URL in settings, data or front matter uses a scheme other than http, https, mailto or tel."
            }
        }
    }

    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_id_is_unique_and_reads_back() {
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|rule| rule.id()).collect();
        for rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(rule));
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
    }
}
