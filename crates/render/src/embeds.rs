//! Embedded frames that load only when the reader asks.
//!
//! An `<iframe>` the sanitiser kept (a host on its embed allowlist: YouTube,
//! Vimeo, Google Maps, FormSG, …) would make every reader's browser call
//! that host as the page loads, and let it set cookies, whether or not they
//! watch. So each becomes a placeholder: the frame's title, a plain link to
//! the video or map (what a reader without JavaScript gets), and a button
//! ("Load video from YouTube") that the theme's script shows and that puts
//! the frame in the placeholder's place. YouTube frames load from
//! `www.youtube-nocookie.com`, its privacy-enhanced host, and Vimeo's with
//! `dnt=1` (Vimeo's "do not track").

use gazette_content::decode_character_references;
use lol_html::html_content::{ContentType, Element};
use lol_html::{RewriteStrSettings, element, rewrite_str};
use url::Url;

use crate::markdown::escape_attribute;

/// Who serves an embedded frame, as the placeholder names it.
struct Provider {
    /// The service's name ("YouTube").
    name: &'static str,
    /// What the frame shows ("video").
    noun: &'static str,
}

/// The provider of a frame at `url`, by its host (and path, for Google's
/// host, which serves maps and calendars alike).
fn provider(url: &Url) -> Provider {
    let host = url.host_str().unwrap_or_default();
    let (name, noun) = match host {
        "youtube.com" | "www.youtube.com" | "youtube-nocookie.com" | "www.youtube-nocookie.com" => {
            ("YouTube", "video")
        }
        "player.vimeo.com" => ("Vimeo", "video"),
        "maps.google.com" => ("Google Maps", "map"),
        "www.google.com" if url.path().starts_with("/maps") => ("Google Maps", "map"),
        "docs.google.com" if url.path().starts_with("/forms") => ("Google Forms", "form"),
        "docs.google.com" => ("Google Docs", "document"),
        "form.gov.sg" | "www.form.gov.sg" => ("FormSG", "form"),
        "www.onemap.gov.sg" | "www.onemap.sg" => ("OneMap", "map"),
        "app.powerbi.com" => ("Power BI", "report"),
        "datawrapper.dwcdn.net" => ("Datawrapper", "chart"),
        "public.tableau.com" => ("Tableau", "chart"),
        "www.facebook.com" => ("Facebook", "post"),
        "open.spotify.com" => ("Spotify", "player"),
        _ => ("another site", "content"),
    };
    Provider { name, noun }
}

/// Where the frame loads from once asked: YouTube's privacy-enhanced host,
/// Vimeo without tracking, anything else as written.
fn frame_url(url: &Url) -> Url {
    let mut frame = url.clone();
    match url.host_str() {
        Some("youtube.com" | "www.youtube.com" | "youtube-nocookie.com") => {
            // Always a valid host: set_host only fails on an invalid one.
            let _ = frame.set_host(Some("www.youtube-nocookie.com"));
        }
        Some("player.vimeo.com") if !url.query_pairs().any(|(key, _)| key == "dnt") => {
            frame.query_pairs_mut().append_pair("dnt", "1");
        }
        _ => {}
    }
    frame
}

/// The page a reader without the frame can open instead: the video's own
/// page where its address says which, the frame's address otherwise (an
/// embed address opens as a page of its own too).
fn page_url(url: &Url) -> String {
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let is_id = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match (url.host_str(), segments.as_slice()) {
        (
            Some(
                "youtube.com"
                | "www.youtube.com"
                | "youtube-nocookie.com"
                | "www.youtube-nocookie.com",
            ),
            ["embed", id],
        ) if is_id(id) && *id != "videoseries" => format!("https://www.youtube.com/watch?v={id}"),
        (Some("player.vimeo.com"), ["video", id]) if is_id(id) => format!("https://vimeo.com/{id}"),
        (Some("maps.google.com"), _) => {
            let mut page = url.clone();
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(key, _)| key != "output")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            page.query_pairs_mut().clear().extend_pairs(kept);
            page.to_string()
        }
        _ => url.to_string(),
    }
}

/// `html` with every `<iframe>` whose `src` is an `https` address replaced
/// by a click-to-load placeholder. Runs on sanitised HTML only: the
/// sanitiser has already refused frames from hosts off its allowlist.
pub(crate) fn click_to_load(html: String) -> String {
    if memchr::memmem::find(html.as_bytes(), b"<iframe").is_none() {
        return html;
    }
    let on_iframe = |frame: &mut Element| {
        let attribute = |name: &str| {
            frame
                .get_attribute(name)
                .map(|value| decode_character_references(&value).into_owned())
        };
        let Some(url) = attribute("src")
            .and_then(|src| Url::parse(src.trim()).ok())
            .filter(|url| url.scheme() == "https")
        else {
            return Ok(());
        };
        let placeholder = Placeholder {
            url,
            title: attribute("title").filter(|t| !t.trim().is_empty()),
            width: attribute("width"),
            height: attribute("height"),
            style: attribute("style"),
            class: attribute("class"),
            id: attribute("id"),
            allow: attribute("allow"),
            allow_fullscreen: frame.has_attribute("allowfullscreen"),
        };
        frame.replace(&placeholder.html(), ContentType::Html);
        Ok(())
    };
    let settings = RewriteStrSettings::new()
        .with_strict(false)
        .with_enable_esi_tags(false)
        .append_element_content_handler(element!("iframe[src]", on_iframe));
    // The sanitiser's own output always parses; should it not, no frame is
    // better than one loading on its own: keep the text, drop the frames.
    rewrite_str(&html, settings)
        .unwrap_or_else(|_| ammonia::Builder::default().clean(&html).to_string())
}

/// One frame's placeholder, from the frame's attributes.
struct Placeholder {
    url: Url,
    title: Option<String>,
    width: Option<String>,
    height: Option<String>,
    style: Option<String>,
    class: Option<String>,
    id: Option<String>,
    allow: Option<String>,
    allow_fullscreen: bool,
}

impl Placeholder {
    fn html(&self) -> String {
        let provider = provider(&self.url);
        let title = self
            .title
            .clone()
            .unwrap_or_else(|| format!("{} from {}", capitalised(provider.noun), provider.name));
        let pixels = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_owned)
        };
        // The placeholder takes the frame's place and size, so the page
        // does not move when the frame comes in: its own style last, as it
        // would have applied to the frame.
        let mut style = String::new();
        if let Some(width) = pixels(&self.width) {
            style.push_str(&format!("max-width:{width}px;"));
            if let Some(height) = pixels(&self.height) {
                style.push_str(&format!("aspect-ratio:{width}/{height};"));
            }
        }
        if let Some(own) = &self.style {
            style.push_str(own);
        }
        let mut out = String::from("<div class=\"embed");
        if let Some(class) = &self.class {
            out.push(' ');
            out.push_str(&escape_attribute(class));
        }
        out.push('"');
        let mut attribute = |name: &str, value: &str| {
            out.push_str(&format!(" {name}=\"{}\"", escape_attribute(value)));
        };
        if let Some(id) = &self.id {
            attribute("id", id);
        }
        if !style.is_empty() {
            attribute("style", &style);
        }
        attribute("data-embed-src", frame_url(&self.url).as_str());
        attribute("data-embed-title", &title);
        for (name, value) in [
            ("data-embed-width", &self.width),
            ("data-embed-height", &self.height),
            ("data-embed-allow", &self.allow),
        ] {
            if let Some(value) = value {
                attribute(name, value);
            }
        }
        if self.allow_fullscreen {
            attribute("data-embed-allowfullscreen", "");
        }
        out.push_str(&format!(
            "><p class=\"embed-title\">{title}</p><p class=\"embed-actions\"><button type=\"button\" class=\"button embed-load\" hidden>Load {noun} from {name}</button> <a class=\"embed-link\" href=\"{href}\">Open on {name}<span class=\"visually-hidden\">: {title}</span></a></p></div>",
            title = escape_attribute(&title),
            noun = provider.noun,
            name = provider.name,
            href = escape_attribute(&page_url(&self.url)),
        ));
        out
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholder_of(iframe: &str) -> String {
        click_to_load(iframe.to_owned())
    }

    #[test]
    fn a_youtube_frame_becomes_a_placeholder_that_loads_from_youtube_nocookie() {
        let html = placeholder_of(
            r#"<p>Watch:</p><iframe height="315" width="560" allowfullscreen="true" frameborder="0" src="https://www.youtube.com/embed/pL4kW8sD2fQ?start=30&amp;rel=0" title="How a product is born"></iframe>"#,
        );
        assert!(!html.contains("<iframe"), "{html}");
        assert!(
            html.starts_with("<p>Watch:</p><div class=\"embed\""),
            "{html}"
        );
        assert!(
            html.contains(r#"data-embed-src="https://www.youtube-nocookie.com/embed/pL4kW8sD2fQ?start=30&amp;rel=0""#),
            "{html}"
        );
        assert!(
            html.contains(r#"data-embed-title="How a product is born""#),
            "{html}"
        );
        assert!(
            html.contains("style=\"max-width:560px;aspect-ratio:560/315;\""),
            "{html}"
        );
        assert!(html.contains("data-embed-allowfullscreen"), "{html}");
        assert!(html.contains(">Load video from YouTube</button>"), "{html}");
        assert!(
            html.contains(r#"href="https://www.youtube.com/watch?v=pL4kW8sD2fQ""#),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"embed-title\">How a product is born</p>"),
            "{html}"
        );
    }

    #[test]
    fn vimeo_loads_without_tracking_and_maps_link_to_the_map() {
        let vimeo =
            placeholder_of(r#"<iframe src="https://player.vimeo.com/video/76979871"></iframe>"#);
        assert!(
            vimeo.contains(r#"data-embed-src="https://player.vimeo.com/video/76979871?dnt=1""#),
            "{vimeo}"
        );
        assert!(
            vimeo.contains(r#"href="https://vimeo.com/76979871""#),
            "{vimeo}"
        );
        assert!(vimeo.contains("Video from Vimeo</p>"), "{vimeo}");

        let map = placeholder_of(
            r#"<iframe src="https://maps.google.com/maps?q=Singapore&amp;output=embed" title="Our office"></iframe>"#,
        );
        assert!(map.contains(">Load map from Google Maps</button>"), "{map}");
        assert!(
            map.contains(r#"href="https://maps.google.com/maps?q=Singapore""#),
            "{map}"
        );
        let embed_api =
            placeholder_of(r#"<iframe src="https://www.google.com/maps/embed?pb=!1m18"></iframe>"#);
        assert!(
            embed_api.contains("Map from Google Maps</p>"),
            "{embed_api}"
        );
    }

    #[test]
    fn a_title_with_markup_stays_text() {
        let html = placeholder_of(
            r#"<iframe src="https://www.youtube.com/embed/x" title="&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;"></iframe>"#,
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;"),
            "{html}"
        );
    }

    #[test]
    fn html_without_frames_is_untouched() {
        let html = "<p>No <em>frames</em> here &amp; there</p>";
        assert_eq!(click_to_load(html.to_owned()), html);
    }
}
