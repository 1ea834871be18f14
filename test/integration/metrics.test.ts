import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startOpsServer } from '../../src/http/ops-server.js';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';

// /metrics reveals traffic, routes, versions and load: it is not served on the API port unless a token guards
// it, and an operations port of its own serves it (with the token too, when one is set).

let h: InProcess | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('keeps /metrics off the public API port by default, with health and readiness still there', async () => {
  h = await inProcessApp();
  const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
  expect(metrics.statusCode).toBe(404);
  expect(metrics.body).not.toMatch(/openidv_/);
  expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  expect([200, 503]).toContain((await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode);
});

it('serves /metrics on the API port only with the bearer token when OPENIDV_METRICS_TOKEN is set', async () => {
  const token = 'metrics-token-0123456789';
  h = await inProcessApp({ OPENIDV_METRICS_TOKEN: token });
  for (const authorization of [undefined, 'Bearer wrong-token-0123456789', token, `Basic ${token}`]) {
    const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    expect(res.statusCode, String(authorization)).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  }
  const ok = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
  expect(ok.statusCode).toBe(200);
  expect(ok.body).toMatch(/openidv_process_cpu/);
});

it('serves health, readiness and metrics on an operations port of its own', async () => {
  h = await inProcessApp();
  const ops = await startOpsServer(h.container, 0);
  try {
    const base = `http://127.0.0.1:${(ops.server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/openidv_process_cpu/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/idverify/v1/supported-documents`)).status).toBe(404);
  } finally {
    await ops.close();
  }
});
