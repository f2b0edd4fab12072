// Checks built sites in a real browser: axe-core (WCAG 2.1 A and AA) in
// headless Chromium at a desktop and a phone width, html-validate on the HTML,
// and no request to any host but 127.0.0.1, except the analytics a site's
// settings ask for.
//
//   node tests/browser/check.mjs [--all] [--analytics=HOST,...] SITE_DIR... [--corpus CORPUS_DIR...]
//
// `--analytics=HOST,...` names the hosts the next SITE_DIR's settings ask
// analytics from (the caller reads them from its `_config.yml`): requests to
// them are recorded, not failures, and each must be asked at least once.
// Each SITE_DIR is a built site (the output of `gazette build`). It builds
// nothing itself. Sites listed after `--corpus` are real sites whose page
// bodies are not ours: problems inside the element that wraps the body
// (`.page-content`) are reported as content issues and do not fail the check,
// and their HTML is validated for information only. Every page of a sample
// site is opened; of a corpus site, a few pages of every page type (the
// theme's `layout-*`/`kind-*` body classes), or all of them with `--all`.
// Exits non-zero on any failure.

import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { HtmlValidate, StaticConfigLoader } from "html-validate";
import { htmlFiles, launchChromium, serve, urlOf } from "./site.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const HERE = new URL(".", import.meta.url).pathname;
const REPO_ROOT = resolve(HERE, "../..");
const HTML_VALIDATE_CONFIG = JSON.parse(readFileSync(join(REPO_ROOT, ".htmlvalidate.json"), "utf8"));

const WIDTHS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 375, height: 800 },
];
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const FAILING_IMPACTS = new Set(["serious", "critical"]);
const PAGES_PER_TYPE = 3;
// Page bodies, and the fields of a page where authors write their own HTML
// (contact details), marked `data-authored` by the theme.
const CONTENT_SELECTOR = ".page-content, [data-authored]";

function parseArgs(argv) {
  const sites = [];
  let corpus = false;
  let all = false;
  let analytics = [];
  for (const arg of argv) {
    if (arg === "--corpus") corpus = true;
    else if (arg === "--all") all = true;
    else if (arg.startsWith("--analytics=")) analytics = arg.slice("--analytics=".length).split(",").filter(Boolean);
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else {
      sites.push({ dir: resolve(arg), corpus, analytics });
      analytics = [];
    }
  }
  if (!sites.length) {
    throw new Error("usage: node check.mjs [--all] SITE_DIR... [--corpus CORPUS_DIR...]");
  }
  for (const site of sites) {
    if (!existsSync(join(site.dir, "index.html"))) {
      throw new Error(`${site.dir} is not a built site (no index.html)`);
    }
  }
  return { sites, all };
}

/** Up to PAGES_PER_TYPE pages of each page type, the type read from <body class>. */
function choosePages(dir, files, all) {
  const byType = new Map();
  for (const file of files) {
    const html = readFileSync(file, "utf8");
    const match = html.match(/<body[^>]*class="([^"]*)"/);
    const classes = match ? match[1].split(/\s+/).filter((c) => /^(layout|kind)-/.test(c)) : [];
    // An HTML file the theme did not render (a search engine's verification
    // file, an author's own page without front matter) is copied as it is,
    // as Jekyll copies it: it is the site's, not the theme's, to check.
    if (!classes.length) continue;
    // A page that stands for another (a link post, an external permalink)
    // refreshes to it at once: a reader never stays on it, and the
    // navigation away would end the check of the page it left.
    if (/<meta http-equiv="refresh"/.test(html)) continue;
    const type = classes.sort().join(" ");
    if (!byType.has(type)) byType.set(type, []);
    byType.get(type).push(urlOf(dir, file));
  }
  const pages = [];
  for (const [type, urls] of [...byType].sort()) {
    for (const url of all ? urls : urls.slice(0, PAGES_PER_TYPE)) pages.push({ url, type });
  }
  return { pages, types: [...byType.keys()].sort() };
}


/** Runs axe in the page and sorts each failing node into theme or content. */
async function runAxe(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    async ({ tags, contentSelector }) => {
      const results = await window.axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
        iframes: false,
        elementRef: true,
      });
      const found = [];
      for (const violation of results.violations) {
        for (const node of violation.nodes) {
          const inContent = Boolean(node.element && node.element.closest(contentSelector));
          found.push({
            id: violation.id,
            impact: node.impact ?? violation.impact,
            help: violation.help,
            target: node.target.join(" "),
            html: node.html.slice(0, 160),
            inContent,
          });
        }
      }
      return found;
    },
    { tags: AXE_TAGS, contentSelector: CONTENT_SELECTOR },
  );
}

async function checkSite(browser, site, all, report) {
  const name = basename(site.dir);
  const files = htmlFiles(site.dir);
  // Sample sites are ours: every page. Corpus sites: a few of each type.
  const { pages, types } = choosePages(site.dir, files, all || !site.corpus);
  const { server, port } = await serve(site.dir);
  const origin = `http://127.0.0.1:${port}`;
  const summary = {
    name,
    corpus: site.corpus,
    htmlFiles: files.length,
    pagesChecked: pages.length,
    types,
    theme: [],
    content: [],
    external: [],
    contentExternal: [],
    analytics: [],
    htmlErrors: [],
    loadErrors: [],
  };

  for (const viewport of WIDTHS) {
    const context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      serviceWorkers: "block",
    });
    let external = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" && url.port === String(port)) return route.continue();
      external.push(url.href);
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    for (const { url, type } of pages) {
      external = [];
      try {
        await page.goto(origin + url, { waitUntil: "load", timeout: 30000 });
      } catch (error) {
        summary.loadErrors.push(`${url} (${viewport.name}): ${error.message.split("\n")[0]}`);
        continue;
      }
      const violations = await runAxe(page);
      for (const v of violations) {
        if (!FAILING_IMPACTS.has(v.impact)) continue;
        const entry = { ...v, url, type, viewport: viewport.name };
        (v.inContent ? summary.content : summary.theme).push(entry);
      }
      if (external.length) {
        // A request for an address written in the page body (an embedded
        // video, an image on another site) is the content's doing.
        const bodyMarkup = await page.evaluate(
          (selector) => [...document.querySelectorAll(selector)].map((e) => e.innerHTML).join("\n"),
          CONTENT_SELECTOR,
        );
        for (const href of external) {
          const entry = { url, viewport: viewport.name, request: href };
          if (site.analytics.includes(new URL(href).hostname)) {
            summary.analytics.push(entry);
            continue;
          }
          const unescaped = bodyMarkup.replaceAll("&amp;", "&");
          if (unescaped.includes(href) || unescaped.includes(href.replace(/^https?:/, ""))) {
            summary.contentExternal.push(entry);
          } else {
            summary.external.push(entry);
          }
        }
      }
    }
    await context.close();
  }
  server.close();
  const analyticsAsked = new Set(summary.analytics.map((e) => new URL(e.request).hostname));
  summary.analyticsMissing = site.analytics.filter((host) => !analyticsAsked.has(host));

  const validator = new HtmlValidate(new StaticConfigLoader(HTML_VALIDATE_CONFIG));
  for (const file of files) {
    const result = await validator.validateString(readFileSync(file, "utf8"), file);
    for (const message of result.results.flatMap((r) => r.messages)) {
      if (message.severity !== 2) continue;
      summary.htmlErrors.push({
        url: urlOf(site.dir, file),
        rule: message.ruleId,
        line: message.line,
        column: message.column,
        message: message.message,
      });
    }
  }
  report.push(summary);
}

function count(entries, key) {
  const counts = new Map();
  for (const entry of entries) counts.set(entry[key], (counts.get(entry[key]) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

function printSummary(report) {
  let failed = false;
  console.log("\nBrowser checks (axe-core WCAG 2.1 A/AA at 1280px and 375px, html-validate, offline)\n");
  for (const s of report) {
    const strictHtml = !s.corpus;
    const siteFailed =
      s.theme.length > 0 ||
      s.external.length > 0 ||
      s.loadErrors.length > 0 ||
      s.analyticsMissing.length > 0 ||
      (strictHtml && s.htmlErrors.length > 0) ||
      (!s.corpus && s.content.length > 0);
    failed ||= siteFailed;
    console.log(`${siteFailed ? "FAIL" : "ok  "} ${s.name}${s.corpus ? " (corpus)" : ""}: ` +
      `${s.pagesChecked} pages x ${WIDTHS.length} widths of ${s.types.length} page types, ${s.htmlFiles} HTML files`);
    console.log(`     axe serious/critical: ${s.theme.length} from the theme, ${s.content.length} inside page bodies`);
    console.log(`     requests to other hosts: ${s.external.length} from the theme, ${s.contentExternal.length} written in page bodies, ${s.analytics.length} to the analytics its settings ask for`);
    console.log(`     html-validate errors: ${s.htmlErrors.length}${strictHtml ? "" : " (informational)"}`);
    const detail = (label, entries, limit = 25) => {
      if (!entries.length) return;
      console.log(`     ${label}:`);
      for (const e of entries.slice(0, limit)) console.log(`       - ${e}`);
      if (entries.length > limit) console.log(`       … and ${entries.length - limit} more`);
    };
    detail("theme violations", s.theme.map((v) => `[${v.impact}] ${v.id} on ${v.url} (${v.viewport}) at ${v.target}: ${v.help} ${v.html}`));
    detail("content issues by rule", count(s.content, "id").map(([id, n]) => `${id}: ${n}`));
    if (!s.corpus) detail("content violations", s.content.map((v) => `[${v.impact}] ${v.id} on ${v.url} (${v.viewport}) at ${v.target}`));
    detail("blocked requests from the theme", s.external.map((e) => `${e.url} (${e.viewport}) → ${e.request}`));
    detail("blocked requests written in page bodies", s.contentExternal.map((e) => `${e.url} → ${e.request}`), 10);
    detail("page load errors", s.loadErrors);
    detail("analytics asked for but never requested", s.analyticsMissing);
    if (strictHtml) {
      detail("html-validate errors", s.htmlErrors.map((e) => `${e.url}:${e.line}:${e.column} ${e.rule}: ${e.message}`));
    } else {
      detail("html-validate errors by rule", count(s.htmlErrors, "rule").map(([rule, n]) => `${rule}: ${n}`));
    }
  }
  console.log(failed ? "\nBrowser checks FAILED" : "\nBrowser checks passed");
  return failed;
}

async function main() {
  const { sites, all } = parseArgs(process.argv.slice(2));
  const userDataDir = mkdtempSync(join(tmpdir(), "gazette-chromium-"));
  const context = await launchChromium(userDataDir);
  const report = [];
  try {
    const browser = { newContext: (options) => newIsolatedContext(context, options) };
    for (const site of sites) await checkSite(browser, site, all, report);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  process.exitCode = printSummary(report) ? 1 : 0;
}

/**
 * Pages share the one persistent context (so Chromium keeps the fresh
 * --user-data-dir); each width gets its own viewport and route table.
 */
async function newIsolatedContext(context, { viewport }) {
  const pages = [];
  return {
    route: (pattern, handler) => context.route(pattern, handler),
    newPage: async () => {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      pages.push(page);
      return page;
    },
    close: async () => {
      await context.unrouteAll({ behavior: "ignoreErrors" });
      for (const page of pages) await page.close();
    },
  };
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  // Exit now: a site's static server left listening would keep Node (and
  // the test waiting on it) alive for ever.
  process.exit(2);
});
