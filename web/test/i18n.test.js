// The translation files: every key of German (authoritative) exists in every
// language, no language has keys German lacks, the {placeholders} agree, and
// no text is empty. Covers every file group present under i18n/de/ (common,
// vote, officer, results, …). Also the pure parts of src/app/i18n.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, chooseLanguage, format } from '../src/app/i18n.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'i18n');
const load = (lang, file) => JSON.parse(readFileSync(path.join(dir, lang, file), 'utf8'));
const placeholders = (s) => [...s.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]).sort();
const groups = readdirSync(path.join(dir, 'de')).filter((f) => f.endsWith('.json')).sort();

test('the German files include the common and vote groups', () => {
  assert.ok(groups.includes('common.json'));
  assert.ok(groups.includes('vote.json'));
});

test('every language of LANGUAGES has a directory and nothing else does', () => {
  const dirs = readdirSync(dir).sort();
  assert.deepEqual(dirs, LANGUAGES.map((l) => l.code).sort());
});

for (const file of groups) {
  const de = load('de', file);
  test(`${file}: German texts are non-empty strings`, () => {
    for (const [k, v] of Object.entries(de)) {
      assert.equal(typeof v, 'string', k);
      assert.ok(v.trim().length > 0, `${k} is empty`);
    }
  });
  for (const { code } of LANGUAGES.filter((l) => l.code !== 'de')) {
    test(`${file}: ${code} has exactly the German keys with the same placeholders`, () => {
      const other = load(code, file);
      const missing = Object.keys(de).filter((k) => !Object.hasOwn(other, k));
      const extra = Object.keys(other).filter((k) => !Object.hasOwn(de, k));
      assert.deepEqual(missing, [], `${code}/${file} lacks keys`);
      assert.deepEqual(extra, [], `${code}/${file} has keys German lacks`);
      for (const [k, v] of Object.entries(other)) {
        assert.equal(typeof v, 'string', `${code}/${file} ${k}`);
        assert.ok(v.trim().length > 0, `${code}/${file} ${k} is empty`);
        assert.deepEqual(placeholders(v), placeholders(de[k]), `${code}/${file} ${k}: placeholders differ`);
      }
    });
  }
}

test('chooseLanguage prefers the stored choice, then the browser languages, then German', () => {
  assert.equal(chooseLanguage('ar', ['en-US']), 'ar');
  assert.equal(chooseLanguage(null, ['fr-FR', 'uk-UA', 'en']), 'uk');
  assert.equal(chooseLanguage('xx', ['fr']), 'de');
  assert.equal(chooseLanguage(null, []), 'de');
});

test('format fills placeholders and leaves unknown ones visible', () => {
  assert.equal(format('{n} von {max} Stimmen', { n: 2, max: 7 }), '2 von 7 Stimmen');
  assert.equal(format('Hallo {name}', {}), 'Hallo {name}');
  assert.equal(format('ohne', undefined), 'ohne');
});

test('Arabic is the right-to-left language and only German and English count as reviewed', () => {
  assert.deepEqual(LANGUAGES.filter((l) => l.dir === 'rtl').map((l) => l.code), ['ar']);
  assert.deepEqual(LANGUAGES.filter((l) => l.reviewed).map((l) => l.code), ['de', 'en']);
});
