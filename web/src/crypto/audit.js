// The audit of a published bulletin board in the browser: the JavaScript
// twin of `urne audit` (ballot/audit.{hpp,cpp}, docs/protocol.md §9.6).
// Every check of kAuditChecks, by its exact name and in its order, passes,
// fails or does not apply, with a detail; the audit never stops at the first
// failure (each check runs on what it needs, and the result checks re-derive
// from the board's own data when an earlier check failed), so that the
// statuses are the C++ report's for the same board.
//
// What it does not do: it trusts nothing but the board's bytes (and the
// receipts given), so it cannot tell whether the board is the one the
// service published to everyone (compare the fingerprint read out in the
// hall), and a ballot dropped before the tally was redone is caught only by
// its delegate's receipt.

import { fail, UrneError } from './errors.js';
import { ctEqual, hexEncode } from './bytes.js';
import { verifyInstitutionSignature, verifyTokenRequest } from './credential.js';
import { deriveElectionKey } from './dkg.js';
import { loadElection, verifyCastBallot } from './cast_ballot.js';
import { verifyToken } from './privacy_pass.js';
import { slotCount, abstainSlot } from './proofs.js';
import { sumCiphertexts } from './elgamal.js';
import { verifyTransition } from './officer.js';
import { parseReceiptFile, receiptMessage, shortFingerprint } from './receipt.js';
import { STATE, boardSignatureValid, parseBoard, stateName } from './board.js';
import { MAX_DLOG_BOUND, decryptTotals, partialStatement, thresholdKey, verifyPartial } from './threshold.js';
import { ballotSetHash, compareBytes, lotSeedMatches } from './counting.js';
import {
  deriveWithAnySeed, resultSignatureValid, sameLot, sameRanking, sameTies, sameTotals, totalsConsistent,
} from './result.js';

/** The check names in report order: ballot/audit.hpp kAuditChecks. */
export const AUDIT_CHECKS = Object.freeze([
  'board.signature', 'board.phase', 'transitions.signatures', 'transitions.order', 'manifest.roster',
  'key.commitments', 'issuance.order', 'issuance.entitled', 'issuance.once_per_institution',
  'issuance.token_key', 'issuance.signatures', 'ballots.order', 'ballots.unique', 'ballots.count',
  'ballots.tokens', 'ballots.tokens_spent_once', 'ballots.proofs', 'sums.recomputed', 'partials.order',
  'partials.proofs', 'partials.threshold', 'totals.decrypted', 'lot.seed', 'lot.ballot_set',
  'result.election', 'result.turnout', 'result.totals', 'result.ranking', 'result.elected',
  'result.substitutes', 'result.ties', 'result.lot', 'result.exact', 'result.signature',
  'receipt.signature', 'receipt.on_board',
]);

// The faults one check finds: all counted, the first five named.
class Faults {
  constructor() {
    this.shown = [];
    this.count = 0;
  }
  add(what) {
    if (this.shown.length < 5) this.shown.push(what);
    this.count++;
  }
  any() {
    return this.count > 0;
  }
  message() {
    let out = this.shown.join('; ');
    if (this.count > this.shown.length) out += `; and ${this.count - this.shown.length} more`;
    return out;
  }
  conclude(b, name, okMessage) {
    if (this.any()) b.fail(name, this.message());
    else b.pass(name, okMessage);
  }
}

class Builder {
  constructor() {
    this.checks = [];
  }
  add(name, status, detail) {
    this.checks.push({ name, status, detail });
  }
  pass(name, detail) {
    this.add(name, 'pass', detail);
  }
  fail(name, detail) {
    this.add(name, 'fail', detail);
  }
  notApplicable(name, detail) {
    this.add(name, 'not_applicable', detail);
  }
}

const nOf = (n, what) => `${n} ${what}`;
const ballotName = (b) => `ballot ${shortFingerprint(b.hash)}`;
const why = (e) => {
  if (e instanceof UrneError) return `${e.reason}: ${e.message}`;
  throw e; // a bug, not a finding about the board
};

/**
 * compute_sums (ballot/tally.cpp): the per-slot sums { a, b } of the
 * ballots (parseCastBallot results); the identity pair for none. Throws
 * "wrong_slot_count" if a ballot does not have the manifest's slot count.
 */
export function computeSums(layout, ballots) {
  const slots = slotCount(layout);
  ballots.forEach((b, i) => {
    const n = b.proven.ciphertexts.length;
    if (n !== slots) fail('wrong_slot_count', `ballot ${i} has ${n} slots, the manifest ${slots}`);
  });
  const sums = [];
  for (let s = 0; s < slots; s++) sums.push(sumCiphertexts(ballots.map((b) => b.proven.ciphertexts[s])));
  return sums;
}

/**
 * combine (ballot/tally.cpp): the totals { marks, abstentions, invalid,
 * ballotsCast } (bigints) from the sums and the partials of >= k distinct
 * trustees ([{ trustee, partials }]). Reasons "wrong_sum_count",
 * "too_many_ballots", "bad_partial_count", "inconsistent_partials",
 * "duplicate_trustee", "too_few_partials", "partial_decryption_invalid",
 * "totals_out_of_range", "inconsistent_totals".
 */
export function combineTotals(manifest, key, layout, sums, byTrustee, ballotsCast) {
  const slots = slotCount(layout);
  if (sums.length !== slots) fail('wrong_sum_count', `expected ${slots} sums, got ${sums.length}`);
  if (ballotsCast > MAX_DLOG_BOUND) fail('too_many_ballots', 'more ballots than a total can be recovered for');
  const seen = [];
  for (const t of byTrustee) {
    const who = `trustee ${t.trustee}`;
    if (t.partials.length !== sums.length) {
      fail('bad_partial_count', `${who} gave ${t.partials.length} partial decryptions for ${sums.length} sums`);
    }
    for (const p of t.partials) {
      if (p.trustee !== t.trustee) fail('inconsistent_partials', `${who}'s list holds a partial of trustee ${p.trustee}`);
    }
    if (seen.includes(t.trustee)) fail('duplicate_trustee', `${who} is listed twice`);
    seen.push(t.trustee);
  }
  if (seen.length < key.params.k) fail('too_few_partials', `${seen.length} trustees decrypted, ${key.params.k} are needed`);
  for (const t of byTrustee) {
    const base = partialStatement(key, manifest.electionId, t.trustee);
    sums.forEach((sum, s) => {
      try {
        verifyPartial(key, manifest.electionId, sum, t.partials[s], base);
      } catch (e) {
        if (!(e instanceof UrneError)) throw e;
        fail('partial_decryption_invalid', `trustee ${t.trustee}, slot ${s}: ${e.reason}`);
      }
    });
  }
  let slotTotals;
  try {
    slotTotals = decryptTotals(key, manifest.electionId, sums, byTrustee.map((t) => t.partials), ballotsCast);
  } catch (e) {
    if (e instanceof UrneError && e.reason === 'dlog_not_found') {
      fail('totals_out_of_range', `a decrypted total is not in 0..${ballotsCast}: these are not the sums of the ballots cast`);
    }
    throw e;
  }
  const totals = {
    marks: slotTotals.slice(0, layout.candidates).map(BigInt),
    abstentions: BigInt(slotTotals[abstainSlot(layout)]),
    invalid: layout.hasInvalid ? BigInt(slotTotals[abstainSlot(layout) + 1]) : 0n,
    ballotsCast: BigInt(ballotsCast),
  };
  if (!totalsConsistent(totals)) {
    fail('inconsistent_totals', `the decrypted totals cannot come from ${ballotsCast} valid ballots`);
  }
  return totals;
}

// ---- board and transitions ------------------------------------------------------

function checkPhase(b, board, scope) {
  const p = board.phase;
  if (p === null) {
    b.fail('board.phase', 'the board has no state transitions');
    return;
  }
  const f = new Faults();
  if (p < STATE.closed) f.add(`a board is published from the close on, its phase is ${stateName(p)}`);
  if (scope === 'final' && p !== STATE.result_published) f.add(`the board is not final: its phase is ${stateName(p)}`);
  if (p >= STATE.closed) {
    if (board.sums.length === 0) f.add('no encrypted sums after the close');
    if (!board.lotSeed) f.add('the lot seed is not revealed after the close');
  }
  if (p === STATE.closed) {
    if (board.partials.length) f.add('partial decryptions on a board that is not tallied');
    if (board.result) f.add('a result on a board that is not tallied');
  }
  if (p === STATE.tallied) {
    if (!board.partials.length) f.add('tallied without partial decryptions');
    if (board.result) f.add('a result before its publication');
  }
  if (p === STATE.result_published) {
    if (!board.partials.length) f.add('a published result without partial decryptions');
    if (!board.result) f.add('result_published without a result');
  }
  f.conclude(b, 'board.phase', `phase ${stateName(p)}, contents as required`);
}

function checkTransitions(b, m, board) {
  const ts = board.transitions;
  if (ts.length === 0) {
    b.fail('transitions.signatures', 'no state transitions on the board');
    b.fail('transitions.order', 'no state transitions on the board');
    return;
  }
  const sig = new Faults();
  for (const t of ts) {
    try {
      verifyTransition(m.officerKey, m.electionId, stateName(t.state), t.sequence, t.signature);
    } catch (e) {
      if (!(e instanceof UrneError)) throw e;
      sig.add(`transition ${t.sequence} (${stateName(t.state)}) is not signed by the officer's key`);
    }
  }
  sig.conclude(b, 'transitions.signatures', nOf(ts.length, 'transitions signed by the officer'));
  const order = new Faults();
  ts.forEach((t, i) => {
    const expected = STATE.published + i;
    if (t.sequence !== i + 1) order.add(`transition ${i + 1} has sequence ${t.sequence}`);
    if (t.state !== expected) order.add(`transition ${i + 1} is ${stateName(t.state)}, expected ${stateName(expected)}`);
  });
  order.conclude(b, 'transitions.order', `published .. ${stateName(ts[ts.length - 1].state)} in order`);
}

// ---- issuance ----------------------------------------------------------------------

// Returns the number of tokens justified by a valid entry (on the roster,
// its institution's first, this election's key, a valid signature).
function checkIssuance(b, m, board, tokenKeyId) {
  const log = board.issuance;
  const byId = new Map(board.roster.institutions.map((x) => [x.id, x]));
  const order = new Faults();
  for (let i = 1; i < log.length; i++) {
    // Ids are ASCII (checkInstitutionId): string order is byte order.
    if (log[i].institutionId < log[i - 1].institutionId) {
      order.add(`entry ${i} (${log[i].institutionId}) after ${log[i - 1].institutionId}`);
    }
  }
  order.conclude(b, 'issuance.order', nOf(log.length, 'entries in institution order'));

  const entitled = new Faults();
  for (const e of log) if (!byId.has(e.institutionId)) entitled.add(`${e.institutionId} is not on the roster`);
  entitled.conclude(b, 'issuance.entitled', 'every entry is an institution of the roster');

  const once = new Faults();
  const seen = new Set();
  const first = log.map((e) => {
    if (!seen.has(e.institutionId)) {
      seen.add(e.institutionId);
      return true;
    }
    once.add(`${e.institutionId} got more than one token`);
    return false;
  });
  once.conclude(b, 'issuance.once_per_institution', nOf(seen.size, 'institutions, one token each'));

  const key = new Faults();
  const keyOk = log.map((e) => {
    if (e.request[2] !== tokenKeyId[31]) {
      key.add(`${e.institutionId}'s request names another token key`);
      return false;
    }
    return true;
  });
  key.conclude(b, 'issuance.token_key', "every request names this election's token key");

  const sig = new Faults();
  let checked = 0;
  let justified = 0;
  log.forEach((e, i) => {
    const inst = byId.get(e.institutionId);
    if (!inst) return; // issuance.entitled names it
    checked++;
    try {
      verifyTokenRequest(inst.publicKey, m.electionId, e.institutionId, tokenKeyId, e.request, e.signature);
      if (first[i] && keyOk[i]) justified++;
    } catch (err) {
      if (!(err instanceof UrneError)) throw err;
      sig.add(`${e.institutionId}: ${err.reason}`);
    }
  });
  sig.conclude(b, 'issuance.signatures', nOf(checked, 'requests signed by their institution for this election'));
  return justified;
}

// ---- ballots --------------------------------------------------------------------------

async function checkBallots(b, election, board, tokensIssued, onProgress) {
  const ballots = board.ballots;
  const order = new Faults();
  for (let i = 1; i < ballots.length; i++) {
    if (compareBytes(ballots[i].hash, ballots[i - 1].hash) < 0) {
      order.add(`${ballotName(ballots[i])} after ${ballotName(ballots[i - 1])}`);
    }
  }
  order.conclude(b, 'ballots.order', nOf(ballots.length, 'ballots in hash order'));

  const unique = new Faults();
  const hashes = ballots.map((x) => x.hash).sort(compareBytes);
  for (let i = 1; i < hashes.length; i++) {
    if (ctEqual(hashes[i], hashes[i - 1]) && (i === 1 || !ctEqual(hashes[i - 1], hashes[i - 2]))) {
      unique.add(`ballot ${shortFingerprint(hashes[i])} is on the board more than once`);
    }
  }
  unique.conclude(b, 'ballots.unique', 'no ballot twice');

  if (ballots.length <= tokensIssued) {
    b.pass('ballots.count', `${nOf(ballots.length, 'ballots, ')}${nOf(tokensIssued, 'tokens issued by valid entries')}`);
  } else {
    b.fail('ballots.count', `${nOf(ballots.length, 'ballots but only ')}${nOf(tokensIssued, 'tokens issued by valid entries')}`);
  }

  const tokens = new Faults();
  for (const x of ballots) {
    try {
      await verifyToken(election.tokenKey, election.challenge, x.token);
    } catch (e) {
      if (!(e instanceof UrneError)) throw e;
      tokens.add(`${ballotName(x)}: ${e.reason}`);
    }
  }
  tokens.conclude(b, 'ballots.tokens', 'every token is valid for this election');

  const spent = new Faults();
  const inputs = new Set();
  for (const x of ballots) {
    const k = hexEncode(x.tokenInput);
    if (inputs.has(k)) spent.add(`${ballotName(x)} spends a token already spent`);
    inputs.add(k);
  }
  spent.conclude(b, 'ballots.tokens_spent_once', 'every token spent once');

  // The same check the ballot box runs before it accepts a ballot.
  const proofs = new Faults();
  onProgress?.(0, ballots.length, 'ballots.proofs');
  for (let i = 0; i < ballots.length; i++) {
    const x = ballots[i];
    try {
      await verifyCastBallot(election, x);
    } catch (e) {
      if (!(e instanceof UrneError)) throw e;
      proofs.add(`${ballotName(x)}: ${e.reason} (${e.message})`);
    }
    onProgress?.(i + 1, ballots.length, 'ballots.proofs');
  }
  proofs.conclude(b, 'ballots.proofs', nOf(ballots.length, 'ballots verify'));
}

function checkSums(b, election, board) {
  let recomputed;
  try {
    recomputed = computeSums(election.layout, board.ballots);
  } catch (e) {
    b.fail('sums.recomputed', `cannot sum the ballots: ${e instanceof UrneError ? e.message : why(e)}`);
    return null;
  }
  const published = board.sums;
  if (published.length === 0) {
    b.fail('sums.recomputed', 'no sums are published');
  } else if (published.length !== recomputed.length) {
    b.fail('sums.recomputed', `${nOf(published.length, 'sums published, the ballot has ')}${nOf(recomputed.length, 'slots')}`);
  } else {
    const f = new Faults();
    published.forEach((s, i) => {
      if (!(s.a.equals(recomputed[i].a) && s.b.equals(recomputed[i].b))) {
        f.add(`slot ${i} is not the sum of the ballots on the board`);
      }
    });
    f.conclude(b, 'sums.recomputed', `${nOf(published.length, 'sums equal the sums of ')}${nOf(board.ballots.length, 'ballots')}`);
  }
  return recomputed;
}

// ---- partial decryptions and totals -----------------------------------------------------

const PARTIAL_CHECKS = ['partials.order', 'partials.proofs', 'partials.threshold', 'totals.decrypted'];

function checkPartials(b, election, board, applies) {
  if (!applies) {
    for (const n of PARTIAL_CHECKS) b.notApplicable(n, 'the board is not tallied yet');
    return null;
  }
  const m = election.manifest;
  const key = thresholdKey(m);
  const slots = slotCount(election.layout);
  const isTrustee = (j) => j >= 1 && j <= key.params.n;

  const order = new Faults();
  if (board.partials.length === 0) order.add('no partial decryptions on the board');
  const wellFormed = board.partials.map((t, i) => {
    let ok = true;
    const who = `trustee ${t.trustee}`;
    if (!isTrustee(t.trustee)) {
      order.add(`${who} is not a trustee of this election`);
      ok = false;
    }
    if (i > 0 && t.trustee <= board.partials[i - 1].trustee) {
      order.add(`${who} listed after trustee ${board.partials[i - 1].trustee}`);
      ok = false;
    }
    if (t.partials.length !== slots) {
      order.add(`${who} gave ${nOf(t.partials.length, 'partials for ')}${nOf(slots, 'sums')}`);
      ok = false;
    }
    const other = t.partials.find((p) => p.trustee !== t.trustee);
    if (other) {
      order.add(`${who}'s list holds a partial of trustee ${other.trustee}`);
      ok = false;
    }
    return ok;
  });
  order.conclude(b, 'partials.order', nOf(board.partials.length, 'trustees, in order'));

  // Each proof against the published sum of its slot and the trustee's
  // published public share; whether the sums are the ballots' own is
  // sums.recomputed's question.
  const proofs = new Faults();
  const valid = [];
  let verified = 0;
  const bases = new Map();
  board.partials.forEach((t, i) => {
    let allOk = wellFormed[i];
    const n = Math.min(t.partials.length, board.sums.length);
    if (board.sums.length !== t.partials.length) allOk = false;
    for (let s = 0; s < n; s++) {
      const p = t.partials[s];
      if (!bases.has(p.trustee)) bases.set(p.trustee, partialStatement(key, m.electionId, p.trustee));
      try {
        verifyPartial(key, m.electionId, board.sums[s], p, bases.get(p.trustee));
        verified++;
      } catch (e) {
        if (!(e instanceof UrneError)) throw e;
        proofs.add(`trustee ${t.trustee}, slot ${s}: ${e.reason}`);
        allOk = false;
      }
    }
    if (allOk) valid.push(t);
  });
  proofs.conclude(b, 'partials.proofs', nOf(verified, 'partial decryption proofs verify'));

  if (valid.length >= key.params.k) {
    b.pass('partials.threshold', `${nOf(valid.length, 'trustees decrypted, ')}${key.params.k} needed`);
  } else {
    b.fail('partials.threshold', `${nOf(valid.length, 'trustees with valid partials, ')}${key.params.k} needed`);
  }

  try {
    const totals = combineTotals(m, key, election.layout, board.sums, valid, board.ballots.length);
    b.pass('totals.decrypted', `the totals of ${nOf(board.ballots.length, 'ballots')} decrypt from ${nOf(valid.length, "trustees' partials")}`);
    return totals;
  } catch (e) {
    b.fail('totals.decrypted', why(e));
    return null;
  }
}

// ---- lot and result ----------------------------------------------------------------------

const RESULT_CHECKS = [
  'lot.ballot_set', 'result.election', 'result.turnout', 'result.totals', 'result.ranking', 'result.elected',
  'result.substitutes', 'result.ties', 'result.lot', 'result.exact', 'result.signature',
];

function checkResult(b, board, decrypted, applies) {
  const m = board.manifest;
  if (!applies) {
    for (const n of RESULT_CHECKS) b.notApplicable(n, 'the result is not published yet');
    return;
  }
  if (!board.result) {
    for (const n of RESULT_CHECKS) b.fail(n, 'the board has no result');
    return;
  }
  const r = board.result.result;
  const hashes = board.ballots.map((x) => x.hash);

  let derived = null;
  let deriveError = null;
  const totals = { ...(decrypted ?? r.totals), ballotsCast: BigInt(board.ballots.length) };
  const seed = board.lotSeed ?? r.lot.seed;
  try {
    derived = deriveWithAnySeed(m, board.roster, board.issuance.length, hashes, totals, seed);
  } catch (e) {
    deriveError = why(e);
  }
  if (ctEqual(r.lot.ballotSetHash, ballotSetHash(hashes))) {
    b.pass('lot.ballot_set', `the lot used the hash of the ${nOf(hashes.length, 'ballots')} on the board`);
  } else {
    b.fail('lot.ballot_set', "the result's ballot set hash is not that of the board's ballots");
  }

  const election = new Faults();
  if (!ctEqual(r.electionId, m.electionId)) election.add('the result names another election id');
  if (r.totals.marks.length !== m.candidates.length) {
    election.add(`the result has ${nOf(r.totals.marks.length, 'candidates, the manifest ')}${m.candidates.length}`);
  }
  election.conclude(b, 'result.election', "the result is this election's");

  const turnout = new Faults();
  if (r.entitled !== board.roster.institutions.length) {
    turnout.add(`${nOf(r.entitled, 'entitled in the result, ')}${nOf(board.roster.institutions.length, 'on the roster')}`);
  }
  if (r.checkedIn !== board.issuance.length) {
    turnout.add(`${nOf(r.checkedIn, 'checked in according to the result, ')}${nOf(board.issuance.length, 'entries in the issuance log')}`);
  }
  if (r.totals.ballotsCast !== BigInt(board.ballots.length)) {
    turnout.add(`${nOf(r.totals.ballotsCast, 'ballots cast according to the result, ')}${nOf(board.ballots.length, 'on the board')}`);
  }
  turnout.conclude(b, 'result.turnout', `${r.entitled} entitled, ${r.checkedIn} checked in, ${nOf(r.totals.ballotsCast, 'ballots cast')}`);

  if (!decrypted) {
    b.fail('result.totals', "the totals could not be decrypted from the board's partials");
  } else if (!sameTotals(decrypted, r.totals)) {
    const f = new Faults();
    const d = decrypted;
    const p = r.totals;
    if (d.marks.length === p.marks.length) {
      d.marks.forEach((x, i) => {
        if (x !== p.marks[i]) f.add(`candidate ${i}: ${p.marks[i]} published, ${x} decrypted`);
      });
    } else {
      f.add('a different number of candidates');
    }
    if (d.abstentions !== p.abstentions) f.add('abstentions differ');
    if (d.invalid !== p.invalid) f.add('invalid ballots differ');
    if (d.ballotsCast !== p.ballotsCast) f.add('ballots cast differ');
    b.fail('result.totals', f.message());
  } else {
    b.pass('result.totals', 'the published totals are the decrypted ones');
  }

  // Re-derived with what the board says: the decrypted totals if any (else
  // the published marks, so the counting rule is still checked), the
  // board's revealed seed (else the result's own), its ballots and log.
  if (!derived) {
    const msg = `cannot reproduce the result: ${deriveError}`;
    for (const n of ['result.ranking', 'result.elected', 'result.substitutes', 'result.ties', 'result.lot', 'result.exact']) b.fail(n, msg);
  } else {
    const want = derived.outcome;
    const got = r.outcome;
    const sameList = (x, y) => x.length === y.length && x.every((v, i) => v === y[i]);
    if (sameRanking(want, got)) b.pass('result.ranking', 'the ranking reproduces');
    else b.fail('result.ranking', "the published ranking differs from the counting rule's");
    if (sameList(want.elected, got.elected)) b.pass('result.elected', nOf(got.elected.length, 'elected reproduce in rank order'));
    else b.fail('result.elected', "the published elected differ from the counting rule's");
    if (sameList(want.substitutes, got.substitutes)) b.pass('result.substitutes', nOf(got.substitutes.length, 'substitutes reproduce in order'));
    else b.fail('result.substitutes', "the published substitutes differ from the counting rule's");
    if (sameTies(want, got)) b.pass('result.ties', nOf(got.ties.length, 'tie groups reproduce'));
    else b.fail('result.ties', 'the published ties or undecided places differ');
    if (want.lotDrawn === got.lotDrawn && sameLot(derived.lot, r.lot)) {
      b.pass('result.lot', got.lotDrawn ? 'the lot reproduces' : 'no lot was needed');
    } else {
      b.fail('result.lot', 'the published lot (drawn flag, seed, ballot set or keys) does not reproduce');
    }
    if (ctEqual(derived.bytes, r.bytes)) b.pass('result.exact', 'the result is byte for byte the derived one');
    else b.fail('result.exact', "the result's bytes differ from the derived result's");
  }

  if (resultSignatureValid(m.serviceKey, r, board.result.signature)) {
    b.pass('result.signature', 'the result is signed by the service key');
  } else {
    b.fail('result.signature', "result_signature_invalid: the result is not signed by the service's key");
  }
}

// ---- the audit ----------------------------------------------------------------------------

/**
 * Audits a board's canonical bytes. options: scope 'final' (default: the
 * result must be published, `urne audit`) or 'closed' (the trustees' check
 * before decrypting, `urne audit --closed`); receipts: receipt files (the
 * 145 bytes, or the base64url text `urne vote cast --receipt-out` writes;
 * Uint8Array or string) — with receipts the report ends with
 * receipt.signature and receipt.on_board over all of them; onProgress(done,
 * total, check) during ballots.proofs (first with done = 0).
 *
 * Resolves to { verdict: 'pass'|'fail', checks: [{ name, status:
 * 'pass'|'fail'|'not_applicable', detail }] in AUDIT_CHECKS order,
 * boardFingerprint (hex), boardShort, electionId (hex), title, phase (state
 * name | null), ballots, tokensIssued, receipts (ballot hashes, hex),
 * result (parseResult's value | null), recomputedSums, decryptedTotals }.
 * verdict is 'pass' only if no check failed. A file that is not a board (or
 * whose manifest or a receipt does not parse) is refused with an UrneError,
 * as `urne audit` refuses it before auditing.
 */
export async function auditBoard(bytes, { scope = 'final', receipts = [], onProgress } = {}) {
  if (scope !== 'final' && scope !== 'closed') throw new TypeError("scope is 'final' or 'closed'");
  const board = parseBoard(bytes);
  const parsedReceipts = receipts.map((r) => parseReceiptFile(r));
  const election = await loadElection(board.manifestBytes);
  const m = board.manifest;
  const b = new Builder();

  if (boardSignatureValid(board)) b.pass('board.signature', `signed by the service key ${shortFingerprint(m.serviceKey)}`);
  else b.fail('board.signature', "board_signature_invalid: the board is not signed by the manifest's service key");
  checkPhase(b, board, scope);
  checkTransitions(b, m, board);

  if (ctEqual(m.rosterFingerprint, board.roster.fingerprint)) {
    b.pass('manifest.roster', `the manifest names this roster (${board.roster.shortFingerprint})`);
  } else {
    b.fail('manifest.roster', "the manifest names another roster than the board's");
  }

  try {
    const key = deriveElectionKey(m);
    b.pass('key.commitments', `the election key and ${nOf(key.publicShares.length, 'public shares')} follow from the commitments of ${nOf(key.qual.length, 'dealers')}`);
  } catch (e) {
    b.fail('key.commitments', why(e));
  }

  const tokensIssued = checkIssuance(b, m, board, election.tokenKey.keyId);
  await checkBallots(b, election, board, tokensIssued, onProgress);
  const recomputedSums = checkSums(b, election, board);

  const phase = board.phase;
  const partialsApply = scope === 'final' || board.partials.length > 0 || (phase !== null && phase >= STATE.tallied);
  const decryptedTotals = checkPartials(b, election, board, partialsApply);

  if (!board.lotSeed) b.fail('lot.seed', 'the lot seed is not revealed');
  else if (lotSeedMatches(board.lotSeed, m.lotSeedCommitment)) b.pass('lot.seed', "the revealed seed matches the manifest's commitment");
  else b.fail('lot.seed', "the revealed seed does not match the manifest's commitment");

  const resultApplies = scope === 'final' || board.result !== null || phase === STATE.result_published;
  checkResult(b, board, decryptedTotals, resultApplies);

  if (parsedReceipts.length) {
    const sig = new Faults();
    const on = new Faults();
    for (const rc of parsedReceipts) {
      const short = shortFingerprint(rc.ballotHash);
      if (!verifyInstitutionSignature(m.serviceKey, receiptMessage(rc.electionId, rc.ballotHash), rc.signature)) {
        sig.add(`receipt ${short}: receipt_signature_invalid: the receipt is not signed by the service's key`);
      }
      if (!ctEqual(rc.electionId, m.electionId)) on.add('the receipt is of another election');
      if (!board.ballots.some((x) => ctEqual(x.hash, rc.ballotHash))) on.add(`ballot ${short} is not on the board`);
    }
    const shorts = parsedReceipts.map((rc) => shortFingerprint(rc.ballotHash)).join(', ');
    sig.conclude(b, 'receipt.signature', parsedReceipts.length === 1 ? 'the receipt is signed by the service key' : `${parsedReceipts.length} receipts signed by the service key`);
    on.conclude(b, 'receipt.on_board', `ballot ${shorts} ${parsedReceipts.length === 1 ? 'is' : 'are'} on the board`);
  }

  const checks = b.checks;
  return {
    verdict: checks.length > 0 && !checks.some((c) => c.status === 'fail') ? 'pass' : 'fail',
    checks,
    boardFingerprint: board.fingerprintHex,
    boardShort: board.shortFingerprint,
    electionId: hexEncode(m.electionId),
    title: m.title,
    phase: phase === null ? null : stateName(phase),
    ballots: board.ballots.length,
    tokensIssued: board.issuance.length,
    receipts: parsedReceipts.map((rc) => hexEncode(rc.ballotHash)),
    result: board.result ? board.result.result : null,
    recomputedSums,
    decryptedTotals,
  };
}
