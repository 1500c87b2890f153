// The voting code printed on each institution's letter, exactly as
// crypto/credential.hpp VotingCode (layout: docs/protocol.md §3.1).
//
//   24 symbols of Crockford base32 "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; c0..c21
//   random (110 bits), c22 c23 check symbols over GF(32) = GF(2)[x]/(x^5+x^2+1),
//   alpha = x: valid iff sum c_i = 0 and sum alpha^i c_i = 0. Every error in
//   one or two symbols (every substitution, every swap) is detected.
//   Printed as XXXX-XXXX-XXXX-XXXX-XXXX-XXXX.
//
// parseVotingCode is tolerant like VotingCode::parse: it ignores ' ' and '-'
// anywhere, accepts lower case, reads O as 0 and I, L as 1; it refuses
// everything else. It works on the UTF-8 bytes of the text so that the
// 100-byte bound and the "non-ASCII is malformed" rule are the C++ ones.
//
// The result is the 24 canonical upper-case ASCII bytes: a secret; wipe()
// it when done. Messages never contain the code.

import { fail } from './errors.js';
import { utf8, wipe } from './bytes.js';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const DATA_SYMBOLS = 22;
export const SYMBOLS = 24;
export const MAX_TYPED_SIZE = 100;
const FIELD_POLY = 0x25; // x^5 + x^2 + 1

// Shift-and-add without branches on the operands (they are code symbols),
// as in credential.cpp. (A JavaScript engine promises nothing about timing;
// this avoids the obvious secret-dependent branches and table look-ups.)
function gfMul(a, b) {
  let acc = 0;
  let aa = a;
  for (let i = 0; i < 5; i++) {
    acc ^= -((b >> i) & 1) & aa;
    const carry = (aa >> 4) & 1;
    aa = ((aa << 1) ^ (-carry & FIELD_POLY)) & 0x1f;
  }
  return acc & 0x1f;
}
function gfPow(a, e) {
  let r = 1;
  for (let i = 0; i < e; i++) r = gfMul(r, a);
  return r;
}
const WEIGHTS = Array.from({ length: SYMBOLS }, (_, i) => gfPow(2, i));
const CHECK_DENOMINATOR_INVERSE = gfPow(WEIGHTS[DATA_SYMBOLS] ^ WEIGHTS[DATA_SYMBOLS + 1], 30);

function syndrome(values) {
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < SYMBOLS; i++) {
    s0 ^= values[i];
    s1 ^= gfMul(WEIGHTS[i], values[i]);
  }
  return s0 | s1;
}

/** Fills values[22], values[23] from values[0..21]. */
function computeCheckSymbols(values) {
  let a = 0;
  let b = 0;
  for (let i = 0; i < DATA_SYMBOLS; i++) {
    a ^= values[i];
    b ^= gfMul(WEIGHTS[i], values[i]);
  }
  const p = gfMul(b ^ gfMul(WEIGHTS[DATA_SYMBOLS + 1], a), CHECK_DENOMINATOR_INVERSE);
  values[DATA_SYMBOLS] = p;
  values[DATA_SYMBOLS + 1] = a ^ p;
}

// 0xff if a == b (bytes), else 0.
const eqMask = (a, b) => ((((a ^ b) & 0xff) - 1) >> 8) & 0xff;

const ALPHABET_CODES = Array.from(ALPHABET, (ch) => ch.charCodeAt(0));
const LOOKALIKES = [
  ['O'.charCodeAt(0), 0],
  ['I'.charCodeAt(0), 1],
  ['L'.charCodeAt(0), 1],
];

// Maps one byte to its symbol value without a secret-indexed table.
function decodeChar(c) {
  const outside = (((c - 97) >> 8) & 1) | (((122 - c) >> 8) & 1); // not a..z
  const u = c ^ (-(1 ^ outside) & 0x20); // to upper case, letters only
  let value = 0;
  let found = 0;
  for (let v = 0; v < 32; v++) {
    const m = eqMask(u, ALPHABET_CODES[v]);
    value |= m & v;
    found |= m;
  }
  for (const [look, v] of LOOKALIKES) {
    const m = eqMask(u, look);
    value |= m & v;
    found |= m;
  }
  return [value, found];
}

function malformed() {
  fail(
    'voting_code_malformed',
    "a voting code has 24 characters from 0-9 and A-Z without I, L, O, U, in groups of 4 separated by '-'",
  );
}

function charsOf(values) {
  const out = new Uint8Array(SYMBOLS);
  for (let i = 0; i < SYMBOLS; i++) {
    let ch = 0;
    for (let v = 0; v < 32; v++) ch |= eqMask(values[i], v) & ALPHABET_CODES[v];
    out[i] = ch;
  }
  return out;
}

/**
 * Parses what a person typed (or what a link holds). Returns the 24
 * canonical upper-case ASCII bytes (a secret). Throws UrneError
 * "voting_code_malformed" (not 24 symbols after removing ' ' and '-', a
 * character outside the alphabet, empty, longer than 100 bytes) or
 * "voting_code_checksum" (24 symbols, check symbols wrong: a typo).
 */
export function parseVotingCode(typed) {
  if (typeof typed !== 'string') malformed();
  const bytes = utf8(typed);
  const values = new Uint8Array(SYMBOLS);
  try {
    if (bytes.length > MAX_TYPED_SIZE) malformed();
    let n = 0;
    let bad = 0;
    for (const c of bytes) {
      if (c === 0x20 || c === 0x2d) continue; // ' ' and '-'
      if (n === SYMBOLS) malformed();
      const [value, found] = decodeChar(c);
      values[n++] = value;
      bad |= 0xff ^ found;
    }
    if (n !== SYMBOLS || bad !== 0) malformed();
    if (syndrome(values) !== 0) {
      fail('voting_code_checksum', 'the voting code contains a typo; please check it against the letter');
    }
    return charsOf(values);
  } finally {
    wipe(values);
    wipe(bytes);
  }
}

/** The printed form "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX" of 24 canonical code bytes. */
export function formatVotingCode(canonical) {
  if (!(canonical instanceof Uint8Array) || canonical.length !== SYMBOLS) {
    throw new TypeError('formatVotingCode takes the 24 canonical bytes of parseVotingCode');
  }
  let s = '';
  for (let i = 0; i < SYMBOLS; i++) {
    if (i > 0 && i % 4 === 0) s += '-';
    s += String.fromCharCode(canonical[i]);
  }
  return s;
}

/**
 * A fresh code from 22 random bytes (low 5 bits each), as
 * VotingCode::generate. The page never makes codes (the credential
 * authority does, offline); this exists for tests and tools.
 * @param {(n: number) => Uint8Array} randomBytes
 */
export function generateVotingCode(randomBytes) {
  const r = randomBytes(DATA_SYMBOLS);
  const values = new Uint8Array(SYMBOLS);
  for (let i = 0; i < DATA_SYMBOLS; i++) values[i] = r[i] & 0x1f;
  computeCheckSymbols(values);
  if (syndrome(values) !== 0) throw new Error('voting code self-check failed');
  const out = charsOf(values);
  wipe(values);
  wipe(r);
  return out;
}
