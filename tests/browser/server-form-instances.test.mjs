// Drives Debian's chromium (headless, through playwright-core) over the web
// form of a rubric with repeated nodes (examples/instances/services.mizan,
// cycle `services`, started by ci.sh): in English and Arabic, log in, add a
// life event and two services with the Add buttons (each a round trip that
// saves the draft), fill their keys, fields and the answers of their URLs,
// see the live check put an instance's problem (a field left unset) beside
// that field and in the summary, set it, remove one service, submit, and
// see the confirmation with the API's score of the stored submission. No
// console error (but the browser's note of each expected 422), no request
// to any host but the server. Screenshots:
// target/browser/screenshots/server-form-instances-*.png.
//
// Env: MIZAN_URL, MIZAN_TOKEN_SVC_EN and MIZAN_TOKEN_SVC_AR (submitter
// tokens of entities alpha and beta in cycle `services`).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { faults, launch, open } from "./chromium.mjs";

const BASE = process.env.MIZAN_URL;
const SHOTS = path.resolve(process.env.SHOTS ?? "../../target/browser/screenshots");
const CASES = [
  { lang: "en", entity: "alpha", token: process.env.MIZAN_TOKEN_SVC_EN },
  { lang: "ar", entity: "beta", token: process.env.MIZAN_TOKEN_SVC_AR },
];
const WORDS = {
  en: { submitted: "Submitted.", required: "is missing", remove: "Remove this instance" },
  ar: { submitted: "أُرسلت الإجابات.", required: "حقل الملف التعريفي هذا مطلوب.", remove: "احذف هذه النسخة" },
};

assert.ok(BASE, "MIZAN_URL is not set (run ci.sh)");

let browser;
before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const byName = (name) => `[name="${name}"]`;

/// Presses the Add button of list `list` and waits for the page to come
/// back at the new instance `at`.
async function add(page, list, at) {
  await Promise.all([
    page.waitForURL((u) => u.hash === `#${at}`),
    page.click(`button[name="add"][value="${list}"]`),
  ]);
  await page.waitForSelector(`[id="${at}"]`);
}

async function service(page, p, key, fields) {
  await page.fill(byName(`${p}key`), key);
  for (const [k, v] of Object.entries(fields)) {
    const sel = byName(`${p}p:${k}`);
    if (typeof v === "boolean") await page.check(`${sel}[value="${v}"]`);
    else await page.selectOption(sel, v);
  }
}

async function urlAnswers(page, p, answers) {
  for (const [q, v] of Object.entries(answers)) await page.check(`${byName(`${p}a:${q}`)}[value="${v}"]`);
}

for (const { lang, entity, token } of CASES) {
  test(`fill instances and submit in ${lang}`, async (t) => {
    assert.ok(token, "a submitter token is not set");
    const w = WORDS[lang];
    const { context, page, problems, offsite } = await open(browser, BASE);
    const formPath = `/cycles/services/entities/${entity}/form?lang=${lang}`;
    await page.goto(`${BASE}/login?lang=${lang}&next=${encodeURIComponent(formPath)}`);
    await page.fill("#token", token);
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith("/form")), page.click("#login button[type=submit]")]);
    assert.equal(await page.getAttribute("html", "dir"), lang === "ar" ? "rtl" : "ltr");

    // A life event, two services, a URL each: the Add buttons.
    await add(page, "le", "i-le/0");
    await page.fill(byName("le/0/key"), "family|2022");
    await page.fill(byName("le/0/p:year"), "2022");
    await add(page, "le/0/svc", "i-le/0/svc/0");
    assert.equal(await page.inputValue(byName("le/0/key")), "family|2022", "the draft was saved");
    await service(page, "le/0/svc/0/", "S1", { type: "transactional", level: "central", applicable: true, proactive: false });
    await add(page, "le/0/svc/0/url", "i-le/0/svc/0/url/0");
    await urlAnswers(page, "le/0/svc/0/url/0/", { q1: "yes", q2: "no", login: "yes", eid: "no" });
    await add(page, "le/0/svc", "i-le/0/svc/1");
    // The second service's level left unset: the live check says so
    // beside that field (the field's own message, in the language).
    await service(page, "le/0/svc/1/", "S2", { type: "informational", applicable: true, proactive: false });
    await add(page, "le/0/svc/1/url", "i-le/0/svc/1/url/0");
    const check = page.waitForResponse((r) => (r.request().postData() ?? "").includes("action=check") && r.status() === 422);
    await urlAnswers(page, "le/0/svc/1/url/0/", { q1: "yes", q2: "yes", login: "no", eid: "no" });
    await check;
    const field = '[id="p-le/0/svc/1/level"]';
    await page.waitForSelector(`${field}.has-problem`);
    const said = await page.textContent('[id="p-le/0/svc/1/level-problems"]');
    assert.ok(said.includes(w.required), said);
    assert.ok((await page.textContent("#summary-list")).includes("S2"), "the summary names the instance");
    await page.locator(field).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `server-form-instances-problem-${lang}.png`) });
    // Set it: the live check passes.
    const ok = page.waitForResponse((r) => (r.request().postData() ?? "").includes("action=check") && r.status() === 200);
    await page.selectOption(byName("le/0/svc/1/p:level"), "local");
    await ok;
    await page.waitForSelector(`${field}:not(.has-problem)`);
    await page.locator('[id="i-le/0/svc/0"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `server-form-instances-filled-${lang}.png`) });

    // Remove S1, submit.
    const remove = page.locator(`${byName("le/0/svc/0/remove")}`);
    assert.ok((await page.textContent('[id="i-le/0/svc/0"] .remove')).includes(w.remove));
    await remove.check();
    await Promise.all([
      page.waitForURL((u) => u.search.includes("notice=submitted")),
      page.click('button[name="action"][value="submit"]'),
    ]);
    assert.equal(await page.textContent(".notice"), w.submitted);
    assert.equal(await page.locator('[id="i-le/0/svc/1"]').count(), 0, "one service left");
    assert.equal(await page.inputValue(byName("le/0/svc/0/key")), "S2");
    await page.screenshot({ path: path.join(SHOTS, `server-form-instances-submitted-${lang}.png`), fullPage: true });

    // Stored as filled, scored by the API.
    const r = await fetch(`${BASE}/cycles/services/entities/${entity}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    const stored = await r.json();
    assert.equal(stored.revisions.length, 1);
    assert.ok(Number.isFinite(Number(stored.result.score)), JSON.stringify(stored.result));

    const real = faults(problems);
    t.diagnostic(`${problems.length - real.length} console notes of expected 422 answers`);
    assert.deepEqual(real, []);
    assert.deepEqual(offsite, []);
    await context.close();
  });
}
