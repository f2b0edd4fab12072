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

  // Embedded videos and maps: Gazette writes each as a placeholder with a
  // link to it; the button shown here puts the frame in its place, so the
  // page asks the video's host for nothing until the reader does.
  function setUpEmbeds() {
    document.querySelectorAll("[data-embed-src]").forEach(function (placeholder) {
      var button = placeholder.querySelector(".embed-load");
      var src = placeholder.getAttribute("data-embed-src");
      // Only a web address becomes a frame: never a script URL, whoever
      // wrote the attribute.
      if (!button || !/^https:\/\//i.test(src)) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var frame = document.createElement("iframe");
        frame.src = src;
        frame.title = placeholder.getAttribute("data-embed-title") || "";
        ["width", "height", "allow"].forEach(function (name) {
          var value = placeholder.getAttribute("data-embed-" + name);
          if (value !== null) frame.setAttribute(name, value);
        });
        if (placeholder.hasAttribute("data-embed-allowfullscreen")) frame.allowFullscreen = true;
        frame.className = placeholder.className.replace(/(^|\s)embed(\s|$)/, " ").trim();
        if (placeholder.id) frame.id = placeholder.id;
        var style = placeholder.getAttribute("style");
        if (style) frame.setAttribute("style", style);
        frame.classList.add("embed-frame");
        placeholder.parentNode.replaceChild(frame, placeholder);
        frame.focus();
      });
    });
  }

  // Share rail: printing and copying the link need this script, so their
  // buttons show only when it runs; the share links are plain links.
  function setUpShareRail() {
    var print = document.querySelector("[data-share-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
    var copy = document.querySelector("[data-share-copy]");
    if (!copy) return;
    var status = document.querySelector("[data-share-status]");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var address = copy.getAttribute("data-share-copy") || location.href;
      function done(copied) {
        if (status) status.textContent = copied ? "Link copied" : "Copy this link: " + address;
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(address).then(function () { done(true); }, function () { done(false); });
      } else {
        done(false);
      }
    });
  }

  // Search: the index Gazette writes under /search-index/ is split into
  // chunks by the first letters of words; a query fetches the list of
  // chunks, the few chunks its words need, and the files of the results it
  // shows (title, address, text for the excerpt). Everything read from the
  // index reaches the page as text, never as HTML.
  var SEARCH_ROOT = "/search-index/";
  var RESULTS_AT_ONCE = 10;

  // Words as the index stores them: runs of letters and digits, lower case.
  function searchWords(text) {
    return String(text).toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter(Boolean);
  }

  function hexOf(key) {
    return Array.prototype.map.call(new TextEncoder().encode(key), function (byte) {
      return (byte < 16 ? "0" : "") + byte.toString(16);
    }).join("");
  }

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error("no index");
      return response.json();
    });
  }

  var searchList = null;
  var searchChunks = {};
  function chunk(key, version) {
    if (!searchChunks[key]) {
      searchChunks[key] = fetchJson(SEARCH_ROOT + "t/" + hexOf(key) + ".json?v=" + encodeURIComponent(version));
    }
    return searchChunks[key];
  }

  // The pages matching every word (a word of two letters or more matches
  // the words it starts), best first: words in the title weigh most.
  function findPages(words) {
    if (!searchList) searchList = fetchJson(SEARCH_ROOT + "index.json");
    return searchList.then(function (list) {
      var chunks = list.chunks || {};
      return Promise.all(words.map(function (word) {
        var keys = Object.keys(chunks).filter(function (key) {
          return word.length < 2 ? key === word : word.indexOf(key) === 0 || key.indexOf(word) === 0;
        });
        return Promise.all(keys.map(function (key) { return chunk(key, chunks[key]); }))
          .then(function (loaded) {
            var scores = {};
            loaded.forEach(function (terms) {
              Object.keys(terms).forEach(function (term) {
                var matches = word.length < 2 ? term === word : term.indexOf(word) === 0;
                if (!matches) return;
                var postings = terms[term];
                for (var i = 0; i + 1 < postings.length; i += 2) {
                  var score = postings[i + 1] + (term === word ? 1 : 0);
                  scores[postings[i]] = Math.max(scores[postings[i]] || 0, score);
                }
              });
            });
            return scores;
          });
      }));
    }).then(function (perWord) {
      var first = perWord[0] || {};
      return Object.keys(first)
        .filter(function (id) { return perWord.every(function (scores) { return id in scores; }); })
        .map(function (id) {
          return { id: id, score: perWord.reduce(function (sum, scores) { return sum + scores[id]; }, 0) };
        })
        .sort(function (a, b) { return b.score - a.score || (a.id < b.id ? -1 : 1); });
    });
  }

  // About thirty words of the page's text around the first word found,
  // with each word that matches a query word in <mark>.
  function excerpt(text, words) {
    var parts = String(text).split(/([^\p{Alphabetic}\p{N}]+)/u);
    function matches(part) {
      var lower = part.toLowerCase();
      return lower && words.some(function (word) {
        return word.length < 2 ? lower === word : lower.indexOf(word) === 0;
      });
    }
    var first = 0;
    for (var i = 0; i < parts.length; i += 2) {
      if (matches(parts[i])) { first = i; break; }
    }
    var start = Math.max(0, first - 20);
    var end = Math.min(parts.length, first + 40);
    var p = document.createElement("p");
    if (start > 0) p.appendChild(document.createTextNode("… "));
    for (var j = start; j < end; j++) {
      if (j % 2 === 0 && matches(parts[j])) {
        var mark = document.createElement("mark");
        mark.textContent = parts[j];
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(parts[j]));
      }
    }
    if (end < parts.length) p.appendChild(document.createTextNode(" …"));
    return p;
  }

  function setUpSearch() {
    var results = document.querySelector("[data-search-results]");
    if (!results) return;
    var input = document.getElementById("search-input");
    var form = document.querySelector("[data-search-form]");
    var shown = 0;

    function say(text) {
      results.textContent = "";
      var p = document.createElement("p");
      p.textContent = text;
      results.appendChild(p);
    }

    function showMore(found, words, list, more) {
      var batch = found.slice(shown, shown + RESULTS_AT_ONCE);
      shown += batch.length;
      more.hidden = shown >= found.length;
      return Promise.all(batch.map(function (hit) {
        return fetchJson(SEARCH_ROOT + "p/" + encodeURIComponent(hit.id) + ".json").catch(function () { return null; });
      })).then(function (pages) {
        pages.forEach(function (page) {
          if (!page) return;
          var item = document.createElement("li");
          var heading = document.createElement("h2");
          var link = document.createElement("a");
          // Only a path on this site becomes a link: an index is data, and
          // data never chooses a script URL.
          var url = String(page.url || "");
          if (/^\/(?!\/)/.test(url)) link.href = url;
          link.textContent = page.title || url;
          heading.appendChild(link);
          item.appendChild(heading);
          var address = document.createElement("p");
          address.className = "search-result-url";
          address.textContent = url;
          item.appendChild(address);
          item.appendChild(excerpt(page.text || "", words));
          list.appendChild(item);
        });
      });
    }

    var latest = 0;
    function run(query) {
      var asked = ++latest;
      query = query.trim();
      var words = searchWords(query);
      if (!words.length) { results.textContent = ""; return; }
      say("Searching…");
      findPages(words).then(function (found) {
        if (asked !== latest) return;
        results.textContent = "";
        shown = 0;
        var summary = document.createElement("p");
        summary.textContent = found.length + (found.length === 1 ? " result" : " results") + " for “" + query + "”";
        results.appendChild(summary);
        if (!found.length) return;
        var list = document.createElement("ol");
        list.className = "search-result-list";
        results.appendChild(list);
        var more = document.createElement("button");
        more.type = "button";
        more.className = "button button-secondary";
        more.textContent = "Show more results";
        more.addEventListener("click", function () { showMore(found, words, list, more); });
        results.appendChild(more);
        return showMore(found, words, list, more);
      }).catch(function () {
        if (asked !== latest) return;
        say("Search is not available on this site yet. Please use the menu to find what you need.");
      });
    }

    var query = new URLSearchParams(location.search).get("query") || "";
    if (input) {
      input.value = query;
      var timer = null;
      // Results follow the words as they are typed; the address keeps the
      // query, so the back button and a shared link show the same results.
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var url = new URL(location.href);
          url.searchParams.set("query", input.value);
          history.replaceState(null, "", url);
          run(input.value);
        }, 150);
      });
    }
    if (form && input) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        clearTimeout(timer);
        run(input.value);
      });
    }
    run(query);
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
    setUpEmbeds();
    setUpShareRail();
    setUpListings();
    setUpSearch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
