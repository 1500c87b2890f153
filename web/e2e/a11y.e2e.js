// Accessibility of the voting page beyond the axe scans (election.e2e.js):
// a ballot cast with the keyboard alone (Tab, Space, Enter — no click), and
// no horizontal scrolling on a 360-px phone, at 200 % zoom of a 1280×800
// window and at WCAG's 320 CSS px reflow width, in German and in Arabic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, axeScan, cspViolations, electionSuite, scrollsHorizontally, tid, visible } from './harness.js';
import { cast, openLink, prepare, waitBallot } from './flows.js';

const suite = electionSuite({ name: 'a11y', institutions: 5, open: true });
const context = (opts) => suite.context(opts);

/** The data-testid of the focused element (or of its closest ancestor with one). */
function focusedTestid(page) {
  return page.evaluate(() => document.activeElement?.closest('[data-testid]')?.dataset.testid ?? null);
}

/** Presses Tab until data-testid `id` has the focus (at most `max` times). */
async function tabTo(page, id, max = 80) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focusedTestid(page);
    seen.push(now ?? await page.evaluate(() => document.activeElement?.tagName.toLowerCase()));
    if (now === id) return;
  }
  throw new Error(`Tab never reached ${id}; the focus went through: ${seen.join(' → ')}`);
}

/** The focused element shows a focus indicator (outline or box-shadow). */
async function focusVisible(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  });
}

test('a ballot is cast with the keyboard alone: Tab, Space and Enter, no click', async () => {
  const ctx = await context();
  const page = await openLink(ctx, suite.election.links[0].url);
  await waitBallot(page);

  for (const i of [1, 3]) {
    await tabTo(page, `candidate-${i}`);
    assert.ok(await focusVisible(page), `candidate-${i} shows the focus`);
    await page.keyboard.press('Space');
    assert.equal(await tid(page, `candidate-${i}`).isChecked(), true, `Space ticks candidate-${i}`);
  }
  await tabTo(page, 'review-button');
  assert.ok(await focusVisible(page), 'review-button shows the focus');
  await page.keyboard.press('Enter');
  await visible(page, 'review-list');
  const names = suite.election.config.candidates.map((c) => c.name);
  const review = await tid(page, 'review-list').innerText();
  assert.ok(review.includes(names[1]) && review.includes(names[3]), `the review lists the two choices: ${review}`);

  await tabTo(page, 'cast-button');
  assert.ok(await focusVisible(page), 'cast-button shows the focus');
  await page.keyboard.press('Enter');
  await visible(page, 'receipt', 60_000);
  assert.equal((await suite.election.turnout()).ballots_cast, 1, 'the server has the ballot');
  // The receipt can be reached and saved by keyboard too.
  await tabTo(page, 'receipt-download');
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.keyboard.press('Enter')]);
  assert.ok(dl.suggestedFilename().length > 0);
  assert.deepEqual(cspViolations(ctx.problems), []);
});

const widths = [
  { label: '360-px phone', viewport: { width: 360, height: 740 }, deviceScaleFactor: 3, link: 1 },
  { label: '200 % zoom of 1280×800', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2, link: 2 },
  { label: '320 CSS px (WCAG reflow)', viewport: { width: 320, height: 640 }, deviceScaleFactor: 4, link: 3 },
];

for (const w of widths) {
  test(`no horizontal scrolling on the voting page at ${w.label}, German and Arabic`, async () => {
    const ctx = await context({ viewport: { name: w.label, ...w.viewport }, deviceScaleFactor: w.deviceScaleFactor, isMobile: w.deviceScaleFactor > 2, hasTouch: w.deviceScaleFactor > 2 });
    const wide = [];
    const probe = async (page, state) => {
      if (await scrollsHorizontally(page)) {
        const culprit = await page.evaluate(() => {
          const out = [];
          for (const e of document.body.querySelectorAll('*')) {
            const r = e.getBoundingClientRect();
            if (r.right > window.innerWidth + 1 || r.left < -1) out.push(`${e.tagName.toLowerCase()}${e.dataset.testid ? `[${e.dataset.testid}]` : ''}${e.className ? `.${String(e.className).split(' ')[0]}` : ''} ${Math.round(r.left)}..${Math.round(r.right)}`);
          }
          return out.slice(0, 5).join(', ');
        });
        wide.push(`${state}: page ${await page.evaluate(() => document.documentElement.scrollWidth)} px wide > ${w.viewport.width} (${culprit})`);
      }
    };
    const entry = await ctx.newPage();
    await entry.goto(`${suite.election.url}/vote`);
    await visible(entry, 'code-entry');
    await probe(entry, 'code entry');
    await entry.close();

    const page = await openLink(ctx, suite.election.links[w.link].url);
    await waitBallot(page);
    await probe(page, 'ballot (de)');
    await tid(page, 'lang-switch').first().selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await probe(page, 'ballot (ar)');
    await tid(page, 'lang-switch').first().selectOption('de');
    await prepare(page, { marks: [0] });
    await probe(page, 'review');
    await cast(page);
    await probe(page, 'receipt');
    if (w.link === 1) {
      const scan = await axeScan(page, 'voting page: receipt at 360 px');
      assert.deepEqual(scan.serious, [], 'axe at 360 px');
    }
    assert.deepEqual(wide, []);
  });
}
