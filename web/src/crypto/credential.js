// Institution credentials, byte for byte as crypto/credential.{hpp,cpp}
// (docs/protocol.md §3.2–3.3):
//
//   seed = BLAKE2b-256(key = credential_context,
//                      lp16("urne/credential/v1") || lp16(code))
//   (sk, pk) = Ed25519 key pair from seed (RFC 8032 §5.1.5, = libsodium
//              crypto_sign_seed_keypair)
//   authorization message = lp16("urne/token-request-auth/v1") || election_id
//       || lp16(institution_id) || token_key_id || lp32(token_request)
//   signature = Ed25519(sk, message)            (pure Ed25519, deterministic)
//
// Libraries: @noble/hashes (BLAKE2b keyed), @noble/curves (Ed25519).
// Verification is strict so that it accepts exactly what libsodium 1.0.18
// accepts for the keys urne lists (see verifyInstitutionSignature).

import { blake2b } from '@noble/hashes/blake2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fail } from './errors.js';
import { concat, ctEqual, expectBytes, lp16, lp32, utf8, wipe } from './bytes.js';
import { SYMBOLS } from './voting_code.js';

export const CREDENTIAL_LABEL = 'urne/credential/v1';
export const TOKEN_REQUEST_AUTH_LABEL = 'urne/token-request-auth/v1';
export const CONTEXT_SIZE = 32;
export const INSTITUTION_ID_MAX_SIZE = 64;

/** Throws "institution_id_malformed" unless id is 1..64 chars of [A-Za-z0-9._-]. */
export function checkInstitutionId(id) {
  if (typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
    fail('institution_id_malformed', "an institution id is 1 to 64 characters from A-Z, a-z, 0-9, '.', '_', '-'");
  }
  return id;
}

/** Exactly 32 bytes, else "credential_context_malformed". */
export function checkCredentialContext(context) {
  if (!(context instanceof Uint8Array) || context.length !== CONTEXT_SIZE) {
    fail('credential_context_malformed', 'a credential context is 32 bytes');
  }
  return context;
}

/**
 * True iff b is a 32-byte canonical encoding of an Ed25519 point of prime
 * order (libsodium crypto_core_ed25519_is_valid_point: canonical, not of
 * small order, in the prime-order subgroup).
 */
export function isValidInstitutionKey(b) {
  if (!(b instanceof Uint8Array) || b.length !== 32) return false;
  try {
    const p = ed25519.Point.fromBytes(b, false);
    return !p.isSmallOrder() && p.isTorsionFree();
  } catch {
    return false;
  }
}

/** A roster's listed key: throws "institution_key_invalid" unless isValidInstitutionKey. */
export function parseInstitutionPublicKey(b) {
  if (!isValidInstitutionKey(b)) {
    fail('institution_key_invalid', 'an institution key is a 32-byte Ed25519 point of prime order');
  }
  return b;
}

/**
 * The Ed25519 seed of an institution: BLAKE2b-256 keyed with the context
 * over lp16(label) || lp16(code). `code` = the 24 canonical bytes from
 * parseVotingCode. The result is a secret.
 */
export function credentialSeed(code, context) {
  if (!(code instanceof Uint8Array) || code.length !== SYMBOLS) {
    throw new TypeError('credentialSeed takes the 24 canonical bytes of parseVotingCode');
  }
  checkCredentialContext(context);
  const input = concat(lp16(CREDENTIAL_LABEL), lp16(code));
  try {
    return blake2b(input, { key: context, dkLen: 32 });
  } finally {
    wipe(input); // holds the code
  }
}

/**
 * Derives the institution's key pair: { seed (secret, 32 bytes), publicKey
 * (32 bytes) }. Self-check: the public key is a valid prime-order point
 * (else "credential_self_check_failed"). Wipe `seed` when done.
 */
export function deriveInstitutionKey(code, context) {
  const seed = credentialSeed(code, context);
  const publicKey = ed25519.getPublicKey(seed);
  if (!isValidInstitutionKey(publicKey)) {
    wipe(seed);
    fail('credential_self_check_failed', 'the derived institution key failed its self-check');
  }
  return { seed, publicKey };
}

/**
 * Throws "credential_key_mismatch" unless the derived key is the listed one
 * (a well-formed code of another institution or roster).
 */
export function checkListedKey(derived, listed) {
  if (!ctEqual(derived, listed)) {
    fail('credential_key_mismatch', 'this voting code does not belong to this institution in this roster');
  }
}

/** The exact bytes an institution signs for a token request (§3.3). */
export function authorizationMessage(electionId, institutionId, tokenKeyId, request) {
  checkInstitutionId(institutionId);
  expectBytes(electionId, 32, 'bad_length', 'election id');
  expectBytes(tokenKeyId, 32, 'bad_length', 'token key id');
  if (!(request instanceof Uint8Array)) throw new TypeError('request must be bytes');
  return concat(lp16(TOKEN_REQUEST_AUTH_LABEL), electionId, lp16(utf8(institutionId)), tokenKeyId, lp32(request));
}

/**
 * Signs a token request with the institution key (seed from
 * deriveInstitutionKey) and verifies the signature before returning it
 * (a fault must not reach the issuance log: "signature_self_check_failed").
 */
export function signTokenRequest(key, electionId, institutionId, tokenKeyId, request) {
  const m = authorizationMessage(electionId, institutionId, tokenKeyId, request);
  const sig = ed25519.sign(m, key.seed);
  if (!verifyInstitutionSignature(key.publicKey, m, sig)) {
    fail('signature_self_check_failed', 'the token request signature failed its self-check');
  }
  return sig;
}

/**
 * Ed25519 verification that accepts exactly what libsodium 1.0.18's
 * crypto_sign_verify_detached accepts for a prime-order key: RFC 8032 strict
 * decoding (no ZIP-215), S < L, and R in the prime-order subgroup. noble's
 * default is ZIP-215 and its equation is cofactored; with A and R both of
 * prime order the cofactored and libsodium's cofactorless equation agree,
 * so no signature verifies on one side and not on the other.
 */
export function verifyInstitutionSignature(publicKey, message, signature) {
  if (!isValidInstitutionKey(publicKey)) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  try {
    const r = ed25519.Point.fromBytes(signature.subarray(0, 32), false);
    if (!r.isTorsionFree()) return false;
  } catch {
    return false;
  }
  return ed25519.verify(signature, message, publicKey, { zip215: false });
}

/** Throws "request_signature_invalid" unless the institution signed this request. */
export function verifyTokenRequest(publicKey, electionId, institutionId, tokenKeyId, request, signature) {
  const m = authorizationMessage(electionId, institutionId, tokenKeyId, request);
  if (!verifyInstitutionSignature(publicKey, m, signature)) {
    fail('request_signature_invalid', 'the token request is not signed by this institution');
  }
}
