// The results page's in-browser audit, in a module Web Worker (bundled to
// /assets/audit_worker.js): auditBoard checks every signature, token, proof,
// partial decryption and the result, which takes seconds for a large board;
// off the page's thread the page keeps answering (keyboard, screen reader)
// and shows the progress.
//
// Protocol: the page posts {bytes: Uint8Array (board.bin), scope:
// 'closed'|'final'}; the worker answers {type:'progress', done, total}…,
// then {type:'done', report: {verdict, checks:[{name, status, detail}]}} or
// {type:'error', reason, message}.

import { auditBoard } from '../crypto/audit.js';

self.onmessage = async (event) => {
  const { bytes, scope } = event.data || {};
  try {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('the board is bytes');
    const report = await auditBoard(bytes, {
      scope: scope === 'closed' ? 'closed' : 'final',
      onProgress: (done, total) => self.postMessage({ type: 'progress', done, total }),
    });
    // Only plain data crosses back: the verdict and the checks.
    const checks = report.checks.map((c) => ({ name: String(c.name), status: String(c.status), detail: c.detail ? String(c.detail) : '' }));
    self.postMessage({ type: 'done', report: { verdict: report.verdict, checks } });
  } catch (e) {
    self.postMessage({ type: 'error', reason: e && e.reason ? e.reason : 'internal', message: e && e.message ? e.message : String(e) });
  }
};
