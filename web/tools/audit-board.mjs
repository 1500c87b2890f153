// `urne audit` in Node with the browser's JavaScript audit (src/crypto/audit.js):
// prints every check, the verdict and how fast the ballots were checked.
//   node tools/audit-board.mjs BOARD.urne [--receipt FILE]... [--closed] [--json]
// Exit status 0 if the audit passed, 1 if it failed, 2 if the file is no board.
import fs from 'node:fs';
import { auditBoard } from '../src/crypto/audit.js';

const args = process.argv.slice(2);
const receipts = [];
let board = null;
let scope = 'final';
let json = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--receipt') receipts.push(fs.readFileSync(args[++i]));
  else if (args[i] === '--closed') scope = 'closed';
  else if (args[i] === '--json') json = true;
  else board = args[i];
}
if (!board) {
  console.error('usage: node tools/audit-board.mjs BOARD.urne [--receipt FILE]... [--closed] [--json]');
  process.exit(2);
}
const bytes = new Uint8Array(fs.readFileSync(board));
const t0 = performance.now();
let proofsStart = t0;
let proofsEnd = t0;
let report;
try {
  report = await auditBoard(bytes, {
    scope,
    receipts: receipts.map((b) => new Uint8Array(b)),
    onProgress: (done, total) => {
      if (done === 0) proofsStart = performance.now();
      if (done === total) proofsEnd = performance.now();
    },
  });
} catch (e) {
  console.error(`not a board: ${e.reason ?? e.name}: ${e.message}`);
  process.exit(2);
}
const ms = performance.now() - t0;
if (json) {
  console.log(JSON.stringify({ verdict: report.verdict, board_fingerprint: report.boardFingerprint, checks: report.checks }, null, 2));
} else {
  for (const c of report.checks) console.log(`${c.status.padEnd(15)} ${c.name.padEnd(30)} ${c.detail}`);
  const perSec = (n, t) => (t > 0 ? ((n / t) * 1000).toFixed(1) : '-');
  console.log(`verdict: ${report.verdict}; ${report.ballots} ballots in ${(ms / 1000).toFixed(2)} s: ` +
    `${perSec(report.ballots, ms)} ballots/s overall, ${perSec(report.ballots, proofsEnd - proofsStart)} ballots/s in ballots.proofs`);
}
process.exit(report.verdict === 'pass' ? 0 : 1);
