//! `_redirects` in Netlify's format, as far as other hosts can follow it:
//! the rules from one exact path to another address, which Gazette writes
//! as redirect pages too. Rules with `*` or `:placeholders`, conditions, or
//! a status other than a redirect's stay for hosts that read the file.

use crate::loader::Loader;
use crate::site::StaticFile;

/// A rule from one exact path to another address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RedirectRule {
    /// The old path (`/old-page`), as written.
    pub from: String,
    /// Where it goes: a path of the site or another site's URL.
    pub to: String,
    /// The 1-based line of the rule in `_redirects`.
    pub line: u32,
}

impl Loader<'_> {
    /// The exact rules of the site's `_redirects`, when it publishes one.
    pub(crate) fn read_redirect_rules(&mut self, static_files: &[StaticFile]) -> Vec<RedirectRule> {
        if !static_files.iter().any(|f| f.source_path == "_redirects") {
            return Vec::new();
        }
        self.read_text("_redirects")
            .map(|file| exact_redirect_rules(&file.text))
            .unwrap_or_default()
    }
}

/// The exact redirect rules of a `_redirects` file, in order.
pub fn exact_redirect_rules(text: &str) -> Vec<RedirectRule> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let mut fields = line.split_whitespace();
            let from = fields.next()?;
            let to = fields.next()?;
            // A status, possibly forced (`301!`); anything after it
            // (conditions such as `Country=sg`) makes the rule conditional.
            let status = fields.next().unwrap_or("301");
            let is_redirect = matches!(
                status.trim_end_matches('!'),
                "301" | "302" | "303" | "307" | "308"
            );
            let exact = from.starts_with('/')
                && !from.contains(['*', ':', '?', '#'])
                && (to.starts_with('/') || to.starts_with("https://") || to.starts_with("http://"))
                && !to.contains(":splat")
                && !to.split('/').any(|segment| segment.starts_with(':'));
            (is_redirect && exact && fields.next().is_none()).then(|| RedirectRule {
                from: from.to_owned(),
                to: to.to_owned(),
                line: index as u32 + 1,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_unconditional_redirects_are_rules_other_hosts_can_follow() {
        let rules = exact_redirect_rules(
            "# comment\n/old /new/ 301\n/news/* /news/ 302\n/a/:id /b/:id\n/gone /x 404\n/p https://e.gov.sg/p\n/c /d 302 Country=sg\n/* https://x.gov.sg/:splat 301!\n",
        );
        let pairs: Vec<(&str, &str, u32)> = rules
            .iter()
            .map(|r| (r.from.as_str(), r.to.as_str(), r.line))
            .collect();
        assert_eq!(
            pairs,
            [("/old", "/new/", 2), ("/p", "https://e.gov.sg/p", 6)]
        );
    }
}
