// The voting page (/vote): a delegate opens the link of their letter (code
// and credential context in the URL fragment, never sent to the server) or
// types the code; the page checks the roster, the derived key, the token key
// and the page hash against what the letter and the manifest say, checks in
// (blind token, kept on the device before anything is sent), waits for the
// opening, shows the ballot, encrypts and proves it here, casts it (same
// bytes again after a lost answer) and keeps the signed receipt. "Stimmzettel
// prüfen" spoils a prepared ballot (Benaloh) and shows what it contained.
//
// Every step replaces #step, says itself in #status (aria-live) and moves
// the focus to its heading. Every mismatch stops at #integrity; every other
// failure shows #error with its stable code. No time limits anywhere.

import { initI18n, mountLanguageSwitch, t, describeError } from '../app/i18n.js';
import { getJson, postJson, postBytes, ApiError } from '../app/api.js';
import { el, clear, announce, focusHeading, downloadFile, show } from '../app/dom.js';
import { loadRecord, saveRecord, listRecords } from '../app/storage.js';
import { qrSvg } from '../app/qr.js';
import { base64urlDecode, base64urlEncode, ctEqual, hexDecode, hexEncode, wipe } from '../crypto/bytes.js';
import { UrneError } from '../crypto/errors.js';
import { parseVotingLink } from '../crypto/voting_link.js';
import { parseVotingCode } from '../crypto/voting_code.js';
import { deriveInstitutionKey, checkListedKey, signTokenRequest } from '../crypto/credential.js';
import { parseRoster, readManifest, findInstitution } from '../crypto/canonical.js';
import { createTokenRequest, exportRequestState, importRequestState, finalizeToken, wipeRequestState } from '../crypto/privacy_pass.js';
import {
  loadElection, checkChoice, buildBallot, verifyCastBallot, ballotHash, openSpoiledBallot, tokenFile, parseTokenFile, spoiledBallotFile,
  fileText,
} from '../crypto/cast_ballot.js';
import { receiptFromView, verifyReceipt, receiptFile, shortFingerprint } from '../crypto/receipt.js';

const $ = (id) => document.getElementById(id);
const API = '/api/v1';
const ACTIVE = new Set(['published', 'open']);
const FINISHED = new Set(['closed', 'tallied', 'result_published']);
const POLL_MS = 3000; // turnout is a cheap count; every few seconds while visible
const POLL_HIDDEN_MS = 15000;
// The institution id under which a token restored from a backup file is
// stored: the file carries no institution (the token is anonymous).
const BACKUP_INSTITUTION = 'token-backup';

/** Stops the page at a mismatch: nothing after it may run. */
class IntegrityError extends Error {
  constructor(reason, params = {}) {
    super(reason);
    this.reason = reason;
    this.params = params;
  }
}

const app = {
  sessions: [], // [{electionId (hex), view, manifestBytes, election (loadElection), institutionId, state}]
  current: null,
  pollTimer: null,
  stopped: false,
  pageHash: undefined, // the server's voting_page_sha256 (hex) or null
};

// ---- status, errors, integrity ------------------------------------------------------------

function setStatus(key, params) {
  const s = $('status');
  s.dataset.i18n = key;
  if (params) s.dataset.i18nParams = JSON.stringify(params);
  else delete s.dataset.i18nParams;
  s.textContent = t(key, params);
}

function hideError() {
  show($('error'), false);
  clear($('error'));
}

/** Shows `err` in #error: the human message and the stable code; `retry` adds a button. */
function showError(err, retry = null) {
  if (err instanceof IntegrityError) return showIntegrity(err);
  if (!(err instanceof ApiError) && !(err instanceof UrneError)) console.error(err);
  const { code, text } = describeError(err instanceof ApiError || err instanceof UrneError ? err : { code: 'internal_error' });
  const box = clear($('error'));
  box.append(
    el('p', { class: 'error-text', text }),
    el('p', { class: 'code-ref', i18n: 'common.error_code', i18nParams: { code } }),
  );
  if (retry) {
    box.append(el('div', { class: 'actions' }, el('button', { type: 'button', testid: 'retry-button', i18n: 'common.retry', onclick: () => { hideError(); retry(); } })));
  }
  show(box, true);
  announce(text);
}

/** The loud warning of a failed check: stops the page. */
function showIntegrity(err) {
  app.stopped = true;
  stopPolling();
  const reason = err.reason || 'integrity';
  const box = clear($('integrity'));
  const heading = el('h2', { i18n: 'vote.integrity.title' });
  box.append(
    heading,
    el('p', { i18n: `vote.integrity.${reason}`, i18nParams: err.params }),
    el('p', { class: 'strong', i18n: 'vote.integrity.advice' }),
    el('p', { class: 'code-ref', i18n: 'common.error_code', i18nParams: { code: reason } }),
  );
  show(box, true);
  clear($('step'));
  hideError();
  setStatus('vote.status.stopped');
  focusHeading(heading);
}

function integrity(reason, params) {
  throw new IntegrityError(reason, params);
}

/** Replaces the step with `nodes`, says `statusKey`, focuses the step's heading. */
function step(statusKey, statusParams, heading, ...nodes) {
  const s = clear($('step'));
  s.append(heading, ...nodes.filter(Boolean));
  setStatus(statusKey, statusParams);
  focusHeading(heading);
}

const h2 = (key, params) => el('h2', { i18n: key, i18nParams: params });
const para = (key, params, cls) => el('p', { i18n: key, i18nParams: params, class: cls });

// ---- server look-ups and the checks -------------------------------------------------------

async function fetchElectionView(id) {
  const view = await getJson(`${API}/elections/${id}`);
  const manifestView = view && view.manifest;
  if (!manifestView || typeof manifestView.canonical !== 'string') integrity('election_id_mismatch');
  let bytes;
  try {
    bytes = base64urlDecode(manifestView.canonical);
  } catch {
    integrity('election_id_mismatch');
  }
  const manifest = readManifest(bytes);
  // The election id is SHA-256 of the manifest's canonical bytes: the URL's,
  // the view's and the bytes' must be one and the same.
  if (manifest.electionIdHex !== id || view.election_id !== id || manifestView.election_id !== id) integrity('election_id_mismatch');
  return { view, bytes, manifest, state: view.state };
}

/** The server's hash of the page it serves (GET /service), null if it names none. */
async function servicePageHash() {
  if (app.pageHash !== undefined) return app.pageHash;
  const s = await getJson(`${API}/service`);
  app.pageHash = typeof s.voting_page_sha256 === 'string' ? s.voting_page_sha256 : null;
  return app.pageHash;
}

/**
 * The manifest names the code of the page that should run (page_hash); the
 * server reports the hash of what it serves. Different: another page than
 * the election was set up with.
 */
async function checkPageHash(manifest) {
  const served = await servicePageHash();
  if (served !== null && served !== hexEncode(manifest.pageHash)) {
    integrity('page_hash_mismatch', { manifest: shortFingerprint(manifest.pageHash), served: served.slice(0, 16).match(/.{4}/g).join(' ') });
  }
}

/** The manifest's token key must be the one the issuer directory serves (no key of another election). */
async function checkTokenKey(id, manifest) {
  const dir = await getJson(`${API}/elections/${id}/token-issuer-directory`);
  const keys = dir && Array.isArray(dir['token-keys']) ? dir['token-keys'] : [];
  if (keys.length === 0) integrity('token_key_mismatch');
  for (const k of keys) {
    let b;
    try {
      b = base64urlDecode(String(k['token-key']));
    } catch {
      integrity('token_key_mismatch');
    }
    if (k['token-type'] !== 2 || !ctEqual(b, manifest.tokenPublicKey)) integrity('token_key_mismatch');
  }
}

/** The roster of election `id`; its fingerprint must be the letter's. */
async function fetchRoster(id, expectedFingerprint) {
  const view = await getJson(`${API}/elections/${id}/roster`);
  let roster;
  try {
    roster = parseRoster(base64urlDecode(String(view.canonical)));
  } catch (e) {
    if (e instanceof UrneError) integrity('roster_mismatch');
    throw e;
  }
  if (expectedFingerprint && !ctEqual(roster.fingerprint, expectedFingerprint)) integrity('roster_mismatch');
  return roster;
}

/** Loads an election for voting: DKG-checked election key, parsed token key, token key = directory's, page hash. */
async function prepareSession(id, found, institutionId) {
  await checkTokenKey(id, found.manifest);
  await checkPageHash(found.manifest);
  const election = await loadElection(found.bytes);
  return { electionId: id, view: found.view, manifestBytes: found.bytes, election, institutionId, state: found.state };
}

// ---- entry: link, stored records, typed code ------------------------------------------------

async function main() {
  await initI18n('vote');
  mountLanguageSwitch($('lang'));
  const setTitle = () => {
    document.title = `${t('vote.title')} – urne`;
  };
  setTitle();
  document.addEventListener('urne:language', setTitle);
  // A letter's link opened while the page is already open only changes the
  // fragment (no new load): start over with it.
  window.addEventListener('hashchange', () => {
    if (location.hash.length > 1) location.reload();
  });
  try {
    if (location.hash.length > 1) {
      let creds;
      try {
        creds = parseVotingLink(location.href);
      } catch (e) {
        showError(e);
        await showCodeEntry();
        return;
      }
      await runWithCredentials(creds, false);
    } else {
      const records = safeListRecords();
      if (records.length > 0) await resume(records);
      else await showCodeEntry();
    }
  } catch (e) {
    showError(e, () => location.reload());
  }
}

function safeListRecords() {
  try {
    return listRecords();
  } catch {
    return [];
  }
}

/** Elections of the roster `fingerprintHex` (all states), from the register's list. */
async function electionsOfRoster(fingerprintHex) {
  const list = await getJson(`${API}/elections`);
  const out = [];
  for (const e of (list && list.elections) || []) {
    if (typeof e.election_id !== 'string') continue;
    const found = await fetchElectionView(e.election_id);
    if (hexEncode(found.manifest.rosterFingerprint) === fingerprintHex) out.push({ id: e.election_id, ...found });
  }
  return out;
}

/**
 * The letter against the server: the roster of election `id` has the
 * letter's fingerprint, lists the institution, and the key derived from the
 * code (with the letter's context) is the listed one.
 */
async function checkLetter(creds, id) {
  const roster = await fetchRoster(id, creds.rosterFingerprint);
  let inst;
  try {
    inst = findInstitution(roster, creds.institutionId);
  } catch (e) {
    if (e instanceof UrneError) integrity('unknown_institution', { institution: creds.institutionId });
    throw e;
  }
  const key = deriveInstitutionKey(creds.code, creds.context);
  try {
    checkListedKey(key.publicKey, inst.publicKey);
  } catch (e) {
    if (e instanceof UrneError) integrity('credential_key_mismatch', { institution: inst.name });
    throw e;
  } finally {
    wipe(key.seed);
  }
}

/**
 * No election names the letter's roster. If the server holds another roster
 * that lists this institution, that roster is the one the server would have
 * the delegate use, and it is not the one on the letter: a mismatch, not a
 * wait. (If no roster knows the institution, this server has no election
 * for the letter yet, and the page waits.)
 */
async function checkNoOtherRoster(institutionId) {
  const list = await getJson(`${API}/elections`);
  const seen = new Set();
  for (const e of (list && list.elections) || []) {
    if (typeof e.election_id !== 'string') continue;
    const found = await fetchElectionView(e.election_id);
    const fp = hexEncode(found.manifest.rosterFingerprint);
    if (seen.has(fp)) continue;
    seen.add(fp);
    let roster;
    try {
      roster = await fetchRoster(e.election_id, found.manifest.rosterFingerprint);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) continue;
      throw err;
    }
    if (roster.institutions.some((x) => x.id === institutionId)) integrity('roster_mismatch');
  }
}

/**
 * With the letter's data (from the link or typed): find this roster's
 * elections, check roster and key, check in to every published/open one,
 * then forget the code and drop the fragment.
 */
async function runWithCredentials(creds, typed) {
  const fpHex = hexEncode(creds.rosterFingerprint);
  setStatus('vote.status.checking');
  clear($('step'));
  const elections = await electionsOfRoster(fpHex);
  if (elections.length === 0) await checkNoOtherRoster(creds.institutionId);
  // Roster and code are checked as soon as an election names the roster,
  // also while it is a draft: a wrong letter is said at once, not after the
  // officer publishes.
  if (elections.length > 0) await checkLetter(creds, elections[0].id);
  const active = elections.filter((e) => ACTIVE.has(e.state));
  if (active.length === 0) {
    // Nothing to check in to yet: wait for the officer to publish (the code
    // stays in memory only; the page asks nothing of the delegate).
    const done = elections.filter((e) => FINISHED.has(e.state));
    waitPublished(creds, typed, done.length > 0 && elections.every((e) => e.state !== 'draft'));
    return;
  }
  const key = deriveInstitutionKey(creds.code, creds.context);
  try {
    app.sessions = [];
    for (const found of active) {
      const session = await prepareSession(found.id, found, creds.institutionId);
      await checkIn(session, key);
      app.sessions.push(session);
    }
  } finally {
    wipe(key.seed);
  }
  wipe(creds.code);
  // The code is no longer needed: out of the address bar and the history.
  history.replaceState(null, '', location.pathname + location.search);
  await addStoredSessions();
  chooseElection();
}

/** Adds the elections this device holds records for (another institution's, a practice ballot) to the list. */
async function addStoredSessions() {
  for (const r of safeListRecords()) {
    if (app.sessions.some((s) => s.electionId === r.election && s.institutionId === r.institution)) continue;
    if (app.sessions.some((s) => s.electionId === r.election)) continue;
    try {
      const found = await fetchElectionView(r.election);
      const rec = loadRecord(r.election, r.institution);
      if (!rec || (!rec.token && !rec.request)) continue;
      // After the close a request without a token cannot be completed any
      // more; a token that was not used is shown as "the ballot box is closed",
      // not silently dropped (the delegate must learn they did not vote).
      if (FINISHED.has(found.state) && !rec.receipt && !rec.ballot && !rec.token) continue;
      const session = await prepareSession(r.election, found, r.institution);
      if (!rec.token) await checkIn(session, null);
      app.sessions.push(session);
    } catch (e) {
      if (e instanceof IntegrityError) throw e;
      if (e instanceof ApiError && e.status === 404) continue; // an election of another server
      throw e;
    }
  }
}

/** A reload without the fragment: continue with what the device holds. */
async function resume() {
  setStatus('vote.status.checking');
  app.sessions = [];
  await addStoredSessions();
  if (app.sessions.length === 0) {
    await showCodeEntry();
    return;
  }
  chooseElection();
}

function waitPublished(creds, typed, allFinished) {
  const heading = h2('vote.wait_published.title');
  step(
    'vote.status.wait_published', null, heading,
    el('section', { testid: 'wait-published' },
      para(allFinished ? 'vote.wait_published.none_open' : 'vote.wait_published.text'),
      para('vote.no_time_limit', null, 'hint')),
  );
  schedule(async () => {
    const list = await getJson(`${API}/elections`);
    const ids = ((list && list.elections) || []).filter((e) => ACTIVE.has(e.state)).map((e) => e.election_id);
    if (ids.length === 0) return false;
    for (const id of ids) {
      const found = await fetchElectionView(id);
      if (ctEqual(found.manifest.rosterFingerprint, creds.rosterFingerprint)) {
        await runWithCredentials(creds, typed);
        return true;
      }
    }
    return false;
  });
}

/** The form for a typed code: institution (from the rosters of the elections), code, roster short fingerprint. */
async function showCodeEntry() {
  setStatus('vote.status.code_entry');
  const list = await getJson(`${API}/elections`);
  const rosters = new Map(); // fingerprint hex -> roster
  for (const e of (list && list.elections) || []) {
    if (!ACTIVE.has(e.state) && e.state !== 'draft') continue;
    try {
      const found = await fetchElectionView(e.election_id);
      const fp = hexEncode(found.manifest.rosterFingerprint);
      if (rosters.has(fp)) continue;
      rosters.set(fp, await fetchRoster(e.election_id, found.manifest.rosterFingerprint));
    } catch (err) {
      if (err instanceof IntegrityError) throw err;
      if (err instanceof ApiError && err.status === 404) continue;
      throw err;
    }
  }
  const select = el('select', { id: 'code-institution', testid: 'code-institution', required: true });
  select.append(el('option', { value: '', i18n: 'vote.code.choose_institution' }));
  for (const [fp, roster] of rosters) {
    const group = rosters.size > 1 ? el('optgroup', { label: roster.title }) : select;
    for (const inst of roster.institutions) group.append(el('option', { value: `${fp}|${inst.id}`, text: inst.name }));
    if (group !== select) select.append(group);
  }
  const code = el('input', {
    id: 'code-input', testid: 'code-input', type: 'text', autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: 'false', 'aria-describedby': 'code-input-hint', required: true, class: 'mono',
  });
  const fingerprint = el('input', {
    id: 'code-fingerprint', testid: 'code-fingerprint', type: 'text', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'code-fingerprint-hint', required: true, class: 'mono',
  });
  const problem = el('p', { class: 'warning', role: 'alert', hidden: true });
  const form = el('form', { testid: 'code-entry', novalidate: true },
    el('div', { class: 'field' }, el('label', { htmlFor: 'code-institution', i18n: 'vote.code.institution' }), select),
    el('div', { class: 'field' }, el('label', { htmlFor: 'code-input', i18n: 'vote.code.code' }),
      el('p', { id: 'code-input-hint', class: 'hint', i18n: 'vote.code.code_hint' }), code),
    el('div', { class: 'field' }, el('label', { htmlFor: 'code-fingerprint', i18n: 'vote.code.fingerprint' }),
      el('p', { id: 'code-fingerprint-hint', class: 'hint', i18n: 'vote.code.fingerprint_hint' }), fingerprint),
    problem,
    el('div', { class: 'actions' }, el('button', { type: 'submit', testid: 'code-submit', i18n: 'vote.code.submit' })),
  );
  const fail = (key, field) => {
    problem.dataset.i18n = key;
    problem.textContent = t(key);
    show(problem, true);
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    show(problem, false);
    for (const f of [select, code, fingerprint]) f.removeAttribute('aria-invalid');
    hideError();
    if (!select.value) return fail('vote.code.need_institution', select);
    const [fp, institutionId] = select.value.split('|');
    const roster = rosters.get(fp);
    let parsed;
    try {
      parsed = parseVotingCode(code.value);
    } catch (e) {
      return fail(e instanceof UrneError && e.reason === 'voting_code_checksum' ? 'vote.code.checksum' : 'vote.code.malformed', code);
    }
    const typedFp = fingerprint.value.replace(/[\s-]/g, '').toLowerCase();
    if (!/^[0-9a-f]{16}$/.test(typedFp)) return fail('vote.code.fingerprint_malformed', fingerprint);
    code.value = '';
    if (typedFp !== fp.slice(0, 16)) {
      wipe(parsed);
      showIntegrity(new IntegrityError('roster_mismatch'));
      return;
    }
    try {
      await runWithCredentials({ institutionId, code: parsed, context: roster.credentialContext, rosterFingerprint: roster.fingerprint }, true);
    } catch (e) {
      showError(e);
    }
  });
  const restore = restoreSection();
  const heading = h2('vote.code.title');
  step('vote.status.code_entry', null, heading, para(rosters.size ? 'vote.code.intro' : 'vote.code.no_elections'), rosters.size ? form : null, restore);
}

/** Restoring a token from its backup (file, or the text of the QR code) on another device. */
function restoreSection() {
  const input = el('input', { id: 'token-restore-file', testid: 'token-restore-input', type: 'file', accept: '.json,application/json,text/plain' });
  const text = el('textarea', { id: 'token-restore-text', testid: 'token-restore-text', rows: 3, spellcheck: 'false', class: 'mono' });
  const restore = async (content) => {
    hideError();
    let obj;
    try {
      obj = JSON.parse(content);
    } catch {
      return showError(new UrneError('file_invalid', 'not JSON'));
    }
    const id = obj && typeof obj.election_id === 'string' ? obj.election_id : '';
    try {
      if (!/^[0-9a-f]{64}$/.test(id)) throw new UrneError('file_invalid', 'no election id');
      const token = parseTokenFile(obj, hexDecode(id));
      const found = await fetchElectionView(id);
      const session = await prepareSession(id, found, BACKUP_INSTITUTION);
      const rec = loadRecord(id, BACKUP_INSTITUTION) || {};
      if (!rec.token) {
        rec.token = token;
        saveRecord(id, BACKUP_INSTITUTION, rec);
      }
      app.sessions = app.sessions.filter((s) => s.electionId !== id);
      app.sessions.push(session);
      chooseElection();
    } catch (e) {
      showError(e);
    }
  };
  input.addEventListener('change', async () => {
    const f = input.files && input.files[0];
    if (f) await restore(await f.text());
  });
  return el('details', { class: 'card' },
    el('summary', { i18n: 'vote.restore.title' }),
    para('vote.restore.text'),
    el('div', { class: 'field' }, el('label', { htmlFor: 'token-restore-file', i18n: 'vote.restore.file' }), input),
    el('div', { class: 'field' }, el('label', { htmlFor: 'token-restore-text', i18n: 'vote.restore.paste' }), text),
    el('div', { class: 'actions' }, el('button', { type: 'button', class: 'secondary', testid: 'token-restore-submit', i18n: 'vote.restore.submit', onclick: () => restore(text.value) })),
  );
}

// ---- check-in ------------------------------------------------------------------------------

/**
 * Gets this election's token. The signed request and the blinding state are
 * stored before the request is sent, so a lost answer (or a reload) sends
 * the same request again and the register answers the same bytes. `key` may
 * be null when a stored request only needs re-sending.
 */
async function checkIn(session, key) {
  const { electionId: id, institutionId, election } = session;
  let rec = loadRecord(id, institutionId) || {};
  if (rec.token) return;
  if (!(rec.request && rec.signature && rec.state)) {
    if (!key) return; // nothing stored and no code: the letter is needed again
    const { request, state } = await createTokenRequest(election.tokenKey, election.challenge);
    const signature = signTokenRequest(key, election.electionId, institutionId, election.tokenKey.keyId, request);
    const stateBytes = exportRequestState(state);
    wipeRequestState(state);
    rec = { ...rec, request, signature, state: stateBytes };
    saveRecord(id, institutionId, rec);
  }
  setStatus('vote.status.checking_in');
  const response = await postBytes(`${API}/elections/${id}/token-request`, rec.request, 'application/private-token-request', {
    'Urne-Institution': institutionId,
    'Urne-Institution-Signature': base64urlEncode(rec.signature),
  });
  const state = importRequestState(rec.state);
  const token = await finalizeToken(election.tokenKey, state, response);
  wipeRequestState(state);
  const stateBytes = rec.state;
  rec = { ...rec, token };
  delete rec.state;
  saveRecord(id, institutionId, rec);
  wipe(stateBytes); // after the token is safely stored, the unblinding secret goes
}

// ---- choosing an election and following its state ----------------------------------------

function electionLabel(session) {
  const m = session.election.manifest;
  return m.kind ? `${m.title} (${m.kind})` : m.title;
}

function chooseElection() {
  if (app.stopped) return;
  stopPolling();
  if (app.sessions.length === 1) return openSession(app.sessions[0]);
  const select = el('select', { id: 'election-select', testid: 'election-select' });
  for (const s of app.sessions) {
    const rec = loadRecord(s.electionId, s.institutionId) || {};
    select.append(el('option', {
      value: s.electionId,
      i18n: rec.receipt ? 'vote.select.option_voted' : `vote.select.option_${s.state}`,
      i18nParams: { title: electionLabel(s) },
    }));
  }
  const heading = h2('vote.select.title');
  step('vote.status.select', null, heading,
    para('vote.select.text'),
    el('div', { class: 'field' }, el('label', { htmlFor: 'election-select', i18n: 'vote.select.label' }), select),
    el('div', { class: 'actions' }, el('button', {
      type: 'button', testid: 'election-select-submit', i18n: 'vote.select.submit',
      onclick: () => openSession(app.sessions.find((s) => s.electionId === select.value)),
    })));
}

function backToList() {
  return el('div', { class: 'actions' },
    app.sessions.length > 1
      ? el('button', { type: 'button', class: 'secondary', testid: 'election-list-button', i18n: 'vote.select.back', onclick: () => chooseElection() })
      : null,
    el('button', { type: 'button', class: 'secondary', testid: 'code-entry-button', i18n: 'vote.code.other_letter',
      onclick: () => { stopPolling(); showCodeEntry().catch((e) => showError(e)); } }));
}

async function openSession(session) {
  try {
    await openSessionInner(session);
  } catch (e) {
    showError(e, () => openSession(session));
  }
}

async function openSessionInner(session) {
  if (!session || app.stopped) return;
  app.current = session;
  hideError();
  const rec = loadRecord(session.electionId, session.institutionId) || {};
  if (rec.receipt) return showAlreadyVoted(session, rec);
  if (rec.ballot && (session.state === 'open' || FINISHED.has(session.state))) return castStored(session, rec.ballot);
  if (!rec.token) {
    // A request is stored but no token: send it again (no code needed).
    try {
      await checkIn(session, null);
    } catch (e) {
      return showError(e, () => openSession(session));
    }
    if (!(loadRecord(session.electionId, session.institutionId) || {}).token) return showCodeEntry();
  }
  if (session.state === 'published' || session.state === 'draft') return waitOpen(session);
  if (session.state === 'open') return showBallot(session, { marks: [], abstain: false, invalid: false });
  return showClosed(session);
}

function stopPolling() {
  if (app.pollTimer) clearTimeout(app.pollTimer);
  app.pollTimer = null;
}

/** Calls `check` every few seconds (gently; slower in a background tab) until it returns true. */
function schedule(check) {
  stopPolling();
  const tick = async () => {
    app.pollTimer = null;
    if (app.stopped) return;
    let done = false;
    try {
      done = await check();
      if (!$('error').hidden && $('error').dataset.poll) hideError();
    } catch (e) {
      if (e instanceof IntegrityError) return showIntegrity(e);
      // A lost connection while waiting is normal in a hall; say so and keep trying.
      if (e instanceof ApiError && (e.status === 0 || e.status >= 500)) {
        showError(e);
        $('error').dataset.poll = '1';
      } else {
        return showError(e);
      }
    }
    if (!done && !app.stopped) app.pollTimer = setTimeout(tick, document.hidden ? POLL_HIDDEN_MS : POLL_MS);
  };
  app.pollTimer = setTimeout(tick, document.hidden ? POLL_HIDDEN_MS : POLL_MS);
}

function tokenReadyBlock(session) {
  const rec = loadRecord(session.electionId, session.institutionId) || {};
  if (!rec.token) return null;
  const file = fileText(tokenFile(session.election.electionId, rec.token));
  const qrBox = el('div', { class: 'qr', hidden: true });
  const qrButton = el('button', { type: 'button', class: 'secondary', testid: 'token-backup-qr', 'aria-expanded': 'false', i18n: 'vote.token.qr' });
  qrButton.addEventListener('click', () => {
    const open = qrBox.hidden;
    if (open && !qrBox.firstChild) qrBox.append(qrSvg(file.trim(), t('vote.token.qr_label')));
    show(qrBox, open);
    qrButton.setAttribute('aria-expanded', String(open));
  });
  const short = session.electionId.slice(0, 8);
  return el('section', { class: 'card', testid: 'token-ready', 'aria-labelledby': 'token-ready-title' },
    el('h3', { id: 'token-ready-title', i18n: 'vote.token.title' }),
    para('vote.token.stored'),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', testid: 'token-backup-download', i18n: 'vote.token.download',
        onclick: () => downloadFile(`urne-token-${short}.json`, file, 'application/json') }),
      qrButton),
    qrBox,
    el('p', { testid: 'device-lost-info', class: 'hint', i18n: 'vote.token.device_lost' }),
  );
}

function waitOpen(session) {
  const heading = h2('vote.wait_open.title', { title: electionLabel(session) });
  step('vote.status.wait_open', null, heading,
    el('section', { testid: 'wait-open' }, para('vote.wait_open.text'), para('vote.no_time_limit', null, 'hint')),
    tokenReadyBlock(session),
    backToList());
  schedule(async () => {
    const turnout = await getJson(`${API}/elections/${session.electionId}/turnout`);
    if (turnout.state === session.state) return false;
    session.state = turnout.state;
    announce(t(`common.state.${turnout.state}`));
    openSession(session);
    return true;
  });
}

function showClosed(session) {
  const heading = h2('vote.closed.title', { title: electionLabel(session) });
  step('vote.status.closed', null, heading,
    el('section', { testid: 'ballot-closed' },
      para('vote.closed.text'),
      el('p', null, el('a', { href: `/results?e=${session.electionId}`, i18n: 'vote.results_link' }))),
    backToList());
}

// ---- the ballot ----------------------------------------------------------------------------

function choiceFromForm(boxes, abstain, invalid) {
  return {
    marks: boxes.filter((b) => b.checked).map((b) => Number(b.dataset.index)),
    abstain: !!(abstain && abstain.checked),
    invalid: !!(invalid && invalid.checked),
  };
}

function showBallot(session, preset) {
  ballotChecker(session); // starts loading the election in the worker now
  const m = session.election.manifest;
  const max = m.maxMarks;
  const counter = el('p', { id: 'mark-counter', class: 'counter', testid: 'mark-counter', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const setCounter = (n) => {
    counter.dataset.i18n = 'vote.ballot.counter';
    counter.dataset.i18nParams = JSON.stringify({ n, max });
    counter.textContent = t('vote.ballot.counter', { n, max });
  };
  const boxes = [];
  const list = el('ul', { class: 'choices' });
  m.candidates.forEach((c, i) => {
    const box = el('input', { type: 'checkbox', id: `candidate-${i}`, testid: `candidate-${i}`, 'aria-describedby': 'mark-counter' });
    box.dataset.index = String(i);
    box.checked = preset.marks.includes(i);
    boxes.push(box);
    list.append(el('li', null, el('label', { class: 'choice', htmlFor: `candidate-${i}` }, box,
      el('span', null, el('span', { class: 'name', dir: 'auto', text: c.name }), c.affiliation ? el('span', { class: 'affiliation', dir: 'auto', text: c.affiliation }) : null))));
  });
  const abstain = el('input', { type: 'checkbox', id: 'abstain', testid: 'abstain', checked: preset.abstain });
  const invalid = m.invalidOffered ? el('input', { type: 'checkbox', id: 'invalid', testid: 'invalid', checked: preset.invalid }) : null;
  const problem = el('p', { class: 'warning', role: 'alert', hidden: true });
  const update = () => setCounter(boxes.filter((b) => b.checked).length);
  // Enthaltung, ungültig and marks exclude each other (checkChoice's rules):
  // choosing one clears the others, and the page says so.
  const clearOthers = (keep) => {
    let cleared = false;
    for (const b of [...boxes, abstain, invalid]) {
      if (b && b !== keep && b.checked && !(boxes.includes(keep) && boxes.includes(b))) {
        b.checked = false;
        cleared = true;
      }
    }
    if (cleared) announce(t('vote.ballot.cleared'));
  };
  for (const b of boxes) {
    b.addEventListener('change', () => {
      show(problem, false);
      if (b.checked) {
        const n = boxes.filter((x) => x.checked).length;
        if (n > max) {
          b.checked = false;
          announce(t('vote.ballot.too_many', { max }));
          problem.textContent = t('vote.ballot.too_many', { max });
          show(problem, true);
        } else clearOthers(b);
      }
      update();
    });
  }
  for (const b of [abstain, invalid]) {
    if (b) b.addEventListener('change', () => { show(problem, false); if (b.checked) clearOthers(b); update(); });
  }
  update();
  const review = el('button', { type: 'button', testid: 'review-button', i18n: 'vote.ballot.review' });
  review.addEventListener('click', () => {
    const choice = choiceFromForm(boxes, abstain, invalid);
    try {
      checkChoice(session.election, choice);
    } catch (e) {
      const key = e instanceof UrneError && e.reason === 'empty_ballot' ? 'vote.ballot.empty' : null;
      if (!key) return showError(e);
      problem.textContent = t(key);
      show(problem, true);
      return;
    }
    showReview(session, choice);
  });
  const heading = h2('vote.ballot.title', { title: electionLabel(session) });
  step('vote.status.ballot', null, heading,
    m.description ? el('p', { class: 'description', dir: 'auto', text: m.description }) : null,
    para('vote.ballot.instructions', { max }),
    counter,
    el('fieldset', null, el('legend', { i18n: 'vote.ballot.candidates' }), list),
    el('fieldset', null, el('legend', { i18n: 'vote.ballot.other' }),
      el('ul', { class: 'choices' },
        el('li', null, el('label', { class: 'choice special', htmlFor: 'abstain' }, abstain, el('span', { class: 'name', i18n: 'vote.ballot.abstain' }))),
        invalid ? el('li', null, el('label', { class: 'choice special', htmlFor: 'invalid' }, invalid, el('span', { class: 'name', i18n: 'vote.ballot.invalid' }))) : null)),
    problem,
    el('div', { class: 'actions' }, review),
    para('vote.no_time_limit', null, 'hint'),
    tokenReadyBlock(session));
  // Close while the delegate is choosing: say so, but leave the choice
  // alone until they act (the box answers ballot_closed then anyway).
  schedule(async () => {
    const turnout = await getJson(`${API}/elections/${session.electionId}/turnout`);
    if (turnout.state !== 'open') {
      session.state = turnout.state;
      stopPolling();
      showClosed(session);
      return true;
    }
    return false;
  });
}

function reviewList(session, choice) {
  const m = session.election.manifest;
  const list = el('ul', { testid: 'review-list', class: 'review-list' });
  if (choice.abstain) list.append(el('li', { i18n: 'vote.ballot.abstain' }));
  if (choice.invalid) list.append(el('li', { i18n: 'vote.ballot.invalid' }));
  for (const i of [...choice.marks].sort((a, b) => a - b)) {
    const c = m.candidates[i];
    list.append(el('li', null, el('strong', { dir: 'auto', text: c.name }), c.affiliation ? ` – ${c.affiliation}` : ''));
  }
  return list;
}

async function showReview(session, choice) {
  const { election } = session;
  const rec = loadRecord(session.electionId, session.institutionId) || {};
  setStatus('vote.status.encrypting');
  let built;
  let checked;
  try {
    // Without the self-check here: the worker below runs it while the
    // delegate reads the review, and "cast" waits for it (a phone with the
    // CPU of a budget device waits half as long for the review).
    built = await buildBallot(election, rec.token, choice, undefined, { selfCheck: false });
    checked = checkOwnBallot(session, built.bytes);
  } catch (e) {
    return showError(e, () => showReview(session, choice));
  }
  const shortId = shortFingerprint(built.hash);
  const cast = el('button', { type: 'button', testid: 'cast-button', i18n: 'vote.review.cast' });
  const challenge = el('button', { type: 'button', class: 'secondary', testid: 'challenge-button', i18n: 'vote.review.challenge' });
  const back = el('button', { type: 'button', class: 'secondary', testid: 'back-button', i18n: 'common.back' });
  back.addEventListener('click', () => showBallot(session, choice));
  cast.addEventListener('click', async () => {
    cast.disabled = true;
    challenge.disabled = true;
    back.disabled = true;
    const r = loadRecord(session.electionId, session.institutionId) || {};
    try {
      // Never sent unless it verifies (token and every proof).
      await checked;
      // Stored before it is sent: a lost answer or a closed tab re-sends exactly these bytes.
      saveRecord(session.electionId, session.institutionId, { ...r, ballot: built.bytes });
    } catch (e) {
      cast.disabled = false;
      challenge.disabled = false;
      back.disabled = false;
      return showError(e);
    }
    await castStored(session, built.bytes);
  });
  challenge.addEventListener('click', () => showChallenge(session, choice, built));
  const heading = h2('vote.review.title');
  step('vote.status.review', null, heading,
    para('vote.review.text'),
    reviewList(session, choice),
    el('p', null, el('span', { i18n: 'vote.review.ballot_id' }), ' ', el('span', { class: 'short-hash', text: shortId })),
    el('div', { class: 'actions' }, cast, challenge, back),
    para('vote.review.challenge_hint', null, 'hint'));
}

/**
 * The worker that verifies the page's own ballots (ballot_check_worker.js),
 * one per election shown, started with the ballot so that it has loaded
 * the election before the first ballot is built. null without Worker
 * support (or if it cannot start): the check then runs on this thread.
 */
function ballotChecker(session) {
  if (session.checker !== undefined) return session.checker;
  session.checker = null;
  if (typeof Worker !== 'function') return null;
  try {
    const worker = new Worker('/assets/ballot_check_worker.js', { type: 'module' });
    const pending = new Map();
    let next = 0;
    worker.onmessage = (event) => {
      const { id, ok, reason } = event.data || {};
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (ok === true) p.resolve();
      else p.reject(reason || 'unknown');
    };
    worker.onerror = () => {
      // The worker died: every waiting check runs here instead, and so do later ones.
      session.checker = null;
      worker.terminate();
      for (const p of pending.values()) p.fallback();
      pending.clear();
    };
    worker.postMessage({ type: 'load', manifest: session.manifestBytes });
    session.checker = {
      check(bytes, fallback) {
        return new Promise((resolve, reject) => {
          const id = next++;
          pending.set(id, { resolve, reject, fallback: () => fallback().then(resolve, reject) });
          worker.postMessage({ type: 'check', id, ballot: bytes });
        });
      },
    };
  } catch {
    session.checker = null;
  }
  return session.checker;
}

/**
 * Verifies the page's own new ballot (verifyCastBallot: token and every
 * proof), in the session's worker if there is one; resolves when it
 * verifies, rejects with "self_check_failed" otherwise.
 */
function checkOwnBallot(session, bytes) {
  const failed = (why) => new UrneError('self_check_failed', `the new ballot does not verify: ${why}`);
  const here = () => verifyCastBallot(session.election, bytes).then(() => undefined, (e) => { throw failed(e.reason || e.message); });
  const checker = ballotChecker(session);
  if (!checker) return here();
  return checker.check(bytes, here).catch((e) => { throw e instanceof UrneError ? e : failed(e); });
}

// ---- casting and the receipt ----------------------------------------------------------------

async function castStored(session, bytes) {
  stopPolling();
  setStatus('vote.status.casting');
  const rec = loadRecord(session.electionId, session.institutionId) || {};
  let answer;
  try {
    answer = await postJson(`${API}/elections/${session.electionId}/ballots`, {
      ballot: base64urlEncode(bytes),
      token: base64urlEncode(rec.token),
    });
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'ballot_closed' || e.code === 'ballot_not_open')) {
      // Not in the box: the prepared ballot will never count; forget it.
      const r = loadRecord(session.electionId, session.institutionId) || {};
      delete r.ballot;
      saveRecord(session.electionId, session.institutionId, r);
      session.state = e.code === 'ballot_closed' ? 'closed' : session.state;
      showError(e);
      return e.code === 'ballot_closed' ? showClosed(session) : waitOpen(session);
    }
    if (e instanceof ApiError && e.status > 0 && e.status < 500) {
      // Refused for good (token_already_used, proof_invalid, …): the same
      // bytes would be refused again, so the device forgets them.
      const r = loadRecord(session.electionId, session.institutionId) || {};
      delete r.ballot;
      saveRecord(session.electionId, session.institutionId, r);
      return showError(e);
    }
    // A lost answer: the same bytes again give the same receipt (200 already_accepted).
    return showError(e, () => castStored(session, bytes));
  }
  try {
    const receipt = receiptFromView(answer && answer.receipt);
    try {
      verifyReceipt(receipt, session.election.manifest.serviceKey, session.election.electionId, ballotHash(bytes));
    } catch (e) {
      if (e instanceof UrneError) integrity(e.reason);
      throw e;
    }
  } catch (e) {
    if (e instanceof UrneError && e.reason === 'receipt_view_mismatch') return showIntegrity(new IntegrityError('receipt_signature_invalid'));
    return showError(e);
  }
  const r = loadRecord(session.electionId, session.institutionId) || {};
  delete r.ballot;
  r.receipt = answer.receipt;
  saveRecord(session.electionId, session.institutionId, r);
  hideError();
  showReceipt(session, r, false);
}

function receiptBlock(session, rec) {
  const receipt = receiptFromView(rec.receipt);
  const short = shortFingerprint(receipt.ballotHash);
  const origin = location.origin;
  const fileName = `urne-receipt-${short.replace(/ /g, '')}.txt`;
  return el('section', { class: 'card print-target', testid: 'receipt', 'aria-labelledby': 'receipt-title' },
    el('h3', { id: 'receipt-title', i18n: 'vote.receipt.title' }),
    el('p', null, el('span', { i18n: 'vote.receipt.short' }), ' ', el('span', { class: 'short-hash', testid: 'receipt-short-hash', text: short })),
    el('p', { class: 'hint' }, el('span', { i18n: 'vote.receipt.full' }), ' ', el('code', { class: 'ltr', text: hexEncode(receipt.ballotHash) })),
    el('p', { class: 'hint' }, el('span', { i18n: 'vote.receipt.election' }), ' ', el('span', { text: electionLabel(session) })),
    el('div', { class: 'actions' },
      el('button', { type: 'button', testid: 'receipt-download', i18n: 'vote.receipt.download',
        onclick: () => downloadFile(fileName, receiptFile(receipt), 'text/plain') }),
      el('button', { type: 'button', class: 'secondary', testid: 'receipt-print', i18n: 'vote.receipt.print', onclick: printReceipt })),
    el('h4', { i18n: 'vote.receipt.check_title' }),
    para('vote.receipt.check_text'),
    el('p', null, el('a', { href: `/results?e=${session.electionId}`, i18n: 'vote.results_link' })),
    para('vote.receipt.check_command'),
    el('pre', { class: 'command', text: `urne vote check-receipt --server ${origin} --election ${session.electionId} --receipt ${fileName}` }),
  );
}

function printReceipt() {
  document.body.classList.add('printing-receipt');
  window.addEventListener('afterprint', () => document.body.classList.remove('printing-receipt'), { once: true });
  window.print();
}

function showReceipt(session, rec) {
  const heading = h2('vote.receipt.cast_title');
  step('vote.status.cast', null, heading,
    el('p', { class: 'success', i18n: 'vote.receipt.cast_text' }),
    receiptBlock(session, rec),
    backToList());
}

function showAlreadyVoted(session, rec) {
  const heading = h2('vote.already.title', { title: electionLabel(session) });
  step('vote.status.already', null, heading,
    el('section', { testid: 'already-voted' }, el('p', { class: 'success', i18n: 'vote.already.text' }), receiptBlock(session, rec)),
    backToList());
}

// ---- Benaloh challenge ----------------------------------------------------------------------

function sameChoice(a, b) {
  const ma = [...a.marks].sort((x, y) => x - y);
  const mb = [...b.marks].sort((x, y) => x - y);
  return a.abstain === b.abstain && a.invalid === b.invalid && ma.length === mb.length && ma.every((v, i) => v === mb[i]);
}

function showChallenge(session, choice, built) {
  let opened;
  try {
    opened = openSpoiledBallot(session.election, built.bytes, built.randomness);
  } catch (e) {
    return showError(e);
  }
  // The device encrypted something else than was chosen: it must not be used to vote.
  if (!sameChoice(opened, choice)) return showIntegrity(new IntegrityError('spoiled_ballot_mismatch'));
  const file = fileText(spoiledBallotFile(session.election, built), 2);
  const short = shortFingerprint(built.hash);
  const fileName = `urne-spoiled-${short.replace(/ /g, '')}.json`;
  const heading = h2('vote.challenge.title');
  step('vote.status.challenge', null, heading,
    el('section', { testid: 'challenge-result', class: 'card print-target' },
      para('vote.challenge.text', { id: short }),
      el('h3', { i18n: 'vote.challenge.contained' }),
      reviewList(session, opened),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'secondary', testid: 'spoiled-download', i18n: 'vote.challenge.download',
          onclick: () => downloadFile(fileName, file, 'application/json') })),
      el('h3', { i18n: 'vote.challenge.check_title' }),
      para('vote.challenge.check_page'),
      el('p', null, el('a', { href: `/results?e=${session.electionId}`, i18n: 'vote.challenge.results_link' })),
      para('vote.challenge.check_command'),
      el('pre', { class: 'command', text: `urne vote check-spoiled --server ${location.origin} --election ${session.electionId} --spoiled ${fileName}` })),
    para('vote.challenge.never_cast', null, 'hint'),
    el('div', { class: 'actions' }, el('button', { type: 'button', testid: 'new-ballot-button', i18n: 'vote.challenge.new_ballot', onclick: () => showBallot(session, choice) })));
}

main();
