import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64urlDecode, base64urlEncode, concat, hexDecode, hexEncode } from '../src/crypto/bytes.js';
import {
  RECEIPT_SIZE, encodeReceipt, parseReceipt, parseReceiptFile, receiptFile, receiptFromView, shortFingerprint, verifyReceipt,
} from '../src/crypto/receipt.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

const fx = loadFixture('demo-ballots.json');
const serviceKey = hexDecode(fx.manifest.service_key);
const eid = hexDecode(fx.manifest.election_id);
const ballotHash = (await import('../src/crypto/cast_ballot.js')).ballotHash(base64urlDecode(JSON.parse(fx.cast.ballot_file).ballot));
const receipt = parseReceiptFile(fx.cast.receipt_file);
// The view POST /ballots answers with (codec/json_views.cpp receipt_view).
const view = {
  election_id: hexEncode(receipt.electionId), ballot_hash: hexEncode(receipt.ballotHash),
  short_hash: shortFingerprint(receipt.ballotHash), signature: hexEncode(receipt.signature),
  canonical: base64urlEncode(receipt.canonical),
};

test("a real receipt of `urne vote cast` verifies with the manifest's service key for its ballot", () => {
  assert.equal(receipt.canonical.length, RECEIPT_SIZE);
  verifyReceipt(receipt, serviceKey, eid, ballotHash);
  assert.equal(receiptFile(receipt), fx.cast.receipt_file);
  assert.deepEqual(encodeReceipt(receipt), receipt.canonical);
  assert.deepEqual(parseReceiptFile(receipt.canonical), receipt); // the raw form urne audit also reads
  assert.deepEqual(receiptFromView(view), receipt);
});

test('short fingerprints are the first 8 bytes in four groups', () => {
  assert.equal(shortFingerprint(hexDecode('d308e90dbde03626' + '00'.repeat(24))), 'd308 e90d bde0 3626');
  throwsReason(() => shortFingerprint(new Uint8Array(31)), 'bad_length');
});

test('a receipt for another ballot, another election or with a changed signature is refused', () => {
  const other = Uint8Array.from(ballotHash);
  other[0] ^= 1;
  throwsReason(() => verifyReceipt(receipt, serviceKey, eid, other), 'receipt_mismatch');
  throwsReason(() => verifyReceipt(receipt, serviceKey, new Uint8Array(32), ballotHash), 'receipt_mismatch');
  const sig = Uint8Array.from(receipt.signature);
  sig[10] ^= 1;
  throwsReason(() => verifyReceipt({ ...receipt, signature: sig }, serviceKey, eid, ballotHash), 'receipt_signature_invalid');
  // Signed, but over another hash: the signature covers both fields.
  throwsReason(() => verifyReceipt({ ...receipt, ballotHash: other }, serviceKey, eid, other), 'receipt_signature_invalid');
  throwsReason(() => verifyReceipt(receipt, hexDecode(fx.manifest.officer_key), eid, ballotHash), 'receipt_signature_invalid');
});

test('malformed receipts and views are refused by name', () => {
  const c = receipt.canonical;
  throwsReason(() => parseReceipt(c.subarray(0, 144)), 'truncated');
  throwsReason(() => parseReceipt(concat(c, new Uint8Array(1))), 'trailing_bytes');
  const lab = Uint8Array.from(c);
  lab[3] = 0x41;
  throwsReason(() => parseReceipt(lab), 'wrong_label');
  throwsReason(() => parseReceiptFile('not base64!\n'), 'bad_base64url');
  throwsReason(() => parseReceiptFile(`${base64urlEncode(c.subarray(0, 100))}\n`), 'truncated');
  throwsReason(() => receiptFromView({ ...view, ballot_hash: '00'.repeat(32) }), 'receipt_view_mismatch');
  throwsReason(() => receiptFromView({ ...view, short_hash: 'x' }), 'receipt_view_mismatch');
  throwsReason(() => receiptFromView({}), 'receipt_view_mismatch');
});
