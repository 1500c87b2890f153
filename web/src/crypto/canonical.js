// Readers for the canonical documents the voting page relies on
// (docs/protocol.md §8): the roster (per assembly) and the manifest (per
// ballot). JSON views carry `canonical`, the base64url of these bytes; the
// page parses those bytes, never the readable JSON fields, and hashes them:
//
//   roster fingerprint = SHA-256(roster canonical bytes)
//   election id        = SHA-256(manifest canonical bytes)
//
// The reader follows ballot/canonical.hpp: every length is checked against
// the bytes left, counts against their bounds, no trailing bytes; the same
// reasons ("truncated", "trailing_bytes", "wrong_label", "bad_bool",
// "bad_optional_flag", "bad_length", "count_out_of_range", "bad_utf8") and
// the domain rules of ballot/roster.cpp and ballot/manifest.cpp.
//
// Scope (part 1): the roster is read completely, with every rule of
// Roster::parse_canonical (sorted unique ids, unique valid keys), so its
// bytes are the one canonical form. The manifest is read field by field
// with its bounds; the DKG commitments are only cut to their documented
// size (99 + 32k bytes) — checking their points and proofs and deriving the
// election key is part 2 (ristretto255). The election id is the hash of the
// bytes whatever the commitments hold, so comparing it with the id the page
// expects is already meaningful.

import { sha256 } from '@noble/hashes/sha2.js';
import { fail } from './errors.js';
import { ctEqual, hexEncode } from './bytes.js';
import { checkInstitutionId, isValidInstitutionKey } from './credential.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class CanonicalReader {
  constructor(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('CanonicalReader reads bytes');
    this.b = bytes;
    this.i = 0;
  }
  get left() {
    return this.b.length - this.i;
  }
  take(n, field) {
    if (n > this.left) fail('truncated', `${field}: truncated`);
    const out = this.b.subarray(this.i, this.i + n);
    this.i += n;
    return out;
  }
  u8(field) {
    return this.take(1, field)[0];
  }
  u16(field) {
    const b = this.take(2, field);
    return (b[0] << 8) | b[1];
  }
  u32(field) {
    const b = this.take(4, field);
    return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  }
  boolean(field) {
    const v = this.u8(field);
    if (v > 1) fail('bad_bool', `${field}: a boolean is 0 or 1`);
    return v === 1;
  }
  presence(field) {
    const v = this.u8(field);
    if (v > 1) fail('bad_optional_flag', `${field}: an optional flag is 0 or 1`);
    return v === 1;
  }
  fixed(n, field) {
    return this.take(n, field);
  }
  bytes16(field, min, max) {
    const n = this.u16(field);
    if (n < min || n > max) fail('bad_length', `${field}: length ${n} outside ${min}..${max}`);
    return this.take(n, field);
  }
  /** lp16 UTF-8 text of min..max bytes ("bad_length", "bad_utf8"). */
  text16(field, min, max) {
    const raw = this.bytes16(field, min, max);
    try {
      return strictUtf8.decode(raw);
    } catch {
      fail('bad_utf8', `${field}: not well-formed UTF-8`);
    }
  }
  /** A u16 count in min..max whose items (at least minItem bytes each) fit in what is left. */
  count16(field, min, max, minItem) {
    const n = this.u16(field);
    if (n < min || n > max) fail('count_out_of_range', `${field}: count ${n} outside ${min}..${max}`);
    if (n * minItem > this.left) fail('truncated', `${field}: ${n} items cannot fit`);
    return n;
  }
  label(expected) {
    const got = this.bytes16('label', 0, 0xffff);
    const want = new TextEncoder().encode(expected);
    if (!ctEqual(got, want)) fail('wrong_label', `not a ${expected} document`);
  }
  finish() {
    if (this.left !== 0) fail('trailing_bytes', `${this.left} bytes after the document`);
  }
}

/** ballot/canonical.cpp check_text: no controls, bidi overrides/isolates, U+2028/9, surrounding spaces. */
export function checkText(field, text, { paragraph = false } = {}) {
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    const forbidden =
      (cp === 0x0a && !paragraph) ||
      (cp < 0x20 && cp !== 0x0a) || cp === 0x7f ||
      (cp >= 0x80 && cp <= 0x9f) ||
      cp === 0x2028 || cp === 0x2029 ||
      (cp >= 0x202a && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069);
    if (forbidden) fail('forbidden_character', `${field}: control or bidirectional-formatting character`);
  }
  if (text.startsWith(' ') || text.endsWith(' ')) fail('surrounding_space', `${field}: leading or trailing space`);
  return text;
}

export const ROSTER_LABEL = 'urne/roster/v1';
export const MANIFEST_LABEL = 'urne/manifest/v1';

// lp16 id (>= 1) + lp16 name (>= 1) + key (32)
const MIN_INSTITUTION_SIZE = 2 + 1 + 2 + 1 + 32;

/**
 * Parses a roster's canonical bytes (§8.2). Returns { title,
 * credentialContext, institutions: [{ id, name, publicKey }], fingerprint
 * (32 bytes), fingerprintHex, shortFingerprint ("b685 a42b 27f5 c213") }.
 */
export function parseRoster(bytes) {
  const r = new CanonicalReader(bytes);
  r.label(ROSTER_LABEL);
  const title = checkText('title', r.text16('title', 1, 200));
  const credentialContext = r.fixed(32, 'credential_context').slice();
  const n = r.count16('institutions', 1, 10000, MIN_INSTITUTION_SIZE);
  const institutions = [];
  const keys = new Set();
  for (let i = 0; i < n; i++) {
    const at = (f) => `institutions[${i}].${f}`;
    const id = r.text16(at('id'), 1, 64);
    checkInstitutionId(id);
    const name = checkText(at('name'), r.text16(at('name'), 1, 200));
    const publicKey = r.fixed(32, at('key')).slice();
    if (!isValidInstitutionKey(publicKey)) fail('institution_key_invalid', `${at('key')}: not a valid Ed25519 key`);
    if (institutions.length > 0) {
      const prev = institutions[institutions.length - 1].id;
      // Ids are ASCII: JavaScript's string order is byte order here.
      if (prev === id) fail('duplicate_institution_id', `institution id "${id}" is listed twice`);
      if (prev > id) fail('not_canonical', 'institutions are not in ascending id order');
    }
    const hex = hexEncode(publicKey);
    if (keys.has(hex)) fail('duplicate_institution_key', `${at('key')}: a key is listed twice`);
    keys.add(hex);
    institutions.push({ id, name, publicKey });
  }
  r.finish();
  const fingerprint = sha256(bytes);
  const fingerprintHex = hexEncode(fingerprint);
  const shortFingerprint = fingerprintHex.slice(0, 16).match(/.{4}/g).join(' ');
  return { title, credentialContext, institutions, fingerprint, fingerprintHex, shortFingerprint };
}

/** The roster fingerprint alone: SHA-256 of the canonical bytes (after parsing them). */
export function rosterFingerprint(bytes) {
  return parseRoster(bytes).fingerprint;
}

/** The institution's listed key, or "unknown_institution". */
export function findInstitution(roster, id) {
  const inst = roster.institutions.find((x) => x.id === id);
  if (!inst) fail('unknown_institution', `the roster does not list "${id}"`);
  return inst;
}

const allZero = (b) => b.every((v) => v === 0);

/**
 * Reads a manifest's canonical bytes (§8.3) with every bound the page can
 * check without ristretto255, and returns its fields and electionId =
 * SHA-256(bytes). Commitments are returned raw (to be verified in part 2).
 */
export function readManifest(bytes) {
  const r = new CanonicalReader(bytes);
  r.label(MANIFEST_LABEL);
  const title = checkText('title', r.text16('title', 1, 200));
  const kind = r.presence('kind') ? checkText('kind', r.text16('kind', 1, 100)) : null;
  const description = r.presence('description')
    ? checkText('description', r.text16('description', 1, 2000), { paragraph: true })
    : null;
  const rosterFingerprint = r.fixed(32, 'roster_fingerprint').slice();
  if (allZero(rosterFingerprint)) fail('missing_hash', 'roster_fingerprint is unset');
  const nc = r.count16('candidates', 1, 100, 2 + 1 + 2);
  const candidates = [];
  for (let i = 0; i < nc; i++) {
    const name = checkText(`candidates[${i}].name`, r.text16(`candidates[${i}].name`, 1, 200));
    const affiliation = checkText(`candidates[${i}].affiliation`, r.text16(`candidates[${i}].affiliation`, 0, 200));
    candidates.push({ name, affiliation });
  }
  if (new Set(candidates.map((c) => c.name)).size !== nc) fail('duplicate_candidate', 'a candidate is listed twice');
  const seats = r.u32('seats');
  if (seats < 1 || seats > 100) fail('bad_seats', 'seats must be 1..100');
  const substitutes = r.u32('substitutes');
  if (substitutes > 100) fail('bad_substitutes', 'substitutes must be 0..100');
  const maxMarks = r.u32('max_marks');
  if (maxMarks < 1 || maxMarks > 16 || maxMarks > nc) fail('bad_max_marks', 'max_marks must be 1..min(16, candidates)');
  const invalidOffered = r.boolean('invalid_offered');
  const tieRuleByte = r.u8('tie_rule');
  if (tieRuleByte !== 1 && tieRuleByte !== 2) fail('bad_tie_rule', 'tie_rule must be lot (1) or runoff (2)');
  const lotSeedCommitment = r.fixed(32, 'lot_seed_commitment').slice();
  if (allZero(lotSeedCommitment)) fail('missing_hash', 'lot_seed_commitment is unset');
  const tokenIssuerName = r.text16('token_issuer_name', 1, 255);
  if (!/^[\x21-\x7e]+$/.test(tokenIssuerName)) fail('bad_issuer_name', 'token_issuer_name must be printable ASCII without spaces');
  const tokenPublicKey = r.bytes16('token_public_key', 1, 0xffff).slice();
  const ceremonyId = r.fixed(32, 'ceremony_id').slice();
  const trustees = r.u8('trustees');
  const threshold = r.u8('threshold');
  if (threshold < 2 || threshold > trustees || trustees > 16) fail('bad_dkg_params', 'need 2 <= k <= n <= 16');
  const commitmentSize = 99 + 32 * threshold;
  const q = r.count16('qual_commitments', 1, trustees, 2 + commitmentSize);
  const qualCommitments = [];
  for (let i = 0; i < q; i++) {
    qualCommitments.push(r.bytes16(`qual_commitments[${i}]`, commitmentSize, commitmentSize).slice());
  }
  const serviceKey = r.fixed(32, 'service_key').slice();
  const officerKey = r.fixed(32, 'officer_key').slice();
  const pageHash = r.fixed(32, 'page_hash').slice();
  r.finish();
  if (allZero(pageHash)) fail('missing_hash', 'page_hash is unset');
  if (!isValidInstitutionKey(serviceKey)) fail('bad_service_key', 'service_key is not a valid Ed25519 public key');
  if (!isValidInstitutionKey(officerKey)) fail('bad_officer_key', 'officer_key is not a valid Ed25519 public key');
  if (ctEqual(serviceKey, officerKey)) fail('same_service_and_officer_key', 'the service and the officer need different keys');
  const electionId = sha256(bytes);
  return {
    electionId, electionIdHex: hexEncode(electionId), title, kind, description, rosterFingerprint, candidates,
    seats, substitutes, maxMarks, invalidOffered, tieRule: tieRuleByte === 1 ? 'lot' : 'runoff', lotSeedCommitment,
    tokenIssuerName, tokenPublicKey, ceremonyId, trustees, threshold, qualCommitments, serviceKey, officerKey, pageHash,
  };
}

/**
 * What the voting page checks before it trusts an election: the manifest's
 * bytes hash to the expected election id ("election_id_mismatch") and name
 * the roster the letter's fingerprint names ("roster_mismatch").
 */
export function checkManifest(manifest, { electionId, rosterFingerprint }) {
  if (electionId && !ctEqual(manifest.electionId, electionId)) {
    fail('election_id_mismatch', 'the manifest is not the one of this election');
  }
  if (rosterFingerprint && !ctEqual(manifest.rosterFingerprint, rosterFingerprint)) {
    fail('roster_mismatch', 'the election names another roster than the letter');
  }
}
