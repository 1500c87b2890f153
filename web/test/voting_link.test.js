import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeVotingLink, parseVotingLink } from '../src/crypto/voting_link.js';
import { formatVotingCode } from '../src/crypto/voting_code.js';
import { hexEncode } from '../src/crypto/bytes.js';
import { loadFixture, throwsReason } from '../testlib/helpers.js';

const fixture = loadFixture('letters-fixture.json');
const GOOD = fixture.links.find((l) => l.includes('i=einrichtung-01&'));

test('the links written by `urne letters` parse to their institution, context and roster', () => {
  const ids = new Set();
  for (const link of fixture.links) {
    const v = parseVotingLink(link);
    ids.add(v.institutionId);
    assert.equal(hexEncode(v.context), fixture.roster.credential_context);
    assert.equal(hexEncode(v.rosterFingerprint), fixture.roster.fingerprint);
    assert.equal(formatVotingCode(v.code), /&c=([^&]+)/.exec(link)[1]);
  }
  assert.deepEqual([...ids].sort(), fixture.roster.institutions.map((i) => i.id).sort());
});

test('makeVotingLink writes exactly the C++ link from the same values', () => {
  for (const link of fixture.links) {
    const v = parseVotingLink(link);
    assert.equal(makeVotingLink('https://urne.example/vote', v.institutionId, v.code, v.context, v.rosterFingerprint), link);
  }
});

test('a link only needs a non-empty part before the fragment', () => {
  const frag = GOOD.slice(GOOD.indexOf('#'));
  assert.equal(parseVotingLink('x' + frag).institutionId, 'einrichtung-01');
  throwsReason(() => parseVotingLink(frag), 'voting_link_malformed');
});

test('every malformed link is voting_link_malformed', () => {
  const [base, frag] = GOOD.split('#');
  const p = Object.fromEntries(frag.split('&').map((kv) => [kv[0], kv.slice(2)]));
  const mk = (parts) => `${base}#${parts.join('&')}`;
  const cases = {
    'no fragment': base,
    'empty fragment': base + '#',
    'second #': GOOD + '#',
    'order c,i,x,r': mk([`c=${p.c}`, `i=${p.i}`, `x=${p.x}`, `r=${p.r}`]),
    'missing r': mk([`i=${p.i}`, `c=${p.c}`, `x=${p.x}`]),
    'extra parameter': mk([`i=${p.i}`, `c=${p.c}`, `x=${p.x}`, `r=${p.r}`, 'z=1']),
    'trailing &': GOOD + '&',
    'upper-case key': mk([`I=${p.i}`, `c=${p.c}`, `x=${p.x}`, `r=${p.r}`]),
    'space': GOOD.replace('#', ' #'),
    'non-ASCII': GOOD.replace('vote', 'vöte'),
    'too long': 'https://' + 'a'.repeat(2048) + '#' + frag,
    'empty id': mk(['i=', `c=${p.c}`, `x=${p.x}`, `r=${p.r}`]),
    'needlessly percent-encoded id': mk(['i=%65inrichtung-01', `c=${p.c}`, `x=${p.x}`, `r=${p.r}`]),
    'id with a space': mk(['i=einrichtung%2001', `c=${p.c}`, `x=${p.x}`, `r=${p.r}`]),
    'broken escape': mk(['i=einrichtung%2', `c=${p.c}`, `x=${p.x}`, `r=${p.r}`]),
    'id of 65 characters': mk([`i=${'a'.repeat(65)}`, `c=${p.c}`, `x=${p.x}`, `r=${p.r}`]),
    'code in lower case': mk([`i=${p.i}`, `c=${p.c.toLowerCase()}`, `x=${p.x}`, `r=${p.r}`]),
    'code without dashes': mk([`i=${p.i}`, `c=${p.c.replaceAll('-', '')}`, `x=${p.x}`, `r=${p.r}`]),
    'code with O for 0': mk([`i=${p.i}`, `c=${p.c.replaceAll('0', 'O')}`, `x=${p.x}`, `r=${p.r}`]),
    'code with a typo': mk([`i=${p.i}`, `c=${p.c.slice(0, 5)}${p.c[5] === 'A' ? 'B' : 'A'}${p.c.slice(6)}`, `x=${p.x}`, `r=${p.r}`]),
    'code too short': mk([`i=${p.i}`, `c=${p.c.slice(0, -1)}`, `x=${p.x}`, `r=${p.r}`]),
    'context padded': mk([`i=${p.i}`, `c=${p.c}`, `x=${p.x}=`, `r=${p.r}`]),
    'context standard alphabet': mk([`i=${p.i}`, `c=${p.c}`, `x=+${p.x.slice(1)}`, `r=${p.r}`]),
    'context 31 bytes': mk([`i=${p.i}`, `c=${p.c}`, `x=${'A'.repeat(42)}`, `r=${p.r}`]),
    'context 33 bytes': mk([`i=${p.i}`, `c=${p.c}`, `x=${'A'.repeat(44)}`, `r=${p.r}`]),
    'fingerprint upper case': mk([`i=${p.i}`, `c=${p.c}`, `x=${p.x}`, `r=${p.r.toUpperCase()}`]),
    'fingerprint 63 digits': mk([`i=${p.i}`, `c=${p.c}`, `x=${p.x}`, `r=${p.r.slice(1)}`]),
    'fingerprint 65 digits': mk([`i=${p.i}`, `c=${p.c}`, `x=${p.x}`, `r=${p.r}0`]),
  };
  for (const [name, link] of Object.entries(cases)) {
    assert.throws(
      () => parseVotingLink(link),
      (e) => e.reason === 'voting_link_malformed' && !e.message.includes(p.c),
      name,
    );
  }
});

test('a link with a code typo says so without showing the code', () => {
  const link = GOOD.replace(/&c=(.)/, (m, ch) => `&c=${ch === '0' ? '1' : '0'}`);
  assert.throws(() => parseVotingLink(link), (e) => /check symbols/.test(e.message) && !/&c=/.test(e.message));
});
