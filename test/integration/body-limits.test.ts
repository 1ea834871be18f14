import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';
import { largestSessionSpec } from '../helpers/largest-spec.js';

// Each route's body limit: JSON routes OPENIDV_JSON_BODY_LIMIT (256 KiB default), routes taking an image
// OPENIDV_BODY_LIMIT (2 MiB here). (That strangers are refused before their body is read is shown end to end
// in hostile-transport.e2e, where a body can be announced and withheld.)

let h: InProcess;
beforeAll(async () => {
  h = await inProcessApp({ OPENIDV_BODY_LIMIT: String(2 << 20) });
});
afterAll(async () => {
  await h.close();
});

it('accepts the largest session specification the SDK builds, and refuses a JSON body over the limit with 413', async () => {
  const spec = JSON.stringify(largestSessionSpec());
  expect(spec.length).toBeGreaterThan(80_000);
  expect((await h.signed('POST', '/sessions', spec)).statusCode).toBe(201);
  const tooLarge = await h.signed(
    'POST',
    '/sessions',
    JSON.stringify({ user_tracking_id: 'x', padding: 'p'.repeat(300_000) }),
  );
  expect(tooLarge.statusCode).toBe(413);
  expect(tooLarge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
});

it('lets image routes take up to the upload limit', async () => {
  const pool = (await h.signed('POST', '/pools', JSON.stringify({ label: 'p', type: 'BLOCKLIST' }))).json() as {
    id: string;
  };
  const search = (bytes: number) =>
    h.signed('POST', `/pools/${pool.id}/search`, JSON.stringify({ image: { data: 'A'.repeat(bytes) } }));
  expect((await search(1_000_000)).statusCode).toBe(422);
  expect((await search(3_000_000)).statusCode).toBe(413);
  expect(
    (await h.signed('POST', '/applicants', JSON.stringify({ face: { data: 'A'.repeat(1_000_000) } }))).statusCode,
  ).toBe(422);
});
