// src/app/storage.js: the voting page's records on the device, with an
// in-memory stand-in for localStorage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRecord, decodeRecord, saveRecord, loadRecord, listRecords, recordKey, INDEX_KEY } from '../src/app/storage.js';
import { base64urlEncode } from '../src/crypto/bytes.js';

class MemoryStore {
  constructor() { this.m = new Map(); }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) { this.m.set(k, String(v)); }
  removeItem(k) { this.m.delete(k); }
}
class FullStore extends MemoryStore {
  setItem() { const e = new Error('quota'); e.name = 'QuotaExceededError'; throw e; }
}
class ForgetfulStore extends MemoryStore {
  setItem() {}
}

const E = 'ab'.repeat(32);
const bytes = (n, v) => new Uint8Array(n).fill(v);
const full = () => ({
  request: bytes(259, 1), signature: bytes(64, 2), state: bytes(354, 3), token: bytes(354, 4),
  ballot: bytes(1000, 5), receipt: { ballot_hash: 'cd'.repeat(32), short_hash: 'cdcd cdcd cdcd cdcd' },
});

test('a record survives encoding and decoding byte for byte', () => {
  const rec = full();
  assert.deepEqual(decodeRecord(encodeRecord(rec)), rec);
});

test('absent fields are left out of the stored JSON', () => {
  assert.deepEqual(JSON.parse(encodeRecord({ token: bytes(354, 9), state: null })), { token: base64urlEncode(bytes(354, 9)) });
});

test('encoding refuses byte strings of the wrong length', () => {
  assert.throws(() => encodeRecord({ request: bytes(258, 0) }), TypeError);
  assert.throws(() => encodeRecord({ token: 'text' }), TypeError);
});

test('decoding refuses damaged records with stored_record_corrupt', () => {
  const bad = [
    'not json', '[]', 'null', '{"token":"AAAA"}', '{"token":5}', '{"other":"AA"}', '{"receipt":"x"}',
    `{"signature":"${base64urlEncode(bytes(64, 1))}="}`, `{"ballot":""}`,
  ];
  for (const text of bad) assert.throws(() => decodeRecord(text), { reason: 'stored_record_corrupt' }, text);
});

test('saveRecord writes the record and indexes it once; loadRecord reads it back', () => {
  const s = new MemoryStore();
  saveRecord(E, 'inst-01', { request: bytes(259, 1), signature: bytes(64, 2) }, s);
  saveRecord(E, 'inst-01', { token: bytes(354, 4) }, s);
  assert.deepEqual(listRecords(s), [{ election: E, institution: 'inst-01' }]);
  assert.deepEqual(loadRecord(E, 'inst-01', s), { token: bytes(354, 4) });
  assert.equal(loadRecord(E, 'inst-02', s), null);
  assert.ok(s.getItem(`urne:v1:${E}:inst-01`));
});

test('a store that refuses or forgets writes is local_storage_unavailable', () => {
  assert.throws(() => saveRecord(E, 'a', { token: bytes(354, 1) }, new FullStore()), { reason: 'local_storage_unavailable' });
  assert.throws(() => saveRecord(E, 'a', { token: bytes(354, 1) }, new ForgetfulStore()), { reason: 'local_storage_unavailable' });
});

test('record keys refuse malformed election and institution ids', () => {
  assert.equal(recordKey(E, 'x.y_z-1'), `urne:v1:${E}:x.y_z-1`);
  assert.throws(() => recordKey(E.toUpperCase(), 'a'), { reason: 'bad_election_id' });
  assert.throws(() => recordKey(E, 'a:b'), { reason: 'institution_id_malformed' });
});

test('a malformed index is read as empty and malformed entries are skipped', () => {
  const s = new MemoryStore();
  s.setItem(INDEX_KEY, '{oops');
  assert.deepEqual(listRecords(s), []);
  s.setItem(INDEX_KEY, JSON.stringify([{ election: E, institution: 'ok' }, { election: 'x', institution: 'y' }, 7]));
  assert.deepEqual(listRecords(s), [{ election: E, institution: 'ok' }]);
});
