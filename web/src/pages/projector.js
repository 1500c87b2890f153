// The projector view (/projector?e=<election id>): the public counts of one
// election in very large figures for the hall — state, institutions
// entitled, checked in (tokens issued), ballots cast — refreshed every few
// seconds. No sign-in: it reads only GET …/turnout, which every visitor may
// read (counts only, never who or what).

import { initI18n, mountLanguageSwitch, t } from '../app/i18n.js';
import { ApiError, getJson } from '../app/api.js';
import { isElectionId } from '../app/result_model.js';

const REFRESH_MS = 2500;
const $ = (id) => document.getElementById(id);

let last = null;

function showError(code) {
  const box = $('error');
  box.textContent = t('projector.error', { code });
  box.hidden = false;
}

function setNumber(id, v) {
  $(id).textContent = Number.isSafeInteger(v) ? String(v) : '–';
}

function render() {
  if (!last) return;
  const state = $('projector-state');
  state.dataset.state = last.state;
  state.textContent = t(`common.state.${last.state}`);
  setNumber('projector-entitled', last.institutions);
  setNumber('projector-tokens', last.tokens_issued);
  setNumber('projector-ballots', last.ballots_cast);
  $('projector-updated').textContent = t('projector.updated', { time: new Date().toLocaleTimeString() });
}

async function refresh(id) {
  try {
    last = await getJson(`/api/v1/elections/${id}/turnout`);
    $('error').hidden = true;
    render();
  } catch (e) {
    // A lost connection keeps the last numbers on screen and says so.
    showError(e instanceof ApiError ? e.code : 'internal');
  }
}

async function main() {
  await initI18n('projector');
  mountLanguageSwitch($('lang'));
  const id = new URLSearchParams(location.search).get('e');
  if (!isElectionId(id)) {
    showError('election_not_found');
    return;
  }
  try {
    const detail = await getJson(`/api/v1/elections/${id}`);
    const title = detail.manifest && typeof detail.manifest.title === 'string' ? detail.manifest.title : '';
    if (title) {
      $('projector-title').removeAttribute('data-i18n');
      $('projector-title').textContent = title;
      document.title = `urne – ${title}`;
    }
  } catch (e) {
    showError(e instanceof ApiError ? e.code : 'internal');
  }
  await refresh(id);
  setInterval(() => refresh(id), REFRESH_MS);
  document.addEventListener('urne:language', render);
}

main();
