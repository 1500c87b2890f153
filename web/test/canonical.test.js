import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkManifest, findInstitution, parseRoster, readManifest, rosterFingerprint } from '../src/crypto/canonical.js';
import { parseTokenPublicKey } from '../src/crypto/privacy_pass.js';
import { deriveInstitutionKey, checkListedKey } from '../src/crypto/credential.js';
import { parseVotingLink } from '../src/crypto/voting_link.js';
import { base64urlDecode, concat, hexDecode, hexEncode, lp16, u16be } from '../src/crypto/bytes.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

// Views written by the C++ code: the letters fixture's roster.json
// (`urne letters`) and the demo election's roster.json and manifest.json
// (scripts/demo.sh, copied by test/fixtures/copy-demo-fixture.sh).
const letters = loadFixture('letters-fixture.json');
const demoRoster = loadFixture('demo-roster.json');
const demoManifest = loadFixture('demo-manifest.json');

test('the roster fingerprint of C++-made rosters is the one their views and letters state', () => {
  for (const view of [letters.roster, demoRoster]) {
    const roster = parseRoster(base64urlDecode(view.canonical));
    assert.equal(roster.fingerprintHex, view.fingerprint);
    assert.equal(roster.shortFingerprint, view.short_fingerprint);
    assert.equal(roster.title, view.title);
    assert.equal(hexEncode(roster.credentialContext), view.credential_context);
    assert.deepEqual(
      roster.institutions.map((i) => [i.id, i.name, hexEncode(i.publicKey)]),
      view.institutions.map((i) => [i.id, i.name, i.public_key]),
    );
    assert.equal(hexEncode(rosterFingerprint(base64urlDecode(view.canonical))), view.fingerprint);
  }
});

test('the whole letter check: link -> roster fingerprint -> listed key -> derived key', () => {
  const roster = parseRoster(base64urlDecode(letters.roster.canonical));
  for (const link of letters.links) {
    const v = parseVotingLink(link);
    assert.deepEqual(v.rosterFingerprint, roster.fingerprint);
    assert.deepEqual(v.context, roster.credentialContext);
    checkListedKey(deriveInstitutionKey(v.code, v.context).publicKey, findInstitution(roster, v.institutionId).publicKey);
  }
  throwsReason(() => findInstitution(roster, 'nobody'), 'unknown_institution');
});

test('a roster that is not its one canonical form is refused with the C++ reasons', () => {
  const good = base64urlDecode(letters.roster.canonical);
  const roster = parseRoster(good);
  const ctx = roster.credentialContext;
  const inst = (id, name, key) => concat(lp16(id), lp16(name), key);
  const doc = (title, items, label = 'urne/roster/v1') => concat(lp16(label), lp16(title), ctx, u16be(items.length), ...items);
  const [a, b] = roster.institutions;
  // a.id = "Inst_3.x" < b.id = "einrichtung-01"
  assert.deepEqual(parseRoster(doc('T', [inst(a.id, a.name, a.publicKey)])).institutions.length, 1);
  const cases = [
    [concat(good, Uint8Array.of(0)), 'trailing_bytes'],
    [good.subarray(0, good.length - 1), 'truncated'],
    [doc('T', [inst(a.id, a.name, a.publicKey)], 'urne/roster/v2'), 'wrong_label'],
    [doc('T', [inst(b.id, b.name, b.publicKey), inst(a.id, a.name, a.publicKey)]), 'not_canonical'],
    [doc('T', [inst(a.id, a.name, a.publicKey), inst(a.id, b.name, b.publicKey)]), 'duplicate_institution_id'],
    [doc('T', [inst(a.id, a.name, a.publicKey), inst(b.id, b.name, a.publicKey)]), 'duplicate_institution_key'],
    [doc('T', [inst('a b', a.name, a.publicKey)]), 'institution_id_malformed'],
    [doc('T', [inst(a.id, a.name, new Uint8Array(32))]), 'institution_key_invalid'],
    [doc(' T', [inst(a.id, a.name, a.publicKey)]), 'surrounding_space'],
    [doc('T\u202e', [inst(a.id, a.name, a.publicKey)]), 'forbidden_character'],
    [doc('', [inst(a.id, a.name, a.publicKey)]), 'bad_length'],
    [doc('T', []), 'count_out_of_range'],
    [concat(lp16('urne/roster/v1'), u16be(2), Uint8Array.of(0xc3, 0x28)), 'bad_utf8'],
    [concat(lp16('urne/roster/v1'), lp16('T'), ctx, u16be(500), inst(a.id, a.name, a.publicKey)), 'truncated'],
  ];
  for (const [bytes, reason] of cases) throwsReason(() => parseRoster(bytes), reason);
});

test('the demo manifest hashes to its election id, names its roster, and carries an RFC 9578 token key', async () => {
  const bytes = base64urlDecode(demoManifest.canonical);
  const m = readManifest(bytes);
  assert.equal(m.electionIdHex, demoManifest.election_id);
  assert.equal(hexEncode(m.rosterFingerprint), demoManifest.roster_fingerprint);
  assert.equal(hexEncode(m.rosterFingerprint), demoRoster.fingerprint);
  checkManifest(m, { electionId: hexDecode(demoManifest.election_id), rosterFingerprint: hexDecode(demoRoster.fingerprint) });
  assert.equal(m.title, demoManifest.title);
  assert.equal(m.kind, demoManifest.kind);
  assert.equal(m.description, demoManifest.description);
  assert.deepEqual(m.candidates, demoManifest.candidates.map((c) => ({ name: c.name, affiliation: c.affiliation })));
  assert.equal(m.seats, demoManifest.seats);
  assert.equal(m.substitutes, demoManifest.substitutes);
  assert.equal(m.maxMarks, demoManifest.max_marks);
  assert.equal(m.invalidOffered, demoManifest.invalid_offered);
  assert.equal(m.tieRule, demoManifest.tie_rule);
  assert.equal(m.tokenIssuerName, demoManifest.token_issuer_name);
  assert.equal(m.trustees, demoManifest.trustees);
  assert.equal(m.threshold, demoManifest.threshold);
  assert.equal(hexEncode(m.serviceKey), demoManifest.service_key);
  assert.equal(hexEncode(m.officerKey), demoManifest.officer_key);
  assert.equal(hexEncode(m.pageHash), demoManifest.page_hash);
  assert.equal(hexEncode(m.lotSeedCommitment), demoManifest.lot_seed_commitment);
  assert.equal(hexEncode(m.ceremonyId), demoManifest.ceremony_id);
  assert.deepEqual(m.qualCommitments.map((c) => c.length), demoManifest.dealer_commitments.map(() => 99 + 32 * m.threshold));
  const key = await parseTokenPublicKey(m.tokenPublicKey);
  assert.equal(hexEncode(key.keyId), demoManifest.token_key_id);
});

test('a manifest of another election or roster, or with a changed byte, is refused', () => {
  const bytes = base64urlDecode(demoManifest.canonical);
  const m = readManifest(bytes);
  throwsReason(() => checkManifest(m, { electionId: new Uint8Array(32) }), 'election_id_mismatch');
  throwsReason(() => checkManifest(m, { rosterFingerprint: hexDecode(letters.roster.fingerprint) }), 'roster_mismatch');
  // Any change of a byte changes the id (or is refused outright).
  for (const at of [20, 100, bytes.length - 1]) {
    const changed = bytes.slice();
    changed[at] ^= 1;
    let other;
    try {
      other = readManifest(changed);
    } catch (e) {
      assert.ok(e.reason, 'a named reason');
      continue;
    }
    throwsReason(() => checkManifest(other, { electionId: m.electionId }), 'election_id_mismatch');
  }
  throwsReason(() => readManifest(concat(bytes, Uint8Array.of(0))), 'trailing_bytes');
  throwsReason(() => readManifest(bytes.subarray(0, bytes.length - 1)), 'truncated');
  throwsReason(() => readManifest(base64urlDecode(demoRoster.canonical)), 'wrong_label');
});

test('a manifest whose voting-page hash is all zeros is refused, as the C++ refuses it', () => {
  const bytes = Uint8Array.from(base64urlDecode(demoManifest.canonical));
  bytes.fill(0, bytes.length - 32); // page_hash is the last field
  throwsReason(() => readManifest(bytes), 'missing_hash');
});
