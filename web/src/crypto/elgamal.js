// Exponential ElGamal on ristretto255, exactly as crypto/elgamal.{hpp,cpp}
// (docs/protocol.md §5.1).
//
// With the election key P, a value m encrypts with randomness r (uniform,
// non-zero) to { a: r*G, b: m*G + r*P }, encoded as A || B (64 bytes).
// Ciphertexts add component-wise; the empty sum is (identity, identity).
// As in the C++ there is no decryption with a key: only the Benaloh check
// openWithRandomness, with a revealed r and the public key.

import { fail } from './errors.js';
import { concat, expectBytes } from './bytes.js';
import {
  IDENTITY, baseMul, isIdentity, mulPublic, mulSecret, parsePoint, parseScalar, randomNonzeroScalar,
  scalarFromU64, scalarToBytes, systemRng, GENERATOR,
} from './group.js';
import { UrneError } from './errors.js';

export const CIPHERTEXT_SIZE = 64;
/** Largest `max` that openWithRandomness accepts (the search is linear). */
export const MAX_OPEN_VALUE = 1 << 16;

/** The election key from a point; refuses the identity ("identity_public_key"). */
export function publicKeyFromPoint(p) {
  // With P = identity every B would be m*G in the clear.
  if (isIdentity(p)) fail('identity_public_key', 'the election key must not be the identity');
  // Like the C++ PointTable: the key is multiplied many times per ballot, so
  // noble keeps a window-8 table of its multiples (built at the first
  // multiplication; ~25 % off a 12-candidate ballot). A copy, so the
  // caller's point object is left as it was.
  return p.add(IDENTITY).precompute(8);
}

/** Strict 32-byte decoding ("bad_point") and not the identity ("identity_public_key"). */
export function parsePublicKey(bytes) {
  return publicKeyFromPoint(parsePoint(bytes));
}

/** (identity, identity): the encryption of 0 with r = 0, the empty sum. */
export function zeroCiphertext() {
  return { a: IDENTITY, b: IDENTITY };
}

/** Strict: 64 bytes ("bad_ciphertext"), A || B, each a canonical point ("bad_point"). */
export function parseCiphertext(bytes) {
  expectBytes(bytes, CIPHERTEXT_SIZE, 'bad_ciphertext', 'a ciphertext (A || B)');
  return { a: parsePoint(bytes.subarray(0, 32)), b: parsePoint(bytes.subarray(32, 64)) };
}

export function encodeCiphertext(ct) {
  return concat(ct.a.toBytes(), ct.b.toBytes());
}

export function addCiphertexts(x, y) {
  return { a: x.a.add(y.a), b: x.b.add(y.b) };
}

export function sumCiphertexts(cts) {
  let a = IDENTITY;
  let b = IDENTITY;
  for (const ct of cts) {
    a = a.add(ct.a);
    b = b.add(ct.b);
  }
  return { a, b };
}

/** k times a ciphertext (public k): encrypts k*m; the identity pair for k = 0. */
export function ciphertextTimes(ct, k) {
  const s = scalarFromU64(k);
  return { a: mulPublic(ct.a, s), b: mulPublic(ct.b, s) };
}

export function ciphertextEquals(x, y) {
  return x.a.equals(y.a) && x.b.equals(y.b);
}

/** Fresh randomness: uniform in Z_l \ {0} (r = 0 would leave m*G readable). */
export function randomRandomness(rng = systemRng) {
  return randomNonzeroScalar(rng);
}

/** A revealed r: strict, 32 bytes, < l. Reason "bad_randomness". */
export function parseRandomness(bytes) {
  try {
    return parseScalar(bytes);
  } catch (e) {
    if (e instanceof UrneError) fail('bad_randomness', 'randomness must be 32 bytes encoding a scalar < l');
    throw e;
  }
}

/** The 32 bytes to reveal when the ballot is spoiled. */
export function revealRandomness(r) {
  return scalarToBytes(r);
}

/** Deterministic: (r*G, m*G + r*P). m = 0 gives B = r*P. */
export function encryptWithRandomness(pk, m, r) {
  const a = baseMul(r);
  // m (the vote) is secret: m*G as (m+1)*G - G keeps noble's constant-time
  // multiply (which refuses 0) and avoids a branch on m = 0.
  const mG = GENERATOR.multiply(scalarFromU64(m) + 1n).subtract(GENERATOR);
  const b = mG.add(mulSecret(pk, r));
  return { a, b };
}

/** Encrypts m with fresh randomness; returns { ciphertext, randomness }. */
export function encrypt(pk, m, rng = systemRng) {
  const randomness = randomRandomness(rng);
  return { ciphertext: encryptWithRandomness(pk, m, randomness), randomness };
}

/**
 * Benaloh check: which m in 0..max ct encrypts under pk with the revealed r.
 * "randomness_mismatch" (A != r*G) or "value_out_of_range" (no m in 0..max).
 */
export function openWithRandomness(ct, pk, r, max) {
  if (!Number.isInteger(max) || max < 0 || max > MAX_OPEN_VALUE) throw new TypeError('max out of contract');
  if (!baseMul(r).equals(ct.a)) {
    fail('randomness_mismatch', 'the revealed randomness does not match this ciphertext');
  }
  const mG = ct.b.subtract(mulSecret(pk, r));
  let candidate = IDENTITY;
  for (let m = 0; m <= max; m++) {
    if (candidate.equals(mG)) return m;
    candidate = candidate.add(GENERATOR);
  }
  return fail('value_out_of_range', `the ciphertext does not encrypt a value in 0..${max}`);
}
