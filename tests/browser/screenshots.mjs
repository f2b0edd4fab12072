// Screenshots of a built site's pages at a desktop and a phone width, for
// people to look at (nothing is checked):
//
//   node tests/browser/screenshots.mjs SITE_DIR OUT_DIR [URL_PATH...]
//
// Serves SITE_DIR on 127.0.0.1, blocks every other host, and writes
// OUT_DIR/<page>-<width>.png. Without URL paths it takes the homepage.

import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { chromium } from "playwright-core";

const [siteArg, outArg, ...paths] = process.argv.slice(2);
if (!siteArg || !outArg) {
  console.error("usage: node screenshots.mjs SITE_DIR OUT_DIR [URL_PATH...]");
  process.exit(2);
}
const root = resolve(siteArg);
const out = resolve(outArg);
mkdirSync(out, { recursive: true });
const types = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".json": "application/json" };

const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, "http://127.0.0.1").pathname);
  for (const candidate of path.endsWith("/") ? [join(path, "index.html")] : [path, join(path, "index.html")]) {
    const file = normalize(join(root, candidate));
    if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
      response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      response.end(readFileSync(file));
      return;
    }
  }
  response.writeHead(404).end();
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const origin = `http://127.0.0.1:${server.address().port}`;

const userDataDir = mkdtempSync(join(tmpdir(), "gazette-shots-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
await context.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));
const page = await context.newPage();
for (const path of paths.length ? paths : ["/"]) {
  for (const [label, width] of [["1280", 1280], ["375", 375]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(origin + path, { waitUntil: "load" });
    const name = (path.replace(/^\/|\/$/g, "").replace(/[^a-z0-9]+/gi, "-") || "home") + `-${label}.png`;
    await page.screenshot({ path: join(out, name), fullPage: true });
    console.log(join(out, name));
  }
}
await context.close();
rmSync(userDataDir, { recursive: true, force: true });
server.close();
