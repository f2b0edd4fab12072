//! The analytics a site's `_config.yml` asks for, as the Isomer theme read
//! them: a Google Analytics 4 measurement id (`google_analytics_ga4`, or a
//! `G-…` id in the older `google_analytics`) and, on government sites
//! (`is_government: true`), WOGAA, the Singapore government's analytics.
//!
//! Ids are checked before a theme sees them: the theme writes them into a
//! script's address and attributes, so only the shape Google gives them
//! (`G-` and capital letters and digits) gets through. Universal Analytics
//! ids (`UA-…`) are refused with a reason: Google stopped collecting their
//! data in July 2023, so loading its script would cost readers a request to
//! Google for nothing.

use crate::Value;
use crate::config::SiteConfig;

/// The settings that name a Google Analytics id, in the order the theme
/// configures them.
pub const GOOGLE_ANALYTICS_SETTINGS: [&str; 2] = ["google_analytics_ga4", "google_analytics"];

/// What the site's pages load for analytics.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Analytics {
    /// Google Analytics 4 measurement ids, each once.
    pub google: Vec<String>,
    /// Whether pages load WOGAA's script (government sites).
    pub wogaa: bool,
}

/// A Google Analytics setting that is not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedAnalyticsId {
    /// The setting (`google_analytics` or `google_analytics_ga4`).
    pub key: &'static str,
    /// Its value as written (numbers as text).
    pub value: String,
    /// Why it is not used.
    pub reason: RefusalReason,
}

/// Why a Google Analytics setting is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// A Universal Analytics id: Google no longer collects its data.
    UniversalAnalytics,
    /// Not the shape of any Google Analytics id.
    NotAnId,
}

impl SiteConfig {
    /// The analytics this site's pages load, and the Google Analytics
    /// settings that were refused. Empty settings ask for nothing.
    pub fn analytics(&self) -> (Analytics, Vec<RefusedAnalyticsId>) {
        let mut analytics = Analytics {
            google: Vec::new(),
            wogaa: self.is_government(),
        };
        let mut refused = Vec::new();
        for key in GOOGLE_ANALYTICS_SETTINGS {
            let value = match self.raw.get(key) {
                None | Some(Value::Null) | Some(Value::Bool(false)) => continue,
                Some(Value::String(text)) => text.trim().to_owned(),
                Some(Value::Number(number)) => number.to_string(),
                Some(other) => other.to_string(),
            };
            if value.is_empty() {
                continue;
            }
            if is_measurement_id(&value) {
                if !analytics.google.contains(&value) {
                    analytics.google.push(value);
                }
                continue;
            }
            let reason = if is_universal_analytics_id(&value) {
                RefusalReason::UniversalAnalytics
            } else {
                RefusalReason::NotAnId
            };
            refused.push(RefusedAnalyticsId { key, value, reason });
        }
        (analytics, refused)
    }
}

/// A Google Analytics 4 measurement id: `G-` then 4 to 16 capital letters
/// and digits.
pub fn is_measurement_id(id: &str) -> bool {
    id.strip_prefix("G-").is_some_and(|rest| {
        (4..=16).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

/// A Universal Analytics property id: `UA-`, the account's digits, `-`, the
/// property's number.
fn is_universal_analytics_id(id: &str) -> bool {
    let Some((account, property)) = id.strip_prefix("UA-").and_then(|rest| rest.split_once('-'))
    else {
        return false;
    };
    let digits = |part: &str, most: usize| {
        (1..=most).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    digits(account, 12) && digits(property, 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::config;

    #[test]
    fn measurement_ids_must_look_like_googles() {
        for good in ["G-F115CT2GZ1", "G-ABCD", "G-1234567890ABCDEF"] {
            assert!(is_measurement_id(good), "{good}");
        }
        for bad in [
            "G-abc123",
            "G-ABC",
            "G-12345678901234567",
            "UA-1234-1",
            "G-ABC123');alert(1);//",
            "G-ABC 123",
            "g-ABC123",
            "",
        ] {
            assert!(!is_measurement_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_ga4_id_in_either_setting_is_used_once_and_others_are_refused_with_a_reason() {
        let (analytics, refused) = config(
            "google_analytics: G-ABC123\ngoogle_analytics_ga4: G-ABC123\nis_government: true\n",
        )
        .analytics();
        assert_eq!(
            analytics,
            Analytics {
                google: vec!["G-ABC123".into()],
                wogaa: true
            }
        );
        assert!(refused.is_empty());

        let (analytics, refused) =
            config("google_analytics: UA-50449401-31\ngoogle_analytics_ga4: \"x');alert(1)\"\n")
                .analytics();
        assert_eq!(analytics, Analytics::default());
        let reasons: Vec<(&str, RefusalReason)> =
            refused.iter().map(|r| (r.key, r.reason)).collect();
        assert_eq!(
            reasons,
            [
                ("google_analytics_ga4", RefusalReason::NotAnId),
                ("google_analytics", RefusalReason::UniversalAnalytics),
            ]
        );
    }

    #[test]
    fn empty_settings_ask_for_nothing() {
        let (analytics, refused) =
            config("google_analytics: \"\"\ngoogle_analytics_ga4:\nis_government: false\n")
                .analytics();
        assert_eq!(analytics, Analytics::default());
        assert!(refused.is_empty());
    }
}
