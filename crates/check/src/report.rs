//! Machine-readable reports: Gazette's own JSON (schema in
//! `docs/check-json-schema.md`) and SARIF 2.1.0 for code-scanning tools.

use std::path::Path;

use gazette_content::Severity;
use serde_json::{Value, json};

use crate::finding::{CheckReport, Finding};
use crate::rule::Rule;

/// The version of the JSON report's schema; it changes only when a field
/// changes meaning or disappears.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// One site's report and the folder its files are relative to, as it should
/// appear in the output (relative to the working directory when possible).
#[derive(Debug, Clone, Copy)]
pub struct SiteReport<'a> {
    /// What the check found.
    pub report: &'a CheckReport,
    /// The site's folder.
    pub root: &'a Path,
}

/// The JSON report of several sites.
pub fn json_report(sites: &[SiteReport<'_>]) -> Value {
    let site_values: Vec<Value> = sites
        .iter()
        .map(|site| {
            let findings: Vec<Value> = site
                .report
                .findings
                .iter()
                .map(|finding| json_finding(finding, site.root))
                .collect();
            json!({
                "site": site.report.site,
                "root": path_text(site.root),
                "errors": site.report.error_count(),
                "warnings": site.report.warning_count(),
                "findings": findings,
            })
        })
        .collect();
    json!({
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": { "name": "gazette", "version": env!("CARGO_PKG_VERSION") },
        "errors": sites.iter().map(|s| s.report.error_count()).sum::<usize>(),
        "warnings": sites.iter().map(|s| s.report.warning_count()).sum::<usize>(),
        "sites": site_values,
    })
}

fn json_finding(finding: &Finding, root: &Path) -> Value {
    let diagnostic = &finding.diagnostic;
    let also_at: Vec<Value> = finding
        .also_at
        .iter()
        .map(|place| {
            json!({
                "file": place.file,
                "path": path_text(&file_path(root, &place.file)),
                "line": place.line,
                "column": place.column,
                "source_line": place.source_line,
            })
        })
        .collect();
    json!({
        "rule": finding.rule_id(),
        "severity": severity_name(diagnostic.severity),
        "file": diagnostic.file,
        "path": path_text(&file_path(root, &diagnostic.file)),
        "line": diagnostic.line,
        "column": diagnostic.column,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "source_line": diagnostic.source_line,
        "also_at": also_at,
    })
}

/// The SARIF 2.1.0 log of several sites: one run, every rule described,
/// one result per finding.
pub fn sarif_report(sites: &[SiteReport<'_>]) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id(),
                "shortDescription": { "text": rule.description() },
                "defaultConfiguration": { "level": sarif_level(rule.default_severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = sites
        .iter()
        .flat_map(|site| {
            site.report
                .findings
                .iter()
                .map(move |finding| sarif_result(finding, site.root))
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gazette",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/gazette-sites/gazette",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn sarif_result(finding: &Finding, root: &Path) -> Value {
    let diagnostic = &finding.diagnostic;
    let text = match &diagnostic.hint {
        Some(hint) => format!("{} (help: {hint})", diagnostic.message),
        None => diagnostic.message.clone(),
    };
    // A tolerated kind is a sub-rule of `content`: SARIF spells that
    // `content/front-matter-yaml`, the descriptor being the part before `/`.
    let rule_id = match finding.rule_id() {
        id if id == finding.rule.id() => id.to_owned(),
        kind => format!("{}/{kind}", finding.rule.id()),
    };
    json!({
        "ruleId": rule_id,
        "ruleIndex": Rule::ALL.iter().position(|rule| *rule == finding.rule),
        "level": sarif_level(diagnostic.severity),
        "message": { "text": text },
        // One problem fixed only by changing every place (a dead external
        // URL): SARIF's case for one result with several locations.
        "locations": std::iter::once(diagnostic)
            .chain(&finding.also_at)
            .map(|place| sarif_location(place, root))
            .collect::<Vec<_>>(),
    })
}

/// A place of a finding as a SARIF location (site-wide: `_config.yml`, line 1).
fn sarif_location(place: &gazette_content::Diagnostic, root: &Path) -> Value {
    let file = if place.file.is_empty() {
        "_config.yml"
    } else {
        &place.file
    };
    let mut region = json!({ "startLine": place.line.unwrap_or(1) });
    if let Some(column) = place.column {
        region["startColumn"] = json!(column);
    }
    if let Some(line) = &place.source_line {
        region["snippet"] = json!({ "text": line });
    }
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_of(&file_path(root, file)) },
            "region": region,
        }
    })
}

fn file_path(root: &Path, file: &str) -> std::path::PathBuf {
    if file.is_empty() {
        root.to_owned()
    } else {
        root.join(file)
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A relative or absolute path as a URI reference: `/`-separated, with
/// characters outside the unreserved set percent-encoded.
fn uri_of(path: &Path) -> String {
    let text = path_text(path);
    let mut uri = String::with_capacity(text.len());
    if text.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char);
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_content::Diagnostic;

    fn report() -> CheckReport {
        CheckReport {
            site: "agency".into(),
            findings: vec![
                Finding {
                    rule: Rule::BrokenLink,
                    diagnostic: Diagnostic::error(
                        "agency",
                        "pages/about us.md",
                        "`/gone/` links to a page that does not exist",
                    )
                    .at("---\n---\n[x](/gone/)\n", 3, 5)
                    .with_hint("link to an existing page's permalink"),
                    also_at: Vec::new(),
                },
                Finding {
                    rule: Rule::OrphanPage,
                    diagnostic: Diagnostic::warning("agency", "", "site-wide"),
                    also_at: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn json_findings_carry_rule_severity_place_and_hint() {
        let report = report();
        let value = json_report(&[SiteReport {
            report: &report,
            root: Path::new("sites/agency"),
        }]);
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["errors"], 1);
        assert_eq!(value["warnings"], 1);
        let finding = &value["sites"][0]["findings"][0];
        assert_eq!(finding["rule"], "broken-link");
        assert_eq!(finding["severity"], "error");
        assert_eq!(finding["path"], "sites/agency/pages/about us.md");
        assert_eq!(
            (finding["line"].as_u64(), finding["column"].as_u64()),
            (Some(3), Some(5))
        );
        assert_eq!(finding["source_line"], "[x](/gone/)");
        assert_eq!(value["sites"][0]["findings"][1]["line"], Value::Null);
    }

    #[test]
    fn sarif_results_point_at_encoded_relative_uris_with_regions() {
        let report = report();
        let value = sarif_report(&[SiteReport {
            report: &report,
            root: Path::new("sites/agency"),
        }]);
        assert_eq!(value["version"], "2.1.0");
        let run = &value["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            Rule::ALL.len()
        );
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "broken-link");
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "sites/agency/pages/about%20us.md"
        );
        assert_eq!(location["region"]["startLine"], 3);
        assert_eq!(location["region"]["startColumn"], 5);
        let site_wide = &run["results"][1]["locations"][0]["physicalLocation"];
        assert_eq!(
            site_wide["artifactLocation"]["uri"],
            "sites/agency/_config.yml"
        );
    }

    #[test]
    fn a_kind_jekyll_tolerates_is_listed_under_its_own_id() {
        let report = CheckReport {
            site: "agency".into(),
            findings: vec![Finding {
                rule: Rule::Content,
                diagnostic: Diagnostic::tolerated(
                    "agency",
                    "pages/a.md",
                    "front-matter-yaml",
                    "the front matter is not valid YAML",
                ),
                also_at: Vec::new(),
            }],
        };
        let sites = [SiteReport {
            report: &report,
            root: Path::new("sites/agency"),
        }];
        let json = json_report(&sites);
        assert_eq!(json["sites"][0]["findings"][0]["rule"], "front-matter-yaml");
        let sarif = sarif_report(&sites);
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "content/front-matter-yaml");
        let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
        assert_eq!(
            sarif["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            "content"
        );
        assert!(
            report.findings[0]
                .to_string()
                .starts_with("[front-matter-yaml]")
        );
    }
}
