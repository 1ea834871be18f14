import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { ModelSetChoice } from '../../src/domain/models/model-set-choice.js';
import {
  activateModelSet,
  MODEL_MIGRATION_JOB,
  ModelMigration,
  ModelSetError,
} from '../../src/domain/models/model-migration.js';
import type { FaceToEmbed, ModelSetRecord, PoolMigrationProgress } from '../../src/domain/models/model-set.types.js';
import type { AnalyseOptions, FaceAnalysis, FaceEngine } from '../../src/domain/ports/face-engine.port.js';
import type { JobSpec } from '../../src/domain/ports/job-queue.port.js';
import type { ModelSetRepository } from '../../src/domain/ports/model-set-repository.port.js';
import { ModelSetMismatch, type PoolSearch } from '../../src/domain/pools/pool-search.js';
import { PoolService } from '../../src/domain/pools/pool.service.js';
import { decadeCalibration } from '../fakes/decade-calibration.js';
import { MemoryMediaStore } from '../fakes/memory-media-store.js';
import { FaceEvidence } from '../../src/domain/pipeline/face-evidence.js';
import { SessionEvidence } from '../../src/domain/pipeline/check-evidence.js';
import { DEFAULT_FACE_QUALITY } from '../../src/domain/pools/enrolment-gate.js';
import { MemorySessionStore } from '../fakes/memory-repositories.js';
import { aFaceResult, aMedia, anEmbedding, aPool, aSession } from '../helpers/records.js';

// The migration's rules on fakes: which face of a re-analysed image gets the new embedding, how batches follow one
// another, when pools switch, what activation refuses; and a pool search that never compares two sets.

const OLD = 'old-set';
const NEW = 'new-set';

/** A repository of faces in memory, enough for the migration (the SQL is in the contract suite). */
function memoryRepo(faces: FaceToEmbed[], pools: PoolMigrationProgress[]) {
  const saved = new Map<number, Float32Array>();
  const switched: string[] = [];
  const repo: Pick<ModelSetRepository, 'facesToEmbed' | 'saveEmbedding' | 'progress' | 'switchPool'> = {
    facesToEmbed: async (set, after, limit) =>
      faces.filter((f) => f.key > after && f.modelSetId !== set && !saved.has(f.key)).slice(0, limit),
    saveEmbedding: async (key, _set, embedding) => void (saved.has(key) || saved.set(key, embedding)),
    progress: async () => pools.map((p) => ({ ...p, embedded: faces.filter((f) => saved.has(f.key)).length })),
    switchPool: async (poolId, set) => {
      const pool = pools.find((p) => p.poolId === poolId)!;
      if (pool.modelSetId === set) return false;
      pool.modelSetId = set;
      switched.push(poolId);
      return true;
    },
  };
  return { repo: repo as ModelSetRepository, saved, switched };
}

/** An engine that answers each image with faces: `seed` is the face's embedding under OLD, `seed + 1000` under NEW. */
function engineOf(imageFaces: Record<string, number[]>, calls: AnalyseOptions[] = []): FaceEngine {
  return {
    modelSetId: OLD,
    dimensions: 512,
    close: async () => {},
    async analyse(image, options = {}): Promise<FaceAnalysis> {
      calls.push(options);
      const seeds = imageFaces[Buffer.from(image).toString()] ?? [];
      return {
        modelSetId: options.modelSetId ?? OLD,
        width: 640,
        height: 480,
        rotation: 0,
        faces: seeds.map((seed) => ({
          ...aFaceResult(seed),
          alsoEmbedded: Object.fromEntries((options.alsoEmbedWith ?? []).map((s) => [s, anEmbedding(seed + 1000)])),
        })),
      };
    },
  };
}

async function setup(
  faceSeeds: number[],
  imageFaces: Record<string, number[]>,
  options: { batch?: number; active?: string } = {},
) {
  const media = new MemoryMediaStore();
  const faces: FaceToEmbed[] = faceSeeds.map((seed, i) => ({
    key: i + 1,
    imageKey: `img-${i + 1}`,
    modelSetId: OLD,
    embedding: anEmbedding(seed),
  }));
  for (const f of faces) if (imageFaces[f.imageKey]) await media.put(f.imageKey, Buffer.from(f.imageKey), 'image/jpeg');
  const pools: PoolMigrationProgress[] = [
    { poolId: 'pool-1', appId: 'app', label: 'BLOCKLIST', modelSetId: OLD, faces: faces.length, embedded: 0 },
  ];
  const store = memoryRepo(faces, pools);
  const jobs: JobSpec[] = [];
  const warnings: string[] = [];
  const calls: AnalyseOptions[] = [];
  const migration = new ModelMigration({
    repo: store.repo,
    choice: { active: async () => options.active ?? NEW },
    queue: { enqueue: async (job) => void jobs.push(job) },
    media,
    engine: async () => engineOf(imageFaces, calls),
    now: () => 1_000,
    batch: options.batch ?? 16,
    warn: (message) => void warnings.push(message),
  });
  return { migration, store, jobs, warnings, calls, pools };
}

describe('ModelMigration', () => {
  it('gives each face the new embedding of the face it is in its image, recognised by its stored one, and switches the pool', async () => {
    // img-1 is a group photo where the enrolled face (seed 7) is the second one found.
    const { migration, store, calls, pools } = await setup([7, 8], { 'img-1': [3, 7], 'img-2': [8] });
    await migration.run({ modelSetId: NEW, activatedAt: 1, afterKey: 0 });
    expect(calls[0]).toEqual({ liveness: false, modelSetId: OLD, alsoEmbedWith: [NEW] });
    expect(Array.from(store.saved.get(1)!)).toEqual(Array.from(anEmbedding(1007)));
    expect(Array.from(store.saved.get(2)!)).toEqual(Array.from(anEmbedding(1008)));
    expect(store.switched).toEqual(['pool-1']);
    expect(pools[0]!.modelSetId).toBe(NEW);
  });

  it('leaves a face whose image is gone or in which it is not found again, and its pool on the old set', async () => {
    const { migration, store, warnings } = await setup([7, 8], { 'img-2': [99] });
    await migration.run({ modelSetId: NEW, activatedAt: 1, afterKey: 0 });
    expect(store.saved.size).toBe(0);
    expect(store.switched).toEqual([]);
    expect(warnings).toEqual([
      'face image missing: the face cannot be re-embedded and its pools stay on their set',
      'the enrolled face was not found again in its image',
    ]);
  });

  it('runs one batch per job, each queuing the next with a key of its own, and the last queuing none', async () => {
    const { migration, store, jobs } = await setup(
      [1, 2, 3],
      { 'img-1': [1], 'img-2': [2], 'img-3': [3] },
      { batch: 2 },
    );
    await migration.run({ modelSetId: NEW, activatedAt: 5, afterKey: 0 });
    expect(store.saved.size).toBe(2);
    expect(store.switched).toEqual([]);
    expect(jobs).toEqual([
      expect.objectContaining({
        name: MODEL_MIGRATION_JOB,
        payload: { modelSetId: NEW, activatedAt: 5, afterKey: 2 },
        dedupeKey: 'models.migrate:new-set:5:2',
      }),
    ]);
    await migration.run(jobs[0]!.payload as never);
    expect(store.saved.size).toBe(3);
    expect(store.switched).toEqual(['pool-1']);
    expect(jobs).toHaveLength(1);
  });

  it('does nothing once another set was activated', async () => {
    const { migration, store, jobs } = await setup([1], { 'img-1': [1] }, { active: 'third-set' });
    await migration.run({ modelSetId: NEW, activatedAt: 1, afterKey: 0 });
    expect([store.saved.size, jobs.length, store.switched.length]).toEqual([0, 0, 0]);
  });
});

describe('activateModelSet', () => {
  const record = (o: Partial<ModelSetRecord>): ModelSetRecord => ({
    id: NEW,
    embedderFile: '/m.onnx',
    embedderSha256: 'a'.repeat(64),
    inputSize: 112,
    template: 'arcface112',
    dimensions: 512,
    calibration: null,
    state: 'installed',
    createdAt: 0,
    updatedAt: 0,
    ...o,
  });
  const deps = (found: ModelSetRecord | null) => {
    const calls: unknown[][] = [];
    return {
      calls,
      deps: {
        repo: {
          get: async () => found,
          activate: async (id: string | null, at: number) => void calls.push(['activate', id, at]),
        },
        migration: { start: async (id: string, at: number) => void calls.push(['start', id, at]) },
        shippedId: 'shipped',
        now: () => 42,
      },
    };
  };

  it('refuses an unknown set and a set without calibration, activating nothing', async () => {
    for (const [found, message] of [
      [null, /no model set new-set is installed/],
      [record({ calibration: null }), /has no calibration: run `openidv models eval --id new-set/],
    ] as const) {
      const { deps: d, calls } = deps(found);
      await expect(activateModelSet(d, NEW)).rejects.toThrow(ModelSetError);
      await expect(activateModelSet(d, NEW)).rejects.toThrow(message);
      expect(calls).toEqual([]);
    }
  });

  it('activates a calibrated set and starts its migration; the shipped set clears the active row', async () => {
    const calibrated = deps(record({ calibration: { schema: 'openidv.face-calibration/v1' } }));
    await activateModelSet(calibrated.deps, NEW);
    expect(calibrated.calls).toEqual([
      ['activate', NEW, 42],
      ['start', NEW, 42],
    ]);
    const back = deps(null);
    await activateModelSet(back.deps, 'shipped');
    expect(back.calls).toEqual([
      ['activate', null, 42],
      ['start', 'shipped', 42],
    ]);
  });
});

describe('ModelSetChoice', () => {
  const choice = (pinned: string | undefined, record: ModelSetRecord | null, activeId: string | null = null) =>
    new ModelSetChoice({
      repo: { activeId: async () => activeId, poolSets: async () => [OLD, NEW], get: async () => record },
      shippedId: 'shipped',
      shippedCalibration: decadeCalibration(0.4),
      calibrationFrom: () => decadeCalibration(0.3),
      ...(pinned ? { pinned } : {}),
    });

  it("is the store's active set, else the shipped one; lists the active set first among those in use", async () => {
    expect(await choice(undefined, null).active()).toBe('shipped');
    expect(await choice(undefined, null, NEW).active()).toBe(NEW);
    expect(await choice(undefined, null, NEW).inUse()).toEqual([NEW, OLD]);
  });

  it('refuses a pinned set that is not installed or not calibrated with 503 and the reason, and takes a calibrated one', async () => {
    const uncalibrated = { id: NEW, calibration: null } as ModelSetRecord;
    for (const [record, reason] of [
      [null, /OPENIDV_FACE_MODEL_SET: model set new-set is not installed/],
      [uncalibrated, /OPENIDV_FACE_MODEL_SET: model set new-set has no calibration/],
    ] as const) {
      const err = await choice(NEW, record)
        .active()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(503);
      expect((err as AppError).message).toMatch(reason);
    }
    const calibrated = choice(NEW, { ...uncalibrated, calibration: {} }, OLD);
    expect(await calibrated.active()).toBe(NEW);
    expect((await calibrated.calibration(NEW)).oneToOneThreshold).toBe(0.3);
    expect(await choice('shipped', null).active()).toBe('shipped');
  });
});

describe('PoolService.searchEmbedding', () => {
  /** A pool search that is on `set` and records what it was asked; `switchOnce` makes the first search find a switch. */
  function searchOn(set: { current: string }, switchOnce = false) {
    const asked: [Float32Array, string][] = [];
    let pending = switchOnce;
    const search = {
      modelSetOf: async () => set.current,
      size: () => 3,
      async search(_pool: string, probe: Float32Array, _k: number, modelSetId: string) {
        if (pending) {
          pending = false;
          set.current = 'third-set';
          throw new ModelSetMismatch('pool-1', modelSetId, set.current);
        }
        if (modelSetId !== set.current) throw new ModelSetMismatch('pool-1', modelSetId, set.current);
        asked.push([probe, modelSetId]);
        return [{ applicantId: 'a-1', faceId: 'f-1', similarity: 0.9 }];
      },
    };
    return { search: search as unknown as PoolSearch, asked };
  }
  const service = (search: PoolSearch) =>
    new PoolService({
      pools: {} as never,
      repos: {} as never,
      media: new MemoryMediaStore(),
      engine: async () => ({}) as never,
      search,
      modelSets: { active: async () => NEW, inUse: async () => [NEW], calibration: async () => decadeCalibration() },
      now: () => 0,
      newId: () => 'id',
    });
  const pool = { ...aPool('app'), id: 'pool-1', modelSetId: OLD };

  it("embeds a probe of another set again under the pool's set before comparing", async () => {
    const { search, asked } = searchOn({ current: OLD });
    const reembedded: string[] = [];
    const found = await service(search).searchEmbedding(pool, {
      embedding: anEmbedding(1),
      modelSetId: NEW,
      reembed: async (set) => {
        reembedded.push(set);
        return anEmbedding(2);
      },
    });
    expect(reembedded).toEqual([OLD]);
    expect(asked.map(([v, s]) => [Array.from(v), s])).toEqual([[Array.from(anEmbedding(2)), OLD]]);
    expect(found.modelSetId).toBe(OLD);
  });

  it('refuses (503, retried by a job) a probe of another set it cannot embed again, comparing nothing', async () => {
    const { search, asked } = searchOn({ current: OLD });
    const err = await service(search)
      .searchEmbedding(pool, { embedding: anEmbedding(1), modelSetId: NEW })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(503);
    expect(asked).toEqual([]);
  });

  it('follows a pool that switches between reading its set and searching', async () => {
    const { search, asked } = searchOn({ current: OLD }, true);
    const found = await service(search).searchEmbedding(pool, {
      embedding: anEmbedding(1),
      modelSetId: OLD,
      reembed: async () => anEmbedding(3),
    });
    expect(asked.map(([, s]) => s)).toEqual(['third-set']);
    expect(found.modelSetId).toBe('third-set');
  });
});

describe('session faces and model sets', () => {
  /** A selfie analysed under the active set (NEW), and a pool still on OLD. */
  async function world() {
    const store = new MemorySessionStore();
    const media = new MemoryMediaStore();
    const session = aSession('app');
    const selfie = aMedia(session);
    await media.put(selfie.storageKey, Buffer.from('selfie'), 'image/jpeg');
    const calls: AnalyseOptions[] = [];
    const engine = engineOf({ selfie: [7] }, calls);
    const faces = new FaceEvidence({
      repos: store,
      media,
      engine: async () => engine,
      now: () => 0,
      quality: DEFAULT_FACE_QUALITY,
      modelSet: async () => NEW,
    });
    return { store, media, selfie, calls, faces };
  }

  it('analyses session images under the active set, and embeds the same face again under another on demand', async () => {
    const { selfie, calls, faces } = await world();
    const face = await faces.singleFace(selfie, 'dominant');
    expect(calls).toEqual([{ liveness: true, modelSetId: NEW }]);
    if (!('face' in face)) throw new Error('no face');
    expect(face.modelSetId).toBe(NEW);
    const again = await face.under!(OLD);
    expect(calls[1]).toEqual({ liveness: false, modelSetId: OLD });
    expect(Array.from(again!)).toEqual(Array.from(anEmbedding(7)));
  });

  it("searches a pool on another set with the selfie embedded under the pool's set", async () => {
    const { store, selfie, faces } = await world();
    const asked: { modelSetId: string; reembedded: number[] }[] = [];
    const evidence = new SessionEvidence({
      repos: store,
      poolRepo: { getPool: async () => null, getFace: async () => null },
      pools: {
        async searchEmbedding(_pool, probe) {
          const reembedded = probe.modelSetId === OLD ? [] : Array.from((await probe.reembed!(OLD))!);
          asked.push({ modelSetId: probe.modelSetId, reembedded });
          return {
            candidates: [],
            policy: {
              threshold: 0.5,
              source: 'derived',
              targetFpir: 0.01,
              expectedFpir: 0.01,
              expectedFnir: 0.02,
              poolSize: 0,
            },
            modelSetId: OLD,
            calibration: decadeCalibration(),
          };
        },
      },
      faces,
      calibration: decadeCalibration(),
      modelSets: { calibration: async () => decadeCalibration() },
      embeddingOf: async () => null,
      livenessThreshold: 0.5,
      now: () => 0,
    });
    const face = await faces.singleFace(selfie, 'dominant');
    if (!('face' in face)) throw new Error('no face');
    await evidence.searchPool({ ...aPool('app'), modelSetId: OLD }, face);
    expect(asked).toEqual([{ modelSetId: NEW, reembedded: Array.from(anEmbedding(7)) }]);
  });

  it('compares two faces of different sets under one of them, and refuses when neither can be embedded again', async () => {
    const { store, selfie, faces } = await world();
    const evidence = new SessionEvidence({
      repos: store,
      poolRepo: { getPool: async () => null, getFace: async () => null },
      pools: { searchEmbedding: async () => ({}) as never },
      faces,
      calibration: decadeCalibration(0.4),
      modelSets: { calibration: async (set) => decadeCalibration(set === NEW ? 0.3 : 0.4) },
      embeddingOf: async () => null,
      livenessThreshold: 0.5,
      now: () => 0,
    });
    const face = await faces.singleFace(selfie, 'dominant');
    // A reference of OLD that has a NEW embedding (an applicant face the migration reached).
    const reference = {
      face: { embedding: anEmbedding(99) },
      modelSetId: OLD,
      under: async (set: string) => (set === NEW ? anEmbedding(1007) : null),
    };
    const compared = await evidence.compare(face, reference, 'INVALID');
    expect(compared).toMatchObject({ kind: 'compared', threshold: 0.3 });
    if (compared.kind !== 'compared') throw new Error('not compared');
    // The selfie (NEW) against the reference's NEW embedding, judged by NEW's calibration.
    expect(compared.similarity).toBeCloseTo(cos(anEmbedding(7), anEmbedding(1007)), 6);
    const stuck = { face: { embedding: anEmbedding(99) }, modelSetId: 'elsewhere' };
    const noSelfieUnder = { ...face, under: async () => null };
    expect(await evidence.compare(noSelfieUnder, stuck, 'INVALID')).toMatchObject({
      kind: 'unusable',
      detail: expect.stringMatching(/different face models/),
    });
  });
});

function cos(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
