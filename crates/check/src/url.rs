//! What a URL on a page points at: a path of this site (resolved against the
//! page, query dropped, percent-decoded), another site, or nothing to check.

use gazette_content::percent_decode;

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

/// Resolves `url` as written on the page at `page_url`.
///
/// A link with a host is external even when the host is the site's `url`:
/// sites set `url` to their agency's main address as often as to their own.
pub fn resolve(url: &str, page_url: &str) -> Target {
    let url = url.trim();
    if url.is_empty() {
        return Target::Ignored;
    }
    let lower = url.to_ascii_lowercase();
    let scheme_end = lower.find(':').filter(|colon| {
        lower[..*colon]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !lower[..*colon].contains('/')
    });
    let rest = match scheme_end {
        Some(colon) if matches!(&lower[..colon], "http" | "https") => &url[colon + 1..],
        Some(_) => return Target::Ignored,
        None if url.starts_with("//") => url,
        None => return internal(url, page_url),
    };
    if !rest.starts_with("//") {
        return Target::Ignored;
    }
    Target::External(url.to_owned())
}

fn internal(url: &str, page_url: &str) -> Target {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((before, fragment)) => (before, Some(percent_decode(fragment))),
        None => (url, None),
    };
    let without_query = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(path, _)| path);
    let path = if without_query.is_empty() {
        page_url.to_owned()
    } else if without_query.starts_with('/') {
        normalise(without_query)
    } else {
        let folder = page_url.rsplit_once('/').map_or("", |(folder, _)| folder);
        normalise(&format!("{folder}/{without_query}"))
    };
    Target::Internal {
        path: percent_decode(&path),
        fragment: fragment.filter(|f| !f.is_empty()),
    }
}

/// Removes `.` and `..` segments and repeated slashes, keeping a trailing slash.
fn normalise(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    let mut out = format!("/{}", segments.join("/"));
    if trailing && out.len() > 1 {
        out.push('/');
    }
    out
}

/// The host of an `http(s)://` URL, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    let host = rest[..end].rsplit('@').next()?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
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
