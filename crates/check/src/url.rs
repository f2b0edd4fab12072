//! What a URL on a page points at: a path of this site (resolved against the
//! page, query dropped, percent-decoded), another site, or nothing to check.

use gazette_content::percent_decode;
use url::Url;

/// Where a URL leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing to check: `mailto:`, `tel:`, `javascript:`, `data:`, an empty link.
    Ignored,
    /// Another site (`http`, `https` or protocol-relative).
    External(String),
    /// A path of this site.
    Internal {
        /// Absolute, percent-decoded, without query or fragment.
        path: String,
        /// The `#fragment`, percent-decoded, when there is one.
        fragment: Option<String>,
    },
}

/// The host relative links are resolved under. `.invalid` is reserved
/// (RFC 2606), so no link written on a page names it.
const THIS_SITE: &str = "http://this-site.invalid";

/// Resolves `url` as written on the page at `page_url`, as a browser does
/// (the WHATWG URL standard, through the `url` crate).
///
/// A link with a host is external even when the host is the site's `url`:
/// sites set `url` to their agency's main address as often as to their own.
pub fn resolve(url: &str, page_url: &str) -> Target {
    let url = url.trim();
    if url.is_empty() {
        return Target::Ignored;
    }
    if let Ok(absolute) = Url::parse(url) {
        return match absolute.scheme() {
            "http" | "https" if absolute.has_host() => Target::External(url.to_owned()),
            _ => Target::Ignored,
        };
    }
    if url.starts_with("//") {
        return Target::External(url.to_owned());
    }
    let resolved = Url::parse(THIS_SITE)
        .and_then(|site| site.join(page_url))
        .and_then(|page| page.join(url));
    let Ok(resolved) = resolved else {
        return Target::Ignored;
    };
    Target::Internal {
        path: percent_decode(resolved.path()),
        fragment: resolved
            .fragment()
            .filter(|fragment| !fragment.is_empty())
            .map(percent_decode),
    }
}

/// The host of an `http(s)://` URL, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .host_str()
        .filter(|host| !host.is_empty())
        .map(str::to_ascii_lowercase)
}

/// Whether `url` is a plain `http://` link to a Singapore government host.
pub fn is_insecure_government_link(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        && host_of(url).is_some_and(|host| host == "gov.sg" || host.ends_with(".gov.sg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(url: &str, page: &str) -> Target {
        resolve(url, page)
    }

    fn internal(path: &str, fragment: Option<&str>) -> Target {
        Target::Internal {
            path: path.to_owned(),
            fragment: fragment.map(str::to_owned),
        }
    }

    #[test]
    fn relative_absolute_and_fragment_links_resolve_against_the_page() {
        assert_eq!(path("/about/", "/x/"), internal("/about/", None));
        assert_eq!(path("team/", "/about/"), internal("/about/team/", None));
        assert_eq!(
            path("../faq.html#q1", "/guides/a.html"),
            internal("/faq.html", Some("q1"))
        );
        assert_eq!(
            path("#top-section", "/about/"),
            internal("/about/", Some("top-section"))
        );
        assert_eq!(
            path("/files/Annual%20Report.pdf?dl=1", "/"),
            internal("/files/Annual Report.pdf", None)
        );
    }

    #[test]
    fn other_schemes_are_ignored_and_other_hosts_are_external() {
        for url in [
            "mailto:a@b.sg",
            "tel:+6561234567",
            "javascript:void(0)",
            "data:image/png;base64,AA",
            "",
            "  ",
        ] {
            assert_eq!(path(url, "/"), Target::Ignored, "{url}");
        }
        assert_eq!(
            path("https://example.org/x", "/"),
            Target::External("https://example.org/x".into())
        );
        assert_eq!(
            path("//cdn.example.org/x.js", "/"),
            Target::External("//cdn.example.org/x.js".into())
        );
    }

    #[test]
    fn http_links_to_government_hosts_are_insecure() {
        assert!(is_insecure_government_link("http://www.tech.gov.sg/x"));
        assert!(is_insecure_government_link("HTTP://gov.sg"));
        assert!(!is_insecure_government_link("https://www.tech.gov.sg/x"));
        assert!(!is_insecure_government_link("http://example.com/gov.sg"));
        assert!(!is_insecure_government_link("http://notgov.sg/"));
    }
}
