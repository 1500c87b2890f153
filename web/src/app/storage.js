// What the voting page keeps on the delegate's device (web-spec.md
// "Storage"): per election and institution one localStorage record
//   urne:v1:<election id hex>:<institution id> ->
//   {request, signature, state (until finalized), token, ballot (prepared,
//    not yet acknowledged), receipt (the server's receipt view)}
// (byte strings as strict base64url) plus the index urne:v1:index, a list of
// {election, institution}, so a reload without the link's fragment still
// finds the token. Each value is written BEFORE the request that depends on
// it: a lost answer or a closed tab can then be retried with the same bytes.
// The voting code is never stored.

import { base64urlDecode, base64urlEncode, isLowerHex } from '../crypto/bytes.js';
import { checkInstitutionId } from '../crypto/credential.js';
import { fail, UrneError } from '../crypto/errors.js';

export const PREFIX = 'urne:v1:';
export const INDEX_KEY = 'urne:v1:index';

// field -> exact length in bytes (0 = any non-empty length)
const BYTE_FIELDS = { request: 259, signature: 64, state: 354, token: 354, ballot: 0 };

function checkElectionHex(e) {
  if (typeof e !== 'string' || e.length !== 64 || !isLowerHex(e)) fail('bad_election_id', 'an election id is 64 lower-case hex digits');
}

/** The localStorage key of one record; refuses malformed ids. */
export function recordKey(electionIdHex, institutionId) {
  checkElectionHex(electionIdHex);
  checkInstitutionId(institutionId);
  return `${PREFIX}${electionIdHex}:${institutionId}`;
}

/**
 * A record ({request?, signature?, state?, token?, ballot?: Uint8Array,
 * receipt?: object}) as the stored JSON text; absent/null fields are left out.
 */
export function encodeRecord(record) {
  const out = {};
  for (const [k, len] of Object.entries(BYTE_FIELDS)) {
    const v = record[k];
    if (v === undefined || v === null) continue;
    if (!(v instanceof Uint8Array) || (len && v.length !== len) || v.length === 0) {
      throw new TypeError(`storage: ${k} must be ${len || 'some'} bytes`);
    }
    out[k] = base64urlEncode(v);
  }
  if (record.receipt !== undefined && record.receipt !== null) out.receipt = record.receipt;
  return JSON.stringify(out);
}

/**
 * Reads encodeRecord's text back with the byte strings as Uint8Arrays.
 * Anything else (bad JSON, unknown field, wrong length, non-canonical
 * base64url) is "stored_record_corrupt": the page says so rather than
 * sending damaged bytes.
 */
export function decodeRecord(text) {
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    fail('stored_record_corrupt', 'the stored record is not JSON');
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) fail('stored_record_corrupt', 'the stored record is not an object');
  const rec = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'receipt') {
      if (!v || typeof v !== 'object' || Array.isArray(v)) fail('stored_record_corrupt', 'the stored receipt is not an object');
      rec.receipt = v;
      continue;
    }
    if (!Object.hasOwn(BYTE_FIELDS, k)) fail('stored_record_corrupt', `unknown stored field "${k}"`);
    if (typeof v !== 'string') fail('stored_record_corrupt', `stored ${k} is not text`);
    let bytes;
    try {
      bytes = base64urlDecode(v);
    } catch {
      fail('stored_record_corrupt', `stored ${k} is not base64url`);
    }
    const len = BYTE_FIELDS[k];
    if ((len && bytes.length !== len) || bytes.length === 0) fail('stored_record_corrupt', `stored ${k} has the wrong length`);
    rec[k] = bytes;
  }
  return rec;
}

/** The default store: window.localStorage, or "local_storage_unavailable". */
export function defaultStore() {
  try {
    const s = globalThis.localStorage;
    if (!s) throw new Error('none');
    return s;
  } catch {
    fail('local_storage_unavailable', 'this browser does not allow storage on the device');
  }
}

/** The stored index: a list of {election, institution}; malformed entries are skipped. */
export function listRecords(store = defaultStore()) {
  let list;
  try {
    list = JSON.parse(store.getItem(INDEX_KEY) || '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.filter((x) => {
    try {
      recordKey(x.election, x.institution);
      return true;
    } catch {
      return false;
    }
  });
}

/** The record of (election, institution), or null if there is none. Throws "stored_record_corrupt". */
export function loadRecord(electionIdHex, institutionId, store = defaultStore()) {
  const text = store.getItem(recordKey(electionIdHex, institutionId));
  return text === null ? null : decodeRecord(text);
}

/**
 * Writes the record and adds it to the index; throws
 * "local_storage_unavailable" if the browser refuses (quota, private mode):
 * the caller must then not send the request that depends on it.
 */
export function saveRecord(electionIdHex, institutionId, record, store = defaultStore()) {
  const key = recordKey(electionIdHex, institutionId);
  const text = encodeRecord(record);
  try {
    store.setItem(key, text);
    const list = listRecords(store);
    if (!list.some((x) => x.election === electionIdHex && x.institution === institutionId)) {
      list.push({ election: electionIdHex, institution: institutionId });
      store.setItem(INDEX_KEY, JSON.stringify(list));
    }
  } catch (e) {
    if (e instanceof UrneError) throw e;
    fail('local_storage_unavailable', `the device refused to store the record (${e && e.name})`);
  }
  // Read back: a browser that silently drops writes must not be trusted with the token.
  if (store.getItem(key) !== text) fail('local_storage_unavailable', 'the device did not keep the record');
}
