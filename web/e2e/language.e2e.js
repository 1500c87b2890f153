// The language switch (German default, English, Russian, Ukrainian, Arabic
// right to left, Turkish): switched in place, remembered after a reload, and
// on every page in every language no untranslated key and no unfilled
// "{placeholder}" is shown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { LANGS, WAIT, WEB_DIR, cspViolations, electionSuite, screenshots, tid, visible, waitUntil } from './harness.js';
import { openLink, waitBallot, waitCheckedIn } from './flows.js';

const suite = electionSuite({ name: 'language', institutions: 4 });
const context = (opts) => suite.context(opts);

/** {lang: {key: text}} of every translation file in the build. */
function translations() {
  const all = {};
  for (const lang of readdirSync(path.join(WEB_DIR, 'i18n'))) {
    all[lang] = {};
    for (const f of readdirSync(path.join(WEB_DIR, 'i18n', lang))) {
      if (f.endsWith('.json')) Object.assign(all[lang], JSON.parse(readFileSync(path.join(WEB_DIR, 'i18n', lang, f), 'utf8')));
    }
  }
  return all;
}
const texts = translations();
const keyPrefixes = [...new Set(Object.keys(texts.de).map((k) => k.split('.')[0]))];

/** Switches with the page's own control and waits until <html lang> follows. */
async function switchLanguage(page, lang) {
  await tid(page, 'lang-switch').first().selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: WAIT });
  await page.waitForTimeout(100); // the texts are applied right after; let re-renders finish
}

/**
 * What the page shows that is not translated: text (or aria-label,
 * placeholder, title, alt) that is a translation key, an unfilled
 * {placeholder}, and [data-i18n] keys the language's files lack.
 */
async function untranslated(page, lang) {
  const found = await page.evaluate(([prefixes, ownKeys]) => {
    const keyShape = new RegExp(`^(${prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(\\.[A-Za-z0-9_-]+)+$`);
    const bad = [];
    const look = (text, where) => {
      const s = (text || '').trim();
      if (!s) return;
      if (keyShape.test(s)) bad.push(`key shown as text ${where}: "${s}"`);
      const ph = /\{[A-Za-z0-9_]+\}/.exec(s);
      if (ph) bad.push(`unfilled placeholder ${ph[0]} ${where}: "${s.slice(0, 80)}"`);
    };
    const shown = (node) => (node.checkVisibility ? node.checkVisibility() : node.offsetParent !== null);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement && shown(n.parentElement) && !['SCRIPT', 'STYLE'].includes(n.parentElement.tagName)) {
        look(n.textContent, `in <${n.parentElement.tagName.toLowerCase()}${n.parentElement.dataset.testid ? ` data-testid=${n.parentElement.dataset.testid}` : ''}>`);
      }
    }
    for (const attr of ['aria-label', 'placeholder', 'title', 'alt']) {
      for (const e of document.querySelectorAll(`[${attr}]`)) look(e.getAttribute(attr), `in ${attr} of <${e.tagName.toLowerCase()}>`);
    }
    look(document.title, 'in <title>');
    const own = new Set(ownKeys);
    for (const e of document.querySelectorAll('[data-i18n]')) {
      if (!own.has(e.dataset.i18n)) bad.push(`data-i18n key ${e.dataset.i18n} missing from this language's files`);
    }
    for (const e of document.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of e.dataset.i18nAttr.split(';')) {
        const k = pair.split(':')[1];
        if (k && !own.has(k.trim())) bad.push(`data-i18n-attr key ${k.trim()} missing from this language's files`);
      }
    }
    return bad;
  }, [keyPrefixes, Object.keys(texts[lang] ?? {})]);
  return found.map((f) => `${lang} ${page.url().replace(/#.*/, '')}: ${f}`);
}

test('the languages of the build are de, en, ru, uk, ar, tr, each with every German key', () => {
  assert.deepEqual(Object.keys(texts).sort(), [...LANGS].sort());
  for (const lang of LANGS) {
    const missing = Object.keys(texts.de).filter((k) => !(k in texts[lang]));
    assert.deepEqual(missing, [], `keys missing in ${lang}`);
  }
});

test('the language switch: de by default, en, ar right to left, back to de, remembered after a reload', async () => {
  const ctx = await context({ locale: 'de-DE' });
  const page = await openLink(ctx, suite.election.links[0].url);
  await waitCheckedIn(page);
  await suite.election.officer('open');
  await waitBallot(page);

  const html = page.locator('html');
  assert.equal(await html.getAttribute('lang'), 'de');
  assert.notEqual(await html.getAttribute('dir'), 'rtl');
  assert.equal(await tid(page, 'translation-unreviewed').isVisible(), false, 'German needs no review notice');
  const reviewDe = await tid(page, 'review-button').innerText();
  await screenshots(page, 'vote-ballot-de');

  await switchLanguage(page, 'en');
  assert.equal(await html.getAttribute('dir'), 'ltr');
  assert.notEqual(await tid(page, 'review-button').innerText(), reviewDe, 'the review button is in English now');
  assert.equal(await tid(page, 'translation-unreviewed').isVisible(), false, 'English is reviewed');

  await switchLanguage(page, 'ar');
  assert.equal(await html.getAttribute('dir'), 'rtl');
  await visible(page, 'translation-unreviewed');
  assert.match(await tid(page, 'review-button').innerText(), /[\u0600-\u06FF]/, 'the review button is in Arabic script');
  // Right to left is applied by the layout, not only the attribute.
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl');
  await screenshots(page, 'vote-ballot-ar');

  await page.reload({ waitUntil: 'load' });
  await waitBallot(page);
  assert.equal(await html.getAttribute('lang'), 'ar', 'the choice is remembered after a reload');
  assert.equal(await html.getAttribute('dir'), 'rtl');
  assert.equal(await tid(page, 'lang-switch').first().inputValue(), 'ar');

  await switchLanguage(page, 'de');
  assert.equal(await html.getAttribute('dir'), 'ltr');
  assert.equal(await tid(page, 'review-button').innerText(), reviewDe);
  assert.equal(await tid(page, 'translation-unreviewed').isVisible(), false);
  await page.reload({ waitUntil: 'load' });
  await waitBallot(page);
  assert.equal(await html.getAttribute('lang'), 'de', 'German is remembered too');

  // The other languages on the ballot: nothing untranslated.
  const problems = [];
  for (const lang of LANGS) {
    await switchLanguage(page, lang);
    problems.push(...await untranslated(page, lang));
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(cspViolations(ctx.problems), []);
});

test('every page in every language shows no untranslated key or unfilled placeholder', async () => {
  const eid = suite.election.electionId;
  const ctx = await context();
  const problems = [];
  const check = async (page, label, ready) => {
    for (const lang of LANGS) {
      await switchLanguage(page, lang);
      if (ready) await ready(page);
      problems.push(...(await untranslated(page, lang)).map((p) => `${label}: ${p}`));
    }
    await switchLanguage(page, 'de');
  };
  const page = await ctx.newPage();

  // The index page is German + English side by side, without a switch.
  await page.goto(`${suite.election.url}/`);
  problems.push(...(await untranslated(page, 'de')).map((p) => `index: ${p}`));

  // While the ballot box is open (the previous test opened it): typing the code.
  assert.equal(await suite.election.state(), 'open');
  await page.goto(`${suite.election.url}/vote`);
  await visible(page, 'code-entry');
  await check(page, 'voting page, code entry');

  // A published result, so that the results page has everything to show.
  await suite.election.finishWithCli([['--mark', '1', '--mark', '2'], ['--abstain'], ['--invalid']], { firstLink: 1 });
  await page.goto(`${suite.election.url}/vote`);
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.trim() || document.querySelector('main')?.textContent.trim());
  await page.waitForTimeout(500);
  await check(page, 'voting page, no election open');

  await page.goto(`${suite.election.url}/officer`);
  await visible(page, 'officer-code');
  await check(page, 'officer sign-in');
  await tid(page, 'officer-code').fill(suite.election.officerCode ?? '');
  await tid(page, 'officer-signin').click();
  await visible(page, 'officer-key');
  const sel = tid(page, `election-${eid}`);
  if (await sel.isVisible().catch(() => false)) await sel.click();
  await waitUntil(async () => (await tid(page, 'state').innerText()).trim().length > 0, 'the dashboard state');
  await check(page, 'officer dashboard');

  await page.goto(`${suite.election.url}/projector?e=${eid}`);
  await visible(page, 'projector-ballots');
  await check(page, 'projector');

  await page.goto(`${suite.election.url}/results`);
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);
  await check(page, 'results list');

  await page.goto(`${suite.election.url}/results?e=${eid}`);
  await visible(page, 'result-table');
  await check(page, 'results');
  await screenshots(page, 'results-de');
  await switchLanguage(page, 'ar');
  await screenshots(page, 'results-ar');

  // The delegate who checked in but did not vote, with the page left open
  // through the close: it follows and says the ballot box is closed.
  const delegatePage = suite.contexts[0].pages()[0];
  await visible(delegatePage, 'ballot-closed', 60_000);
  await check(delegatePage, 'voting page, ballot closed');

  assert.deepEqual(problems, []);
  assert.deepEqual(cspViolations(ctx.problems), []);
});
