// Shared test helpers: vector loading and a randomness stub.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { UrneError } from '../src/crypto/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');

/** tests/vectors/<name>.json of the repository (copied from shared/vectors). */
export function loadVectors(name) {
  return JSON.parse(fs.readFileSync(path.join(REPO, 'tests', 'vectors', `${name}.json`), 'utf8'));
}

export function loadFixture(name) {
  return JSON.parse(fs.readFileSync(path.join(here, '..', 'test', 'fixtures', name), 'utf8'));
}

/** Asserts that fn throws (or rejects with) an UrneError with this reason. */
export function throwsReason(fn, reason) {
  assert.throws(fn, (e) => e instanceof UrneError && e.reason === reason, `expected ${reason}`);
}
export async function rejectsReason(promise, reason) {
  await assert.rejects(promise, (e) => e instanceof UrneError && e.reason === reason, `expected ${reason}`);
}

/**
 * Runs fn with crypto.getRandomValues answering from a queue of byte
 * strings (zero-length requests are answered empty), then restores it and
 * checks that every queued value was used.
 */
export async function withRandomQueue(queue, fn) {
  const q = [...queue];
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    configurable: true,
    writable: true,
    value: (a) => {
      if (a.length === 0) return a;
      const next = q.shift();
      assert.ok(next, 'more random draws than queued');
      assert.equal(next.length, a.length, 'random draw of an unexpected size');
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(next);
      return a;
    },
  });
  try {
    return await fn();
  } finally {
    delete globalThis.crypto.getRandomValues;
    assert.equal(q.length, 0, 'not every queued random value was drawn');
  }
}
