import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { KyselyDeviceEventRepository } from '../../src/infra/db/repositories/device-event.repository.js';
import { KyselyMediaRepository } from '../../src/infra/db/repositories/media.repository.js';
import { KyselyNonceRepository } from '../../src/infra/db/repositories/nonce.repository.js';
import { KyselyResourceRepository } from '../../src/infra/db/repositories/resource.repository.js';
import { KyselySessionRepository } from '../../src/infra/db/repositories/session.repository.js';
import { KyselyWorkRepository } from '../../src/infra/db/repositories/work.repository.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { aCheck, aDeviceEvent, aMedia, anApp, aResource, aSession, aTask } from '../helpers/records.js';

// One contract, every adapter: apps, sessions and what hangs off a session behave the same on SQLite and on the
// machine's PostgreSQL. Pools, applicants and faces have their own suite (pool-repository.contract.test.ts).
for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`Repositories on ${dialect.name}`, () => {
    let db: TestDatabase;
    let apps: KyselyAppRepository;
    let sessions: KyselySessionRepository;
    let resources: KyselyResourceRepository;
    let work: KyselyWorkRepository;
    let media: KyselyMediaRepository;
    let devices: KyselyDeviceEventRepository;
    let nonces: KyselyNonceRepository;

    beforeAll(async () => {
      db = await dialect.create();
      const k = db.database.db;
      apps = new KyselyAppRepository(k, db.database.dialect);
      sessions = new KyselySessionRepository(k, db.database.dialect);
      resources = new KyselyResourceRepository(k, db.database.dialect);
      work = new KyselyWorkRepository(k, db.database.dialect);
      media = new KyselyMediaRepository(k, db.database.dialect);
      devices = new KyselyDeviceEventRepository(k);
      nonces = new KyselyNonceRepository(k, db.database.dialect);
    });
    afterAll(async () => {
      await db?.drop();
    });

    const newApp = async () => {
      const app = anApp();
      await apps.create(app);
      return app;
    };

    describe('apps', () => {
      it('creates, reads and lists apps in creation order', async () => {
        const a = anApp({ createdAt: 50 });
        const b = anApp({ createdAt: 40, name: 'Second' });
        await apps.create(a);
        await apps.create(b);
        expect(await apps.get(a.sdkId)).toEqual(a);
        expect(await apps.get(randomUUID())).toBeNull();
        const listed = (await apps.list()).filter((x) => x.sdkId === a.sdkId || x.sdkId === b.sdkId);
        expect(listed).toEqual([b, a]);
        await expect(apps.create(a)).rejects.toThrow();
      });

      it('revokes once', async () => {
        const app = await newApp();
        expect(await apps.revoke(app.sdkId, 77)).toBe(true);
        expect(await apps.revoke(app.sdkId, 88)).toBe(false);
        expect((await apps.get(app.sdkId))!.revokedAt).toBe(77);
        expect(await apps.revoke(randomUUID(), 1)).toBe(false);
      });
    });

    describe('sessions', () => {
      it('creates a session with its checks, read back exactly and scoped by app', async () => {
        const app = await newApp();
        const other = await newApp();
        const session = aSession(app.sdkId, { biometricConsentAt: 2_500 });
        const checks = [
          aCheck(session.id, { createdAt: 2_000 }),
          aCheck(session.id, { type: 'FACE_MATCH', createdAt: 2_001 }),
        ];
        await sessions.create(session, checks);
        expect(await sessions.get(app.sdkId, session.id)).toEqual(session);
        expect(await sessions.get(other.sdkId, session.id)).toBeNull();
        expect(await sessions.get(app.sdkId, randomUUID())).toBeNull();
        expect(await sessions.getById(session.id)).toEqual(session);
        expect(await sessions.getByClientToken(session.clientToken)).toEqual(session);
        expect(await sessions.getByClientToken(randomUUID())).toBeNull();
        expect(await work.listChecks(session.id)).toEqual(checks);
      });

      it('creates a session and its checks atomically', async () => {
        const app = await newApp();
        const first = aSession(app.sdkId);
        const check = aCheck(first.id);
        await sessions.create(first, [check]);
        // Same check id again: the second session must not exist half-made.
        const second = aSession(app.sdkId);
        await expect(sessions.create(second, [aCheck(second.id, { id: check.id })])).rejects.toThrow();
        expect(await sessions.getById(second.id)).toBeNull();
        // Client tokens are unique.
        await expect(sessions.create(aSession(app.sdkId, { clientToken: first.clientToken }), [])).rejects.toThrow();
      });

      it('bundles a session with its checks, tasks, resources and media', async () => {
        const app = await newApp();
        const session = aSession(app.sdkId);
        const check = aCheck(session.id);
        await sessions.create(session, [check]);
        const resource = aResource(session.id);
        await resources.create(resource);
        const task = aTask(session.id, resource.id);
        await work.saveTask(task);
        const m1 = aMedia(session, { createdAt: 4_000 });
        const m2 = aMedia(session, { createdAt: 4_001, type: 'JSON', contentType: 'application/json' });
        await media.create(m2);
        await media.create(m1);
        expect(await sessions.bundle(session)).toEqual({
          session,
          checks: [check],
          tasks: [task],
          resources: [resource],
          media: [m1, m2],
        });
        const empty = aSession(app.sdkId);
        await sessions.create(empty, []);
        expect(await sessions.bundle(empty)).toEqual({
          session: empty,
          checks: [],
          tasks: [],
          resources: [],
          media: [],
        });
      });

      it('updates only the given fields, and can clear one', async () => {
        const app = await newApp();
        const session = aSession(app.sdkId);
        await sessions.create(session, []);
        await sessions.update(session.id, { state: 'COMPLETED', finishedAt: 8_000, completedAt: 8_500 }, 9_000);
        expect(await sessions.getById(session.id)).toEqual({
          ...session,
          state: 'COMPLETED',
          finishedAt: 8_000,
          completedAt: 8_500,
          updatedAt: 9_000,
        });
        await sessions.update(session.id, { biometricConsentAt: 9_100 }, 9_100);
        await sessions.update(session.id, { biometricConsentAt: null }, 9_200);
        const after = await sessions.getById(session.id);
        expect(after).toEqual({
          ...session,
          state: 'COMPLETED',
          finishedAt: 8_000,
          completedAt: 8_500,
          biometricConsentAt: null,
          updatedAt: 9_200,
        });
      });

      it('deletes a session and every row that hangs off it, and nothing of another session', async () => {
        const app = await newApp();
        const k = db.database.db;
        const make = async () => {
          const session = aSession(app.sdkId);
          await sessions.create(session, [aCheck(session.id)]);
          const resource = aResource(session.id);
          await resources.create(resource);
          await work.saveTask(aTask(session.id, resource.id));
          const m = aMedia(session);
          await media.create(m);
          await devices.add(aDeviceEvent(session.id));
          await k
            .insertInto('capture_challenges')
            .values({
              id: randomUUID(),
              session_id: session.id,
              expires_at: 1,
              used_at: null,
              media_sha256: null,
              created_at: 1,
            })
            .execute();
          await k
            .insertInto('face_analyses')
            .values({
              media_id: m.id,
              session_id: session.id,
              model_set_id: 'm',
              result: '{}',
              embeddings: Buffer.from([1, 2]),
              created_at: 1,
            })
            .execute();
          await k
            .insertInto('webhook_deliveries')
            .values({
              id: randomUUID(),
              session_id: session.id,
              topic: 'SESSION_COMPLETION',
              payload: '{}',
              state: 'pending',
              attempts: 0,
              last_status: null,
              last_error: null,
              created_at: 1,
              updated_at: 1,
              delivered_at: null,
            })
            .execute();
          return session;
        };
        const TABLES = [
          'checks',
          'resources',
          'tasks',
          'media',
          'device_events',
          'capture_challenges',
          'face_analyses',
          'webhook_deliveries',
        ] as const;
        const counts = async (sessionId: string) => {
          const out: Record<string, number> = {};
          for (const t of TABLES) {
            const row = await k
              .selectFrom(t)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('session_id', '=', sessionId)
              .executeTakeFirstOrThrow();
            out[t] = Number(row.n);
          }
          return out;
        };
        const doomed = await make();
        const kept = await make();
        const one = Object.fromEntries(TABLES.map((t) => [t, 1]));
        expect(await counts(doomed.id)).toEqual(one);
        await sessions.delete(doomed.id);
        expect(await sessions.getById(doomed.id)).toBeNull();
        expect(await counts(doomed.id)).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
        expect(await counts(kept.id)).toEqual(one);
        await sessions.delete(doomed.id);
      });

      it('lists sessions whose resources expired, oldest first, up to the limit', async () => {
        const app = await newApp();
        const at = (t: number) => aSession(app.sdkId, { resourcesExpireAt: t });
        const [s30, s10, s20, s40] = [at(30), at(10), at(20), at(40)];
        for (const s of [s30, s10, s20, s40]) await sessions.create(s, []);
        expect((await sessions.listPurgeable(30, 10)).map((s) => s.id)).toEqual([s10.id, s20.id, s30.id]);
        expect((await sessions.listPurgeable(30, 2)).map((s) => s.id)).toEqual([s10.id, s20.id]);
        expect(await sessions.listPurgeable(9, 10)).toEqual([]);
      });
    });

    describe('resources, checks and tasks', () => {
      it('creates, reads, lists in order and updates resources within their session', async () => {
        const app = await newApp();
        const session = aSession(app.sdkId);
        await sessions.create(session, []);
        const later = aResource(session.id, {
          createdAt: 3_002,
          type: 'ID_DOCUMENT',
          requirementId: 'req-1',
          source: 'RELYING_BUSINESS',
          data: {},
        });
        const first = aResource(session.id, { createdAt: 3_001 });
        await resources.create(later);
        await resources.create(first);
        expect(await resources.get(session.id, first.id)).toEqual(first);
        expect(await resources.get(randomUUID(), first.id)).toBeNull();
        expect(await resources.list(session.id)).toEqual([first, later]);
        const pages = [{ capture_method: 'CAMERA' as const, media_id: randomUUID(), frames: [] }];
        const updated = {
          ...later,
          data: { document_type: 'PASSPORT', issuing_country: 'GBR', pages },
          updatedAt: 3_500,
        };
        await resources.update(updated);
        expect(await resources.get(session.id, later.id)).toEqual(updated);
        // An update names its session: the wrong one changes nothing.
        await resources.update({ ...first, sessionId: randomUUID(), data: { attempts: 9 } });
        expect(await resources.get(session.id, first.id)).toEqual(first);
      });

      it('upserts checks and tasks, keeping their session and creation time', async () => {
        const app = await newApp();
        const session = aSession(app.sdkId);
        const check = aCheck(session.id);
        await sessions.create(session, [check]);
        const resource = aResource(session.id);
        await resources.create(resource);
        const report = {
          recommendation: { value: 'APPROVE' as const },
          breakdown: [
            {
              sub_check: 'liveness',
              result: 'PASS' as const,
              process: 'AUTOMATED' as const,
              details: [{ name: 'score', value: '0.99' }],
            },
          ],
        };
        const done = {
          ...check,
          state: 'DONE' as const,
          report,
          resourcesUsed: [resource.id],
          generatedMedia: [{ id: randomUUID(), type: 'JSON' }],
          updatedAt: 9_000,
        };
        await work.saveCheck({ ...done, createdAt: 1 });
        expect(await work.getCheck(session.id, check.id)).toEqual(done);
        expect(await work.getCheck(randomUUID(), check.id)).toBeNull();

        const task = aTask(session.id, resource.id);
        await work.saveTask(task);
        const doneTask = {
          ...task,
          state: 'DONE' as const,
          recommendation: { value: 'APPROVE' as const },
          generatedChecks: [{ id: randomUUID(), type: 'ID_DOCUMENT_TEXT_DATA_CHECK' }],
          updatedAt: 9_100,
        };
        await work.saveTask({ ...doneTask, createdAt: 1 });
        expect(await work.getTask(session.id, task.id)).toEqual(doneTask);
        expect(await work.getTask(randomUUID(), task.id)).toBeNull();
        expect(await work.listTasks(session.id)).toEqual([doneTask]);

        const second = aCheck(session.id, { createdAt: 1_999 });
        await work.saveCheck(second);
        expect(await work.listChecks(session.id)).toEqual([second, done]);
      });
    });

    describe('media rows and device events', () => {
      it('creates, reads, lists and deletes media rows within their session', async () => {
        const app = await newApp();
        const session = aSession(app.sdkId);
        await sessions.create(session, []);
        const a = aMedia(session, { createdAt: 4_000, size: 5 * 1024 * 1024 });
        const b = aMedia(session, { createdAt: 4_001, type: 'PDF', contentType: 'application/pdf' });
        await media.create(b);
        await media.create(a);
        expect(await media.get(session.id, a.id)).toEqual(a);
        expect(await media.get(randomUUID(), a.id)).toBeNull();
        expect(await media.list(session.id)).toEqual([a, b]);
        await media.delete(randomUUID(), a.id);
        expect(await media.get(session.id, a.id)).toEqual(a);
        await media.delete(session.id, a.id);
        expect(await media.list(session.id)).toEqual([b]);
      });

      it('lists media rows created in the same millisecond in a stable order (by id)', async () => {
        const app = await newApp();
        const session = aSession(app.sdkId);
        await sessions.create(session, []);
        const rows = Array.from({ length: 6 }, () => aMedia(session, { createdAt: 4_200 }));
        for (const m of rows) await media.create(m);
        expect(await media.list(session.id)).toEqual([...rows].sort((x, y) => (x.id < y.id ? -1 : 1)));
      });

      it('adds, lists in order and clears the device events of one session', async () => {
        const app = await newApp();
        const s1 = aSession(app.sdkId);
        const s2 = aSession(app.sdkId);
        await sessions.create(s1, []);
        await sessions.create(s2, []);
        const e2 = aDeviceEvent(s1.id, { createdAt: 5_002, event: 'RESOURCE_CREATED' });
        const e1 = aDeviceEvent(s1.id, { createdAt: 5_001 });
        const other = aDeviceEvent(s2.id);
        for (const e of [e2, e1, other]) await devices.add(e);
        expect(await devices.list(s1.id)).toEqual([e1, e2]);
        await devices.clear(s1.id);
        expect(await devices.list(s1.id)).toEqual([]);
        expect(await devices.list(s2.id)).toEqual([other]);
      });
    });

    describe('nonces', () => {
      it('remembers a nonce once per app, and forgets purged ones', async () => {
        const [a, b] = [randomUUID(), randomUUID()];
        expect(await nonces.remember(a, 'n1', 1_000)).toBe(true);
        expect(await nonces.remember(a, 'n1', 1_001)).toBe(false);
        expect(await nonces.remember(b, 'n1', 1_002)).toBe(true);
        expect(await nonces.remember(a, 'n2', 2_000)).toBe(true);
        await nonces.purgeBefore(1_500);
        expect(await nonces.remember(a, 'n2', 2_001)).toBe(false);
        expect(await nonces.remember(a, 'n1', 2_002)).toBe(true);
      });

      it('records nonces without flushing, and leaves every other write durable', async () => {
        const app = randomUUID();
        expect(
          await Promise.all(Array.from({ length: 20 }, (_, i) => nonces.remember(app, `n${i % 10}`, 4_000))),
        ).toEqual([...Array.from({ length: 10 }, () => true), ...Array.from({ length: 10 }, () => false)]);
        // The relaxed setting is the nonce insert's alone: the connection (SQLite) or session (PostgreSQL) is back
        // to the durable default for everything else.
        const durable =
          db.database.dialect === 'sqlite'
            ? (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db.database.db)).rows[0]!.synchronous ===
              2
            : (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(db.database.db)).rows[0]!
                .synchronous_commit === 'on';
        expect(durable).toBe(true);
      });

      it('keeps the guard start across calls and purges, until the guard is turned off', async () => {
        await nonces.forgetGuardStart();
        expect(await nonces.guardStart(5_000)).toBe(5_000);
        expect(await nonces.guardStart(9_000)).toBe(5_000);
        await nonces.purgeBefore(Number.MAX_SAFE_INTEGER);
        expect(await nonces.guardStart(9_500)).toBe(5_000);
        await nonces.forgetGuardStart();
        expect(await nonces.guardStart(10_000)).toBe(10_000);
      });

      it('lets exactly one of many concurrent identical requests through', async () => {
        const app = randomUUID();
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => nonces.remember(app, 'race', 3_000 + i)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });
  });
}
