// The manifest's canonical bytes from its fields (the encoder of
// ballot/manifest.cpp), the inverse of canonical.js readManifest, and the
// lot seed commitment of ballot/counting.cpp. The officer's page uses them
// to show what it is about to publish and to compute a lot seed's
// commitment in the browser; the C++ (Manifest::parse_canonical) stays the
// judge of every field when the server receives it.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, expectBytes, lp16, u16be, u32be, u8, utf8 } from './bytes.js';
import { MANIFEST_LABEL, readManifest } from './canonical.js';

const LOT_SEED_LABEL = 'urne/lot-seed/v1';

/** SHA-256(lp16("urne/lot-seed/v1") || seed[32]) (protocol.md §9.2). */
export function lotSeedCommitment(seed32) {
  expectBytes(seed32, 32, 'bad_length', 'a lot seed');
  return sha256(concat(lp16(utf8(LOT_SEED_LABEL)), seed32));
}

const text16 = (s) => lp16(utf8(s));
const optional = (s) => (s === null || s === undefined ? u8(0) : concat(u8(1), text16(s)));

/**
 * Canonical bytes of a manifest from fields shaped as readManifest returns
 * them (title, kind|null, description|null, rosterFingerprint, candidates
 * [{name, affiliation}], seats, substitutes, maxMarks, invalidOffered,
 * tieRule 'lot'|'runoff', lotSeedCommitment, tokenIssuerName,
 * tokenPublicKey, ceremonyId, trustees, threshold, qualCommitments [bytes],
 * serviceKey, officerKey, pageHash). The result is read back with
 * readManifest, so fields it refuses are refused here with its reasons;
 * readManifest(encodeManifest(m)) deep-equals m.
 */
export function encodeManifest(f) {
  if (f.tieRule !== 'lot' && f.tieRule !== 'runoff') throw new TypeError("tieRule is 'lot' or 'runoff'");
  const parts = [
    text16(MANIFEST_LABEL), text16(f.title), optional(f.kind), optional(f.description),
    expectBytes(f.rosterFingerprint, 32, 'bad_length', 'roster_fingerprint'), u16be(f.candidates.length),
  ];
  for (const c of f.candidates) parts.push(text16(c.name), text16(c.affiliation));
  parts.push(
    u32be(f.seats), u32be(f.substitutes), u32be(f.maxMarks), u8(f.invalidOffered ? 1 : 0), u8(f.tieRule === 'lot' ? 1 : 2),
    expectBytes(f.lotSeedCommitment, 32, 'bad_length', 'lot_seed_commitment'), text16(f.tokenIssuerName), lp16(f.tokenPublicKey),
    expectBytes(f.ceremonyId, 32, 'bad_length', 'ceremony_id'), u8(f.trustees), u8(f.threshold), u16be(f.qualCommitments.length),
  );
  for (const c of f.qualCommitments) parts.push(lp16(c));
  parts.push(
    expectBytes(f.serviceKey, 32, 'bad_length', 'service_key'), expectBytes(f.officerKey, 32, 'bad_length', 'officer_key'),
    expectBytes(f.pageHash, 32, 'bad_length', 'page_hash'),
  );
  const bytes = concat(...parts);
  readManifest(bytes); // the writer never emits what the reader refuses
  return bytes;
}
