import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createHash } from 'node:crypto';
import {
  ballotStatement, combinedCiphertext, encodeRangeProof, encryptBallot, parseRangeProof, proofTranscript, proveRange, rangeProofSlot,
  verifyBallot, verifyRange,
} from '../src/crypto/proofs.js';
import { encodeCiphertext, encryptWithRandomness, publicKeyFromPoint, openWithRandomness, parseCiphertext } from '../src/crypto/elgamal.js';
import { ORDER, baseMul, pointHex, randomNonzeroScalar, randomScalar, scalarFromWide, scalarToBytes } from '../src/crypto/group.js';
import { concat, hexDecode, hexEncode, u64be } from '../src/crypto/bytes.js';
import { REPO, throwsReason } from '../testlib/helpers.js';

const enc = (s) => new TextEncoder().encode(s);
const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());
const sha512 = (b) => new Uint8Array(createHash('sha512').update(b).digest());

// The C++ SeededRng (crypto/random.cpp): draw i is
// randombytes_buf_deterministic(len, SHA-256(SHA-256(seed) || u64be(i))),
// i.e. ChaCha20-IETF with nonce "LibsodiumDRG" from block 0 (libsodium 1.0.18).
function seededRng(seed) {
  const s = sha256(enc(seed));
  let i = 0n;
  return (n) => {
    const key = sha256(concat(s, u64be(i++)));
    const iv = concat(new Uint8Array(4), enc('LibsodiumDRG'));
    return new Uint8Array(createCipheriv('chacha20', key, iv).update(new Uint8Array(n)));
  };
}

// The kVector* constants, read from the C++ test so that both sides check
// the very same known answers.
function cppVectors() {
  const src = fs.readFileSync(path.join(REPO, 'tests', 'crypto', 'proofs_test.cpp'), 'utf8');
  const get = (name) => {
    const m = src.match(new RegExp(`${name}(?:\\[\\d+\\])? =\\s*([^;]*);`));
    assert.ok(m, name);
    // entries are separated by commas; an entry is adjacent string literals
    return m[1].split(',').map((entry) => [...entry.matchAll(/"([0-9a-f]*)"/g)].map((x) => x[1]).join(''));
  };
  return {
    publicKey: get('kVectorPublicKey')[0],
    randomness: get('kVectorRandomness'),
    ciphertexts: get('kVectorCiphertexts'),
    slotProofs: get('kVectorSlotProofs'),
    rangeProof: get('kVectorRangeProof')[0],
  };
}

const small = { candidates: 3, hasInvalid: false, maxMarks: 2 };
const keyFromSeed = (seed) => baseMul(scalarFromWide(sha512(enc(seed))));
const context = (layout, election = 'election-1', token = 'token-1', key = 'key-1') => ({
  electionId: sha256(enc(election)), tokenInput: enc(token), publicKey: keyFromSeed(key), layout,
});
const vectorContext = () => ({
  electionId: sha256(enc('urne test election')), tokenInput: enc('urne test token input'),
  publicKey: publicKeyFromPoint(keyFromSeed('urne test election key')), layout: small,
});

test('a fixed-seed ballot reproduces the kVector* known answers of tests/crypto/proofs_test.cpp', () => {
  const K = cppVectors();
  assert.equal(K.randomness.length, 4);
  assert.equal(K.ciphertexts[0].length, 128);
  assert.equal(K.slotProofs[3].length, 256);
  assert.equal(K.rangeProof.length, 256);
  const ctx = vectorContext();
  assert.equal(pointHex(ctx.publicKey), K.publicKey);
  const e = encryptBallot(ctx, [1, 0, 1, 0], seededRng('urne ballot test vector v1'));
  for (let j = 0; j < 4; j++) {
    assert.equal(hexEncode(scalarToBytes(e.randomness[j])), K.randomness[j], `randomness ${j}`);
    assert.equal(hexEncode(encodeCiphertext(e.ballot.ciphertexts[j])), K.ciphertexts[j], `ciphertext ${j}`);
    assert.equal(hexEncode(encodeRangeProof(e.ballot.slotProofs[j])), K.slotProofs[j], `0/1 proof ${j}`);
  }
  assert.equal(hexEncode(encodeRangeProof(e.ballot.rangeProof)), K.rangeProof);
});

test('the kVector ballot parsed from its bytes verifies, and fails under another token, election or key', () => {
  const K = cppVectors();
  const ballot = {
    ciphertexts: K.ciphertexts.map((h) => parseCiphertext(hexDecode(h))),
    slotProofs: K.slotProofs.map((h) => parseRangeProof(hexDecode(h), 2)),
    rangeProof: parseRangeProof(hexDecode(K.rangeProof), 2),
  };
  const ctx = vectorContext();
  verifyBallot(ctx, ballot);
  throwsReason(() => verifyBallot({ ...ctx, tokenInput: enc('urne test token inpuT') }, ballot), 'zero_one_proof_invalid');
  throwsReason(() => verifyBallot({ ...ctx, electionId: sha256(enc('another')) }, ballot), 'zero_one_proof_invalid');
  throwsReason(() => verifyBallot({ ...ctx, publicKey: keyFromSeed('another') }, ballot), 'zero_one_proof_invalid');
  throwsReason(() => verifyBallot({ ...ctx, layout: { ...small, maxMarks: 3 } }, ballot), 'wrong_branch_count');
});

test('honest ballots of several layouts verify and open slot by slot with their randomness', () => {
  const rng = seededRng('js honest ballots');
  const cases = [
    [small, [0, 1, 1, 0]], [small, [0, 0, 0, 1]],
    [{ candidates: 12, hasInvalid: true, maxMarks: 7 }, [1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]],
    [{ candidates: 12, hasInvalid: true, maxMarks: 7 }, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    [{ candidates: 1, hasInvalid: false, maxMarks: 1 }, [1, 0]],
    [{ candidates: 2, hasInvalid: true, maxMarks: 16 }, [0, 0, 1, 0]],
  ];
  for (const [layout, values] of cases) {
    const ctx = context(layout);
    const e = encryptBallot(ctx, values, rng);
    verifyBallot(ctx, e.ballot);
    assert.equal(e.ballot.rangeProof.length, layout.maxMarks);
    values.forEach((v, j) => {
      assert.equal(e.ballot.slotProofs[j].length, 2);
      assert.equal(openWithRandomness(e.ballot.ciphertexts[j], ctx.publicKey, e.randomness[j], 1), v);
    });
  }
});

test('the prover refuses ballots that could not be counted, with the C++ reasons', () => {
  const ctx = context(small);
  throwsReason(() => encryptBallot(ctx, [0, 0, 0, 0]), 'empty_ballot');
  throwsReason(() => encryptBallot(ctx, [1, 1, 1, 0]), 'too_many_marks');
  throwsReason(() => encryptBallot(ctx, [1, 0, 0, 1]), 'conflicting_choices');
  throwsReason(() => encryptBallot(context({ candidates: 2, hasInvalid: true, maxMarks: 1 }), [0, 0, 1, 1]), 'conflicting_choices');
  throwsReason(() => encryptBallot(ctx, [2, 0, 0, 0]), 'vote_value_not_binary');
  throwsReason(() => encryptBallot(ctx, [1, 0, 0]), 'wrong_slot_count');
  throwsReason(() => encryptBallot(context({ candidates: 0, hasInvalid: false, maxMarks: 1 }), [1]), 'bad_layout');
  throwsReason(() => encryptBallot(context({ candidates: 3, hasInvalid: false, maxMarks: 17 }), [1, 0, 0, 0]), 'bad_layout');
  throwsReason(() => encryptBallot({ ...ctx, tokenInput: new Uint8Array(0) }, [1, 0, 0, 0]), 'bad_token_input');
  throwsReason(() => encryptBallot({ ...ctx, tokenInput: new Uint8Array(4097) }, [1, 0, 0, 0]), 'bad_token_input');
});

// A cheating prover: proves the branch `claim` as if it were true.
function cheat(st, slot, ct, r, claim, lo, hi, zeroSimulated = false) {
  const proof = [];
  const t = proofTranscript(st, slot, lo, hi, ct);
  let w = 0n;
  let sim = 0n;
  for (let v = lo; v <= hi; v++) {
    if (v === claim) {
      w = randomScalar();
      t.appendPoint('a', baseMul(w));
      t.appendPoint('b', st.publicKey.multiply(w));
      proof.push(null);
    } else {
      const c = zeroSimulated ? 0n : randomScalar();
      const s = randomScalar();
      sim = (sim + c) % ORDER;
      const bv = ct.b.subtract(baseMul(BigInt(v) + 1n).subtract(baseMul(1n)));
      t.appendPoint('a', baseMul(s).subtract(c === 0n ? baseMul(0n) : ct.a.multiply(c)));
      t.appendPoint('b', st.publicKey.multiply(s).subtract(c === 0n ? baseMul(0n) : bv.multiply(c)));
      proof.push({ c, s });
    }
  }
  const c = (t.challenge() - sim + ORDER) % ORDER;
  proof[claim - lo] = { c, s: (w + c * r) % ORDER };
  return proof;
}
test('0/1 proofs for an encryption of 2 and range proofs for hi+1 fail; the cheat verifies when true', () => {
  const ctx = context(small);
  const r = randomNonzeroScalar();
  const cts = [0, 1, 2, 0].map((m) => encryptWithRandomness(ctx.publicKey, m, r));
  const st = ballotStatement(ctx, cts);
  verifyRange(st, 1, cts[1], 0, 1, cheat(st, 1, cts[1], r, 1, 0, 1));
  verifyRange(st, 0, cts[0], 0, 1, cheat(st, 0, cts[0], r, 0, 0, 1, true)); // zero simulated challenge is legal
  throwsReason(() => verifyRange(st, 2, cts[2], 0, 1, cheat(st, 2, cts[2], r, 1, 0, 1)), 'range_proof_invalid');
  throwsReason(() => verifyRange(st, 2, cts[2], 0, 1, cheat(st, 2, cts[2], r, 0, 0, 1)), 'range_proof_invalid');
  // proveRange refuses a value outside the range, and a witness that is not ct's
  throwsReason(() => proveRange(st, 2, cts[2], 2, r, 0, 1), 'value_out_of_range');
  throwsReason(() => proveRange(st, 2, cts[2], 1, r, 0, 1), 'self_check_failed');
  verifyRange(st, 2, cts[2], 0, 2, proveRange(st, 2, cts[2], 2, r, 0, 2));
});

test('an all-simulated proof (the forgery without the sum check) and a tampered challenge fail', () => {
  const ctx = context(small);
  const e = encryptBallot(ctx, [1, 0, 0, 0]);
  const forged = { ...e.ballot, slotProofs: e.ballot.slotProofs.slice() };
  forged.slotProofs[1] = [{ c: randomScalar(), s: randomScalar() }, { c: randomScalar(), s: randomScalar() }];
  throwsReason(() => verifyBallot(ctx, forged), 'zero_one_proof_invalid');
  const shifted = e.ballot.rangeProof.map((b, i) => (i === 0 ? { c: (b.c + 1n) % ORDER, s: b.s } : b));
  throwsReason(() => verifyBallot(ctx, { ...e.ballot, rangeProof: shifted }), 'range_proof_invalid');
});

test('a proof moved to another slot, or ciphertexts swapped, fails', () => {
  const ctx = context(small);
  const e = encryptBallot(ctx, [1, 0, 0, 0]);
  const moved = { ...e.ballot, slotProofs: [e.ballot.slotProofs[1], e.ballot.slotProofs[0], ...e.ballot.slotProofs.slice(2)] };
  throwsReason(() => verifyBallot(ctx, moved), 'zero_one_proof_invalid');
  const swapped = { ...e.ballot, ciphertexts: [e.ballot.ciphertexts[1], e.ballot.ciphertexts[0], ...e.ballot.ciphertexts.slice(2)] };
  throwsReason(() => verifyBallot(ctx, swapped), 'zero_one_proof_invalid');
  const st = ballotStatement(ctx, e.ballot.ciphertexts);
  throwsReason(() => verifyRange(st, rangeProofSlot(small) + 1, combinedCiphertext(small, e.ballot.ciphertexts), 1, 2, e.ballot.rangeProof), 'range_proof_invalid');
});

test('verification refuses an unencrypted ciphertext (A = identity) and wrong counts', () => {
  const ctx = context(small);
  const e = encryptBallot(ctx, [1, 0, 0, 0]);
  const raw = encodeCiphertext(e.ballot.ciphertexts[0]);
  raw.fill(0, 0, 32);
  const bare = { ...e.ballot, ciphertexts: [parseCiphertext(raw), ...e.ballot.ciphertexts.slice(1)] };
  throwsReason(() => verifyBallot(ctx, bare), 'identity_ciphertext');
  throwsReason(() => verifyBallot(ctx, { ...e.ballot, ciphertexts: e.ballot.ciphertexts.slice(1) }), 'wrong_slot_count');
  throwsReason(() => verifyBallot(ctx, { ...e.ballot, slotProofs: e.ballot.slotProofs.slice(1) }), 'wrong_proof_count');
  throwsReason(() => verifyBallot(ctx, { ...e.ballot, rangeProof: e.ballot.rangeProof.slice(1) }), 'wrong_branch_count');
  const three = [...e.ballot.slotProofs];
  three[2] = [...three[2], three[2][0]];
  throwsReason(() => verifyBallot(ctx, { ...e.ballot, slotProofs: three }), 'wrong_branch_count');
});

test('proof encodings round-trip and parsing is strict', () => {
  const ctx = context(small);
  const e = encryptBallot(ctx, [0, 1, 0, 0]);
  const bytes = encodeRangeProof(e.ballot.slotProofs[0]);
  assert.equal(bytes.length, 128);
  assert.deepEqual(encodeRangeProof(parseRangeProof(bytes, 2)), bytes);
  throwsReason(() => parseRangeProof(bytes, 1), 'wrong_branch_count');
  throwsReason(() => parseRangeProof(bytes.subarray(0, 127), 2), 'wrong_branch_count');
  throwsReason(() => parseRangeProof(new Uint8Array(0), 0), 'wrong_branch_count');
  throwsReason(() => parseRangeProof(new Uint8Array(65 * 64), 65), 'wrong_branch_count');
  for (const at of [31, 63, 95, 127]) {
    const b = bytes.slice();
    b[at] = 0xff; // >= l
    throwsReason(() => parseRangeProof(b, 2), 'bad_scalar');
  }
});
