//! What the preview adds to pages: a small script that listens for changes.

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

/// Adds the script to an HTML page, before `</body>` (or at the end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}
