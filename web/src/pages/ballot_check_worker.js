// The voting page's check of its own ballot, in a module Web Worker
// (bundled to /assets/ballot_check_worker.js). The page builds the ballot
// without encryptBallot's self-check, shows the review step at once, and
// this worker verifies the token and every proof — verifyCastBallot, the
// ballot box's own check — while the delegate reads; "cast" waits for the
// answer. A ballot that fails is never sent.
//
// Protocol: the page posts {type: 'load', manifest: Uint8Array (canonical)}
// as soon as the ballot is shown (the election key's proofs and tables are
// made then, not while the delegate waits), then {type: 'check', id, ballot:
// Uint8Array (canonical cast ballot)} per prepared ballot; the worker
// answers {id, ok: true} or {id, ok: false, reason, message}.

import { loadElection, verifyCastBallot } from '../crypto/cast_ballot.js';

let election = null;

const failure = (id, e) => ({ id, ok: false, reason: e && e.reason ? e.reason : 'internal', message: e && e.message ? e.message : String(e) });

self.onmessage = async (event) => {
  const { type, id, manifest, ballot } = event.data || {};
  try {
    if (type === 'load') {
      if (!(manifest instanceof Uint8Array)) throw new TypeError('the manifest is bytes');
      election = loadElection(manifest);
      await election;
      return;
    }
    if (type !== 'check' || !(ballot instanceof Uint8Array)) throw new TypeError('a check needs the ballot bytes');
    if (!election) throw new TypeError('no manifest loaded');
    await verifyCastBallot(await election, ballot);
    self.postMessage({ id, ok: true });
  } catch (e) {
    if (type === 'load') election = null; // a later check reports it
    else self.postMessage(failure(id, e));
  }
};
