// The voting-page hash (web-spec.md "Voting-page hash", docs/protocol.md):
//   SHA-256( lp16("urne/voting-page/v1") || u32be(count) ||
//            for each file: lp16(path) || SHA-256(content) )
// over every regular file under the directory (no hidden ones: no path
// segment starting with '.'), sorted by the UTF-8 bytes of the relative path
// with '/' separators. urne-server computes the same over its --web-dir and
// the manifest carries it, so a delegate (or auditor) can compare the page
// they were served with the one the election names.
// Usage: node tools/page-hash.mjs [DIR]   (default: dist/)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PAGE_HASH_LABEL = 'urne/voting-page/v1';

function lp16(bytes) {
  if (bytes.length > 0xffff) throw new Error('lp16: longer than 65535 bytes');
  const b = Buffer.alloc(2);
  b.writeUInt16BE(bytes.length);
  return Buffer.concat([b, bytes]);
}

/** Every regular, non-hidden file under `dir` as [{path (with '/'), abs}], sorted by UTF-8 bytes of path. */
export function listFiles(dir) {
  const out = [];
  const walk = (abs, rel) => {
    for (const name of readdirSync(abs)) {
      if (name.startsWith('.')) continue;
      const a = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      // As the server's loader: a name that cannot be hashed the same way
      // everywhere is an error, not skipped.
      if (/[\\\x00-\x1f\x7f]/.test(name) || Buffer.byteLength(r, 'utf8') > 1024) throw new Error(`page-hash: invalid path ${JSON.stringify(r)}`);
      const st = lstatSync(a);
      if (st.isDirectory()) walk(a, r);
      else if (st.isFile()) out.push({ path: r, abs: a });
      // Symlinks and other special files are not part of the page.
    }
  };
  walk(dir, '');
  out.sort((x, y) => Buffer.compare(Buffer.from(x.path, 'utf8'), Buffer.from(y.path, 'utf8')));
  return out;
}

/** The hash over `files` = [{path, content: Uint8Array}] (already sorted), as a 32-byte Buffer. */
export function pageHashOf(files) {
  const h = createHash('sha256');
  h.update(lp16(Buffer.from(PAGE_HASH_LABEL, 'utf8')));
  const n = Buffer.alloc(4);
  n.writeUInt32BE(files.length);
  h.update(n);
  for (const f of files) {
    h.update(lp16(Buffer.from(f.path, 'utf8')));
    h.update(createHash('sha256').update(f.content).digest());
  }
  return h.digest();
}

/** The voting-page hash of directory `dir`, as lower-case hex. */
export function pageHash(dir) {
  const files = listFiles(dir).map((f) => ({ path: f.path, content: readFileSync(f.abs) }));
  return pageHashOf(files).toString('hex');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
  console.log(pageHash(dir));
}
