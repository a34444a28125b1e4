// Drives Debian's chromium (headless, through playwright-core) over the web
// form served by `mizan-server` (docs/form.md), started by ci.sh on
// 127.0.0.1 with a temp SQLite store and the shipped rules. In English and
// Arabic: log in with a submitter token, fill in a UAE 2018 submission from
// a shipped example, submit it with one question left unanswered and see
// the problem beside that question, answer it, submit, and see the
// confirmation with the score (the API's score for the stored submission).
// No console error, no request to any host but the server. Screenshots:
// target/browser/screenshots/server-form-*.png.
//
// Env: MIZAN_URL (http://127.0.0.1:PORT), MIZAN_TOKEN_EN and MIZAN_TOKEN_AR
// (submitter tokens of the entities below), EXAMPLES (the example folder).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { faults, launch, open } from "./chromium.mjs";

const BASE = process.env.MIZAN_URL;
const EXAMPLES = path.resolve(process.env.EXAMPLES ?? "../../examples/uae-integration-2018");
const SHOTS = path.resolve(process.env.SHOTS ?? "../../target/browser/screenshots");
const CYCLE = "uae-integration-2018";
const CASES = [
  { lang: "en", entity: "moe", token: process.env.MIZAN_TOKEN_EN },
  { lang: "ar", entity: "fahr", token: process.env.MIZAN_TOKEN_AR },
];
// The question left unanswered on the first submit.
const SKIPPED = "gsb.1.2";

assert.ok(BASE, "MIZAN_URL is not set (run ci.sh)");

const WORDS = {
  en: { missing: "no answer", submitted: "Submitted.", overall: "Overall score", rejected: "Not submitted" },
  ar: { missing: "لا توجد إجابة", submitted: "أُرسلت الإجابات.", overall: "النتيجة الإجمالية", rejected: "لم تُرسل الإجابات" },
};

let browser;
before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

function example(entity) {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${entity}.json`), "utf8"));
}

/// Fills the form with an answer set's name, profile and answers (but `skip`).
async function fill(page, answers, skip) {
  if (answers.entity.name) await page.fill("#e-name", answers.entity.name);
  for (const [k, v] of Object.entries(answers.entity.profile ?? {})) {
    await page.selectOption(`select[name="p:${k}"]`, String(v));
  }
  for (const [id, v] of Object.entries(answers.answers)) {
    if (id === skip) continue;
    for (const x of Array.isArray(v) ? v : [v]) {
      await page.check(`input[name="a:${id}"][value="${x}"]`);
    }
  }
}

async function api(pathname, token) {
  const r = await fetch(BASE + pathname, { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.json() };
}

for (const { lang, entity, token } of CASES) {
  test(`fill and submit a UAE 2018 submission in ${lang}`, async (t) => {
    assert.ok(token, `MIZAN_TOKEN_${lang.toUpperCase()} is not set`);
    const w = WORDS[lang];
    const { context, page, problems, offsite, statuses } = await open(browser, BASE);
    const formPath = `/cycles/${CYCLE}/entities/${entity}/form?lang=${lang}`;

    // Not logged in: the form sends to the login page, in the language.
    await page.goto(BASE + formPath);
    assert.equal(new URL(page.url()).pathname, "/login");
    assert.equal(await page.getAttribute("html", "dir"), lang === "ar" ? "rtl" : "ltr");
    await page.screenshot({ path: path.join(SHOTS, `server-form-login-${lang}.png`), fullPage: true });
    await page.fill("#token", token);
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith("/form")), page.click("#login button[type=submit]")]);
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, formPath);
    assert.equal(await page.getAttribute("html", "lang"), lang);
    assert.equal(await page.getAttribute("html", "dir"), lang === "ar" ? "rtl" : "ltr");
    // The cookie is the server's, HttpOnly and SameSite=Strict.
    const cookies = await context.cookies();
    const c = cookies.find((x) => x.name === "mizan_token");
    assert.ok(c && c.httpOnly && c.sameSite === "Strict", JSON.stringify(cookies));
    assert.equal(await page.evaluate(() => document.cookie), "", "not readable by scripts");

    await page.screenshot({ path: path.join(SHOTS, `server-form-page-${lang}.png`) });

    // Fill in everything but one question; the live check runs.
    const answers = example(entity);
    await fill(page, answers, SKIPPED);
    // With JavaScript, the form's fields are checked as they change (posted
    // with action=check; the server maps them): the unanswered question is
    // marked before any submit.
    const live = await page.waitForResponse((r) => r.url().includes("/form") && (r.request().postData() ?? "").includes("action=check"));
    assert.equal(live.status(), 422);
    assert.equal(live.request().method(), "POST");
    await page.waitForSelector(`[id="q-${SKIPPED}"].has-problem`);
    assert.equal(await page.textContent(`[id="q-${SKIPPED}-problems"] code`), "M0410");
    const liveSaid = await page.textContent(`[id="q-${SKIPPED}-problems"]`);
    assert.ok(liveSaid.toLowerCase().includes(w.missing), liveSaid);
    assert.equal(await page.isVisible("#summary"), true);
    await page.locator(`[id="q-${SKIPPED}"]`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `server-form-live-${lang}.png`) });

    // Submit: refused, the problem beside its question, in the language.
    await Promise.all([page.waitForNavigation(), page.click('button[name="action"][value="submit"]')]);
    assert.ok(statuses.some(([s, u]) => s === 422 && u.endsWith(formPath)), "the rejected submit is a 422");
    assert.ok((await page.textContent(".notice")).includes(w.rejected));
    const q = page.locator(`[id="q-${SKIPPED}"]`);
    assert.match(await q.getAttribute("class"), /has-problem/);
    const said = await page.textContent(`[id="q-${SKIPPED}-problems"]`);
    assert.ok(said.toLowerCase().includes(w.missing), said);
    assert.ok((await page.textContent("#summary-list")).toLowerCase().includes(w.missing));
    await q.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `server-form-rejected-${lang}.png`) });
    // What was answered is still filled in.
    const [first, value] = Object.entries(answers.answers)[0];
    assert.ok(await page.isChecked(`input[name="a:${first}"][value="${value}"]`));

    // Answer it, submit: the confirmation and the score.
    await page.check(`input[name="a:${SKIPPED}"][value="${answers.answers[SKIPPED]}"]`);
    await Promise.all([page.waitForURL((u) => u.search.includes("notice=submitted")), page.click('button[name="action"][value="submit"]')]);
    assert.equal(await page.textContent(".notice"), w.submitted);
    assert.equal(await page.isVisible("#score"), true);
    const overall = (await page.textContent("#score .overall")).trim();
    assert.ok(overall.includes(w.overall), overall);
    const shown = (await page.textContent("#score-value")).trim();
    await page.screenshot({ path: path.join(SHOTS, `server-form-submitted-${lang}.png`) });

    // Stored, and scored as the API scores it.
    const stored = await api(`/cycles/${CYCLE}/entities/${entity}`, token);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.revisions.length, 1);
    const score = Number(stored.body.result.score);
    assert.ok(Number.isFinite(score));
    const digits = shown.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660)).replace(/[^0-9.]/g, "");
    assert.ok(Math.abs(Number(digits) - score * 100) < 0.51 || Math.abs(Number(digits) - score) < 0.51, `${shown} vs ${score}`);

    const expected = problems.length - faults(problems).length;
    t.diagnostic(`${expected} console notes of expected 422 answers; requests: ${statuses.length}`);
    assert.deepEqual(faults(problems), []);
    assert.deepEqual(offsite, []);
    await context.close();
  });
}
