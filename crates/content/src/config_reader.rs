//! `_config.yml` read for the loader: parsed, with a warning for each
//! setting that asks for something Gazette does not do.

use crate::config::SiteConfig;
use crate::loader::Loader;
use crate::{Diagnostic, Value};

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
                for (key, what) in config.unsupported_settings() {
                    let line = file
                        .text
                        .lines()
                        .position(|line| line.starts_with(&format!("{key}:")))
                        .map_or(1, |index| index as u32 + 1);
                    self.diagnostics.push(
                        Diagnostic::tolerated(
                            self.name,
                            "_config.yml",
                            "unsupported-setting",
                            format!("`{key}` asks for {what}, which Gazette does not add: its pages load nothing from other hosts"),
                        )
                        .at(&file.text, line, 1)
                        .with_hint("remove the setting, or add the script in the site's own `templates/partials/theme_head.html`"),
                    );
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
