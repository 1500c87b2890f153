// tools/page-hash.mjs: the voting-page hash, against the known answers of
// tests/server/web_assets_test.cpp (computed independently with Python), with
// the same hidden files and symlinks that must be left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pageHash, pageHashOf, listFiles } from '../tools/page-hash.mjs';

const KAT = 'b858b18ca07a3d700279ee4c7d57551ee143a0dc4ed3aa6fca8fb5739fe54f09';
const KAT_EMPTY = '6c1c4eef1404d7d5601154d6b2b91f7694c0c8ce92b9d7344f2abb0300533d96';

function webDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'urne-page-hash-'));
  const web = path.join(dir, 'web');
  const put = (rel, text) => {
    mkdirSync(path.dirname(path.join(web, rel)), { recursive: true });
    writeFileSync(path.join(web, rel), text);
  };
  put('index.html', '<!doctype html><title>urne</title>\n');
  put('vote/index.html', '<!doctype html><title>vote</title>\n');
  put('assets/vote.js', 'console.log(1);\n');
  put('assets/style.css', 'body{margin:0}\n');
  put('i18n/de/common.json', '{"title":"Wahl"}\n');
  put('.env', 'SECRET=1');
  put('.git/config', '[core]');
  put('assets/.cache/x.js', 'hidden dir');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  mkdirSync(path.join(dir, 'outside'));
  writeFileSync(path.join(dir, 'outside', 'leak.html'), 'outside too');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(web, 'leak.txt'));
  symlinkSync(path.join(dir, 'outside'), path.join(web, 'up'));
  symlinkSync(path.join(web, 'index.html'), path.join(web, 'alias.html'));
  return { dir, web };
}

test('the page hash is the C++ known answer, without hidden files and symlinks', () => {
  const { dir, web } = webDir();
  try {
    assert.deepEqual(listFiles(web).map((f) => f.path), ['assets/style.css', 'assets/vote.js', 'i18n/de/common.json', 'index.html', 'vote/index.html']);
    assert.equal(pageHash(web), KAT);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('the empty page has its own known hash', () => {
  assert.equal(pageHashOf([]).toString('hex'), KAT_EMPTY);
});

test('changing one byte of one file changes the hash', () => {
  const { dir, web } = webDir();
  try {
    writeFileSync(path.join(web, 'assets', 'vote.js'), 'console.log(2);\n');
    assert.notEqual(pageHash(web), KAT);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a file name with a control character or backslash is an error, not skipped', () => {
  const { dir, web } = webDir();
  try {
    writeFileSync(path.join(web, 'bad\\name.js'), 'x');
    assert.throws(() => pageHash(web), /invalid path/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
