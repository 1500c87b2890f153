// The practice ballot the officer starts on the dashboard: made in the
// browser from the running election's manifest (same roster, trustees and
// keys; its own candidates, token key and lot seed), created with
// officer-signed setup requests, then run like any ballot: published and
// opened from the dashboard, voted on from the voting page (which now offers
// two ballots of the letter's roster), closed with the lot-seed file the
// dashboard offered before creating it, decrypted by the trustees with the
// CLI, counted and published from the dashboard, and audited by `urne audit`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS, clickAndConfirm, electionSuite, tid, visible, waitUntil } from './harness.js';
import { cast, openLink, prepare, waitCheckedIn } from './flows.js';
import { lotSeedCommitment } from '../src/crypto/manifest_writer.js';
import { hexDecode, hexEncode } from '../src/crypto/bytes.js';

const suite = electionSuite({ name: 'practice', institutions: 3 });
const context = (opts) => suite.context(opts);

test('a practice ballot started on the dashboard runs from creation to an audited result', async () => {
  const e = suite.election;
  const stateOf = async (id) => (await e.api(`/api/v1/elections/${id}`)).state;

  const officer = await (await context()).newPage();
  await officer.goto(`${e.url}/officer`);
  await tid(officer, 'officer-code').fill(e.officerCode);
  await tid(officer, 'officer-signin').click();
  await visible(officer, 'officer-key');
  const mainButton = tid(officer, `election-${e.electionId}`);
  if (await mainButton.isVisible().catch(() => false)) await mainButton.click();

  // ---- create: the seed file first, then the election
  await tid(officer, 'practice-button').click();
  assert.ok(await officer.locator('#practice-create').isDisabled(), 'no practice ballot before its lot seed is saved');
  const [dl] = await Promise.all([officer.waitForEvent('download'), officer.locator('#practice-seed-download').click()]);
  const seedFile = path.join(ARTIFACTS, 'downloads', 'practice-lot-seed');
  await dl.saveAs(seedFile);
  const seed = hexDecode((await readFile(seedFile, 'utf8')).trim());
  assert.equal(seed.length, 32, 'the lot-seed file holds 32 bytes in hex, as urne writes it');
  await officer.locator('#practice-candidates').fill('Ja\nNein');
  await officer.locator('#practice-create').click();

  let practiceId;
  await waitUntil(async () => {
    const list = await e.api('/api/v1/elections');
    practiceId = list.elections.map((x) => x.election_id).find((id) => id !== e.electionId);
    return Boolean(practiceId);
  }, 'the practice ballot exists on the server');
  const main = (await e.api(`/api/v1/elections/${e.electionId}`)).manifest;
  const practice = (await e.api(`/api/v1/elections/${practiceId}`)).manifest;
  assert.deepEqual(practice.candidates.map((c) => c.name), ['Ja', 'Nein']);
  assert.equal(practice.roster_fingerprint, main.roster_fingerprint, 'the same letters');
  assert.equal(practice.election_key, main.election_key, 'the same trustees');
  assert.equal(practice.officer_key, main.officer_key);
  assert.notEqual(practice.token_public_key, main.token_public_key, 'a token key of its own');
  assert.equal(practice.lot_seed_commitment, hexEncode(lotSeedCommitment(seed)), 'the manifest commits to the seed in the downloaded file');
  assert.equal(await stateOf(practiceId), 'draft');

  // ---- publish and open from the dashboard (it selected the new ballot)
  await waitUntil(async () => (await tid(officer, 'state').getAttribute('data-state')) === 'draft', 'the dashboard shows the practice ballot');
  await clickAndConfirm(officer, 'publish-button', async () => (await stateOf(practiceId)) === 'published', { requireDialog: true });
  await clickAndConfirm(officer, 'open-button', async () => (await stateOf(practiceId)) === 'open', { requireDialog: true });

  // ---- a delegate: the letter's roster now has two ballots
  const page = await openLink(await context(), e.links[0].url);
  await visible(page, 'election-select');
  await page.selectOption('[data-testid="election-select"]', practiceId);
  await tid(page, 'election-select-submit').click();
  await waitCheckedIn(page);
  await prepare(page, { marks: [0] });
  await cast(page);
  await waitUntil(async () => (await e.api(`/api/v1/elections/${practiceId}/turnout`)).ballots_cast === 1, 'the practice ballot is in the box');
  assert.equal((await e.turnout()).ballots_cast, 0, 'the election itself got no ballot');

  // ---- close with the downloaded seed file, decrypt, count, publish
  await tid(officer, 'lot-seed-input').setInputFiles(seedFile);
  await clickAndConfirm(officer, 'close-button', async () => (await stateOf(practiceId)) === 'closed', { requireDialog: true });
  for (const j of [1, 2]) {
    const t = e.trustees[j - 1];
    await e.urne(['trustee', 'decrypt', '--election', practiceId, '--share', t.share, '--passphrase-file', t.passphraseFile]);
  }
  await clickAndConfirm(officer, 'count-button', async () => (await stateOf(practiceId)) === 'tallied', { requireDialog: true });
  await clickAndConfirm(officer, 'publish-result-button', async () => (await stateOf(practiceId)) === 'result_published', { requireDialog: true });

  const result = await e.api(`/api/v1/elections/${practiceId}/result`);
  assert.deepEqual(result.candidates.map((c) => c.marks), [1, 0], 'one mark for Ja');
  const audit = JSON.parse((await e.urne(['audit', '--election', practiceId, '--json'])).stdout);
  assert.equal(audit.verdict, 'pass');
});
