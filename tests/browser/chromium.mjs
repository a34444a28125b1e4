// How every browser test starts its browser: Debian's chromium ($CHROMIUM,
// else /usr/bin/chromium) through playwright-core, headless, with the flags
// the project's browser tests use (no browser is downloaded).

import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/// The browser (close it when done).
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/// A page of `browser` that records console errors, page errors and the
/// status of every response; a request to another origin than `base`'s is
/// refused (and recorded in `offsite`).
export async function open(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const origin = new URL(base).origin;
  const offsite = [];
  const statuses = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("response", (r) => statuses.push([r.status(), r.url()]));
  return { context, page, problems, offsite, statuses };
}

/// Console errors, but the browser's own note of each answer a form test
/// expects to be a 422 (a rejected answer set: the form's live check, a
/// rejected submit): those are the API's contract, not faults.
export function faults(problems) {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of 422/.test(p));
}
