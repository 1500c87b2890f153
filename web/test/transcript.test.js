import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Transcript } from '../src/crypto/transcript.js';
import { ORDER, baseMul, scalarToBytes } from '../src/crypto/group.js';
import { concat, hexDecode } from '../src/crypto/bytes.js';

// Built by hand from docs/protocol.md §2 and hashed with node:crypto, an
// implementation independent of @noble/hashes.
const enc = (s) => new TextEncoder().encode(s);
const item = (name, value) => {
  const n = enc(name);
  const h = new Uint8Array(6 + n.length);
  new DataView(h.buffer).setUint16(0, n.length);
  h.set(n, 2);
  new DataView(h.buffer).setUint32(2 + n.length, value.length);
  return concat(h, value);
};
const leToBig = (b) => b.reduceRight((acc, v) => (acc << 8n) | BigInt(v), 0n);
const expected = (...items) => leToBig(new Uint8Array(createHash('sha512').update(concat(...items)).digest())) % ORDER;

test('the challenge is SHA-512 over proto, label and the items, reduced mod l (protocol.md §2)', () => {
  const p = baseMul(5n);
  const t = new Transcript('urne/test/v1')
    .append('bytes', hexDecode('00ff10'))
    .append('text', 'ristretto255')
    .appendPoint('point', p)
    .appendScalar('scalar', 12345n)
    .appendU64('n', 2n ** 64n - 2n)
    .append('empty', new Uint8Array(0));
  const want = expected(
    item('proto', enc('urne/fs/v1')), item('label', enc('urne/test/v1')), item('bytes', hexDecode('00ff10')),
    item('text', enc('ristretto255')), item('point', p.toBytes()), item('scalar', scalarToBytes(12345n)),
    item('n', hexDecode('fffffffffffffffe')), item('empty', new Uint8Array(0)));
  assert.equal(t.challenge(), want);
  assert.equal(new Transcript('').challenge(), expected(item('proto', enc('urne/fs/v1')), item('label', new Uint8Array(0))));
});

test('challenge() does not consume the state, and a clone continues independently', () => {
  const t = new Transcript('urne/test/v1').append('a', enc('1'));
  const c1 = t.challenge();
  assert.equal(t.challenge(), c1);
  const copy = t.clone();
  copy.append('b', enc('2'));
  assert.equal(t.challenge(), c1);
  assert.notEqual(copy.challenge(), c1);
  t.append('b', enc('2'));
  assert.equal(t.challenge(), copy.challenge());
});

test('item boundaries, names and labels are all hashed (no two statements collide by concatenation)', () => {
  const c = (f) => f(new Transcript('urne/test/v1')).challenge();
  const all = [
    c((t) => t.append('a', enc('bc'))),
    c((t) => t.append('ab', enc('c'))),
    c((t) => t.append('a', enc('b')).append('', enc('c'))),
    c((t) => t.append('x', enc('bc'))),
    new Transcript('urne/test/v2').append('a', enc('bc')).challenge(),
  ];
  assert.equal(new Set(all).size, all.length);
});

test('contract breaches are TypeErrors: values that are not bytes, names over 64 KiB, negative u64', () => {
  const t = new Transcript('urne/test/v1');
  assert.throws(() => t.append('x', [1, 2]), TypeError);
  assert.throws(() => t.append('x'.repeat(65536), new Uint8Array(1)), TypeError);
  assert.throws(() => t.appendU64('x', -1), TypeError);
});
