import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  authorizationMessage, checkInstitutionId, checkListedKey, credentialSeed, deriveInstitutionKey,
  isValidInstitutionKey, parseInstitutionPublicKey, signTokenRequest, verifyInstitutionSignature, verifyTokenRequest,
} from '../src/crypto/credential.js';
import { parseVotingCode } from '../src/crypto/voting_code.js';
import { parseVotingLink } from '../src/crypto/voting_link.js';
import { concat, hexDecode, hexEncode, lp16 } from '../src/crypto/bytes.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

// docs/protocol.md §3.4
const V = {
  code: '0123-4567-89AB-CDEF-GHJK-MNJK',
  context: Uint8Array.from({ length: 32 }, (_, i) => i),
  blakeInput: '001275726e652f63726564656e7469616c2f763100183031323334353637383941424344454647484a4b4d4e4a4b',
  seed: 'b88e618d78c09fce167ff9846dd5e16b9ad24b9323c6ad4f9dc14ae497c802a9',
  publicKey: 'a9bcf938c8d040ac8ee60a0e2326676261ade26051bafebafa2fffaab0f926b7',
  electionId: new Uint8Array(32).fill(0x11),
  institution: 'einrichtung-07',
  tokenKeyId: new Uint8Array(32).fill(0x22),
  request: hexDecode('00027a3333333333333333'),
  message:
    '001a75726e652f746f6b656e2d726571756573742d617574682f7631' + '11'.repeat(32) +
    '000e65696e7269636874756e672d3037' + '22'.repeat(32) + '0000000b00027a3333333333333333',
  signature:
    '4b1f0b6f623551792f2ff534f958f302c8824c1fbdbf9b16e31c00e3fb34c0db36a9ff18e330791aa098b268ad86af72e9f6f2aab3fca506b3cfad35044bf00a',
};

const leToBig = (b) => b.reduceRight((acc, v) => (acc << 8n) | BigInt(v), 0n);
const bigToLe32 = (x) => Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 255n));

const vectorKey = () => deriveInstitutionKey(parseVotingCode(V.code), V.context);
const sign = (key, request = V.request) => signTokenRequest(key, V.electionId, V.institution, V.tokenKeyId, request);

test('the seed, public key, message and signature reproduce the protocol.md §3.4 vectors', () => {
  const code = parseVotingCode(V.code);
  assert.equal(hexEncode(concat(lp16('urne/credential/v1'), lp16(code))), V.blakeInput);
  assert.equal(hexEncode(credentialSeed(code, V.context)), V.seed);
  const key = vectorKey();
  assert.equal(hexEncode(key.seed), V.seed);
  assert.equal(hexEncode(key.publicKey), V.publicKey);
  assert.equal(hexEncode(authorizationMessage(V.electionId, V.institution, V.tokenKeyId, V.request)), V.message);
  assert.equal(hexEncode(sign(key)), V.signature);
  verifyTokenRequest(key.publicKey, V.electionId, V.institution, V.tokenKeyId, V.request, hexDecode(V.signature));
});

test('a typed code in another form derives the same key', () => {
  const key = deriveInstitutionKey(parseVotingCode('o123 4567 89ab cdef ghjk mnjk'), V.context);
  assert.equal(hexEncode(key.publicKey), V.publicKey);
});

test('another context or another code gives an unrelated key', () => {
  const ctx = V.context.slice();
  ctx[31] ^= 1;
  assert.notEqual(hexEncode(deriveInstitutionKey(parseVotingCode(V.code), ctx).publicKey), V.publicKey);
  const other = deriveInstitutionKey(parseVotingCode('0000-0000-0000-0000-0000-0000'), V.context);
  assert.notEqual(hexEncode(other.publicKey), V.publicKey);
  throwsReason(() => checkListedKey(other.publicKey, hexDecode(V.publicKey)), 'credential_key_mismatch');
});

test('the key derived from every C++-made link is the one roster.json lists for its institution', () => {
  const fixture = loadFixture('letters-fixture.json');
  const listed = new Map(fixture.roster.institutions.map((i) => [i.id, i.public_key]));
  assert.equal(fixture.links.length, listed.size);
  for (const link of fixture.links) {
    const v = parseVotingLink(link);
    const key = deriveInstitutionKey(v.code, v.context);
    const pk = parseInstitutionPublicKey(hexDecode(listed.get(v.institutionId)));
    checkListedKey(key.publicKey, pk);
    // ... and not another institution's.
    for (const [id, other] of listed) {
      if (id !== v.institutionId) throwsReason(() => checkListedKey(key.publicKey, hexDecode(other)), 'credential_key_mismatch');
    }
  }
});

test('a wrong context length and a code that is not 24 canonical bytes are refused', () => {
  const code = parseVotingCode(V.code);
  throwsReason(() => deriveInstitutionKey(code, new Uint8Array(31)), 'credential_context_malformed');
  throwsReason(() => deriveInstitutionKey(code, new Uint8Array(33)), 'credential_context_malformed');
  assert.throws(() => deriveInstitutionKey(code.subarray(1), V.context), TypeError);
});

test('institution ids are 1..64 characters of [A-Za-z0-9._-]', () => {
  for (const ok of ['a', 'einrichtung-07', 'Inst_3.x', 'a'.repeat(64)]) assert.equal(checkInstitutionId(ok), ok);
  for (const bad of ['', 'a'.repeat(65), 'a b', 'ä', 'a/b', 'a%20', 'a\n', undefined]) {
    throwsReason(() => checkInstitutionId(bad), 'institution_id_malformed');
    throwsReason(() => authorizationMessage(V.electionId, bad, V.tokenKeyId, V.request), 'institution_id_malformed');
  }
});

test('a signature verifies only for its election, institution, token key and request', () => {
  const key = vectorKey();
  const sig = sign(key);
  const other32 = new Uint8Array(32).fill(0x33);
  const req2 = V.request.slice();
  req2[10] ^= 1;
  const bad = [
    [other32, V.institution, V.tokenKeyId, V.request, sig],
    [V.electionId, 'einrichtung-08', V.tokenKeyId, V.request, sig],
    [V.electionId, V.institution, other32, V.request, sig],
    [V.electionId, V.institution, V.tokenKeyId, req2, sig],
    [V.electionId, V.institution, V.tokenKeyId, V.request, sig.slice(0, 63)],
    [V.electionId, V.institution, V.tokenKeyId, V.request, concat(sig, Uint8Array.of(0))],
  ];
  const flipped = sig.slice();
  flipped[40] ^= 1;
  bad.push([V.electionId, V.institution, V.tokenKeyId, V.request, flipped]);
  for (const args of bad) throwsReason(() => verifyTokenRequest(key.publicKey, ...args), 'request_signature_invalid');
  const stranger = deriveInstitutionKey(parseVotingCode('0000-0000-0000-0000-0000-0000'), V.context);
  throwsReason(() => verifyTokenRequest(stranger.publicKey, V.electionId, V.institution, V.tokenKeyId, V.request, sig), 'request_signature_invalid');
});

test('verification refuses the second byte forms libsodium 1.0.18 refuses: S + L, R or A with a torsion part', () => {
  const key = vectorKey();
  const m = authorizationMessage(V.electionId, V.institution, V.tokenKeyId, V.request);
  const sig = hexDecode(V.signature);
  assert.ok(verifyInstitutionSignature(key.publicKey, m, sig));
  // S + L (still < 2^253): same equation, non-canonical scalar.
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const sigS = concat(sig.subarray(0, 32), bigToLe32(leToBig(sig.subarray(32)) + L));
  assert.ok(!verifyInstitutionSignature(key.publicKey, m, sigS));
  // A signature whose R has a torsion part: R' = r·B + T, S = r + H(R'||A||M)·a.
  // The cofactored equation (noble's, even with zip215: false) accepts it;
  // libsodium's cofactorless one does not, and neither does ours.
  const T = ed25519.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'); // order 8
  const h = sha512(key.seed);
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  const a = leToBig(h.subarray(0, 32)) % L;
  const r = 123456789n;
  const Rt = ed25519.Point.BASE.multiply(r).add(T).toBytes();
  const k = leToBig(sha512(concat(Rt, key.publicKey, m))) % L;
  const sigT = concat(Rt, bigToLe32((r + k * a) % L));
  assert.ok(ed25519.verify(sigT, m, key.publicKey, { zip215: false }), 'noble alone accepts it (the test discriminates)');
  assert.ok(!verifyInstitutionSignature(key.publicKey, m, sigT));
  // A public key with a torsion component, or of small order, is not a listed key.
  const A = ed25519.Point.fromBytes(key.publicKey);
  assert.ok(!isValidInstitutionKey(A.add(T).toBytes()));
  assert.ok(!isValidInstitutionKey(T.toBytes()));
  assert.ok(!isValidInstitutionKey(new Uint8Array(32))); // y = 0: a point of order 4
  throwsReason(() => parseInstitutionPublicKey(ed25519.Point.ZERO.toBytes()), 'institution_key_invalid');
  // Non-canonical y (>= p) is refused.
  const nonCanonical = hexDecode('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
  assert.ok(!isValidInstitutionKey(nonCanonical));
});

test('signing refuses a malformed election id or token key id', () => {
  const key = vectorKey();
  throwsReason(() => signTokenRequest(key, new Uint8Array(31), V.institution, V.tokenKeyId, V.request), 'bad_length');
  throwsReason(() => signTokenRequest(key, V.electionId, V.institution, new Uint8Array(33), V.request), 'bad_length');
});
