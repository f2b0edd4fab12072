//! The homepage of Isomer's first template, which older sites still have:
//! no `sections` in `index.md`, but a `_data/homepage.yml` with a hero, key
//! highlights, info sections and the resource room's heading. Read here as
//! the sections the current format writes, so the theme shows them the same
//! way.

use gazette_content::{Map, Value};
use serde_json::json;

/// The sections a v1 `_data/homepage.yml` describes, in the order that
/// template shows them: hero, info sections, then the latest posts.
pub(crate) fn sections(homepage: &Map) -> Vec<Value> {
    let mut sections = Vec::new();

    let mut hero = renamed(
        homepage,
        &[
            ("hero-title", "title"),
            ("hero-subtitle", "subtitle"),
            ("hero-banner", "background"),
        ],
    );
    let first_button = homepage
        .get("button")
        .and_then(Value::as_array)
        .and_then(|buttons| buttons.first())
        .and_then(Value::as_object);
    match first_button {
        Some(button) => {
            hero.insert("button".into(), json!(text(button, "text")));
            hero.insert("url".into(), json!(text(button, "url")));
        }
        // That template's hero always offered a way on to the page below.
        None => {
            hero.insert("button".into(), json!("Learn More"));
            hero.insert("url".into(), json!("#section-2"));
        }
    }
    let highlights: Vec<Value> = objects(homepage.get("key-highlights"))
        .map(|highlight| {
            json!({
                "title": text(highlight, "title"),
                "description": text(highlight, "description"),
                "url": text(highlight, "url"),
            })
        })
        .collect();
    if !highlights.is_empty() {
        hero.insert("key_highlights".into(), Value::Array(highlights));
    }
    sections.push(json!({ "hero": hero }));

    for info in objects(homepage.get("info-sections")) {
        let section = renamed(
            info,
            &[
                ("section-title", "title"),
                ("section-subtitle", "subtitle"),
                ("section-description", "description"),
                ("section-more-button", "button"),
                ("section-more-button-url", "url"),
                ("section-image-path", "image"),
            ],
        );
        sections.push(json!({ "infopic": section }));
    }

    if homepage.contains_key("resources-title") || homepage.contains_key("resources-more-button") {
        let resources = renamed(
            homepage,
            &[
                ("resources-title", "title"),
                ("resources-subtitle", "subtitle"),
                ("resources-more-button", "button"),
            ],
        );
        sections.push(json!({ "resources": resources }));
    }
    sections
}

/// A key's text, trimmed, when it has any.
fn text(map: &Map, key: &str) -> Option<String> {
    map.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// The texts of `map` under the current format's names (`(v1, current)`).
fn renamed(map: &Map, names: &[(&str, &str)]) -> Map {
    names
        .iter()
        .filter_map(|(from, to)| Some(((*to).to_owned(), json!(text(map, from)?))))
        .collect()
}

fn objects(value: Option<&Value>) -> impl Iterator<Item = &Map> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v1_homepage_becomes_hero_info_sections_and_resources() {
        let homepage = json!({
            "hero-title": "Council",
            "hero-subtitle": "Trusted",
            "hero-banner": "/images/h.jpg",
            "key-highlights": [
                { "title": "Search", "description": "Find one", "url": "/search/" },
                { "title": "Typo", "desciption": "ignored, as the template ignores it" },
            ],
            "info-sections": [{
                "section-subtitle": "What is it?",
                "section-description": "It is this.",
                "section-more-button": "More",
                "section-more-button-url": "/about/",
            }],
            "resources-title": "Media",
            "resources-more-button": "More news",
        });
        let Value::Object(homepage) = homepage else {
            unreachable!()
        };
        let sections = sections(&homepage);
        assert_eq!(sections.len(), 3);
        let hero = &sections[0]["hero"];
        assert_eq!(hero["title"], "Council");
        assert_eq!(hero["background"], "/images/h.jpg");
        assert_eq!(
            hero["button"], "Learn More",
            "the template's own button when none is set"
        );
        assert_eq!(hero["key_highlights"][0]["description"], "Find one");
        assert_eq!(hero["key_highlights"][1]["description"], Value::Null);
        assert_eq!(sections[1]["infopic"]["subtitle"], "What is it?");
        assert_eq!(sections[1]["infopic"]["url"], "/about/");
        assert_eq!(sections[2]["resources"]["button"], "More news");
    }
}
