import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base64urlDecode, base64urlEncode, concat, ctEqual, hexDecode, hexEncode, lp16, lp32, u16be, u32be, u64be,
} from '../src/crypto/bytes.js';
import { throwsReason } from '../testlib/helpers.js';

const enc = (s) => new TextEncoder().encode(s);

test('hex round-trips, encodes lower case and decodes either case', () => {
  const b = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(hexDecode(hexEncode(b)), b);
  assert.equal(hexEncode(Uint8Array.of(0xab, 0x0f)), 'ab0f');
  assert.deepEqual(hexDecode('AB0f'), Uint8Array.of(0xab, 0x0f));
  assert.deepEqual(hexDecode(''), new Uint8Array(0));
});

test('hex decoding refuses odd length, separators and non-hex characters', () => {
  for (const bad of ['a', 'abc', 'zz', '0x00', 'ab cd', 'ab\n', 'éé']) throwsReason(() => hexDecode(bad), 'bad_hex');
});

test('base64url matches the RFC 4648 test vectors without padding', () => {
  const rfc = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
  for (const [plain, text] of rfc) {
    assert.equal(base64urlEncode(enc(plain)), text);
    assert.deepEqual(base64urlDecode(text), enc(plain));
  }
  assert.equal(base64urlEncode(Uint8Array.of(0xfb, 0xff)), '-_8');
  for (let n = 0; n < 70; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    assert.deepEqual(base64urlDecode(base64urlEncode(b)), b);
  }
});

test('base64url decoding refuses every second text form', () => {
  for (const bad of [
    'Zg==', 'Zm8=', // padding
    'Zh', 'Zm9', // non-zero unused trailing bits (Zg / Zm8 are the canonical forms)
    'Z', 'Zm9vY', // length 1 mod 4
    '+/8', 'ab/c', // standard alphabet
    'Zm 9v', ' Zm9v', 'Zm9v\n', // whitespace
    'Zm9v.', 'Zé',
  ]) {
    throwsReason(() => base64urlDecode(bad), 'bad_base64url');
  }
});

test('the length-prefixed and big-endian encoders write the documented bytes', () => {
  assert.equal(hexEncode(u16be(0x0102)), '0102');
  assert.equal(hexEncode(u32be(0x01020304)), '01020304');
  assert.equal(hexEncode(u64be(2n ** 64n - 1n)), 'ffffffffffffffff');
  assert.equal(hexEncode(lp16('urne')), '000475726e65');
  assert.equal(hexEncode(lp32(Uint8Array.of(7))), '0000000107');
  assert.equal(hexEncode(concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))), '010203');
  assert.throws(() => u16be(65536), TypeError);
});

test('ctEqual compares contents and lengths', () => {
  assert.ok(ctEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)));
  assert.ok(!ctEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)));
  assert.ok(!ctEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0)));
});
