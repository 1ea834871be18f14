import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';

// The Swagger UI shares the capture page's origin: every response of it carries a CSP that allows only its own
// scripts and forbids framing.

let h: InProcess;
beforeAll(async () => {
  h = await inProcessApp();
});
afterAll(async () => {
  await h.close();
});

it('serves the docs page and its assets with a strict CSP, no framing and no referrer', async () => {
  const page = await h.app.inject({ method: 'GET', url: '/idverify/v1/docs' });
  expect(page.statusCode).toBe(200);
  // The page links its assets under the API's mount point (they were linked from /docs/static, a 404).
  expect(page.body).toContain('/idverify/v1/docs/static/swagger-ui-bundle.js');
  for (const url of [
    '/idverify/v1/docs',
    '/idverify/v1/docs/static/swagger-ui-bundle.js',
    '/idverify/v1/docs/static/swagger-initializer.js',
    '/idverify/v1/docs/json',
  ]) {
    const res = await h.app.inject({ method: 'GET', url });
    expect(res.statusCode, url).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp, url).toContain("script-src 'self'");
    expect(csp, url).toContain("frame-ancestors 'none'");
    expect(csp, url).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(res.headers['x-frame-options'], url).toBe('DENY');
    expect(res.headers['referrer-policy'], url).toBe('no-referrer');
    expect(res.headers['x-content-type-options'], url).toBe('nosniff');
  }
  expect(
    (await h.app.inject({ method: 'GET', url: '/idverify/v1/docs/static/swagger-ui-bundle.js' })).headers[
      'content-type'
    ],
  ).toMatch(/javascript/);
});
