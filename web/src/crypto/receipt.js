// The delegate's receipt, as Receipt in ballot/board.{hpp,cpp}:
//   lp16 "urne/receipt/v1" || election_id[32] || ballot_hash[32] || signature[64]
// (145 bytes), the signature the service's Ed25519 key (manifest
// service_key) makes over
//   lp16 "urne/receipt-signature/v1" || election_id[32] || ballot_hash[32].
// The page checks the receipt of every ballot it casts, before it tells the
// delegate the ballot is in, and keeps it so the board can be checked later.

import { fail } from './errors.js';
import { base64urlDecode, base64urlEncode, concat, ctEqual, expectBytes, hexEncode, lp16, utf8 } from './bytes.js';
import { CanonicalReader } from './canonical.js';
import { verifyInstitutionSignature } from './credential.js';

export const RECEIPT_LABEL = 'urne/receipt/v1';
export const RECEIPT_SIGNATURE_LABEL = 'urne/receipt-signature/v1';
export const RECEIPT_SIZE = 2 + RECEIPT_LABEL.length + 32 + 32 + 64; // 145

/** "d308 e90d bde0 3626": the first 8 bytes in 4 hex groups (short_fingerprint). */
export function shortFingerprint(bytes32) {
  expectBytes(bytes32, 32, 'bad_length', 'a hash');
  return hexEncode(bytes32.subarray(0, 8)).match(/.{4}/g).join(' ');
}

/** Strict 145-byte receipt (reader reasons "wrong_label", "truncated", "trailing_bytes") -> { electionId, ballotHash, signature, canonical }. */
export function parseReceipt(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseReceipt reads bytes');
  const r = new CanonicalReader(bytes);
  r.label(RECEIPT_LABEL);
  const electionId = r.fixed(32, 'election_id').slice();
  const ballotHash = r.fixed(32, 'ballot_hash').slice();
  const signature = r.fixed(64, 'signature').slice();
  r.finish();
  return { electionId, ballotHash, signature, canonical: Uint8Array.from(bytes) };
}

/** The canonical bytes of a receipt. */
export function encodeReceipt(receipt) {
  return concat(lp16(utf8(RECEIPT_LABEL)), receipt.electionId, receipt.ballotHash, receipt.signature);
}

/** The bytes the service signs (receipt_message). */
export function receiptMessage(electionId, ballotHash) {
  expectBytes(electionId, 32, 'bad_length', 'election id');
  expectBytes(ballotHash, 32, 'bad_length', 'ballot hash');
  return concat(lp16(utf8(RECEIPT_SIGNATURE_LABEL)), electionId, ballotHash);
}

/**
 * The "receipt" object of POST /ballots ({ election_id, ballot_hash,
 * short_hash, signature, canonical }): parsed from `canonical`; the readable
 * fields must say the same ("receipt_view_mismatch"), as the C++ clients
 * trust only the canonical bytes.
 */
export function receiptFromView(view) {
  if (!view || typeof view !== 'object' || typeof view.canonical !== 'string') fail('receipt_view_mismatch', 'the answer carries no receipt');
  const receipt = parseReceipt(base64urlDecode(view.canonical));
  const same = view.election_id === hexEncode(receipt.electionId) && view.ballot_hash === hexEncode(receipt.ballotHash) &&
    view.signature === hexEncode(receipt.signature) && view.short_hash === shortFingerprint(receipt.ballotHash);
  if (!same) fail('receipt_view_mismatch', "the receipt's readable fields differ from its canonical bytes");
  return receipt;
}

/**
 * The page's check of the receipt for the ballot it just cast: signed by
 * the manifest's service key over this receipt ("receipt_signature_invalid",
 * checked first as verify_receipt), and for this election and this ballot
 * ("receipt_mismatch").
 */
export function verifyReceipt(receipt, serviceKey, electionId, ballotHash) {
  if (!verifyInstitutionSignature(serviceKey, receiptMessage(receipt.electionId, receipt.ballotHash), receipt.signature)) {
    fail('receipt_signature_invalid', "the receipt is not signed by the service's key");
  }
  if (!ctEqual(receipt.electionId, electionId) || !ctEqual(receipt.ballotHash, ballotHash)) {
    fail('receipt_mismatch', 'the receipt is not for this ballot of this election');
  }
}

/** The text of the receipt file `urne vote cast --receipt-out` writes (base64url + "\n"). */
export function receiptFile(receipt) {
  return `${base64urlEncode(encodeReceipt(receipt))}\n`;
}

/**
 * Reads a receipt file as cli/audit.cpp read_receipt_file: the raw 145
 * bytes, or base64url text with trailing CR/LF. Input: Uint8Array (file
 * contents) or string.
 */
export function parseReceiptFile(contents) {
  let bytes = typeof contents === 'string' ? utf8(contents) : contents;
  if (!(bytes instanceof Uint8Array)) throw new TypeError('a receipt file is bytes or text');
  if (bytes.length === RECEIPT_SIZE) return parseReceipt(bytes);
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
  bytes = bytes.subarray(0, end);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('bad_base64url', 'text is not base64url');
  }
  return parseReceipt(base64urlDecode(text));
}
