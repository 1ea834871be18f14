import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSetRecord } from '../../src/domain/models/model-set.types.js';
import { PoolSearch } from '../../src/domain/pools/pool-search.js';
import { createEmbeddingCodec } from '../../src/infra/crypto/embedding-codec.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { KyselyModelSetRepository } from '../../src/infra/db/repositories/model-set.repository.js';
import { KyselyPoolRepository } from '../../src/infra/db/repositories/pool.repository.js';
import { InMemoryFaceIndex } from '../../src/infra/face-index/in-memory-face.index.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { aFace, anApp, anEmbedding, aPool } from '../helpers/records.js';

// One contract, both databases: the registry of model sets, the embeddings faces get under other sets, each
// pool's set, and the switch that moves a pool (and every process's index) from one set to the next.

const OLD = 'test-model-set-1';
const NEW = 'byo-arcface-r50';

const aModelSet = (o: Partial<ModelSetRecord> = {}): ModelSetRecord => ({
  id: `set-${randomUUID().slice(0, 8)}`,
  embedderFile: '/data/models/abc.onnx',
  embedderSha256: 'ab'.repeat(32),
  inputSize: 112,
  template: 'arcface112',
  dimensions: 512,
  calibration: null,
  state: 'installed',
  createdAt: 1_000,
  updatedAt: 1_000,
  ...o,
});

for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`ModelSetRepository on ${dialect.name}`, () => {
    let db: TestDatabase;
    let sets: KyselyModelSetRepository;
    let pools: KyselyPoolRepository;
    let apps: KyselyAppRepository;
    let clock = 10_000;
    const tick = () => ++clock;

    beforeAll(async () => {
      db = await dialect.create();
      // Encrypted at rest, as embeddings may be: re-embeddings go through the same codec.
      const codec = createEmbeddingCodec(randomBytes(32).toString('base64'));
      sets = new KyselyModelSetRepository(db.database.db, db.database.dialect, codec);
      pools = new KyselyPoolRepository(db.database.db, db.database.dialect, codec);
      apps = new KyselyAppRepository(db.database.db, db.database.dialect);
    });
    afterAll(async () => {
      await db?.drop();
    });

    const newApp = async () => {
      const app = anApp();
      await apps.create(app);
      return app.sdkId;
    };
    /** An applicant with one face enrolled under OLD, member of `poolId`. */
    const member = async (appId: string, poolId: string, seed: number) => {
      const applicantId = randomUUID();
      await pools.createApplicant({ id: applicantId, appId, createdAt: tick(), updatedAt: clock });
      const face = await pools.addFace(aFace(appId, applicantId, { embedding: anEmbedding(seed), createdAt: tick() }));
      await pools.addMember(poolId, applicantId, tick());
      return face;
    };

    it('installs, lists and reads sets; a second install of an id writes nothing', async () => {
      const a = aModelSet({ calibration: null });
      expect(await sets.install(a)).toBe(true);
      expect(await sets.install({ ...a, embedderFile: '/elsewhere.onnx' })).toBe(false);
      expect(await sets.get(a.id)).toEqual(a);
      expect(await sets.get('nope')).toBeNull();
      expect((await sets.list()).map((s) => s.id)).toContain(a.id);
      // Never installed active, whatever the record says: activation is its own step.
      const b = aModelSet({ state: 'active' });
      await sets.install(b);
      expect((await sets.get(b.id))?.state).toBe('installed');
    });

    it('stores a calibration as JSON', async () => {
      const a = aModelSet();
      await sets.install(a);
      const calibration = {
        schema: 'openidv.face-calibration/v1',
        modelSetId: a.id,
        impostor: { quantiles: [{ p: 0.1, similarity: 0.2 }] },
      };
      expect(await sets.setCalibration(a.id, calibration, tick())).toBe(true);
      expect((await sets.get(a.id))?.calibration).toEqual(calibration);
      expect(await sets.setCalibration('nope', calibration, tick())).toBe(false);
    });

    it('keeps one active set; activating another retires it; null goes back to the shipped set', async () => {
      const [a, b] = [aModelSet(), aModelSet()];
      await sets.install(a);
      await sets.install(b);
      await sets.activate(a.id, tick());
      expect(await sets.activeId()).toBe(a.id);
      await sets.activate(b.id, tick());
      expect(await sets.activeId()).toBe(b.id);
      expect((await sets.get(a.id))?.state).toBe('retired');
      await sets.activate(null, tick());
      expect(await sets.activeId()).toBeNull();
      expect((await sets.get(b.id))?.state).toBe('retired');
    });

    it('re-embeds faces once, reads a face under either set, and counts progress per pool', async () => {
      const app = await newApp();
      const pool = aPool(app);
      await pools.createPool(pool);
      const faces = [await member(app, pool.id, 1), await member(app, pool.id, 2)];
      expect(await pools.poolModelSet(pool.id)).toBe(OLD);

      const todo = await sets.facesToEmbed(NEW, 0, 1000);
      expect(todo.map((f) => f.key)).toEqual(expect.arrayContaining(faces.map((f) => f.key)));
      const mine = todo.find((f) => f.key === faces[0]!.key)!;
      expect(mine).toMatchObject({ imageKey: faces[0]!.imageKey, modelSetId: OLD });
      expect(Array.from(mine.embedding)).toEqual(Array.from(faces[0]!.embedding));
      expect(await sets.facesToEmbed(NEW, faces[1]!.key, 1000)).not.toContainEqual(
        expect.objectContaining({ key: faces[0]!.key }),
      );
      // A face is never on the list of its own set.
      expect((await sets.facesToEmbed(OLD, 0, 1000)).map((f) => f.key)).not.toContain(faces[0]!.key);

      const pending = await sets.countFacesToEmbed(NEW);
      expect(pending).toBeGreaterThanOrEqual(2);
      expect(await sets.progress(NEW)).toContainEqual({
        poolId: pool.id,
        appId: app,
        label: pool.label,
        modelSetId: OLD,
        faces: 2,
        embedded: 0,
      });
      await sets.saveEmbedding(faces[0]!.key, NEW, anEmbedding(101), tick());
      await sets.saveEmbedding(faces[0]!.key, NEW, anEmbedding(999), tick()); // a rerun keeps the first
      expect(Array.from((await sets.embeddingOf(faces[0]!.key, NEW))!)).toEqual(Array.from(anEmbedding(101)));
      expect(Array.from((await sets.embeddingOf(faces[0]!.key, OLD))!)).toEqual(Array.from(faces[0]!.embedding));
      expect(await sets.embeddingOf(faces[1]!.key, NEW)).toBeNull();
      expect((await sets.facesToEmbed(NEW, 0, 1000)).map((f) => f.key)).not.toContain(faces[0]!.key);
      expect(await sets.countFacesToEmbed(NEW)).toBe(pending - 1);
      expect(await sets.progress(NEW)).toContainEqual(
        expect.objectContaining({ poolId: pool.id, faces: 2, embedded: 1 }),
      );
    });

    it('switches a pool only when every member has the new embedding, and logs the switch once', async () => {
      const app = await newApp();
      const pool = aPool(app);
      await pools.createPool(pool);
      const faces = [await member(app, pool.id, 11), await member(app, pool.id, 12)];
      await sets.saveEmbedding(faces[0]!.key, NEW, anEmbedding(111), tick());
      expect(await sets.switchPool(pool.id, NEW, tick())).toBe(false);
      expect(await pools.poolModelSet(pool.id)).toBe(OLD);

      await sets.saveEmbedding(faces[1]!.key, NEW, anEmbedding(112), tick());
      const before = await pools.latestChangeSeq();
      expect(await sets.switchPool(pool.id, NEW, tick())).toBe(true);
      expect(await sets.switchPool(pool.id, NEW, tick())).toBe(false);
      expect(await pools.poolModelSet(pool.id)).toBe(NEW);
      expect((await pools.getPool(app, pool.id))?.modelSetId).toBe(NEW);
      expect((await pools.changesSince(before, 100)).map((c) => ({ poolId: c.poolId, op: c.op }))).toEqual([
        { poolId: pool.id, op: 'switch' },
      ]);
      expect(await sets.poolSets()).toContain(NEW);

      // After the switch, the pool's faces are read under the new set: by a loading index and from the log.
      const { rows } = await pools.memberFaces({ poolId: pool.id, applicantId: '' }, 100);
      const mine = rows.filter((r) => r.poolId === pool.id);
      expect(mine.map((r) => r.modelSetId)).toEqual([NEW, NEW]);
      expect(new Set(mine.map((r) => Array.from(r.embedding).join()))).toEqual(
        new Set([anEmbedding(111), anEmbedding(112)].map((v) => Array.from(v).join())),
      );
      const later = await pools.latestChangeSeq();
      const applicantId = randomUUID();
      await pools.createApplicant({ id: applicantId, appId: app, createdAt: tick(), updatedAt: clock });
      // Enrolled with both sets (pools on OLD may still search it), then added to the NEW pool.
      const face = await pools.addFace(aFace(app, applicantId, { embedding: anEmbedding(13), createdAt: tick() }), {
        [NEW]: anEmbedding(113),
      });
      await pools.addMember(pool.id, applicantId, tick());
      const [add] = await pools.changesSince(later, 100);
      expect(add).toMatchObject({ poolId: pool.id, op: 'add', faceKey: face.key, modelSetId: NEW });
      expect(Array.from(add!.embedding!)).toEqual(Array.from(anEmbedding(113)));
    });

    it("a face with no embedding under its pool's set is left out of the index, never mixed in", async () => {
      const app = await newApp();
      const pool = aPool(app, { modelSetId: NEW });
      await pools.createPool(pool);
      await member(app, pool.id, 21); // enrolled under OLD only
      const { rows } = await pools.memberFaces({ poolId: pool.id, applicantId: '' }, 100);
      expect(rows.filter((r) => r.poolId === pool.id)).toEqual([]);
    });

    it('an index follows the switch: searches on the old set until it, on the new one after, never mixed', async () => {
      const app = await newApp();
      const pool = aPool(app);
      await pools.createPool(pool);
      const faces = [await member(app, pool.id, 31), await member(app, pool.id, 32)];
      const search = new PoolSearch(pools, new InMemoryFaceIndex({ dimensions: 512 }));
      expect((await search.search(pool.id, faces[0]!.embedding, 1, OLD))[0]?.faceId).toBe(faces[0]!.id);
      await expect(search.search(pool.id, anEmbedding(131), 1, NEW)).rejects.toThrow(
        /searched on model set test-model-set-1/,
      );

      for (const [i, f] of faces.entries()) await sets.saveEmbedding(f.key, NEW, anEmbedding(131 + i), tick());
      // Re-embedded but not switched: still the old set.
      expect(await search.modelSetOf(pool.id)).toBe(OLD);
      expect(await sets.switchPool(pool.id, NEW, tick())).toBe(true);
      expect(await search.modelSetOf(pool.id)).toBe(NEW);
      const [hit] = await search.search(pool.id, anEmbedding(132), 1, NEW);
      expect(hit).toMatchObject({ faceId: faces[1]!.id });
      expect(hit!.similarity).toBeCloseTo(1, 5);
      await expect(search.search(pool.id, faces[0]!.embedding, 1, OLD)).rejects.toThrow(
        /searched on model set byo-arcface-r50/,
      );
      // A process starting now loads the pool on the new set.
      const fresh = new PoolSearch(pools, new InMemoryFaceIndex({ dimensions: 512 }));
      expect((await fresh.search(pool.id, anEmbedding(131), 1, NEW))[0]?.faceId).toBe(faces[0]!.id);
    });

    it('erasing a face erases its re-embeddings', async () => {
      const app = await newApp();
      const pool = aPool(app);
      await pools.createPool(pool);
      const face = await member(app, pool.id, 41);
      await sets.saveEmbedding(face.key, NEW, anEmbedding(141), tick());
      await pools.deleteApplicant(app, face.applicantId, tick());
      expect(await sets.embeddingOf(face.key, NEW)).toBeNull();
      const left = await db.database.db
        .selectFrom('face_embeddings')
        .select('face_key')
        .where('face_key', '=', face.key)
        .execute();
      expect(left).toEqual([]);
    });
  });
}
