// Signed GET /sessions/{id} throughput and latency against the built server on loopback.
// Usage: npm run bench:api [-- --connections 32 --duration 20]
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
  },
});

// The API process(es) get no face-engine threads: this measures the HTTP path, not inference.
const server = await startServer({ args: ['--http-processes', values['http-processes'], '--no-workers'], env: { OPENIDV_FACE_THREADS: '1' } });
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
    return { method: 'GET', path: `/idverify/v1${endpoint}`, headers: { 'x-yoti-auth-digest': digest, accept: 'application/json' } };
  });

  const run = (duration) =>
    autocannon({ url: server.baseUrl, connections: Number(values.connections), duration, requests, pipelining: 1 });
  await run(3); // warm-up
  const rssBefore = server.rss();
  const result = await run(Number(values.duration));
  const report = {
    endpoint: 'GET /sessions/{id} (signed)',
    http_processes: Number(values['http-processes']),
    connections: Number(values.connections),
    duration_s: Number(values.duration),
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
