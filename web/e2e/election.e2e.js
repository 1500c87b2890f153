// A whole election through the pages, checked by the real CLI: delegates
// check in and vote from the voting page (each in its own browser context,
// i.e. its own device), the officer runs the election from the dashboard,
// trustees decrypt with `urne trustee decrypt`, the results page shows the
// numbers the delegates chose and verifies the board in the browser, and
// `urne audit` agrees. Every page state reached is scanned with axe-core
// and photographed at phone and desktop width.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ARTIFACTS, WAIT, WAIT_LONG, axeScan, clickAndConfirm, cspViolations, download, missingFiles,
  electionSuite, screenshots, tid, visible, waitUntil,
} from './harness.js';
import { cast, openLink, prepare, storedKeys, storedRecord, waitBallot, waitCheckedIn } from './flows.js';

const suite = electionSuite({ name: 'election', institutions: 6 });
const context = (opts) => suite.context(opts);
const scans = [];
const downloads = path.join(ARTIFACTS, 'downloads');

/** axe scan + screenshots of one page state. */
async function record(page, name, label) {
  scans.push(await axeScan(page, label));
  await screenshots(page, name);
}

function firstNumber(text) {
  const m = /\d+/.exec(text.replace(/[\s\u00a0\u202f.]/g, ''));
  return m ? Number(m[0]) : NaN;
}

/** Reads a number shown in data-testid `id`, waiting until it equals `want`. */
async function waitNumber(page, id, want, timeout = WAIT) {
  await waitUntil(async () => firstNumber(await tid(page, id).innerText()) === want,
    async () => `${id} to show ${want} (shows "${await tid(page, id).innerText().catch(() => '?')}")`, timeout, 500);
}

/** Opens a tampered link: the integrity warning, no check-in (server and device). */
async function expectIntegrityWarning(url, institution, shot) {
  const before = await suite.election.turnout();
  const ctx = await context();
  const page = await openLink(ctx, url);
  await visible(page, 'integrity-warning');
  if (shot) await record(page, shot, 'voting page: integrity warning');
  // Give a (wrong) page time to go on anyway, then check that it did not.
  await page.waitForTimeout(3000);
  assert.equal(await tid(page, 'token-ready').isVisible(), false, 'no token-ready after an integrity warning');
  assert.equal((await suite.election.turnout()).tokens_issued, before.tokens_issued, 'the server issued no token');
  const rec = await storedRecord(page, suite.election.electionId, institution);
  assert.ok(!rec?.token, 'no token stored on the device');
  assert.deepEqual(cspViolations(ctx.problems), []);
  await ctx.close();
}

/**
 * The dashboard's election list tells the same state as the election's own
 * `state` line (a mismatch is recorded in `stale` and fails the test at its
 * end, so the rest of the election is still exercised).
 */
const stale = [];
async function listShowsState(officer, eid) {
  await waitUntil(async () => {
    const state = (await tid(officer, 'state').innerText()).trim();
    return state && (await tid(officer, `election-${eid}`).innerText()).includes(state);
  }, async () => `election-${eid} in the list to show the state "${await tid(officer, 'state').innerText()}" (shows "${(await tid(officer, `election-${eid}`).innerText().catch(() => '?')).replace(/\s+/g, ' ')}")`, 10_000, 500)
    .catch((e) => stale.push(e.message));
}

test('a link with a wrong roster fingerprint shows the integrity warning and checks nothing in', async () => {
  await expectIntegrityWarning(suite.election.tamperedLink(5), suite.election.links[5].institution);
});

test('a link whose credential context does not give the roster\'s key shows the integrity warning and checks nothing in', async () => {
  const link = suite.election.links[4];
  const x = new URLSearchParams(new URL(link.url).hash.slice(1)).get('x');
  const other = `${x[0] === 'A' ? 'B' : 'A'}${x.slice(1)}`;
  await expectIntegrityWarning(link.url.replace(`x=${x}`, `x=${other}`), link.institution, 'vote-integrity-warning');
});

// The delegates' choices (candidate indices from 0) and what the result must say.
const delegates = [
  { link: 0, marks: [0, 1, 2], challenge: true },
  { link: 1, marks: [0, 1], reload: true },
  { link: 2, marks: [0] },
  { link: 3, abstain: true },
];
const expected = { marks: [3, 2, 1, 0, 0], cast: 4, abstentions: 1, invalid: 0, elected: [0, 1], substitutes: [2] };

test('a whole election: check-in, reload, open, a challenge checked by urne, vote, close, decrypt, count, publish, results, verification and urne audit', async () => {
  const eid = suite.election.electionId;
  const names = suite.election.config.candidates.map((c) => c.name);
  const entitled = suite.election.links.length;

  // ---- the public pages and the officer's dashboard, before anything happens
  const pub = await context();
  const landing = await pub.newPage();
  await landing.goto(`${suite.election.url}/`);
  await record(landing, 'index', 'index page');

  const projector = await pub.newPage();
  await projector.goto(`${suite.election.url}/projector?e=${eid}`);
  await waitNumber(projector, 'projector-entitled', entitled);
  await waitNumber(projector, 'projector-tokens', 0);

  const off = await context();
  const officer = await off.newPage();
  await officer.goto(`${suite.election.url}/officer`);
  await visible(officer, 'officer-code');
  await record(officer, 'officer-signin', 'officer dashboard: sign-in');
  assert.ok(suite.election.officerCode, 'the officer code (urne officer keygen --code-out)');
  await tid(officer, 'officer-code').fill(suite.election.officerCode);
  await tid(officer, 'officer-signin').click();
  await visible(officer, 'officer-key');
  const select = tid(officer, `election-${eid}`);
  if (await select.isVisible().catch(() => false)) await select.click();
  await waitUntil(async () => /./.test(await tid(officer, 'state').innerText()), 'the dashboard shows the state');
  await waitNumber(officer, 'turnout-institutions', entitled); // the roster: the quorum's base
  await waitNumber(officer, 'turnout-tokens', 0);

  // ---- check-in from the letters' links
  const pages = [];
  for (const d of delegates) {
    const ctx = await context();
    const page = await openLink(ctx, suite.election.links[d.link].url);
    await waitCheckedIn(page);
    await visible(page, 'wait-open');
    assert.doesNotMatch(page.url(), /[#&]c=/, 'the voting code is removed from the address bar');
    pages.push(page);
  }
  await record(pages[0], 'vote-checked-in', 'voting page: checked in, waiting for the ballot box');
  assert.equal((await suite.election.turnout()).tokens_issued, delegates.length);
  await waitNumber(officer, 'turnout-tokens', delegates.length);
  await waitNumber(projector, 'projector-tokens', delegates.length);

  // The token backup is the CLI's token file format for this election.
  const backup = JSON.parse(await readFile(await download(pages[0], 'token-backup-download', downloads, 'token-backup.json'), 'utf8'));
  assert.equal(backup.format, 'urne-token/v1');
  assert.equal(backup.election_id, eid);
  assert.match(backup.token, /^[A-Za-z0-9_-]+$/);
  await tid(pages[0], 'token-backup-qr').click();
  await waitUntil(() => tid(pages[0], 'token-ready').locator('svg').count(), 'a QR code (svg) of the token in token-ready');
  await visible(pages[0], 'device-lost-info');

  // ---- a reload between check-in and voting keeps the token
  const reloaded = pages[1];
  const tokenBefore = (await storedRecord(reloaded, eid, suite.election.links[1].institution))?.token;
  assert.ok(tokenBefore, 'the token is in localStorage before the reload');
  await reloaded.reload({ waitUntil: 'load' });
  await waitCheckedIn(reloaded);
  assert.equal((await storedRecord(reloaded, eid, suite.election.links[1].institution))?.token, tokenBefore);
  assert.equal((await suite.election.turnout()).tokens_issued, delegates.length, 'the reload fetched no second token');

  // ---- the officer opens the ballot box (with a confirmation; "no" changes nothing)
  await tid(officer, 'open-button').click();
  await visible(officer, 'confirm-dialog');
  await tid(officer, 'confirm-no').click();
  await tid(officer, 'confirm-dialog').waitFor({ state: 'hidden' });
  await officer.waitForTimeout(1000);
  assert.equal(await suite.election.state(), 'published', 'confirm-no did not open the box');
  await tid(officer, 'open-button').click();
  await visible(officer, 'confirm-dialog');
  await record(officer, 'officer-confirm-open', 'officer dashboard: confirm dialog');
  await tid(officer, 'confirm-yes').click();
  await suite.election.waitForState('open');
  await listShowsState(officer, eid);
  await record(officer, 'officer-open', 'officer dashboard: ballot box open');

  // ---- the ballot appears on every delegate's page
  for (const page of pages) await waitBallot(page);
  await record(pages[0], 'vote-ballot', 'voting page: ballot');
  await record(pages[1], 'vote-ballot-after-reload', 'voting page: ballot after a reload');

  // Delegate 0: the limit of 3 marks, then a Benaloh challenge checked by urne.
  const p0 = pages[0];
  await prepare(p0, { marks: [0, 1, 2] });
  const review = await tid(p0, 'review-list').innerText();
  for (const i of [0, 1, 2]) assert.ok(review.includes(names[i]), `review lists ${names[i]}`);
  assert.ok(!review.includes(names[3]), 'review lists only the chosen');
  await record(p0, 'vote-review', 'voting page: review');
  await tid(p0, 'challenge-button').click();
  await visible(p0, 'challenge-result', 60_000);
  const challengeText = await tid(p0, 'challenge-result').innerText();
  for (const i of [0, 1, 2]) assert.ok(challengeText.includes(names[i]), `the challenge result shows ${names[i]}`);
  await record(p0, 'vote-challenge', 'voting page: challenge result');
  const spoiled = await download(p0, 'spoiled-download', downloads, 'spoiled-ballot.json');
  const spoiledJson = JSON.parse(await readFile(spoiled, 'utf8'));
  assert.equal(spoiledJson.format, 'urne-spoiled-ballot/v1');
  const checked = await suite.election.urne(['vote', 'check-spoiled', '--spoiled', spoiled]);
  for (const i of [0, 1, 2]) assert.ok(checked.stdout.includes(names[i]), `urne vote check-spoiled shows ${names[i]}:\n${checked.stdout}`);
  for (const i of [3, 4]) assert.ok(!checked.stdout.includes(names[i]), `urne vote check-spoiled does not show ${names[i]}`);
  await tid(p0, 'new-ballot-button').click();
  await waitBallot(p0);
  // The limit: a 4th mark is refused.
  await tid(p0, 'candidate-0').check();
  await tid(p0, 'candidate-1').check();
  await tid(p0, 'candidate-2').check();
  assert.match(await tid(p0, 'mark-counter').innerText(), /3/);
  const fourth = tid(p0, 'candidate-3');
  if (!(await fourth.isDisabled())) {
    await fourth.click();
    assert.equal(await fourth.isChecked(), false, 'a 4th mark is refused (max_marks 3)');
  }
  await tid(p0, 'review-button').click();
  await visible(p0, 'review-list');
  const receipts = [await cast(p0)];
  await record(p0, 'vote-receipt', 'voting page: receipt');
  const receiptFile = await download(p0, 'receipt-download', downloads, 'receipt.txt');

  // The spoiled ballot was never cast: only the cast ballot counts.
  for (let i = 1; i < delegates.length; i++) {
    await prepare(pages[i], delegates[i]);
    receipts.push(await cast(pages[i]));
  }
  assert.equal(new Set(receipts).size, receipts.length, 'every ballot has its own receipt');
  assert.equal((await suite.election.turnout()).ballots_cast, delegates.length);
  await waitNumber(officer, 'turnout-ballots', delegates.length);
  await waitNumber(projector, 'projector-ballots', delegates.length);
  await record(projector, 'projector', 'projector');

  // A delegate who voted sees that, not a second ballot (also after a reload).
  await p0.reload({ waitUntil: 'load' });
  await visible(p0, 'already-voted');
  assert.equal(await tid(p0, 'candidate-0').isVisible(), false, 'no second ballot');
  await record(p0, 'vote-already-voted', 'voting page: already voted');

  // ---- the officer closes with the lot seed (confirmation)
  await tid(officer, 'lot-seed-input').setInputFiles(suite.election.lotSeedFile);
  await clickAndConfirm(officer, 'close-button', async () => (await suite.election.state()) === 'closed', { requireDialog: true });
  await waitUntil(async () => /closed|geschlossen/i.test(await tid(projector, 'projector-state').innerText()), 'the projector shows the close', WAIT);

  // ---- trustees 1 and 3 decrypt with the CLI; the dashboard follows
  await suite.election.decrypt([1, 3]);
  await waitUntil(async () => /2\D+(2|3)/.test(await tid(officer, 'trustees').innerText()), 'the dashboard shows 2 partials', WAIT);
  await record(officer, 'officer-closed', 'officer dashboard: closed, partials in');

  // ---- count and publish from the dashboard
  await clickAndConfirm(officer, 'count-button', async () => (await suite.election.state()) === 'tallied');
  await clickAndConfirm(officer, 'publish-result-button', async () => (await suite.election.state()) === 'result_published');
  await listShowsState(officer, eid);
  await record(officer, 'officer-published', 'officer dashboard: result published');

  // ---- the results page shows the numbers the delegates chose
  const res = await pub.newPage();
  await res.goto(`${suite.election.url}/results?e=${eid}`);
  await visible(res, 'result-table');
  for (let i = 0; i < names.length; i++) {
    const row = tid(res, `result-row-${i}`);
    assert.equal(Number(await row.getAttribute('data-marks')), expected.marks[i], `marks of ${names[i]}`);
    assert.ok((await row.innerText()).includes(names[i]), `row ${i} names ${names[i]}`);
  }
  const elected = await tid(res, 'elected').innerText();
  const substitutes = await tid(res, 'substitutes').innerText();
  for (const i of expected.elected) assert.ok(elected.includes(names[i]), `${names[i]} elected`);
  for (const i of expected.substitutes) assert.ok(substitutes.includes(names[i]) && !elected.includes(names[i]), `${names[i]} substitute`);
  for (const i of [3, 4]) assert.ok(!elected.includes(names[i]) && !substitutes.includes(names[i]), `${names[i]} neither`);
  assert.equal(firstNumber(await tid(res, 'abstentions').innerText()), expected.abstentions);
  assert.equal(firstNumber(await tid(res, 'invalid').innerText()), expected.invalid);
  assert.equal(firstNumber(await tid(res, 'cast').innerText()), expected.cast);
  assert.equal(await res.locator('[data-testid="result-chart"] rect, svg[data-testid="result-chart"] rect').count() > 0, true, 'an SVG bar chart');
  assert.match(await tid(res, 'audit-command').innerText(), new RegExp(`urne audit[^]*${eid}`));
  // The downloads: the board urne audit verifies, and the Wahlniederschrift
  // the server renders from it (HTML), naming every candidate and the audit.
  const boardFile = await download(res, 'download-board', downloads);
  assert.equal((await readFile(boardFile)).length > 0, true, 'the board downloads');
  const minutesFile = await download(res, 'download-minutes', downloads);
  const minutes = await readFile(minutesFile, 'utf8');
  assert.match(minutes, /Wahlniederschrift/);
  for (const n of names) assert.ok(minutes.includes(n), `the minutes name ${n}`);
  assert.match(minutes, new RegExp(`urne audit --board ${path.basename(boardFile)}`), 'the minutes name the downloaded board file');
  await record(res, 'results', 'results page');

  // ---- in-browser verification of the board
  await tid(res, 'verify-button').click();
  const verdict = tid(res, 'verify-verdict');
  await verdict.waitFor({ state: 'visible', timeout: WAIT_LONG });
  await waitUntil(async () => (await verdict.getAttribute('data-verdict')) !== null, 'a verdict', WAIT_LONG, 500);
  assert.equal(await verdict.getAttribute('data-verdict'), 'pass', await tid(res, 'verify-checks').innerText());
  const browserChecks = await tid(res, 'verify-checks').locator('li').evaluateAll((lis) => lis.map((li) => [li.dataset.check, li.dataset.status]));
  // The same checks, with the same outcome, as `urne audit` (ballot/audit.hpp).
  const audit = JSON.parse((await suite.election.urne(['audit', '--json'])).stdout);
  assert.equal(audit.verdict, 'pass');
  assert.deepEqual(browserChecks, audit.checks.map((c) => [c.name, c.status]), 'the browser runs the checks of urne audit');
  await record(res, 'results-verified', 'results page: verification done');

  // ---- the receipt downloaded from the voting page, checked on the results page
  await tid(res, 'receipt-check-input').setInputFiles(receiptFile);
  const rc = tid(res, 'receipt-check-result');
  await waitUntil(async () => (await rc.getAttribute('data-ok')) !== null, 'receipt-check-result (data-ok)');
  assert.equal(await rc.getAttribute('data-ok'), 'true', `the receipt is found on the board: ${await rc.innerText()}`);
  const goodText = await rc.innerText();
  // A receipt changed in one character (signature or ballot hash broken) must not pass.
  const bad = path.join(downloads, 'receipt-tampered.txt');
  const good = (await readFile(receiptFile, 'utf8')).trim();
  const flipAt = Math.floor(good.length / 2);
  await writeFile(bad, `${good.slice(0, flipAt)}${good[flipAt] === 'A' ? 'B' : 'A'}${good.slice(flipAt + 1)}\n`);
  await tid(res, 'receipt-check-input').setInputFiles(bad);
  await waitUntil(async () => (await rc.innerText()) !== goodText, 'receipt-check-result for the tampered receipt');
  assert.equal(await rc.getAttribute('data-ok'), 'false', `a tampered receipt fails: ${await rc.innerText()}`);
  await record(res, 'results-receipt-checked', 'results page: receipt checked');

  // ---- the spoiled ballot, checked on the results page too
  await tid(res, 'spoiled-check-input').setInputFiles(spoiled);
  const sc = tid(res, 'spoiled-check-result');
  await waitUntil(async () => (await sc.getAttribute('data-ok')) !== null, 'spoiled-check-result (data-ok)');
  assert.equal(await sc.getAttribute('data-ok'), 'true', await sc.innerText());
  for (const i of [0, 1, 2]) assert.ok((await sc.innerText()).includes(names[i]), `the spoiled ballot shows ${names[i]}`);
  for (const i of [3, 4]) assert.ok(!(await sc.innerText()).includes(names[i]), `the spoiled ballot does not show ${names[i]}`);

  // ---- urne audit with the receipt (the CLI's verdict, plain form)
  const withReceipt = JSON.parse((await suite.election.urne(['audit', '--election', eid, '--receipt', receiptFile, '--json'])).stdout);
  assert.equal(withReceipt.verdict, 'pass');
  assert.deepEqual(withReceipt.checks.filter((c) => c.name.startsWith('receipt.')).map((c) => [c.name, c.status]),
    [['receipt.signature', 'pass'], ['receipt.on_board', 'pass']], 'urne audit finds the receipt downloaded from the voting page');
  await suite.election.urne(['audit', '--election', eid, '--receipt', receiptFile]); // the plain form exits 0 too

  assert.deepEqual(stale, [], 'the dashboard\'s election list follows the state');
  for (const c of suite.contexts) assert.deepEqual(cspViolations(c.problems), [], 'no page broke the CSP');
  for (const c of suite.contexts) assert.deepEqual(missingFiles(c.problems), [], 'every file a page asked for exists');
  const errors = suite.contexts.flatMap((c) => c.problems.filter((p) => p.startsWith('pageerror')));
  assert.deepEqual(errors, [], 'no uncaught error in any page');
});

test('axe-core finds no serious or critical violation on any page state reached', () => {
  const want = ['index page', 'voting page: checked in, waiting for the ballot box', 'voting page: ballot', 'voting page: review',
    'voting page: challenge result', 'voting page: receipt', 'voting page: already voted', 'voting page: integrity warning',
    'officer dashboard: sign-in', 'officer dashboard: confirm dialog', 'officer dashboard: ballot box open', 'projector',
    'results page', 'results page: verification done'];
  for (const s of scans) {
    console.log(`# axe ${s.label}: ${s.serious.length} serious/critical, ${s.other.length} other`);
    for (const o of s.other) console.log(`#   ${o.replace(/\n/g, '\n#   ')}`);
  }
  const serious = scans.flatMap((s) => s.serious.map((v) => `${s.label} (${s.url}): ${v}`));
  assert.deepEqual(serious, [], 'serious/critical axe violations');
  const scanned = new Set(scans.map((s) => s.label));
  assert.deepEqual(want.filter((w) => !scanned.has(w)), [], 'every page state was reached and scanned');
});
