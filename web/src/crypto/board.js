// The bulletin board's canonical bytes, parsed strictly as
// Board::parse_canonical in ballot/board.cpp (docs/protocol.md §9.5), and
// the service's board signature. A parsed board is well-formed, not
// verified: signatures, order and consistency are audit.js's job.
//
// Contents (the signed part):
//   lp16 "urne/board/v1" · lp32 manifest · lp32 roster
//   · u32 issuance count × (lp16 institution_id, token_request[259], signature[64])
//   · u16 transition count × (u8 state, u32 sequence, signature[64])
//   · u32 ballot count × lp32 cast ballot
//   · u16 sum count × (A[32] B[32])
//   · u16 trustee count × (u8 trustee, u16 count, count × partial[130])
//   · u8 flag [seed[32]] · u8 flag [lp32 result, signature[64]]
// then the service's Ed25519 signature[64] over
//   lp16 "urne/board-signature/v1" || SHA-256(contents).
//
// Like the C++ parser, each part goes through its own strict parser:
// readManifest plus the DKG commitments with their proofs (dkg.js: a board
// whose manifest does not parse is no board), parseRoster, the token
// request's type, parseCastBallot, points, parsePartial, parseResult.

import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fail, UrneError } from './errors.js';
import { concat, ctEqual, hexEncode, lp16, lp32, u16be, u32be, u8, utf8 } from './bytes.js';
import { CanonicalReader, parseRoster, readManifest } from './canonical.js';
import { checkInstitutionId, verifyInstitutionSignature } from './credential.js';
import { deriveElectionKey } from './dkg.js';
import { MAX_SLOTS, parseCastBallot } from './cast_ballot.js';
import { parsePoint } from './group.js';
import { TOKEN_REQUEST_LENGTH, TOKEN_TYPE } from './privacy_pass.js';
import { STATES } from './officer.js';
import { PARTIAL_SIZE, encodePartial, parsePartial } from './threshold.js';
import { parseResult } from './result.js';
import { shortFingerprint } from './receipt.js';

export const BOARD_LABEL = 'urne/board/v1';
export const BOARD_SIGNATURE_LABEL = 'urne/board-signature/v1';
// Parser bounds of ballot/board.hpp.
export const MAX_MANIFEST_SIZE = 1 << 20;
export const MAX_ROSTER_SIZE = 8 << 20;
export const MAX_BALLOT_SIZE = 1 << 16;
export const MAX_BALLOTS = 1_000_000;
export const MAX_ISSUANCE = 2 * 10000;
export const MAX_TRANSITIONS = 16;
export const MAX_TRUSTEES = 16;
const MAX_LP32 = 0xffffffff;

/** State numbers of ballot/board.hpp ElectionState (draft = 1 … result_published = 6). */
export const STATE = Object.freeze({ draft: 1, published: 2, open: 3, closed: 4, tallied: 5, result_published: 6 });
/** "draft" … "result_published" for 1..6, "unknown" otherwise (state_name). */
export const stateName = (v) => STATES[v - 1] ?? 'unknown';

// The CanonicalReader of canonical.js has no u32-counted fields; these
// follow ballot/canonical.cpp's count32 / bytes32.
function u32(r, field) {
  return r.u32(field);
}
function count32(r, field, min, max, minItem) {
  const n = u32(r, field);
  if (n < min || n > max) fail('count_out_of_range', `${field}: count ${n} outside ${min}..${max}`);
  if (n * minItem > r.left) fail('truncated', `${field}: ${n} items cannot fit`);
  return n;
}
function bytes32(r, field, min, max) {
  const n = u32(r, field);
  if (n < min || n > max) fail('bad_length', `${field}: length ${n} outside ${min}..${max}`);
  return r.take(n, field);
}

// Prefixes a nested parser's message with the field, keeping its reason.
function inField(field, f) {
  try {
    return f();
  } catch (e) {
    if (e instanceof UrneError) throw new UrneError(e.reason, `${field}: ${e.message}`);
    throw e;
  }
}

/**
 * Parses a full board (contents || signature) strictly; throws UrneError with
 * the C++ reasons ("truncated", "wrong_label", "bad_length",
 * "count_out_of_range", "bad_state", "wrong_token_type", "trailing_bytes",
 * the nested parsers' reasons with the field in the message). Returns {
 * manifest (readManifest), manifestBytes, roster (parseRoster), rosterBytes,
 * issuance: [{ institutionId, request (259), signature }], transitions:
 * [{ state (1..6), sequence, signature }], ballots: [parseCastBallot],
 * sums: [{ a, b } points], partials: [{ trustee, partials: [parsePartial] }],
 * lotSeed (32 bytes | null), result ({ result: parseResult, signature } |
 * null), contentsBytes, signature, fingerprint (SHA-256 of the contents),
 * fingerprintHex, shortFingerprint, phase (state of the last transition |
 * null) }.
 */
export function parseBoard(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseBoard reads bytes');
  if (bytes.length < 64) fail('truncated', 'a board ends with a signature');
  const body = bytes.subarray(0, bytes.length - 64);
  const r = new CanonicalReader(body);
  r.label(BOARD_LABEL);

  const manifestBytes = bytes32(r, 'manifest', 1, MAX_MANIFEST_SIZE).slice();
  const manifest = inField('manifest', () => {
    const m = readManifest(manifestBytes);
    deriveElectionKey(m); // the C++ manifest parser checks the commitments and their proofs
    return m;
  });
  const rosterBytes = bytes32(r, 'roster', 1, MAX_ROSTER_SIZE).slice();
  const roster = inField('roster', () => parseRoster(rosterBytes));

  const issued = count32(r, 'issuance', 0, MAX_ISSUANCE, 2 + 1 + TOKEN_REQUEST_LENGTH + 64);
  const issuance = [];
  for (let i = 0; i < issued; i++) {
    const field = `issuance[${i}]`;
    const institutionId = r.text16(`${field}.institution_id`, 1, 64);
    inField(field, () => checkInstitutionId(institutionId));
    const request = r.fixed(TOKEN_REQUEST_LENGTH, `${field}.request`).slice();
    if (((request[0] << 8) | request[1]) !== TOKEN_TYPE) fail('wrong_token_type', `${field}.request: TokenRequest: not token type 2`);
    const signature = r.fixed(64, `${field}.signature`).slice();
    issuance.push({ institutionId, request, signature });
  }

  const nt = r.count16('transitions', 0, MAX_TRANSITIONS, 1 + 4 + 64);
  const transitions = [];
  for (let i = 0; i < nt; i++) {
    const field = `transitions[${i}]`;
    const state = r.u8(`${field}.state`);
    if (state < 1 || state > 6) fail('bad_state', `${field}: unknown election state`);
    const sequence = r.u32(`${field}.sequence`);
    const signature = r.fixed(64, `${field}.signature`).slice();
    transitions.push({ state, sequence, signature });
  }

  const nb = count32(r, 'ballots', 0, MAX_BALLOTS, 4 + 1);
  const ballots = [];
  for (let i = 0; i < nb; i++) {
    const field = `ballots[${i}]`;
    const b = bytes32(r, field, 1, MAX_BALLOT_SIZE);
    ballots.push(inField(field, () => parseCastBallot(b)));
  }

  const ns = r.count16('sums', 0, MAX_SLOTS, 64);
  const sums = [];
  for (let i = 0; i < ns; i++) {
    const a = r.fixed(32, `sums[${i}].a`);
    const b = r.fixed(32, `sums[${i}].b`);
    sums.push({ a: inField(`sums[${i}].a`, () => parsePoint(a)), b: inField(`sums[${i}].b`, () => parsePoint(b)) });
  }

  const params = { ceremonyId: manifest.ceremonyId, n: manifest.trustees, k: manifest.threshold };
  const np = r.count16('partials', 0, MAX_TRUSTEES, 1 + 2);
  const partials = [];
  for (let i = 0; i < np; i++) {
    const trustee = r.u8(`partials[${i}].trustee`);
    const count = r.count16(`partials[${i}].partials`, 0, MAX_SLOTS, PARTIAL_SIZE);
    const list = [];
    for (let j = 0; j < count; j++) {
      const field = `partials[${i}].partials[${j}]`;
      const p = r.fixed(PARTIAL_SIZE, field);
      list.push(inField(field, () => parsePartial(p, params)));
    }
    partials.push({ trustee, partials: list });
  }

  const lotSeed = r.presence('lot_seed') ? r.fixed(32, 'lot_seed').slice() : null;
  let result = null;
  if (r.presence('result')) {
    const rb = bytes32(r, 'result', 1, MAX_LP32);
    const parsed = inField('result', () => parseResult(rb));
    result = { result: parsed, signature: r.fixed(64, 'result.signature').slice() };
  }
  r.finish();

  const contentsBytes = Uint8Array.from(body);
  const parts = { manifestBytes, rosterBytes, issuance, transitions, ballots, sums, partials, lotSeed, result };
  // Every part was parsed by a strict parser and every frame is fixed or
  // counted, so this holds by construction; checked as the C++ does, because
  // the fingerprint read out in the hall must be the hash of these bytes.
  if (!ctEqual(encodeBoardContents(parts), contentsBytes)) fail('not_canonical', 'the board does not re-encode to its input');
  const fingerprint = sha256(contentsBytes);
  return {
    manifest, roster, ...parts,
    contentsBytes, signature: bytes.slice(bytes.length - 64), fingerprint, fingerprintHex: hexEncode(fingerprint),
    shortFingerprint: shortFingerprint(fingerprint), phase: transitions.length ? transitions[transitions.length - 1].state : null,
  };
}

/**
 * The contents bytes of a board from parseBoard's fields (manifestBytes,
 * rosterBytes, issuance, transitions, ballots (.bytes), sums, partials
 * (.bytes or encodePartial), lotSeed, result ({ result: { bytes }, signature
 * })): the encoder of ballot/board.cpp. Used to re-check a parsed board and
 * by the tests to build tampered boards.
 */
export function encodeBoardContents(c) {
  const out = [lp16(utf8(BOARD_LABEL)), lp32(c.manifestBytes), lp32(c.rosterBytes), u32be(c.issuance.length)];
  for (const e of c.issuance) out.push(lp16(utf8(e.institutionId)), e.request, e.signature);
  out.push(u16be(c.transitions.length));
  for (const t of c.transitions) out.push(u8(t.state), u32be(t.sequence), t.signature);
  out.push(u32be(c.ballots.length));
  for (const b of c.ballots) out.push(lp32(b.bytes));
  out.push(u16be(c.sums.length));
  for (const s of c.sums) out.push(s.a.toBytes(), s.b.toBytes());
  out.push(u16be(c.partials.length));
  for (const t of c.partials) {
    out.push(u8(t.trustee), u16be(t.partials.length));
    for (const p of t.partials) out.push(p.bytes ?? encodePartial(p));
  }
  out.push(u8(c.lotSeed ? 1 : 0));
  if (c.lotSeed) out.push(c.lotSeed);
  out.push(u8(c.result ? 1 : 0));
  if (c.result) out.push(lp32(c.result.result.bytes), c.result.signature);
  return concat(...out);
}

/** lp16("urne/board-signature/v1") || fingerprint: what the service key signs. */
export function boardSignatureMessage(fingerprint) {
  return concat(lp16(utf8(BOARD_SIGNATURE_LABEL)), fingerprint);
}

/** Whether the board's signature verifies with the manifest's service key (libsodium-strict Ed25519). */
export function boardSignatureValid(board) {
  return verifyInstitutionSignature(board.manifest.serviceKey, boardSignatureMessage(board.fingerprint), board.signature);
}

/**
 * Signs contents bytes with a service seed and returns the full board
 * (contents || signature). For tests: the server's operator, who holds the
 * service key, can re-sign any board; the audit must catch it deeper.
 */
export function signBoardContents(contentsBytes, serviceSeed) {
  return concat(contentsBytes, ed25519.sign(boardSignatureMessage(sha256(contentsBytes)), serviceSeed));
}
