import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64urlDecode, hexDecode, hexEncode } from '../src/crypto/bytes.js';
import { readManifest } from '../src/crypto/canonical.js';
import { encodeManifest, lotSeedCommitment } from '../src/crypto/manifest_writer.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

const views = [loadFixture('demo-manifest.json'), loadFixture('demo-ballots.json').manifest];

test('encodeManifest re-encodes two real manifests byte for byte', () => {
  for (const v of views) {
    const bytes = base64urlDecode(v.canonical);
    const m = readManifest(bytes);
    assert.deepEqual(encodeManifest(m), bytes);
    assert.deepEqual(readManifest(encodeManifest(m)), m);
  }
});

test('changed fields give a manifest that reads back to them (and another election id)', () => {
  const m = readManifest(base64urlDecode(views[0].canonical));
  const changed = { ...m, kind: null, description: 'Zweiter Wahlgang\nnur Platz 7', seats: 1, maxMarks: 1, tieRule: 'runoff', invalidOffered: false };
  const back = readManifest(encodeManifest(changed));
  for (const k of ['kind', 'description', 'seats', 'maxMarks', 'tieRule', 'invalidOffered']) assert.deepEqual(back[k], changed[k]);
  assert.notEqual(back.electionIdHex, m.electionIdHex);
});

test('encodeManifest refuses what readManifest refuses', () => {
  const m = readManifest(base64urlDecode(views[0].canonical));
  throwsReason(() => encodeManifest({ ...m, maxMarks: 13 }), 'bad_max_marks');
  throwsReason(() => encodeManifest({ ...m, title: ' Wahl' }), 'surrounding_space');
  throwsReason(() => encodeManifest({ ...m, candidates: [m.candidates[0], m.candidates[0]], maxMarks: 1 }), 'duplicate_candidate');
  throwsReason(() => encodeManifest({ ...m, officerKey: m.serviceKey }), 'same_service_and_officer_key');
  throwsReason(() => encodeManifest({ ...m, pageHash: new Uint8Array(31) }), 'bad_length');
  assert.throws(() => encodeManifest({ ...m, tieRule: 'coin' }), TypeError);
});

test("the lot seed commitment of the demo's seed is the one in its manifest", () => {
  const fx = loadFixture('demo-ballots.json');
  assert.equal(hexEncode(lotSeedCommitment(hexDecode(fx.lot_seed))), fx.manifest.lot_seed_commitment);
  throwsReason(() => lotSeedCommitment(new Uint8Array(16)), 'bad_length');
});
