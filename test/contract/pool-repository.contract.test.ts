import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicantRecord, IndexChange } from '../../src/domain/pools/pool.types.js';
import type { MemberCursor, MemberFace } from '../../src/domain/ports/pool-repository.port.js';
import { createEmbeddingCodec } from '../../src/infra/crypto/embedding-codec.js';
import { openDatabase } from '../../src/infra/db/database.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { KyselyPoolRepository } from '../../src/infra/db/repositories/pool.repository.js';
import { InMemoryFaceIndex } from '../../src/infra/face-index/in-memory-face.index.js';
import { PoolSearch } from '../../src/domain/pools/pool-search.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { aFace, anApp, anEmbedding, aPool } from '../helpers/records.js';

// One contract, every adapter: applicants, faces, pools, memberships and the index change log behave the same on
// SQLite and on the machine's PostgreSQL.

const KEY = randomBytes(32).toString('base64');
const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** An embedding with the awkward values too: negative zero, a subnormal, the extremes. */
function awkwardEmbedding(): Float32Array {
  const v = anEmbedding(42);
  v[0] = -0;
  v[1] = 1e-40;
  v[2] = 3.4028234663852886e38;
  v[3] = -1.401298464324817e-45;
  return v;
}

/** Independent random directions: nearby seeds of anEmbedding give correlated vectors. */
function randomUnitVector(dim = 512): Float32Array {
  const v = Float32Array.from({ length: dim }, () => Math.random() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

type Change = Pick<IndexChange, 'poolId' | 'op' | 'faceKey'>;
const sortChanges = (c: Change[]) =>
  [...c].sort((a, b) => (a.poolId + a.op + String(a.faceKey)).localeCompare(b.poolId + b.op + String(b.faceKey)));

for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`PoolRepository on ${dialect.name}`, () => {
    let db: TestDatabase;
    let repo: KyselyPoolRepository;
    let apps: KyselyAppRepository;
    let clock = 10_000;
    const tick = () => ++clock;

    beforeAll(async () => {
      db = await dialect.create();
      repo = new KyselyPoolRepository(db.database.db, db.database.dialect, createEmbeddingCodec());
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
    const newApplicant = async (appId: string, at = tick()): Promise<ApplicantRecord> => {
      const a = { id: randomUUID(), appId, createdAt: at, updatedAt: at };
      await repo.createApplicant(a);
      return a;
    };
    /** The changes one operation appended, as (pool, op, key), order-free within the operation. */
    const changesOf = async (op: () => Promise<unknown>): Promise<Change[]> => {
      const before = await repo.latestChangeSeq();
      await op();
      const changes = await repo.changesSince(before, 1000);
      return sortChanges(changes.map(({ poolId, op: o, faceKey }) => ({ poolId, op: o, faceKey })));
    };

    describe('applicants', () => {
      it('creates, reads and scopes applicants by app', async () => {
        const app = await newApp();
        const other = await newApp();
        const a = await newApplicant(app);
        expect(await repo.getApplicant(app, a.id)).toEqual(a);
        expect(await repo.getApplicant(other, a.id)).toBeNull();
        expect(await repo.getApplicant(app, randomUUID())).toBeNull();
      });

      it('pages applicants with cursors, ties broken by id, only of the app', async () => {
        const app = await newApp();
        const other = await newApp();
        const made: ApplicantRecord[] = [];
        for (const at of [5, 5, 5, 6, 7, 7, 8]) made.push(await newApplicant(app, at));
        await newApplicant(other, 5);
        const expected = [...made].sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1));
        const seen: ApplicantRecord[] = [];
        let cursor: string | undefined;
        const sizes: number[] = [];
        do {
          const page = await repo.listApplicants(app, cursor, 3);
          sizes.push(page.items.length);
          seen.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        expect(sizes).toEqual([3, 3, 1]);
        expect(seen).toEqual(expected);
        const exact = await repo.listApplicants(app, undefined, 7);
        expect(exact.items).toHaveLength(7);
        expect(exact.nextCursor).toBeUndefined();
        await expect(repo.listApplicants(app, 'not-a-cursor', 3)).rejects.toMatchObject({ code: 'PAYLOAD_VALIDATION' });
      });

      it('deletes an applicant with its faces and memberships, returning the image keys', async () => {
        const app = await newApp();
        const a = await newApplicant(app);
        const pool = aPool(app);
        await repo.createPool(pool);
        const f1 = await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
        const f2 = await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
        await repo.addMember(pool.id, a.id, tick());
        expect(await repo.deleteApplicant(await newApp(), a.id, tick())).toBeNull();
        expect((await repo.deleteApplicant(app, a.id, tick()))!.sort()).toEqual([f1.imageKey, f2.imageKey].sort());
        expect(await repo.getApplicant(app, a.id)).toBeNull();
        expect(await repo.listFaces(a.id)).toEqual([]);
        expect(await repo.poolFaceCount(pool.id)).toBe(0);
        expect((await repo.listMembers(pool.id, undefined, 10)).items).toEqual([]);
        expect(await repo.deleteApplicant(app, a.id, tick())).toBeNull();
      });
    });

    describe('faces', () => {
      it('adds faces with increasing keys, reads them scoped, and keeps embeddings bit-exact', async () => {
        const app = await newApp();
        const a = await newApplicant(app);
        const input = aFace(app, a.id, {
          embedding: awkwardEmbedding(),
          source: { type: 'SESSION', session_id: randomUUID(), media_id: randomUUID() },
          createdAt: tick(),
        });
        const f1 = await repo.addFace(input);
        const f2 = await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
        expect(typeof f1.key).toBe('number');
        expect(f2.key).toBeGreaterThan(f1.key);
        expect(f1).toEqual({ ...input, key: f1.key });
        const read = await repo.getFace(app, a.id, f1.id);
        expect(read).toEqual(f1);
        expect(bytes(read!.embedding).equals(bytes(input.embedding))).toBe(true);
        expect(Object.is(read!.embedding[0], -0)).toBe(true);
        expect(await repo.getFace(await newApp(), a.id, f1.id)).toBeNull();
        expect(await repo.getFace(app, randomUUID(), f1.id)).toBeNull();
        expect(await repo.listFaces(a.id)).toEqual([f1, f2]);
        expect((await repo.getApplicant(app, a.id))!.updatedAt).toBe(f2.createdAt);
      });

      it('deletes a face once, only within its app and applicant', async () => {
        const app = await newApp();
        const a = await newApplicant(app);
        const f = await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
        expect(await repo.deleteFace(await newApp(), a.id, f.id, tick())).toBeNull();
        expect(await repo.deleteFace(app, randomUUID(), f.id, tick())).toBeNull();
        const at = tick();
        expect(await repo.deleteFace(app, a.id, f.id, at)).toEqual(f);
        expect(await repo.deleteFace(app, a.id, f.id, tick())).toBeNull();
        expect(await repo.getFace(app, a.id, f.id)).toBeNull();
        expect((await repo.getApplicant(app, a.id))!.updatedAt).toBe(at);
      });

      it('encrypts embeddings at rest with a key, and reads rows written before the key was set', async () => {
        const k = db.database.db;
        const keyed = new KyselyPoolRepository(k, db.database.dialect, createEmbeddingCodec(KEY));
        const otherKey = new KyselyPoolRepository(
          k,
          db.database.dialect,
          createEmbeddingCodec(randomBytes(32).toString('base64')),
        );
        const app = await newApp();
        const a = await newApplicant(app);
        const plainFace = await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
        const input = aFace(app, a.id, { embedding: awkwardEmbedding(), createdAt: tick() });
        const secret = await keyed.addFace(input);
        const raw = await k
          .selectFrom('faces')
          .select('embedding')
          .where('id', '=', secret.id)
          .executeTakeFirstOrThrow();
        const blob = Buffer.from(raw.embedding);
        expect(blob[0]).toBe(1);
        expect(blob.includes(bytes(input.embedding).subarray(16, 48))).toBe(false);
        const read = await keyed.getFace(app, a.id, secret.id);
        expect(bytes(read!.embedding).equals(bytes(input.embedding))).toBe(true);
        // A key introduced later still reads the rows stored before it.
        expect(
          bytes((await keyed.getFace(app, a.id, plainFace.id))!.embedding).equals(bytes(plainFace.embedding)),
        ).toBe(true);
        // Without the key, or with another key, an encrypted embedding cannot be read.
        await expect(repo.getFace(app, a.id, secret.id)).rejects.toThrow();
        await expect(otherKey.getFace(app, a.id, secret.id)).rejects.toThrow();
        await keyed.deleteFace(app, a.id, secret.id, tick());
      });
    });

    describe('pools and members', () => {
      it('creates, reads, updates, lists and deletes pools within their app', async () => {
        const app = await newApp();
        const other = await newApp();
        const pools = [
          aPool(app, { createdAt: 1 }),
          aPool(app, { createdAt: 2, label: 'second', settings: {} }),
          aPool(app, { createdAt: 2 }),
        ];
        for (const p of pools) await repo.createPool(p);
        await repo.createPool(aPool(other, { createdAt: 1 }));
        expect(await repo.getPool(app, pools[0]!.id)).toEqual(pools[0]);
        expect(await repo.getPool(other, pools[0]!.id)).toBeNull();
        await repo.updatePoolSettings(app, pools[0]!.id, { threshold: 0.42, target_fpir: 0.001, top_k: 3 }, 99);
        await repo.updatePoolSettings(other, pools[1]!.id, { threshold: 0.1 }, 100);
        expect(await repo.getPool(app, pools[0]!.id)).toEqual({
          ...pools[0],
          settings: { threshold: 0.42, target_fpir: 0.001, top_k: 3 },
          updatedAt: 99,
        });
        expect(await repo.getPool(app, pools[1]!.id)).toEqual(pools[1]);
        const first = await repo.listPools(app, undefined, 2);
        const rest = await repo.listPools(app, first.nextCursor, 2);
        const expectedIds = [pools[0]!.id, ...[pools[1]!.id, pools[2]!.id].sort()];
        expect([...first.items, ...rest.items].map((p) => p.id)).toEqual(expectedIds);
        expect(rest.nextCursor).toBeUndefined();
        expect(await repo.deletePool(other, pools[2]!.id, tick())).toBe(false);
        expect(await repo.deletePool(app, pools[2]!.id, tick())).toBe(true);
        expect(await repo.deletePool(app, pools[2]!.id, tick())).toBe(false);
        expect(await repo.getPool(app, pools[2]!.id)).toBeNull();
      });

      it('adds a member once, removes it once, pages members and counts pool faces', async () => {
        const app = await newApp();
        const pool = aPool(app);
        const otherPool = aPool(app, { label: 'other' });
        await repo.createPool(pool);
        await repo.createPool(otherPool);
        const members: ApplicantRecord[] = [];
        for (let i = 0; i < 5; i++) {
          const a = await newApplicant(app);
          for (let f = 0; f < i % 3; f++) await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
          members.push((await repo.getApplicant(app, a.id))!);
        }
        for (const [i, a] of members.entries()) expect(await repo.addMember(pool.id, a.id, 500 + (i >> 1))).toBe(true);
        expect(await repo.addMember(pool.id, members[0]!.id, 999)).toBe(false);
        await repo.addMember(otherPool.id, members[1]!.id, 600);
        expect(await repo.poolFaceCount(pool.id)).toBe(0 + 1 + 2 + 0 + 1);
        expect(await repo.poolsOfApplicant(members[1]!.id)).toEqual([
          { id: pool.id, label: pool.label },
          { id: otherPool.id, label: 'other' },
        ]);
        const expected = members
          .map((a, i) => ({ a, at: 500 + (i >> 1) }))
          .sort((x, y) => x.at - y.at || (x.a.id < y.a.id ? -1 : 1))
          .map((x) => x.a);
        const p1 = await repo.listMembers(pool.id, undefined, 2);
        const p2 = await repo.listMembers(pool.id, p1.nextCursor, 2);
        const p3 = await repo.listMembers(pool.id, p2.nextCursor, 2);
        expect([...p1.items, ...p2.items, ...p3.items]).toEqual(expected);
        expect(p3.items).toHaveLength(1);
        expect(p3.nextCursor).toBeUndefined();
        expect(await repo.removeMember(pool.id, members[2]!.id, tick())).toBe(true);
        expect(await repo.removeMember(pool.id, members[2]!.id, tick())).toBe(false);
        expect(await repo.poolFaceCount(pool.id)).toBe(2);
        expect((await repo.listMembers(pool.id, undefined, 10)).items.map((a) => a.id)).not.toContain(members[2]!.id);
      });
    });

    describe('the start-up load of the face index', () => {
      it('loads every pool in slices, says when it is ready, and finds each face', async () => {
        const app = await newApp();
        const big = aPool(app);
        const small = aPool(app);
        await repo.createPool(big);
        await repo.createPool(small);
        const faces: { applicantId: string; embedding: Float32Array }[] = [];
        for (let i = 0; i < 1_203; i++) {
          const a = await newApplicant(app);
          const embedding = randomUnitVector();
          await repo.addFace(aFace(app, a.id, { embedding, createdAt: tick() }));
          await repo.addMember(i < 1_200 ? big.id : small.id, a.id, tick());
          faces.push({ applicantId: a.id, embedding });
        }
        const search = new PoolSearch(repo, new InMemoryFaceIndex({ dimensions: 512 }));
        await expect(search.probe()).rejects.toThrow('not loaded');
        const loading = search.load();
        await expect(search.probe()).rejects.toThrow('loading');
        await loading;
        await expect(search.probe()).resolves.toBeUndefined();
        expect([search.size(big.id), search.size(small.id)]).toEqual([1_200, 3]);
        for (const i of [0, 999, 1_000, 1_199]) {
          const [best] = await search.search(big.id, faces[i]!.embedding, 1, 'test-model-set-1');
          expect(best).toMatchObject({ applicantId: faces[i]!.applicantId });
          expect(best!.similarity).toBeCloseTo(1, 5);
        }
        expect((await search.search(small.id, faces[1_201]!.embedding, 1, 'test-model-set-1'))[0]?.applicantId).toBe(
          faces[1_201]!.applicantId,
        );
      });
    });

    describe('index change log', () => {
      it('appends the right (pool, op, key) changes for every membership and face change', async () => {
        const app = await newApp();
        const [p1, p2] = [aPool(app), aPool(app)];
        await repo.createPool(p1);
        await repo.createPool(p2);
        const a = await newApplicant(app);
        const loner = await newApplicant(app);
        let f1!: Awaited<ReturnType<typeof repo.addFace>>;
        let f2!: typeof f1;
        expect(await changesOf(async () => (f1 = await repo.addFace(aFace(app, a.id, { createdAt: tick() }))))).toEqual(
          [],
        );
        expect(await changesOf(() => repo.addMember(p1.id, a.id, tick()))).toEqual([
          { poolId: p1.id, op: 'add', faceKey: f1.key },
        ]);
        expect(await changesOf(() => repo.addMember(p1.id, a.id, tick()))).toEqual([]);
        expect(await changesOf(() => repo.addMember(p2.id, a.id, tick()))).toEqual([
          { poolId: p2.id, op: 'add', faceKey: f1.key },
        ]);
        expect(await changesOf(async () => (f2 = await repo.addFace(aFace(app, a.id, { createdAt: tick() }))))).toEqual(
          sortChanges([
            { poolId: p1.id, op: 'add', faceKey: f2.key },
            { poolId: p2.id, op: 'add', faceKey: f2.key },
          ]),
        );
        expect(await changesOf(() => repo.addFace(aFace(app, loner.id, { createdAt: tick() })))).toEqual([]);
        expect(await changesOf(() => repo.removeMember(p1.id, a.id, tick()))).toEqual(
          sortChanges([
            { poolId: p1.id, op: 'remove', faceKey: f1.key },
            { poolId: p1.id, op: 'remove', faceKey: f2.key },
          ]),
        );
        expect(await changesOf(() => repo.removeMember(p1.id, a.id, tick()))).toEqual([]);
        expect(await changesOf(() => repo.deleteFace(app, a.id, f1.id, tick()))).toEqual([
          { poolId: p2.id, op: 'remove', faceKey: f1.key },
        ]);
        expect(await changesOf(() => repo.deleteApplicant(app, a.id, tick()))).toEqual([
          { poolId: p2.id, op: 'remove', faceKey: f2.key },
        ]);
        expect(await changesOf(() => repo.deletePool(app, p2.id, tick()))).toEqual([
          { poolId: p2.id, op: 'drop', faceKey: null },
        ]);
        expect(await changesOf(() => repo.deletePool(app, p2.id, tick()))).toEqual([]);
      });

      it('returns changes in order, paged, with embeddings for adds of faces that still exist', async () => {
        const app = await newApp();
        const pool = aPool(app);
        await repo.createPool(pool);
        const a = await newApplicant(app);
        await repo.addMember(pool.id, a.id, tick());
        const base = await repo.latestChangeSeq();
        const kept = await repo.addFace(aFace(app, a.id, { embedding: awkwardEmbedding(), createdAt: tick() }));
        const gone = await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
        await repo.deleteFace(app, a.id, gone.id, tick());
        await repo.deletePool(app, pool.id, tick());
        const all = await repo.changesSince(base, 100);
        expect(all.map(({ poolId, op, faceKey }) => ({ poolId, op, faceKey }))).toEqual([
          { poolId: pool.id, op: 'add', faceKey: kept.key },
          { poolId: pool.id, op: 'add', faceKey: gone.key },
          { poolId: pool.id, op: 'remove', faceKey: gone.key },
          { poolId: pool.id, op: 'drop', faceKey: null },
        ]);
        expect(all.map((c) => c.seq)).toEqual([...all.map((c) => c.seq)].sort((x, y) => x - y));
        expect(all[0]!.seq).toBeGreaterThan(base);
        expect(await repo.latestChangeSeq()).toBe(all[3]!.seq);
        expect(bytes(all[0]!.embedding!).equals(bytes(kept.embedding))).toBe(true);
        expect(all.slice(1).map((c) => c.embedding)).toEqual([null, null, null]);
        const page1 = await repo.changesSince(base, 3);
        const page2 = await repo.changesSince(page1[2]!.seq, 3);
        expect([...page1, ...page2].map((c) => c.seq)).toEqual(all.map((c) => c.seq));
        expect(await repo.changesSince(all[3]!.seq, 10)).toEqual([]);
      });

      it('pages member faces across pools and resolves only current members', async () => {
        const app = await newApp();
        const pools = [aPool(app), aPool(app), aPool(app)];
        for (const p of pools) await repo.createPool(p);
        const [a, b, outsider] = [await newApplicant(app), await newApplicant(app), await newApplicant(app)];
        const fa = [
          await repo.addFace(aFace(app, a.id, { createdAt: tick() })),
          await repo.addFace(aFace(app, a.id, { createdAt: tick() })),
        ];
        const fb = [await repo.addFace(aFace(app, b.id, { createdAt: tick() }))];
        const fo = await repo.addFace(aFace(app, outsider.id, { createdAt: tick() }));
        await repo.addMember(pools[0]!.id, a.id, tick());
        await repo.addMember(pools[0]!.id, b.id, tick());
        await repo.addMember(pools[1]!.id, b.id, tick());
        const expected = [
          ...[...fa, ...fb].map((f) => ({ poolId: pools[0]!.id, key: f.key, embedding: f.embedding })),
          ...fb.map((f) => ({ poolId: pools[1]!.id, key: f.key, embedding: f.embedding })),
        ];
        // Pages of two members: applicant a's two faces come in one page, whatever the page size counts.
        const seen: MemberFace[] = [];
        let after: MemberCursor | null = null;
        let pages = 0;
        for (;;) {
          const { rows, next } = await repo.memberFaces(after, 2);
          seen.push(...rows);
          pages++;
          if (!next) break;
          after = next;
        }
        const ids = seen.map((r) => `${r.poolId}:${r.key}`);
        expect(new Set(ids).size).toBe(ids.length);
        const mine = seen
          .filter((r) => pools.some((p) => p.id === r.poolId))
          .map(({ poolId, key, embedding }) => ({ poolId, key, embedding }));
        const byPoolKey = (x: { poolId: string; key: number }, y: { poolId: string; key: number }) =>
          x.poolId < y.poolId ? -1 : x.poolId > y.poolId ? 1 : x.key - y.key;
        expect([...mine].sort(byPoolKey)).toEqual([...expected].sort(byPoolKey));
        const order = (x: MemberFace, y: MemberFace) =>
          x.poolId !== y.poolId
            ? x.poolId < y.poolId
              ? -1
              : 1
            : x.applicantId !== y.applicantId
              ? x.applicantId < y.applicantId
                ? -1
                : 1
              : x.key - y.key;
        for (let i = 1; i < seen.length; i++) expect(order(seen[i - 1]!, seen[i]!)).toBeLessThan(0);
        expect(seen.filter((r) => r.applicantId === a.id && r.poolId === pools[0]!.id).map((r) => r.key)).toEqual(
          fa.map((f) => f.key),
        );
        expect(pages).toBeGreaterThanOrEqual(2);

        const resolved = await repo.resolveMembers(pools[0]!.id, [fa[0]!.key, fb[0]!.key, fo.key, 987_654_321]);
        expect(resolved.sort((x, y) => x.key - y.key)).toEqual(
          [
            { key: fa[0]!.key, faceId: fa[0]!.id, applicantId: a.id },
            { key: fb[0]!.key, faceId: fb[0]!.id, applicantId: b.id },
          ].sort((x, y) => x.key - y.key),
        );
        expect(await repo.resolveMembers(pools[1]!.id, [fa[0]!.key, fb[0]!.key])).toEqual([
          { key: fb[0]!.key, faceId: fb[0]!.id, applicantId: b.id },
        ]);
        expect(await repo.resolveMembers(pools[2]!.id, [fa[0]!.key])).toEqual([]);
        expect(await repo.resolveMembers(pools[0]!.id, [])).toEqual([]);
      });

      // Runs last in this suite: pruning is global.
      it('prunes changes older than a time but always keeps the newest, so a reader that fell behind can tell', async () => {
        const app = await newApp();
        const pool = aPool(app);
        await repo.createPool(pool);
        const a = await newApplicant(app);
        await repo.addMember(pool.id, a.id, tick());
        const behind = await repo.latestChangeSeq();
        expect(await repo.oldestChangeSeq()).toBeGreaterThan(0);
        await repo.addFace(aFace(app, a.id, { createdAt: tick() }));
        const enrolled = await repo.latestChangeSeq();
        expect(enrolled).toBeGreaterThan(behind);
        // Every change is past the retention now.
        await repo.pruneChanges(clock + 1);
        const left = await repo.changesSince(0, 10);
        expect(left.map((c) => c.seq)).toEqual([enrolled]);
        expect(await repo.oldestChangeSeq()).toBe(enrolled);
        expect(await repo.latestChangeSeq()).toBe(enrolled);
        // A process that had read up to `behind` still finds the one change it lacks; one that was further behind
        // sees that changes it never read were pruned (oldest > its seq + 1) and reloads (PoolSearch.sync).
        expect((await repo.changesSince(behind, 10)).map((c) => c.seq)).toEqual([enrolled]);
        const furtherBehind = behind - 1;
        expect(await repo.oldestChangeSeq()).toBeGreaterThan(furtherBehind + 1);
        await repo.pruneChanges(clock + 1);
        expect((await repo.changesSince(0, 10)).map((c) => c.seq)).toEqual([enrolled]);
        await repo.deletePool(app, pool.id, tick());
        await repo.pruneChanges(clock + 1);
        const [drop] = await repo.changesSince(0, 10);
        expect(drop).toMatchObject({ poolId: pool.id, op: 'drop' });
        expect(await repo.oldestChangeSeq()).toBe(drop!.seq);
      });
    });

    // Many processes write the log at once; a process that has read up to seq n must never later find a change
    // below n committed behind it, or its index would miss that change for good.
    describe.skipIf(dialect.name !== 'postgres')('change log under concurrent writers', () => {
      it('never lets a concurrent reader skip a sequence number', async () => {
        const WRITERS = 6;
        const ROUNDS = 30;
        const app = await newApp();
        const pool = aPool(app);
        await repo.createPool(pool);
        const enrolled = await Promise.all(Array.from({ length: WRITERS }, () => newApplicant(app)));
        for (const a of enrolled) await repo.addMember(pool.id, a.id, tick());
        const base = await repo.latestChangeSeq();

        // Separate pools of one connection each: every writer and the reader is its own database session.
        const connections = Array.from({ length: WRITERS + 1 }, () => openDatabase(db.url, { poolSize: 1 }));
        const repos = connections.map((c) => new KyselyPoolRepository(c.db, c.dialect, createEmbeddingCodec()));
        try {
          let writing = true;
          const seen: number[] = [];
          const reader = (async () => {
            const r = repos[WRITERS]!;
            let last = base;
            let polls = 0;
            for (;;) {
              const done = !writing;
              const batch = await r.changesSince(last, 50);
              polls++;
              for (const c of batch) {
                seen.push(c.seq);
                last = c.seq;
              }
              if (done && batch.length === 0) return polls;
            }
          })();
          await Promise.all(
            repos.slice(0, WRITERS).map(async (w, i) => {
              for (let round = 0; round < ROUNDS; round++) {
                if (round % 2 === 0) {
                  await w.addFace(aFace(app, enrolled[i]!.id, { createdAt: tick() }));
                } else {
                  const fresh = await newApplicant(app);
                  await w.addFace(aFace(app, fresh.id, { createdAt: tick() }));
                  await w.addMember(pool.id, fresh.id, tick());
                }
              }
            }),
          );
          writing = false;
          const polls = await reader;
          const committed = (await repo.changesSince(base, 10_000)).map((c) => c.seq);
          expect(committed).toHaveLength(WRITERS * ROUNDS);
          // The property: everything committed was seen, in order, once.
          expect(seen).toEqual(committed);
          // Without rollbacks an identity column has no holes, so every step was exactly +1.
          expect(seen.every((s, i) => s === (i === 0 ? base + 1 : seen[i - 1]! + 1))).toBe(true);
          expect(polls).toBeGreaterThan(5);
        } finally {
          await Promise.all(connections.map((c) => c.close()));
        }
      });
    });
  });
}
