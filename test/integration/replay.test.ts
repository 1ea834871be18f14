import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { type Container, createContainer } from '../../src/runtime/container.js';
import { createLogger } from '../../src/runtime/logger.js';
import { signRequest } from '../helpers/signing.js';

// Replay protection with the default configuration: a signed request, captured and sent again byte for byte,
// is refused; so is one signed longer ago than the nonce window (its nonce may have been forgotten), and one
// signed before the guard first ran (its nonce was never recorded).

const HOUR = 3600_000;
const WINDOW = 24 * HOUR;

interface Server {
  app: FastifyInstance;
  container: Container;
  clock: { now: number };
}

let dir: string;
const open: Server[] = [];

async function server(env: Record<string, string> = {}): Promise<Server> {
  const container = await createContainer(
    loadConfig({ OPENIDV_DATA_DIR: dir, OPENIDV_WORKERS: 'false', ...env }),
    createLogger('silent'),
  );
  const clock = { now: Date.now() };
  const app = await buildApp({ ...container, now: () => clock.now });
  const s = { app, container, clock };
  open.push(s);
  return s;
}

async function closeAll() {
  for (const s of open.splice(0)) {
    await s.app.close();
    await s.container.close();
  }
}

afterEach(async () => {
  await closeAll();
  rmSync(dir, { recursive: true, force: true });
});

/** A request signed exactly as the Node SDK signs it, kept so that it can be sent again. */
function signed(sdkId: string, key: string, method: string, path: string, body?: string, timestamp = Date.now()) {
  const endpoint = `${path}?sdkId=${sdkId}&nonce=${randomUUID()}&timestamp=${timestamp}`;
  const bytes = body === undefined ? undefined : Buffer.from(body);
  return {
    method: method as 'POST',
    url: `/idverify/v1${endpoint}`,
    headers: {
      'x-yoti-auth-digest': signRequest(method, endpoint, bytes, key),
      ...(bytes ? { 'content-type': 'application/json' } : {}),
    },
    ...(bytes ? { payload: bytes } : {}),
  };
}

const SPEC = JSON.stringify({
  requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 1 } }],
});

describe('nonce guard (default configuration)', () => {
  it('refuses exact replays of signed POST and DELETE requests', async () => {
    dir = mkdtempSync(join(tmpdir(), 'openidv-replay-'));
    const s = await server();
    const { app: record, privateKeyPem } = await s.container.apps.create('replay');
    const create = signed(record.sdkId, privateKeyPem!, 'POST', '/sessions', SPEC);
    const created = await s.app.inject(create);
    expect(created.statusCode).toBe(201);
    const replayed = await s.app.inject(create);
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json()).toMatchObject({ code: 'UNAUTHORIZED' });

    const del = signed(
      record.sdkId,
      privateKeyPem!,
      'DELETE',
      `/sessions/${created.json<{ session_id: string }>().session_id}`,
    );
    expect((await s.app.inject(del)).statusCode).toBe(204);
    expect((await s.app.inject(del)).statusCode).toBe(401);
    // Fresh requests of the same app are unaffected.
    expect((await s.app.inject(signed(record.sdkId, privateKeyPem!, 'POST', '/sessions', SPEC))).statusCode).toBe(201);
  });

  it('refuses a Node-style request signed longer ago than the window, even once its nonce is forgotten', async () => {
    dir = mkdtempSync(join(tmpdir(), 'openidv-replay-'));
    const s = await server();
    const { app: record, privateKeyPem } = await s.container.apps.create('replay');
    const first = signed(record.sdkId, privateKeyPem!, 'GET', '/sessions/unknown', undefined, s.clock.now);
    expect((await s.app.inject(first)).statusCode).toBe(404);

    // Two windows and more later: the next request purges old nonces, the captured one's included.
    s.clock.now += 2 * WINDOW + 2 * HOUR;
    expect(
      (await s.app.inject(signed(record.sdkId, privateKeyPem!, 'GET', '/sessions/unknown', undefined, s.clock.now)))
        .statusCode,
    ).toBe(404);
    const left = await s.container.database.db
      .selectFrom('nonces')
      .select('nonce')
      .where('sdk_id', '=', record.sdkId)
      .execute();
    expect(left).toHaveLength(1);

    expect((await s.app.inject(first)).statusCode).toBe(401);
    // A fresh request signed a little over one window ago is refused too; one inside it is served.
    const stale = signed(
      record.sdkId,
      privateKeyPem!,
      'GET',
      '/sessions/unknown',
      undefined,
      s.clock.now - WINDOW - 60_000,
    );
    expect((await s.app.inject(stale)).statusCode).toBe(401);
    const recent = signed(
      record.sdkId,
      privateKeyPem!,
      'GET',
      '/sessions/unknown',
      undefined,
      s.clock.now - WINDOW + 60_000,
    );
    expect((await s.app.inject(recent)).statusCode).toBe(404);
  });

  it('refuses, once the guard is on, a request captured while it was off', async () => {
    dir = mkdtempSync(join(tmpdir(), 'openidv-replay-'));
    const off = await server({ OPENIDV_NONCE_GUARD: 'false' });
    const { app: record, privateKeyPem } = await off.container.apps.create('replay');
    const captured = signed(record.sdkId, privateKeyPem!, 'POST', '/sessions', SPEC);
    expect((await off.app.inject(captured)).statusCode).toBe(201);
    expect((await off.app.inject(captured)).statusCode).toBe(201); // off: replays go through
    await closeAll();

    // Upgrade or reconfiguration: the same store, guard on. The captured request's nonce was never recorded.
    const on = await server();
    expect((await on.app.inject(captured)).statusCode).toBe(401);
    expect((await on.app.inject(signed(record.sdkId, privateKeyPem!, 'POST', '/sessions', SPEC))).statusCode).toBe(201);
  });

  it('serves Java-style monotonic timestamps once per nonce', async () => {
    dir = mkdtempSync(join(tmpdir(), 'openidv-replay-'));
    const s = await server();
    const { app: record, privateKeyPem } = await s.container.apps.create('replay');
    // System.nanoTime()/1000 of a host up for about six days.
    const java = signed(record.sdkId, privateKeyPem!, 'POST', '/sessions', SPEC, 518_400_000_000);
    expect((await s.app.inject(java)).statusCode).toBe(201);
    expect((await s.app.inject(java)).statusCode).toBe(401);
  });
});
