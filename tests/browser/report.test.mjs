// Drives Debian's chromium (headless, through playwright-core) over the
// reports `ci.sh` wrote into target/browser/<name>-<lang>/: each page loads
// with no console error and no network request, the ranking table sorts on
// click, the Arabic page is right to left and mirrored, every entity link
// resolves. Screenshots go to target/browser/screenshots/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { launch } from "./chromium.mjs";

const ROOT = path.resolve(process.env.REPORTS ?? "../../target/browser");
const SHOTS = path.join(ROOT, "screenshots");

const reports = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, d.name, "index.html")))
  .map((d) => d.name)
  .sort();

let browser;
before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/// A page that records console errors, page errors and every request.
async function open(dir) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  const base = pathToFileURL(dir).href + "/";
  const offsite = () => requests.filter((u) => !u.startsWith(base));
  return { context, page, problems, offsite };
}

/// The sort keys of column `col` of the ranking table, in row order.
async function column(page, col) {
  return page.$$eval(
    "#ranking-table tbody tr",
    (rows, col) =>
      rows.map((r) => {
        const c = r.cells[col];
        return c.getAttribute("data-sort") ?? c.textContent.trim();
      }),
    col,
  );
}

function sorted(keys, numeric, asc) {
  const present = keys.filter((k) => k !== "");
  const absent = keys.filter((k) => k === "");
  const cmp = numeric ? (a, b) => parseFloat(a) - parseFloat(b) : (a, b) => a.localeCompare(b);
  present.sort((a, b) => (asc ? cmp(a, b) : -cmp(a, b)));
  return present.concat(absent);
}

assert.ok(reports.length > 0, `no reports under ${ROOT}`);

for (const name of reports) {
  const dir = path.join(ROOT, name);
  const lang = name.endsWith("-ar") ? "ar" : "en";

  test(`${name}: index loads offline, sorts, is laid out in its direction`, async () => {
    const { context, page, problems, offsite } = await open(dir);
    await page.goto(pathToFileURL(path.join(dir, "index.html")).href);
    await page.waitForLoadState("load");
    assert.equal(await page.getAttribute("html", "lang"), lang);
    assert.equal(await page.getAttribute("html", "dir"), lang === "ar" ? "rtl" : "ltr");

    // Mirrored: the first column heading is right of the last in Arabic.
    const heads = page.locator("#ranking-table thead th");
    const n = await heads.count();
    assert.ok(n >= 3);
    const first = await heads.nth(0).boundingBox();
    const last = await heads.nth(n - 1).boundingBox();
    if (lang === "ar") assert.ok(first.x > last.x, `rtl: first ${first.x} last ${last.x}`);
    else assert.ok(first.x < last.x, `ltr: first ${first.x} last ${last.x}`);

    await page.screenshot({ path: path.join(SHOTS, `${name}-index.png`) });
    await page.screenshot({ path: path.join(SHOTS, `${name}-index-full.png`), fullPage: true });

    // Sorting: score (numeric), then id (text), each ascending then descending.
    // Columns are found by their key: name and band are left out of a batch
    // without names or a rubric without bands.
    const keys = await heads.evaluateAll((hs) => hs.map((h) => h.getAttribute("data-col")));
    const at = (key) => {
      const i = keys.indexOf(key);
      assert.ok(i >= 0, `no ${key} column in ${keys}`);
      return i;
    };
    const scoreCol = at("score");
    for (const [col, numeric] of [[scoreCol, true], [at("id"), false], [at("rank"), true]]) {
      const before = await column(page, col);
      await heads.nth(col).click();
      assert.equal(await heads.nth(col).getAttribute("aria-sort"), "ascending");
      assert.deepEqual(await column(page, col), sorted(before, numeric, true), `column ${col} ascending`);
      await heads.nth(col).click();
      assert.equal(await heads.nth(col).getAttribute("aria-sort"), "descending");
      assert.deepEqual(await column(page, col), sorted(before, numeric, false), `column ${col} descending`);
    }
    // The order really changed somewhere (not a table of one row).
    const rows = await page.locator("#ranking-table tbody tr").count();
    if (rows > 1) {
      const asc = sorted(await column(page, scoreCol), true, true);
      assert.notDeepEqual(asc, sorted(asc, true, false));
    }

    assert.ok((await page.locator("svg.chart rect.bar").count()) >= 10, "histogram bars");
    assert.deepEqual(problems, []);
    assert.deepEqual(offsite(), []);
    await context.close();
  });

  test(`${name}: every entity link resolves`, async () => {
    const { context, page, problems, offsite } = await open(dir);
    await page.goto(pathToFileURL(path.join(dir, "index.html")).href);
    const links = await page.$$eval("#ranking-table tbody a", (as) => as.map((a) => a.href));
    assert.ok(links.length > 0);
    for (const [i, href] of links.entries()) {
      const res = await page.goto(href);
      assert.ok(res === null || res.ok(), href);
      assert.equal(await page.getAttribute("html", "dir"), lang === "ar" ? "rtl" : "ltr");
      assert.ok((await page.locator("h1").innerText()).length > 0, href);
      assert.ok((await page.locator("#groups-table tbody tr").count()) > 0, href);
      if (i === 0) {
        await page.screenshot({ path: path.join(SHOTS, `${name}-entity.png`) });
        await page.screenshot({ path: path.join(SHOTS, `${name}-entity-full.png`), fullPage: true });
      }
      // The way back.
      const back = await page.$eval("#back", (a) => a.href);
      assert.equal(back, pathToFileURL(path.join(dir, "index.html")).href);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(offsite(), []);
    await context.close();
  });
}
