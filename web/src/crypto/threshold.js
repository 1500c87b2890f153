// Threshold decryption of the encrypted sums, checked from public data only,
// exactly as crypto/threshold.{hpp,cpp} and crypto/dlog.{hpp,cpp}
// (docs/protocol.md §7). The browser never holds a share: it verifies the
// trustees' partial decryptions, combines k of them and recovers the small
// totals.
//
// Partial decryption (130 bytes): 0x05 || ceremony_id[32] || trustee u8 ||
// D[32] || c[32] || z[32]. Proof transcript "urne/partial-decryption/v1":
// election_id, ceremony_id, n u64, k u64, qual (u8 each), commitments (every
// C_{i,t} of QUAL, dealers ascending), election_key Y, trustee u64,
// public_share X_j, then per sum a A, b B, d D_j, commit_g W1, commit_a W2.
// The verifier recomputes W1 = z*G - c*X_j and W2 = z*A - c*D_j against the
// PUBLISHED X_j (from the manifest's commitments) and hashes back to c.
//
// `key` below is thresholdKey(manifest): { params: { ceremonyId, n, k },
// electionKey, qual, commitments, publicShares } — dkg.js's derivation of
// the manifest's commitments plus its ceremony parameters.

import { fail } from './errors.js';
import { concat, ctEqual, hexEncode, u8 } from './bytes.js';
import { deriveElectionKey } from './dkg.js';
import {
  GENERATOR, IDENTITY, ORDER, mulPublic, parsePoint, parseScalar, scalarFromU64, scalarMul, scalarSub, scalarToBytes,
} from './group.js';
import { Transcript } from './transcript.js';

export const PARTIAL_LABEL = 'urne/partial-decryption/v1';
export const PARTIAL_TAG = 0x05;
export const PARTIAL_SIZE = 130;
/** The largest total small_dlog recovers (crypto/dlog.hpp kMaxDlogBound). */
export const MAX_DLOG_BOUND = 100_000_000;

/** The manifest's key material for threshold checks (dkg.js reasons if the commitments are bad). */
export function thresholdKey(manifest) {
  const k = deriveElectionKey(manifest);
  return {
    params: { ceremonyId: manifest.ceremonyId, n: manifest.trustees, k: manifest.threshold },
    electionKey: k.electionKey, qual: k.qual, commitments: k.commitments, publicShares: k.publicShares,
  };
}

const isTrustee = (params, j) => Number.isInteger(j) && j >= 1 && j <= params.n;

/**
 * Parses a partial decryption strictly under the ceremony's params
 * ({ ceremonyId, n, k }), in the C++ order: "bad_length", "bad_tag",
 * "wrong_ceremony", "bad_index", "bad_point", "bad_scalar". The proof is
 * verifyPartial's job. Returns { ceremonyId, trustee, d, c, z, bytes }.
 */
export function parsePartial(bytes, params) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== PARTIAL_SIZE) fail('bad_length', 'partial decryption has the wrong length');
  if (bytes[0] !== PARTIAL_TAG) fail('bad_tag', 'partial decryption: wrong message type');
  if (!ctEqual(bytes.subarray(1, 33), params.ceremonyId)) fail('wrong_ceremony', 'partial decryption for another key');
  const trustee = bytes[33];
  if (!isTrustee(params, trustee)) fail('bad_index', 'trustee index out of range 1..n');
  const d = parsePoint(bytes.subarray(34, 66));
  const c = parseScalar(bytes.subarray(66, 98));
  const z = parseScalar(bytes.subarray(98, 130));
  return { ceremonyId: params.ceremonyId.slice(), trustee, d, c, z, bytes: Uint8Array.from(bytes) };
}

/** The 130 canonical bytes of a partial (PartialDecryption::encode). */
export function encodePartial(p) {
  return concat(u8(PARTIAL_TAG), p.ceremonyId, u8(p.trustee), p.d.toBytes(), scalarToBytes(p.c), scalarToBytes(p.z));
}

// The statement shared by all of trustee j's proofs in one election.
function baseTranscript(key, electionId, j) {
  const t = new Transcript(PARTIAL_LABEL);
  t.append('election_id', electionId);
  t.append('ceremony_id', key.params.ceremonyId);
  t.appendU64('n', key.params.n);
  t.appendU64('k', key.params.k);
  t.append('qual', Uint8Array.from(key.qual));
  t.append('commitments', concat(...key.commitments.flatMap((cm) => cm.coefficients.map((p) => p.toBytes()))));
  t.appendPoint('election_key', key.electionKey);
  t.appendU64('trustee', j);
  t.appendPoint('public_share', key.publicShares[j - 1]);
  return t;
}

function challenge(base, sum, d, w1, w2) {
  const t = base.clone();
  t.appendPoint('a', sum.a);
  t.appendPoint('b', sum.b);
  t.appendPoint('d', d);
  t.appendPoint('commit_g', w1);
  t.appendPoint('commit_a', w2);
  return t.challenge();
}

const neg = (s) => (s === 0n ? 0n : ORDER - s);

/**
 * Checks a partial's proof against the sum { a, b } (points) and the
 * trustee's published public share, as verify_partial_decryption: throws
 * "wrong_ceremony", "bad_index" or "bad_proof". `base` (optional) is a
 * cached statement transcript for (key, electionId, trustee).
 */
export function verifyPartial(key, electionId, sum, partial, base) {
  if (!ctEqual(partial.ceremonyId, key.params.ceremonyId)) fail('wrong_ceremony', 'partial decryption for another key');
  if (!isTrustee(key.params, partial.trustee)) fail('bad_index', 'trustee index out of range 1..n');
  const xj = key.publicShares[partial.trustee - 1];
  // W1 = z*G - c*X_j, W2 = z*A - c*D_j (public values: variable time).
  const w1 = mulPublic(GENERATOR, partial.z).add(mulPublic(xj, neg(partial.c)));
  const w2 = mulPublic(sum.a, partial.z).subtract(mulPublic(partial.d, partial.c));
  const t = base ?? baseTranscript(key, electionId, partial.trustee);
  if (challenge(t, sum, partial.d, w1, w2) !== partial.c) fail('bad_proof', 'partial decryption proof fails');
}

/** A cached statement transcript per trustee for verifyPartial (one per trustee, many sums). */
export function partialStatement(key, electionId, trustee) {
  return baseTranscript(key, electionId, trustee);
}

function inverse(x) {
  // Fermat: x^(l-2) mod l; x != 0 (distinct indices < l).
  let r = 1n;
  let b = x % ORDER;
  let e = ORDER - 2n;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % ORDER;
    b = (b * b) % ORDER;
    e >>= 1n;
  }
  return r;
}

/**
 * lambda_j = prod_{m != j} m / (m - j) mod l for each index (numbers), in
 * order. Reasons "no_indices", "zero_index", "duplicate_index".
 */
export function lagrangeAtZero(indices) {
  if (indices.length === 0) fail('no_indices', 'no trustee indices');
  indices.forEach((a, i) => {
    if (a === 0) fail('zero_index', 'trustee index 0');
    if (indices.slice(0, i).includes(a)) fail('duplicate_index', 'trustee index given twice');
  });
  return indices.map((j) => {
    let num = 1n;
    let den = 1n;
    for (const m of indices) {
      if (m === j) continue;
      num = scalarMul(num, scalarFromU64(m));
      den = scalarMul(den, scalarSub(scalarFromU64(m), scalarFromU64(j)));
    }
    return scalarMul(num, inverse(den));
  });
}

/**
 * M = B - sum lambda_j D_j for partials of distinct trustees (at least k,
 * every proof verified first): the decrypted point total*G. Reasons of
 * lagrangeAtZero, "too_few_partials", verifyPartial's.
 */
export function combinePartials(key, electionId, sum, partials, bases) {
  const lambda = lagrangeAtZero(partials.map((p) => p.trustee));
  if (partials.length < key.params.k) fail('too_few_partials', 'fewer than k partial decryptions');
  for (const p of partials) verifyPartial(key, electionId, sum, p, bases?.get(p.trustee));
  let acc = IDENTITY;
  partials.forEach((p, i) => { acc = acc.add(mulPublic(p.d, lambda[i])); });
  return sum.b.subtract(acc);
}

/**
 * m with m*G == point and 0 <= m <= bound (baby-step giant-step, a table of
 * ~sqrt(bound+1) points built per call; public values only). Returns a
 * number. Reasons "dlog_bound_too_large", "dlog_not_found".
 */
export function discreteLog(point, bound) {
  if (!Number.isSafeInteger(bound) || bound < 0) throw new TypeError('bound must be a non-negative integer');
  if (bound > MAX_DLOG_BOUND) fail('dlog_bound_too_large', 'bound exceeds the largest supported total');
  let s = 1;
  while (s * s < bound + 1) s++;
  const table = new Map();
  let p = IDENTITY;
  for (let j = 0; j < s; j++) {
    // The baby steps double as a linear search: small totals end here.
    if (p.equals(point)) {
      if (j <= bound) return j;
      break;
    }
    table.set(hexEncode(p.toBytes()), j);
    p = p.add(GENERATOR);
  }
  let q = point;
  for (let i = 1; i * s <= bound; i++) {
    q = q.subtract(p);
    const hit = table.get(hexEncode(q.toBytes()));
    if (hit !== undefined) {
      const m = i * s + hit;
      if (m <= bound) return m;
      break; // the logarithm is unique: it is out of range
    }
  }
  return fail('dlog_not_found', 'no total in 0..bound gives this point');
}

/**
 * decrypt_totals: for each sum, combines one partial per given trustee
 * (byTrustee: [[partial per sum]]) and recovers the total <= bound.
 * Returns numbers. Reasons "bad_partial_count", "inconsistent_partials",
 * combinePartials' and discreteLog's.
 */
export function decryptTotals(key, electionId, sums, byTrustee, bound) {
  for (const v of byTrustee) {
    if (v.length !== sums.length) fail('bad_partial_count', 'need one partial decryption per sum');
    for (const p of v) {
      if (p.trustee !== v[0].trustee) fail('inconsistent_partials', "one trustee's list mixes trustees");
    }
  }
  const bases = new Map();
  for (const v of byTrustee) {
    if (v.length > 0 && isTrustee(key.params, v[0].trustee) && !bases.has(v[0].trustee)) {
      bases.set(v[0].trustee, baseTranscript(key, electionId, v[0].trustee));
    }
  }
  return sums.map((sum, s) => discreteLog(combinePartials(key, electionId, sum, byTrustee.map((v) => v[s]), bases), bound));
}
