// Small DOM helpers shared by every page. No innerHTML anywhere: data only
// ever reaches the page as text nodes (textContent), so a hostile candidate
// name or server message cannot become markup.

import { t } from './i18n.js';

/**
 * Creates an element. `attrs` (may be null):
 *   class: string; text: textContent; testid: data-testid;
 *   i18n: translation key (textContent = t(key, i18nParams), re-applied on a
 *   language switch by applyTranslations); i18nParams: object;
 *   i18nAttr: "aria-label:key;placeholder:key2";
 *   on<Event>: function -> addEventListener; hidden/disabled/checked/value/
 *   type/name/id/htmlFor/tabIndex: set as properties; anything else: an
 *   attribute (true -> "", false/null/undefined -> omitted).
 * Children: nodes or strings (text nodes); null/false are skipped, arrays
 * are flattened.
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const PROPERTIES = new Set(['hidden', 'disabled', 'checked', 'value', 'type', 'name', 'id', 'htmlFor', 'tabIndex', 'min', 'max', 'required', 'multiple', 'selected']);

function setAttrs(node, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) {
      if (k === 'hidden' || k === 'disabled' || k === 'checked') node[k] = false;
      continue;
    }
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = String(v);
    else if (k === 'testid') node.dataset.testid = v;
    else if (k === 'i18n') node.dataset.i18n = v;
    else if (k === 'i18nParams') node.dataset.i18nParams = JSON.stringify(v);
    else if (k === 'i18nAttr') node.dataset.i18nAttr = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2).toLowerCase(), v);
    else if (PROPERTIES.has(k)) node[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  if (node.dataset.i18n) node.textContent = t(node.dataset.i18n, attrs.i18nParams);
  if (node.dataset.i18nAttr) translateAttrs(node);
}

/** Applies data-i18n-attr="attr:key;attr2:key2" to one element. */
export function translateAttrs(node) {
  for (const pair of node.dataset.i18nAttr.split(';')) {
    const i = pair.indexOf(':');
    if (i > 0) node.setAttribute(pair.slice(0, i).trim(), t(pair.slice(i + 1).trim()));
  }
}

function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Removes every child of `node`; returns it. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

let liveRegion = null;

/**
 * Says `text` through a polite aria-live region (created once, visually
 * hidden). The region is emptied first so that the same text said twice is
 * announced twice.
 */
export function announce(text) {
  if (!liveRegion) {
    liveRegion = el('div', { class: 'sr-only', 'aria-live': 'polite', role: 'status', 'data-announcer': '' });
    document.body.append(liveRegion);
  }
  liveRegion.textContent = '';
  setTimeout(() => {
    liveRegion.textContent = text;
  }, 50);
}

/**
 * Moves the keyboard and screen-reader focus to `node` (a step's heading),
 * making it focusable without putting it into the tab order.
 */
export function focusHeading(node) {
  if (!node) return;
  if (!node.hasAttribute('tabindex')) node.setAttribute('tabindex', '-1');
  node.focus({ preventScroll: false });
}

/**
 * Offers `content` (string or Uint8Array) as a file download named `name`,
 * through a blob: URL (allowed by the CSP) that is revoked afterwards.
 */
export function downloadFile(name, content, type = 'application/json') {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, class: 'sr-only' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Shows or hides `node` (the `hidden` property). */
export function show(node, visible = true) {
  if (node) node.hidden = !visible;
}
