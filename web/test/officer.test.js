import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base64urlDecode, concat, hexDecode, hexEncode, u64be } from '../src/crypto/bytes.js';
import { readManifest } from '../src/crypto/canonical.js';
import {
  OFFICER_CONTEXT, STATES, deriveOfficerKey, officerAuthHeader, officerKeyFromSeed, officerRequestMessage, signTransition,
  stateNumber, transitionMessage, verifyTransition,
} from '../src/crypto/officer.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

const fx = loadFixture('demo-ballots.json');
const manifest = readManifest(base64urlDecode(fx.manifest.canonical));
const demoKey = officerKeyFromSeed(hexDecode(fx.officer.seed));

test('the officer context is SHA-256 of its label', () => {
  assert.equal(hexEncode(OFFICER_CONTEXT), hexEncode(sha256(new TextEncoder().encode('urne/officer-context/v1'))));
});

test('the officer key from a code is the one Python BLAKE2b and openssl Ed25519 compute', () => {
  const v = fx.officer_code;
  for (const typed of [v.code, v.code.toLowerCase().replaceAll('-', ' ')]) {
    const key = deriveOfficerKey(typed);
    assert.equal(hexEncode(key.seed), v.seed);
    assert.equal(hexEncode(key.publicKey), v.public_key);
  }
  throwsReason(() => deriveOfficerKey(v.code.replace('CT8F', 'CT8G')), 'voting_code_checksum');
});

test("the demo officer's key file gives the manifest's officer key, and it reproduces every signed transition on the C++ board", () => {
  assert.equal(hexEncode(demoKey.publicKey), fx.manifest.officer_key);
  assert.deepEqual(fx.officer.transitions.map((t) => t.state), ['published', 'open', 'closed', 'tallied', 'result_published']);
  for (const t of fx.officer.transitions) {
    // Ed25519 is deterministic: the same key signs the same bytes as libsodium.
    assert.equal(hexEncode(signTransition(demoKey, manifest.electionId, t.state, t.sequence)), t.signature);
    verifyTransition(demoKey.publicKey, manifest.electionId, t.state, t.sequence, hexDecode(t.signature));
  }
});

test('the transition message is the layout of protocol.md §9.5', () => {
  const m = transitionMessage(manifest.electionId, 'open', 2);
  const label = new TextEncoder().encode('urne/state-transition/v1');
  assert.deepEqual(m, concat(Uint8Array.of(0, label.length), label, manifest.electionId, Uint8Array.of(3, 0, 0, 0, 2)));
  assert.deepEqual(STATES.map(stateNumber), [1, 2, 3, 4, 5, 6]);
  throwsReason(() => stateNumber('counted'), 'bad_state');
  const t = fx.officer.transitions[1];
  throwsReason(() => verifyTransition(demoKey.publicKey, manifest.electionId, t.state, t.sequence + 1, hexDecode(t.signature)), 'transition_signature_invalid');
  throwsReason(() => verifyTransition(demoKey.publicKey, manifest.electionId, 'closed', t.sequence, hexDecode(t.signature)), 'transition_signature_invalid');
  throwsReason(() => verifyTransition(manifest.serviceKey, manifest.electionId, t.state, t.sequence, hexDecode(t.signature)), 'transition_signature_invalid');
});

test('the officer auth header has the layout of ballot/officer.hpp and signs the request message', () => {
  const body = new TextEncoder().encode('{}');
  const h = officerAuthHeader(demoKey, 'POST', '/api/v1/token-keys', 1795000000, body);
  const m = /^key=([0-9a-f]{64}), time=(\d+), sig=([A-Za-z0-9_-]{86})$/.exec(h);
  assert.ok(m, h);
  assert.equal(m[1], fx.manifest.officer_key);
  assert.equal(m[2], '1795000000');
  const label = new TextEncoder().encode('urne/officer-request/v1');
  const lp = (s) => { const b = new TextEncoder().encode(s); return concat(Uint8Array.of(0, b.length), b); };
  const msg = concat(Uint8Array.of(0, label.length), label, lp('POST'), lp('/api/v1/token-keys'), u64be(1795000000), sha256(body));
  assert.deepEqual(officerRequestMessage('POST', '/api/v1/token-keys', 1795000000, body), msg);
  assert.ok(ed25519.verify(base64urlDecode(m[3]), msg, demoKey.publicKey));
  // A string body is its UTF-8 bytes; no body is the empty one.
  assert.equal(officerAuthHeader(demoKey, 'POST', '/x', 5, '{}'), officerAuthHeader(demoKey, 'POST', '/x', 5, body));
  assert.equal(officerAuthHeader(demoKey, 'POST', '/x', 5), officerAuthHeader(demoKey, 'POST', '/x', 5, new Uint8Array(0)));
  assert.throws(() => officerAuthHeader(demoKey, 'POST', '/x', -1), TypeError);
  throwsReason(() => officerKeyFromSeed(new Uint8Array(31)), 'bad_seed');
});

test('the officer code vector of docs/protocol.md §3.5 gives the C++ context, seed and public key', () => {
  // Computed by crypto/credential.cpp (derive_officer_key) and independently
  // with Python's hashlib and pyca/cryptography (tests/crypto/credential_test.cpp).
  assert.equal(hexEncode(OFFICER_CONTEXT), 'e54c8c9f79ddb2033faf0c8b73f54957bb6c77b21dacfc5554b04f1c5106d1d0');
  const key = deriveOfficerKey('0123-4567-89AB-CDEF-GHJK-MNJK');
  assert.equal(hexEncode(key.seed), '63a0be34f67fac381b74ffa725da928f1ddade93a8db29d7aede4dbfe045fceb');
  assert.equal(hexEncode(key.publicKey), '8e40ca139901a310f48e551066deb389136f0336858c173ac47808affab45895');
});
