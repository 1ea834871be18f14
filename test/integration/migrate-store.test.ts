import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysedFace } from '../../src/domain/ports/face-engine.port.js';
import type { MediaStore } from '../../src/domain/ports/media-store.port.js';
import type { Repositories } from '../../src/domain/ports/repositories.port.js';
import type { FaceRecord } from '../../src/domain/pools/pool.types.js';
import type { SessionRecord } from '../../src/domain/sessions/session.types.js';
import { createEmbeddingCodec } from '../../src/infra/crypto/embedding-codec.js';
import { type Database, openDatabase } from '../../src/infra/db/database.js';
import { migrate } from '../../src/infra/db/migrator.js';
import { createRepositories } from '../../src/infra/db/repositories/index.js';
import { KyselyPoolRepository } from '../../src/infra/db/repositories/pool.repository.js';
import { migrateStore, STORE_TABLES, StoreMigrationError } from '../../src/tools/store-migration/store-migration.js';
import { DiskMediaStore } from '../../src/infra/media/disk-media.store.js';
import { S3MediaStore } from '../../src/infra/media/s3-media.store.js';
import { KyselyJobQueue } from '../../src/infra/queue/kysely-job.queue.js';
import { postgresAvailable, postgresTestDatabase, type TestDatabase } from '../helpers/databases.js';
import {
  aCheck,
  aDeviceEvent,
  aFace,
  aMedia,
  anApp,
  anEmbedding,
  aPool,
  aQuality,
  aResource,
  aSession,
  aTask,
} from '../helpers/records.js';
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js';
import { CLI } from '../helpers/server.js';

// `openidv migrate-store`: an embedded install (SQLite + media on disk) with sessions, media, applicants, faces
// and pools, moved into a fresh PostgreSQL database and an S3 bucket (s3rver on loopback) by the built CLI, then
// read back through the repositories and the S3 store. Refusals and failures leave the target empty.

const run = promisify(execFile);
const withPostgres = await postgresAvailable();
const BUCKET = 'openidv-migrate';
const PREFIX = 'prod/eu';
const EMBEDDING_KEY = randomBytes(32).toString('base64');
const codec = createEmbeddingCodec(EMBEDDING_KEY);

const bytesOf = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Everything one embedded install would hold, written through the repositories. */
async function seed(dataDir: string) {
  const database = openDatabase(`sqlite:${join(dataDir, 'openidv.db')}`);
  await migrate(database);
  const repos = createRepositories(database.db, database.dialect, codec);
  const pools = new KyselyPoolRepository(database.db, database.dialect, codec);
  const media: MediaStore = new DiskMediaStore(join(dataDir, 'media'));
  const queue = new KyselyJobQueue(database.db, database.dialect, () => 9_000);
  const app = anApp();
  await repos.apps.create(app);
  const sessions: SessionRecord[] = [];
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < 3; i++) {
    const session = aSession(app.sdkId, { createdAt: 2_000 + i, state: i === 0 ? 'COMPLETED' : 'ONGOING' });
    await repos.sessions.create(session, [
      aCheck(session.id, { type: 'LIVENESS' }),
      aCheck(session.id, { type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: 'p' } }),
    ]);
    const resource = aResource(session.id);
    await repos.resources.create(resource);
    await repos.work.saveTask(aTask(session.id, resource.id));
    for (let m = 0; m < 2; m++) {
      const data = randomBytes(2_000 + m);
      const row = aMedia(session, { size: data.length, sha256: sha256(data), createdAt: 4_000 + m });
      await repos.media.create(row);
      await media.put(row.storageKey, data, row.contentType);
      objects.set(row.storageKey, data);
      const face = {
        box: { x: 1, y: 2, width: 50, height: 60 },
        landmarks: [],
        detectorScore: 0.9,
        quality: aQuality(),
        embedding: anEmbedding(i * 10 + m),
        liveness: 0.8,
      };
      await repos.analyses.save({
        mediaId: row.id,
        sessionId: session.id,
        analysis: { modelSetId: 'm', width: 250, height: 250, rotation: 0, faces: [face as unknown as AnalysedFace] },
        imageError: null,
        createdAt: 4_100,
      });
    }
    await repos.devices.add(aDeviceEvent(session.id));
    const challengeId = randomUUID();
    await repos.challenges.create({
      id: challengeId,
      sessionId: session.id,
      expiresAt: 9_999,
      usedAt: null,
      mediaSha256: null,
      createdAt: 3_000,
      requirementId: 'req-1',
      livenessType: 'STATIC',
      nonce: 'n0nce',
      steps: [{ kind: 'BURST', frames: 5, spanMs: 1000 }],
      revealed: 1,
    });
    for (let f = 0; f < 2; f++)
      await repos.livenessFrames.append({
        challengeId,
        sessionId: session.id,
        index: f,
        receivedAt: 3_100 + f,
        analysis: `{"frame":${f}}`,
      });
    await repos.webhooks.create(
      {
        id: randomUUID(),
        sessionId: session.id,
        topic: 'SESSION_COMPLETION',
        payload: { session_id: session.id },
        state: 'delivered',
        attempts: 1,
        lastStatus: 200,
        lastError: null,
        updatedAt: 5_000,
        deliveredAt: 5_000,
      },
      5_000,
    );
    await queue.enqueue({
      name: 'session.process',
      payload: { sessionId: session.id },
      sessionId: session.id,
      dedupeKey: `process:${session.id}`,
    });
    sessions.push(session);
  }
  await repos.nonces.remember(app.sdkId, 'nonce-seen-before', 1_000);
  // Five ledger entries: with --batch-size 2 the (app_id, digest) key is paged over three reads.
  const ledger = Array.from({ length: 5 }, () => ({
    digest: randomBytes(32).toString('hex'),
    perceptualHash: randomBytes(32).toString('hex'),
  }));
  await repos.frameLedger.record(app.sdkId, { id: 'capture', sessionId: 'session' }, ledger, 8_000);

  const pool = aPool(app.sdkId, { label: 'BLOCKLIST' });
  await pools.createPool(pool);
  await pools.createPool(aPool(app.sdkId, { label: 'VIP', createdAt: 7_001 }));
  const faces: FaceRecord[] = [];
  for (let a = 0; a < 3; a++) {
    const applicant = { id: randomUUID(), appId: app.sdkId, createdAt: 6_000 + a, updatedAt: 6_000 + a };
    await pools.createApplicant(applicant);
    await pools.addMember(pool.id, applicant.id, 6_500);
    for (let f = 0; f < 2; f++) {
      const face = await pools.addFace(aFace(app.sdkId, applicant.id, { createdAt: 6_600 + f }));
      const data = randomBytes(1_500);
      await media.put(face.imageKey, data, face.contentType);
      objects.set(face.imageKey, data);
      faces.push(face);
    }
  }
  // The newest face is deleted: its key must never be handed out again, in either store.
  const removed = faces.pop()!;
  await pools.deleteFace(app.sdkId, removed.applicantId, removed.id, 6_900);
  await media.delete(removed.imageKey);
  objects.delete(removed.imageKey);
  // A media row whose object went missing on disk: reported, not fatal.
  const lostSession = sessions[2]!;
  const lost = (await repos.media.list(lostSession.id))[0]!;
  await media.delete(lost.storageKey);
  objects.delete(lost.storageKey);

  const bundles = await Promise.all(sessions.map((s) => repos.sessions.bundle(s)));
  const changes = await pools.changesSince(0, 1_000);
  await database.close();
  return { app, sessions, bundles, pool, faces, removed, objects, changes, lost, ledger };
}

describe.skipIf(!withPostgres)('openidv migrate-store: SQLite + disk to PostgreSQL + S3', () => {
  let dataDir: string;
  let s3: TestS3Server | null;
  let target: TestDatabase;
  let seeded: Awaited<ReturnType<typeof seed>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openidv-migrate-'));
    seeded = await seed(dataDir);
    s3 = await startS3Server([BUCKET, 'other-bucket', 'third-bucket']);
    if (!s3) throw new Error('s3rver did not start');
    target = await postgresTestDatabase({ migrate: false });
    env = {
      ...(process.env as Record<string, string>),
      OPENIDV_S3_BUCKET: BUCKET,
      OPENIDV_S3_ENDPOINT: s3.endpoint,
      OPENIDV_S3_REGION: s3.region,
      OPENIDV_S3_PREFIX: PREFIX,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    };
  });

  afterAll(async () => {
    await target?.drop();
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const s3Store = (bucket = BUCKET) =>
    new S3MediaStore({
      bucket,
      endpoint: s3!.endpoint,
      region: s3!.region,
      forcePathStyle: true,
      prefix: PREFIX,
      credentials: s3!.credentials,
    });

  it('copies every table and media object, and the repositories read the same install back', async () => {
    const { stdout } = await run(
      process.execPath,
      [CLI, 'migrate-store', '--from', dataDir, '--to', target.url, '--media-to', 's3', '--batch-size', '2', '--json'],
      { env },
    );
    const report = JSON.parse(stdout) as {
      tables: Record<string, number>;
      nextKeys: Record<string, number>;
      media: { objects: number; missing: string[] };
    };
    expect(report.tables).toMatchObject({
      apps: 1,
      sessions: 3,
      checks: 6,
      resources: 3,
      tasks: 3,
      media: 6,
      face_analyses: 6,
      jobs: 3,
      applicants: 3,
      faces: 5,
      pools: 2,
      pool_members: 3,
      liveness_frames: 6,
      liveness_frame_ledger: 5,
    });
    expect(Object.keys(report.tables)).toEqual(STORE_TABLES.map((t) => t.name));
    expect(report.media.objects).toBe(seeded.objects.size);
    expect(report.media.missing).toEqual([seeded.lost.storageKey]);
    expect(report.nextKeys['faces.key']).toBe(seeded.removed.key + 1);

    const db = target.database;
    const repos: Repositories = createRepositories(db.db, db.dialect, codec);
    const pools = new KyselyPoolRepository(db.db, db.dialect, codec);
    expect(await repos.apps.get(seeded.app.sdkId)).toEqual(seeded.app);
    for (const [i, session] of seeded.sessions.entries()) {
      const back = await repos.sessions.get(seeded.app.sdkId, session.id);
      expect(back).toEqual(session);
      expect(await repos.sessions.getByClientToken(session.clientToken)).toEqual(session);
      expect(await repos.sessions.bundle(back!)).toEqual(seeded.bundles[i]);
      for (const m of await repos.media.list(session.id)) {
        const analysis = await repos.analyses.get(m.id);
        expect(analysis?.analysis.faces[0]?.embedding).toBeInstanceOf(Float32Array); // decrypted with the same key
      }
      expect(await repos.webhooks.list(session.id)).toHaveLength(1);
      const [challenge] = await db.db
        .selectFrom('capture_challenges')
        .select('id')
        .where('session_id', '=', session.id)
        .execute();
      expect((await repos.livenessFrames.list(session.id, challenge!.id)).map((f) => f.analysis)).toEqual([
        '{"frame":0}',
        '{"frame":1}',
      ]);
    }
    // The replay ledger keeps its words, and each frame its capture and place: a near copy of a moved entry is
    // still found on the new store.
    const moved = { ...seeded.ledger[3]!, captureId: 'capture', sessionId: 'session', index: 3 };
    const near = `${moved.perceptualHash.slice(0, 63)}${moved.perceptualHash[63] === '0' ? '1' : '0'}`;
    expect(await repos.frameLedger.candidates(seeded.app.sdkId, [{ digest: 'new', perceptualHash: near }])).toEqual([
      moved,
    ]);
    // Replay protection carries over: a nonce seen before the move is still a replay.
    expect(await repos.nonces.remember(seeded.app.sdkId, 'nonce-seen-before', 9_000)).toBe(false);

    expect((await pools.getPool(seeded.app.sdkId, seeded.pool.id))?.label).toBe('BLOCKLIST');
    expect((await pools.listPools(seeded.app.sdkId, undefined, 10)).items).toHaveLength(2);
    expect((await pools.listMembers(seeded.pool.id, undefined, 10)).items).toHaveLength(3);
    for (const face of seeded.faces) {
      const back = await pools.getFace(seeded.app.sdkId, face.applicantId, face.id);
      expect(back?.key).toBe(face.key);
      expect(bytesOf(back!.embedding).equals(bytesOf(face.embedding))).toBe(true);
    }
    const { rows: members } = await pools.memberFaces(null, 100);
    expect(members.map((m) => m.key).sort((a, b) => a - b)).toEqual(
      seeded.faces.map((f) => f.key).sort((a, b) => a - b),
    );
    expect(await pools.changesSince(0, 1_000)).toEqual(seeded.changes);

    // Media: every object in the bucket under the prefix, byte for byte.
    const bucket = s3Store();
    expect(await bucket.list('')).toEqual([...seeded.objects.keys()].sort());
    for (const [key, data] of seeded.objects) expect((await bucket.get(key))?.equals(data)).toBe(true);
    bucket.close();

    // The generators continue after every key the source handed out: no reuse of the deleted face's key.
    const applicantId = seeded.faces[0]!.applicantId;
    const added = await pools.addFace(aFace(seeded.app.sdkId, applicantId));
    expect(added.key).toBe(seeded.removed.key + 1);
    expect(await pools.latestChangeSeq()).toBeGreaterThan(seeded.changes.at(-1)!.seq);

    // Queued work moves too: the jobs of the unfinished sessions are claimable on the new store.
    const claimed = await new KyselyJobQueue(db.db, db.dialect, () => 10_000).claim('new-worker', 10, 1_000);
    expect(claimed.map((j) => j.sessionId).sort()).toEqual(seeded.sessions.map((s) => s.id).sort());
  });

  it('refuses a target database that already holds rows', async () => {
    const failed = await run(process.execPath, [CLI, 'migrate-store', '--from', dataDir, '--to', target.url], {
      env,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/target database is not empty/);
  });

  it('refuses a media target holding objects the source does not have, and leaves the database empty', async () => {
    const fresh = await postgresTestDatabase();
    const source = openDatabase(`sqlite:${join(dataDir, 'openidv.db')}`);
    const other = s3Store('other-bucket');
    try {
      await other.put('someone-else/object', Buffer.from('x'), 'text/plain');
      await expect(
        migrateStore({
          source,
          target: fresh.database,
          media: { from: new DiskMediaStore(join(dataDir, 'media')), to: other },
        }),
      ).rejects.toThrow(/media store is not empty/);
      for (const t of STORE_TABLES) expect(await countRows(fresh.database, t.name)).toBe(0);
    } finally {
      other.close();
      await source.close();
      await fresh.drop();
    }
  });

  it('stops on a media object that does not match its recorded digest, with nothing written to the database', async () => {
    const copyDir = mkdtempSync(join(tmpdir(), 'openidv-migrate-corrupt-'));
    const fresh = await postgresTestDatabase();
    const source = openDatabase(`sqlite:${join(dataDir, 'openidv.db')}`);
    const sink = s3Store('third-bucket');
    try {
      const from = new DiskMediaStore(join(dataDir, 'media'));
      const corrupt: MediaStore = new DiskMediaStore(copyDir);
      for (const key of await from.list('')) await corrupt.put(key, (await from.get(key))!, 'image/jpeg');
      const victim = (await repositoriesOf(source).media.list(seeded.sessions[0]!.id))[0]!;
      writeFileSync(join(copyDir, victim.storageKey), 'tampered');
      const failure = await migrateStore({ source, target: fresh.database, media: { from: corrupt, to: sink } }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(StoreMigrationError);
      expect(String(failure)).toMatch(/SHA-256/);
      for (const t of STORE_TABLES) expect(await countRows(fresh.database, t.name)).toBe(0);
    } finally {
      sink.close();
      await source.close();
      await fresh.drop();
      rmSync(copyDir, { recursive: true, force: true });
    }
  });

  it('moves back from PostgreSQL to SQLite with the same rows and key generators (any direction works)', async () => {
    const backDir = mkdtempSync(join(tmpdir(), 'openidv-migrate-back-'));
    const back = openDatabase(`sqlite:${join(backDir, 'openidv.db')}`);
    try {
      const report = await migrateStore({ source: target.database, target: back });
      expect(report.tables.faces).toBe(seeded.faces.length + 1);
      const pools = new KyselyPoolRepository(back.db, back.dialect, codec);
      const added = await pools.addFace(aFace(seeded.app.sdkId, seeded.faces[0]!.applicantId));
      expect(added.key).toBe(seeded.removed.key + 2);
    } finally {
      await back.close();
      rmSync(backDir, { recursive: true, force: true });
    }
  });
});

function repositoriesOf(database: Database) {
  return createRepositories(database.db, database.dialect, codec);
}

async function countRows(database: Database, table: string): Promise<number> {
  const row = await database.db
    .selectFrom(table as 'apps')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
