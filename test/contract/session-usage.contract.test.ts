import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionQuota } from '../../src/domain/capture/session-quota.js';
import type { AppError } from '../../src/domain/errors.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { KyselySessionRepository } from '../../src/infra/db/repositories/session.repository.js';
import { KyselyUsageRepository } from '../../src/infra/db/repositories/usage.repository.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { anApp, aSession } from '../helpers/records.js';

// Per-session usage counters on SQLite and PostgreSQL, and the capture quotas built on them: what one client
// token may make the server store or compute.
for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`session usage on ${dialect.name}`, () => {
    let db: TestDatabase;
    let usage: KyselyUsageRepository;
    let sessions: KyselySessionRepository;
    let appId: string;
    const newSession = async () => {
      const session = aSession(appId);
      await sessions.create(session, []);
      return session.id;
    };

    beforeAll(async () => {
      db = await dialect.create();
      const k = db.database.db;
      usage = new KyselyUsageRepository(k);
      sessions = new KyselySessionRepository(k, db.database.dialect);
      const app = anApp();
      await new KyselyAppRepository(k, db.database.dialect).create(app);
      appId = app.sdkId;
    });
    afterAll(async () => {
      await db?.drop();
    });

    const one = (s: string, counter: string, amount: number, limit: number) =>
      usage.consume(s, [{ counter, amount, limit }]).then((over) => over === null);

    it('adds up to the limit and not beyond, per session and counter', async () => {
      const [a, b] = [await newSession(), await newSession()];
      expect(await one(a, 'uploads', 3, 5)).toBe(true);
      expect(await one(a, 'uploads', 3, 5)).toBe(false);
      expect(await one(a, 'uploads', 2, 5)).toBe(true);
      expect(await one(a, 'uploads', 1, 5)).toBe(false);
      expect(await one(a, 'events', 5, 5)).toBe(true);
      expect(await one(b, 'uploads', 5, 5)).toBe(true);
      expect(await one(b, 'uploads', 6, 5)).toBe(false);
    });

    it('moves several counters all or none, and names the one over its limit', async () => {
      const s = await newSession();
      const charge = (bytes: number) =>
        usage.consume(s, [
          { counter: 'uploads', amount: 1, limit: 3 },
          { counter: 'bytes', amount: bytes, limit: 100 },
        ]);
      expect(await charge(60)).toBeNull();
      expect(await charge(60)).toBe('bytes');
      expect(await charge(40)).toBeNull(); // the refused charge added no upload either: 2 of 3 now
      expect(await charge(0)).toBeNull();
      expect(await charge(0)).toBe('uploads');
    });

    it('lets exactly `limit` of many concurrent requests through', async () => {
      const s = await newSession();
      const results = await Promise.all(Array.from({ length: 20 }, () => one(s, 'race', 1, 7)));
      expect(results.filter(Boolean)).toHaveLength(7);
    });

    it('gives amounts back, never below zero, and drops old windows only', async () => {
      const s = await newSession();
      await one(s, 'bytes', 90, 100);
      await usage.release(s, 'bytes', 50);
      expect(await one(s, 'bytes', 60, 100)).toBe(true);
      await usage.release(s, 'bytes', 1_000);
      expect(await one(s, 'bytes', 100, 100)).toBe(true);
      for (const w of ['analyses@1', 'analyses@2']) await one(s, w, 1, 1);
      expect(
        await usage.consume(s, [{ counter: 'analyses@3', amount: 1, limit: 1 }], {
          prefix: 'analyses@',
          keep: 'analyses@3',
        }),
      ).toBeNull();
      expect(await one(s, 'analyses@1', 1, 1)).toBe(true);
      expect(await one(s, 'analyses@3', 1, 1)).toBe(false);
      expect(await one(s, 'bytes', 1, 100)).toBe(false);
    });

    it('goes with its session', async () => {
      const s = await newSession();
      await one(s, 'uploads', 1, 1);
      await sessions.delete(s);
      const rows = await db.database.db.selectFrom('session_usage').selectAll().where('session_id', '=', s).execute();
      expect(rows).toEqual([]);
    });

    describe('capture quotas', () => {
      const limits = { maxUploads: 3, maxUploadBytes: 1000, maxEvents: 2, maxAnalyses: 4, analysesPerMinute: 3, maxLivenessFrames: 5 };
      const refusal = (p: Promise<unknown>) =>
        p.then(
          () => null,
          (e: AppError) => e,
        );

      it('counts received images and their bytes; a refused image keeps its count but gives its bytes back', async () => {
        const s = await newSession();
        const quota = new SessionQuota(usage, limits, () => 0);
        await quota.upload(s, [new Uint8Array(600)]);
        expect(await refusal(quota.upload(s, [new Uint8Array(500)]))).toMatchObject({
          code: 'SESSION_LIMIT_REACHED',
          status: 409,
          message: expect.stringContaining('MB of images'),
        });
        await quota.notKept(s, [new Uint8Array(600)]);
        await quota.upload(s, [new Uint8Array(500), new Uint8Array(10)]);
        // 1 + 2 images received (the refused 500-byte one was not counted): the fourth is over the limit of 3.
        expect(await refusal(quota.upload(s, [new Uint8Array(1)]))).toMatchObject({
          code: 'SESSION_LIMIT_REACHED',
          message: expect.stringContaining('limit of 3 images'),
        });
      });

      it('caps the events a session records', async () => {
        const s = await newSession();
        const quota = new SessionQuota(usage, limits, () => 0);
        await quota.event(s);
        await quota.event(s);
        expect(await refusal(quota.event(s))).toMatchObject({ code: 'SESSION_LIMIT_REACHED' });
      });

      it('limits analyses per minute (429 until the minute ends) and over the session (429 until the token ends)', async () => {
        const s = await newSession();
        let now = 60_000 * 1000 + 15_000; // 15 s into a minute
        const quota = new SessionQuota(usage, limits, () => now);
        const tokenExpiresAt = now + 600_000;
        for (let i = 0; i < 3; i++) await quota.analysis(s, tokenExpiresAt);
        expect(await refusal(quota.analysis(s, tokenExpiresAt))).toMatchObject({
          code: 'RATE_LIMITED',
          status: 429,
          retryAfterSec: 45,
        });
        now += 60_000;
        await quota.analysis(s, tokenExpiresAt);
        expect(await refusal(quota.analysis(s, tokenExpiresAt))).toMatchObject({
          code: 'ANALYSIS_LIMIT_REACHED',
          status: 429,
          retryAfterSec: 540,
        });
        const windows = await db.database.db
          .selectFrom('session_usage')
          .select('counter')
          .where('session_id', '=', s)
          .where('counter', 'like', 'analyses@%')
          .execute();
        expect(windows).toHaveLength(1);
      });
    });
  });
}
