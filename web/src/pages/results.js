// The results page (/results, /results?e=<election id>, issue 7): the
// published result as a table and an SVG bar chart (drawn here with
// createElementNS, no chart library), elected and substitutes, abstentions
// and invalid ballots, ties and the lot with how to reproduce it, the board
// to download, and how to verify: the `urne audit` command, an in-browser
// audit of the board with the same JavaScript crypto (in a Web Worker, so the
// page stays responsive), a receipt check and the opening of a spoiled
// (challenged) ballot.
//
// Everything shown comes from the server's views; the page says so and
// offers the audit that checks them against the signed bytes.

import { currentLanguage, describeError, initI18n, mountLanguageSwitch, t } from '../app/i18n.js';
import { getBytes, getJson } from '../app/api.js';
import { announce, clear, el, focusHeading } from '../app/dom.js';
import {
  auditCommand, chartGeometry, isElectionId, lotSummary, resultFigures, resultRows, shortHex,
} from '../app/result_model.js';
import { base64urlDecode, hexEncode } from '../crypto/bytes.js';
import { readManifest } from '../crypto/canonical.js';
import { parseReceipt, parseReceiptFile, verifyReceipt } from '../crypto/receipt.js';
import { loadElection, openSpoiledBallot, parseSpoiledBallotFile, verifyCastBallot } from '../crypto/cast_ballot.js';
import { auditBoard } from '../crypto/audit.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_FILE = 2 << 20; // a spoiled-ballot file of 100 candidates is < 100 KB; a receipt 145 bytes
const $ = (id) => document.getElementById(id);

const page = { id: null, detail: null, manifest: null, result: null, auditRunning: false };

// ---- errors ----------------------------------------------------------------------

function errorText(e) {
  const { code, text } = describeError(e, { prefix: 'results.err', technical: true, fallback: 'results.err.generic' });
  return t('results.error_with_code', { text, code });
}

function showError(e) {
  $('error').textContent = errorText(e);
  $('error').hidden = false;
}

const stateText = (s) => t(`common.state.${s}`);

// ---- the list ------------------------------------------------------------------------

async function showList() {
  $('list').hidden = false;
  let list;
  try {
    list = await getJson('/api/v1/elections');
  } catch (e) {
    showError(e);
    return;
  }
  const published = clear($('election-links'));
  const other = clear($('other-links'));
  let n = 0;
  for (const e of Array.isArray(list.elections) ? list.elections : []) {
    if (!isElectionId(e.election_id)) continue;
    const item = el(
      'li',
      null,
      el('a', { href: `/results?e=${e.election_id}`, text: e.kind ? `${e.title} (${e.kind})` : e.title }),
      ' ',
      el('span', { class: 'hint', 'data-state': e.state, i18n: `common.state.${e.state}` }),
    );
    if (e.state === 'result_published') {
      published.append(item);
      n++;
    } else {
      other.append(item);
    }
  }
  $('list-empty').hidden = n > 0;
}

// ---- one election --------------------------------------------------------------------

async function showElection(id) {
  page.id = id;
  $('election').hidden = false;
  try {
    page.detail = await getJson(`/api/v1/elections/${id}`);
    // The manifest's bytes (they hash to the id) are what the checks below use.
    page.manifest = readManifest(base64urlDecode(page.detail.manifest.canonical));
    if (page.manifest.electionIdHex !== id) {
      throw Object.assign(new Error('manifest mismatch'), { reason: 'election_id_mismatch' });
    }
  } catch (e) {
    showError(e);
    return;
  }
  const title = page.manifest.kind ? `${page.manifest.title} (${page.manifest.kind})` : page.manifest.title;
  $('election-title').textContent = title;
  document.title = `urne – ${page.manifest.title}`;
  $('election-id').textContent = `${t('results.election_id')} ${id}`;
  const state = page.detail.state;
  const st = $('election-state');
  st.dataset.i18n = `common.state.${state}`;
  st.dataset.state = state;
  st.textContent = stateText(state);
  const afterClose = ['closed', 'tallied', 'result_published'].includes(state);
  $('not-published').hidden = state === 'result_published';
  $('downloads').hidden = !afterClose;
  $('verify').hidden = !afterClose;
  $('download-board').href = `/api/v1/elections/${id}/board.bin`;
  $('download-board').setAttribute('download', `board-${id.slice(0, 16)}.urne`);
  // The minutes (Wahlniederschrift) exist once the result is published. The
  // empty `download` attribute keeps the server's file name, which carries
  // the board's short fingerprint the minutes name.
  $('minutes-downloads').hidden = state !== 'result_published';
  $('download-minutes').href = `/api/v1/elections/${id}/minutes.html`;
  $('download-minutes-md').href = `/api/v1/elections/${id}/minutes.md`;
  $('audit-command').textContent = auditCommand(id, location.origin, t('results.fingerprint_placeholder'));
  if (state === 'result_published') {
    try {
      page.result = await getJson(`/api/v1/elections/${id}/result`);
      renderResult();
    } catch (e) {
      showError(e);
    }
  }
  focusHeading($('election-title'));
}

function statusText(row) {
  if (row.status === 'elected') return t('results.status_elected');
  if (row.status === 'substitute') return t('results.status_substitute', { place: row.substitutePlace });
  if (row.status === 'undecided') return t('results.status_undecided');
  return t('results.status_not_elected');
}

function percent(share) {
  if (share === null) return '–';
  return new Intl.NumberFormat(currentLanguage(), { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

function renderResult() {
  const view = page.result;
  if (!view) return;
  let rows;
  let figures;
  try {
    rows = resultRows(view);
    figures = resultFigures(view);
  } catch (e) {
    showError(e);
    return;
  }
  $('result').hidden = false;
  const byIndex = new Map(rows.map((r) => [r.index, r]));
  const name = (i) => (byIndex.get(i) ? byIndex.get(i).name : `#${i + 1}`);

  const dl = clear($('figures'));
  const fig = (key, value, testid) => {
    dl.append(el('dt', { i18n: key }), el('dd', { testid, text: String(value) }));
  };
  fig('results.fig_entitled', figures.entitled, 'entitled');
  fig('results.fig_checked_in', figures.checkedIn, 'checked-in');
  fig('results.fig_cast', figures.cast, 'cast');
  fig('results.fig_valid', figures.valid, 'valid');
  fig('results.fig_abstentions', figures.abstentions, 'abstentions');
  fig('results.fig_invalid', figures.invalid, 'invalid');

  const elected = clear($('elected'));
  for (const i of Array.isArray(view.elected) ? view.elected : []) elected.append(el('li', { 'data-index': i, text: name(i) }));
  if (!elected.firstChild) elected.append(el('li', { i18n: 'results.none' }));
  const subs = clear($('substitutes'));
  for (const i of Array.isArray(view.substitutes) ? view.substitutes : []) subs.append(el('li', { 'data-index': i, text: name(i) }));
  if (!subs.firstChild) subs.append(el('li', { i18n: 'results.none' }));

  const tbody = clear($('result-rows'));
  for (const r of rows) {
    tbody.append(
      el(
        'tr',
        { testid: `result-row-${r.index}`, 'data-marks': r.marks, 'data-status': r.status, class: `status-${r.status}` },
        el('td', { class: 'num', text: String(r.rank) }),
        el('th', { scope: 'row', text: r.name }),
        el('td', { text: r.affiliation }),
        el('td', { class: 'num', text: String(r.marks) }),
        el('td', { class: 'num', text: percent(r.share) }),
        el('td', null, el('span', { class: `badge badge-${r.status}`, text: statusText(r) })),
      ),
    );
  }
  drawChart(rows);
  renderLot(view, name);
  $('board-fingerprint').textContent = view.board_short_fingerprint
    ? t('results.board_fingerprint', { fp: view.board_short_fingerprint })
    : '';
  // The published board saved under the name the server and the minutes'
  // audit command give it ("urne audit --board board-<short>.urne").
  const compact = String(view.board_short_fingerprint ?? '').replace(/ /g, '');
  if (/^[0-9a-f]{16}$/.test(compact)) $('download-board').setAttribute('download', `board-${compact}.urne`);
}

/** The bar chart as SVG (createElementNS only; text through textContent). */
function drawChart(rows) {
  const host = clear($('chart-host'));
  const g = chartGeometry(rows);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${g.width} ${g.height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', 'chart-title chart-desc');
  svg.setAttribute('class', 'result-chart');
  svg.dataset.testid = 'result-chart';
  const title = document.createElementNS(SVG, 'title');
  title.id = 'chart-title';
  title.textContent = t('results.chart_title');
  const desc = document.createElementNS(SVG, 'desc');
  desc.id = 'chart-desc';
  // The text alternative says every number the bars show.
  desc.textContent = rows.map((r) => t('results.chart_desc_item', { name: r.name, marks: r.marks, status: statusText(r) })).join('; ');
  svg.append(title, desc);
  rows.forEach((r, i) => {
    const b = g.bars[i];
    const group = document.createElementNS(SVG, 'g');
    group.setAttribute('class', `bar bar-${r.status}`);
    group.setAttribute('aria-hidden', 'true');
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', String(b.barX - 8));
    label.setAttribute('y', String(b.textY));
    label.setAttribute('text-anchor', 'end');
    label.setAttribute('dominant-baseline', 'middle');
    label.setAttribute('class', 'bar-label');
    label.textContent = r.name.length > 26 ? `${r.name.slice(0, 25)}…` : r.name;
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('x', String(b.barX));
    rect.setAttribute('y', String(b.y));
    rect.setAttribute('width', String(Math.max(b.barWidth, 0)));
    rect.setAttribute('height', String(b.barHeight));
    rect.setAttribute('class', 'bar-rect');
    const value = document.createElementNS(SVG, 'text');
    value.setAttribute('x', String(b.valueX));
    value.setAttribute('y', String(b.textY));
    value.setAttribute('dominant-baseline', 'middle');
    value.setAttribute('class', 'bar-value');
    // Not by colour alone: the status is a mark next to the number too.
    const mark = r.status === 'elected' ? ' ✓' : r.status === 'substitute' ? ` N${r.substitutePlace}` : '';
    value.textContent = `${r.marks}${mark}`;
    group.append(label, rect, value);
    svg.append(group);
  });
  host.append(svg);
  $('chart-caption').textContent = t('results.chart_caption');
}

function renderLot(view, name) {
  const body = clear($('lot-body'));
  const lot = lotSummary(view);
  if (lot.groups.length === 0) {
    body.append(el('p', { i18n: 'results.no_ties' }));
    return;
  }
  const ul = el('ul', { class: 'ties' });
  for (const g of lot.groups) {
    const members = g.members.map(name).join(', ');
    const params = { members, marks: g.marks, first: g.firstRank, last: g.lastRank };
    const li = el('li', { 'data-resolution': g.resolution }, el('span', { i18n: `results.tie_${g.resolution}`, i18nParams: params }));
    if (g.drawnOrder) {
      li.append(' ', el('span', { i18n: 'results.tie_drawn_order', i18nParams: { order: g.drawnOrder.map(name).join(' → ') } }));
    }
    ul.append(li);
  }
  body.append(ul);
  if (lot.undecidedRanks.length > 0) {
    body.append(el('p', { class: 'warning', i18n: 'results.undecided', i18nParams: { ranks: lot.undecidedRanks.join(', ') } }));
  }
  if (!lot.drawn) {
    body.append(el('p', { i18n: 'results.lot_not_drawn' }));
    return;
  }
  const facts = el('dl', { class: 'facts' });
  facts.append(el('dt', { i18n: 'results.lot_seed' }), el('dd', null, el('code', { class: 'ltr', text: lot.seed || '' })));
  facts.append(el('dt', { i18n: 'results.lot_ballot_set' }), el('dd', null, el('code', { class: 'ltr', text: lot.ballotSetHash || '' })));
  for (const k of lot.keys) {
    facts.append(el('dt', { text: name(k.candidate) }), el('dd', null, el('code', { class: 'ltr', text: k.key })));
  }
  body.append(
    el('p', { i18n: 'results.lot_keys_intro' }),
    facts,
    el('p', { i18n: 'results.lot_explain' }),
    el('p', { i18n: 'results.lot_reproduce' }),
  );
}

// ---- in-browser audit ---------------------------------------------------------------

function setProgress(done, total) {
  const p = $('verify-progress');
  p.max = total > 0 ? total : 1;
  p.value = Math.min(done, p.max);
  p.setAttribute('aria-valuetext', t('results.verify_progress_text', { done, total }));
}

/** Runs auditBoard in a module Web Worker; falls back to this thread where workers are unavailable. */
function runAudit(bytes, scope) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker('/assets/audit_worker.js', { type: 'module' });
    } catch {
      auditBoard(bytes, { scope, onProgress: setProgress }).then(resolve, reject);
      return;
    }
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (m.type === 'progress') setProgress(m.done, m.total);
      else if (m.type === 'done') {
        worker.terminate();
        resolve(m.report);
      } else if (m.type === 'error') {
        worker.terminate();
        reject(Object.assign(new Error(m.message), { reason: m.reason }));
      }
    };
    worker.onerror = (ev) => {
      worker.terminate();
      reject(Object.assign(new Error(ev.message || 'worker failed'), { reason: 'audit_worker_failed' }));
    };
    worker.postMessage({ bytes, scope }, [bytes.buffer]);
  });
}

async function verifyInBrowser() {
  if (page.auditRunning) return;
  page.auditRunning = true;
  const button = $('verify-button');
  button.disabled = true;
  $('verify-status').hidden = false;
  const verdict = $('verify-verdict');
  verdict.removeAttribute('data-verdict');
  verdict.className = '';
  verdict.textContent = t('results.verify_downloading');
  const list = clear($('verify-checks'));
  setProgress(0, 1);
  const scope = page.detail && page.detail.state === 'result_published' ? 'final' : 'closed';
  try {
    const bytes = await getBytes(`/api/v1/elections/${page.id}/board.bin`);
    verdict.textContent = t('results.verify_running');
    announce(t('results.verify_running'));
    const report = await runAudit(bytes, scope);
    for (const c of report.checks) {
      list.append(
        el(
          'li',
          { 'data-check': c.name, 'data-status': c.status, class: `check check-${c.status}` },
          el('span', { class: 'check-status', i18n: `results.check_status.${c.status}` }),
          ' ',
          el('code', { class: 'ltr', text: c.name }),
          ' ',
          el('span', { class: 'check-what', i18n: `results.check.${c.name}` }),
          c.detail ? el('span', { class: 'check-detail hint', text: ` (${c.detail})` }) : null,
        ),
      );
    }
    verdict.dataset.verdict = report.verdict;
    verdict.className = report.verdict === 'pass' ? 'success' : 'error';
    verdict.dataset.i18n = report.verdict === 'pass' ? 'results.verdict_pass' : 'results.verdict_fail';
    verdict.textContent = t(verdict.dataset.i18n);
    announce(verdict.textContent);
  } catch (e) {
    verdict.dataset.verdict = 'fail';
    verdict.className = 'error';
    verdict.removeAttribute('data-i18n');
    verdict.textContent = `${t('results.verdict_fail')} ${errorText(e)}`;
    announce(verdict.textContent);
  } finally {
    page.auditRunning = false;
    button.disabled = false;
  }
}

// ---- receipt and spoiled ballot -------------------------------------------------------

async function readFileInput(input) {
  const file = input.files && input.files[0];
  if (!file) return null;
  if (file.size > MAX_FILE) throw Object.assign(new Error('file too large'), { reason: 'file_too_large' });
  return new Uint8Array(await file.arrayBuffer());
}

function resultBox(box, ok, key, params, extra = []) {
  clear(box);
  box.dataset.ok = ok ? 'true' : 'false';
  box.className = ok ? 'success' : 'error';
  box.append(el('p', { i18n: key, i18nParams: params }), ...extra);
}

async function checkReceipt() {
  const box = $('receipt-check-result');
  try {
    const bytes = await readFileInput($('receipt-check-input'));
    if (!bytes) return;
    const text = new TextDecoder().decode(bytes).trim();
    // The voting page's JSON form ({canonical, …}) or the CLI's file (base64url or raw bytes).
    const receipt = text.startsWith('{') ? parseReceipt(base64urlDecode(JSON.parse(text).canonical || '')) : parseReceiptFile(bytes);
    if (hexEncode(receipt.electionId) !== page.id) {
      throw Object.assign(new Error('other election'), { reason: 'receipt_other_election' });
    }
    verifyReceipt(receipt, page.manifest.serviceKey, page.manifest.electionId, receipt.ballotHash);
    const short = shortHex(receipt.ballotHash);
    if (!['closed', 'tallied', 'result_published'].includes(page.detail.state)) {
      resultBox(box, true, 'results.receipt_signed_board_later', { hash: short });
      return;
    }
    const board = await getJson(`/api/v1/elections/${page.id}/board`);
    const hash = hexEncode(receipt.ballotHash);
    const onBoard = Array.isArray(board.ballots) && board.ballots.some((b) => b.ballot_hash === hash);
    resultBox(box, onBoard, onBoard ? 'results.receipt_on_board' : 'results.receipt_not_on_board', { hash: short });
  } catch (e) {
    resultBox(box, false, 'results.receipt_invalid', { reason: errorText(e) });
  }
  announce(box.textContent);
}

async function checkSpoiled() {
  const box = $('spoiled-check-result');
  try {
    const bytes = await readFileInput($('spoiled-check-input'));
    if (!bytes) return;
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const election = await loadElection(base64urlDecode(page.detail.manifest.canonical));
    const { ballot, randomness } = parseSpoiledBallotFile(text, election.electionId);
    await verifyCastBallot(election, ballot);
    const choice = openSpoiledBallot(election, ballot, randomness);
    const names = page.manifest.candidates;
    const items = [];
    if (choice.abstain) items.push(el('li', { i18n: 'results.spoiled_abstain' }));
    if (choice.invalid) items.push(el('li', { i18n: 'results.spoiled_invalid' }));
    for (const i of choice.marks) {
      const c = names[i];
      items.push(el('li', { text: c ? (c.affiliation ? `${c.name} (${c.affiliation})` : c.name) : `#${i + 1}` }));
    }
    if (items.length === 0) items.push(el('li', { i18n: 'results.spoiled_empty' }));
    resultBox(box, true, 'results.spoiled_ok', { hash: shortHex(ballot.hash) }, [
      el('ul', { class: 'spoiled-choice' }, items),
      el('p', { class: 'hint', i18n: 'results.spoiled_compare' }),
    ]);
  } catch (e) {
    resultBox(box, false, 'results.spoiled_failed', { reason: errorText(e) });
  }
  announce(box.textContent);
}

// ---- start -------------------------------------------------------------------------------

async function main() {
  await initI18n('results');
  mountLanguageSwitch($('lang'));
  $('verify-button').addEventListener('click', verifyInBrowser);
  $('receipt-check-input').addEventListener('change', checkReceipt);
  $('spoiled-check-input').addEventListener('change', checkSpoiled);
  document.addEventListener('urne:language', () => {
    if (page.result) renderResult();
    if (page.id) $('audit-command').textContent = auditCommand(page.id, location.origin, t('results.fingerprint_placeholder'));
  });
  const id = new URLSearchParams(location.search).get('e');
  if (id === null) {
    await showList();
  } else if (isElectionId(id)) {
    await showElection(id);
  } else {
    showError(Object.assign(new Error('bad id'), { reason: 'election_not_found' }));
  }
}

main();
