import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceAnalysis } from '../../src/domain/ports/face-engine.port.js';
import type { StoredFaceAnalysis, WebhookDelivery } from '../../src/domain/ports/repositories.port.js';
import type { SessionRecord } from '../../src/domain/sessions/session.types.js';
import { createEmbeddingCodec } from '../../src/infra/crypto/embedding-codec.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { KyselyMediaRepository } from '../../src/infra/db/repositories/media.repository.js';
import {
  KyselyChallengeRepository,
  KyselyFaceAnalysisRepository,
  KyselyWebhookRepository,
} from '../../src/infra/db/repositories/pipeline.repository.js';
import { KyselySessionRepository } from '../../src/infra/db/repositories/session.repository.js';
import { KyselyWorkRepository } from '../../src/infra/db/repositories/work.repository.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { aCheck, aFaceResult, aMedia, anApp, aSession } from '../helpers/records.js';

// One contract, every adapter: what the checks pipeline stores beside a session (face analyses, capture
// challenges, webhook deliveries, replay and expiry queries) behaves the same on SQLite and PostgreSQL.

const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`Pipeline repositories on ${dialect.name}`, () => {
    let db: TestDatabase;
    let sessions: KyselySessionRepository;
    let appId: string;

    beforeAll(async () => {
      db = await dialect.create();
      sessions = new KyselySessionRepository(db.database.db, db.database.dialect);
      const app = anApp();
      await new KyselyAppRepository(db.database.db, db.database.dialect).create(app);
      appId = app.sdkId;
    });
    afterAll(async () => {
      await db?.drop();
    });

    const newSession = async (o: Partial<SessionRecord> = {}, checks = false) => {
      const s = aSession(appId, o);
      await sessions.create(s, checks ? [aCheck(s.id)] : []);
      return s;
    };

    it('stores face analyses with exact (optionally encrypted) embeddings, first write wins', async () => {
      for (const codec of [createEmbeddingCodec(), createEmbeddingCodec(randomBytes(32).toString('base64'))]) {
        const repo = new KyselyFaceAnalysisRepository(db.database.db, codec);
        const session = await newSession();
        const analysis: FaceAnalysis = {
          modelSetId: 'm1',
          width: 640,
          height: 480,
          rotation: 0,
          faces: [aFaceResult(1), aFaceResult(2)],
        };
        const record: StoredFaceAnalysis = {
          mediaId: randomUUID(),
          sessionId: session.id,
          analysis,
          imageError: null,
          createdAt: 1,
        };
        await repo.save(record);
        const back = await repo.get(record.mediaId);
        expect(back).toEqual(record);
        back!.analysis.faces.forEach((f, i) =>
          expect(bytes(f.embedding).equals(bytes(analysis.faces[i]!.embedding))).toBe(true),
        );
        await repo.save({ ...record, createdAt: 2, analysis: { ...analysis, faces: [] } });
        expect((await repo.get(record.mediaId))!.analysis.faces).toHaveLength(2);
        const unreadable: StoredFaceAnalysis = {
          mediaId: randomUUID(),
          sessionId: session.id,
          analysis: { modelSetId: 'm1', width: 0, height: 0, rotation: 0, faces: [] },
          imageError: 'IMAGE_TOO_LARGE',
          createdAt: 3,
        };
        await repo.save(unreadable);
        expect(await repo.get(unreadable.mediaId)).toEqual(unreadable);
        expect(await repo.get(randomUUID())).toBeNull();
      }
    });

    it('consumes a capture challenge once, before expiry, within its session', async () => {
      const repo = new KyselyChallengeRepository(db.database.db);
      const session = await newSession();
      const other = await newSession();
      const c = {
        id: randomUUID(),
        sessionId: session.id,
        expiresAt: 1_000,
        usedAt: null,
        mediaSha256: null,
        createdAt: 500,
        requirementId: 'req-1',
        livenessType: 'STATIC',
        nonce: 'n0nce',
        steps: [{ kind: 'BURST', frames: 5, spanMs: 1000 }],
        revealed: 1,
      };
      await repo.create(c);
      expect(await repo.get(session.id, c.id)).toEqual(c);
      expect(await repo.get(other.id, c.id)).toBeNull();
      expect(await repo.consume(other.id, c.id, 'aa', 600)).toBe(false);
      expect(await repo.consume(session.id, c.id, 'aa', 600)).toBe(true);
      expect(await repo.consume(session.id, c.id, 'bb', 601)).toBe(false);
      expect(await repo.findByMedia(session.id, 'aa')).toEqual({ ...c, usedAt: 600, mediaSha256: 'aa' });
      expect(await repo.findByMedia(other.id, 'aa')).toBeNull();
      const expiring = { ...c, id: randomUUID() };
      await repo.create(expiring);
      expect(await repo.consume(session.id, expiring.id, 'cc', 1_000)).toBe(false);
      const raced = { ...c, id: randomUUID() };
      await repo.create(raced);
      const wins = await Promise.all(
        Array.from({ length: 6 }, (_, i) => repo.consume(session.id, raced.id, `d${i}`, 700)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('keeps webhook deliveries of a session in creation order, idempotent on id', async () => {
      const repo = new KyselyWebhookRepository(db.database.db);
      const session = await newSession();
      const base = {
        sessionId: session.id,
        topic: 'SESSION_COMPLETION',
        payload: { session_id: session.id, topic: 'SESSION_COMPLETION' },
        state: 'pending' as const,
        attempts: 0,
        lastStatus: null,
        lastError: null,
        updatedAt: 0,
        deliveredAt: null,
      };
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) await repo.create({ ...base, id }, 5_000);
      await repo.create({ ...base, id: ids[0]!, topic: 'CHECK_COMPLETION' }, 6_000);
      const listed = await repo.list(session.id);
      expect(listed.map((d) => d.id)).toEqual(ids);
      expect(listed.map((d) => d.createdAt)).toEqual([5_000, 5_001, 5_002]);
      expect(listed[0]).toEqual({ ...base, id: ids[0]!, createdAt: 5_000, updatedAt: 5_000 } satisfies WebhookDelivery);
      expect(await repo.earlierPending(listed[2]!)).toEqual(listed[0]);
      const delivered = {
        ...listed[0]!,
        state: 'delivered' as const,
        attempts: 1,
        lastStatus: 200,
        updatedAt: 5_100,
        deliveredAt: 5_100,
      };
      await repo.update(delivered);
      expect(await repo.get(ids[0]!)).toEqual(delivered);
      expect(await repo.earlierPending(listed[2]!)).toEqual(listed[1]);
      expect(await repo.earlierPending(listed[0]!)).toBeNull();
      expect(await repo.get(randomUUID())).toBeNull();
    });

    it('gives concurrent webhook deliveries of one session distinct creation times', async () => {
      const repo = new KyselyWebhookRepository(db.database.db);
      const session = await newSession();
      const base = {
        sessionId: session.id,
        topic: 'CHECK_COMPLETION',
        payload: {},
        state: 'pending' as const,
        attempts: 0,
        lastStatus: null,
        lastError: null,
        updatedAt: 0,
        deliveredAt: null,
      };
      await Promise.all(Array.from({ length: 6 }, () => repo.create({ ...base, id: randomUUID() }, 7_000)));
      const times = (await repo.list(session.id)).map((d) => d.createdAt);
      expect(times).toHaveLength(6);
      expect(new Set(times).size).toBe(6);
    });

    it('counts other sessions holding the same image bytes', async () => {
      const media = new KyselyMediaRepository(db.database.db, db.database.dialect);
      const [s1, s2, s3] = [await newSession(), await newSession(), await newSession()];
      const digest = randomBytes(32).toString('hex');
      await media.create(aMedia(s1, { sha256: digest }));
      await media.create(aMedia(s1, { sha256: digest }));
      expect(await media.countOtherSessionsWithDigest(s1.id, digest)).toBe(0);
      await media.create(aMedia(s2, { sha256: digest }));
      await media.create(aMedia(s3, { sha256: randomBytes(32).toString('hex') }));
      expect(await media.countOtherSessionsWithDigest(s1.id, digest)).toBe(1);
      expect(await media.countOtherSessionsWithDigest(s3.id, digest)).toBe(2);
    });

    it('lists ongoing sessions whose token expired with checks not done', async () => {
      const work = new KyselyWorkRepository(db.database.db, db.database.dialect);
      const due = await newSession({ tokenExpiresAt: 100 }, true);
      const later = await newSession({ tokenExpiresAt: 200 }, true);
      await newSession({ tokenExpiresAt: 100 }, false);
      await newSession({ tokenExpiresAt: 100, finishedAt: 90 }, true);
      await newSession({ tokenExpiresAt: 100, state: 'EXPIRED' }, true);
      const done = await newSession({ tokenExpiresAt: 100 }, false);
      await work.saveCheck(aCheck(done.id, { state: 'DONE' }));
      expect((await sessions.listUnfinishedExpired(150, 10)).map((s) => s.id)).toEqual([due.id]);
      expect((await sessions.listUnfinishedExpired(200, 10)).map((s) => s.id)).toEqual([due.id, later.id]);
      expect((await sessions.listUnfinishedExpired(200, 1)).map((s) => s.id)).toEqual([due.id]);
    });
  });
}
