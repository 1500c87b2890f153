// The voting page's check of its own ballot, in a module Web Worker
// (bundled to /assets/ballot_check_worker.js). The page builds the ballot
// without encryptBallot's self-check, shows the review step at once, and
// this worker verifies the token and every proof — verifyCastBallot, the
// ballot box's own check — while the delegate reads; "cast" waits for the
// answer. A ballot that fails is never sent.
//
// Protocol: the page posts {manifest: Uint8Array (canonical), ballot:
// Uint8Array (canonical cast ballot)}; the worker answers {ok: true} or
// {ok: false, reason, message}.

import { loadElection, verifyCastBallot } from '../crypto/cast_ballot.js';

self.onmessage = async (event) => {
  const { manifest, ballot } = event.data || {};
  try {
    if (!(manifest instanceof Uint8Array) || !(ballot instanceof Uint8Array)) throw new TypeError('manifest and ballot are bytes');
    const election = await loadElection(manifest);
    await verifyCastBallot(election, ballot);
    self.postMessage({ ok: true });
  } catch (e) {
    self.postMessage({ ok: false, reason: e && e.reason ? e.reason : 'internal', message: e && e.message ? e.message : String(e) });
  }
};
