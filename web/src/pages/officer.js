// The officer dashboard (/officer, issue 7): sign in with the officer code
// (the key is derived in the browser and never leaves it), choose one of the
// elections whose manifest names this key, watch the turnout live (counts
// only, never who voted or what), move the election through its life cycle
// with signed transitions, follow the trustees after the close, and start a
// practice ballot made in the browser from the current manifest.
//
// Every state change is an Ed25519 signature over the transition message
// (protocol.md §9.5) made here; the server only checks it. A transition whose
// answer was lost is sent again with the same bytes (docs/api.md "Retries"):
// the server answers newly_applied:false, so a retry can never move twice.

import { describeError, initI18n, mountLanguageSwitch, t } from '../app/i18n.js';
import { ApiError, getJson, postJson } from '../app/api.js';
import { announce, clear, downloadFile, el, focusHeading } from '../app/dom.js';
import { deriveOfficerKey, officerAuthHeader, signTransition } from '../crypto/officer.js';
import { encodeManifest, lotSeedCommitment } from '../crypto/manifest_writer.js';
import { readManifest } from '../crypto/canonical.js';
import { base64urlDecode, base64urlEncode, ctEqual, hexDecode, hexEncode } from '../crypto/bytes.js';
import {
  isElectionId, lotSeedFileText, nextTransition, parseLotSeedText, practiceManifestFields, quorumStatus, shortHex,
  trusteeProgress,
} from '../app/result_model.js';

const TURNOUT_INTERVAL_MS = 2500; // "live": the hall sees the numbers move within a few seconds
const TRUSTEE_INTERVAL_MS = 6000; // the board view after the close is large (every ballot): poll it less often
const TRANSITION_RETRIES = 3; // a lost answer is retried with the same signed bytes

const $ = (id) => document.getElementById(id);

const session = {
  key: null, // {seed, publicKey, sign} from deriveOfficerKey; lives only in this tab's memory
  keyHex: '',
  elections: [], // [{id, title, kind, state, sequence}] of this officer
  current: null, // {id, idBytes, view (manifest view), fields (readManifest), state, sequence}
  turnoutTimer: null,
  trusteeTimer: null,
  busy: false,
  practiceSeed: null, // the practice ballot's lot seed until the election exists
  practiceSeedSaved: false,
  knownSeeds: new Map(), // election id -> lot seed drawn in this tab (practice ballots)
};

// ---- errors ----------------------------------------------------------------

/** A message for `e`: our own text for codes we know, else the server's in the page language, and the code. */
function errorText(e) {
  const { code, text } = describeError(e, { prefix: 'officer.err', fallback: 'officer.err.generic' });
  return t('officer.error_with_code', { text, code });
}

function showError(e) {
  const box = $('error');
  box.textContent = errorText(e);
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

// ---- officer-authenticated requests -----------------------------------------

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** POST `body` (or no body) to an officer route with the Urne-Officer-Auth header over exactly the bytes sent. */
async function officerPost(path, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const header = officerAuthHeader(session.key, 'POST', path, nowSeconds(), new TextEncoder().encode(text));
  return postJson(path, body, { 'Urne-Officer-Auth': header });
}

// ---- sign-in -----------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  clearError();
  const input = $('officer-code');
  let key;
  try {
    key = deriveOfficerKey(input.value);
  } catch (e) {
    showError(e);
    input.focus();
    return;
  }
  try {
    const service = await getJson('/api/v1/service');
    const keyHex = hexEncode(key.publicKey);
    const listed = Array.isArray(service.officer_keys) && service.officer_keys.includes(keyHex);
    if (!listed) {
      showError(Object.assign(new Error('unknown officer'), { reason: 'unknown_officer' }));
      input.focus();
      return;
    }
    session.key = key;
    session.keyHex = keyHex;
  } catch (e) {
    showError(e);
    return;
  }
  // The code is no longer needed: the derived key stays in memory only.
  input.value = '';
  $('signin').hidden = true;
  $('dashboard').hidden = false;
  $('officer-key').textContent = shortHex(session.keyHex);
  $('officer-key').title = session.keyHex;
  announce(t('officer.signed_in'));
  await loadElections();
  focusHeading($('elections-heading'));
}

async function loadElections(selectId = null) {
  const list = await getJson('/api/v1/elections').catch((e) => {
    showError(e);
    return { elections: [] };
  });
  const mine = [];
  for (const e of Array.isArray(list.elections) ? list.elections : []) {
    if (!isElectionId(e.election_id)) continue;
    try {
      // The list does not name the officer: only the manifest does.
      const detail = await getJson(`/api/v1/elections/${e.election_id}`);
      if (detail.manifest && detail.manifest.officer_key === session.keyHex) {
        mine.push({ id: e.election_id, title: e.title, kind: e.kind || '', state: detail.state, sequence: detail.sequence });
      }
    } catch (err) {
      showError(err);
    }
  }
  session.elections = mine;
  renderElectionList();
  const target = selectId || (session.current && session.current.id) || (mine.length === 1 ? mine[0].id : null);
  if (target && mine.some((m) => m.id === target)) await selectElection(target);
}

function renderElectionList() {
  const ul = clear($('election-list'));
  $('no-elections').hidden = session.elections.length > 0;
  for (const e of session.elections) {
    const button = el(
      'button',
      {
        type: 'button',
        class: 'secondary election-button',
        testid: `election-${e.id}`,
        'aria-pressed': session.current && session.current.id === e.id ? 'true' : 'false',
        onclick: () => selectElection(e.id),
      },
      el('span', { class: 'election-name', text: e.title }),
      e.kind ? el('span', { class: 'election-kind', text: e.kind }) : null,
      el('span', { class: 'election-state', i18n: `common.state.${e.state}` }),
      el('span', { class: 'election-short ltr', text: shortHex(e.id) }),
    );
    ul.append(el('li', null, button));
  }
}

// ---- one election ----------------------------------------------------------------

async function selectElection(id) {
  clearError();
  stopPolling();
  let detail;
  try {
    detail = await getJson(`/api/v1/elections/${id}`);
  } catch (e) {
    showError(e);
    return;
  }
  // The manifest's bytes decide, not its readable fields: they must hash to the id we chose.
  let fields;
  try {
    fields = readManifest(base64urlDecode(detail.manifest.canonical));
  } catch (e) {
    showError(e);
    return;
  }
  if (fields.electionIdHex !== id || hexEncode(fields.officerKey) !== session.keyHex) {
    showError(Object.assign(new Error('manifest mismatch'), { reason: 'election_id_mismatch' }));
    return;
  }
  session.current = { id, idBytes: hexDecode(id), view: detail.manifest, fields, state: detail.state, sequence: detail.sequence };
  $('election').hidden = false;
  $('election-title').textContent = fields.kind ? `${fields.title} (${fields.kind})` : fields.title;
  $('election-id').textContent = `${t('officer.election_id')} ${id}`;
  $('projector-link').href = `/projector?e=${id}`;
  $('results-link').href = `/results?e=${id}`;
  $('lot-seed-text').value = session.knownSeeds.has(id) ? hexEncode(session.knownSeeds.get(id)) : '';
  $('lot-seed-input').value = '';
  renderElectionList();
  renderState();
  await refreshTurnout();
  startPolling();
  focusHeading($('election-title'));
}

function renderState() {
  const c = session.current;
  if (!c) return;
  const state = $('state');
  state.dataset.state = c.state;
  state.dataset.i18n = `common.state.${c.state}`;
  state.textContent = t(`common.state.${c.state}`);
  let next = null;
  try {
    next = nextTransition(c.state, c.sequence);
  } catch {
    next = null;
  }
  const buttons = {
    published: $('publish-button'),
    open: $('open-button'),
    closed: $('close-button'),
    tallied: $('count-button'),
    result_published: $('publish-result-button'),
  };
  for (const [target, button] of Object.entries(buttons)) {
    const active = next !== null && next.state === target;
    button.disabled = !active || session.busy;
    button.closest('li').classList.toggle('current-step', active);
  }
  $('lot-seed-box').hidden = c.state !== 'open';
  const showTrustees = c.state === 'closed' || c.state === 'tallied' || c.state === 'result_published';
  $('trustees').hidden = !showTrustees;
}

async function refreshTurnout() {
  const c = session.current;
  if (!c) return;
  let turnout;
  try {
    turnout = await getJson(`/api/v1/elections/${c.id}/turnout`);
  } catch (e) {
    // A lost poll is not an error the officer must act on; the next one retries.
    if (!(e instanceof ApiError && e.status === 0)) showError(e);
    return;
  }
  if (session.current !== c) return;
  const changed = turnout.state !== c.state;
  if (typeof turnout.state === 'string') c.state = turnout.state;
  if (Number.isSafeInteger(turnout.sequence)) c.sequence = turnout.sequence;
  setNumber('turnout-institutions', turnout.institutions);
  setNumber('turnout-tokens', turnout.tokens_issued);
  setNumber('turnout-ballots', turnout.ballots_cast);
  renderQuorum(turnout);
  if (changed) {
    renderState();
    syncListEntry(c);
    startTrusteePolling();
  }
}

// The election list shows each election's state too; every place that
// learns a new state (a poll, our own transition) updates it through here.
function syncListEntry(c) {
  const entry = session.elections.find((x) => x.id === c.id);
  if (entry && entry.state !== c.state) {
    entry.state = c.state;
    renderElectionList();
  }
}

function setNumber(id, v) {
  $(id).textContent = Number.isSafeInteger(v) ? String(v) : '–';
}

function quorumFraction() {
  const p = Number($('quorum-percent').value);
  return Number.isFinite(p) && p >= 0 && p < 100 ? p / 100 : 0.5;
}

function renderQuorum(turnout) {
  const q = $('quorum');
  if (!Number.isSafeInteger(turnout.institutions) || !Number.isSafeInteger(turnout.tokens_issued)) {
    q.textContent = '';
    return;
  }
  const s = quorumStatus(turnout.institutions, turnout.tokens_issued, quorumFraction());
  q.dataset.reached = s.reached ? 'true' : 'false';
  q.className = `quorum ${s.reached ? 'success' : 'warning'}`;
  q.textContent = t(s.reached ? 'officer.quorum_reached' : 'officer.quorum_missing', {
    checked_in: s.checkedIn, entitled: s.entitled, needed: s.needed,
  });
}

async function refreshTrustees() {
  const c = session.current;
  if (!c) return;
  let board;
  try {
    board = await getJson(`/api/v1/elections/${c.id}/board`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 0)) showError(e);
    return;
  }
  if (session.current !== c) return;
  const p = trusteeProgress(board);
  const box = clear($('trustees'));
  if (!p) return;
  box.append(
    el('p', {
      class: p.enough ? 'success' : 'info',
      i18n: p.enough ? 'officer.trustees_enough' : 'officer.trustees_waiting',
      i18nParams: { done: p.done.length, k: p.threshold, n: p.trustees },
    }),
  );
  const ul = el('ul', { class: 'trustee-list' });
  for (let j = 1; j <= p.trustees; j++) {
    const done = p.done.includes(j);
    ul.append(el('li', { 'data-trustee': j, 'data-done': done ? 'true' : 'false', i18n: done ? 'officer.trustee_done' : 'officer.trustee_pending', i18nParams: { j } }));
  }
  box.append(ul);
  // After the count the partials no longer change.
  if (c.state === 'tallied' || c.state === 'result_published') stopTrusteePolling();
}

function startPolling() {
  stopPolling();
  session.turnoutTimer = setInterval(refreshTurnout, TURNOUT_INTERVAL_MS);
  startTrusteePolling();
}

function startTrusteePolling() {
  stopTrusteePolling();
  const c = session.current;
  if (!c || !['closed', 'tallied', 'result_published'].includes(c.state)) return;
  refreshTrustees();
  if (c.state === 'closed') session.trusteeTimer = setInterval(refreshTrustees, TRUSTEE_INTERVAL_MS);
}

function stopTrusteePolling() {
  if (session.trusteeTimer) clearInterval(session.trusteeTimer);
  session.trusteeTimer = null;
}

function stopPolling() {
  if (session.turnoutTimer) clearInterval(session.turnoutTimer);
  session.turnoutTimer = null;
  stopTrusteePolling();
}

// ---- confirmation dialog -----------------------------------------------------------

/**
 * Asks in the modal <dialog>; resolves true for "yes". Focus starts on
 * "Abbrechen" (the safe answer) and returns to the button that asked.
 */
function confirmAction(titleKey, textKey, params) {
  const dialog = $('confirm-dialog');
  const opener = document.activeElement;
  $('confirm-heading').textContent = t(titleKey, params);
  $('confirm-text').textContent = t(textKey, params);
  return new Promise((resolve) => {
    const finish = (answer) => {
      $('confirm-yes').removeEventListener('click', yes);
      $('confirm-no').removeEventListener('click', no);
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      if (opener && typeof opener.focus === 'function') opener.focus();
      resolve(answer);
    };
    const yes = () => finish(true);
    const no = () => finish(false);
    const cancel = (ev) => {
      ev.preventDefault();
      finish(false);
    };
    $('confirm-yes').addEventListener('click', yes);
    $('confirm-no').addEventListener('click', no);
    dialog.addEventListener('cancel', cancel);
    dialog.showModal();
    $('confirm-no').focus();
  });
}

// ---- transitions -------------------------------------------------------------------

async function readLotSeed() {
  const file = $('lot-seed-input').files && $('lot-seed-input').files[0];
  let text = $('lot-seed-text').value;
  if (file) {
    if (file.size > 1024) throw Object.assign(new Error('lot seed file too large'), { reason: 'lot_seed_malformed' });
    text = await file.text();
  }
  if (!text.trim()) throw Object.assign(new Error('no lot seed'), { reason: 'lot_seed_required' });
  return parseLotSeedText(text);
}

async function transition(target) {
  const c = session.current;
  if (!c || session.busy) return;
  clearError();
  const next = nextTransition(c.state, c.sequence);
  if (!next || next.state !== target) return;
  let seed = null;
  if (target === 'closed') {
    try {
      seed = await readLotSeed();
      // Checked here first, so a wrong file is named before anything is sent.
      if (!ctEqual(lotSeedCommitment(seed), c.fields.lotSeedCommitment)) {
        throw Object.assign(new Error('lot seed mismatch'), { reason: 'lot_seed_mismatch' });
      }
    } catch (e) {
      showError(e);
      $('lot-seed-input').focus();
      return;
    }
  }
  const params = { title: c.fields.title };
  const ok = await confirmAction(`officer.confirm.${target}.title`, `officer.confirm.${target}.text`, params);
  if (!ok) return;
  const body = {
    state: next.state,
    sequence: next.sequence,
    signature: hexEncode(signTransition(session.key, c.idBytes, next.state, next.sequence)),
  };
  if (seed) body.lot_seed = hexEncode(seed);
  session.busy = true;
  renderState();
  announce(t('officer.sending'));
  try {
    let answer = null;
    for (let attempt = 0; ; attempt++) {
      try {
        answer = await postJson(`/api/v1/elections/${c.id}/transitions`, body);
        break;
      } catch (e) {
        // No answer: the same signed transition again (it cannot apply twice).
        if (e instanceof ApiError && e.status === 0 && attempt < TRANSITION_RETRIES) {
          await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
          continue;
        }
        throw e;
      }
    }
    c.state = answer.state;
    c.sequence = answer.sequence;
    syncListEntry(c);
    announce(t('officer.done', { state: t(`common.state.${answer.state}`) }));
  } catch (e) {
    showError(e);
  } finally {
    session.busy = false;
    await refreshTurnout();
    renderState();
    startTrusteePolling();
  }
}

// ---- practice ballot ----------------------------------------------------------------

function defaultPracticeCandidates() {
  return t('officer.practice_default_candidates').split('|');
}

function openPracticeForm() {
  clearError();
  const c = session.current;
  if (!c) return;
  session.practiceSeed = crypto.getRandomValues(new Uint8Array(32));
  session.practiceSeedSaved = false;
  $('practice-title').value = t('officer.practice_default_title', { title: c.fields.title });
  $('practice-candidates').value = defaultPracticeCandidates().join('\n');
  $('practice-create').disabled = true;
  $('practice-form').hidden = false;
  $('practice-title').focus();
}

function downloadPracticeSeed() {
  if (!session.practiceSeed) return;
  const name = `lot-seed-probe-${hexEncode(session.practiceSeed).slice(0, 8)}`;
  downloadFile(name, lotSeedFileText(session.practiceSeed), 'text/plain');
  session.practiceSeedSaved = true;
  $('practice-create').disabled = false;
  announce(t('officer.practice_seed_saved'));
}

async function createPractice(event) {
  event.preventDefault();
  const c = session.current;
  if (!c || !session.practiceSeed || !session.practiceSeedSaved || session.busy) return;
  clearError();
  session.busy = true;
  $('practice-create').disabled = true;
  try {
    const candidates = $('practice-candidates').value.split('\n');
    // Checked before a token key is made, so a typo costs no key.
    practiceManifestFields(c.fields, { title: $('practice-title').value, kind: 'x', candidates, tokenPublicKey: c.fields.tokenPublicKey, lotSeedCommitment: c.fields.lotSeedCommitment });
    const tokenKey = await officerPost('/api/v1/token-keys', undefined);
    const fields = practiceManifestFields(c.fields, {
      title: $('practice-title').value,
      kind: t('officer.practice_kind'),
      candidates,
      tokenPublicKey: base64urlDecode(tokenKey.token_public_key),
      lotSeedCommitment: lotSeedCommitment(session.practiceSeed),
    });
    const manifest = encodeManifest(fields);
    const check = readManifest(manifest); // the writer's output must read back (and gives the id)
    const answer = await officerPost('/api/v1/elections', { manifest: base64urlEncode(manifest) });
    if (answer.election_id !== check.electionIdHex) {
      throw Object.assign(new Error('election id mismatch'), { reason: 'election_id_mismatch' });
    }
    session.knownSeeds.set(check.electionIdHex, session.practiceSeed);
    session.practiceSeed = null;
    $('practice-form').hidden = true;
    announce(t('officer.practice_created'));
    await loadElections(check.electionIdHex);
  } catch (e) {
    showError(e);
    $('practice-create').disabled = false;
  } finally {
    session.busy = false;
    renderState();
  }
}

// ---- start ---------------------------------------------------------------------------

async function main() {
  await initI18n('officer');
  mountLanguageSwitch($('lang'));
  $('signin-form').addEventListener('submit', signIn);
  $('show-code').addEventListener('change', (e) => {
    $('officer-code').type = e.target.checked ? 'text' : 'password';
  });
  $('publish-button').addEventListener('click', () => transition('published'));
  $('open-button').addEventListener('click', () => transition('open'));
  $('close-button').addEventListener('click', () => transition('closed'));
  $('count-button').addEventListener('click', () => transition('tallied'));
  $('publish-result-button').addEventListener('click', () => transition('result_published'));
  $('quorum-percent').addEventListener('input', () => refreshTurnout());
  $('practice-button').addEventListener('click', openPracticeForm);
  $('practice-seed-download').addEventListener('click', downloadPracticeSeed);
  $('practice-form').addEventListener('submit', createPractice);
  $('practice-cancel').addEventListener('click', () => {
    session.practiceSeed = null;
    $('practice-form').hidden = true;
    $('practice-button').focus();
  });
  document.addEventListener('urne:language', () => {
    if (session.current) refreshTurnout();
  });
}

main();
