// The public side of the key ceremony, as crypto/dkg.{hpp,cpp}: a dealer's
// commitment with its Schnorr proof of knowledge of a_{i,0}, and the election
// key Y = sum over QUAL of C_{i,0} with the trustees' public shares
// X_j = sum_t A_t * j^t (A_t = sum_i C_{i,t}).
//
// The page never trusts an election key it is told: it re-derives the key
// from the manifest's commitments, after checking every proof, exactly as
// Manifest::parse_canonical does. Without the proofs, the last dealer could
// publish C_0 = T - sum(others) and own the key alone (rogue key).
//
// Commitment layout (99 + 32k bytes):
//   0x01 || ceremony_id[32] || dealer u8 || k u8 || C_0..C_{k-1}[32 each]
//        || pok_c[32] || pok_z[32]
// Proof: Transcript "urne/dkg-pok/v1" with ceremony_id, n u64, k u64,
// dealer u64, commitments (concatenated), commit R; valid iff
// R = z*G - c*C_0 hashes back to c.

import { fail, UrneError } from './errors.js';
import { concat, ctEqual } from './bytes.js';
import {
  GENERATOR, IDENTITY, isIdentity, mulPublic, parseNonIdentityPoint, parsePoint, parseScalar,
  scalarFromU64, scalarToBytes,
} from './group.js';
import { Transcript } from './transcript.js';

export const COMMITMENT_TAG = 0x01;
const POK_LABEL = 'urne/dkg-pok/v1';

/** Size of a commitment for threshold k: 99 + 32k. */
export const commitmentSize = (k) => 1 + 32 + 1 + 1 + 32 * k + 64;

function withField(e, field) {
  if (e instanceof UrneError) throw new UrneError(e.reason, `${field}: ${e.message}`);
  throw e;
}

/**
 * Parses a dealer commitment strictly, in the C++ order of checks. With
 * `params` = { ceremonyId, n, k } (the manifest's) it checks what
 * DealerCommitment::parse checks: "bad_length" (not 99 + 32k bytes),
 * "bad_tag", "wrong_ceremony", "bad_index" (dealer not in 1..n),
 * "bad_threshold" (k byte), then "bad_point" / "identity_point" (C_0) /
 * "bad_scalar". Without params only the form is checked (k taken from its
 * byte). The proof is NOT checked here: verifyCommitment does that.
 * Returns { ceremonyId, dealer, k, coefficients: [point], c, z (bigints),
 * bytes }.
 */
export function parseCommitment(bytes, params) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseCommitment reads bytes');
  const kByte = bytes.length > 34 ? bytes[34] : -1;
  const k = params ? params.k : kByte;
  if (k < 1 || bytes.length !== commitmentSize(k)) fail('bad_length', 'dealer commitment has the wrong length');
  if (bytes[0] !== COMMITMENT_TAG) fail('bad_tag', 'dealer commitment: wrong message type');
  const ceremonyId = bytes.slice(1, 33);
  if (params && !ctEqual(ceremonyId, params.ceremonyId)) {
    fail('wrong_ceremony', 'message belongs to another key ceremony');
  }
  const dealer = bytes[33];
  if (dealer < 1 || (params && dealer > params.n)) fail('bad_index', 'trustee index out of range 1..n');
  if (kByte !== k) fail('bad_threshold', 'commitment count is not k');
  const coefficients = [];
  let off = 35;
  for (let t = 0; t < k; t++, off += 32) {
    const enc = bytes.subarray(off, off + 32);
    // C_0 = identity would mean a_0 = 0: a dealer contributing nothing.
    coefficients.push(t === 0 ? parseNonIdentityPoint(enc) : parsePoint(enc));
  }
  const c = parseScalar(bytes.subarray(off, off + 32));
  const z = parseScalar(bytes.subarray(off + 32, off + 64));
  return { ceremonyId, dealer, k, coefficients, c, z, bytes: Uint8Array.from(bytes) };
}

/** The canonical bytes of a parsed commitment (DealerCommitment::encode). */
export function encodeCommitment(cm) {
  return concat(
    Uint8Array.of(COMMITMENT_TAG), cm.ceremonyId, Uint8Array.of(cm.dealer, cm.coefficients.length),
    ...cm.coefficients.map((p) => p.toBytes()), scalarToBytes(cm.c), scalarToBytes(cm.z),
  );
}

function pokChallenge(cm, n, r) {
  const t = new Transcript(POK_LABEL);
  t.append('ceremony_id', cm.ceremonyId);
  t.appendU64('n', n);
  t.appendU64('k', cm.coefficients.length);
  t.appendU64('dealer', cm.dealer);
  t.append('commitments', concat(...cm.coefficients.map((p) => p.toBytes())));
  t.appendPoint('commit', r);
  return t.challenge();
}

/**
 * Checks the proof of knowledge of a_{i,0} for n trustees (the proof hashes
 * n, so it holds for one n only). Throws "bad_proof" (the C++ reason).
 */
export function verifyCommitment(commitment, n) {
  if (!Number.isInteger(n) || n < 1 || n > 255) throw new TypeError('n out of contract');
  // R = z*G - c*C_0; all public, so variable time.
  const r = mulPublic(GENERATOR, commitment.z).subtract(mulPublic(commitment.coefficients[0], commitment.c));
  if (pokChallenge(commitment, n, r) !== commitment.c) {
    fail('bad_proof', "proof of knowledge of the dealer's secret fails");
  }
}

const keyCache = new WeakMap();

/**
 * Everything the manifest's commitments determine, checked as
 * Manifest::parse_canonical does: each commitment parsed under the
 * manifest's (ceremony id, n, k) and its proof verified (reasons above,
 * message prefixed "qual_commitments[i]"), QUAL strictly ascending by dealer
 * ("duplicate_dealer"; a descending order is "not_canonical": the C++
 * re-encodes sorted and compares), at least k dealers ("too_few_qualified"),
 * Y not the identity ("identity_election_key"). `manifest` is readManifest's
 * result. Returns { electionKey (point), qual: [dealer], commitments,
 * publicShares: [X_1..X_n] }. Cached per manifest object.
 */
export function deriveElectionKey(manifest) {
  const cached = keyCache.get(manifest);
  if (cached) return cached;
  const params = { ceremonyId: manifest.ceremonyId, n: manifest.trustees, k: manifest.threshold };
  const commitments = manifest.qualCommitments.map((bytes, i) => {
    const field = `qual_commitments[${i}]`;
    try {
      const cm = parseCommitment(bytes, params);
      verifyCommitment(cm, params.n);
      return cm;
    } catch (e) {
      return withField(e, field);
    }
  });
  const sorted = [...commitments].sort((a, b) => a.dealer - b.dealer);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].dealer === sorted[i - 1].dealer) fail('duplicate_dealer', 'qual_commitments: two commitments from one dealer');
  }
  // With at most k-1 dishonest trustees, k qualified dealers include an honest one.
  if (sorted.length < params.k) fail('too_few_qualified', 'qual_commitments: fewer than k dealers qualified');
  if (sorted.some((cm, i) => cm !== commitments[i])) {
    fail('not_canonical', 'the manifest does not re-encode to its input (QUAL not ascending by dealer)');
  }
  const agg = new Array(params.k).fill(IDENTITY);
  for (const cm of commitments) {
    for (let t = 0; t < params.k; t++) agg[t] = agg[t].add(cm.coefficients[t]);
  }
  const electionKey = agg[0];
  if (isIdentity(electionKey)) fail('identity_election_key', 'qual_commitments: the election key is the identity');
  const publicShares = [];
  for (let j = 1; j <= params.n; j++) {
    // Horner: ((A_{k-1} j + A_{k-2}) j + ...) j + A_0.
    let acc = agg[params.k - 1];
    for (let t = params.k - 2; t >= 0; t--) acc = mulPublic(acc, scalarFromU64(j)).add(agg[t]);
    publicShares.push(acc);
  }
  const out = { electionKey, qual: commitments.map((cm) => cm.dealer), commitments, publicShares };
  keyCache.set(manifest, out);
  return out;
}

/** The election key Y (a point, never the identity) from readManifest's result; reasons of deriveElectionKey. */
export function electionKeyFromManifest(manifest) {
  return deriveElectionKey(manifest).electionKey;
}

/** Trustee j's public share X_j (j in 1..n, else TypeError). */
export function publicShare(manifest, j) {
  if (!Number.isInteger(j) || j < 1 || j > manifest.trustees) throw new TypeError('trustee index out of range');
  return deriveElectionKey(manifest).publicShares[j - 1];
}
