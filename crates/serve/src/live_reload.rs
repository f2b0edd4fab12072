//! What the preview changes in pages: a small script that listens for
//! changes is added, and the analytics scripts the theme marks
//! (`data-analytics`) are taken out, so previewing drafts does not count as
//! visits in the agency's analytics.

use std::cell::Cell;
use std::rc::Rc;

use lol_html::html_content::{ContentType, Element};
use lol_html::{RewriteStrSettings, element, rewrite_str};

/// Where the script is served.
pub const SCRIPT_PATH: &str = "/__gazette/live.js";
/// Where pages listen for server-sent events.
pub const EVENTS_PATH: &str = "/__gazette/events";

/// Reloads on `reload` (keeping the scroll position), swaps stylesheets on
/// `css`, and shows or clears an overlay with the error on `error`.
pub const SCRIPT: &str = r#"(function () {
  var key = "gazette-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, parseInt(saved, 10)); });
  }
  function overlay(diagnostics) {
    var box = document.getElementById("gazette-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "gazette-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Gazette could not build this site. Fix the file and save; this page updates by itself.\n\n" +
      diagnostics.map(function (d) { return d.text; }).join("\n");
  }
  var events = new EventSource("/__gazette/events");
  events.onmessage = function (message) {
    var change = JSON.parse(message.data);
    if (change.type === "reload") {
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    } else if (change.type === "css") {
      var stamp = Date.now();
      document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
        var url = new URL(link.href, location.href);
        if (change.paths.indexOf(url.pathname.replace(/^\//, "")) !== -1) {
          url.searchParams.set("gazette", stamp);
          link.href = url.toString();
        }
      });
    } else if (change.type === "error") {
      overlay(change.diagnostics);
    }
  };
})();
"#;

/// Adds the script to an HTML page, before the end tag of its `<body>` as
/// an HTML parser finds it (`lol_html`: a `</body>` inside a comment, a
/// script or an attribute is not the end), or at the end of a page without
/// one; removes every `<script data-analytics>`.
pub fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let text = String::from_utf8_lossy(html);
    let injected = Rc::new(Cell::new(false));
    let on_body = |body: &mut Element| {
        if injected.get() {
            return Ok(());
        }
        let (tag, injected) = (tag.clone(), Rc::clone(&injected));
        body.on_end_tag(Box::new(move |end| {
            if !injected.replace(true) {
                end.before(&tag, ContentType::Html);
            }
            Ok(())
        }))
    };
    let settings = RewriteStrSettings::new()
        .with_strict(false)
        .with_enable_esi_tags(false)
        .append_element_content_handler(element!("body", on_body))
        .append_element_content_handler(element!("script[data-analytics]", |script| {
            script.remove();
            Ok(())
        }));
    let mut out = rewrite_str(&text, settings).unwrap_or_else(|_| text.into_owned());
    if !injected.get() {
        out.push_str(&tag);
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn injected(html: &str) -> String {
        String::from_utf8(inject(html.as_bytes())).expect("UTF-8")
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body_and_nowhere_else() {
        let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
        let page = "<html><body><p>Hi</p><!-- </body> --><script>let s = \"</body>\";</script><textarea></body></textarea></body></html>";
        let out = injected(page);
        assert_eq!(out.matches(&tag).count(), 1, "{out}");
        assert!(
            out.ends_with(&format!("</textarea>{tag}</body></html>")),
            "{out}"
        );
        assert!(out.contains("<!-- </body> -->"), "{out}");
    }

    #[test]
    fn analytics_scripts_are_left_out_of_the_preview() {
        let page = "<html><head><script async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABCD\" data-analytics></script><script src=\"/assets/isomer/site.js\"></script></head><body></body></html>";
        let out = injected(page);
        assert!(!out.contains("googletagmanager"), "{out}");
        assert!(out.contains("/assets/isomer/site.js"), "{out}");
    }

    #[test]
    fn a_page_without_a_body_end_gets_the_script_at_its_end() {
        let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
        assert_eq!(injected("<p>fragment"), format!("<p>fragment{tag}"));
        assert_eq!(injected("<body><p>open"), format!("<body><p>open{tag}"));
    }
}
