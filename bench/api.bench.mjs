// Signed GET /sessions/{id} throughput and latency against the built server on loopback.
// Usage: npm run bench:api [-- --connections 32 --duration 20]
// With --nonce-guard the server runs its default replay guard, so no request may be sent twice: each of the
// --signatures requests goes out once (the run lasts as long as they take) instead of cycling for --duration.
import { sign, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startServer } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const yoti = require('yoti');
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '20' },
    signatures: { type: 'string', default: '4000' },
    'http-processes': { type: 'string', default: '1' },
    'nonce-guard': { type: 'boolean', default: false },
  },
});
const guard = values['nonce-guard'];

// The API process(es) get no face-engine threads: this measures the HTTP path, not inference.
const server = await startServer({
  args: ['--http-processes', values['http-processes'], '--no-workers'],
  env: { OPENIDV_FACE_THREADS: '1', OPENIDV_NONCE_GUARD: String(guard) },
});
try {
  const app = await server.createApp('bench');
  const client = new yoti.IDVClient(app.sdkId, app.privateKeyPem, { apiUrl: server.apiUrl });
  const spec = new yoti.SessionSpecificationBuilder()
    .withClientSessionTokenTtl(3600)
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(3).build())
    .withRequestedCheck(new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build())
    .build();
  const sessionId = (await client.createSession(spec)).getSessionId();

  // Signing costs the client ~1 ms per request, so a pool of distinct signed requests is prepared up front and
  // cycled; the server verifies every one of them in full.
  const requests = Array.from({ length: Number(values.signatures) }, () => {
    const endpoint = `/sessions/${sessionId}?sdkId=${app.sdkId}&nonce=${randomUUID()}&timestamp=${Date.now()}`;
    const digest = sign('RSA-SHA256', Buffer.from(`GET&${endpoint}`), app.privateKeyPem).toString('base64');
    return {
      method: 'GET',
      path: `/idverify/v1${endpoint}`,
      headers: { 'x-yoti-auth-digest': digest, accept: 'application/json' },
    };
  });

  // autocannon gives every connection its own copy of a request list; under the guard the connections draw from
  // one shared list instead, so that no request is sent twice.
  const once = (list) => {
    let next = 0;
    return [{ setupRequest: (req) => ({ ...req, ...list[next++ % list.length] }) }];
  };
  const run = (duration, list = requests) =>
    autocannon({
      url: server.baseUrl,
      connections: Number(values.connections),
      pipelining: 1,
      ...(guard ? { amount: list.length, requests: once(list) } : { duration, requests: list }),
    });
  // Warm-up: a tenth of the requests under the guard (each one is spent), else 3 s of cycling.
  if (guard) {
    const warm = requests.splice(0, Math.floor(requests.length / 10));
    await run(0, warm);
  } else await run(3);
  const rssBefore = server.rss();
  const result = await run(Number(values.duration));
  const report = {
    endpoint: 'GET /sessions/{id} (signed)',
    nonce_guard: guard,
    requests: result.requests.total,
    http_processes: Number(values['http-processes']),
    connections: Number(values.connections),
    duration_s: guard ? result.duration : Number(values.duration),
    requests_per_s_mean: Math.round(result.requests.average),
    requests_per_s_p50: result.requests.p50,
    latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    server_rss_mb: { before: rssBefore, after: server.rss() },
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await server.stop();
}
