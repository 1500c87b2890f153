// What a delegate does on the voting page, step by step, in the words of the
// DOM contract (web-spec.md data-testids). Shared by the e2e test files.

import assert from 'node:assert/strict';
import { tid, visible, WAIT } from './harness.js';

/** Opens a letter's voting link in a new page of `ctx`; resolves the page. */
export async function openLink(ctx, url) {
  const page = await ctx.newPage();
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** Waits until the page says the token is fetched and stored on the device. */
export async function waitCheckedIn(page, timeout = WAIT) {
  await visible(page, 'token-ready', timeout);
}

/** Waits for the ballot (candidate-0), e.g. after the officer opened the box. */
export async function waitBallot(page, timeout = 60_000) {
  await visible(page, 'candidate-0', timeout);
}

/** Ticks the candidates `marks` (0-based indices) on the ballot. */
export async function mark(page, marks) {
  for (const i of marks) await tid(page, `candidate-${i}`).check();
  for (const i of marks) assert.equal(await tid(page, `candidate-${i}`).isChecked(), true, `candidate-${i} checked`);
}

/** The choice (marks / abstain / invalid) made on the ballot, then the review step shown. */
export async function prepare(page, { marks = [], abstain = false, invalid = false }) {
  if (abstain) await tid(page, 'abstain').check();
  if (invalid) await tid(page, 'invalid').check();
  await mark(page, marks);
  await tid(page, 'review-button').click();
  await visible(page, 'review-list');
}

/** Casts the reviewed ballot; resolves the receipt's short hash as shown. */
export async function cast(page, timeout = 60_000) {
  await tid(page, 'cast-button').click();
  await visible(page, 'receipt', timeout);
  const short = (await tid(page, 'receipt-short-hash').innerText()).trim();
  assert.match(short, /[0-9a-f]{4}/i, 'receipt-short-hash shows hex digits');
  return short;
}

/** The candidates' names listed on the review step. */
export async function reviewText(page) {
  return tid(page, 'review-list').innerText();
}

/** The localStorage keys of the page's origin that start with urne:v1:. */
export async function storedKeys(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('urne:v1:')));
}

/** The stored record of the delegate of `institution` in `electionId` (null if none). */
export async function storedRecord(page, electionId, institution) {
  return page.evaluate(([e, i]) => {
    const v = localStorage.getItem(`urne:v1:${e}:${i}`);
    return v ? JSON.parse(v) : null;
  }, [electionId, institution]);
}
