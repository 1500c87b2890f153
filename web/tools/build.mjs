// Builds web/dist/ (what urne-server serves): esbuild bundles each
// src/pages/*.js to dist/assets/<name>.js (ESM, minified, es2020, no source
// maps, deterministic: same sources -> same bytes -> same page hash), copies
// pages/** (pages/style.css -> assets/style.css) and i18n/**, refuses a
// bundle containing eval / new Function (the CSP forbids them), and prints
// each bundle's gzip size and the voting-page hash.
// Usage: cd web && node tools/build.mjs   (or npm run build)
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageHash, listFiles } from './page-hash.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pagesSrc = path.join(root, 'src', 'pages');

rmSync(dist, { recursive: true, force: true });
mkdirSync(path.join(dist, 'assets'), { recursive: true });

const entries = existsSync(pagesSrc)
  ? readdirSync(pagesSrc).filter((f) => f.endsWith('.js') && !f.startsWith('.')).sort()
  : [];
if (entries.length) {
  await build({
    entryPoints: entries.map((f) => path.join(pagesSrc, f)),
    outdir: path.join(dist, 'assets'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    splitting: false,
    sourcemap: false,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'warning',
  });
}

// Static sources: pages/style.css is served as /assets/style.css, the rest
// keeps its place (pages/vote/index.html -> /vote/index.html).
const pagesDir = path.join(root, 'pages');
for (const f of listFiles(pagesDir)) {
  const target = f.path === 'style.css' ? path.join(dist, 'assets', 'style.css') : path.join(dist, f.path);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(f.abs, target);
}
const i18nDir = path.join(root, 'i18n');
for (const f of listFiles(i18nDir)) {
  // Re-serialize: a syntax error in a translation fails the build, not the page.
  const text = readFileSync(f.abs, 'utf8');
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`i18n/${f.path}: not valid JSON: ${e.message}`);
  }
  const target = path.join(dist, 'i18n', f.path);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, JSON.stringify(parsed));
}

let bad = false;
let total = 0;
for (const f of listFiles(path.join(dist, 'assets'))) {
  const bytes = readFileSync(f.abs);
  const gz = gzipSync(bytes, { level: 9 }).length;
  if (f.path.endsWith('.js')) {
    total += gz;
    if (/\beval\(|new Function\(/.test(bytes.toString('utf8'))) {
      console.error(`build: ${f.path} contains eval or new Function (forbidden by the CSP)`);
      bad = true;
    }
  }
  console.log(`assets/${f.path}: ${bytes.length} bytes, ${gz} bytes gzip -9`);
}
console.log(`JavaScript total: ${total} bytes gzip -9`);
if (bad) process.exit(1);
console.log(`voting_page_sha256: ${pageHash(dist)}`);
