// Translations for every page. Texts live in /i18n/<lang>/<file>.json (flat
// objects "key": "Text mit {param}"); German is authoritative and the
// fallback for any key a language lacks. The choice is remembered in
// localStorage 'urne.lang'. A language switch re-applies the texts in place
// (no reload: a reload would cost a delegate their place on the page).

import { el, translateAttrs } from './dom.js';

/**
 * The languages we have. `reviewed: false` = machine-quality translation not
 * yet checked by a native speaker (the page says so).
 */
export const LANGUAGES = Object.freeze([
  { code: 'de', name: 'Deutsch', dir: 'ltr', reviewed: true },
  { code: 'en', name: 'English', dir: 'ltr', reviewed: true },
  { code: 'ru', name: 'Русский', dir: 'ltr', reviewed: false },
  { code: 'uk', name: 'Українська', dir: 'ltr', reviewed: false },
  { code: 'ar', name: 'العربية', dir: 'rtl', reviewed: false },
  { code: 'tr', name: 'Türkçe', dir: 'ltr', reviewed: false },
]);

const STORAGE_KEY = 'urne.lang';
const FALLBACK = 'de';

let currentPage = null;
let current = FALLBACK;
let texts = {}; // the current language's keys
let german = {}; // the fallback
const cache = new Map(); // `${lang}/${file}` -> object

/** The current language code ('de', 'en', …). */
export function currentLanguage() {
  return current;
}

/** The LANGUAGES entry of `code`, or undefined. */
export function languageInfo(code) {
  return LANGUAGES.find((l) => l.code === code);
}

/**
 * Picks the language: the remembered choice, else the first of the browser's
 * languages we have (matching 'de-AT' to 'de'), else German.
 */
export function chooseLanguage(stored, browserLanguages) {
  if (stored && languageInfo(stored)) return stored;
  for (const l of browserLanguages || []) {
    const base = String(l).toLowerCase().split('-')[0];
    if (languageInfo(base)) return base;
  }
  return FALLBACK;
}

/**
 * Replaces "{name}" placeholders with params.name; a missing param stays
 * visible as "{name}" (a bug shows instead of vanishing).
 */
export function format(text, params) {
  if (!params) return text;
  return text.replace(/\{([a-zA-Z0-9_]+)\}/g, (m, k) => (Object.hasOwn(params, k) ? String(params[k]) : m));
}

async function loadFile(lang, file) {
  const k = `${lang}/${file}`;
  if (cache.has(k)) return cache.get(k);
  let obj = {};
  try {
    const r = await fetch(`/i18n/${lang}/${file}.json`, { cache: 'no-cache', credentials: 'same-origin' });
    if (r.ok) obj = await r.json();
  } catch {
    // A missing translation file falls back to German key by key; the page
    // must still work.
  }
  cache.set(k, obj);
  return obj;
}

async function loadLanguage(lang) {
  const [common, page] = await Promise.all([loadFile(lang, 'common'), currentPage ? loadFile(lang, currentPage) : {}]);
  return { ...common, ...page };
}

function storedLanguage() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * Loads common.json + <page>.json of the chosen language (and German as the
 * fallback), sets <html lang dir>, shows the "not yet reviewed" notice and
 * translates the document. page = 'vote'|'officer'|'results'|'projector'.
 */
export async function initI18n(page) {
  currentPage = page;
  const lang = chooseLanguage(storedLanguage(), navigator.languages || [navigator.language]);
  german = await loadLanguage(FALLBACK);
  await switchTo(lang, false);
}

async function switchTo(lang, remember) {
  const info = languageInfo(lang) || languageInfo(FALLBACK);
  texts = info.code === FALLBACK ? german : await loadLanguage(info.code);
  current = info.code;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, info.code);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  }
  document.documentElement.lang = info.code;
  document.documentElement.dir = info.dir;
  updateUnreviewedNotice(info);
  applyTranslations(document);
  document.dispatchEvent(new CustomEvent('urne:language', { detail: { lang: info.code } }));
}

/** Switches to `code`, remembers it, re-applies all texts, fires 'urne:language'. */
export async function setLanguage(code) {
  await switchTo(code, true);
}

function updateUnreviewedNotice(info) {
  let notice = document.querySelector('[data-testid="translation-unreviewed"]');
  if (!notice) {
    notice = el('p', { class: 'notice', testid: 'translation-unreviewed', i18n: 'common.translation_unreviewed' });
    const host = document.querySelector('header') || document.body;
    host.append(notice);
  }
  notice.hidden = info.reviewed;
}

/**
 * The text of `key` in the current language, else German, else the key
 * itself; "{name}" placeholders are filled from `params`.
 */
export function t(key, params) {
  const text = Object.hasOwn(texts, key) ? texts[key] : Object.hasOwn(german, key) ? german[key] : key;
  return format(text, params && languageInfo(current)?.dir === 'rtl' ? isolate(params) : params);
}

// In a right-to-left text, a Latin name or number inserted into it is
// wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE so its own
// direction cannot reorder the sentence around it.
function isolate(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) out[k] = `\u2068${v}\u2069`;
  return out;
}

/** True if `key` has a text in the current language or in German. */
export function hasText(key) {
  return Object.hasOwn(texts, key) || Object.hasOwn(german, key);
}

/**
 * The human message and the stable code of an error (ApiError: .code,
 * UrneError: .reason): our translation "error.<code>" if we have one, else
 * the server's own text in the current language (it sends de and en), else a
 * generic text. The code is always shown next to it, so a delegate can read
 * it out to the officer. Options: `prefix` (a page's own texts
 * "<prefix>.<code>", looked up first), `technical` (fall back to the
 * error's own message, for the auditor's checks), `fallback` (the generic
 * text's key).
 */
export function describeError(err, { prefix = null, technical = false, fallback = 'error.unknown' } = {}) {
  const code = (err && (err.code || err.reason)) || 'internal_error';
  let text;
  if (prefix && hasText(`${prefix}.${code}`)) text = t(`${prefix}.${code}`);
  else if (hasText(`error.${code}`)) text = t(`error.${code}`);
  else if (err && err.messages && typeof err.messages === 'object') text = err.messages[current] || err.messages.en || err.messages.de;
  // An auditor's page may show a check's own (English) message.
  if (!text && technical && err && typeof err.message === 'string') text = err.message;
  if (!text) text = t(fallback);
  return { code, text };
}

/**
 * Translates every [data-i18n] (textContent, with JSON params from
 * data-i18n-params) and [data-i18n-attr="aria-label:key;placeholder:key2"]
 * under `root`.
 */
export function applyTranslations(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) {
    let params;
    if (node.dataset.i18nParams) {
      try {
        params = JSON.parse(node.dataset.i18nParams);
      } catch {
        params = undefined;
      }
    }
    node.textContent = t(node.dataset.i18n, params);
  }
  for (const node of root.querySelectorAll('[data-i18n-attr]')) translateAttrs(node);
}

/**
 * Puts a labelled <select data-testid="lang-switch"> into `container`; a
 * change switches the language in place and remembers it.
 */
export function mountLanguageSwitch(container) {
  const id = 'lang-switch';
  const select = el('select', { id, testid: 'lang-switch', class: 'lang-switch' });
  for (const l of LANGUAGES) {
    // The names stay in their own language and direction so everyone finds theirs.
    select.append(el('option', { value: l.code, lang: l.code, dir: l.dir, text: l.name }));
  }
  select.value = current;
  select.addEventListener('change', () => setLanguage(select.value));
  document.addEventListener('urne:language', () => {
    select.value = current;
  });
  container.append(el('label', { htmlFor: id, i18n: 'common.language' }), select);
  return select;
}
