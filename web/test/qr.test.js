// src/app/qr.js: the QR matrix of a token backup (drawing needs a DOM; the
// matrix and path are pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qrMatrix, qrPath } from '../src/app/qr.js';

const finder = (m, r0, c0) => {
  // A finder pattern: 7x7 dark ring, light ring, 3x3 dark centre.
  for (let r = 0; r < 7; r++) {
    for (let c = 0; c < 7; c++) {
      const ring = r === 0 || r === 6 || c === 0 || c === 6;
      const centre = r >= 2 && r <= 4 && c >= 2 && c <= 4;
      if (m.dark(r0 + r, c0 + c) !== (ring || centre)) return false;
    }
  }
  return true;
};

test('a token backup file fits a QR code with the three finder patterns in place', () => {
  const text = JSON.stringify({ format: 'urne-token/v1', election_id: 'ab'.repeat(32), token: 'A'.repeat(472) });
  const m = qrMatrix(text);
  assert.ok(m.size >= 21 && m.size <= 177 && (m.size - 17) % 4 === 0, `size ${m.size}`);
  assert.ok(finder(m, 0, 0) && finder(m, 0, m.size - 7) && finder(m, m.size - 7, 0));
});

test('the path has one square per dark module, offset by the quiet zone', () => {
  const m = qrMatrix('urne');
  let dark = 0;
  for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) dark += m.dark(r, c) ? 1 : 0;
  const d = qrPath(m);
  assert.equal((d.match(/M/g) || []).length, dark);
  assert.ok(d.startsWith('M4 4h1v1h-1z'));
});

test('different texts give different codes', () => {
  const a = qrMatrix('urne-token A'), b = qrMatrix('urne-token B');
  assert.notEqual(qrPath(a), qrPath(b));
});

test('text too long for any QR version is refused, not truncated', () => {
  assert.throws(() => qrMatrix('x'.repeat(4000)));
});
