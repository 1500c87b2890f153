// Pure helpers of the results page, the officer dashboard and the projector:
// they turn the server's views (docs/json.md) into what the pages draw —
// table rows, bar-chart geometry, the lot's explanation, the audit command,
// the quorum — and read the lot-seed file the officer brings. No DOM, no
// fetch: tested in Node (test/result_model.test.js).
//
// The views are the server's, so they are checked only as far as drawing
// them needs (a number is a non-negative integer, an index names a
// candidate); whether the numbers are *right* is the audit's job
// (auditBoard / `urne audit`), which the page offers next to them.

import { hexDecode, hexEncode } from '../crypto/bytes.js';
import { fail } from '../crypto/errors.js';

/** The life cycle in order (docs/api.md "Election life cycle"). */
export const STATE_ORDER = Object.freeze(['draft', 'published', 'open', 'closed', 'tallied', 'result_published']);

function count(v, field) {
  if (!Number.isSafeInteger(v) || v < 0) fail('bad_result_view', `${field} is not a count`);
  return v;
}

/**
 * The candidates of a result view as table rows, in final rank order
 * (view.ranking): {index, name, affiliation, marks, rank, status,
 * substitutePlace (1, 2, … or null), share (marks / valid ballots, 0..1, or
 * null without valid ballots)}. Throws 'bad_result_view' when the view does
 * not fit together (a ranking index that names no candidate, a candidate
 * twice).
 */
export function resultRows(view) {
  if (!view || !Array.isArray(view.candidates)) fail('bad_result_view', 'no candidates');
  const byIndex = new Map();
  for (const c of view.candidates) {
    const index = count(c.index, 'candidates[].index');
    if (byIndex.has(index)) fail('bad_result_view', `candidate ${index} twice`);
    byIndex.set(index, c);
  }
  const order = Array.isArray(view.ranking) && view.ranking.length === byIndex.size ? view.ranking : [...byIndex.keys()];
  const valid = Number.isSafeInteger(view.valid) && view.valid > 0 ? view.valid : 0;
  const seen = new Set();
  return order.map((index) => {
    const c = byIndex.get(index);
    if (!c || seen.has(index)) fail('bad_result_view', `ranking names candidate ${index} wrongly`);
    seen.add(index);
    const marks = count(c.marks, 'candidates[].marks');
    return {
      index,
      // An index the manifest does not have has no name (json.md): show the number.
      name: typeof c.name === 'string' ? c.name : `#${index + 1}`,
      affiliation: typeof c.affiliation === 'string' ? c.affiliation : '',
      marks,
      rank: count(c.rank, 'candidates[].rank'),
      status: c.status,
      substitutePlace: c.status === 'substitute' && Number.isSafeInteger(c.substitute_place) ? c.substitute_place : null,
      share: valid > 0 ? marks / valid : null,
    };
  });
}

/**
 * The turnout figures of a result view: {entitled, checkedIn, cast, valid,
 * abstentions, invalid}, every one a checked count.
 */
export function resultFigures(view) {
  return {
    entitled: count(view.entitled, 'entitled'),
    checkedIn: count(view.checked_in, 'checked_in'),
    cast: count(view.ballots_cast, 'ballots_cast'),
    valid: count(view.valid, 'valid'),
    abstentions: count(view.abstentions, 'abstentions'),
    invalid: count(view.invalid, 'invalid'),
  };
}

/**
 * Geometry of a horizontal bar chart of `rows` (resultRows), one bar per
 * row in the rows' order, in an SVG user space of `width` units:
 * {width, height, labelWidth, maxMarks, bars: [{index, y, barX, barWidth,
 * barHeight, textY, valueX}]}. Bars start after the label column; the
 * longest bar (most marks) fills the plot area minus room for its number;
 * a bar with 0 marks has width 0. Right-to-left pages mirror the drawing
 * with a transform, not here, so the numbers stay the same.
 */
export function chartGeometry(rows, { width = 640, barHeight = 28, gap = 10, labelWidth = 220, valueRoom = 48 } = {}) {
  const maxMarks = rows.reduce((m, r) => Math.max(m, r.marks), 0);
  const plot = Math.max(0, width - labelWidth - valueRoom);
  const bars = rows.map((r, i) => {
    const y = gap + i * (barHeight + gap);
    const barWidth = maxMarks > 0 ? (r.marks / maxMarks) * plot : 0;
    return {
      index: r.index,
      y,
      barX: labelWidth,
      barWidth,
      barHeight,
      textY: y + barHeight / 2,
      valueX: labelWidth + barWidth + 6,
    };
  });
  return { width, height: gap + rows.length * (barHeight + gap), labelWidth, maxMarks, bars };
}

/**
 * What the page says about ties and the lot: {drawn, seed, ballotSetHash,
 * keys: [{candidate, key}], groups: [{marks, members, firstRank, lastRank,
 * resolution, drawnOrder}]} with members / drawnOrder as candidate indices.
 * groups lists every tie (json.md: also those that did not matter).
 */
export function lotSummary(view) {
  const lot = view.lot || {};
  const groups = (Array.isArray(view.ties) ? view.ties : []).map((g) => ({
    marks: count(g.marks, 'ties[].marks'),
    members: Array.isArray(g.members) ? g.members.slice() : [],
    firstRank: count(g.first_rank, 'ties[].first_rank'),
    lastRank: count(g.last_rank, 'ties[].last_rank'),
    resolution: g.resolution,
    drawnOrder: Array.isArray(g.drawn_order) ? g.drawn_order.slice() : null,
  }));
  return {
    drawn: lot.drawn === true,
    seed: typeof lot.seed === 'string' ? lot.seed : null,
    ballotSetHash: typeof lot.ballot_set_hash === 'string' ? lot.ballot_set_hash : null,
    keys: Array.isArray(lot.keys) ? lot.keys.map((k) => ({ candidate: k.candidate, key: k.key })) : [],
    groups,
    undecidedRanks: Array.isArray(view.undecided_ranks) ? view.undecided_ranks.slice() : [],
  };
}

const ELECTION_ID = /^[0-9a-f]{64}$/;

/** true for an election id as the API spells it (64 lower-case hex digits). */
export function isElectionId(text) {
  return typeof text === 'string' && ELECTION_ID.test(text);
}

/**
 * The `urne audit` command for an election on the server at `origin`
 * (e.g. "https://127.0.0.1:8443"). The certificate fingerprint cannot be
 * known by a page (the browser does not expose it): the placeholder
 * `fingerprintPlaceholder` stands for it, and the page explains where to get
 * it. Throws 'bad_election_id' for anything but an election id.
 */
export function auditCommand(electionId, origin, fingerprintPlaceholder = 'SHA-256-DES-ZERTIFIKATS') {
  if (!isElectionId(electionId)) fail('bad_election_id', 'not an election id');
  if (!/^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin)) fail('bad_origin', 'not an origin');
  return `urne audit --election ${electionId} --server ${origin} --fingerprint ${fingerprintPlaceholder}`;
}

/**
 * The quorum from the turnout counts: {entitled, checkedIn, needed,
 * reached}. needed is the least number of institutions that is *more than*
 * `fraction` of the entitled (default 1/2: more than half), so 50 entitled
 * need 26 and 51 need 26. fraction must be in [0, 1).
 */
export function quorumStatus(entitled, checkedIn, fraction = 0.5) {
  count(entitled, 'entitled');
  count(checkedIn, 'checked_in');
  if (!(fraction >= 0 && fraction < 1)) fail('bad_quorum_fraction', 'the quorum fraction is in [0, 1)');
  // Exact for the fractions people type (1/2, 2/3 as 0.6667 …): compare in integers where possible.
  const needed = Math.min(entitled, Math.floor(entitled * fraction + 1e-9) + 1);
  return { entitled, checkedIn, needed, reached: entitled > 0 && checkedIn >= needed };
}

/**
 * The officer's next transition from the election's current state and
 * sequence: {state, sequence} (sequence = current + 1), or null after
 * result_published. Throws 'bad_state' for an unknown state name.
 */
export function nextTransition(state, sequence) {
  const i = STATE_ORDER.indexOf(state);
  if (i < 0) fail('bad_state', `unknown state ${state}`);
  count(sequence, 'sequence');
  if (i === STATE_ORDER.length - 1) return null;
  return { state: STATE_ORDER[i + 1], sequence: sequence + 1 };
}

/**
 * Reads the lot seed as `urne officer election create` writes it (64 hex
 * digits and a newline, cli/officer.cpp read_lot_seed) or as pasted: spaces
 * and line breaks around it are ignored, upper-case hex is accepted (the
 * officer may retype it). Anything else is 'lot_seed_malformed'.
 */
export function parseLotSeedText(text) {
  const s = String(text).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(s)) fail('lot_seed_malformed', 'a lot seed is 64 hex digits');
  return hexDecode(s);
}

/** The lot-seed file's content for `seed` (32 bytes), exactly as the CLI writes it. */
export function lotSeedFileText(seed) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('a lot seed is 32 bytes');
  return `${hexEncode(seed)}\n`;
}

/**
 * The first 8 bytes of a 32-byte value as four groups of four hex digits,
 * "d308 e90d bde0 3626", as letters, receipts and the board show it.
 */
export function shortHex(bytesOrHex) {
  const hex = typeof bytesOrHex === 'string' ? bytesOrHex : hexEncode(bytesOrHex);
  return hex.slice(0, 16).match(/.{4}/g).join(' ');
}

/**
 * The trustees' progress from a board view (json.md §2.6): {threshold k,
 * trustees n, done: [trustee numbers with partials], enough: done ≥ k}.
 * Before the close (a board summary without manifest) it returns null.
 */
export function trusteeProgress(board) {
  if (!board || !board.manifest) return null;
  const k = count(board.manifest.threshold, 'manifest.threshold');
  const n = count(board.manifest.trustees, 'manifest.trustees');
  const done = (Array.isArray(board.partials) ? board.partials : []).map((p) => count(p.trustee, 'partials[].trustee'));
  return { threshold: k, trustees: n, done, enough: done.length >= k };
}

/**
 * The practice ballot's manifest fields (for manifest_writer.js
 * encodeManifest) from the fields of the election it is practised for
 * (canonical.js readManifest): same roster, trustees' commitments, service
 * and officer keys, page hash, issuer name, tie rule and "ungültig" offer;
 * new title and kind, the given candidates, a fresh token key and lot-seed
 * commitment. The rule fits the candidates: at most as many marks as
 * candidates; with two candidates or fewer (the default yes/no) one mark,
 * one seat, no substitutes. Names are trimmed and NFC-normalized; empty
 * lines are dropped; 'duplicate_candidate' / 'no_candidates' /
 * 'too_many_candidates' for lists the manifest cannot hold.
 */
export function practiceManifestFields(base, { title, kind, candidates, tokenPublicKey, lotSeedCommitment }) {
  const names = candidates.map((c) => String(c).normalize('NFC').trim()).filter((c) => c.length > 0);
  if (names.length === 0) fail('no_candidates', 'a practice ballot needs candidates');
  if (names.length > 100) fail('too_many_candidates', 'at most 100 candidates');
  if (new Set(names).size !== names.length) fail('duplicate_candidate', 'a candidate is listed twice');
  const small = names.length <= 2;
  return {
    ...base,
    title: truncateUtf8(String(title).normalize('NFC').trim(), 200),
    kind: truncateUtf8(String(kind).normalize('NFC').trim(), 100),
    description: null,
    candidates: names.map((name) => ({ name: truncateUtf8(name, 200), affiliation: '' })),
    seats: small ? 1 : base.seats,
    substitutes: small ? 0 : base.substitutes,
    maxMarks: small ? 1 : Math.min(base.maxMarks, names.length, 16),
    lotSeedCommitment,
    tokenPublicKey,
  };
}

/** Cuts `text` to at most `max` UTF-8 bytes without splitting a character; no trailing space. */
export function truncateUtf8(text, max) {
  const enc = new TextEncoder();
  if (enc.encode(text).length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (enc.encode(out + ch).length > max) break;
    out += ch;
  }
  return out.trimEnd();
}
