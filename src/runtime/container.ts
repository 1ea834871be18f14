import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { AppService } from '../domain/apps/app.service.js';
import type { MediaStore } from '../domain/ports/media-store.port.js';
import type { Repositories } from '../domain/ports/repositories.port.js';
import { type PropertyError, validationError } from '../domain/errors.js';
import { type SessionHooks, SessionService } from '../domain/sessions/session.service.js';
import type { ReadinessProbe } from '../http/routes/ops.routes.js';
import { createMetrics } from '../http/plugins/metrics.js';
import { type Database, openDatabase } from '../infra/db/database.js';
import { migrate } from '../infra/db/migrator.js';
import { createRepositories } from '../infra/db/repositories/index.js';
import { DiskMediaStore } from '../infra/media/disk-media.store.js';
import { S3MediaStore } from '../infra/media/s3-media.store.js';
import type { FaceEngine } from '../domain/ports/face-engine.port.js';
import type { ScoreCalibration } from '../domain/ports/score-calibration.port.js';
import { PoolSearch } from '../domain/pools/pool-search.js';
import { PoolService } from '../domain/pools/pool.service.js';
import { createEmbeddingCodec } from '../infra/crypto/embedding-codec.js';
import { KyselyPoolRepository } from '../infra/db/repositories/pool.repository.js';
import { defaultScoreCalibration } from '../infra/face/calibration/score-calibration.js';
import { createFaceEngine } from '../infra/face/face-engine.factory.js';
import { InMemoryFaceIndex } from '../infra/face-index/in-memory-face.index.js';

// The composition root: picks adapters from configuration and wires the services. Everything that needs
// closing is closed by close().

export interface Container {
  config: Config;
  logger: Logger;
  database: Database;
  repos: Repositories;
  media: MediaStore;
  metrics: Registry;
  apps: AppService;
  sessions: SessionService;
  pools: PoolService;
  poolSearch: PoolSearch;
  calibration: ScoreCalibration;
  /** Started on first use (worker threads and models take a moment); serve starts it at once. */
  faceEngine(): Promise<FaceEngine>;
  probes: ReadinessProbe[];
  now: () => number;
  close(): Promise<void>;
}

export function createMediaStore(config: Config): MediaStore {
  if (config.media.kind === 'disk') return new DiskMediaStore(config.media.dir);
  // Credentials come from the AWS SDK's default chain (environment, shared files, instance or task roles).
  const { bucket, endpoint, region, forcePathStyle, prefix } = config.media;
  return new S3MediaStore({ bucket, endpoint, region, forcePathStyle, prefix });
}

export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const now = () => Date.now();
  const database = openDatabase(config.databaseUrl);
  const applied = await migrate(database);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const repos = createRepositories(database.db);
  const media = createMediaStore(config);
  const hooks: SessionHooks = {};
  const sessions = new SessionService({ repos, media, policy: config.sessions, clock: { now }, newId: randomUUID, hooks });
  const poolRepo = new KyselyPoolRepository(database.db, database.dialect, createEmbeddingCodec(config.embeddingKey));
  const index = new InMemoryFaceIndex({}, (err, pool) => logger.error({ err, pool }, 'face index background build failed'));
  const poolSearch = new PoolSearch(poolRepo, index);
  const calibration = defaultScoreCalibration();
  let engine: Promise<FaceEngine> | undefined;
  let engineReady = false;
  const faceEngine = () => {
    engine ??= createFaceEngine({
      ...(config.face.modelsDir ? { modelsDir: config.face.modelsDir } : {}),
      ...(config.face.threads ? { threads: config.face.threads } : {}),
      maxQueue: config.face.maxQueue,
      maxPixels: config.face.maxPixels,
    }).then(
      (e) => {
        engineReady = true;
        return e;
      },
      (err: unknown) => {
        engine = undefined; // let a later call retry
        throw err;
      },
    );
    return engine;
  };
  const pools = new PoolService({ pools: poolRepo, repos, media, engine: faceEngine, search: poolSearch, calibration, now, newId: randomUUID });
  // A familiar face search must name a pool of the same app; a foreign pool reads exactly like an unknown one.
  hooks.validateChecks = async (appId, spec) => {
    const errors: PropertyError[] = [];
    for (const [i, check] of spec.requested_checks.entries()) {
      if (check.type !== 'FAMILIAR_FACE_SEARCH') continue;
      if (!(await poolRepo.getPool(appId, String(check.config.pool_id)))) {
        errors.push({ property: `requested_checks[${i}].config.pool_id`, message: 'no pool with this id' });
      }
    }
    if (errors.length) throw validationError(errors);
  };
  const probes: ReadinessProbe[] = [
    {
      name: 'database',
      check: async () => {
        await repos.apps.get('readiness-probe');
      },
    },
    {
      name: 'face_engine',
      check: async () => {
        if (!engineReady) throw new Error(engine ? 'starting' : 'not started');
      },
    },
  ];
  return {
    config,
    logger,
    database,
    repos,
    media,
    metrics: createMetrics(),
    apps: new AppService(repos.apps, now),
    sessions,
    pools,
    poolSearch,
    calibration,
    faceEngine,
    probes,
    now,
    async close() {
      if (engine) await (await engine.catch(() => null))?.close();
      index.close();
      await database.close();
    },
  };
}
