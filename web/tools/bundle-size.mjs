// Bundles every module of src/crypto/ for the browser (esbuild, minified,
// ESM) and prints its size raw and gzip-compressed, per input package, and
// whether the bundle contains eval or new Function (the page's CSP forbids
// them). Usage: cd web && node tools/bundle-size.mjs
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'src', 'crypto');
const entry = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => `export * from './${f}';`).join('\n');
const result = await build({
  stdin: { contents: entry, resolveDir: dir, loader: 'js' },
  bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, metafile: true,
});
const code = result.outputFiles[0].contents;
const byPackage = {};
for (const [file, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  const key = m ? m[1] : 'src/crypto';
  byPackage[key] = (byPackage[key] ?? 0) + info.bytesInOutput;
}
const text = new TextDecoder().decode(code);
console.log(`bundle: ${code.length} bytes minified, ${gzipSync(code, { level: 9 }).length} bytes gzip -9`);
for (const [k, v] of Object.entries(byPackage).sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${v}`);
console.log(`eval or new Function in the bundle: ${/\beval\(|new Function\(/.test(text) ? 'YES' : 'no'}`);
