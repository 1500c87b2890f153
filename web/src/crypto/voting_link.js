// The voting link of the letters (docs/files.md), parsed exactly as
// cli/letters.cpp parse_voting_link:
//
//   <vote-url>#i=<institution id, percent-encoded>&c=<XXXX-XXXX-…-XXXX>
//             &x=<credential context, base64url>&r=<roster fingerprint, 64 hex>
//
// Strict: at most 2048 characters of printable ASCII, one '#', exactly the
// four parameters i, c, x, r in this order, each in its one text form. Every
// refusal is UrneError "voting_link_malformed"; the message says which part
// and never contains the code.
//
// On the page, pass location.href (or "#" + the fragment): the part before
// '#' is only checked to be printable ASCII and non-empty.

import { fail } from './errors.js';
import { base64urlDecode, base64urlEncode, hexDecode, hexEncode, isLowerHex, wipe } from './bytes.js';
import { UrneError } from './errors.js';
import { formatVotingCode, parseVotingCode } from './voting_code.js';
import { checkInstitutionId } from './credential.js';

export const MAX_VOTING_LINK_SIZE = 2048;

function malformed(why) {
  fail('voting_link_malformed', `voting link: ${why}`);
}

const isIdChar = (c) => /[A-Za-z0-9._-]/.test(c);

/** As letters.cpp percent_encode: every char outside the id alphabet as %XX (upper-case hex). */
export function percentEncode(s) {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += b < 128 && isIdChar(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** As letters.cpp percent_decode (on ASCII input): null on a bad escape. */
function percentDecode(s) {
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      bytes.push(s.charCodeAt(i));
      continue;
    }
    if (i + 2 >= s.length) return null;
    const h = s.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(h)) return null;
    bytes.push(parseInt(h, 16));
    i += 2;
  }
  // Bytes, as the C++ std::string; a non-ASCII result fails the id check anyway.
  return String.fromCharCode(...bytes);
}

/**
 * Parses a voting link. Returns { institutionId, code (24 canonical bytes,
 * a secret: wipe when done), context (32 bytes), rosterFingerprint (32
 * bytes) }.
 */
export function parseVotingLink(link) {
  if (typeof link !== 'string') malformed('not text');
  if (link.length > MAX_VOTING_LINK_SIZE) malformed(`longer than ${MAX_VOTING_LINK_SIZE} characters`);
  for (let i = 0; i < link.length; i++) {
    const u = link.charCodeAt(i);
    if (u <= 0x20 || u >= 0x7f) malformed('not printable ASCII');
  }
  const hash = link.indexOf('#');
  if (hash <= 0) malformed("no '#' parameters");
  let fragment = link.slice(hash + 1);
  if (fragment.includes('#')) malformed("a second '#'");

  const keys = ['i=', 'c=', 'x=', 'r='];
  const values = [];
  for (let k = 0; k < keys.length; k++) {
    const amp = fragment.indexOf('&');
    const part = amp < 0 ? fragment : fragment.slice(0, amp);
    if (!part.startsWith(keys[k])) {
      malformed(`expected the parameter ${keys[k][0]} in place ${k + 1} (i, c, x, r)`);
    }
    values.push(part.slice(2));
    if (k + 1 < keys.length) {
      if (amp < 0) malformed('fewer than four parameters');
      fragment = fragment.slice(amp + 1);
    } else if (amp >= 0) {
      malformed('more than four parameters');
    }
  }

  const id = percentDecode(values[0]);
  let idOk = id !== null && percentEncode(id) === values[0];
  if (idOk) {
    try {
      checkInstitutionId(id);
    } catch {
      idOk = false;
    }
  }
  if (!idOk) malformed('the institution id (i) is not valid');

  // The code: parseVotingCode checks alphabet and check symbols; a link is
  // made by a machine, so it must also be exactly the printed form.
  let code;
  try {
    code = parseVotingCode(values[1]);
  } catch (e) {
    if (!(e instanceof UrneError)) throw e;
    malformed(
      e.reason === 'voting_code_checksum'
        ? "the code's (c) check symbols do not match"
        : 'the code (c) is not a voting code',
    );
  }
  if (formatVotingCode(code) !== values[1]) {
    wipe(code);
    malformed('the code (c) is not in its printed form XXXX-XXXX-XXXX-XXXX-XXXX-XXXX');
  }

  let context;
  try {
    context = base64urlDecode(values[2]);
  } catch {
    wipe(code);
    malformed('the credential context (x) is not base64url');
  }
  if (context.length !== 32) {
    wipe(code);
    malformed('the credential context (x) is not 32 bytes');
  }

  if (values[3].length !== 64 || !isLowerHex(values[3])) {
    wipe(code);
    malformed('the roster fingerprint (r) is not 64 lower-case hex digits');
  }
  return { institutionId: id, code, context, rosterFingerprint: hexDecode(values[3]) };
}

/**
 * The link printed on a letter (as make_voting_link; the page never makes
 * links, tests do). The result holds the code: a secret.
 */
export function makeVotingLink(voteUrl, institutionId, code, context, rosterFingerprint) {
  checkInstitutionId(institutionId);
  return (
    `${voteUrl}#i=${percentEncode(institutionId)}&c=${formatVotingCode(code)}` +
    `&x=${base64urlEncode(context)}&r=${hexEncode(rosterFingerprint)}`
  );
}
