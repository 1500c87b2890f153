// The cast ballot, as ballot/ballot.{hpp,cpp}, and the voter's files, as
// cli/voter.cpp: what the page builds from a choice, sends to the ballot
// box, keeps on the device and hands out to spoil (Benaloh challenge).
//
// Canonical layout (ballot/canonical.hpp rules):
//   lp16 "urne/cast-ballot/v1" || token[354]
//   || u16 slots (2..102) || per slot: ciphertext[64] || zero_one_proof[128]
//   || u8 range branches (1..16) || range_proof[64 x branches]
// ballot hash = SHA-256(canonical bytes) (the receipt and the board carry it).
//
// The proofs are bound to the manifest's election id and key and to the
// token's token_input (proofs.js): a ballot moved to another token or
// election does not verify. Everything outside (the manifest, a ballot from
// the board, a file) is parsed strictly with the C++ reasons.

import { sha256 } from '@noble/hashes/sha2.js';
import { fail, UrneError } from './errors.js';
import {
  base64urlDecode, base64urlEncode, concat, ctEqual, hexDecode, hexEncode, lp16, u16be, u8,
} from './bytes.js';
import { CanonicalReader, readManifest } from './canonical.js';
import { electionKeyFromManifest } from './dkg.js';
import { encodeCiphertext, openWithRandomness, parseCiphertext, parseRandomness, publicKeyFromPoint, revealRandomness } from './elgamal.js';
import { encodeRangeProof, encryptBallot, parseRangeProof, slotCount, verifyBallot, MAX_MARKS } from './proofs.js';
import { TOKEN_LENGTH, parseToken, parseTokenPublicKey, tokenChallengeForElection, verifyToken } from './privacy_pass.js';
import { systemRng } from './group.js';

export const CAST_BALLOT_LABEL = 'urne/cast-ballot/v1';
export const MIN_SLOTS = 2;
export const MAX_SLOTS = 102;
const ZERO_ONE_PROOF_SIZE = 128;
const SLOT_SIZE = 64 + ZERO_ONE_PROOF_SIZE;
const LABEL_BYTES = lp16(new TextEncoder().encode(CAST_BALLOT_LABEL));

export const TOKEN_FORMAT = 'urne-token/v1';
export const BALLOT_FORMAT = 'urne-ballot/v1';
export const SPOILED_FORMAT = 'urne-spoiled-ballot/v1';

function withField(e, field) {
  if (e instanceof UrneError) throw new UrneError(e.reason, `${field}: ${e.message}`);
  throw e;
}

// ---- the election ------------------------------------------------------------------

/**
 * Everything the voting page needs of one election, from the manifest's
 * canonical bytes (never from the readable JSON): the manifest
 * (readManifest), electionId (32 bytes), electionKey (the ElGamal key from
 * the DKG commitments, proofs checked: dkg.js reasons), layout
 * ({ candidates, hasInvalid, maxMarks }), tokenKey (parseTokenPublicKey of
 * the manifest's pkS; reasons prefixed "token_public_key") and challenge
 * (the RFC 9577 TokenChallenge bound to this election).
 */
export async function loadElection(manifestBytes) {
  const manifest = readManifest(manifestBytes);
  const electionKey = publicKeyFromPoint(electionKeyFromManifest(manifest));
  let tokenKey;
  try {
    tokenKey = await parseTokenPublicKey(manifest.tokenPublicKey);
  } catch (e) {
    withField(e, 'token_public_key');
  }
  const challenge = tokenChallengeForElection(manifest.tokenIssuerName, manifest.electionId);
  const layout = { candidates: manifest.candidates.length, hasInvalid: manifest.invalidOffered, maxMarks: manifest.maxMarks };
  return { manifest, electionId: manifest.electionId, electionKey, layout, tokenKey, challenge };
}

// ---- the choice ----------------------------------------------------------------------

/**
 * Whether the manifest allows the choice { marks: [candidate index],
 * abstain, invalid }. Reasons in the order of ballot.cpp check_choice:
 * "candidate_out_of_range", "duplicate_mark", "invalid_not_offered",
 * "abstain_with_invalid", "marks_with_abstain", "marks_with_invalid",
 * "too_many_marks", "empty_ballot".
 */
export function checkChoice(election, choice) {
  const { layout } = election;
  const marks = choice?.marks ?? [];
  if (!Array.isArray(marks)) throw new TypeError('choice.marks must be an array');
  for (const c of marks) {
    if (!Number.isInteger(c) || c < 0 || c >= layout.candidates) {
      fail('candidate_out_of_range', `candidate ${c} does not exist`);
    }
  }
  if (new Set(marks).size !== marks.length) fail('duplicate_mark', 'a candidate can be marked once');
  const abstain = choice.abstain === true;
  const invalid = choice.invalid === true;
  if (invalid && !layout.hasInvalid) fail('invalid_not_offered', 'this ballot offers no "ungültig"');
  if (abstain && invalid) fail('abstain_with_invalid', 'Enthaltung and ungültig exclude each other');
  if (abstain && marks.length > 0) fail('marks_with_abstain', 'Enthaltung excludes marks');
  if (invalid && marks.length > 0) fail('marks_with_invalid', 'ungültig excludes marks');
  if (marks.length > layout.maxMarks) fail('too_many_marks', `at most ${layout.maxMarks} marks, not ${marks.length}`);
  if (marks.length === 0 && !abstain && !invalid) fail('empty_ballot', 'mark a candidate, abstain or vote invalid');
}

/** 0/1 per slot (candidates, Enthaltung, ungültig if offered) after checkChoice. */
export function choiceToValues(election, choice) {
  checkChoice(election, choice);
  const { layout } = election;
  const values = new Array(slotCount(layout)).fill(0);
  for (const c of choice.marks ?? []) values[c] = 1;
  if (choice.abstain) values[layout.candidates] = 1;
  if (choice.invalid) values[layout.candidates + 1] = 1;
  return values;
}

// ---- the canonical form ----------------------------------------------------------------

/**
 * The canonical bytes of { token (354 bytes), proven ({ ciphertexts,
 * slotProofs, rangeProof } as proofs.js) }, with CastBallot::create's shape
 * checks: "count_out_of_range" (2..102 slots), "wrong_proof_count",
 * "wrong_branch_count".
 */
export function encodeCastBallot(token, proven) {
  parseToken(token);
  const n = proven.ciphertexts.length;
  if (n < MIN_SLOTS || n > MAX_SLOTS) fail('count_out_of_range', `a ballot has 2..102 slots, not ${n}`);
  if (proven.slotProofs.length !== n) fail('wrong_proof_count', 'one 0/1 proof per slot');
  proven.slotProofs.forEach((p, j) => {
    if (p.length !== 2) fail('wrong_branch_count', `slot ${j}: a 0/1 proof has 2 branches`);
  });
  const rb = proven.rangeProof.length;
  if (rb < 1 || rb > MAX_MARKS) fail('wrong_branch_count', 'range proof: 1..16 branches');
  const parts = [LABEL_BYTES, token, u16be(n)];
  for (let j = 0; j < n; j++) parts.push(encodeCiphertext(proven.ciphertexts[j]), encodeRangeProof(proven.slotProofs[j]));
  parts.push(u8(rb), encodeRangeProof(proven.rangeProof));
  return concat(...parts);
}

/** SHA-256 of a cast ballot's canonical bytes (the receipt's ballot_hash). */
export function ballotHash(bytes) {
  return sha256(bytes);
}

/**
 * Parses canonical bytes strictly (CastBallot::parse_canonical): reader
 * reasons ("wrong_label", "truncated", "count_out_of_range",
 * "trailing_bytes") and crypto's ("wrong_token_type", "bad_point",
 * "bad_scalar", message naming the field). Returns { token (354 bytes),
 * tokenInput, proven, bytes, hash }. Whether it fits an election is
 * verifyCastBallot's job.
 */
export function parseCastBallot(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseCastBallot reads bytes');
  const r = new CanonicalReader(bytes);
  r.label(CAST_BALLOT_LABEL);
  const token = r.fixed(TOKEN_LENGTH, 'token').slice();
  let tokenParts;
  try {
    tokenParts = parseToken(token);
  } catch (e) {
    withField(e, 'token');
  }
  const n = r.count16('slots', MIN_SLOTS, MAX_SLOTS, SLOT_SIZE);
  const ciphertexts = [];
  const slotProofs = [];
  for (let j = 0; j < n; j++) {
    const field = `slot ${j}`;
    const ct = r.fixed(64, field);
    try {
      ciphertexts.push(parseCiphertext(ct));
    } catch (e) {
      withField(e, `${field} ciphertext`);
    }
    const proof = r.fixed(ZERO_ONE_PROOF_SIZE, field);
    try {
      slotProofs.push(parseRangeProof(proof, 2));
    } catch (e) {
      withField(e, `${field} proof`);
    }
  }
  const branches = r.u8('range_proof');
  if (branches < 1 || branches > MAX_MARKS) fail('count_out_of_range', `range_proof: 1..16 branches, not ${branches}`);
  const rangeBytes = r.fixed(branches * 64, 'range_proof');
  let rangeProof;
  try {
    rangeProof = parseRangeProof(rangeBytes, branches);
  } catch (e) {
    withField(e, 'range_proof');
  }
  r.finish();
  const proven = { ciphertexts, slotProofs, rangeProof };
  // Every part is fixed-size and strictly parsed, so this holds by
  // construction; checked because the hash must be of the bytes received.
  if (!ctEqual(encodeCastBallot(token, proven), bytes)) fail('not_canonical', 'the ballot does not re-encode to its input');
  return { token, tokenInput: tokenParts.tokenInput.slice(), proven, bytes: Uint8Array.from(bytes), hash: sha256(bytes) };
}

const contextFor = (election, tokenInput) => ({
  electionId: election.electionId, tokenInput, publicKey: election.electionKey, layout: election.layout,
});

async function checkTokenFor(election, token) {
  try {
    await verifyToken(election.tokenKey, election.challenge, token);
  } catch (e) {
    if (e instanceof UrneError) fail('token_invalid', `${e.reason}: ${e.message}`);
    throw e;
  }
}

// ---- the voter's side -------------------------------------------------------------------

/**
 * Builds a ballot as build_ballot: refuses what checkChoice refuses and a
 * token that does not verify for this election ("token_invalid", crypto's
 * reason first in the message: the box would refuse it after the voter
 * left), then encrypts and proves (encryptBallot, which verifies its own
 * output) and re-parses its own bytes. Async because the token check uses
 * WebCrypto. Returns { bytes, hash (32), randomness: [32-byte Uint8Array per
 * slot] (secret: revealed only to spoil), token, proven }.
 * `rng(n)` exists for known-answer tests (C++ SeededRng order).
 * `{ selfCheck: false }` skips encryptBallot's verification of the proofs;
 * the caller must then run verifyCastBallot before the ballot is cast.
 */
export async function buildBallot(election, tokenBytes, choice, rng = systemRng, { selfCheck = true } = {}) {
  const values = choiceToValues(election, choice);
  await checkTokenFor(election, tokenBytes);
  const tokenInput = parseToken(tokenBytes).tokenInput.slice();
  const { ballot, randomness } = encryptBallot(contextFor(election, tokenInput), values, rng, { selfCheck });
  const bytes = encodeCastBallot(tokenBytes, ballot);
  const parsed = parseCastBallot(bytes);
  return {
    bytes, hash: parsed.hash, randomness: randomness.map(revealRandomness), token: Uint8Array.from(tokenBytes), proven: ballot,
  };
}

/**
 * The ballot box's and auditor's check (verify_cast_ballot), in order:
 * "token_invalid" (crypto's reason leads the message), "wrong_slot_count",
 * "proof_invalid" (crypto's reason and the slot in the message).
 * `ballot` = canonical bytes or parseCastBallot's result. Resolves to the
 * parsed ballot.
 */
export async function verifyCastBallot(election, ballot) {
  const b = ballot instanceof Uint8Array ? parseCastBallot(ballot) : ballot;
  await checkTokenFor(election, b.token);
  const want = slotCount(election.layout);
  if (b.proven.ciphertexts.length !== want) {
    fail('wrong_slot_count', `the ballot has ${b.proven.ciphertexts.length} slots, the manifest ${want}`);
  }
  try {
    verifyBallot(contextFor(election, b.tokenInput), b.proven);
  } catch (e) {
    if (e instanceof UrneError) fail('proof_invalid', `${e.reason}: ${e.message}`);
    throw e;
  }
  return b;
}

/**
 * Benaloh check (open_spoiled_ballot): with the randomness revealed per slot
 * (32-byte Uint8Arrays), what the ballot encrypts, as a choice { marks
 * (ascending), abstain, invalid } whether or not checkChoice accepts it.
 * Does not verify token or proofs (verifyCastBallot does). Reasons
 * "wrong_slot_count", "wrong_randomness_count", "bad_randomness",
 * "randomness_mismatch", "value_out_of_range" (slot named).
 */
export function openSpoiledBallot(election, ballot, randomness) {
  const b = ballot instanceof Uint8Array ? parseCastBallot(ballot) : ballot;
  const n = slotCount(election.layout);
  if (b.proven.ciphertexts.length !== n) fail('wrong_slot_count', 'the ballot does not fit the manifest');
  if (!Array.isArray(randomness) || randomness.length !== n) fail('wrong_randomness_count', 'one revealed randomness per slot');
  const choice = { marks: [], abstain: false, invalid: false };
  for (let j = 0; j < n; j++) {
    let v;
    try {
      const r = typeof randomness[j] === 'bigint' ? randomness[j] : parseRandomness(randomness[j]);
      v = openWithRandomness(b.proven.ciphertexts[j], election.electionKey, r, 1);
    } catch (e) {
      withField(e, `slot ${j}`);
    }
    if (v === 0) continue;
    if (j < election.layout.candidates) choice.marks.push(j);
    else if (j === election.layout.candidates) choice.abstain = true;
    else choice.invalid = true;
  }
  return choice;
}

// ---- the voter's files (cli/voter.cpp) ---------------------------------------------------
//
// The objects below have their keys in the order nlohmann::json writes them
// (sorted), so JSON.stringify(obj) is byte for byte the file `urne` writes
// (token, ballot: compact + "\n"; spoiled ballot: indent 2 + "\n"); see
// fileText().

/** The text of a file as `urne` writes it: compact (indent 0) or indented, plus "\n". */
export function fileText(obj, indent = 0) {
  return `${indent ? JSON.stringify(obj, null, indent) : JSON.stringify(obj)}\n`;
}

/** { election_id, format: "urne-token/v1", token } (the file of `urne vote check-in`). */
export function tokenFile(electionId, token) {
  parseToken(token);
  return { election_id: hexEncode(electionId), format: TOKEN_FORMAT, token: base64urlEncode(token) };
}

/** { ballot, election_id, format: "urne-ballot/v1" } (the prepared ballot `urne vote cast` keeps). */
export function ballotFile(electionId, bytes) {
  return { ballot: base64urlEncode(bytes), election_id: hexEncode(electionId), format: BALLOT_FORMAT };
}

/**
 * The urne-spoiled-ballot/v1 file of a built ballot (buildBallot's result):
 * { ballot, ballot_hash, election_id, format, randomness: [b64url] }, what
 * `urne vote challenge` writes and `urne vote check-spoiled` reads.
 */
export function spoiledBallotFile(election, built) {
  return {
    ballot: base64urlEncode(built.bytes),
    ballot_hash: hexEncode(ballotHash(built.bytes)),
    election_id: hexEncode(election.electionId),
    format: SPOILED_FORMAT,
    randomness: built.randomness.map((r) => base64urlEncode(r)),
  };
}

// read_own_file: a JSON object (text or parsed) with this format tag
// ("file_invalid") and this election ("file_of_another_election").
function readOwnFile(json, format, electionId) {
  let j = json;
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json);
    } catch {
      fail('file_invalid', 'the file is not JSON');
    }
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) fail('file_invalid', 'the file is not a JSON object');
  if (j.format !== format) fail('file_invalid', `the file is not a ${format} file`);
  const id = hexField(j, 'election_id', 32);
  if (!ctEqual(id, electionId)) {
    fail('file_of_another_election', `the file belongs to election ${hexEncode(id).slice(0, 16)}…, not to this one`);
  }
  return j;
}

function hexField(j, name, n) {
  if (!(name in j)) fail('missing_field', `field "${name}": missing`);
  const v = j[name];
  if (typeof v !== 'string') fail('wrong_type', `field "${name}": must be a hex string`);
  if (v.length !== 2 * n || !/^[0-9a-f]*$/.test(v)) fail('bad_encoding', `field "${name}": must be ${n} bytes as lower-case hex`);
  return hexDecode(v);
}

function b64Field(j, name, maxSize) {
  if (!(name in j)) fail('missing_field', `field "${name}": missing`);
  const v = j[name];
  if (typeof v !== 'string') fail('wrong_type', `field "${name}": must be a base64url string`);
  if (v.length > Math.floor((maxSize * 4 + 2) / 3)) fail('field_too_large', `field "${name}": longer than ${maxSize} bytes`);
  let b;
  try {
    b = base64urlDecode(v);
  } catch {
    fail('bad_encoding', `field "${name}": not base64url without padding`);
  }
  return b;
}

/** The token (354 bytes, parseToken checked) of a urne-token/v1 file (text or object) of this election. */
export function parseTokenFile(json, electionId) {
  const j = readOwnFile(json, TOKEN_FORMAT, electionId);
  const token = b64Field(j, 'token', TOKEN_LENGTH);
  parseToken(token);
  return token;
}

/** The parsed cast ballot (parseCastBallot) of a urne-ballot/v1 file of this election. */
export function parseBallotFile(json, electionId) {
  const j = readOwnFile(json, BALLOT_FORMAT, electionId);
  return parseCastBallot(b64Field(j, 'ballot', 1 << 20));
}

/**
 * Reads a urne-spoiled-ballot/v1 file of this election as `urne vote
 * check-spoiled` does: { ballot (parseCastBallot), randomness: [32-byte
 * Uint8Array] } ("file_invalid" for a missing or malformed randomness list,
 * "bad_randomness" for an entry). The caller then runs verifyCastBallot
 * and openSpoiledBallot. (ballot_hash is informative; it is checked to be
 * the ballot's, "ballot_hash_mismatch", when present.)
 */
export function parseSpoiledBallotFile(json, electionId) {
  const j = readOwnFile(json, SPOILED_FORMAT, electionId);
  const ballot = parseCastBallot(b64Field(j, 'ballot', 1 << 20));
  const r = j.randomness;
  if (!Array.isArray(r) || r.length > MAX_SLOTS) fail('file_invalid', 'randomness: a list of base64url values');
  const randomness = r.map((item) => {
    if (typeof item !== 'string') fail('file_invalid', 'randomness entry');
    const b = base64urlDecode(item);
    parseRandomness(b);
    return b;
  });
  if (j.ballot_hash !== undefined && j.ballot_hash !== hexEncode(ballot.hash)) {
    fail('ballot_hash_mismatch', 'ballot_hash is not the hash of the ballot');
  }
  return { ballot, randomness };
}
