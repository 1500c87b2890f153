import test from 'node:test';
import assert from 'node:assert/strict';
import { hexEncode } from '../src/crypto/bytes.js';
import { lotSeedCommitment } from '../src/crypto/manifest_writer.js';
import {
  TIE_LOT, TIE_NOT_NEEDED, TIE_RUNOFF, ballotSetHash, compareBytes, countVotes as count, lotKey, lotSeedMatches,
} from '../src/crypto/counting.js';
import { throwsReason } from '../testlib/helpers.js';

const fill = (v) => new Uint8Array(32).fill(v);
const lotFrom = (s, h) => ({ seed: fill(s), ballotSetHash: fill(h) });
const marks = (...v) => v.map(BigInt);
const RULE = { seats: 7, substitutes: 2, tieRule: 'lot' };

test('the lot commitment, a lot key and a ballot set hash match the vectors of protocol.md §9.2', () => {
  assert.equal(hexEncode(lotSeedCommitment(fill(0x42))), '59b4c436d0f05e475f4370a94fba9403ab8f89f0d274d1be91a5a78355396dee');
  assert.equal(hexEncode(lotKey(lotFrom(0x42, 0x17), 3)), '8e2ddfe9cc9fcc307df8a0f49634e5b1432526e905fa28985969fe4002e3d3ea');
  assert.equal(hexEncode(ballotSetHash([fill(2), fill(1)])), '45aa76190e4e2c27a059829477ef5c88afc7a8b7850131f83194ff01211a8a77');
  assert.equal(hexEncode(ballotSetHash([fill(1), fill(2)])), '45aa76190e4e2c27a059829477ef5c88afc7a8b7850131f83194ff01211a8a77');
});

test('a revealed seed matches only its own commitment', () => {
  const c = lotSeedCommitment(fill(0x42));
  assert.ok(lotSeedMatches(fill(0x42), c));
  const other = fill(0x42);
  other[0] ^= 0x80;
  assert.ok(!lotSeedMatches(other, c));
});

test('without ties the top seven are elected and the next two are substitutes in order', () => {
  const o = count(marks(50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40), RULE, null);
  assert.deepEqual(o.elected, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(o.substitutes, [7, 8]);
  assert.deepEqual(o.ties, []);
  assert.equal(o.lotDrawn, false);
});

test('a tie inside the elected ranks or beyond the last substitute place is reported and not drawn', () => {
  const a = count(marks(30, 30, 30, 20, 19, 18, 17, 16, 15, 14), RULE, null);
  assert.equal(a.ties.length, 1);
  assert.equal(a.ties[0].resolution, TIE_NOT_NEEDED);
  assert.deepEqual(a.ties[0].members, [0, 1, 2]);
  const b = count(marks(20, 19, 18, 17, 16, 15, 14, 13, 12, 5, 5), RULE, null);
  assert.equal(b.ties[0].firstRank, 10);
  assert.equal(b.ties[0].resolution, TIE_NOT_NEEDED);
  assert.deepEqual(b.substitutes, [7, 8]);
});

test('a tie at the last seat is settled by the lower lot key', () => {
  const lot = lotFrom(1, 2);
  const o = count(marks(20, 19, 18, 17, 16, 15, 10, 10, 5, 4), RULE, lot);
  assert.equal(o.ties[0].resolution, TIE_LOT);
  assert.ok(o.lotDrawn);
  const sixFirst = compareBytes(lotKey(lot, 6), lotKey(lot, 7)) < 0;
  assert.equal(o.elected[6], sixFirst ? 6 : 7);
  assert.deepEqual(o.substitutes, [sixFirst ? 7 : 6, 8]);
});

test('without lot inputs a tie that matters cannot be counted', () => {
  throwsReason(() => count(marks(20, 19, 18, 17, 16, 15, 10, 10, 5), RULE, null), 'lot_inputs_missing');
});

test('under the runoff rule a tie that matters leaves its places undecided', () => {
  const o = count(marks(20, 19, 18, 17, 16, 15, 10, 10, 10, 4), { ...RULE, tieRule: 'runoff' }, null);
  assert.equal(o.ties[0].resolution, TIE_RUNOFF);
  assert.deepEqual(o.undecidedRanks, [7, 8, 9]);
  assert.deepEqual(o.elected, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(o.substitutes, []);
  assert.equal(o.lotDrawn, false);
});

test('candidates without marks are neither elected nor substitutes and form no tie', () => {
  const o = count(marks(3, 0, 0, 0), { seats: 2, substitutes: 1, tieRule: 'lot' }, null);
  assert.deepEqual(o.elected, [0]);
  assert.deepEqual(o.substitutes, []);
  assert.deepEqual(o.ties, []);
  assert.deepEqual(o.ranking, [0, 1, 2, 3]);
});

test('the lot is reproducible and changes with the seed', () => {
  const m = marks(5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5);
  const a = count(m, RULE, lotFrom(9, 9));
  assert.deepEqual(count(m, RULE, lotFrom(9, 9)).ranking, a.ranking);
  assert.notDeepEqual(count(m, RULE, lotFrom(8, 9)).ranking, a.ranking);
  assert.notDeepEqual(count(m, RULE, lotFrom(9, 8)).ranking, a.ranking);
});
