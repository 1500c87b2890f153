// Helper of test/fixtures/make-ballot-fixture.sh: builds, in JavaScript, what the C++ must
// accept — a spoiled ballot file (urne-spoiled-ballot/v1) for the demo
// election with the demo's token, and an officer request header signed with
// the demo officer's key — and writes them into OUT for the real `urne` /
// `urne-server` to check.
//   usage: node js-files-for-cxx.mjs DEMO_DIR OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { base64urlDecode, hexDecode } from '../src/crypto/bytes.js';
import { buildBallot, fileText, loadElection, parseTokenFile, spoiledBallotFile } from '../src/crypto/cast_ballot.js';
import { officerAuthHeader, officerKeyFromSeed } from '../src/crypto/officer.js';

const [demo, out] = process.argv.slice(2);
const view = JSON.parse(fs.readFileSync(path.join(demo, 'election/manifest.json'), 'utf8'));
const election = await loadElection(base64urlDecode(view.canonical));
const token = parseTokenFile(fs.readFileSync(path.join(demo, 'delegates/46/token'), 'utf8'), election.electionId);
const built = await buildBallot(election, token, { marks: [1, 4, 11] });
fs.writeFileSync(path.join(out, 'js-spoiled.json'), fileText(spoiledBallotFile(election, built), 2));
const abst = await buildBallot(election, token, { abstain: true });
fs.writeFileSync(path.join(out, 'js-spoiled-abstain.json'), fileText(spoiledBallotFile(election, abst), 2));

const key = officerKeyFromSeed(hexDecode(fs.readFileSync(path.join(demo, 'officer.key'), 'utf8').trim()));
const roster = JSON.parse(fs.readFileSync(path.join(demo, 'letters/roster.json'), 'utf8'));
const body = JSON.stringify({ roster: roster.canonical });
fs.writeFileSync(path.join(out, 'roster-body.json'), body);
fs.writeFileSync(path.join(out, 'officer-header.txt'),
  officerAuthHeader(key, 'POST', '/api/v1/rosters', Math.floor(Date.now() / 1000), new TextEncoder().encode(body)));
