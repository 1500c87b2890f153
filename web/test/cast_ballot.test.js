import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64urlDecode, base64urlEncode, concat, hexEncode } from '../src/crypto/bytes.js';
import {
  ballotFile, ballotHash, buildBallot, checkChoice, choiceToValues, encodeCastBallot, fileText, loadElection, openSpoiledBallot,
  parseBallotFile, parseCastBallot, parseSpoiledBallotFile, parseTokenFile, spoiledBallotFile, tokenFile, verifyCastBallot,
} from '../src/crypto/cast_ballot.js';
import { parseReceiptFile } from '../src/crypto/receipt.js';
import { loadFixture, rejectsReason, throwsReason } from '../testlib/helpers.js';

const fx = loadFixture('demo-ballots.json');
const election = await loadElection(base64urlDecode(fx.manifest.canonical));
const eid = election.electionId;
const castBytes = base64urlDecode(JSON.parse(fx.cast.ballot_file).ballot);
const unusedToken = parseTokenFile(fx.unused_token_file, eid);
const castToken = parseTokenFile(fx.cast.token_file, eid);
const spoiledText = fx.spoiled.file;
const mutate = (b, f) => { const c = Uint8Array.from(b); f(c); return c; };
// Offsets in a cast ballot: label (2 + 19), token (354), u16 slots, slots of 192.
const SLOTS_AT = 21 + 354;
const SLOT0 = SLOTS_AT + 2;

test('the election loads from the real manifest: id, key from the DKG, layout of 12 + Enthaltung + ungültig', () => {
  assert.equal(hexEncode(eid), fx.manifest.election_id);
  assert.equal(hexEncode(election.electionKey.toBytes()), fx.manifest.election_key);
  assert.deepEqual(election.layout, { candidates: 12, hasInvalid: true, maxMarks: 7 });
});

test('a ballot cast by `urne vote cast` parses, re-encodes identically, hashes to its receipt and verifies', async () => {
  const b = parseCastBallot(castBytes);
  assert.deepEqual(encodeCastBallot(b.token, b.proven), castBytes);
  assert.deepEqual(b.token, castToken);
  assert.equal(hexEncode(b.hash), hexEncode(parseReceiptFile(fx.cast.receipt_file).ballotHash));
  assert.deepEqual(ballotHash(castBytes), b.hash);
  await verifyCastBallot(election, castBytes);
});

test('the spoiled ballot of `urne vote challenge` verifies and opens to the marks chosen', async () => {
  const s = parseSpoiledBallotFile(spoiledText, eid);
  await verifyCastBallot(election, s.ballot);
  assert.deepEqual(openSpoiledBallot(election, s.ballot, s.randomness), { marks: fx.spoiled.marks, abstain: false, invalid: false });
});

test('the token, ballot and spoiled-ballot files are byte for byte the ones urne writes', () => {
  assert.equal(fileText(tokenFile(eid, unusedToken)), fx.unused_token_file);
  assert.equal(fileText(ballotFile(eid, castBytes)), fx.cast.ballot_file);
  const s = parseSpoiledBallotFile(spoiledText, eid);
  assert.equal(fileText(spoiledBallotFile(election, { bytes: s.ballot.bytes, randomness: s.randomness }), 2), spoiledText);
  assert.deepEqual(parseBallotFile(fx.cast.ballot_file, eid).bytes, castBytes);
});

test('a ballot built in JavaScript verifies, opens to its choice, and survives its own file', async () => {
  for (const choice of [{ marks: [0, 3, 11] }, { marks: [0, 1, 2, 3, 4, 5, 6] }, { marks: [], abstain: true }, { marks: [], invalid: true }]) {
    const built = await buildBallot(election, unusedToken, choice);
    assert.equal(built.randomness.length, 14);
    await verifyCastBallot(election, built.bytes);
    const file = parseSpoiledBallotFile(fileText(spoiledBallotFile(election, built), 2), eid);
    const opened = openSpoiledBallot(election, file.ballot, file.randomness);
    assert.deepEqual(opened, { marks: choice.marks, abstain: !!choice.abstain, invalid: !!choice.invalid });
  }
});

test('checkChoice refuses by name, in the C++ order', () => {
  const r = (choice, reason) => throwsReason(() => checkChoice(election, choice), reason);
  r({ marks: [12] }, 'candidate_out_of_range');
  r({ marks: [-1] }, 'candidate_out_of_range');
  r({ marks: [1, 1] }, 'duplicate_mark');
  r({ marks: [], abstain: true, invalid: true }, 'abstain_with_invalid');
  r({ marks: [1], abstain: true }, 'marks_with_abstain');
  r({ marks: [1], invalid: true }, 'marks_with_invalid');
  r({ marks: [0, 1, 2, 3, 4, 5, 6, 7] }, 'too_many_marks');
  r({ marks: [] }, 'empty_ballot');
  const noInvalid = { ...election, layout: { ...election.layout, hasInvalid: false } };
  throwsReason(() => checkChoice(noInvalid, { marks: [], invalid: true }), 'invalid_not_offered');
  assert.deepEqual(choiceToValues(election, { marks: [2, 0] }), [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(choiceToValues(election, { marks: [], invalid: true }).slice(12), [0, 1]);
});

test('buildBallot refuses a token that is not valid for this election', async () => {
  await rejectsReason(buildBallot(election, mutate(unusedToken, (t) => { t[353] ^= 1; }), { marks: [0] }), 'token_invalid');
  await rejectsReason(buildBallot(election, mutate(unusedToken, (t) => { t[40] ^= 1; }), { marks: [0] }), 'token_invalid');
  await rejectsReason(buildBallot(election, unusedToken, { marks: [] }), 'empty_ballot');
});

test('parseCastBallot refuses truncated, trailing, mislabelled and malformed ballots by name', () => {
  const p = (b, reason) => throwsReason(() => parseCastBallot(b), reason);
  p(castBytes.subarray(0, castBytes.length - 1), 'truncated');
  p(castBytes.subarray(0, 30), 'truncated');
  p(concat(castBytes, new Uint8Array(1)), 'trailing_bytes');
  p(mutate(castBytes, (b) => { b[2] = 0x55; }), 'wrong_label');
  p(mutate(castBytes, (b) => { b[22] = 7; }), 'wrong_token_type');
  p(mutate(castBytes, (b) => { b[SLOTS_AT + 1] = 1; }), 'count_out_of_range');
  p(mutate(castBytes, (b) => { b[SLOTS_AT] = 0; b[SLOTS_AT + 1] = 103; }), 'count_out_of_range');
  p(mutate(castBytes, (b) => { b[SLOTS_AT + 1] = 15; }), 'bad_point'); // reads the range proof as slot 14
  p(mutate(castBytes, (b) => { b[SLOTS_AT + 1] = 100; }), 'truncated'); // 100 slots cannot fit
  p(mutate(castBytes, (b) => { b[SLOTS_AT + 1] = 13; }), 'count_out_of_range'); // slot 13's first byte (0) as the branch count
  p(mutate(castBytes, (b) => { b[SLOT0 + 31] |= 0x80; }), 'bad_point');
  p(mutate(castBytes, (b) => { b.fill(0xff, SLOT0 + 64, SLOT0 + 96); }), 'bad_scalar');
  const rangeAt = SLOT0 + 14 * 192;
  p(mutate(castBytes, (b) => { b[rangeAt] = 0; }), 'count_out_of_range');
  p(mutate(castBytes, (b) => { b[rangeAt] = 17; }), 'count_out_of_range');
  p(mutate(castBytes, (b) => { b[rangeAt] = 8; }), 'truncated');
  p(mutate(castBytes, (b) => { b.fill(0xff, rangeAt + 1, rangeAt + 33); }), 'bad_scalar');
  assert.throws(() => parseCastBallot('text'), TypeError);
});

test('verifyCastBallot refuses a forged token, a ballot moved to another token, another layout and a changed proof', async () => {
  await rejectsReason(verifyCastBallot(election, mutate(castBytes, (b) => { b[21 + 353] ^= 1; })), 'token_invalid');
  // The same proofs with another valid token: bound to the token input, so they fail.
  const moved = concat(castBytes.subarray(0, 21), unusedToken, castBytes.subarray(21 + 354));
  await rejectsReason(verifyCastBallot(election, moved), 'proof_invalid');
  const other = { ...election, layout: { ...election.layout, hasInvalid: false } };
  await rejectsReason(verifyCastBallot(other, castBytes), 'wrong_slot_count');
  // Two slots' ciphertexts and proofs swapped: still well-formed, no longer valid.
  const swapped = Uint8Array.from(castBytes);
  swapped.set(castBytes.subarray(SLOT0, SLOT0 + 192), SLOT0 + 192);
  swapped.set(castBytes.subarray(SLOT0 + 192, SLOT0 + 384), SLOT0);
  await assert.rejects(verifyCastBallot(election, swapped), (e) => e.reason === 'proof_invalid' && /zero_one_proof_invalid/.test(e.message));
});

test('openSpoiledBallot refuses a wrong count, a wrong or malformed randomness', () => {
  const s = parseSpoiledBallotFile(spoiledText, eid);
  throwsReason(() => openSpoiledBallot(election, s.ballot, s.randomness.slice(1)), 'wrong_randomness_count');
  const swapped = [s.randomness[1], s.randomness[0], ...s.randomness.slice(2)];
  throwsReason(() => openSpoiledBallot(election, s.ballot, swapped), 'randomness_mismatch');
  throwsReason(() => openSpoiledBallot(election, s.ballot, [new Uint8Array(32).fill(0xff), ...s.randomness.slice(1)]), 'bad_randomness');
  const other = { ...election, layout: { ...election.layout, hasInvalid: false } };
  throwsReason(() => openSpoiledBallot(other, s.ballot, s.randomness), 'wrong_slot_count');
});

test('the voter files are refused for another format or election and for malformed fields', () => {
  const tok = JSON.parse(fx.unused_token_file);
  const other = new Uint8Array(32);
  throwsReason(() => parseTokenFile(fx.unused_token_file, other), 'file_of_another_election');
  throwsReason(() => parseTokenFile('{"format":"urne-token/v1"', eid), 'file_invalid');
  throwsReason(() => parseTokenFile('[]', eid), 'file_invalid');
  throwsReason(() => parseTokenFile({ ...tok, format: 'urne-ballot/v1' }, eid), 'file_invalid');
  throwsReason(() => parseTokenFile({ ...tok, election_id: tok.election_id.toUpperCase() }, eid), 'bad_encoding');
  const { election_id: _, ...noId } = tok;
  throwsReason(() => parseTokenFile(noId, eid), 'missing_field');
  throwsReason(() => parseTokenFile({ ...tok, token: tok.token + '=' }, eid), 'field_too_large');
  throwsReason(() => parseTokenFile({ ...tok, token: tok.token.slice(0, -4) }, eid), 'bad_length');
  throwsReason(() => parseTokenFile({ ...tok, token: 'a+b' }, eid), 'bad_encoding');
  throwsReason(() => parseTokenFile({ ...tok, token: 5 }, eid), 'wrong_type');
  const sp = JSON.parse(spoiledText);
  throwsReason(() => parseSpoiledBallotFile({ ...sp, randomness: 'x' }, eid), 'file_invalid');
  throwsReason(() => parseSpoiledBallotFile({ ...sp, randomness: [1] }, eid), 'file_invalid');
  throwsReason(() => parseSpoiledBallotFile({ ...sp, randomness: [base64urlEncode(new Uint8Array(32).fill(255))] }, eid), 'bad_randomness');
  throwsReason(() => parseSpoiledBallotFile({ ...sp, ballot_hash: '00'.repeat(32) }, eid), 'ballot_hash_mismatch');
  throwsReason(() => parseSpoiledBallotFile({ ...sp, ballot: sp.ballot.slice(0, 100) }, eid), 'truncated');
  throwsReason(() => parseBallotFile(spoiledText, eid), 'file_invalid');
});

test('without the self-check the same random draws give the same ballot, and it verifies', async () => {
  // A deterministic rng: SHA-256 in counter mode is not needed, any fixed
  // stream works as long as both builds draw the same bytes in the same order.
  const stream = () => {
    let counter = 0;
    return (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (counter * 131 + i * 7 + 1) & 0xff;
      counter++;
      return out;
    };
  };
  const choice = { marks: [1, 4, 9] };
  const checked = await buildBallot(election, unusedToken, choice, stream());
  const unchecked = await buildBallot(election, unusedToken, choice, stream(), { selfCheck: false });
  assert.deepEqual(unchecked.bytes, checked.bytes);
  await verifyCastBallot(election, unchecked.bytes);
});
