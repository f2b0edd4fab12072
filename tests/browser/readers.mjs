// What a reader's browser does with a built site beyond loading it: redirect
// pages lead to their targets, an embedded video asks its host for nothing
// until its button is clicked, analytics load only where the site's
// settings ask, and the share rail's "copy link" puts the page's address on
// the clipboard, from the keyboard.
//
//   node tests/browser/readers.mjs --sample SITE_DIR --quiet SITE_DIR --analytics SITE_DIR
//
// --sample     a sample site with redirects (`_redirects`) and a YouTube embed
// --quiet      a site whose settings ask for no analytics (nor WOGAA)
// --analytics  a site whose settings name GA4 id G-TEST12345 and `is_government: true`
//
// Requests to any host but the site's own server are recorded and never
// reach the network: the embed's frame is answered with a blank page, every
// other foreign request aborted. Prints `ok   CHECK: …` or `FAIL CHECK: …`
// for each check; exits non-zero on any failure.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { htmlFiles, launchChromium, serve, urlOf } from "./site.mjs";

const results = [];
function report(ok, check, detail) {
  results.push(ok);
  console.log(`${ok ? "ok  " : "FAIL"} ${check}: ${detail}`);
}

function parseArgs(argv) {
  const dirs = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, "");
    if (!["sample", "quiet", "analytics"].includes(name) || !argv[i + 1]) {
      throw new Error("usage: node readers.mjs --sample DIR --quiet DIR --analytics DIR");
    }
    dirs[name] = resolve(argv[i + 1]);
  }
  for (const name of ["sample", "quiet", "analytics"]) {
    if (!dirs[name]) throw new Error(`--${name} DIR is missing`);
  }
  return dirs;
}

/**
 * Serves `dir` and opens a page in `context` whose foreign requests are
 * recorded in `foreign` (cleared by the caller) and answered by `answer`.
 */
async function open(context, dir) {
  const { server, port } = await serve(dir);
  const origin = `http://127.0.0.1:${port}`;
  const foreign = [];
  const page = await context.newPage();
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) return route.continue();
    foreign.push(url.href);
    // The embed's frame gets an empty page of its own: the click is seen to
    // load it, without the network.
    if (route.request().resourceType() === "document") {
      return route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>frame</title>" });
    }
    return route.abort("blockedbyclient");
  });
  return { page, origin, foreign, close: async () => { await page.close(); server.close(); } };
}

/** Redirect pages: every page that refreshes to another address. */
function redirectPages(dir) {
  const found = [];
  for (const file of htmlFiles(dir)) {
    const html = readFileSync(file, "utf8");
    const refresh = html.match(/<meta http-equiv="refresh" content="0; url=([^"]*)"/);
    if (!refresh) continue;
    found.push({ from: urlOf(dir, file), to: refresh[1].replaceAll("&amp;", "&") });
  }
  return found;
}

async function checkRedirects(context, dir) {
  const rules = readFileSync(join(dir, "_redirects"), "utf8")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 2 && parts[0].startsWith("/"));
  const pages = redirectPages(dir);
  const { page, origin, foreign, close } = await open(context, dir);
  const failures = [];
  for (const rule of rules) {
    if (!pages.some((p) => p.from === rule[0] || p.from === `${rule[0]}index.html`)) {
      failures.push(`${rule[0]}: the _redirects rule has no redirect page`);
    }
  }
  for (const { from, to } of pages) {
    foreign.length = 0;
    if (/^https?:/.test(to)) {
      // Another site: the browser must set off for it (the request is
      // recorded and stopped here).
      await page.goto(origin + from, { waitUntil: "load" }).catch(() => {});
      await page.waitForTimeout(200);
      if (!foreign.includes(new URL(to).href)) failures.push(`${from}: never went to ${to}`);
      continue;
    }
    const target = new URL(to, origin + from).href;
    let landed = null;
    const onResponse = (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) landed = response;
    };
    page.on("response", onResponse);
    try {
      await page.goto(origin + from, { waitUntil: "commit" });
      await page.waitForURL(target, { timeout: 10000 });
      await page.waitForLoadState("load");
      if (!landed || landed.url() !== target || landed.status() !== 200) {
        failures.push(`${from}: ended at ${landed?.url()} with ${landed?.status()}, not ${target}`);
      }
    } catch (error) {
      failures.push(`${from}: did not reach ${target} (${error.message.split("\n")[0]})`);
    } finally {
      page.off("response", onResponse);
    }
  }
  await close();
  report(
    failures.length === 0 && pages.length > 0,
    "redirects",
    failures.length ? failures.join("; ") : `${pages.length} redirect pages reached their targets (${rules.length} _redirects rules)`,
  );
}

async function checkEmbed(context, dir) {
  const file = htmlFiles(dir).find((f) => /data-embed-src="https:\/\/www\.youtube-nocookie\.com\//.test(readFileSync(f, "utf8")));
  if (!file) return report(false, "embed", "no page of the sample site has a YouTube placeholder");
  const url = urlOf(dir, file);
  const { page, origin, foreign, close } = await open(context, dir);
  await page.goto(origin + url, { waitUntil: "load" });
  await page.waitForTimeout(300);
  const onLoad = [...foreign];
  const placeholder = page.locator("[data-embed-src]").first();
  const link = await placeholder.locator("a.embed-link").getAttribute("href");
  const button = placeholder.locator("button.embed-load");
  const label = (await button.textContent()).trim();
  await button.click();
  const frame = page.locator("iframe.embed-frame").first();
  await frame.waitFor({ timeout: 10000 });
  const src = await frame.getAttribute("src");
  await page.waitForTimeout(300);
  const afterClick = foreign.filter((href) => new URL(href).hostname === "www.youtube-nocookie.com");
  const youtubeOnLoad = onLoad.filter((href) => /youtube/.test(new URL(href).hostname));
  const ok =
    youtubeOnLoad.length === 0 &&
    label === "Load video from YouTube" &&
    /^https:\/\/www\.youtube\.com\/watch\?v=/.test(link ?? "") &&
    src.startsWith("https://www.youtube-nocookie.com/embed/") &&
    afterClick.includes(src);
  report(
    ok,
    "embed",
    `${url}: on load asked ${youtubeOnLoad.length ? youtubeOnLoad.join(", ") : "no YouTube host"}; ` +
      `"${label}" loaded ${src}; after the click asked ${afterClick.join(", ") || "nothing"}; link ${link}`,
  );
  await close();
}

/** Every foreign request of loading each page of the site (embeds wait for clicks). */
async function foreignOnLoad(context, dir, limit) {
  const pages = htmlFiles(dir)
    .filter((f) => !/<meta http-equiv="refresh"/.test(readFileSync(f, "utf8")))
    .map((f) => urlOf(dir, f))
    .slice(0, limit);
  const { page, origin, foreign, close } = await open(context, dir);
  for (const url of pages) {
    await page.goto(origin + url, { waitUntil: "load" });
  }
  await page.waitForTimeout(300);
  // What Google's tag would read: the `config` commands analytics.js queued.
  const layer = await page.evaluate(() =>
    window.dataLayer ? window.dataLayer.filter((e) => e[0] === "config").map((e) => String(e[1])) : null,
  );
  await close();
  return { pages: pages.length, hosts: [...new Set(foreign.map((href) => new URL(href).hostname))].sort(), foreign, layer };
}

async function checkAnalytics(context, quietDir, analyticsDir) {
  const quiet = await foreignOnLoad(context, quietDir, 1000);
  report(
    quiet.hosts.length === 0 && quiet.layer === null,
    "no analytics unasked",
    `${quiet.pages} pages of a site asking for none asked ${quiet.hosts.join(", ") || "no other host"}`,
  );
  const asked = await foreignOnLoad(context, analyticsDir, 3);
  const gtag = asked.foreign.find((href) => href.startsWith("https://www.googletagmanager.com/gtag/js?id=G-"));
  const wogaa = asked.foreign.includes("https://assets.wogaa.sg/scripts/wogaa.js");
  const others = asked.hosts.filter((host) => !["www.googletagmanager.com", "assets.wogaa.sg"].includes(host));
  const configured = JSON.stringify(asked.layer) === JSON.stringify(["G-TEST12345"]);
  report(
    Boolean(gtag) && wogaa && others.length === 0 && configured,
    "analytics asked",
    `asked ${asked.hosts.join(", ") || "no other host"} (Google's tag: ${gtag ?? "none"}, WOGAA: ${wogaa}); ` +
      `dataLayer configures the id: ${configured}`,
  );
}

async function checkCopyLink(context, dir) {
  const file = htmlFiles(dir).find((f) => /data-share-copy=/.test(readFileSync(f, "utf8")));
  if (!file) return report(false, "copy link", "no page has the share rail");
  const url = urlOf(dir, file);
  const { page, origin, close } = await open(context, dir);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  await page.goto(origin + url, { waitUntil: "load" });
  const expected = await page.evaluate(() => document.querySelector('link[rel="canonical"]')?.href ?? location.href);
  const copy = page.locator("[data-share-copy]");
  // From the keyboard: focus it as Tab would reach it, press Enter.
  await copy.focus();
  await page.keyboard.press("Enter");
  await page.locator("[data-share-status]").filter({ hasText: "Link copied" }).waitFor({ timeout: 5000 }).catch(() => {});
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const status = (await page.locator("[data-share-status]").textContent()).trim();
  const shares = await page.locator(".share-rail a[href]").evaluateAll((links) => links.map((a) => a.href));
  const encoded = encodeURIComponent(expected);
  const linksCarryAddress = shares.length >= 5 && shares.every((href) => href.includes(encoded));
  report(
    copied === expected && status === "Link copied" && linksCarryAddress,
    "copy link",
    `${url}: copied ${copied} (expected ${expected}), status "${status}", ${shares.length} share links carrying the address: ${linksCarryAddress}`,
  );
  await close();
}

async function main() {
  const dirs = parseArgs(process.argv.slice(2));
  const userDataDir = mkdtempSync(join(tmpdir(), "gazette-chromium-"));
  const context = await launchChromium(userDataDir);
  try {
    await checkRedirects(context, dirs.sample);
    await checkEmbed(context, dirs.sample);
    await checkAnalytics(context, dirs.quiet, dirs.analytics);
    await checkCopyLink(context, dirs.sample);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  process.exitCode = results.every(Boolean) ? 0 : 1;
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(2);
});
