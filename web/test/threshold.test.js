import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBoard } from '../src/crypto/board.js';
import { GENERATOR, IDENTITY, baseMul, scalarFromU64 } from '../src/crypto/group.js';
import {
  MAX_DLOG_BOUND, PARTIAL_SIZE, combinePartials, decryptTotals, discreteLog, encodePartial, lagrangeAtZero, parsePartial,
  thresholdKey, verifyPartial,
} from '../src/crypto/threshold.js';
import { throwsReason } from '../testlib/helpers.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'board');
const board = parseBoard(new Uint8Array(fs.readFileSync(path.join(dir, 'board.urne'))));
const m = board.manifest;
const key = thresholdKey(m);
const [t1, t3] = board.partials;

test("the C++ trustees' partial decryptions verify against the published sums and public shares", () => {
  assert.deepEqual(board.partials.map((t) => t.trustee), [1, 3]);
  for (const t of board.partials) {
    t.partials.forEach((p, s) => {
      verifyPartial(key, m.electionId, board.sums[s], p);
      assert.deepEqual(encodePartial(p), p.bytes);
    });
  }
});

test('the totals decrypt from trustees 1 and 3 (2 of 3) and not from one of them', () => {
  const totals = decryptTotals(key, m.electionId, board.sums, [t1.partials, t3.partials], 5);
  assert.deepEqual(totals, [2, 2, 2, 0, 1, 1]);
  assert.deepEqual(decryptTotals(key, m.electionId, board.sums, [t3.partials, t1.partials], 5), totals);
  throwsReason(() => decryptTotals(key, m.electionId, board.sums, [t1.partials], 5), 'too_few_partials');
  throwsReason(() => decryptTotals(key, m.electionId, board.sums, [t1.partials, t1.partials], 5), 'duplicate_index');
  throwsReason(() => decryptTotals(key, m.electionId, board.sums, [t1.partials, t3.partials.slice(1)], 5), 'bad_partial_count');
  throwsReason(() => decryptTotals(key, m.electionId, board.sums, [t1.partials, [t1.partials[0], ...t3.partials.slice(1)]], 5), 'inconsistent_partials');
  // A bound below a total: the decryption is no total of that many ballots.
  throwsReason(() => decryptTotals(key, m.electionId, board.sums, [t1.partials, t3.partials], 1), 'dlog_not_found');
});

test('a partial moved to another sum, another election or another trustee does not verify', () => {
  const p = t1.partials[0];
  throwsReason(() => verifyPartial(key, m.electionId, board.sums[1], p), 'bad_proof');
  const otherId = m.electionId.slice();
  otherId[0] ^= 1;
  throwsReason(() => verifyPartial(key, otherId, board.sums[0], p), 'bad_proof');
  throwsReason(() => verifyPartial(key, m.electionId, board.sums[0], { ...p, trustee: 2 }), 'bad_proof');
  throwsReason(() => verifyPartial(key, m.electionId, board.sums[0], { ...p, d: p.d.add(GENERATOR) }), 'bad_proof');
  throwsReason(() => verifyPartial(key, m.electionId, board.sums[0], { ...p, z: p.z + 1n }), 'bad_proof');
  throwsReason(() => verifyPartial(key, m.electionId, board.sums[0], { ...p, trustee: 4 }), 'bad_index');
  throwsReason(() => verifyPartial(key, m.electionId, board.sums[0], { ...p, ceremonyId: new Uint8Array(32) }), 'wrong_ceremony');
  throwsReason(() => combinePartials(key, m.electionId, board.sums[0], [t1.partials[1], t3.partials[0]]), 'bad_proof');
});

test('the partial decryption parser refuses malformed encodings in the C++ order', () => {
  const params = key.params;
  const good = t3.partials[2].bytes;
  const with_ = (i, v) => { const b = good.slice(); b[i] = v; return b; };
  assert.equal(parsePartial(good, params).trustee, 3);
  throwsReason(() => parsePartial(good.subarray(0, PARTIAL_SIZE - 1), params), 'bad_length');
  throwsReason(() => parsePartial(with_(0, 0x04), params), 'bad_tag');
  throwsReason(() => parsePartial(with_(1, good[1] ^ 1), params), 'wrong_ceremony');
  throwsReason(() => parsePartial(with_(33, 0), params), 'bad_index');
  throwsReason(() => parsePartial(with_(33, 4), params), 'bad_index');
  throwsReason(() => parsePartial(with_(65, good[65] | 0x80), params), 'bad_point');
  throwsReason(() => parsePartial(with_(97, 0xff), params), 'bad_scalar');
  throwsReason(() => parsePartial(with_(129, 0xff), params), 'bad_scalar');
});

test('Lagrange coefficients at zero interpolate and refuse zero or repeated indices', () => {
  // f(x) = 5 + 3x: f(1) = 8, f(3) = 14; f(0) = l1*8 + l3*14.
  const [l1, l3] = lagrangeAtZero([1, 3]);
  assert.ok(baseMul(l1).multiply(8n).add(baseMul(l3).multiply(14n)).equals(baseMul(5n)));
  throwsReason(() => lagrangeAtZero([]), 'no_indices');
  throwsReason(() => lagrangeAtZero([0, 1]), 'zero_index');
  throwsReason(() => lagrangeAtZero([2, 2]), 'duplicate_index');
});

test('the small discrete logarithm recovers 0..300 under 1000 and totals at and near a bound of a million', () => {
  let p = IDENTITY;
  for (let m2 = 0; m2 <= 300; m2++) {
    assert.equal(discreteLog(p, 1000), m2);
    p = p.add(GENERATOR);
  }
  for (const v of [999_999, 1_000_000, 123_457]) assert.equal(discreteLog(baseMul(scalarFromU64(v)), 1_000_000), v);
});

test('the small discrete logarithm reports a point outside 0..bound and refuses a bound above the maximum', () => {
  throwsReason(() => discreteLog(baseMul(1001n), 1000), 'dlog_not_found');
  throwsReason(() => discreteLog(baseMul(5n), 4), 'dlog_not_found');
  throwsReason(() => discreteLog(GENERATOR.negate(), 1000), 'dlog_not_found');
  throwsReason(() => discreteLog(GENERATOR, MAX_DLOG_BOUND + 1), 'dlog_bound_too_large');
});
