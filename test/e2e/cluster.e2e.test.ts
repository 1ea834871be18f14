import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { idvClient, yoti } from '../helpers/yoti.js';

// `serve --http-processes 2`: two HTTP processes share the port and the embedded store.
let server: RunningServer;
let app: TestApp;

beforeAll(async () => {
  server = await startServer({ args: ['--http-processes', '2'] });
  app = await server.createApp('cluster');
});
afterAll(async () => {
  await server?.stop();
});

it('serves from both processes on one store and stops cleanly', async () => {
  const client = idvClient(app, server.apiUrl);
  const spec = new yoti.SessionSpecificationBuilder()
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
    .build();
  const ids = await Promise.all(
    Array.from({ length: 8 }, async () => (await client.createSession(spec)).getSessionId()),
  );
  // The SDK closes its connection after each request, so requests spread over both processes.
  const states = await Promise.all(
    ids.flatMap((id) => [client.getSession(id), client.getSession(id)]).map(async (p) => (await p).getState()),
  );
  expect(states.every((s) => s === 'ONGOING')).toBe(true);
  expect(server.output()).toContain('2 HTTP processes');
  const exited = new Promise<number | null>((r) => server.process.once('exit', (code) => r(code)));
  server.process.kill('SIGTERM');
  expect(await exited).toBe(0);
});
