// Google Analytics 4 for the measurement ids the site's settings name, read
// from this script's own `data-measurement-ids` (the theme writes only ids
// Gazette checked). Google's tag, loaded beside it, reads `dataLayer`.
(function () {
  "use strict";
  var script = document.currentScript;
  var ids = ((script && script.getAttribute("data-measurement-ids")) || "").split(" ").filter(function (id) {
    return /^G-[A-Z0-9]+$/.test(id);
  });
  if (!ids.length) return;
  window.dataLayer = window.dataLayer || [];
  function gtag() { window.dataLayer.push(arguments); }
  gtag("js", new Date());
  ids.forEach(function (id) { gtag("config", id); });
})();
