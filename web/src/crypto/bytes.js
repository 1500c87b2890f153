// Bytes and their text forms, exactly as crypto/bytes.hpp: lower-case hex
// out, strict hex in (upper or lower case, even length, nothing else);
// base64url without padding (RFC 4648 §5), strict in: no '=', no
// whitespace, no standard-alphabet characters, no non-zero unused trailing
// bits, length not 1 mod 4 — so every value has exactly one text form.
// Plus the wire helpers (u16be, lp16, ...) of docs/protocol.md.
//
// Hand-written rather than taken from a library: @noble/hashes' hexToBytes
// accepts what we want, but no dependency we ship has a base64url decoder
// with the strictness the protocol requires (Uint8Array.fromBase64 is not
// in every browser yet and is lenient about trailing bits unless asked).

import { fail } from './errors.js';

const HEX = '0123456789abcdef';

/** @param {Uint8Array} b @returns {string} lower-case hex */
export function hexEncode(b) {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

function hexNibble(c) {
  if (c >= 48 && c <= 57) return c - 48;        // 0-9
  if (c >= 97 && c <= 102) return c - 97 + 10;  // a-f
  if (c >= 65 && c <= 70) return c - 65 + 10;   // A-F
  return -1;
}

/** Upper or lower case; rejects odd length and any other character ("bad_hex"). */
export function hexDecode(text) {
  if (typeof text !== 'string' || text.length % 2 !== 0) fail('bad_hex', 'hex text has an odd number of digits');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(text.charCodeAt(2 * i));
    const lo = hexNibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) fail('bad_hex', 'text is not hex');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** True iff s is only 0-9a-f (the one text form of a fingerprint). */
export function isLowerHex(s) {
  return /^[0-9a-f]*$/.test(s);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUE = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64URL.charCodeAt(i)] = i;
  return t;
})();

/** RFC 4648 §5 base64url without padding. */
export function base64urlEncode(b) {
  let s = '';
  let i = 0;
  for (; i + 3 <= b.length; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += B64URL[v >> 18] + B64URL[(v >> 12) & 63] + B64URL[(v >> 6) & 63] + B64URL[v & 63];
  }
  const rest = b.length - i;
  if (rest === 1) {
    const v = b[i] << 16;
    s += B64URL[v >> 18] + B64URL[(v >> 12) & 63];
  } else if (rest === 2) {
    const v = (b[i] << 16) | (b[i + 1] << 8);
    s += B64URL[v >> 18] + B64URL[(v >> 12) & 63] + B64URL[(v >> 6) & 63];
  }
  return s;
}

/**
 * Strict base64url decoding, as crypto/bytes.hpp base64url_decode (libsodium
 * sodium_base642bin, URLSAFE_NO_PADDING, no ignored characters): rejects '=',
 * whitespace, '+', '/', any other character, a length of 1 mod 4 and non-zero
 * unused trailing bits. Error: "bad_base64url".
 */
export function base64urlDecode(text) {
  const bad = () => fail('bad_base64url', 'text is not base64url');
  if (typeof text !== 'string' || text.length % 4 === 1) bad();
  const vals = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64URL_VALUE[c] : -1;
    if (v < 0) bad();
    vals[i] = v;
  }
  const full = Math.floor(text.length / 4);
  const rest = text.length % 4; // 0, 2 or 3
  const out = new Uint8Array(full * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  for (let q = 0; q < full; q++) {
    const v = (vals[4 * q] << 18) | (vals[4 * q + 1] << 12) | (vals[4 * q + 2] << 6) | vals[4 * q + 3];
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  const p = 4 * full;
  if (rest === 2) {
    if (vals[p + 1] & 0x0f) bad(); // 4 unused bits must be zero
    out[o++] = (vals[p] << 2) | (vals[p + 1] >> 4);
  } else if (rest === 3) {
    if (vals[p + 2] & 0x03) bad(); // 2 unused bits must be zero
    out[o++] = (vals[p] << 2) | (vals[p + 1] >> 4);
    out[o++] = ((vals[p + 1] & 15) << 4) | (vals[p + 2] >> 2);
  }
  return out;
}

/** UTF-8 bytes of a string (TextEncoder: lone surrogates become U+FFFD). */
export function utf8(s) {
  return new TextEncoder().encode(s);
}

/** Concatenation of byte arrays. */
export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function checkUint(v, bits) {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new TypeError(`not a u${bits}: ${v}`);
}
export function u8(v) {
  checkUint(v, 8);
  return Uint8Array.of(v);
}
export function u16be(v) {
  checkUint(v, 16);
  return Uint8Array.of(v >> 8, v & 255);
}
export function u32be(v) {
  checkUint(v, 32);
  return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}
/** u64be of a non-negative safe integer or a bigint < 2^64. */
export function u64be(v) {
  let x = BigInt(v);
  if (x < 0n || x >= 1n << 64n) throw new TypeError(`not a u64: ${v}`);
  const out = new Uint8Array(8);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(x & 255n);
    x >>= 8n;
  }
  return out;
}
/** lp16(x) = u16be(len(x)) || x; a string is taken as its UTF-8 bytes. */
export function lp16(x) {
  const b = typeof x === 'string' ? utf8(x) : x;
  return concat(u16be(b.length), b);
}
/** lp32(x) = u32be(len(x)) || x. */
export function lp32(x) {
  const b = typeof x === 'string' ? utf8(x) : x;
  return concat(u32be(b.length), b);
}

/**
 * Equality of two byte strings whose contents may be secret: the time does
 * not depend on where they differ (lengths are not secret). JavaScript
 * engines make no timing promises; this is the best a page can do.
 */
export function ctEqual(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Overwrites a buffer that held a secret (best effort in a garbage-collected language). */
export function wipe(b) {
  if (b) b.fill(0);
}

/** Checks that a value is a Uint8Array of exactly n bytes, else UrneError(reason). */
export function expectBytes(b, n, reason, what) {
  if (!(b instanceof Uint8Array) || b.length !== n) fail(reason, `${what} must be ${n} bytes`);
  return b;
}
