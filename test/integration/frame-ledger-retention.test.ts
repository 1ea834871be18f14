import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { type Container, createContainer } from '../../src/runtime/container.js';
import { createLogger } from '../../src/runtime/logger.js';
import { runMaintenance } from '../../src/runtime/maintenance.js';
import { aSession } from '../helpers/records.js';

// The replay ledger keeps hashes derived from faces: the periodic maintenance forgets them after
// OPENIDV_FRAME_LEDGER_DAYS, and the analysed frames of a ZOOM stream nobody decided an hour after its challenge
// ran out, in a real container on a real SQLite file.

const DAY = 86400_000;
const aFrame = () => ({ digest: randomBytes(32).toString('hex'), perceptualHash: randomBytes(32).toString('hex') });

describe('OPENIDV_FRAME_LEDGER_DAYS', () => {
  it('defaults to 30 days and refuses anything but a whole number of days from 1', () => {
    expect(loadConfig({}).face.frameLedgerDays).toBe(30);
    expect(loadConfig({ OPENIDV_FRAME_LEDGER_DAYS: '7' }).face.frameLedgerDays).toBe(7);
    for (const bad of ['0', '-1', '1.5', 'thirty'])
      expect(() => loadConfig({ OPENIDV_FRAME_LEDGER_DAYS: bad })).toThrow(ConfigError);
  });
});

describe('frame ledger retention in maintenance', () => {
  let dir: string;
  let c: Container;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openidv-ledger-'));
    c = await createContainer(
      loadConfig({ OPENIDV_DATA_DIR: dir, OPENIDV_WORKERS: 'false', OPENIDV_FRAME_LEDGER_DAYS: '2' }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('forgets the frames recorded before the retention and keeps the newer ones', async () => {
    const { app } = await c.apps.create('ledger');
    const [old, kept] = [aFrame(), aFrame()];
    const now = c.now();
    await c.repos.frameLedger.record(app.sdkId, { id: 'old', sessionId: 's' }, [old], now - 3 * DAY);
    await c.repos.frameLedger.record(app.sdkId, { id: 'kept', sessionId: 's' }, [kept], now - 1 * DAY);
    await runMaintenance(c);
    expect(await c.repos.frameLedger.candidates(app.sdkId, [old, kept])).toEqual([
      { ...kept, captureId: 'kept', sessionId: 's', index: 0 },
    ]);
  });

  it('removes the frames of a stream abandoned before its decision, not those of a stream in progress', async () => {
    const { app } = await c.apps.create('frames');
    const now = c.now();
    // A session alive for a day yet, so that maintenance keeps it (erasing it would take every frame along).
    const session = aSession(app.sdkId, {
      createdAt: now - 3 * 3600_000,
      updatedAt: now,
      tokenExpiresAt: now + DAY,
      resourcesExpireAt: now + 2 * DAY,
    });
    await c.repos.sessions.create(session, []);
    const ttl = c.config.face.challengeTtlMs;
    const challenge = async (issuedAt: number) => {
      const id = randomUUID();
      await c.repos.challenges.create({
        id,
        sessionId: session.id,
        expiresAt: issuedAt + ttl,
        usedAt: null,
        mediaSha256: null,
        createdAt: issuedAt,
        requirementId: 'req',
        livenessType: 'ZOOM',
        nonce: 'n',
        steps: null,
        revealed: 1,
      });
      await c.repos.livenessFrames.append({
        challengeId: id,
        sessionId: session.id,
        index: 0,
        receivedAt: issuedAt + 1_000,
        analysis: '{}',
      });
      return id;
    };
    const abandoned = await challenge(now - ttl - 2 * 3600_000);
    const live = await challenge(now - 5_000);
    await runMaintenance(c);
    expect(await c.repos.livenessFrames.list(session.id, abandoned)).toEqual([]);
    expect(await c.repos.livenessFrames.list(session.id, live)).toHaveLength(1);
  });
});
