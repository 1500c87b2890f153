// The counting rule and the lot, exactly as ballot/counting.{hpp,cpp} and
// the ballot set hash of ballot/tally.cpp (docs/protocol.md §9.2, §9.3).
//
// Candidates are ranked by marks, highest first (a stable sort: equal marks
// keep the candidate-index order). Ranks 1..seats are elected, the next
// `substitutes` ranks are the substitutes; a candidate without a mark is
// neither. A tie group (>= 2 members, marks > 0) matters unless all its
// members are elected or all are beyond the last substitute place; one that
// matters is ordered by ascending lot key (tie rule "lot") or leaves its
// places undecided (tie rule "runoff").
//
// Marks and totals are bigints (the C++ u64): a hostile result may carry
// any u64, and the comparisons must not round.

import { sha256 } from '@noble/hashes/sha2.js';
import { fail } from './errors.js';
import { concat, ctEqual, lp16, u32be, utf8 } from './bytes.js';
import { lotSeedCommitment } from './manifest_writer.js';

export const LOT_LABEL = 'urne/lot/v1';
export const BALLOT_SET_LABEL = 'urne/ballot-set/v1';

/** TieResolution values of counting.hpp (the result's u8). */
export const TIE_NOT_NEEDED = 1;
export const TIE_LOT = 2;
export const TIE_RUNOFF = 3;

/** Whether a revealed 32-byte seed matches (manifest_writer.js lotSeedCommitment) the manifest's lot_seed_commitment (compared in constant time). */
export function lotSeedMatches(seed, commitment) {
  return ctEqual(lotSeedCommitment(seed), commitment);
}

/** A candidate's lot key: SHA-256(lp16("urne/lot/v1") || seed || ballot_set_hash || u32be(candidate)). */
export function lotKey(lot, candidate) {
  return sha256(concat(lp16(utf8(LOT_LABEL)), lot.seed, lot.ballotSetHash, u32be(candidate)));
}

/** Byte-wise comparison of two equal-length byte strings (-1, 0, 1), as std::array's operator<. */
export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * The ballot set hash: SHA-256(lp16("urne/ballot-set/v1") || u32be(count) ||
 * the 32-byte hashes sorted ascending). A function of the set (the order
 * given does not matter); duplicates are hashed as given.
 */
export function ballotSetHash(hashes) {
  const sorted = [...hashes].sort(compareBytes);
  const h = sha256.create();
  h.update(concat(lp16(utf8(BALLOT_SET_LABEL)), u32be(sorted.length)));
  for (const x of sorted) h.update(x);
  return h.digest();
}

/**
 * Applies the counting rule. marks: bigint per candidate (manifest order);
 * rule: { seats, substitutes, tieRule: 'lot'|'runoff' }; lot: { seed,
 * ballotSetHash } or null (needed only when a tie matters under 'lot':
 * "lot_inputs_missing" otherwise). Returns { ranking, elected, substitutes,
 * ties: [{ marks, members, firstRank, lastRank, resolution }], lotDrawn,
 * undecidedRanks } with candidate indices and ranks as numbers.
 */
export function countVotes(marks, rule, lot) {
  const n = marks.length;
  const lastPlace = rule.seats + rule.substitutes;
  // Array.prototype.sort is stable (ES2019): equal marks stay in index order.
  const order = [...Array(n).keys()].sort((a, b) => (marks[a] > marks[b] ? -1 : marks[a] < marks[b] ? 1 : 0));
  const out = { ranking: [], elected: [], substitutes: [], ties: [], lotDrawn: false, undecidedRanks: [] };
  for (let begin = 0; begin < n;) {
    let end = begin + 1;
    while (end < n && marks[order[end]] === marks[order[begin]]) end++;
    const groupMarks = marks[order[begin]];
    const firstRank = begin + 1;
    const lastRank = end;
    if (end - begin >= 2 && groupMarks > 0n) {
      const g = {
        marks: groupMarks,
        members: order.slice(begin, end).sort((a, b) => a - b),
        firstRank,
        lastRank,
        resolution: TIE_NOT_NEEDED,
      };
      const allElected = lastRank <= rule.seats;
      const allBeyond = firstRank > lastPlace;
      if (allElected || allBeyond) {
        g.resolution = TIE_NOT_NEEDED;
      } else if (rule.tieRule === 'runoff') {
        g.resolution = TIE_RUNOFF;
        for (let r = firstRank; r <= lastRank && r <= lastPlace; r++) out.undecidedRanks.push(r);
      } else {
        if (!lot) fail('lot_inputs_missing', "a tie decides a place and the lot's seed is not revealed");
        g.resolution = TIE_LOT;
        out.lotDrawn = true;
        // One lot orders every tied candidate at once: ascending key (then
        // index, as std::sort on (key, index) pairs; keys never collide).
        const keyed = g.members.map((c) => ({ key: lotKey(lot, c), c }));
        keyed.sort((x, y) => compareBytes(x.key, y.key) || x.c - y.c);
        keyed.forEach((k, i) => { order[begin + i] = k.c; });
      }
      out.ties.push(g);
    }
    begin = end;
  }
  out.ranking = order;
  const undecided = new Set(out.undecidedRanks);
  for (let i = 0; i < n; i++) {
    const rank = i + 1;
    const c = order[i];
    if (marks[c] === 0n || undecided.has(rank)) continue;
    if (rank <= rule.seats) out.elected.push(c);
    else if (rank <= lastPlace) out.substitutes.push(c);
  }
  return out;
}
