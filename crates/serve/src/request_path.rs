//! From a request's URL path to the key of an output held in memory.

/// Why a request path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestPathError {
    /// A `..` segment, a backslash, a NUL or a drive: never a site's file.
    #[error("the path tries to leave the site")]
    Escapes,
    /// A percent-escape that is not valid UTF-8.
    #[error("the path is not valid UTF-8")]
    NotUtf8,
}

/// The output path a URL path names: `/` → `index.html`, `/about/` →
/// `about/index.html`, `/misc/custom.css` → `misc/custom.css`. Escapes are
/// decoded first, so `%2e%2e` is caught like `..`.
pub fn output_key(url_path: &str) -> Result<String, RequestPathError> {
    let decoded = percent_decode(url_path)?;
    if decoded.contains(['\\', '\0']) {
        return Err(RequestPathError::Escapes);
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(RequestPathError::Escapes),
            _ if segments.is_empty() && segment.len() >= 2 && segment.as_bytes()[1] == b':' => {
                return Err(RequestPathError::Escapes);
            }
            _ => segments.push(segment),
        }
    }
    let mut key = segments.join("/");
    if key.is_empty() || decoded.ends_with('/') {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key)
}

fn percent_decode(text: &str) -> Result<String, RequestPathError> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| RequestPathError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_map_to_output_keys() {
        assert_eq!(output_key("/").unwrap(), "index.html");
        assert_eq!(output_key("/about/").unwrap(), "about/index.html");
        assert_eq!(output_key("/misc/custom.css").unwrap(), "misc/custom.css");
        assert_eq!(
            output_key("/images/Hero%20Banner.svg").unwrap(),
            "images/Hero Banner.svg"
        );
        assert_eq!(
            output_key("//about//team/").unwrap(),
            "about/team/index.html"
        );
    }

    #[test]
    fn escapes_that_are_not_utf8_are_refused() {
        assert_eq!(output_key("/%FF%FE"), Err(RequestPathError::NotUtf8));
        assert_eq!(output_key("/caf%C3%A9/").unwrap(), "café/index.html");
    }

    #[test]
    fn traversal_attempts_are_refused() {
        for path in [
            "/../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E%2fsecret",
            "/images/..%5c..%5cwindows",
            "/a\\b",
            "/C:/Windows/win.ini",
            "/%00",
        ] {
            assert!(output_key(path).is_err(), "{path} must be refused");
        }
    }
}
