//! `_config.yml` read for the loader: parsed, with a warning for each
//! setting that asks for something Gazette does not do, and for each
//! analytics id it refuses.

use crate::config::SiteConfig;
use crate::loader::Loader;
use crate::{Diagnostic, RefusalReason, Value};

impl Loader<'_> {
    pub(crate) fn read_config(&mut self, paths: &[String]) -> Option<SiteConfig> {
        if !paths.iter().any(|p| p == "_config.yml") {
            self.error(
                Diagnostic::error(self.name, "_config.yml", "the site has no `_config.yml`")
                    .with_hint("an Isomer site keeps its settings in `_config.yml` at its root; check the site path"),
            );
            return None;
        }
        let file = self.read_text("_config.yml")?;
        match self.parse_yaml_file(&file)? {
            Value::Object(map) => {
                let config = SiteConfig::new(map);
                let line_of = |key: &str| {
                    file.text
                        .lines()
                        .position(|line| line.starts_with(&format!("{key}:")))
                        .map_or(1, |index| index as u32 + 1)
                };
                for (key, what) in config.unsupported_settings() {
                    self.diagnostics.push(
                        Diagnostic::tolerated(
                            self.name,
                            "_config.yml",
                            "unsupported-setting",
                            format!("`{key}` asks for {what}, which Gazette does not add"),
                        )
                        .at(&file.text, line_of(key), 1)
                        .with_hint("remove the setting, or add the script in the site's own `templates/partials/theme_head.html`"),
                    );
                }
                for refused in config.analytics().1 {
                    let key = refused.key;
                    let diagnostic = match refused.reason {
                        RefusalReason::UniversalAnalytics => Diagnostic::tolerated(
                            self.name,
                            "_config.yml",
                            "unsupported-setting",
                            format!("`{key}` is a Universal Analytics id, whose data Google stopped collecting in July 2023: Gazette does not load it"),
                        )
                        .with_hint("put the site's Google Analytics 4 measurement id (`G-…`) in `google_analytics_ga4`, or remove the setting"),
                        RefusalReason::NotAnId => Diagnostic::tolerated(
                            self.name,
                            "_config.yml",
                            "invalid-analytics-id",
                            format!("`{key}` is not a Google Analytics measurement id: pages load no analytics for it"),
                        )
                        .with_hint("a measurement id is `G-` and capital letters and digits, as Google Analytics shows it (for example `G-1A2B3C4D5E`)"),
                    };
                    self.diagnostics
                        .push(diagnostic.at(&file.text, line_of(key), 1));
                }
                Some(config)
            }
            Value::Null => Some(SiteConfig::default()),
            _ => {
                self.error(
                    Diagnostic::error(self.name, "_config.yml", "`_config.yml` is not a mapping")
                        .at(&file.text, 1, 1)
                        .with_hint("write settings as `key: value` lines"),
                );
                None
            }
        }
    }
}
