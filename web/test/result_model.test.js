// The results page's and dashboard's pure helpers, against the result view
// of a real demo election (test/fixtures/demo-result.json: GET …/result of
// `scripts/demo.sh`, 12 candidates, 7 seats, 2 substitutes, a lot for the
// 7th seat).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hexEncode } from '../src/crypto/bytes.js';
import {
  auditCommand, chartGeometry, lotSeedFileText, lotSummary, nextTransition, parseLotSeedText,
  practiceManifestFields, quorumStatus, resultFigures, resultRows, shortHex, trusteeProgress, truncateUtf8,
} from '../src/app/result_model.js';

const view = JSON.parse(readFileSync(new URL('./fixtures/demo-result.json', import.meta.url), 'utf8'));

function reason(fn) {
  try {
    fn();
  } catch (e) {
    return e.reason;
  }
  return 'no error';
}

test('the rows follow the ranking and carry marks, status and substitute places', () => {
  const rows = resultRows(view);
  assert.equal(rows.length, 12);
  assert.deepEqual(rows.map((r) => r.index), view.ranking);
  assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const hanna = rows.find((r) => r.name === 'Hanna Schulz');
  assert.equal(hanna.status, 'elected');
  assert.equal(hanna.marks, 21);
  const goran = rows.find((r) => r.index === 6);
  assert.equal(goran.status, 'substitute');
  assert.equal(goran.substitutePlace, 1);
  assert.equal(rows.find((r) => r.index === 8).substitutePlace, 2);
  assert.equal(rows.filter((r) => r.status === 'elected').length, 7);
  assert.equal(rows[0].share, 42 / 42);
});

test('a ranking that names no candidate is refused', () => {
  assert.equal(reason(() => resultRows({ ...view, ranking: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99] })), 'bad_result_view');
  assert.equal(reason(() => resultRows({ ...view, ranking: [0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] })), 'bad_result_view');
  const bad = structuredClone(view);
  bad.candidates[0].marks = -1;
  assert.equal(reason(() => resultRows(bad)), 'bad_result_view');
  assert.equal(reason(() => resultRows({})), 'bad_result_view');
});

test('the figures are the view’s turnout numbers', () => {
  assert.deepEqual(resultFigures(view), { entitled: 50, checkedIn: 48, cast: 45, valid: 42, abstentions: 2, invalid: 1 });
  assert.equal(reason(() => resultFigures({ ...view, valid: 1.5 })), 'bad_result_view');
});

test('the chart’s longest bar fills the plot and a bar without marks has no width', () => {
  const rows = resultRows(view);
  const g = chartGeometry(rows, { width: 600, labelWidth: 200, valueRoom: 40, barHeight: 20, gap: 10 });
  assert.equal(g.maxMarks, 42);
  assert.equal(g.bars.length, 12);
  assert.equal(g.bars[0].barWidth, 360);
  assert.equal(g.bars[11].barWidth, 0);
  assert.equal(g.bars[6].barWidth, (21 / 42) * 360);
  assert.equal(g.height, 10 + 12 * 30);
  assert.ok(g.bars.every((b, i) => b.y === 10 + i * 30 && b.barX === 200));
  const empty = chartGeometry(rows.map((r) => ({ ...r, marks: 0 })));
  assert.ok(empty.bars.every((b) => b.barWidth === 0));
});

test('the lot summary names the tied candidates, the drawn order and the seed', () => {
  const lot = lotSummary(view);
  assert.equal(lot.drawn, true);
  assert.equal(lot.seed, view.lot.seed);
  assert.equal(lot.groups.length, 2);
  const drawn = lot.groups.find((g) => g.resolution === 'lot');
  assert.deepEqual(drawn.members, [6, 7]);
  assert.deepEqual(drawn.drawnOrder, [7, 6]);
  assert.equal(drawn.firstRank, 7);
  assert.deepEqual(lot.keys.map((k) => k.candidate), [7, 6]);
  assert.equal(lot.groups[0].resolution, 'not_needed');
});

test('the audit command names election, server and a fingerprint placeholder', () => {
  assert.equal(
    auditCommand(view.election_id, 'https://127.0.0.1:8443', 'FP'),
    `urne audit --election ${view.election_id} --server https://127.0.0.1:8443 --fingerprint FP`,
  );
  assert.equal(reason(() => auditCommand('ABC', 'https://x')), 'bad_election_id');
  assert.equal(reason(() => auditCommand(view.election_id.toUpperCase(), 'https://x')), 'bad_election_id');
  assert.equal(reason(() => auditCommand(view.election_id, 'https://x; rm -rf /')), 'bad_origin');
});

test('the quorum needs more than the fraction of the entitled', () => {
  assert.deepEqual(quorumStatus(50, 25), { entitled: 50, checkedIn: 25, needed: 26, reached: false });
  assert.equal(quorumStatus(50, 26).reached, true);
  assert.equal(quorumStatus(51, 26).needed, 26);
  assert.equal(quorumStatus(3, 2, 2 / 3).needed, 3);
  assert.equal(quorumStatus(0, 0).reached, false);
  assert.equal(quorumStatus(10, 1, 0).needed, 1);
  assert.equal(reason(() => quorumStatus(10, 1, 1)), 'bad_quorum_fraction');
  assert.equal(reason(() => quorumStatus(-1, 1)), 'bad_result_view');
});

test('the next transition follows the life cycle and ends after the result', () => {
  assert.deepEqual(nextTransition('draft', 0), { state: 'published', sequence: 1 });
  assert.deepEqual(nextTransition('open', 2), { state: 'closed', sequence: 3 });
  assert.equal(nextTransition('result_published', 5), null);
  assert.equal(reason(() => nextTransition('voting', 1)), 'bad_state');
});

test('a lot-seed file reads back to its 32 bytes, anything else is malformed', () => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  assert.equal(lotSeedFileText(seed), `${hexEncode(seed)}\n`);
  assert.deepEqual(parseLotSeedText(lotSeedFileText(seed)), seed);
  assert.deepEqual(parseLotSeedText(`  ${hexEncode(seed).toUpperCase()}\r\n`), seed);
  for (const bad of ['', 'zz', hexEncode(seed).slice(2), `${hexEncode(seed)}00`, `${hexEncode(seed).slice(1)}g`]) {
    assert.equal(reason(() => parseLotSeedText(bad)), 'lot_seed_malformed', bad);
  }
});

test('short hex is four groups of four digits', () => {
  assert.equal(shortHex(view.election_id), '7856 accd e4be c371');
  assert.equal(shortHex(Uint8Array.from([0xd3, 0x08, 0xe9, 0x0d, 0xbd, 0xe0, 0x36, 0x26, 1])), 'd308 e90d bde0 3626');
});

test('the trustees’ progress counts partials against k of n', () => {
  assert.equal(trusteeProgress({ phase: 'open', summary: {} }), null);
  const p = trusteeProgress({ manifest: { threshold: 2, trustees: 3 }, partials: [{ trustee: 1, partials: [] }] });
  assert.deepEqual(p, { threshold: 2, trustees: 3, done: [1], enough: false });
  assert.equal(trusteeProgress({ manifest: { threshold: 2, trustees: 3 }, partials: [{ trustee: 1 }, { trustee: 3 }] }).enough, true);
});

test('the practice manifest keeps the election’s keys and takes the new candidates', () => {
  const base = {
    title: 'Wahl', kind: 'Wahl', description: 'x', rosterFingerprint: new Uint8Array(32).fill(1), candidates: [],
    seats: 7, substitutes: 2, maxMarks: 7, invalidOffered: true, tieRule: 'lot', lotSeedCommitment: new Uint8Array(32).fill(2),
    tokenIssuerName: 'urne.example', tokenPublicKey: new Uint8Array(342), ceremonyId: new Uint8Array(32).fill(3),
    trustees: 3, threshold: 2, qualCommitments: [new Uint8Array(163)], serviceKey: new Uint8Array(32).fill(4),
    officerKey: new Uint8Array(32).fill(5), pageHash: new Uint8Array(32).fill(6),
  };
  const lsc = new Uint8Array(32).fill(9);
  const pk = new Uint8Array(342).fill(8);
  const yesNo = practiceManifestFields(base, { title: ' Probeabstimmung ', kind: 'Probeabstimmung', candidates: ['Ja', 'Nein', ''], tokenPublicKey: pk, lotSeedCommitment: lsc });
  assert.equal(yesNo.title, 'Probeabstimmung');
  assert.deepEqual(yesNo.candidates, [{ name: 'Ja', affiliation: '' }, { name: 'Nein', affiliation: '' }]);
  assert.deepEqual([yesNo.seats, yesNo.substitutes, yesNo.maxMarks], [1, 0, 1]);
  assert.equal(yesNo.lotSeedCommitment, lsc);
  assert.equal(yesNo.tokenPublicKey, pk);
  assert.equal(yesNo.description, null);
  for (const k of ['rosterFingerprint', 'ceremonyId', 'qualCommitments', 'serviceKey', 'officerKey', 'pageHash', 'tokenIssuerName', 'invalidOffered', 'tieRule']) {
    assert.equal(yesNo[k], base[k], k);
  }
  const three = practiceManifestFields(base, { title: 'P', kind: 'P', candidates: ['A', 'B', 'Ca\u0301'], tokenPublicKey: pk, lotSeedCommitment: lsc });
  assert.deepEqual([three.seats, three.substitutes, three.maxMarks], [7, 2, 3]);
  assert.equal(three.candidates[2].name, 'C\u00e1');
  assert.equal(reason(() => practiceManifestFields(base, { title: 'P', kind: 'P', candidates: ['A', ' A'], tokenPublicKey: pk, lotSeedCommitment: lsc })), 'duplicate_candidate');
  assert.equal(reason(() => practiceManifestFields(base, { title: 'P', kind: 'P', candidates: [' '], tokenPublicKey: pk, lotSeedCommitment: lsc })), 'no_candidates');
});

test('truncation counts UTF-8 bytes and never splits a character', () => {
  assert.equal(truncateUtf8('abc', 3), 'abc');
  assert.equal(truncateUtf8('ääb', 3), 'ä');
  assert.equal(truncateUtf8('a b', 2), 'a');
});
