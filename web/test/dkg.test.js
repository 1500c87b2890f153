import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64urlDecode, concat, hexEncode, lp16, u16be } from '../src/crypto/bytes.js';
import { readManifest } from '../src/crypto/canonical.js';
import {
  commitmentSize, deriveElectionKey, electionKeyFromManifest, encodeCommitment, parseCommitment, publicShare, verifyCommitment,
} from '../src/crypto/dkg.js';
import { baseMul, scalarToBytes } from '../src/crypto/group.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

const views = [loadFixture('demo-manifest.json'), loadFixture('demo-ballots.json').manifest];
const manifestOf = (v) => readManifest(base64urlDecode(v.canonical));
const demo = manifestOf(views[0]);
const params = { ceremonyId: demo.ceremonyId, n: demo.trustees, k: demo.threshold };

// A manifest with other commitments: readManifest cuts them to size only, so
// the DKG checks below are reached.
const withCommitments = (m, list) => ({ ...m, qualCommitments: list });

test('the election key derived from two real manifests is the one their C++ views state', () => {
  for (const v of views) {
    const m = manifestOf(v);
    assert.equal(hexEncode(electionKeyFromManifest(m).toBytes()), v.election_key);
    for (const { trustee, public_share: x } of v.public_shares) assert.equal(hexEncode(publicShare(m, trustee).toBytes()), x);
  }
});

test('every real commitment parses, re-encodes to its bytes and its proof verifies only for its own n', () => {
  for (const bytes of demo.qualCommitments) {
    const cm = parseCommitment(bytes, params);
    assert.deepEqual(encodeCommitment(cm), bytes);
    verifyCommitment(cm, params.n);
    throwsReason(() => verifyCommitment(cm, params.n + 1), 'bad_proof');
  }
});

test('a commitment is refused by name for every malformed field, in the C++ order', () => {
  const good = demo.qualCommitments[0];
  const mut = (f) => { const b = Uint8Array.from(good); f(b); return b; };
  throwsReason(() => parseCommitment(good.subarray(0, good.length - 1), params), 'bad_length');
  throwsReason(() => parseCommitment(concat(good, new Uint8Array(1)), params), 'bad_length');
  throwsReason(() => parseCommitment(mut((b) => { b[0] = 2; }), params), 'bad_tag');
  throwsReason(() => parseCommitment(mut((b) => { b[1] ^= 1; }), params), 'wrong_ceremony');
  throwsReason(() => parseCommitment(mut((b) => { b[33] = 0; }), params), 'bad_index');
  throwsReason(() => parseCommitment(mut((b) => { b[33] = params.n + 1; }), params), 'bad_index');
  throwsReason(() => parseCommitment(mut((b) => { b[34] = params.k + 1; }), params), 'bad_threshold');
  throwsReason(() => parseCommitment(mut((b) => { b[35 + 31] |= 0x80; }), params), 'bad_point');
  throwsReason(() => parseCommitment(mut((b) => { b.fill(0, 35, 67); }), params), 'identity_point');
  throwsReason(() => parseCommitment(mut((b) => { b.fill(0xff, 35 + 32, 35 + 64); }), params), 'bad_point');
  const sc = 35 + 32 * params.k;
  throwsReason(() => parseCommitment(mut((b) => { b.fill(0xff, sc, sc + 32); }), params), 'bad_scalar');
  throwsReason(() => parseCommitment(mut((b) => { b.fill(0xff, sc + 32, sc + 64); }), params), 'bad_scalar');
  // A changed response parses but its proof fails.
  const cm = parseCommitment(mut((b) => { b[sc + 32] ^= 1; }), params);
  throwsReason(() => verifyCommitment(cm, params.n), 'bad_proof');
  assert.equal(commitmentSize(2), 163);
});

test('the rogue-key attack fails: a commitment with a replaced C_0 and no proof of its logarithm is refused', () => {
  const cm = parseCommitment(demo.qualCommitments[0], params);
  const rogue = { ...cm, coefficients: [baseMul(12345n), ...cm.coefficients.slice(1)] };
  const list = [encodeCommitment(rogue), ...demo.qualCommitments.slice(1)];
  throwsReason(() => electionKeyFromManifest(withCommitments(demo, list)), 'bad_proof');
});

test('QUAL must be k or more distinct dealers in ascending order', () => {
  const q = demo.qualCommitments;
  assert.ok(q.length >= 2);
  throwsReason(() => electionKeyFromManifest(withCommitments(demo, [q[0], q[0], ...q.slice(1)])), 'duplicate_dealer');
  throwsReason(() => electionKeyFromManifest(withCommitments(demo, q.slice(0, params.k - 1))), 'too_few_qualified');
  throwsReason(() => electionKeyFromManifest(withCommitments(demo, [...q].reverse())), 'not_canonical');
  // A commitment of another manifest's ceremony.
  const other = manifestOf(views[1]);
  throwsReason(() => electionKeyFromManifest(withCommitments(demo, [other.qualCommitments[0], ...q.slice(1)])), 'wrong_ceremony');
});

test('the reasons from the manifest name the commitment, and public shares take trustees 1..n only', () => {
  const bad = Uint8Array.from(demo.qualCommitments[1]);
  bad[0] = 9;
  assert.throws(() => deriveElectionKey(withCommitments(demo, [demo.qualCommitments[0], bad, ...demo.qualCommitments.slice(2)])),
    (e) => e.reason === 'bad_tag' && e.message.startsWith('qual_commitments[1]'));
  assert.throws(() => publicShare(demo, 0), TypeError);
  assert.throws(() => publicShare(demo, demo.trustees + 1), TypeError);
  // Sanity of the encoding helpers the test relies on.
  assert.equal(lp16(u16be(1)).length, 4);
  assert.equal(scalarToBytes(1n)[0], 1);
});
