// src/app/api.js with a stand-in fetch: every failure becomes an ApiError
// with the server's stable code.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, postJson, postBytes, getBytes, ApiError } from '../src/app/api.js';

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});
const answer = (status, body, headers = {}) => {
  globalThis.fetch = async (url, init) => {
    answer.last = { url, init };
    return new Response(typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body), { status, headers });
  };
};

test('getJson returns the parsed body and sends no cookies and no cache', async () => {
  answer(200, { elections: [] });
  assert.deepEqual(await getJson('/api/v1/elections'), { elections: [] });
  assert.equal(answer.last.init.cache, 'no-store');
  assert.equal(answer.last.init.credentials, 'same-origin');
});

test("an error body becomes an ApiError with the server's code, status and texts", async () => {
  answer(409, { error: { code: 'token_already_used', status: 409, message: { de: 'Schon benutzt.', en: 'Already used.' } } });
  await assert.rejects(postJson('/x', { a: 1 }), (e) => e instanceof ApiError && e.status === 409 && e.code === 'token_already_used' && e.messages.de === 'Schon benutzt.');
});

test('Retry-After is kept for too_many_attempts', async () => {
  answer(429, { error: { code: 'too_many_attempts', status: 429, message: { de: 'x', en: 'y' } } }, { 'Retry-After': '60' });
  await assert.rejects(getJson('/x'), (e) => e.code === 'too_many_attempts' && e.retryAfter === 60);
});

test('an error without a JSON body is http_<status>', async () => {
  answer(502, 'Bad Gateway');
  await assert.rejects(getJson('/x'), (e) => e instanceof ApiError && e.code === 'http_502' && e.status === 502);
});

test('a lost connection is network_error with status 0', async () => {
  globalThis.fetch = async () => {
    throw new TypeError('Failed to fetch');
  };
  await assert.rejects(getBytes('/x'), (e) => e instanceof ApiError && e.code === 'network_error' && e.status === 0);
});

test('a 200 that is not JSON is bad_response', async () => {
  answer(200, '<html>');
  await assert.rejects(getJson('/x'), (e) => e.code === 'bad_response');
});

test('postBytes sends the bytes with the content type and headers and returns the answer bytes', async () => {
  answer(200, new Uint8Array([1, 2, 3]));
  const out = await postBytes('/t', new Uint8Array([9]), 'application/private-token-request', { 'Urne-Institution': 'a' });
  assert.deepEqual(out, new Uint8Array([1, 2, 3]));
  assert.equal(answer.last.init.headers['Content-Type'], 'application/private-token-request');
  assert.equal(answer.last.init.headers['Urne-Institution'], 'a');
});
