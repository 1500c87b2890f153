// The voting token on the client side: RFC 9578 Privacy Pass publicly
// verifiable token, type 0x0002 (Blind RSA 2048, RFC 9474
// RSABSSA-SHA384-PSS-Deterministic, salt 48), byte for byte as
// crypto/privacy_pass.{hpp,cpp} (docs/protocol.md §4):
//
//   pkS           342-byte SPKI, id-RSASSA-PSS with SHA-384/MGF1-SHA-384/48
//   token_key_id  SHA-256(pkS)
//   challenge     u16(2) || lp16(issuer_name) || u8(32) || election_id || lp16("")
//   token_input   u16(2) || nonce[32] || SHA-256(challenge) || token_key_id   (98)
//   TokenRequest  u16(2) || token_key_id[31] || blinded_msg[256]            (259)
//   TokenResponse blind_sig[256]
//   Token         token_input || authenticator[256]                         (354)
//
// Blinding, unblinding and the final RSA-PSS verification are done by
// @cloudflare/blindrsa-ts (WebCrypto for SHA-384 and RSA-PSS verify, sjcl
// for the big numbers). Its blind() returns { blindedMsg, inv } and its
// finalize() takes (msg, blindSig, inv): the client state between request
// and response is exactly token_input + inv, which exportRequestState /
// importRequestState turn into 354 bytes that the page can keep on the
// device, so a lost response can be retried with the same request.
//
// Every failure on outside input is an UrneError with the C++ reason.

import { sha256 } from '@noble/hashes/sha2.js';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { fail } from './errors.js';
import { base64urlEncode, concat, ctEqual, expectBytes, hexDecode, lp16, u16be, u8, wipe } from './bytes.js';

export const TOKEN_TYPE = 0x0002;
export const NK = 256;
export const TOKEN_INPUT_LENGTH = 98;
export const TOKEN_REQUEST_LENGTH = 259;
export const TOKEN_LENGTH = 354;
export const REQUEST_STATE_LENGTH = TOKEN_INPUT_LENGTH + NK;

// RFC 9578 §6.5 SPKI of a 2048-bit key, around the 256-byte modulus.
const SPKI_PREFIX = hexDecode(
  '30820152303d06092a864886f70d01010a3030a00d300b0609608648016503040202' +
    'a11a301806092a864886f70d010108300b0609608648016503040202a203020130' +
    '0382010f003082010a0282010100',
);
const SPKI_SUFFIX = hexDecode('0203010001');
export const SPKI_LENGTH = SPKI_PREFIX.length + NK + SPKI_SUFFIX.length; // 342

const bytesToBigInt = (b) => {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
};

const suite = () => RSABSSA.SHA384.PSS.Deterministic();

/**
 * Parses pkS: exactly the RFC 9578 §6.5 form of a 2048-bit key with
 * e = 65537 (the C++ parser re-encodes and compares bytes; comparing with
 * the one template is the same rule). OpenSSL's 346-byte form with NULL
 * hash parameters is refused ("bad_public_key"), a modulus of another size
 * "bad_key_size". Returns { spki, n (256 bytes), keyId, cryptoKey } where
 * cryptoKey is a WebCrypto RSA-PSS/SHA-384 public key imported from JWK
 * (browsers' WebCrypto do not import the id-RSASSA-PSS SPKI).
 */
export async function parseTokenPublicKey(spki) {
  if (!(spki instanceof Uint8Array)) fail('bad_public_key', 'pkS must be bytes');
  if (spki.length !== SPKI_LENGTH) {
    // Well-formed SPKIs of other sizes start alike up to the modulus length.
    fail(spki.length > 300 && spki[0] === 0x30 ? 'bad_key_size' : 'bad_public_key', 'pkS is not a 2048-bit RFC 9578 key');
  }
  const head = spki.subarray(0, SPKI_PREFIX.length);
  const tail = spki.subarray(SPKI_LENGTH - SPKI_SUFFIX.length);
  if (!ctEqual(head, SPKI_PREFIX) || !ctEqual(tail, SPKI_SUFFIX)) {
    fail('bad_public_key', 'pkS is not the RFC 9578 SubjectPublicKeyInfo (id-RSASSA-PSS, SHA-384, salt 48, e = 65537)');
  }
  const n = spki.slice(SPKI_PREFIX.length, SPKI_PREFIX.length + NK);
  if ((n[0] & 0x80) === 0 || (n[NK - 1] & 1) === 0) fail('bad_key_size', 'the modulus is not an odd 2048-bit number');
  const cryptoKey = await crypto.subtle.importKey(
    'jwk',
    { kty: 'RSA', n: base64urlEncode(n), e: 'AQAB', alg: 'PS384', ext: true },
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true, // blindrsa-ts exports the JWK to read n
    ['verify'],
  );
  return { spki: Uint8Array.from(spki), n, nBig: bytesToBigInt(n), keyId: sha256(spki), cryptoKey };
}

/** RFC 9577 §2.1 TokenChallenge of an election (redemption context = election id). */
export function tokenChallengeForElection(issuerName, electionId) {
  const name = typeof issuerName === 'string' ? new TextEncoder().encode(issuerName) : issuerName;
  if (name.length < 1 || name.length > 65535) fail('empty_issuer_name', 'the issuer name is 1..65535 bytes');
  expectBytes(electionId, 32, 'bad_redemption_context', 'the election id');
  return concat(u16be(TOKEN_TYPE), lp16(name), u8(32), electionId, lp16(new Uint8Array(0)));
}

/** token_input = u16(2) || nonce || SHA-256(challenge) || token_key_id. */
export function tokenInput(nonce, challenge, keyId) {
  expectBytes(nonce, 32, 'bad_length', 'nonce');
  return concat(u16be(TOKEN_TYPE), nonce, sha256(challenge), keyId);
}

/**
 * Client step 1 (RFC 9578 §6.1): a fresh nonce, token_input, blinded with a
 * fresh salt and r (blindrsa-ts, from crypto.getRandomValues; it checks that
 * r is invertible mod n). Returns { request (259 bytes, to send, signed by
 * the institution), state ({ tokenInput, inv }: keep on the device until
 * the token is finalized) }.
 * `options.nonce` exists for known-answer tests only.
 */
export async function createTokenRequest(key, challenge, options = {}) {
  const nonce = options.nonce ?? crypto.getRandomValues(new Uint8Array(32));
  const input = tokenInput(nonce, challenge, key.keyId);
  let blinded;
  try {
    blinded = await suite().blind(key.cryptoKey, input);
  } catch (e) {
    fail('blinding_error', `blinding failed: ${e.message}`);
  }
  const request = concat(u16be(TOKEN_TYPE), u8(key.keyId[31]), blinded.blindedMsg);
  return { request, state: { tokenInput: input, inv: blinded.inv } };
}

/** The client state as 354 bytes: token_input || inv. A secret (it unblinds). */
export function exportRequestState(state) {
  return concat(state.tokenInput, state.inv);
}

/** Reads exportRequestState's bytes back ("bad_length", "wrong_token_type"). */
export function importRequestState(bytes) {
  expectBytes(bytes, REQUEST_STATE_LENGTH, 'bad_length', 'the token request state');
  if (bytes[0] !== 0 || bytes[1] !== TOKEN_TYPE) fail('wrong_token_type', 'not a type 2 token request state');
  return { tokenInput: bytes.slice(0, TOKEN_INPUT_LENGTH), inv: bytes.slice(TOKEN_INPUT_LENGTH) };
}

/**
 * Client step 2 (RFC 9578 §6.3): unblinds the response, verifies the
 * authenticator with the issuer key (blindrsa-ts: RSASSA-PSS-VERIFY via
 * WebCrypto) and returns the 354-byte Token. Errors: "bad_length"
 * (response not 256 bytes), "blind_signature_out_of_range" (>= n),
 * "token_key_id_mismatch" (state made for another key), "bad_signature"
 * (the issuer did not sign this request with this key).
 */
export async function finalizeToken(key, state, response) {
  expectBytes(response, NK, 'bad_length', 'the token response');
  if (bytesToBigInt(response) >= key.nBig) fail('blind_signature_out_of_range', 'the blind signature is >= n');
  if (!ctEqual(state.tokenInput.subarray(66, 98), key.keyId)) {
    fail('token_key_id_mismatch', 'the request state belongs to another token key');
  }
  let authenticator;
  try {
    authenticator = await suite().finalize(key.cryptoKey, state.tokenInput, response, state.inv);
  } catch {
    fail('bad_signature', 'the token response does not unblind to a valid signature');
  }
  return concat(state.tokenInput, authenticator);
}

/** Parses the form of a Token (354 bytes, type 2); returns its parts. */
export function parseToken(token) {
  expectBytes(token, TOKEN_LENGTH, 'bad_length', 'a token');
  if (token[0] !== 0 || token[1] !== TOKEN_TYPE) fail('wrong_token_type', 'not a type 2 token');
  return {
    tokenInput: token.subarray(0, TOKEN_INPUT_LENGTH),
    nonce: token.subarray(2, 34),
    challengeDigest: token.subarray(34, 66),
    tokenKeyId: token.subarray(66, 98),
    authenticator: token.subarray(98),
  };
}

/**
 * RFC 9578 §6.4 / protocol.md §4.4: throws "challenge_mismatch",
 * "token_key_id_mismatch", "authenticator_out_of_range" (s >= n, so s + n
 * is no second form) or "bad_signature".
 */
export async function verifyToken(key, challenge, token) {
  const t = parseToken(token);
  if (!ctEqual(t.challengeDigest, sha256(challenge))) fail('challenge_mismatch', 'the token is for another challenge');
  if (!ctEqual(t.tokenKeyId, key.keyId)) fail('token_key_id_mismatch', 'the token is for another key');
  if (bytesToBigInt(t.authenticator) >= key.nBig) fail('authenticator_out_of_range', 'the authenticator is >= n');
  const ok = await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 48 }, key.cryptoKey, t.authenticator, t.tokenInput);
  if (!ok) fail('bad_signature', 'the token signature does not verify');
}

/** Forget a request state once the token is finalized. */
export function wipeRequestState(state) {
  wipe(state.tokenInput);
  wipe(state.inv);
}
