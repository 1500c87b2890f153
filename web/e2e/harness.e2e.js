// The harness itself and the server's side of the pages: the election made
// by the CLI is served, the built pages are served byte for byte under the
// strict CSP, and the page hash in the manifest is the hash of web/dist
// (recomputed here independently of tools/page-hash.mjs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startElection, httpsRequest, WEB_DIR, newContext, cspViolations, missingFiles } from './harness.js';

let election;
before(async () => { election = await startElection({ name: 'harness', institutions: 3 }); });
after(async () => { await election?.stop(); });

function lp16(bytes) {
  const b = Buffer.from(bytes);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** voting_page_sha256 of web-spec.md, from the files of WEB_DIR. */
function pageHash(dir) {
  const files = [];
  const walk = (rel) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      if (name.startsWith('.')) continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) files.push(r);
    }
  };
  walk('');
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const h = createHash('sha256');
  h.update(lp16('urne/voting-page/v1'));
  const count = Buffer.alloc(4);
  count.writeUInt32BE(files.length);
  h.update(count);
  for (const f of files) {
    h.update(lp16(f));
    h.update(createHash('sha256').update(readFileSync(path.join(dir, f))).digest());
  }
  return h.digest('hex');
}

test('the service and the published election are served over the pinned TLS connection', async () => {
  const service = await election.api('/api/v1/service');
  assert.equal(service.role, 'both');
  assert.match(service.service_key, /^[0-9a-f]{64}$/);
  const view = await election.api(`/api/v1/elections/${election.electionId}`);
  assert.equal(view.state, 'published');
  assert.equal(view.manifest.election_id, election.electionId);
  assert.deepEqual(view.manifest.candidates.map((c) => c.name), election.config.candidates.map((c) => c.name));
  assert.equal(election.links.length, 3);
  assert.match(election.officerCode ?? '', /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/, 'urne officer keygen --code-out wrote the officer code');
});

test('the manifest carries the hash of the served pages, which is the hash of web/dist', async () => {
  const expected = pageHash(WEB_DIR);
  const service = await election.api('/api/v1/service');
  assert.equal(service.voting_page_sha256, expected, 'GET /api/v1/service voting_page_sha256');
  const view = await election.api(`/api/v1/elections/${election.electionId}`);
  assert.equal(view.manifest.page_hash, expected, 'manifest page_hash');
});

test('the voting page is served byte for byte with the strict security headers', async () => {
  const r = await httpsRequest(election.url, election.fingerprint, 'GET', '/vote/');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, readFileSync(path.join(WEB_DIR, 'vote', 'index.html')));
  const csp = r.headers['content-security-policy'] ?? '';
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
  }
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['referrer-policy'], 'no-referrer');
  const missing = await httpsRequest(election.url, election.fingerprint, 'GET', '/assets/no-such-file.js');
  assert.equal(missing.status, 404);
});

test('Chromium loads every page over the pinned certificate without breaking the CSP', async () => {
  const browser = await election.launchBrowser();
  try {
    // A context without ignoreHTTPSErrors: only the SPKI pin lets it in.
    const ctx = await newContext(browser, { ignoreHTTPSErrors: false });
    const page = await ctx.newPage();
    for (const p of ['/', '/vote', '/officer', `/projector?e=${election.electionId}`, `/results?e=${election.electionId}`]) {
      const resp = await page.goto(`${election.url}${p}`, { waitUntil: 'load' });
      assert.equal(resp.status(), 200, p);
      await page.waitForTimeout(500); // let the page's scripts run and fetch
    }
    assert.deepEqual(cspViolations(ctx.problems), []);
    assert.deepEqual(missingFiles(ctx.problems), [], 'every file a page asked for exists');
    await ctx.close();
  } finally {
    await browser.close();
  }
});
