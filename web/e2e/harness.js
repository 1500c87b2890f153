// The end-to-end harness: a fresh election on loopback, made with the real
// `urne` CLI exactly as scripts/demo.sh does it, served by the real
// urne-server with the built pages (web/dist), and Debian's Chromium driven
// by playwright-core. Nothing here is a stub: every number a test compares is
// produced by the C++ service and the pages' own JavaScript.
//
// Binaries are not built here (the caller builds them): URNE_SERVER_BINARY,
// URNE_CLI_BINARY, URNE_WEB_DIR and URNE_CHROMIUM override the defaults.
// URNE_E2E_KEEP=1 keeps the temporary directories for a post-mortem.

import { after, before } from 'node:test';
import { execFile, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root (web/e2e/../..). */
export const REPO = path.resolve(here, '..', '..');
/** urne-server used by the tests (env URNE_SERVER_BINARY overrides). */
export const SERVER_BINARY = process.env.URNE_SERVER_BINARY || path.join(REPO, 'build/server/urne-server');
/** urne CLI used by the tests (env URNE_CLI_BINARY overrides). */
export const CLI_BINARY = process.env.URNE_CLI_BINARY || path.join(REPO, 'build/cli/urne');
/** The built pages the server serves (env URNE_WEB_DIR overrides). */
export const WEB_DIR = process.env.URNE_WEB_DIR || path.join(REPO, 'web/dist');
/** Debian's Chromium (env URNE_CHROMIUM overrides). */
export const CHROMIUM = process.env.URNE_CHROMIUM || '/usr/bin/chromium';
/** Screenshots, downloads and server logs of a run (gitignored). */
export const ARTIFACTS = path.join(REPO, 'web/e2e-artifacts');

/** Languages of the pages (web-spec.md); `ar` is right to left. */
export const LANGS = ['de', 'en', 'ru', 'uk', 'ar', 'tr'];
/** The two widths every page is photographed at. */
export const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
];

// Waits are generous (a shared 2-core machine, argon2, 4x CPU throttling)
// but bounded: a test that hangs is a failing test with a reason.
/** Default wait for a page state, ms. */
export const WAIT = 30_000;
/** Wait for the in-browser board verification, ms. */
export const WAIT_LONG = 180_000;

/** The election of the whole-election test: small, no tie that matters. */
export const SMALL_ELECTION = {
  title: 'Wahl des Sprecherrats (E2E)',
  kind: 'Wahl',
  description: 'Zwei Sprecher*innen und eine Nachrückende; bis zu 3 Stimmen.',
  seats: 2,
  substitutes: 1,
  max_marks: 3,
  invalid_offered: true,
  tie_rule: 'lot',
  candidates: [
    { name: 'Amira Haddad', affiliation: 'Beratungsstelle 01' },
    { name: 'Bernd Krüger', affiliation: 'Verein 02' },
    { name: 'Chiara Russo', affiliation: 'Initiative 03' },
    { name: 'Dmytro Kovalenko', affiliation: 'Sprachschule 04' },
    { name: 'Elif Yılmaz', affiliation: '' },
  ],
};

/** The demo's election: 12 candidates, 7 seats, up to 7 marks (performance). */
export const DEMO_ELECTION = {
  title: 'Wahl des Sprecherrats 2026',
  kind: 'Wahl',
  description: 'Sieben Sprecherinnen und Sprecher und zwei Nachrückende; bis zu 7 Stimmen.',
  seats: 7,
  substitutes: 2,
  max_marks: 7,
  invalid_offered: true,
  tie_rule: 'lot',
  candidates: [
    'Amira Haddad', 'Bernd Krüger', 'Chiara Russo', 'Dmytro Kovalenko', 'Elif Yılmaz',
    'Frieda Lange', 'Goran Petrović', 'Hanna Schulz', 'Ibrahim Diallo', 'Jana Novak',
    'Karim Mansour', 'Lena Vogel',
  ].map((name, i) => ({ name, affiliation: `Einrichtung ${String(i + 1).padStart(2, '0')}` })),
};

const live = new Set(); // running server processes, killed on any exit
const dirs = new Set(); // temporary directories not yet removed

function killAll() {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
  // A crashed or interrupted test file leaves no election behind either.
  if (process.env.URNE_E2E_KEEP !== '1') {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  dirs.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { killAll(); process.exit(130); });
}

/**
 * Runs the urne CLI. Resolves {code, stdout, stderr}; rejects with the
 * output when the exit code is non-zero (unless allowFail) or after timeoutMs.
 */
export function runUrne(args, { env = {}, allowFail = false, timeoutMs = 120_000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    execFile(CLI_BINARY, args, {
      env: { ...process.env, ...env },
      cwd,
      timeout: timeoutMs,
      maxBuffer: 16 << 20,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (code !== 0 && !allowFail) {
        reject(new Error(`urne ${args.join(' ')} exited ${code}${err?.killed ? ' (timed out)' : ''}:\n${stdout}\n${stderr}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

function checkPrerequisites() {
  for (const [what, file] of [['urne-server', SERVER_BINARY], ['urne', CLI_BINARY], ['chromium', CHROMIUM]]) {
    if (!existsSync(file)) throw new Error(`${what} not found at ${file} (build it first, or set the env override)`);
  }
  if (!existsSync(path.join(WEB_DIR, 'vote', 'index.html'))) {
    throw new Error(`${WEB_DIR}/vote/index.html missing: run \`node web/tools/build.mjs\` first`);
  }
}

/** Polls fn() until it returns a truthy value; after timeoutMs throws, saying `what` (a string or a function giving one). */
export async function waitUntil(fn, what, timeoutMs = WAIT, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) {
      const said = typeof what === 'function' ? await Promise.resolve().then(what).catch((e) => `(${e.message})`) : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${said}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function startServer(dir, officerPub) {
  const out = path.join(dir, 'server.out');
  const log = path.join(dir, 'server.log');
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_BINARY, [
      '--data-dir', path.join(dir, 'server-data'),
      '--listen', '127.0.0.1:0', // the kernel picks a free port
      '--web-dir', WEB_DIR,
      '--officer-key', officerPub,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`urne-server did not say "listening on" within 20 s:\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening on (https:\/\/[^ ]+) \(certificate SHA-256 ([0-9A-F:]{95})/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], fingerprint: m[2], logs: () => ({ stdout, stderr }) });
      }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code, signal) => {
      live.delete(child);
      clearTimeout(timer);
      writeFile(out, stdout).catch(() => {});
      writeFile(log, stderr).catch(() => {});
      reject(new Error(`urne-server exited (${code ?? signal}) before listening:\n${stdout}\n${stderr}`));
    });
  });
}

/**
 * GET/POST on the service over TLS pinned to the certificate fingerprint the
 * server printed (the self-signed loopback certificate, nothing else).
 * Resolves {status, headers, body: Buffer}.
 */
export function httpsRequest(baseUrl, fingerprint, method, pathname, body) {
  const url = new URL(pathname, baseUrl);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      rejectUnauthorized: false, // replaced by the fingerprint check below
      agent: false, // a fresh handshake each time, so the certificate is always there to check
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      timeout: 30_000,
    }, (res) => {
      const got = res.socket.getPeerCertificate().fingerprint256;
      if (got !== fingerprint) {
        res.destroy();
        reject(new Error(`certificate fingerprint ${got} is not the server's ${fingerprint}`));
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname} timed out`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function spkiBase64(certPem) {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function peerCertificatePem(baseUrl) {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, path: '/', method: 'HEAD', rejectUnauthorized: false }, (res) => {
      const raw = res.socket.getPeerCertificate().raw;
      res.resume();
      resolve(`-----BEGIN CERTIFICATE-----\n${raw.toString('base64')}\n-----END CERTIFICATE-----\n`);
    });
    req.on('error', reject);
    req.end();
  });
}

function parseLinks(lettersHtml) {
  const links = [];
  const re = /class="voting-link"[^>]*href="([^"]*)"/g;
  for (let m; (m = re.exec(lettersHtml));) {
    const url = m[1].replace(/&amp;/g, '&');
    const fragment = new URLSearchParams(new URL(url).hash.slice(1));
    links.push({ url, institution: fragment.get('i'), code: fragment.get('c'), rosterFingerprint: fragment.get('r') });
  }
  return links;
}

/**
 * One election on a fresh urne-server: roster of `institutions` letters
 * (`--no-pdf`), a 2-of-3 trustee ceremony (`--kdf interactive`), the officer
 * key with its code (`--code-out`), the election created and published.
 * Resolves an Election (see the class); call `stop()` in an `after` hook.
 */
export async function startElection({ name = 'election', institutions = 6, config = SMALL_ELECTION, publish = true } = {}) {
  checkPrerequisites();
  const dir = await mkdtemp(path.join(tmpdir(), `urne-e2e-${name}-`));
  dirs.add(dir);
  const election = new Election(name, dir);
  try {
    await election.setUp({ institutions, config, publish });
  } catch (e) {
    await election.stop();
    throw e;
  }
  return election;
}

/** A running election: server, files, and the CLI helpers around them. */
export class Election {
  constructor(name, dir) {
    this.name = name;
    /** The temporary directory with every file of the election. */
    this.dir = dir;
    this.server = null;
  }

  async setUp({ institutions, config, publish }) {
    const d = this.dir;
    this.officerKeyFile = path.join(d, 'officer.key');
    this.officerCodeFile = path.join(d, 'officer.code');
    const keygen = ['officer', 'keygen', '--out', this.officerKeyFile, '--code-out', this.officerCodeFile];
    const officerPub = (await runUrne(keygen)).stdout.trim().split(/\s+/).pop();
    if (!/^[0-9a-f]{64}$/.test(officerPub)) throw new Error(`urne officer keygen printed no public key: ${officerPub}`);
    /** The officer code the dashboard signs in with (`keygen --code-out`). */
    this.officerCode = (await readFile(this.officerCodeFile, 'utf8')).trim();

    this.server = await startServer(d, officerPub);
    /** https://127.0.0.1:PORT */
    this.url = this.server.url;
    this.fingerprint = this.server.fingerprint;
    /** base64 SHA-256 of the server certificate's SPKI, for Chromium's pin. */
    this.spki = spkiBase64(await peerCertificatePem(this.url));

    const csv = ['id,name,contact'];
    for (let i = 1; i <= institutions; i++) {
      const id = `einrichtung-${String(i).padStart(2, '0')}`;
      csv.push(`${id},"Einrichtung ${i}, Schwerin",Delegierte*r ${i}`);
    }
    await writeFile(path.join(d, 'roster.csv'), `${csv.join('\n')}\n`);
    await this.urne(['letters', '--roster-csv', path.join(d, 'roster.csv'), '--title', 'Versammlung (E2E)',
      '--vote-url', `${this.url}/vote`, '--out', path.join(d, 'letters'), '--no-pdf']);
    /** The letters' voting links: [{url, institution, code, rosterFingerprint}]. */
    this.links = parseLinks(await readFile(path.join(d, 'letters', 'letters.html'), 'utf8'));
    if (this.links.length !== institutions) throw new Error(`expected ${institutions} letters, found ${this.links.length}`);

    const cer = path.join(d, 'ceremony');
    await this.urne(['trustee', 'ceremony', 'new', '--dir', cer, '--trustees', '3', '--threshold', '2']);
    /** [{index, share, passphraseFile}] of the three trustees. */
    this.trustees = [];
    for (const j of [1, 2, 3]) {
      const tdir = path.join(d, `trustee-${j}`);
      await mkdir(tdir);
      const passphraseFile = path.join(tdir, 'passphrase');
      await writeFile(passphraseFile, `E2E-Passphrase von Treuhänder*in ${j}\n`, { mode: 0o600 });
      this.trustees.push({ index: j, dir: tdir, passphraseFile, share: path.join(tdir, 'share') });
    }
    const round = (t, r, extra = []) => this.urne(['trustee', 'ceremony', r, '--dir', cer,
      '--state', path.join(t.dir, 'state'), '--passphrase-file', t.passphraseFile, ...extra]);
    for (const t of this.trustees) await round(t, 'begin', ['--index', String(t.index), '--kdf', 'interactive']);
    for (const t of this.trustees) await round(t, 'deal');
    for (const t of this.trustees) await round(t, 'check');
    for (const t of this.trustees) await round(t, 'finish', ['--share', t.share]);

    /** The election config (title, candidates, …). */
    this.config = config;
    await writeFile(path.join(d, 'election.json'), JSON.stringify(config, null, 2));
    const created = await this.urne(['officer', 'election', 'create', '--key', this.officerKeyFile,
      '--config', path.join(d, 'election.json'), '--roster', path.join(d, 'letters', 'roster.json'),
      '--ceremony', cer, '--out', path.join(d, 'election')]);
    const m = /election id: +([0-9a-f]{64})/.exec(created.stdout + created.stderr);
    if (!m) throw new Error(`no election id in:\n${created.stdout}`);
    /** The election id, 64 hex digits. */
    this.electionId = m[1];
    /** The secret lot-seed file the officer reveals at the close. */
    this.lotSeedFile = path.join(d, 'election', 'lot-seed');
    if (publish) await this.officer('publish');
  }

  /** Environment for CLI calls against this election's server. */
  get env() {
    return { URNE_SERVER: this.url, URNE_FINGERPRINT: this.fingerprint, URNE_ELECTION: this.electionId ?? '' };
  }

  /** Runs `urne ARGS` against this server and election (see runUrne). */
  urne(args, opts = {}) {
    return runUrne(args, { ...opts, env: { ...this.env, ...(opts.env ?? {}) } });
  }

  /** `urne officer VERB --key OFFICER_KEY [extra]`. */
  officer(verb, extra = []) {
    return this.urne(['officer', verb, '--key', this.officerKeyFile, ...extra]);
  }

  /** GET a JSON API path on the server (TLS pinned). */
  async api(pathname) {
    const r = await httpsRequest(this.url, this.fingerprint, 'GET', pathname);
    if (r.status !== 200) throw new Error(`GET ${pathname}: ${r.status} ${r.body.toString().slice(0, 300)}`);
    return JSON.parse(r.body.toString('utf8'));
  }

  /** {state, sequence, institutions, tokens_issued, ballots_cast}. */
  turnout() { return this.api(`/api/v1/elections/${this.electionId}/turnout`); }

  /** The election's current state name. */
  async state() { return (await this.api(`/api/v1/elections/${this.electionId}`)).state; }

  /** Waits until the server reports `state`. */
  waitForState(state, timeoutMs = WAIT) {
    return waitUntil(async () => (await this.state()) === state, `state ${state}`, timeoutMs);
  }

  /** Voting link `i` with the roster fingerprint replaced (one hex digit flipped). */
  tamperedLink(i) {
    const link = this.links[i];
    const r = link.rosterFingerprint;
    const flipped = (r[0] === '0' ? '1' : '0') + r.slice(1);
    return link.url.replace(`r=${r}`, `r=${flipped}`);
  }

  /** `urne trustee decrypt` for the given trustees (1-based). */
  async decrypt(trustees = [1, 3]) {
    for (const j of trustees) {
      const t = this.trustees[j - 1];
      await this.urne(['trustee', 'decrypt', '--share', t.share, '--passphrase-file', t.passphraseFile]);
    }
  }

  /**
   * Runs the rest of an election with the CLI (for tests that need a
   * published result and don't test the dashboard): check-in and cast of the
   * given ballots (list of CLI flag arrays, e.g. ['--mark','1'] — CLI marks
   * count from 1), open, close, decrypt, count, publish-result.
   */
  async finishWithCli(ballots, { firstLink = 0 } = {}) {
    const state = await this.state();
    if (state === 'published') {
      for (let i = 0; i < ballots.length; i++) await this.cliCheckin(firstLink + i);
      await this.officer('open');
    }
    for (let i = 0; i < ballots.length; i++) {
      const dd = path.join(this.dir, 'cli-delegates', String(firstLink + i));
      if (!existsSync(path.join(dd, 'token'))) await this.cliCheckin(firstLink + i);
      await this.urne(['vote', 'cast', '--token', path.join(dd, 'token'), ...ballots[i], '--receipt-out', path.join(dd, 'receipt')]);
    }
    await this.officer('close', ['--lot-seed', this.lotSeedFile]);
    await this.decrypt([1, 3]);
    await this.officer('count');
    await this.officer('publish-result');
  }

  /** `urne vote checkin` of letter `i` into DIR/cli-delegates/i/token. */
  async cliCheckin(i) {
    const dd = path.join(this.dir, 'cli-delegates', String(i));
    await mkdir(dd, { recursive: true });
    await this.urne(['vote', 'checkin', '--link', this.links[i].url, '--token-out', path.join(dd, 'token')]);
  }

  /** Kills the server (keeping its log in the artifacts) and removes the directory. */
  async stop() {
    if (this.server) {
      const { child, logs } = this.server;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      live.delete(child);
      await mkdir(ARTIFACTS, { recursive: true });
      const { stdout, stderr } = logs();
      await writeFile(path.join(ARTIFACTS, `${this.name}-server.log`), `${stdout}\n${stderr}`);
      this.server = null;
    }
    if (process.env.URNE_E2E_KEEP === '1') {
      console.log(`# kept ${this.dir}`);
      return;
    }
    await rm(this.dir, { recursive: true, force: true });
    dirs.delete(this.dir);
  }

  // ---- the browser side ----

  /** Headless Chromium that trusts exactly this server's certificate key. */
  async launchBrowser() {
    return launchBrowser(this.spki);
  }
}

/**
 * Headless Debian Chromium. The server's certificate is self-signed on
 * loopback: with `spki` Chromium accepts exactly that key
 * (--ignore-certificate-errors-spki-list), and the contexts also set
 * ignoreHTTPSErrors (see newContext) only as the documented fallback.
 */
export async function launchBrowser(spki) {
  const args = ['--no-first-run', '--disable-gpu', '--disable-dev-shm-usage'];
  if (spki) args.push(`--ignore-certificate-errors-spki-list=${spki}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 60_000 });
}

/**
 * A fresh browser context (its own storage: one delegate's device).
 * Collects console errors, page errors and CSP violations in `ctx.problems`.
 */
export async function newContext(browser, { viewport = VIEWPORTS[1], locale = 'de-DE', downloadsDir, ...rest } = {}) {
  const ctx = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    locale,
    ignoreHTTPSErrors: true, // self-signed loopback certificate (see launchBrowser)
    acceptDownloads: true,
    ...rest,
  });
  ctx.setDefaultTimeout(WAIT);
  ctx.problems = [];
  ctx.on('page', (page) => watchPage(page, ctx.problems));
  return ctx;
}

/**
 * The hooks every browser test file needs: before its tests an election of
 * its own (startElection options; `open: true` opens the ballot box at once)
 * and a browser, after them every context, the browser and the server
 * closed. Returns { election, browser, context(opts) } (the first two are
 * set once the before hook has run; context() makes a context that is
 * closed afterwards).
 */
export function electionSuite({ open = false, ...options }) {
  const suite = {
    election: null,
    browser: null,
    contexts: [],
    async context(opts) {
      const ctx = await newContext(suite.browser, opts);
      suite.contexts.push(ctx);
      return ctx;
    },
  };
  before(async () => {
    suite.election = await startElection(options);
    if (open) await suite.election.officer('open');
    suite.browser = await suite.election.launchBrowser();
  });
  after(async () => {
    for (const c of suite.contexts) await c.close().catch(() => {});
    await suite.browser?.close();
    await suite.election?.stop();
  });
  return suite;
}

/** Records page errors, console errors and CSP violations of `page` into `problems`. */
export function watchPage(page, problems) {
  page.on('pageerror', (e) => problems.push(`pageerror ${page.url()}: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error ${page.url().replace(/#.*/, '#…')}: ${msg.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`http ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
}

/** Static files (not API answers) the pages asked for and did not get: a missing file is a bug. */
export function missingFiles(problems) {
  return problems.filter((p) => /^http 4\d\d GET /.test(p) && !p.includes(' /api/'));
}

/** CSP violations among the recorded problems (a page broke the policy). */
export function cspViolations(problems) {
  return problems.filter((p) => /Content Security Policy|Refused to (execute|load|apply)/i.test(p));
}

/** Locator of a data-testid. */
export function tid(page, id) {
  return page.locator(`[data-testid="${id}"]`);
}

/** Waits until data-testid `id` is visible; returns its locator. */
export async function visible(page, id, timeout = WAIT) {
  const loc = tid(page, id).first();
  try {
    await loc.waitFor({ state: 'visible', timeout });
  } catch (e) {
    throw new Error(`${id} not visible after ${timeout} ms on ${page.url().replace(/#.*/, '#…')}; ${await describePage(page)}`);
  }
  return loc;
}

let failureShots = 0;
/** For a failure message: a screenshot in the artifacts and what the page shows. */
export async function describePage(page) {
  try {
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `failure-${process.pid}-${++failureShots}.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
    const text = (await page.locator('body').innerText({ timeout: 5000 })).replace(/\s+/g, ' ').slice(0, 600);
    return `screenshot ${path.relative(REPO, file)}; the page shows: ${text}`;
  } catch (e) {
    return `(no screenshot: ${e.message})`;
  }
}

/**
 * Clicks `id` and, if the page asks (confirm-dialog), confirms with
 * confirm-yes; resolves when `done()` is true. A dialog is optional for the
 * button but must appear for `requireDialog`.
 */
export async function clickAndConfirm(page, id, done, { requireDialog = false, timeout = WAIT } = {}) {
  await tid(page, id).click();
  let sawDialog = false;
  await waitUntil(async () => {
    const dialog = tid(page, 'confirm-dialog');
    if (await dialog.isVisible()) {
      sawDialog = true;
      await tid(page, 'confirm-yes').click();
      return false;
    }
    return sawDialog || !requireDialog ? done() : false;
  }, `${id} to take effect${requireDialog ? ' after the confirm dialog' : ''}`, timeout, 250);
  return sawDialog;
}

/** Saves the download triggered by clicking `id` into `dir`; resolves the file path. */
export async function download(page, id, dir, name) {
  await mkdir(dir, { recursive: true });
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), tid(page, id).click()]);
  const file = path.join(dir, name ?? dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

/** Screenshots of the page at phone and desktop width into ARTIFACTS/<name>-<width>.png. */
export async function screenshots(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const original = page.viewportSize();
  const files = [];
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.waitForTimeout(150); // let layout settle after the resize
    const file = path.join(ARTIFACTS, `${name}-${v.width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  if (original) await page.setViewportSize(original);
  return files;
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page's current state (WCAG 2.0/2.1 A and AA rules).
 * The pages' CSP forbids inline scripts, so page.addScriptTag is refused (as
 * it should be); axe's file is evaluated through the DevTools protocol
 * instead, which the CSP does not govern. Resolves
 * {label, url, serious: [...], other: [...]} with one line per violation.
 */
export async function axeScan(page, label) {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(`${axeSource}\n;typeof window.axe`);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.split('\n').slice(1).join(' ').trim()}` : ''}`),
    }));
  });
  const line = (v) => `[${v.impact}] ${v.id}: ${v.help}\n      ${v.nodes.join('\n      ')}`;
  return {
    label,
    url: page.url(),
    serious: result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(line),
    other: result.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map(line),
  };
}

/** True if the page scrolls horizontally (content wider than the viewport). */
export async function scrollsHorizontally(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** The text keys of web/dist/i18n/de/*.json (to find untranslated keys on a page). */
export function germanKeys() {
  const keys = new Set();
  const dir = path.join(WEB_DIR, 'i18n', 'de');
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.json')) for (const k of Object.keys(JSON.parse(readFileSync(path.join(dir, f), 'utf8')))) keys.add(k);
  }
  return keys;
}

/** Gzip sizes of dist/assets/*.js: [{file, bytes, gzip}] (level 9, as served compressed). */
export async function bundleSizes() {
  const { gzipSync } = await import('node:zlib');
  const dir = path.join(WEB_DIR, 'assets');
  return readdirSync(dir).filter((f) => f.endsWith('.js')).sort().map((f) => {
    const bytes = readFileSync(path.join(dir, f));
    return { file: f, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Copies a file into the artifacts (downloads worth keeping). */
export async function keepArtifact(file, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await copyFile(file, path.join(ARTIFACTS, name));
}

