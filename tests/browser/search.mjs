// Search works in a real browser: for each built site, finds a word that
// appears in the body of one page only (and not in its title), types it
// into the navbar's search field, submits, and expects that page among the
// results on the search page, with the word marked in its excerpt.
//
//   node tests/browser/search.mjs [--analytics=HOST,...] SITE_DIR...
//
// `--analytics=HOST,...` names the hosts the next SITE_DIR's settings ask
// analytics from (as for check.mjs): requests to them are expected, and
// aborted like every request to another host, so nothing leaves the machine.
//
// Prints `ok   NAME: …` or `FAIL NAME: …` a site; exits non-zero on any failure.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { chromium } from "playwright-core";
import { htmlFiles, serve, urlOf } from "./site.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** The readable text of an HTML fragment, roughly: tags and references gone. */
function textOf(html) {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&[#\w]+;/g, " ");
}

function wordsOf(text) {
  return text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter(Boolean);
}

/**
 * A page and a word of its body found in no other HTML file of the site
 * (anywhere in it, markup included) nor in its own title: a body word only
 * full-text search can find.
 */
function chooseWord(dir) {
  const pages = htmlFiles(dir).map((file) => {
    const html = readFileSync(file, "utf8");
    return { url: urlOf(dir, file), html, lower: html.toLowerCase() };
  });
  for (const page of pages) {
    // Pages search leaves out: those standing for another address, the
    // error page and the search page itself.
    if (/<meta http-equiv="refresh"/.test(page.html) || page.url === "/404.html") continue;
    if (/data-search-results/.test(page.html)) continue;
    const body = page.html.match(/<div class="page-content[^"]*"[^>]*>([\s\S]*?)<\/div>/);
    if (!body) continue;
    const title = (page.html.match(/<title>([\s\S]*?)<\/title>/) || ["", ""])[1].toLowerCase();
    const candidates = [...new Set(wordsOf(textOf(body[1])))]
      .filter((word) => /^\p{L}{7,}$/u.test(word) && !title.includes(word))
      .sort();
    for (const word of candidates) {
      const elsewhere = pages.some((other) => other !== page && other.lower.includes(word));
      if (!elsewhere) return { url: page.url, word };
    }
  }
  return null;
}

async function checkSite(browser, { dir, analytics }) {
  const name = basename(dir);
  const chosen = chooseWord(dir);
  if (!chosen) return `FAIL ${name}: no page has a word of its body that no other page has`;
  const { server, port } = await serve(dir);
  const origin = `http://127.0.0.1:${port}`;
  const page = await browser.newPage();
  const foreign = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    if (!url.startsWith("data:") && !analytics.includes(new URL(url).hostname)) foreign.push(url);
    return route.abort("blockedbyclient");
  });
  try {
    await page.goto(`${origin}/`, { waitUntil: "load" });
    const field = page.locator("#navbar-search-input");
    // Narrow layouts hide the navbar behind its menu button.
    if (!(await field.isVisible())) {
      const toggle = page.locator("[data-toggle]").first();
      if (await toggle.isVisible()) await toggle.click();
    }
    await field.fill(chosen.word);
    await field.press("Enter");
    await page.waitForURL(/\/search\/?\?query=/);
    // A page written as `x.html` may be linked as `x`, as its permalink says.
    const same = (href) => href.replace(/(index)?\.html$/, "") === chosen.url.replace(/(index)?\.html$/, "");
    await page.locator(".search-result-list a").first().waitFor({ timeout: 15000 });
    const links = page.locator(".search-result-list a");
    const hrefs = await links.evaluateAll((all) => all.map((a) => a.getAttribute("href") || ""));
    const position = hrefs.findIndex(same);
    if (position < 0) {
      return `FAIL ${name}: “${chosen.word}” lists ${hrefs.join(", ")}, not ${chosen.url}`;
    }
    const item = links.nth(position).locator("xpath=ancestor::li[1]");
    const marked = (await item.locator("mark").allTextContents()).map((text) => text.toLowerCase());
    if (!marked.includes(chosen.word)) {
      return `FAIL ${name}: the result for “${chosen.word}” does not mark it (marked: ${marked.join(", ")})`;
    }
    if (foreign.length) return `FAIL ${name}: requests to other hosts: ${foreign.join(", ")}`;
    return `ok   ${name}: “${chosen.word}” finds ${chosen.url}`;
  } catch (error) {
    return `FAIL ${name}: searching for “${chosen.word}” did not list ${chosen.url}: ${error.message.split("\n")[0]}`;
  } finally {
    await page.close();
    server.close();
  }
}

async function main() {
  const sites = [];
  let analytics = [];
  for (const arg of process.argv.slice(2)) {
    if (arg.startsWith("--analytics=")) {
      analytics = arg.slice("--analytics=".length).split(",").filter(Boolean);
    } else {
      sites.push({ dir: arg, analytics });
      analytics = [];
    }
  }
  if (!sites.length) throw new Error("usage: node search.mjs [--analytics=HOST,...] SITE_DIR...");
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  let failed = false;
  try {
    for (const site of sites) {
      const line = await checkSite(browser, site);
      failed ||= line.startsWith("FAIL");
      console.log(line);
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
