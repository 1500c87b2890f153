import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexDecode } from '../src/crypto/bytes.js';
import { parseBoard } from '../src/crypto/board.js';
import {
  deriveWithAnySeed, encodeResult, makeResult, parseResult, resultSignatureValid, sameLot, sameRanking, sameTies,
  signResult, totalsConsistent,
} from '../src/crypto/result.js';
import { throwsReason } from '../testlib/helpers.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'board');
const board = parseBoard(new Uint8Array(fs.readFileSync(path.join(dir, 'board.urne'))));
const serviceSeed = hexDecode(fs.readFileSync(path.join(dir, 'service.key'), 'utf8').trim());
const published = board.result.result;

test("the C++ result re-encodes to its bytes and its signature is the service's", () => {
  assert.deepEqual(encodeResult(published), published.bytes);
  assert.deepEqual(parseResult(published.bytes).bytes, published.bytes);
  assert.ok(resultSignatureValid(board.manifest.serviceKey, published, board.result.signature));
  assert.deepEqual(ed25519.getPublicKey(serviceSeed), board.manifest.serviceKey);
  assert.deepEqual(signResult(serviceSeed, published), board.result.signature); // Ed25519 is deterministic
  const other = board.result.signature.slice();
  other[5] ^= 1;
  assert.ok(!resultSignatureValid(board.manifest.serviceKey, published, other));
  assert.ok(!resultSignatureValid(board.manifest.officerKey, published, board.result.signature));
});

test("the fixture's result is a lot over a three-way tie for the seats and the substitute place", () => {
  assert.equal(published.outcome.lotDrawn, true);
  assert.equal(published.outcome.ties.length, 1);
  assert.deepEqual(published.outcome.ties[0].members, [0, 1, 2]);
  assert.equal(published.lot.keys.length, 3);
  assert.deepEqual(published.totals.marks, [2n, 2n, 2n, 0n]);
  assert.equal(published.totals.abstentions, 1n);
  assert.equal(published.totals.invalid, 1n);
});

test("the derivation from the board's data reproduces the C++ result byte for byte", () => {
  const d = deriveWithAnySeed(board.manifest, board.roster, board.issuance.length, board.ballots.map((b) => b.hash), published.totals, board.lotSeed);
  assert.deepEqual(d.bytes, published.bytes);
  assert.ok(sameRanking(d.outcome, published.outcome) && sameTies(d.outcome, published.outcome) && sameLot(d.lot, published.lot));
  const seed = board.lotSeed.slice();
  seed[0] ^= 0x80;
  const other = deriveWithAnySeed(board.manifest, board.roster, board.issuance.length, board.ballots.map((b) => b.hash), published.totals, seed);
  assert.ok(!sameLot(other.lot, published.lot));
});

test('every truncation and any trailing byte of a result is refused', () => {
  for (let n = 0; n < published.bytes.length; n++) {
    assert.throws(() => parseResult(published.bytes.subarray(0, n)), (e) => e.name === 'UrneError');
  }
  const longer = new Uint8Array(published.bytes.length + 1);
  longer.set(published.bytes);
  throwsReason(() => parseResult(longer), 'trailing_bytes');
});

const edit = (f) => {
  const d = structuredClone({ ...published, bytes: undefined, hash: undefined });
  f(d);
  return d;
};

test('a result with an impossible structure is refused by name', () => {
  throwsReason(() => encodeResult(edit((d) => { d.totals.marks[0] = 9n; })), 'inconsistent_totals');
  throwsReason(() => encodeResult(edit((d) => { d.totals.abstentions = 6n; })), 'inconsistent_totals');
  throwsReason(() => encodeResult(edit((d) => { d.outcome.ranking[1] = d.outcome.ranking[0]; })), 'bad_ranking');
  throwsReason(() => encodeResult(edit((d) => { d.outcome.ranking.pop(); })), 'bad_ranking');
  throwsReason(() => encodeResult(edit((d) => { d.outcome.substitutes = [d.outcome.elected[0]]; })), 'bad_outcome');
  throwsReason(() => encodeResult(edit((d) => { d.outcome.undecidedRanks = [2, 1]; })), 'bad_outcome');
  throwsReason(() => encodeResult(edit((d) => { d.outcome.ties[0].members = [1, 0]; })), 'bad_tie');
  throwsReason(() => encodeResult(edit((d) => { d.outcome.ties[0].lastRank = 9; })), 'bad_tie');
  throwsReason(() => encodeResult(edit((d) => { d.outcome.ties[0].resolution = 4; })), 'bad_tie');
  throwsReason(() => encodeResult(edit((d) => { d.lot.keys[1].candidate = d.lot.keys[0].candidate; })), 'bad_lot');
  throwsReason(() => encodeResult(edit((d) => { d.totals.marks = []; d.outcome.ranking = []; })), 'bad_candidate_count');
  // The same refusals when reading bytes: a resolution byte of 4.
  const bytes = makeResult(edit(() => {})).bytes.slice();
  const at = bytes.length - 2 - 3 * 36 - 64 - 2 - 1 - (2 + 3 * 4) - 1; // ties[0].resolution
  assert.equal(bytes[at], 2);
  bytes[at] = 4;
  throwsReason(() => parseResult(bytes), 'bad_tie');
});

test('the derivation refuses totals that no honest board has', () => {
  const hashes = board.ballots.map((b) => b.hash);
  const t = published.totals;
  throwsReason(() => deriveWithAnySeed(board.manifest, board.roster, 5, hashes, { ...t, marks: t.marks.slice(1) }, board.lotSeed), 'wrong_candidate_count');
  throwsReason(() => deriveWithAnySeed(board.manifest, board.roster, 5, hashes, { ...t, abstentions: 9n }, board.lotSeed), 'inconsistent_totals');
  throwsReason(() => deriveWithAnySeed(board.manifest, board.roster, 5, hashes.slice(1), t, board.lotSeed), 'ballot_count_mismatch');
  throwsReason(() => deriveWithAnySeed({ ...board.manifest, invalidOffered: false }, board.roster, 5, hashes, t, board.lotSeed), 'invalid_not_offered');
  assert.ok(totalsConsistent(t));
});
