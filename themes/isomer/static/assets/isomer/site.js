// Progressive enhancement for the Isomer theme. Every page works without this
// script: menus are plain lists, dropdowns and accordions are <details>, the
// carousel is a grid and search says what it needs.
(function () {
  "use strict";

  // Loaded in <head> without `defer`: tell the stylesheet at once that the
  // enhancements below will run.
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  // Toggle buttons (mobile menu, side navigation): shown only when this
  // script runs, each opens the element its aria-controls names.
  function setUpToggles() {
    document.querySelectorAll("[data-toggle]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("aria-controls"));
      if (!target) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        target.classList.toggle("is-open", open);
      });
    });
  }

  // Dropdowns: one open at a time; Escape or a click elsewhere closes them.
  function setUpDropdowns() {
    var dropdowns = Array.prototype.slice.call(document.querySelectorAll("details[data-dropdown]"));
    dropdowns.forEach(function (dropdown) {
      dropdown.addEventListener("toggle", function () {
        if (!dropdown.open) return;
        dropdowns.forEach(function (other) {
          if (other !== dropdown) other.open = false;
        });
      });
      dropdown.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && dropdown.open) {
          dropdown.open = false;
          dropdown.querySelector("summary").focus();
        }
      });
    });
    document.addEventListener("click", function (event) {
      dropdowns.forEach(function (dropdown) {
        if (dropdown.open && !dropdown.contains(event.target)) dropdown.open = false;
      });
    });
  }

  // Accordions: open the one a link points into, and print every answer.
  function setUpAccordions() {
    function openTarget() {
      if (!location.hash) return;
      var target;
      try {
        target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      } catch (error) {
        return;
      }
      for (var node = target; node; node = node.parentElement) {
        if (node.tagName === "DETAILS") node.open = true;
      }
    }
    openTarget();
    window.addEventListener("hashchange", openTarget);

    var closedForPrint = [];
    window.addEventListener("beforeprint", function () {
      closedForPrint = Array.prototype.filter.call(document.querySelectorAll(".page-content details"), function (d) {
        return !d.open;
      });
      closedForPrint.forEach(function (d) { d.open = true; });
    });
    window.addEventListener("afterprint", function () {
      closedForPrint.forEach(function (d) { d.open = false; });
      closedForPrint = [];
    });
  }

  // Wide tables scroll sideways inside a focusable region instead of
  // squeezing their columns.
  function wrapTables() {
    document.querySelectorAll(".page-content table").forEach(function (table, index) {
      if (table.parentElement.classList.contains("table-wrapper")) return;
      var wrapper = document.createElement("div");
      wrapper.className = "table-wrapper";
      wrapper.setAttribute("role", "region");
      wrapper.tabIndex = 0;
      var caption = table.querySelector("caption");
      wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table " + (index + 1));
      table.parentNode.insertBefore(wrapper, table);
      wrapper.appendChild(table);
    });
  }

  // Carousel: one slide at a time with previous and next buttons.
  function setUpCarousels() {
    document.querySelectorAll("[data-carousel]").forEach(function (carousel, index) {
      var slides = carousel.querySelectorAll(".carousel-slide");
      if (slides.length < 2) return;
      var current = 0;
      var controls = document.createElement("div");
      controls.className = "carousel-controls";
      var status = document.createElement("p");
      status.className = "carousel-status";
      status.setAttribute("aria-live", "polite");
      var list = carousel.querySelector(".carousel-slides");
      list.id = "carousel-slides-" + (index + 1);

      function button(label, glyph, step) {
        var b = document.createElement("button");
        b.type = "button";
        b.setAttribute("aria-label", label);
        b.setAttribute("aria-controls", list.id);
        b.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><path d="' + glyph + '" fill="none" stroke="currentColor" stroke-width="2"/></svg>';
        b.addEventListener("click", function () { show(current + step); });
        return b;
      }

      function show(position) {
        current = (position + slides.length) % slides.length;
        slides.forEach(function (slide, i) { slide.hidden = i !== current; });
        status.textContent = "Slide " + (current + 1) + " of " + slides.length;
      }

      controls.appendChild(button("Previous slide", "M10 3L5 8l5 5", -1));
      controls.appendChild(status);
      controls.appendChild(button("Next slide", "M6 3l5 5-5 5", 1));
      carousel.appendChild(controls);
      carousel.classList.add("is-enhanced");
      show(0);
    });
  }

  // Search: reads /search-index.json (a list of {title, url, description,
  // text}) when the site has one, and says so plainly when it has not.
  function setUpSearch() {
    var results = document.querySelector("[data-search-results]");
    if (!results) return;
    var input = document.getElementById("search-input");
    var query = new URLSearchParams(location.search).get("query") || "";
    if (input) input.value = query;
    query = query.trim();
    if (!query) return;

    function say(text) {
      results.textContent = "";
      var p = document.createElement("p");
      p.textContent = text;
      results.appendChild(p);
    }

    say("Searching…");
    fetch(results.getAttribute("data-index"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("no index");
        return response.json();
      })
      .then(function (entries) {
        var words = query.toLowerCase().split(/\s+/).filter(Boolean);
        var found = entries
          .map(function (entry) {
            var title = String(entry.title || "").toLowerCase();
            var body = (String(entry.description || "") + " " + String(entry.text || "")).toLowerCase();
            var score = 0;
            for (var i = 0; i < words.length; i++) {
              var inTitle = title.indexOf(words[i]) !== -1;
              var inBody = body.indexOf(words[i]) !== -1;
              if (!inTitle && !inBody) return null;
              score += (inTitle ? 5 : 0) + (inBody ? 1 : 0);
            }
            return { entry: entry, score: score };
          })
          .filter(Boolean)
          .sort(function (a, b) { return b.score - a.score; });
        results.textContent = "";
        var summary = document.createElement("p");
        summary.textContent = found.length + (found.length === 1 ? " result" : " results") + " for “" + query + "”";
        results.appendChild(summary);
        if (!found.length) return;
        var list = document.createElement("ol");
        found.slice(0, 50).forEach(function (hit) {
          var item = document.createElement("li");
          var heading = document.createElement("h2");
          var link = document.createElement("a");
          // Only a path on this site or a web address becomes a link: an
          // index is data, and data never chooses a script URL.
          var url = String(hit.entry.url || "");
          if (/^(\/(?!\/)|https?:)/i.test(url)) link.href = url;
          link.textContent = hit.entry.title || hit.entry.url;
          heading.appendChild(link);
          item.appendChild(heading);
          var text = hit.entry.description || String(hit.entry.text || "").slice(0, 200);
          if (text) {
            var p = document.createElement("p");
            p.textContent = text;
            item.appendChild(p);
          }
          list.appendChild(item);
        });
        results.appendChild(list);
      })
      .catch(function () {
        say("Search is not available on this site yet. Please use the menu to find what you need.");
      });
  }

  // Listings: every post is in the page; show a page of them at a time, with
  // page numbers, narrowed to one year by the year filter when it is used.
  function setUpListings() {
    document.querySelectorAll("[data-post-list]").forEach(function (list) {
      var size = parseInt(list.getAttribute("data-page-size"), 10) || 12;
      var cards = Array.prototype.slice.call(list.children);
      var filter = document.querySelector("[data-year-filter]");
      var year = "";
      var current = 0;
      var pages = document.createElement("nav");
      pages.className = "pagination";
      pages.setAttribute("aria-label", "Pagination");
      list.parentNode.insertBefore(pages, list.nextSibling);

      function draw() {
        var shown = cards.filter(function (card) {
          return !year || card.getAttribute("data-year") === year;
        });
        var count = Math.max(1, Math.ceil(shown.length / size));
        current = Math.min(current, count - 1);
        cards.forEach(function (card) { card.hidden = true; });
        shown.slice(current * size, (current + 1) * size).forEach(function (card) {
          card.hidden = false;
        });
        pages.textContent = "";
        if (count < 2) return;
        var numbers = document.createElement("ul");
        for (var i = 0; i < count; i++) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = String(i + 1);
          button.setAttribute("aria-label", "Page " + (i + 1));
          if (i === current) button.setAttribute("aria-current", "page");
          button.addEventListener("click", (function (page) {
            return function () {
              current = page;
              draw();
              list.scrollIntoView({ block: "start" });
            };
          })(i));
          item.appendChild(button);
          numbers.appendChild(item);
        }
        pages.appendChild(numbers);
      }

      if (filter) {
        var label = filter.querySelector("[data-year-label]");
        filter.querySelectorAll("button[data-year]").forEach(function (button) {
          button.addEventListener("click", function () {
            year = button.getAttribute("data-year");
            current = 0;
            filter.querySelectorAll("button[data-year]").forEach(function (other) {
              other.setAttribute("aria-pressed", other === button ? "true" : "false");
            });
            label.textContent = button.textContent;
            filter.open = false;
            draw();
          });
        });
      }
      draw();
    });
  }

  function start() {
    setUpToggles();
    setUpDropdowns();
    setUpAccordions();
    wrapTables();
    setUpCarousels();
    setUpListings();
    setUpSearch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
