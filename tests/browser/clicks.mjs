// Opens every page of a built site in headless Chromium as a curious reader
// would: waits for it to load, hovers and focuses every element, clicks every
// link and button, types into every search field, and reports each call of
// `pwned(field)`, the function a hostile site's payloads call, and every
// dialog a script opened.
//
//   node tests/browser/clicks.mjs SITE_DIR
//
// A click on a link to an ordinary place (http, https, mailto, tel, or the
// site itself) is stopped before it leaves the page, so one page can be
// clicked through; any other link (javascript:, data:, vbscript: …) is
// followed, which is where a script URL would run. Prints one
// `pwned FIELD on URL` line a call, then `ok` or `FAIL` with the counts;
// exits 1 when anything ran.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { htmlFiles, launchChromium, serve, urlOf } from "./site.mjs";

const SETTLE_MS = 150;

/** Installed before any script of the page: stops ordinary navigations. */
function stayOnThePage() {
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target instanceof Element ? event.target.closest("a[href], area[href]") : null;
      if (!link) return;
      const ordinary = ["http:", "https:", "mailto:", "tel:"].includes(link.protocol);
      if (ordinary) event.preventDefault();
    },
    true,
  );
  document.addEventListener("submit", (event) => event.preventDefault(), true);
}

/** Hovers, focuses and clicks every element that can take it; how many clicks. */
async function exercise(page) {
  return page.evaluate(async () => {
    const pause = () => new Promise((r) => setTimeout(r, 0));
    for (const element of document.querySelectorAll("body *")) {
      for (const type of ["mouseover", "mouseenter", "focus"]) {
        element.dispatchEvent(new Event(type, { bubbles: true }));
      }
    }
    for (const field of document.querySelectorAll("input[type=search], input[name=q], input[type=text]")) {
      field.focus();
      field.value = "text";
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true, key: "d" }));
    }
    let clicks = 0;
    for (const element of document.querySelectorAll("a[href], area[href], button, summary, [role=button]")) {
      element.click();
      clicks += 1;
      await pause();
    }
    return clicks;
  });
}

async function main() {
  const dir = resolve(process.argv[2] ?? "");
  if (!process.argv[2]) throw new Error("usage: node clicks.mjs SITE_DIR");
  const { server, port } = await serve(dir);
  const userDataDir = mkdtempSync(join(tmpdir(), "gazette-clicks-"));
  const context = await launchChromium(userDataDir);
  const calls = [];
  let current = "";
  let clicks = 0;
  let pages = 0;
  try {
    // Every frame of every page gets `pwned`, so a payload in a frame is
    // seen too; a dialog is a script that ran as surely as a call.
    await context.exposeBinding("pwned", (_source, field) => calls.push(`pwned ${field} on ${current}`));
    await context.addInitScript(stayOnThePage);
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || ["data:", "blob:", "about:"].includes(url.protocol)) route.continue();
      else route.abort();
    });
    for (const file of htmlFiles(dir)) {
      current = urlOf(dir, file);
      const page = await context.newPage();
      page.on("dialog", (dialog) => {
        calls.push(`dialog "${dialog.message()}" on ${current}`);
        dialog.dismiss().catch(() => {});
      });
      try {
        await page.goto(`http://127.0.0.1:${port}${current}`, { waitUntil: "load" });
        await page.waitForTimeout(SETTLE_MS);
        clicks += await exercise(page);
        await page.waitForTimeout(SETTLE_MS);
      } catch (error) {
        // A page that navigated away mid-check (a refresh, a followed
        // script URL) still counts: its calls were recorded as they came.
        if (!/navigat|destroyed|closed/i.test(String(error))) throw error;
      }
      pages += 1;
      await page.close();
    }
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
  for (const call of calls) console.log(call);
  console.log(`${calls.length ? "FAIL" : "ok  "} ${pages} pages, ${clicks} clicks, ${calls.length} scripts ran`);
  process.exitCode = calls.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(2);
});
