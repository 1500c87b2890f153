import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  GENERATOR, IDENTITY, ORDER, baseMul, isIdentity, mulPublic, mulSecret, parseNonIdentityPoint, parsePoint,
  parseScalar, pointFromHash, pointHex, randomNonzeroScalar, randomScalar, scalarAdd, scalarFromU64, scalarFromWide,
  scalarMul, scalarNeg, scalarSub, scalarToBytes,
} from '../src/crypto/group.js';
import { hexDecode, hexEncode } from '../src/crypto/bytes.js';
import { loadVectors, throwsReason } from '../testlib/helpers.js';

const V = loadVectors('rfc9496-ristretto255');

test('generator multiples 0..15 match RFC 9496 via baseMul, mulPublic and repeated addition', () => {
  assert.equal(V.generator_multiples.length, 16);
  let acc = IDENTITY;
  V.generator_multiples.forEach((hex, i) => {
    assert.equal(pointHex(baseMul(BigInt(i))), hex, `baseMul ${i}`);
    assert.equal(pointHex(mulPublic(GENERATOR, BigInt(i))), hex, `mulPublic ${i}`);
    assert.equal(pointHex(acc), hex, `sum ${i}`);
    assert.equal(pointHex(parsePoint(hexDecode(hex))), hex, `round trip ${i}`);
    acc = acc.add(GENERATOR);
  });
});

test('every invalid encoding of RFC 9496 is refused with bad_point', () => {
  assert.ok(V.invalid_encodings.length >= 29);
  for (const { encoding } of V.invalid_encodings) throwsReason(() => parsePoint(hexDecode(encoding)), 'bad_point');
});

test('a valid multiple with bit 255 set (its top-bit twin, which libsodium 1.0.18 accepts) is refused', () => {
  for (const hex of V.generator_multiples) {
    const b = hexDecode(hex);
    b[31] |= 0x80;
    throwsReason(() => parsePoint(b), 'bad_point');
  }
});

test('hash_to_group vectors of RFC 9496 match pointFromHash, including four inputs with one output', () => {
  assert.equal(V.hash_to_group.length, 7);
  for (const { input, output } of V.hash_to_group) assert.equal(pointHex(pointFromHash(hexDecode(input))), output);
  const first = hexDecode(V.hash_to_group[0].input);
  assert.deepEqual(first, sha512(new TextEncoder().encode('Ristretto is traditionally a short shot of espresso coffee')));
  const outs = V.hash_to_group_same_output.inputs.map((h) => pointHex(pointFromHash(hexDecode(h))));
  assert.equal(outs.length, 4);
  for (const o of outs) assert.equal(o, V.hash_to_group_same_output.output);
});

test('parsePoint refuses wrong lengths and non-bytes; parseNonIdentityPoint refuses the identity', () => {
  for (const n of [0, 31, 33, 64]) throwsReason(() => parsePoint(new Uint8Array(n)), 'bad_point');
  throwsReason(() => parsePoint('00'.repeat(32)), 'bad_point');
  assert.ok(isIdentity(parsePoint(new Uint8Array(32))));
  throwsReason(() => parseNonIdentityPoint(new Uint8Array(32)), 'identity_point');
  assert.equal(pointHex(parseNonIdentityPoint(hexDecode(V.generator_multiples[1]))), V.generator_multiples[1]);
});

test('scalar parsing refuses l, l+1, 2^256-1 and wrong lengths, and accepts l-1 and 0', () => {
  const le = (x) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) b[i] = Number((x >> BigInt(8 * i)) & 255n); return b; };
  throwsReason(() => parseScalar(le(ORDER)), 'bad_scalar');
  throwsReason(() => parseScalar(le(ORDER + 1n)), 'bad_scalar');
  throwsReason(() => parseScalar(new Uint8Array(32).fill(255)), 'bad_scalar');
  throwsReason(() => parseScalar(new Uint8Array(31)), 'bad_scalar');
  throwsReason(() => parseScalar(new Uint8Array(33)), 'bad_scalar');
  assert.equal(parseScalar(le(ORDER - 1n)), ORDER - 1n);
  assert.equal(parseScalar(new Uint8Array(32)), 0n);
  assert.equal(hexEncode(le(ORDER)), 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
  assert.deepEqual(scalarToBytes(ORDER - 1n), le(ORDER - 1n));
  assert.throws(() => scalarToBytes(ORDER), TypeError);
});

test('the identity is produced, not refused, for zero scalars and identity points', () => {
  const p = baseMul(7n);
  assert.ok(isIdentity(baseMul(0n)));
  assert.ok(isIdentity(mulSecret(p, 0n)));
  assert.ok(isIdentity(mulPublic(p, 0n)));
  assert.ok(isIdentity(mulSecret(IDENTITY, 5n)));
  assert.ok(isIdentity(mulPublic(IDENTITY, 5n)));
  assert.equal(hexEncode(IDENTITY.toBytes()), '00'.repeat(32));
  assert.ok(isIdentity(p.subtract(p)));
});

test('scalarFromWide reduces 64 bytes mod l (2^512-1 and l itself)', () => {
  assert.equal(scalarFromWide(new Uint8Array(64).fill(255)), (2n ** 512n - 1n) % ORDER);
  const w = new Uint8Array(64);
  w.set(scalarToBytes(ORDER - 1n));
  w[0] += 1; // l (no carry: l's low byte is 0xed)
  assert.equal(scalarFromWide(w), 0n);
});

test('scalar and group arithmetic obey the field and module laws on random values', () => {
  for (let i = 0; i < 8; i++) {
    const a = randomScalar();
    const b = randomNonzeroScalar();
    assert.ok(a >= 0n && a < ORDER && b > 0n && b < ORDER);
    assert.equal(scalarSub(scalarAdd(a, b), b), a);
    assert.equal(scalarAdd(a, scalarNeg(a)), 0n);
    assert.equal(scalarMul(a, b), (a * b) % ORDER);
    // (a + b)G = aG + bG, (ab)G = a(bG), secret and public multiplications agree
    assert.ok(baseMul(scalarAdd(a, b)).equals(baseMul(a).add(baseMul(b))));
    assert.ok(baseMul(scalarMul(a, b)).equals(mulSecret(baseMul(b), a)));
    assert.equal(pointHex(mulSecret(baseMul(b), a)), pointHex(mulPublic(baseMul(b), a)));
  }
  assert.equal(scalarFromU64(2n ** 64n - 1n), 2n ** 64n - 1n);
  assert.throws(() => scalarFromU64(2n ** 64n), TypeError);
});
