// The prime-order group ristretto255 (RFC 9496) and its scalar field Z_l,
// exactly as crypto/group.{hpp,cpp}, on @noble/curves' ristretto255.
//
// Scalars are bigints in 0..l-1; points are noble RistrettoPoint objects.
// Outside input enters only through parseScalar / parsePoint, which refuse
//   - scalars >= l ("bad_scalar"; never reduced: a reduced alias would be a
//     second byte form),
//   - points that RFC 9496 §4.3.1 refuses and any encoding with bit 255 set
//     ("bad_point"; libsodium 1.0.18 ignores that bit, the C++ checks it
//     first, and so do we — noble refuses it too, but we do not rely on it).
// The identity (32 zero bytes) is a valid point, as in the C++;
// parseNonIdentityPoint refuses it ("identity_point").
//
// Multiplications: mulSecret (noble's constant-time-style `multiply`) for
// secret scalars (randomness, nonces), mulPublic (noble's `multiplyUnsafe`,
// variable time) for verification on public data. noble's `multiply`
// refuses 0, where libsodium returns the identity (as -1, which the C++ turns
// into the identity): both return the identity for 0 here.
//
// Randomness comes from an `rng(n) -> Uint8Array` (systemRng in the page,
// a SeededRng twin in the tests), as the C++ Rng&. JavaScript cannot wipe a
// bigint; secrets in scalars live until the garbage collector takes them.

import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { fail } from './errors.js';
import { expectBytes, hexEncode } from './bytes.js';

export const RistrettoPoint = ristretto255.Point;
const Fn = RistrettoPoint.Fn;

/** l = 2^252 + 27742317777372353535851937790883648493. */
export const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
if (Fn.ORDER !== ORDER) throw new Error('unexpected ristretto255 scalar field');

export const SCALAR_SIZE = 32;
export const POINT_SIZE = 32;

/** The page's randomness: crypto.getRandomValues, n bytes. */
export function systemRng(n) {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

function leToBigint(b) {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}

// ---- scalars ------------------------------------------------------------------

/** Strict: 32 bytes little-endian, < l. Reason "bad_scalar". */
export function parseScalar(bytes) {
  expectBytes(bytes, SCALAR_SIZE, 'bad_scalar', 'a scalar');
  const s = leToBigint(bytes);
  if (s >= ORDER) fail('bad_scalar', 'a scalar must be less than the group order');
  return s;
}

/** 32 bytes little-endian. Contract: 0 <= s < l. */
export function scalarToBytes(s) {
  if (typeof s !== 'bigint' || s < 0n || s >= ORDER) throw new TypeError('not a reduced scalar');
  const out = new Uint8Array(SCALAR_SIZE);
  let x = s;
  for (let i = 0; i < SCALAR_SIZE; i++) {
    out[i] = Number(x & 255n);
    x >>= 8n;
  }
  return out;
}

/** A 64-byte hash output reduced mod l (crypto_core_ristretto255_scalar_reduce). */
export function scalarFromWide(wide) {
  if (!(wide instanceof Uint8Array) || wide.length !== 64) throw new TypeError('expected 64 bytes');
  return leToBigint(wide) % ORDER;
}

/** A u64 (number or bigint) as a scalar. */
export function scalarFromU64(v) {
  const x = BigInt(v);
  if (x < 0n || x >= 1n << 64n) throw new TypeError(`not a u64: ${v}`);
  return x;
}

/** Uniform in Z_l: 64 random bytes reduced mod l (Scalar::random). */
export function randomScalar(rng = systemRng) {
  const wide = rng(64);
  const s = scalarFromWide(wide);
  wide.fill(0);
  return s;
}

/** Uniform in Z_l \ {0} (Scalar::random_nonzero: redraws on 0). */
export function randomNonzeroScalar(rng = systemRng) {
  for (;;) {
    const s = randomScalar(rng);
    if (s !== 0n) return s;
  }
}

export const scalarAdd = (a, b) => Fn.add(a, b);
export const scalarSub = (a, b) => Fn.sub(a, b);
export const scalarMul = (a, b) => Fn.mul(a, b);
export const scalarNeg = (a) => Fn.neg(a);

// ---- points -------------------------------------------------------------------

export const IDENTITY = RistrettoPoint.ZERO;
export const GENERATOR = RistrettoPoint.BASE;

/** Strict canonical decoding (Point::parse). Reason "bad_point". */
export function parsePoint(bytes) {
  expectBytes(bytes, POINT_SIZE, 'bad_point', 'a group element');
  // libsodium 1.0.18 ignores bit 255; RFC 9496 requires rejecting it.
  if ((bytes[31] & 0x80) !== 0) fail('bad_point', 'non-canonical group element (bit 255 set)');
  try {
    return RistrettoPoint.fromBytes(bytes);
  } catch {
    return fail('bad_point', 'invalid group element encoding');
  }
}

/** As parsePoint, and refuses the identity ("identity_point"). */
export function parseNonIdentityPoint(bytes) {
  const p = parsePoint(bytes);
  if (isIdentity(p)) fail('identity_point', 'the identity element is not allowed here');
  return p;
}

/** The canonical 32-byte encoding. */
export function pointToBytes(p) {
  return p.toBytes();
}

export function isIdentity(p) {
  return p.equals(IDENTITY);
}

/** Group equality (encodings are canonical, so equal iff same bytes). */
export function pointEquals(p, q) {
  return p.equals(q);
}

/** s * P for a secret s; the identity for s = 0. */
export function mulSecret(p, s) {
  return s === 0n ? IDENTITY : p.multiply(s);
}
/** s * P for public s and P (variable time); the identity for s = 0. */
export function mulPublic(p, s) {
  return p.multiplyUnsafe(s);
}
/** s * G for a secret s (Point::base_mul). */
export function baseMul(s) {
  return mulSecret(GENERATOR, s);
}

/** RFC 9496 §4.3.4 one-way map of 64 uniform bytes (Point::from_hash). */
export function pointFromHash(wide) {
  if (!(wide instanceof Uint8Array) || wide.length !== 64) throw new TypeError('expected 64 bytes');
  return ristretto255_hasher.deriveToCurve(wide);
}

/** Hex of a point, for messages and tests. */
export function pointHex(p) {
  return hexEncode(p.toBytes());
}
