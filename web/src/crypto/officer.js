// The officer's credential and signatures, as ballot/officer.{hpp,cpp} and
// the transitions of ballot/board.hpp (docs/protocol.md §9.5):
//
//   officer code  a voting code (same 24 symbols and checksum), drawn by
//                 `urne officer keygen --code-out`
//   seed          BLAKE2b-256(key = OFFICER_CONTEXT, lp16("urne/credential/v1")
//                 || lp16(code)), OFFICER_CONTEXT = SHA-256("urne/officer-context/v1")
//                 — exactly an institution key with a fixed context
//   request auth  Urne-Officer-Auth: key=<64 hex>, time=<unix s>, sig=<b64url>
//                 over lp16 "urne/officer-request/v1" || lp16 method
//                 || lp16 target || u64 time || SHA-256(body)
//   transition    lp16 "urne/state-transition/v1" || election_id[32]
//                 || u8 state || u32 sequence
// Signatures are deterministic Ed25519 (RFC 8032), so the same key signs the
// same bytes as libsodium.

import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fail } from './errors.js';
import { base64urlEncode, concat, expectBytes, hexEncode, lp16, u32be, u64be, u8, utf8 } from './bytes.js';
import { parseVotingCode } from './voting_code.js';
import { deriveInstitutionKey, isValidInstitutionKey, verifyInstitutionSignature } from './credential.js';

export const OFFICER_CONTEXT = sha256(utf8('urne/officer-context/v1'));
export const OFFICER_REQUEST_LABEL = 'urne/officer-request/v1';
export const OFFICER_AUTH_HEADER = 'Urne-Officer-Auth';
export const TRANSITION_LABEL = 'urne/state-transition/v1';
/** ElectionState names in order; the wire value is index + 1 (draft = 1 … result_published = 6). */
export const STATES = Object.freeze(['draft', 'published', 'open', 'closed', 'tallied', 'result_published']);

function withSign(seed, publicKey) {
  return {
    seed,
    publicKey,
    /** Ed25519 signature (64 bytes), self-checked. */
    sign(message) {
      const sig = ed25519.sign(message, seed);
      if (!verifyInstitutionSignature(publicKey, message, sig)) fail('signature_self_check_failed', 'the officer signature failed its self-check');
      return sig;
    },
  };
}

/**
 * The officer's key from the typed officer code (parseVotingCode: tolerant
 * typing, "voting_code_*" reasons): { seed (secret), publicKey, sign(msg) }.
 */
export function deriveOfficerKey(codeText) {
  const code = parseVotingCode(codeText);
  const { seed, publicKey } = deriveInstitutionKey(code, OFFICER_CONTEXT);
  return withSign(seed, publicKey);
}

/** The same from a 32-byte seed (the key file of `urne officer keygen --out`); "bad_seed". */
export function officerKeyFromSeed(seed) {
  expectBytes(seed, 32, 'bad_seed', 'an officer seed');
  const publicKey = ed25519.getPublicKey(seed);
  if (!isValidInstitutionKey(publicKey)) fail('bad_seed', 'unusable seed');
  return withSign(Uint8Array.from(seed), publicKey);
}

const asBytes = (b) => (typeof b === 'string' ? utf8(b) : b);

/** The signed bytes of an officer request (officer_request_message). */
export function officerRequestMessage(method, target, unixTime, bodyBytes) {
  if (!Number.isSafeInteger(unixTime) || unixTime < 0) throw new TypeError('unixTime: whole seconds >= 0');
  const body = asBytes(bodyBytes ?? new Uint8Array(0));
  return concat(lp16(utf8(OFFICER_REQUEST_LABEL)), lp16(utf8(method)), lp16(utf8(target)), u64be(unixTime), sha256(body));
}

/** The value of the Urne-Officer-Auth header: "key=<hex>, time=<n>, sig=<b64url>". body: bytes or string (UTF-8). */
export function officerAuthHeader(key, method, target, unixTime, bodyBytes) {
  const sig = key.sign(officerRequestMessage(method, target, unixTime, bodyBytes));
  return `key=${hexEncode(key.publicKey)}, time=${unixTime}, sig=${base64urlEncode(sig)}`;
}

/** The wire number of a state name (1..6); "bad_state" for any other. */
export function stateNumber(stateName) {
  const i = STATES.indexOf(stateName);
  if (i < 0) fail('bad_state', `unknown state "${stateName}"`);
  return i + 1;
}

/** The bytes the officer signs for a transition (transition_message). */
export function transitionMessage(electionId, stateName, sequence) {
  expectBytes(electionId, 32, 'bad_length', 'election id');
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffffffff) throw new TypeError('sequence is a u32');
  return concat(lp16(utf8(TRANSITION_LABEL)), electionId, u8(stateNumber(stateName)), u32be(sequence));
}

/** The officer's 64-byte signature of a transition. */
export function signTransition(key, electionId, stateName, sequence) {
  return key.sign(transitionMessage(electionId, stateName, sequence));
}

/** Throws "transition_signature_invalid" unless officerKey signed this transition. */
export function verifyTransition(officerKey, electionId, stateName, sequence, signature) {
  if (!verifyInstitutionSignature(officerKey, transitionMessage(electionId, stateName, sequence), signature)) {
    fail('transition_signature_invalid', 'the transition is not signed by the officer key');
  }
}
