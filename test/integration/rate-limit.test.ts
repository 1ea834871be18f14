import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';

let h: InProcess;
beforeAll(async () => {
  h = await inProcessApp({ OPENIDV_RATE_LIMIT: '5' });
});
afterAll(async () => {
  await h.close();
});

it('answers 429 with Retry-After in the Yoti shape once an app exceeds its rate', async () => {
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await h.signed('GET', '/sessions/unknown')).statusCode);
  expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
  const limited = await h.signed('GET', '/sessions/unknown');
  expect(limited.statusCode).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
  // Operations endpoints are never limited.
  expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
});
