// The election result (urne/result/v1), exactly as ballot/result.{hpp,cpp}:
// its canonical bytes both ways, the structural rules of
// ElectionResult::create, the derivation the auditor re-runs on the board's
// own data (result_detail::derive_with_any_seed) and the service's result
// signature (ballot/board.hpp).
//
// Layout (docs/protocol.md §9.4; indices and ranks u32, lists u16-counted):
//   lp16 "urne/result/v1" · election_id[32] · u32 entitled · u32 checked_in
//   · u64 ballots_cast · u64 abstentions · u64 invalid · u16 n · n × u64
//   marks · n × u32 ranking · elected · substitutes · u16 ties (u64 marks,
//   u32 first_rank, u32 last_rank, u8 resolution, members) · u8 lot_drawn ·
//   undecided ranks · seed[32] · ballot_set_hash[32] · u16 lot keys (u32
//   candidate, key[32]).
//
// A result value: { electionId, entitled, checkedIn, totals: { marks:
// [bigint], abstentions, invalid, ballotsCast (bigints) }, outcome (counting.js
// countVotes()'s shape), lot: { seed, ballotSetHash, keys: [{ candidate, key }] },
// bytes, hash }.

import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fail } from './errors.js';
import { concat, ctEqual, lp16, u16be, u32be, u64be, u8 } from './bytes.js';
import { CanonicalReader } from './canonical.js';
import { verifyInstitutionSignature } from './credential.js';
import { ballotSetHash, countVotes, lotKey, TIE_LOT, TIE_NOT_NEEDED, TIE_RUNOFF } from './counting.js';

export const RESULT_LABEL = 'urne/result/v1';
export const RESULT_SIGNATURE_LABEL = 'urne/result-signature/v1';
/** Manifest::kMaxCandidates (the manifest's bound; proofs.js MAX_CANDIDATES is the crypto's). */
const MAX_CANDIDATES = 100;

/** A big-endian u64 from a CanonicalReader, as a bigint ("truncated"). */
export function readU64(r, field) {
  const b = r.take(8, field);
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

/** Totals::consistent(): abstentions + invalid <= cast, and every candidate's marks <= valid. */
export function totalsConsistent(t) {
  if (t.abstentions > t.ballotsCast || t.invalid > t.ballotsCast - t.abstentions) return false;
  const v = t.ballotsCast - t.abstentions - t.invalid;
  return t.marks.every((m) => m <= v);
}

/** Field-wise equality of two totals (Totals operator==). */
export function sameTotals(a, b) {
  return a.marks.length === b.marks.length && a.marks.every((m, i) => m === b.marks[i]) &&
    a.abstentions === b.abstentions && a.invalid === b.invalid && a.ballotsCast === b.ballotsCast;
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** same_ranking(): the rankings are equal. */
export function sameRanking(a, b) {
  return sameList(a.ranking, b.ranking);
}

/** same_ties(): the tie groups (marks, members, ranks, resolution) and the undecided ranks are equal. */
export function sameTies(a, b) {
  return a.ties.length === b.ties.length &&
    a.ties.every((g, i) => {
      const h = b.ties[i];
      return g.marks === h.marks && sameList(g.members, h.members) && g.firstRank === h.firstRank &&
        g.lastRank === h.lastRank && g.resolution === h.resolution;
    }) &&
    sameList(a.undecidedRanks, b.undecidedRanks);
}

/** LotRecord operator==: seed, ballot set hash and the keys in order. */
export function sameLot(a, b) {
  return ctEqual(a.seed, b.seed) && ctEqual(a.ballotSetHash, b.ballotSetHash) && a.keys.length === b.keys.length &&
    a.keys.every((k, i) => k.candidate === b.keys[i].candidate && ctEqual(k.key, b.keys[i].key));
}

// ElectionResult::create's structural rules, in the C++ order.
function checkData(d) {
  const n = d.totals.marks.length;
  if (n < 1 || n > MAX_CANDIDATES) fail('bad_candidate_count', `a result has 1..${MAX_CANDIDATES} candidates, not ${n}`);
  if (!totalsConsistent(d.totals)) {
    fail('inconsistent_totals', 'abstentions and invalid ballots exceed the ballots cast, or a candidate has more marks than there are valid ballots');
  }
  const o = d.outcome;
  if (o.ranking.length !== n) fail('bad_ranking', 'the ranking must list every candidate');
  let seen = new Array(n).fill(false);
  for (const c of o.ranking) {
    if (c >= n || seen[c]) fail('bad_ranking', 'the ranking is not a permutation');
    seen[c] = true;
  }
  seen = new Array(n).fill(false);
  for (const list of [o.elected, o.substitutes]) {
    for (const c of list) {
      if (c >= n || seen[c]) fail('bad_outcome', 'elected and substitutes must be distinct candidates');
      seen[c] = true;
    }
  }
  o.undecidedRanks.forEach((r, i) => {
    if (r < 1 || r > n || (i > 0 && r <= o.undecidedRanks[i - 1])) {
      fail('bad_outcome', 'undecided ranks must be ascending ranks of candidates');
    }
  });
  for (const g of o.ties) {
    if (g.members.length < 2) fail('bad_tie', 'a tie has at least two members');
    g.members.forEach((m, i) => {
      if (m >= n || (i > 0 && m <= g.members[i - 1])) fail('bad_tie', 'tie members must be ascending candidate indices');
    });
    if (g.firstRank < 1 || g.firstRank > g.lastRank || g.lastRank > n) fail('bad_tie', "a tie's ranks must lie within 1..candidates");
    if (![TIE_NOT_NEEDED, TIE_LOT, TIE_RUNOFF].includes(g.resolution)) fail('bad_tie', 'unknown tie resolution');
  }
  seen = new Array(n).fill(false);
  for (const k of d.lot.keys) {
    if (k.candidate >= n || seen[k.candidate]) fail('bad_lot', 'lot keys must belong to distinct candidates');
    seen[k.candidate] = true;
  }
}

const indices = (v) => concat(u16be(v.length), ...v.map(u32be));

/**
 * The canonical bytes of result data (the inverse of parseResult). Checks the
 * structural rules first (reasons as ElectionResult::create); TypeError for
 * values that do not fit their fields.
 */
export function encodeResult(d) {
  checkData(d);
  const o = d.outcome;
  const parts = [
    lp16(RESULT_LABEL), d.electionId, u32be(d.entitled), u32be(d.checkedIn),
    u64be(d.totals.ballotsCast), u64be(d.totals.abstentions), u64be(d.totals.invalid),
    u16be(d.totals.marks.length), ...d.totals.marks.map(u64be), ...o.ranking.map(u32be),
    indices(o.elected), indices(o.substitutes), u16be(o.ties.length),
  ];
  for (const g of o.ties) {
    parts.push(u64be(g.marks), u32be(g.firstRank), u32be(g.lastRank), u8(g.resolution), indices(g.members));
  }
  parts.push(u8(o.lotDrawn ? 1 : 0), indices(o.undecidedRanks), d.lot.seed, d.lot.ballotSetHash, u16be(d.lot.keys.length));
  for (const k of d.lot.keys) parts.push(u32be(k.candidate), k.key);
  return concat(...parts);
}

function withBytes(d) {
  const bytes = encodeResult(d);
  return { ...d, bytes, hash: sha256(bytes) };
}

/** Makes a result value (with bytes and hash) from data; the reasons of encodeResult. */
export function makeResult(d) {
  return withBytes(d);
}

function readIndices(r, field, max) {
  const n = r.count16(field, 0, max, 4);
  const out = [];
  for (let i = 0; i < n; i++) out.push(r.u32(field));
  return out;
}

/**
 * Parses a result's canonical bytes strictly (the reader's reasons, then the
 * structural rules); the value re-encodes to exactly `bytes`.
 */
export function parseResult(bytes) {
  const r = new CanonicalReader(bytes);
  r.label(RESULT_LABEL);
  const electionId = r.fixed(32, 'election_id').slice();
  const entitled = r.u32('entitled');
  const checkedIn = r.u32('checked_in');
  const ballotsCast = readU64(r, 'ballots_cast');
  const abstentions = readU64(r, 'abstentions');
  const invalid = readU64(r, 'invalid');
  const n = r.count16('marks', 1, MAX_CANDIDATES, 8 + 4);
  const marks = [];
  for (let i = 0; i < n; i++) marks.push(readU64(r, 'marks'));
  const ranking = [];
  for (let i = 0; i < n; i++) ranking.push(r.u32('ranking'));
  const elected = readIndices(r, 'elected', n);
  const substitutes = readIndices(r, 'substitutes', n);
  const nties = r.count16('ties', 0, Math.floor(n / 2), 8 + 4 + 4 + 1 + 2);
  const ties = [];
  for (let i = 0; i < nties; i++) {
    const gm = readU64(r, 'ties.marks');
    const firstRank = r.u32('ties.first_rank');
    const lastRank = r.u32('ties.last_rank');
    const resolution = r.u8('ties.resolution');
    if (![TIE_NOT_NEEDED, TIE_LOT, TIE_RUNOFF].includes(resolution)) fail('bad_tie', 'unknown tie resolution');
    const members = readIndices(r, 'ties.members', n);
    ties.push({ marks: gm, members, firstRank, lastRank, resolution });
  }
  const lotDrawn = r.boolean('lot_drawn');
  const undecidedRanks = readIndices(r, 'undecided_ranks', n);
  const seed = r.fixed(32, 'lot.seed').slice();
  const setHash = r.fixed(32, 'lot.ballot_set_hash').slice();
  const nkeys = r.count16('lot.keys', 0, n, 4 + 32);
  const keys = [];
  for (let i = 0; i < nkeys; i++) {
    const candidate = r.u32('lot.keys.candidate');
    const key = r.fixed(32, 'lot.keys.key').slice();
    keys.push({ candidate, key });
  }
  r.finish();
  const out = withBytes({
    electionId, entitled, checkedIn,
    totals: { marks, abstentions, invalid, ballotsCast },
    outcome: { ranking, elected, substitutes, ties, lotDrawn, undecidedRanks },
    lot: { seed, ballotSetHash: setHash, keys },
  });
  // Every field is fixed-width or counted: a parsed result re-encodes to its input.
  if (!ctEqual(out.bytes, bytes)) fail('not_canonical', 'the result does not re-encode to its input');
  return out;
}

/**
 * result_detail::derive_with_any_seed: the result that the board's own data
 * gives (manifest from readManifest, roster from parseRoster, the issuance
 * log's size, the ballot hashes, totals, a 32-byte seed), without the
 * roster / seed-commitment / issuance checks the audit reports by name.
 * Reasons: "wrong_candidate_count", "invalid_not_offered",
 * "inconsistent_totals", "ballot_count_mismatch",
 * "more_tokens_than_institutions", then those of countVotes() and the structure.
 */
export function deriveWithAnySeed(manifest, roster, issuanceCount, ballotHashes, totals, seed) {
  if (totals.marks.length !== manifest.candidates.length) {
    fail('wrong_candidate_count', `the totals have ${totals.marks.length} candidates, the manifest ${manifest.candidates.length}`);
  }
  if (!manifest.invalidOffered && totals.invalid !== 0n) fail('invalid_not_offered', 'invalid ballots counted where none can be cast');
  if (!totalsConsistent(totals)) fail('inconsistent_totals', 'the totals cannot come from the ballots cast');
  if (totals.ballotsCast !== BigInt(ballotHashes.length)) {
    fail('ballot_count_mismatch', `${totals.ballotsCast} ballots counted, ${ballotHashes.length} on the board`);
  }
  if (issuanceCount > 0xffffffff) fail('more_tokens_than_institutions', 'more tokens issued than institutions entitled');
  const lot = { seed, ballotSetHash: ballotSetHash(ballotHashes) };
  const outcome = countVotes(totals.marks, { seats: manifest.seats, substitutes: manifest.substitutes, tieRule: manifest.tieRule }, lot);
  const keys = [];
  // Each drawn group's keys in the order drawn (the ranking's order inside the group).
  for (const g of outcome.ties) {
    if (g.resolution !== TIE_LOT) continue;
    for (let rank = g.firstRank; rank <= g.lastRank; rank++) {
      const c = outcome.ranking[rank - 1];
      keys.push({ candidate: c, key: lotKey(lot, c) });
    }
  }
  return withBytes({
    electionId: manifest.electionId,
    entitled: roster.institutions.length,
    checkedIn: issuanceCount,
    totals,
    outcome,
    lot: { seed, ballotSetHash: lot.ballotSetHash, keys },
  });
}

/** The service's signed message: lp16("urne/result-signature/v1") || election_id || SHA-256(result bytes). */
export function resultMessage(result) {
  return concat(lp16(RESULT_SIGNATURE_LABEL), result.electionId, result.hash);
}

/** Whether `signature` (64 bytes) is the service key's over the result (libsodium-strict Ed25519). */
export function resultSignatureValid(serviceKey, result, signature) {
  return verifyInstitutionSignature(serviceKey, resultMessage(result), signature);
}

/** Signs a result with an Ed25519 seed (tests: the demo service key re-signs a tampered result). */
export function signResult(serviceSeed, result) {
  return ed25519.sign(resultMessage(result), serviceSeed);
}
