// Minimal Yoti-style request signing for benchmarks (the SDK's per-call overhead would distort timings).
import { randomUUID, sign } from 'node:crypto';

export function signedFetch(apiUrl, app, method, endpoint, body) {
  const sep = endpoint.includes('?') ? '&' : '?';
  const path = `${endpoint}${sep}sdkId=${app.sdkId}&nonce=${randomUUID()}&timestamp=${Date.now()}`;
  const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const message = bytes ? `${method}&${path}&${bytes.toString('base64')}` : `${method}&${path}`;
  const digest = sign('RSA-SHA256', Buffer.from(message), app.privateKeyPem).toString('base64');
  return fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'x-yoti-auth-digest': digest, ...(bytes ? { 'content-type': 'application/json' } : {}) },
    ...(bytes ? { body: bytes } : {}),
  }).then(async (res) => ({ status: res.status, body: res.status === 204 ? null : await res.json() }));
}

export function clientFetch(apiUrl, sessionId, token, method, path, form) {
  return fetch(`${apiUrl}/client/sessions/${sessionId}${path}`, {
    method,
    headers: { 'x-client-session-token': token },
    ...(form ? { body: form } : {}),
  }).then(async (res) => ({ status: res.status, body: await res.json() }));
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The session's result once it is COMPLETED, polled every `pollMs`; null when it is not within `timeoutMs`. */
export async function completedSession(apiUrl, app, sessionId, pollMs = 10, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = (await signedFetch(apiUrl, app, 'GET', `/sessions/${sessionId}`)).body;
    if (result.state === 'COMPLETED') return result;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return null;
}
