import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CIPHERTEXT_SIZE, addCiphertexts, ciphertextEquals, ciphertextTimes, encodeCiphertext, encrypt, encryptWithRandomness,
  openWithRandomness, parseCiphertext, parsePublicKey, parseRandomness, publicKeyFromPoint, randomRandomness,
  revealRandomness, sumCiphertexts, zeroCiphertext,
} from '../src/crypto/elgamal.js';
import { GENERATOR, IDENTITY, ORDER, baseMul, isIdentity, randomNonzeroScalar, scalarAdd, scalarToBytes } from '../src/crypto/group.js';
import { hexDecode } from '../src/crypto/bytes.js';
import { loadVectors, throwsReason } from '../testlib/helpers.js';

const V = loadVectors('rfc9496-ristretto255');
const pk = baseMul(randomNonzeroScalar());

test('the election key refuses the identity and bad encodings', () => {
  throwsReason(() => parsePublicKey(new Uint8Array(32)), 'identity_public_key');
  throwsReason(() => publicKeyFromPoint(IDENTITY), 'identity_public_key');
  throwsReason(() => parsePublicKey(hexDecode(V.invalid_encodings[0].encoding)), 'bad_point');
  throwsReason(() => parsePublicKey(new Uint8Array(31)), 'bad_point');
  const twin = hexDecode(V.generator_multiples[2]);
  twin[31] |= 0x80;
  throwsReason(() => parsePublicKey(twin), 'bad_point');
  assert.ok(parsePublicKey(hexDecode(V.generator_multiples[2])).equals(baseMul(2n)));
});

test('encryptions open to their value with their randomness, for many random cases', () => {
  for (let i = 0; i < 12; i++) {
    const m = i % 4;
    const { ciphertext, randomness } = encrypt(pk, m);
    assert.ok(randomness > 0n && randomness < ORDER);
    assert.equal(openWithRandomness(ciphertext, pk, randomness, 3), m);
    assert.ok(ciphertextEquals(encryptWithRandomness(pk, m, randomness), ciphertext));
  }
});

test('an encryption of 0 is (r*G, r*P) and an encryption of 1 is (r*G, G + r*P)', () => {
  const r = randomRandomness();
  const zero = encryptWithRandomness(pk, 0, r);
  assert.ok(zero.a.equals(baseMul(r)) && zero.b.equals(pk.multiply(r)));
  const one = encryptWithRandomness(pk, 1, r);
  assert.ok(one.b.equals(GENERATOR.add(pk.multiply(r))));
});

test('opening fails with the wrong randomness, a larger value or another key', () => {
  const { ciphertext, randomness } = encrypt(pk, 5);
  throwsReason(() => openWithRandomness(ciphertext, pk, scalarAdd(randomness, 1n), 10), 'randomness_mismatch');
  throwsReason(() => openWithRandomness(ciphertext, pk, randomness, 4), 'value_out_of_range');
  throwsReason(() => openWithRandomness(ciphertext, baseMul(randomNonzeroScalar()), randomness, 100), 'value_out_of_range');
  assert.equal(openWithRandomness(ciphertext, pk, randomness, 5), 5);
  assert.throws(() => openWithRandomness(ciphertext, pk, randomness, 65537), TypeError);
});

test('homomorphic sums open to plaintext sums; the empty sum and times(0) are the identity pair', () => {
  const values = [1, 0, 1, 1, 0, 1];
  const es = values.map((m) => encrypt(pk, m));
  const sum = sumCiphertexts(es.map((e) => e.ciphertext));
  const r = es.reduce((acc, e) => scalarAdd(acc, e.randomness), 0n);
  assert.equal(openWithRandomness(sum, pk, r, 10), 4);
  assert.ok(ciphertextEquals(addCiphertexts(es[0].ciphertext, es[1].ciphertext), sumCiphertexts([es[0].ciphertext, es[1].ciphertext])));
  const empty = sumCiphertexts([]);
  assert.ok(isIdentity(empty.a) && isIdentity(empty.b) && ciphertextEquals(empty, zeroCiphertext()));
  const t0 = ciphertextTimes(es[0].ciphertext, 0);
  assert.ok(isIdentity(t0.a) && isIdentity(t0.b));
  const t7 = ciphertextTimes(es[0].ciphertext, 7);
  assert.equal(openWithRandomness(t7, pk, (es[0].randomness * 7n) % ORDER, 10), 7);
});

test('ciphertext encoding round-trips and parsing is strict', () => {
  const { ciphertext } = encrypt(pk, 1);
  const bytes = encodeCiphertext(ciphertext);
  assert.equal(bytes.length, CIPHERTEXT_SIZE);
  assert.deepEqual(encodeCiphertext(parseCiphertext(bytes)), bytes);
  assert.deepEqual(encodeCiphertext(parseCiphertext(new Uint8Array(64))), new Uint8Array(64));
  for (const n of [0, 32, 63, 65]) throwsReason(() => parseCiphertext(new Uint8Array(n)), 'bad_ciphertext');
  for (const at of [31, 63]) {
    const b = bytes.slice();
    b[at] |= 0x80;
    throwsReason(() => parseCiphertext(b), 'bad_point');
  }
  const bad = bytes.slice();
  bad.set(hexDecode(V.invalid_encodings[5].encoding), 32);
  throwsReason(() => parseCiphertext(bad), 'bad_point');
});

test('revealed randomness parses strictly and reveals its own bytes', () => {
  const r = randomRandomness();
  assert.equal(parseRandomness(revealRandomness(r)), r);
  throwsReason(() => parseRandomness(hexDecode('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')), 'bad_randomness'); // l
  throwsReason(() => parseRandomness(new Uint8Array(31)), 'bad_randomness');
  throwsReason(() => parseRandomness(new Uint8Array(32).fill(255)), 'bad_randomness');
});
