import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import {
  SPKI_LENGTH, createTokenRequest, exportRequestState, finalizeToken, importRequestState, parseToken,
  parseTokenPublicKey, tokenChallengeForElection, verifyToken,
} from '../src/crypto/privacy_pass.js';
import { base64urlEncode, concat, hexDecode, hexEncode } from '../src/crypto/bytes.js';
import { loadVectors, rejectsReason, throwsReason, withRandomQueue } from '../testlib/helpers.js';

const rfc9578 = loadVectors('rfc9578-type2');
const ALL_9578 = [...rfc9578.vectors, ...rfc9578.extra_sets.flatMap((s) => s.vectors)];
const V1 = rfc9578.vectors[0];

const big = (b) => b.reduce((acc, v) => (acc << 8n) | BigInt(v), 0n);
const bytesOf = (x, n) => Uint8Array.from({ length: n }, (_, i) => Number((x >> BigInt(8 * (n - 1 - i))) & 255n));
function modInverse(a, n) {
  let [r0, r1, s0, s1] = [a % n, n, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  assert.equal(r0, 1n);
  return ((s0 % n) + n) % n;
}

/** The vector's request, made by our client with the vector's nonce, salt and r. */
async function vectorRequest(v, key) {
  return withRandomQueue([hexDecode(v.salt), hexDecode(v.blind)], () =>
    createTokenRequest(key, hexDecode(v.token_challenge), { nonce: hexDecode(v.nonce) }),
  );
}

test('all ten RFC 9578 type 2 vector sets: key id, request, finalized token and its verification', async () => {
  assert.equal(ALL_9578.length, 10);
  for (const v of ALL_9578) {
    const key = await parseTokenPublicKey(hexDecode(v.pkS));
    assert.equal(key.spki.length, SPKI_LENGTH);
    const { request, state } = await vectorRequest(v, key);
    assert.equal(hexEncode(request), v.token_request, v.name);
    assert.equal(request[2], sha256(hexDecode(v.pkS))[31]);
    const token = await finalizeToken(key, state, hexDecode(v.token_response));
    assert.equal(hexEncode(token), v.token, v.name);
    assert.deepEqual(parseToken(token).tokenKeyId, key.keyId);
    await verifyToken(key, hexDecode(v.token_challenge), token);
  }
});

test('the election challenge has the RFC 9577 layout (RFC 9578 vector 5: 32-byte context, no origin)', () => {
  const v5 = rfc9578.vectors[4];
  const c = hexDecode(v5.token_challenge);
  const context = c.subarray(2 + 2 + 14 + 1, 2 + 2 + 14 + 1 + 32);
  assert.equal(hexEncode(tokenChallengeForElection('issuer.example', context)), v5.token_challenge);
  throwsReason(() => tokenChallengeForElection('issuer.example', new Uint8Array(31)), 'bad_redemption_context');
  throwsReason(() => tokenChallengeForElection('', new Uint8Array(32)), 'empty_issuer_name');
});

test('the blinding state exports to 354 bytes and a retry after a lost response finalizes the same token', async () => {
  const key = await parseTokenPublicKey(hexDecode(V1.pkS));
  const { state } = await vectorRequest(V1, key);
  const saved = exportRequestState(state);
  assert.equal(saved.length, 354);
  const restored = importRequestState(Uint8Array.from(saved));
  const token = await finalizeToken(key, restored, hexDecode(V1.token_response));
  assert.equal(hexEncode(token), V1.token);
  throwsReason(() => importRequestState(saved.subarray(1)), 'bad_length');
  const wrongType = saved.slice();
  wrongType[1] = 1;
  throwsReason(() => importRequestState(wrongType), 'wrong_token_type');
});

async function vectorIssuer(v) {
  const pem = new TextDecoder().decode(hexDecode(v.skS));
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const sk = await crypto.subtle.importKey('pkcs8', der, { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['sign']);
  const suite = RSABSSA.SHA384.PSS.Deterministic();
  return (request) => suite.blindSign(sk, request.subarray(3));
}

test('fresh requests against the vector issuer key: finalize, verify, and a stored state retried twice', async () => {
  const key = await parseTokenPublicKey(hexDecode(V1.pkS));
  const issue = await vectorIssuer(V1);
  const challenge = tokenChallengeForElection('urne.example', sha256(new TextEncoder().encode('urne test election')));
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    const { request, state } = await createTokenRequest(key, challenge);
    assert.equal(request.length, 259);
    assert.ok(!seen.has(hexEncode(request)), 'a fresh nonce, salt and r each time');
    seen.add(hexEncode(request));
    const saved = exportRequestState(state);
    const response = await issue(request);
    const t1 = await finalizeToken(key, importRequestState(saved), response);
    const t2 = await finalizeToken(key, importRequestState(saved), response);
    assert.deepEqual(t1, t2);
    await verifyToken(key, challenge, t1);
    await rejectsReason(verifyToken(key, tokenChallengeForElection('urne.example', new Uint8Array(32)), t1), 'challenge_mismatch');
  }
});

test('finalizing refuses a wrong-length, out-of-range, tampered or foreign response', async () => {
  const key = await parseTokenPublicKey(hexDecode(V1.pkS));
  const { state } = await vectorRequest(V1, key);
  const response = hexDecode(V1.token_response);
  await rejectsReason(finalizeToken(key, state, response.subarray(1)), 'bad_length');
  await rejectsReason(finalizeToken(key, state, concat(response, Uint8Array.of(0))), 'bad_length');
  await rejectsReason(finalizeToken(key, state, key.n), 'blind_signature_out_of_range');
  await rejectsReason(finalizeToken(key, state, new Uint8Array(256).fill(0xff)), 'blind_signature_out_of_range');
  const tampered = response.slice();
  tampered[100] ^= 1;
  await rejectsReason(finalizeToken(key, state, tampered), 'bad_signature');
  // A response for another request (vector 2 shares the key).
  await rejectsReason(finalizeToken(key, state, hexDecode(rfc9578.vectors[1].token_response)), 'bad_signature');
  // A state made for another key.
  const otherKey = await parseTokenPublicKey(hexDecode(rfc9578.extra_sets[0].vectors[0].pkS));
  await rejectsReason(finalizeToken(otherKey, state, response), 'token_key_id_mismatch');
});

test('token verification refuses s + n, another key, a wrong type, a flipped bit and a wrong length', async () => {
  const key = await parseTokenPublicKey(hexDecode(V1.pkS));
  const challenge = hexDecode(V1.token_challenge);
  const token = hexDecode(V1.token);
  const t = parseToken(token);
  const sPlusN = big(t.authenticator) + key.nBig;
  const alt = concat(t.tokenInput, sPlusN < 1n << 2048n ? bytesOf(sPlusN, 256) : key.n);
  await rejectsReason(verifyToken(key, challenge, alt), 'authenticator_out_of_range');
  const otherKey = await parseTokenPublicKey(hexDecode(rfc9578.extra_sets[0].vectors[0].pkS));
  await rejectsReason(verifyToken(otherKey, challenge, token), 'token_key_id_mismatch');
  const flipped = token.slice();
  flipped[300] ^= 1;
  await rejectsReason(verifyToken(key, challenge, flipped), 'bad_signature');
  const nonceFlipped = token.slice();
  nonceFlipped[5] ^= 1;
  await rejectsReason(verifyToken(key, challenge, nonceFlipped), 'bad_signature');
  const wrongType = token.slice();
  wrongType[1] = 1;
  await rejectsReason(verifyToken(key, challenge, wrongType), 'wrong_token_type');
  await rejectsReason(verifyToken(key, challenge, token.subarray(1)), 'bad_length');
});

test('pkS must be the RFC 9578 form: OpenSSL 3 default DER, other OIDs, exponents and sizes are refused', async () => {
  const pkS = hexDecode(V1.pkS);
  const n = pkS.subarray(pkS.length - 5 - 256, pkS.length - 5);
  // OpenSSL 3's default: NULL hash parameters, 346 bytes, another key id.
  const openssl = concat(
    hexDecode(
      '30820156304106092a864886f70d01010a3034a00f300d06096086480165030402020500' +
        'a11c301a06092a864886f70d010108300d06096086480165030402020500a203020130' +
        '0382010f003082010a0282010100',
    ),
    n,
    hexDecode('0203010001'),
  );
  assert.equal(openssl.length, 346);
  await rejectsReason(parseTokenPublicKey(openssl), 'bad_key_size');
  const rsaEncryption = pkS.slice();
  rsaEncryption[16] = 0x01; // ...0101 0a -> ...0101 01
  await rejectsReason(parseTokenPublicKey(rsaEncryption), 'bad_public_key');
  const e3 = pkS.slice();
  e3.set(hexDecode('0203000003'), pkS.length - 5);
  await rejectsReason(parseTokenPublicKey(e3), 'bad_public_key');
  const salt32 = pkS.slice();
  salt32[pkS.indexOf(0xa2) + 4] = 0x20;
  await rejectsReason(parseTokenPublicKey(salt32), 'bad_public_key');
  const small = pkS.slice();
  small[pkS.length - 5 - 256] = 0x7f; // a 2047-bit modulus
  await rejectsReason(parseTokenPublicKey(small), 'bad_key_size');
  await rejectsReason(parseTokenPublicKey(pkS.subarray(0, 341)), 'bad_key_size');
  await rejectsReason(parseTokenPublicKey(concat(pkS, Uint8Array.of(0))), 'bad_key_size');
  await rejectsReason(parseTokenPublicKey(new Uint8Array(0)), 'bad_public_key');
});

// The library itself against RFC 9474 Appendix A (4096-bit key, all four
// variants, and the alternate PSSZERO-Deterministic set): blinding with the
// vector's prefix, salt and r gives its blinded_msg and inv; finalizing its
// blind_sig gives its sig.
test('blindrsa-ts reproduces every RFC 9474 vector', async () => {
  const rfc9474 = loadVectors('rfc9474');
  const all = [...rfc9474.vectors, ...rfc9474.alt_vectors];
  assert.equal(all.length, 5);
  const suites = {
    'RSABSSA-SHA384-PSS-Randomized': RSABSSA.SHA384.PSS.Randomized,
    'RSABSSA-SHA384-PSSZERO-Randomized': RSABSSA.SHA384.PSSZero.Randomized,
    'RSABSSA-SHA384-PSS-Deterministic': RSABSSA.SHA384.PSS.Deterministic,
    'RSABSSA-SHA384-PSSZERO-Deterministic': RSABSSA.SHA384.PSSZero.Deterministic,
  };
  for (const v of all) {
    const suite = suites[v.name]();
    const n = hexDecode(v.n);
    const pk = await crypto.subtle.importKey(
      'jwk',
      { kty: 'RSA', n: base64urlEncode(n), e: base64urlEncode(hexDecode(v.e)), alg: 'PS384', ext: true },
      { name: 'RSA-PSS', hash: 'SHA-384' },
      true,
      ['verify'],
    );
    const r = bytesOf(modInverse(big(hexDecode(v.inv)), big(n)), n.length);
    const queue = [];
    if (v.msg_prefix) queue.push(hexDecode(v.msg_prefix));
    if (v.salt) queue.push(hexDecode(v.salt));
    queue.push(r);
    const { prepared, blindedMsg, inv } = await withRandomQueue(queue, async () => {
      const p = suite.prepare(hexDecode(v.msg));
      return { prepared: p, ...(await suite.blind(pk, p)) };
    });
    assert.equal(hexEncode(prepared), v.prepared_msg ?? (v.msg_prefix ?? '') + v.msg, v.name);
    assert.equal(hexEncode(blindedMsg), v.blinded_msg, v.name);
    assert.equal(hexEncode(inv), v.inv, v.name);
    const sig = await suite.finalize(pk, prepared, hexDecode(v.blind_sig), inv);
    assert.equal(hexEncode(sig), v.sig, v.name);
    assert.ok(await suite.verify(pk, sig, prepared));
  }
});
