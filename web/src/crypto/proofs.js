// Ballot proofs, exactly as crypto/proofs.{hpp,cpp} (docs/protocol.md
// §5.2-5.4): disjunctive Chaum-Pedersen (CDS) proofs that ciphertexts
// encrypt 0/1 per slot and that the combined ciphertext
// C = sum(marks) + max_marks * (abstain + invalid) encrypts 1..max_marks;
// the voter's encryptBallot and the auditor's verifyBallot.
//
// Byte compatibility is pinned by the kVector* ballot of
// tests/crypto/proofs_test.cpp, which fixes the order of the random draws:
// the randomness of every slot (64 bytes each, reduced mod l, redrawn if 0),
// then per proof (slots in order, then the range proof) per branch in order
// of v: a simulated branch draws its challenge then its response, the real
// one its nonce w.
//
// Values: a layout is { candidates, hasInvalid, maxMarks }; a context is
// { electionId (32 bytes), tokenInput (1..4096 bytes), publicKey (point),
// layout }; a proof is an array of { c, s } (bigint scalars) per branch; a
// proven ballot is { ciphertexts, slotProofs, rangeProof }.

import { fail } from './errors.js';
import { concat } from './bytes.js';
import {
  GENERATOR, baseMul, isIdentity, mulPublic, mulSecret, parseScalar, randomScalar,
  scalarAdd, scalarFromU64, scalarMul, scalarSub, scalarToBytes, systemRng,
} from './group.js';
import { Transcript } from './transcript.js';
import { addCiphertexts, ciphertextTimes, encodeCiphertext, encrypt, sumCiphertexts } from './elgamal.js';

export const MAX_CANDIDATES = 1000;
export const MAX_MARKS = 16;
export const MAX_TOKEN_INPUT_SIZE = 4096;
export const MAX_RANGE_BRANCHES = 64;
export const BRANCH_SIZE = 64;

const STATEMENT_LABEL = 'urne/ballot/v1';
const RANGE_PROOF_LABEL = 'urne/range-proof/v1';

// v*G for the small values of a range (0..max_marks+1): every branch of every
// proof subtracts one, so they are computed once instead of 35 times a ballot.
const smallMultiples = [];
function smallMultipleOfG(v) {
  while (smallMultiples.length <= v) smallMultiples.push(mulPublic(GENERATOR, scalarFromU64(smallMultiples.length)));
  return smallMultiples[v];
}

// ---- layout --------------------------------------------------------------------

const isIntIn = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;

/** 1..1000 candidates, maxMarks 1..16, hasInvalid a boolean; else "bad_layout". */
export function checkLayout(layout) {
  if (!layout || !isIntIn(layout.candidates, 1, MAX_CANDIDATES) || !isIntIn(layout.maxMarks, 1, MAX_MARKS) ||
      typeof layout.hasInvalid !== 'boolean') {
    fail('bad_layout', `a ballot needs 1..${MAX_CANDIDATES} candidates and max_marks in 1..${MAX_MARKS}`);
  }
}

export const slotCount = (layout) => layout.candidates + 1 + (layout.hasInvalid ? 1 : 0);
export const abstainSlot = (layout) => layout.candidates;
/** The slot index the range proof is bound to (no 0/1 proof has it). */
export const rangeProofSlot = (layout) => slotCount(layout);

function checkTokenInput(tokenInput) {
  if (!(tokenInput instanceof Uint8Array) || tokenInput.length < 1 || tokenInput.length > MAX_TOKEN_INPUT_SIZE) {
    fail('bad_token_input', `the token input must be 1..${MAX_TOKEN_INPUT_SIZE} bytes`);
  }
}

function checkRangeContract(lo, hi) {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || lo > hi || hi - lo >= MAX_RANGE_BRANCHES) {
    throw new TypeError('range out of contract');
  }
}

// ---- encodings -----------------------------------------------------------------

/**
 * Strict: exactly branches * 64 bytes with 1 <= branches <= 64 (else
 * "wrong_branch_count"), c || s per branch, each scalar < l (else "bad_scalar").
 */
export function parseRangeProof(bytes, branches) {
  if (!Number.isInteger(branches) || branches < 1 || branches > MAX_RANGE_BRANCHES ||
      !(bytes instanceof Uint8Array) || bytes.length !== branches * BRANCH_SIZE) {
    fail('wrong_branch_count', `a proof with ${branches} branches must be ${branches * BRANCH_SIZE} bytes`);
  }
  const out = [];
  for (let i = 0; i < branches; i++) {
    const o = i * BRANCH_SIZE;
    out.push({ c: parseScalar(bytes.subarray(o, o + 32)), s: parseScalar(bytes.subarray(o + 32, o + 64)) });
  }
  return out;
}

export function encodeRangeProof(proof) {
  return concat(...proof.flatMap((br) => [scalarToBytes(br.c), scalarToBytes(br.s)]));
}

// ---- statement -----------------------------------------------------------------

/**
 * The hashed statement of one ballot: context and all its ciphertexts.
 * Fails with "bad_layout", "bad_token_input", "wrong_slot_count".
 */
export function ballotStatement(ctx, ciphertexts) {
  checkLayout(ctx.layout);
  checkTokenInput(ctx.tokenInput);
  const n = slotCount(ctx.layout);
  if (ciphertexts.length !== n) fail('wrong_slot_count', `expected ${n} ciphertexts, got ${ciphertexts.length}`);
  if (!(ctx.electionId instanceof Uint8Array) || ctx.electionId.length !== 32) throw new TypeError('election id must be 32 bytes');
  const t = new Transcript(STATEMENT_LABEL);
  t.append('group', 'ristretto255');
  t.append('election_id', ctx.electionId);
  t.append('token_input', ctx.tokenInput);
  t.appendPoint('public_key', ctx.publicKey);
  t.appendU64('candidates', ctx.layout.candidates);
  t.appendU64('has_invalid', ctx.layout.hasInvalid ? 1 : 0);
  t.appendU64('max_marks', ctx.layout.maxMarks);
  t.appendU64('slots', ciphertexts.length);
  for (const ct of ciphertexts) t.append('ciphertext', encodeCiphertext(ct));
  return { t, publicKey: ctx.publicKey };
}

/** The transcript of one proof up to (not including) its commitments. */
export function proofTranscript(st, slot, lo, hi, ct) {
  const t = st.t.clone();
  t.append('proof', RANGE_PROOF_LABEL);
  t.appendU64('slot', slot);
  t.appendU64('lo', lo);
  t.appendU64('hi', hi);
  t.append('ciphertext', encodeCiphertext(ct));
  return t;
}

// ---- range proofs --------------------------------------------------------------

// The prover without its self-check. Witness: ct = (r*G, value*G + r*P).
function proveUnchecked(st, slot, ct, value, r, lo, hi, rng) {
  checkRangeContract(lo, hi);
  if (value < lo || value > hi) throw new TypeError('value outside the range (callers check)');
  const p = st.publicKey;
  const n = hi - lo + 1;
  const real = value - lo;
  const t = proofTranscript(st, slot, lo, hi, ct);
  const branches = new Array(n);
  let w = 0n; // fresh per proof: a reused nonce under two challenges reveals r
  let simulatedSum = 0n;
  for (let i = 0; i < n; i++) {
    let a;
    let b;
    if (i === real) {
      w = randomScalar(rng);
      a = baseMul(w);
      b = mulSecret(p, w);
    } else {
      const c = randomScalar(rng);
      const s = randomScalar(rng);
      branches[i] = { c, s };
      const bMinusVG = ct.b.subtract(smallMultipleOfG(lo + i));
      // c and s of a simulated branch are published in the proof, so they
      // need no constant-time multiplication (the faster variable-time one
      // leaks nothing the proof does not show). Which branch is the real
      // one is not hidden from a timing observer by constant-time scalar
      // multiplication either: the real branch always does less work.
      a = mulPublic(GENERATOR, s).subtract(mulPublic(ct.a, c));
      b = mulPublic(p, s).subtract(mulPublic(bMinusVG, c));
      simulatedSum = scalarAdd(simulatedSum, c);
    }
    t.appendPoint('a', a);
    t.appendPoint('b', b);
  }
  const cReal = scalarSub(t.challenge(), simulatedSum);
  branches[real] = { c: cReal, s: scalarAdd(w, scalarMul(cReal, r)) };
  return branches;
}

/**
 * Verifies a proof that ct encrypts a value in lo..hi, as proof `slot` of
 * the statement. Fails with "wrong_branch_count" or "range_proof_invalid".
 */
export function verifyRange(st, slot, ct, lo, hi, proof) {
  checkRangeContract(lo, hi);
  const n = hi - lo + 1;
  if (!Array.isArray(proof) || proof.length !== n) {
    fail('wrong_branch_count', `expected ${n} branches, got ${Array.isArray(proof) ? proof.length : 'none'}`);
  }
  const p = st.publicKey;
  const t = proofTranscript(st, slot, lo, hi, ct);
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    const { c, s } = proof[i];
    // a_v = s*G - c*A;  b_v = s*P - c*(B - v*G). All public: variable time.
    const a = mulPublic(GENERATOR, s).subtract(mulPublic(ct.a, c));
    const bMinusVG = ct.b.subtract(smallMultipleOfG(lo + i));
    const b = mulPublic(p, s).subtract(mulPublic(bMinusVG, c));
    t.appendPoint('a', a);
    t.appendPoint('b', b);
    sum = scalarAdd(sum, c);
  }
  // The check a weak verifier forgets: without it every branch could be
  // simulated and any value "proved".
  if (sum !== t.challenge()) {
    fail('range_proof_invalid', 'the branch challenges do not sum to the Fiat-Shamir challenge');
  }
}

/**
 * Proves that ct = encryptWithRandomness(pk, value, r) encrypts a value in
 * lo..hi; checks its own output ("value_out_of_range", "self_check_failed").
 */
export function proveRange(st, slot, ct, value, r, lo, hi, rng = systemRng) {
  checkRangeContract(lo, hi);
  if (!Number.isInteger(value) || value < lo || value > hi) {
    fail('value_out_of_range', "the value is outside the proof's range");
  }
  const proof = proveUnchecked(st, slot, ct, value, r, lo, hi, rng);
  try {
    verifyRange(st, slot, ct, lo, hi, proof);
  } catch (e) {
    fail('self_check_failed', `the range proof does not verify: ${e.reason ?? e.message}`);
  }
  return proof;
}

// ---- ballots -------------------------------------------------------------------

/** sum(mark slots) + maxMarks * (abstain + invalid). */
export function combinedCiphertext(layout, cts) {
  if (cts.length !== slotCount(layout)) throw new TypeError('wrong number of ciphertexts');
  const marks = sumCiphertexts(cts.slice(0, layout.candidates));
  const special = sumCiphertexts(cts.slice(layout.candidates));
  return addCiphertexts(marks, ciphertextTimes(special, layout.maxMarks));
}

// Counts marks and refuses a ballot that could not be counted (the C++
// combined_value, same reasons in the same order).
function combinedValue(layout, values) {
  const n = slotCount(layout);
  if (values.length !== n) fail('wrong_slot_count', `expected ${n} slot values, got ${values.length}`);
  let marks = 0;
  let special = 0;
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new TypeError('slot values are bytes');
    if (v > 1) fail('vote_value_not_binary', `slot ${j} must be 0 or 1`);
    if (j < layout.candidates) marks += v;
    else special += v;
  }
  if (special > 0 && (marks > 0 || special > 1)) {
    fail('conflicting_choices', 'an abstention or invalid ballot cannot carry anything else');
  }
  if (marks > layout.maxMarks) fail('too_many_marks', `at most ${layout.maxMarks} candidates may be marked`);
  if (marks === 0 && special === 0) fail('empty_ballot', 'mark a candidate, abstain, or vote invalid');
  return marks + layout.maxMarks * special;
}

/**
 * Encrypts and proves one ballot: values[j] is 0 or 1 for slot j (layout
 * order). Returns { ballot: { ciphertexts, slotProofs, rangeProof },
 * randomness } (randomness per slot: secret, revealed only to spoil the
 * ballot). Refuses "bad_layout", "bad_token_input", "wrong_slot_count",
 * "vote_value_not_binary", "empty_ballot", "too_many_marks",
 * "conflicting_choices"; verifies the ballot before returning it
 * ("self_check_failed"). With { selfCheck: false } it does not: the caller
 * then verifies the ballot itself before it is used (the voting page does
 * so in a worker while the delegate reads the review step, which halves
 * the time the delegate waits for the ballot).
 */
export function encryptBallot(ctx, values, rng = systemRng, { selfCheck = true } = {}) {
  checkLayout(ctx.layout);
  checkTokenInput(ctx.tokenInput);
  const combined = combinedValue(ctx.layout, values);
  const layout = ctx.layout;
  const n = slotCount(layout);

  const ciphertexts = [];
  const randomness = [];
  for (let j = 0; j < n; j++) {
    const e = encrypt(ctx.publicKey, values[j], rng);
    ciphertexts.push(e.ciphertext);
    randomness.push(e.randomness);
  }
  const st = ballotStatement(ctx, ciphertexts);
  const slotProofs = [];
  for (let j = 0; j < n; j++) {
    slotProofs.push(proveUnchecked(st, j, ciphertexts[j], values[j], randomness[j], 0, 1, rng));
  }
  // The combined ciphertext's randomness follows the same linear combination.
  let marksR = 0n;
  let specialR = 0n;
  for (let j = 0; j < n; j++) {
    if (j < layout.candidates) marksR = scalarAdd(marksR, randomness[j]);
    else specialR = scalarAdd(specialR, randomness[j]);
  }
  const combinedR = scalarAdd(marksR, scalarMul(specialR, scalarFromU64(layout.maxMarks)));
  const c = combinedCiphertext(layout, ciphertexts);
  const rangeProof = proveUnchecked(st, rangeProofSlot(layout), c, combined, combinedR, 1, layout.maxMarks, rng);

  const ballot = { ciphertexts, slotProofs, rangeProof };
  if (selfCheck) {
    try {
      verifyBallot(ctx, ballot);
    } catch (e) {
      fail('self_check_failed', `the new ballot does not verify: ${e.reason ?? e.message}`);
    }
  }
  return { ballot, randomness };
}

/**
 * Verifies every proof of a ballot. Reasons as the C++: "bad_layout",
 * "bad_token_input", "wrong_slot_count", "wrong_proof_count",
 * "identity_ciphertext", "wrong_branch_count", "zero_one_proof_invalid"
 * (message names the slot), "range_proof_invalid".
 */
export function verifyBallot(ctx, ballot) {
  const layout = ctx.layout;
  const st = ballotStatement(ctx, ballot.ciphertexts);
  const n = slotCount(layout);
  if (ballot.slotProofs.length !== n) {
    fail('wrong_proof_count', `expected ${n} slot proofs, got ${ballot.slotProofs.length}`);
  }
  for (let j = 0; j < n; j++) {
    // A = identity means r = 0 and B = m*G: a readable vote.
    if (isIdentity(ballot.ciphertexts[j].a)) {
      fail('identity_ciphertext', `slot ${j}: ciphertext is not encrypted (A = identity)`);
    }
    if (ballot.slotProofs[j].length !== 2) fail('wrong_branch_count', `slot ${j}: a 0/1 proof has 2 branches`);
  }
  if (ballot.rangeProof.length !== layout.maxMarks) {
    fail('wrong_branch_count', `range proof: expected ${layout.maxMarks} branches`);
  }
  for (let j = 0; j < n; j++) {
    try {
      verifyRange(st, j, ballot.ciphertexts[j], 0, 1, ballot.slotProofs[j]);
    } catch (e) {
      if (e.reason === 'range_proof_invalid') fail('zero_one_proof_invalid', `slot ${j}: ${e.message}`);
      throw e;
    }
  }
  const c = combinedCiphertext(layout, ballot.ciphertexts);
  try {
    verifyRange(st, rangeProofSlot(layout), c, 1, layout.maxMarks, ballot.rangeProof);
  } catch (e) {
    if (e.reason) fail(e.reason, `range proof: ${e.message}`);
    throw e;
  }
}

