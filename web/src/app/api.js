// The pages' only way to the server: same-origin fetches of /api/v1/…, no
// cookies, no cache. Every failure becomes an ApiError with the server's
// stable code (docs/api.md "Errors"), so the pages choose their message by
// the code and never parse the server's text.

/**
 * An error answer or a failed request. status: HTTP status (0 = no answer,
 * e.g. the connection was lost); code: the server's stable code, or
 * 'network_error' / 'bad_response' / 'http_<status>'; messages: the server's
 * {de, en} texts when it sent some; retryAfter: seconds from Retry-After.
 */
export class ApiError extends Error {
  constructor(status, code, message, messages = null, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.messages = messages;
    this.retryAfter = retryAfter;
  }
}

async function send(path, init) {
  let response;
  try {
    response = await fetch(path, { cache: 'no-store', credentials: 'same-origin', redirect: 'error', ...init });
  } catch (e) {
    throw new ApiError(0, 'network_error', `no answer from the server (${e && e.message ? e.message : e})`);
  }
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const err = body && typeof body === 'object' && body.error;
    const retry = Number(response.headers.get('Retry-After')) || null;
    if (err && typeof err.code === 'string') {
      const messages = err.message && typeof err.message === 'object' ? err.message : null;
      throw new ApiError(response.status, err.code, (messages && (messages.en || messages.de)) || err.code, messages, retry);
    }
    throw new ApiError(response.status, `http_${response.status}`, `HTTP ${response.status}`, null, retry);
  }
  return response;
}

async function json(response) {
  try {
    return await response.json();
  } catch {
    throw new ApiError(response.status, 'bad_response', 'the server sent no valid JSON');
  }
}

/** GET `path` -> the parsed JSON body; throws ApiError. */
export async function getJson(path) {
  return json(await send(path, { method: 'GET', headers: { Accept: 'application/json' } }));
}

/** POST `body` (JSON-encoded) to `path` with extra `headers` -> the parsed JSON answer (any 2xx). */
export async function postJson(path, body, headers = {}) {
  const response = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return json(response);
}

/** GET `path` -> the body as a Uint8Array; throws ApiError. */
export async function getBytes(path) {
  const response = await send(path, { method: 'GET' });
  return new Uint8Array(await response.arrayBuffer());
}

/** POST raw `bytes` with `contentType` and extra `headers` -> the answer's body as a Uint8Array. */
export async function postBytes(path, bytes, contentType, headers = {}) {
  const response = await send(path, { method: 'POST', headers: { 'Content-Type': contentType, ...headers }, body: bytes });
  return new Uint8Array(await response.arrayBuffer());
}
