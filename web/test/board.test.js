import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexDecode, hexEncode, concat, utf8 } from '../src/crypto/bytes.js';
import {
  boardSignatureValid, encodeBoardContents, parseBoard, signBoardContents, stateName,
} from '../src/crypto/board.js';
import { throwsReason } from '../testlib/helpers.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'board');
const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'board.urne')));
const report = JSON.parse(fs.readFileSync(path.join(dir, 'audit.json'), 'utf8'));
const manifestBytes = new Uint8Array(fs.readFileSync(path.join(dir, 'manifest.urne')));
const serviceSeed = hexDecode(fs.readFileSync(path.join(dir, 'service.key'), 'utf8').trim());

test("a board written by urne-server parses to what the C++ audit report says of it", () => {
  const b = parseBoard(bytes);
  assert.equal(b.fingerprintHex, report.board_fingerprint);
  assert.equal(b.shortFingerprint, report.board_short);
  assert.equal(hexEncode(b.manifest.electionId), report.election_id);
  assert.equal(b.manifest.title, report.title);
  assert.equal(stateName(b.phase), report.phase);
  assert.equal(b.ballots.length, report.ballots);
  assert.equal(b.issuance.length, report.tokens_issued);
  assert.deepEqual(b.manifestBytes, manifestBytes);
  assert.deepEqual(b.transitions.map((t) => [stateName(t.state), t.sequence]),
    [['published', 1], ['open', 2], ['closed', 3], ['tallied', 4], ['result_published', 5]]);
  assert.equal(b.sums.length, 6); // 4 candidates, Enthaltung, ungültig
  assert.deepEqual(b.partials.map((t) => [t.trustee, t.partials.length]), [[1, 6], [3, 6]]);
  assert.ok(b.lotSeed && b.result);
  assert.ok(boardSignatureValid(b));
});

test('a board re-encodes to its contents, and re-signing with the service key reproduces its signature', () => {
  const b = parseBoard(bytes);
  assert.deepEqual(encodeBoardContents(b), b.contentsBytes);
  assert.deepEqual(signBoardContents(b.contentsBytes, serviceSeed), bytes);
});

test('a changed signature or changed contents under the old signature do not verify', () => {
  const sig = bytes.slice();
  sig[sig.length - 10] ^= 0x04;
  assert.ok(!boardSignatureValid(parseBoard(sig)));
  const zero = bytes.slice();
  zero.fill(0, zero.length - 64);
  assert.ok(!boardSignatureValid(parseBoard(zero)));
  const b = parseBoard(bytes);
  const c = { ...b, lotSeed: b.lotSeed.map((x) => x ^ 1) };
  assert.ok(!boardSignatureValid(parseBoard(concat(encodeBoardContents(c), b.signature))));
});

test('what is not a board is refused with the C++ reasons', () => {
  throwsReason(() => parseBoard(new Uint8Array(0)), 'truncated');
  throwsReason(() => parseBoard(bytes.subarray(0, bytes.length - 64)), 'truncated');
  throwsReason(() => parseBoard(concat(bytes, utf8('x'))), 'trailing_bytes');
  // Text: its first two bytes read as the label's length, which does not fit.
  throwsReason(() => parseBoard(utf8('Dies ist keine Anschlagtafel. Sie hat aber mehr als vierundsechzig Bytes, ganz sicher.\n')), 'truncated');
  const other = concat(Uint8Array.of(0, 12), utf8('urne/roll/v1'), new Uint8Array(64));
  throwsReason(() => parseBoard(other), 'wrong_label');
  for (const n of [20, 100, 3000, bytes.length - 65]) {
    assert.throws(() => parseBoard(concat(bytes.subarray(0, n), bytes.subarray(bytes.length - 64))), (e) => e.name === 'UrneError');
  }
});

// Rebuilds the contents with one part changed (parsed parts re-encode).
const rebuilt = (edit) => {
  const b = parseBoard(bytes);
  edit(b);
  return concat(encodeBoardContents(b), b.signature);
};

test('a board with an unknown state, a foreign token type or a ballot that does not parse is refused by name', () => {
  const b = parseBoard(bytes);
  throwsReason(() => parseBoard(rebuilt((c) => { c.transitions[0] = { ...c.transitions[0], state: 7 }; })), 'bad_state');
  const req = b.issuance[0].request.slice();
  req[1] = 3;
  throwsReason(() => parseBoard(rebuilt((c) => { c.issuance[0] = { ...c.issuance[0], request: req }; })), 'wrong_token_type');
  throwsReason(() => parseBoard(rebuilt((c) => { c.issuance[0] = { ...c.issuance[0], institutionId: 'nicht gültig' }; })), 'institution_id_malformed');
  const ballot = b.ballots[0].bytes.slice(0, -1);
  assert.throws(() => parseBoard(rebuilt((c) => { c.ballots[0] = { bytes: ballot }; })), (e) => e.name === 'UrneError' && /^ballots\[0\]: /.test(e.message));
  const bad = b.partials[0].partials[0].bytes.slice();
  bad[0] = 4;
  throwsReason(() => parseBoard(rebuilt((c) => { c.partials[0].partials[0] = { bytes: bad }; })), 'bad_tag');
  const sum = b.sums[0];
  throwsReason(() => parseBoard(rebuilt((c) => { c.sums[0] = { a: { toBytes: () => new Uint8Array(32).fill(0xff) }, b: sum.b }; })), 'bad_point');
});
