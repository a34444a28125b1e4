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
