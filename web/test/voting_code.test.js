import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALPHABET, formatVotingCode, generateVotingCode, parseVotingCode } from '../src/crypto/voting_code.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

const VECTOR = '0123-4567-89AB-CDEF-GHJK-MNJK'; // docs/protocol.md §3.4
const fixtureCodes = () => loadFixture('letters-fixture.json').links.map((l) => /&c=([^&]+)/.exec(l)[1]);

test('the protocol vector code parses and formats to itself', () => {
  const c = parseVotingCode(VECTOR);
  assert.equal(new TextDecoder().decode(c), '0123456789ABCDEFGHJKMNJK');
  assert.equal(formatVotingCode(c), VECTOR);
});

test('parsing is tolerant like VotingCode::parse: spaces, dashes, lower case, O as 0, I and L as 1', () => {
  for (const typed of [
    '0123456789ABCDEFGHJKMNJK',
    '0123 4567 89ab cdef ghjk mnjk',
    '  0123--4567 - 89AB-CDEF-GHJK-MNJK  ',
    'O123-4567-89AB-CDEF-GHJK-MNJK',
    'oI23-4567-89AB-CDEF-GHJK-MNJK',
    '0L23-4567-89AB-CDEF-GHJK-MNJK',
    '0l23-4567-89AB-CDEF-GHJK-MNjk',
    VECTOR + ' '.repeat(100 - VECTOR.length), // exactly 100 bytes
  ]) {
    assert.equal(formatVotingCode(parseVotingCode(typed)), VECTOR, typed);
  }
});

test('a text that is not a code is voting_code_malformed', () => {
  for (const typed of [
    '', '   ', '----',
    '0123-4567-89AB-CDEF-GHJK-MNJ', // 23 symbols
    '0123-4567-89AB-CDEF-GHJK-MNJK0', // 25 symbols
    '0123-4567-89AB-CDEF-GHJK-MNJU', // U is not in the alphabet
    '0123-4567-89AB-CDEF-GHJK-MNJ+',
    '0123-4567-89AB-CDEF-GHJK\tMNJK', // a tab is not a separator
    '0123_4567_89AB_CDEF_GHJK_MNJK',
    '0123-4567-89AB-CDEF-GHJK-MNJÖ', // non-ASCII
    '0123-4567-89AB-CDEF-GHJK-MNJＫ', // full-width K
    VECTOR + ' '.repeat(101 - VECTOR.length), // 101 bytes, even though a valid code
  ]) {
    throwsReason(() => parseVotingCode(typed), 'voting_code_malformed');
  }
  throwsReason(() => parseVotingCode(undefined), 'voting_code_malformed');
});

test('every single substitution of every symbol is caught by the checksum', () => {
  const base = '0123456789ABCDEFGHJKMNJK';
  let caught = 0;
  for (let i = 0; i < 24; i++) {
    for (const s of ALPHABET) {
      if (s === base[i]) continue;
      const typo = base.slice(0, i) + s + base.slice(i + 1);
      throwsReason(() => parseVotingCode(typo), 'voting_code_checksum');
      caught++;
    }
  }
  assert.equal(caught, 24 * 31);
});

test('every swap of two different symbols, adjacent or not, is caught by the checksum', () => {
  for (const code of ['0123456789ABCDEFGHJKMNJK', ...fixtureCodes().map((c) => c.replaceAll('-', ''))]) {
    for (let i = 0; i < 24; i++) {
      for (let j = i + 1; j < 24; j++) {
        if (code[i] === code[j]) continue;
        const a = [...code];
        [a[i], a[j]] = [a[j], a[i]];
        throwsReason(() => parseVotingCode(a.join('')), 'voting_code_checksum');
      }
    }
  }
});

test('codes made by the C++ credential authority parse, and their check symbols are the ones JS computes', () => {
  const codes = fixtureCodes();
  assert.equal(codes.length, 4);
  for (const printed of codes) {
    const c = parseVotingCode(printed);
    assert.equal(formatVotingCode(c), printed);
    const data = [...printed.replaceAll('-', '').slice(0, 22)].map((ch) => ALPHABET.indexOf(ch));
    // Feed the same 22 data symbols (with junk in the high bits, which the
    // generator masks off) and compare the whole code.
    const made = generateVotingCode(() => Uint8Array.from(data, (v, i) => v | ((i * 32) & 0xe0)));
    assert.equal(formatVotingCode(made), printed);
  }
});

test('generated codes always parse back to themselves', () => {
  for (let k = 0; k < 500; k++) {
    const c = generateVotingCode((n) => crypto.getRandomValues(new Uint8Array(n)));
    const printed = formatVotingCode(c);
    assert.match(printed, /^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(formatVotingCode(parseVotingCode(printed.toLowerCase())), printed);
  }
});
