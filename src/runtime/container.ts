import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { AppService } from '../domain/apps/app.service.js';
import { ZoomLiveness } from '../domain/capture/zoom-liveness.service.js';
import { FaceModelFrameAnalyser } from '../infra/face/liveness/face-model.frame-analyser.js';
import { CaptureService } from '../domain/capture/capture.service.js';
import { HandoffService } from '../domain/capture/handoff.service.js';
import { PageLinks } from '../domain/capture/page-link.js';
import { SessionQuota } from '../domain/capture/session-quota.js';
import { Notifier } from '../domain/notifications/notifier.js';
import { FaceEvidence } from '../domain/pipeline/face-evidence.js';
import { SessionEvidence } from '../domain/pipeline/check-evidence.js';
import { SessionPipeline } from '../domain/pipeline/session-pipeline.js';
import type { FaceEngine } from '../domain/ports/face-engine.port.js';
import type { JobQueue } from '../domain/ports/job-queue.port.js';
import type { MediaStore } from '../domain/ports/media-store.port.js';
import type { PoolRepository } from '../domain/ports/pool-repository.port.js';
import type { Repositories } from '../domain/ports/repositories.port.js';
import type { ScoreCalibration } from '../domain/ports/score-calibration.port.js';
import { DEFAULT_FACE_QUALITY } from '../domain/pools/enrolment-gate.js';
import { PoolSearch } from '../domain/pools/pool-search.js';
import { PoolService } from '../domain/pools/pool.service.js';
import { SessionLifecycle } from '../domain/sessions/lifecycle/session-lifecycle.js';
import { AdapterSpecRules } from '../domain/sessions/session-spec-rules.js';
import { SessionService } from '../domain/sessions/session.service.js';
import { SessionMedia } from '../domain/media/session-media.js';
import { createEmbeddingCodec } from '../infra/crypto/embedding-codec.js';
import { type Database, openDatabase } from '../infra/db/database.js';
import { migrate } from '../infra/db/migrator.js';
import { createRepositories } from '../infra/db/repositories/index.js';
import { KyselyPoolRepository } from '../infra/db/repositories/pool.repository.js';
import { parseFaceCalibration } from '../infra/face/calibration/face-calibration.js';
import { defaultScoreCalibration, scoreCalibration } from '../infra/face/calibration/score-calibration.js';
import { type EmbedderResolver, MODEL_SET_ID } from '../infra/face/model-set.js';
import { KyselyModelSetRepository } from '../infra/db/repositories/model-set.repository.js';
import type { ModelSetRepository } from '../domain/ports/model-set-repository.port.js';
import { ModelSetChoice } from '../domain/models/model-set-choice.js';
import { ModelMigration } from '../domain/models/model-migration.js';
import { createFaceEngine } from '../infra/face/face-engine.factory.js';
import { DecodeGate } from '../infra/image/decode-gate.js';
import { HeaderImageInspector } from '../infra/image/header-image.inspector.js';
import { InMemoryFaceIndex } from '../infra/face-index/in-memory-face.index.js';
import { DiskMediaStore } from '../infra/media/disk-media.store.js';
import { S3MediaStore } from '../infra/media/s3-media.store.js';
import { KyselyJobQueue } from '../infra/queue/kysely-job.queue.js';
import { DocumentTasks } from '../domain/documents/document-tasks.js';
import type { DocumentReader } from '../domain/ports/document-reader.port.js';
import { PooledDocumentReader } from '../infra/mrz/pooled-document.reader.js';
import { endpointProblem } from '../infra/webhooks/endpoint-policy.js';
import { HttpWebhookSender } from '../infra/webhooks/http-webhook.sender.js';
import type { ReadinessProbe } from '../shared/readiness-probe.js';
import { type ConsoleServices, createConsoleServices } from './console-services.js';
import { JobSignal, SignallingJobQueue } from './job-signal.js';
import { createMetrics } from './metrics.js';

// The composition root: picks adapters from configuration and wires the services, once: the container is never
// changed after it is built. Everything that needs closing is closed by close().

export interface Container {
  config: Config;
  logger: Logger;
  database: Database;
  repos: Repositories;
  poolRepo: PoolRepository;
  media: MediaStore;
  queue: JobQueue;
  metrics: Registry;
  apps: AppService;
  sessions: SessionService;
  pools: PoolService;
  poolSearch: PoolSearch;
  pipeline: SessionPipeline;
  capture: CaptureService;
  handoffs: HandoffService;
  pageLinks: PageLinks;
  notifier: Notifier;
  /** The one owner of session state transitions and the events after them. */
  lifecycle: SessionLifecycle;
  calibration: ScoreCalibration;
  /** Installed face model sets, which one is in force, and the background move of faces and pools to it. */
  modelSetRepo: ModelSetRepository;
  modelSets: ModelSetChoice;
  modelMigration: ModelMigration;
  /** The operator console (users, sign-in, review queue, audit). */
  console: ConsoleServices;
  /** Started on first use (worker threads and models take a moment); serve starts it at once. */
  faceEngine(): Promise<FaceEngine>;
  /** Raised after each enqueue, so an in-process job runner picks the job up at once. */
  jobSignal: JobSignal;
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

/** The engine's view of the store's registry: an installed set's embedder file, checksum and input. */
export function embedderResolver(repo: Pick<ModelSetRepository, 'get'>): EmbedderResolver {
  return async (id) => {
    const r = await repo.get(id);
    return r
      ? {
          id: r.id,
          file: r.embedderFile,
          sha256: r.embedderSha256,
          template: r.template,
          inputSize: r.inputSize,
          dimensions: r.dimensions,
        }
      : null;
  };
}

function lazyFaceEngine(config: Config, gate: DecodeGate, modelSets: EmbedderResolver) {
  let engine: Promise<FaceEngine> | undefined;
  let ready = false;
  const get = () => {
    engine ??= createFaceEngine({
      ...(config.face.modelsDir ? { modelsDir: config.face.modelsDir } : {}),
      ...(config.face.threads ? { threads: config.face.threads } : {}),
      maxQueue: config.face.maxQueue,
      maxPixels: config.images.limits.maxPixels,
      maxDecodeBytes: config.images.limits.maxDecodeBytes,
      gate,
      modelSets,
    }).then(
      (e) => {
        ready = true;
        return e;
      },
      (err: unknown) => {
        engine = undefined; // a later call retries
        throw err;
      },
    );
    return engine;
  };
  return {
    get,
    probe: async () => {
      if (!ready) throw new Error(engine ? 'starting' : 'not started');
    },
    close: async () => {
      if (engine) await (await engine.catch(() => null))?.close();
    },
  };
}

export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const now = () => Date.now();
  const newId = randomUUID;
  const database = openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize });
  const applied = await migrate(database);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const codec = createEmbeddingCodec(config.embeddingKey);
  const repos = createRepositories(database.db, database.dialect, codec);
  const poolRepo = new KyselyPoolRepository(database.db, database.dialect, codec);
  const media = createMediaStore(config);
  const jobSignal = new JobSignal();
  const queue = new SignallingJobQueue(new KyselyJobQueue(database.db, database.dialect, now), jobSignal);
  // One gate per process: the face threads and the document thread share the decoding memory budget.
  const decodeGate = new DecodeGate(config.images.decodeMemoryBytes, config.images.decodeQueue);
  const modelSetRepo = new KyselyModelSetRepository(database.db, database.dialect, codec);
  const engine = lazyFaceEngine(config, decodeGate, embedderResolver(modelSetRepo));
  const calibration = defaultScoreCalibration(config.face.calibrationFile);
  const modelSets = new ModelSetChoice({
    repo: modelSetRepo,
    shippedId: MODEL_SET_ID,
    shippedCalibration: calibration,
    calibrationFrom: (stored) => scoreCalibration(parseFaceCalibration(stored)),
    ...(config.face.modelSet ? { pinned: config.face.modelSet } : {}),
  });
  const index = new InMemoryFaceIndex(
    {
      exactLimit: config.face.indexExactLimit,
      rerank: config.face.indexRerank,
      shortlist: config.face.indexShortlist,
      searchThreads: config.face.indexThreads,
    },
    (err, pool) => logger.error({ err, pool }, 'face index background build failed'),
  );
  const poolSearch = new PoolSearch(poolRepo, index);
  // Erased rows may linger in SQLite's write-ahead log until a checkpoint: erasure on request waits for one.
  const scrub = async () => {
    if (!(await database.checkpoint()))
      logger.warn('erased rows may stay in the SQLite WAL until the next checkpoint: other readers kept it busy');
  };

  const pools = new PoolService({
    pools: poolRepo,
    repos,
    media,
    engine: engine.get,
    search: poolSearch,
    modelSets,
    now,
    newId,
    erased: scrub,
  });
  const consoleServices = createConsoleServices({
    config,
    database,
    repos,
    poolRepo,
    pools,
    media,
    calibration,
    now,
    newId,
    logger,
  });
  const notifier = new Notifier({
    repos,
    queue,
    sender: new HttpWebhookSender(config.webhooks),
    now,
    maxAttempts: config.webhooks.maxAttempts,
  });
  const lifecycle = new SessionLifecycle({
    sessions: repos.sessions,
    resources: repos.resources,
    work: repos.work,
    queue,
    events: notifier,
    media,
    reviews: consoleServices.reviews,
    scrub,
    now,
    newId,
  });
  consoleServices.reviews.onDecided((event) => lifecycle.reviewDecided(event));
  const sessionMedia = new SessionMedia({
    store: media,
    media: repos.media,
    images: new HeaderImageInspector(config.images.limits),
    now,
    newId,
  });
  const sessions = new SessionService({
    repos,
    media,
    sessionMedia,
    lifecycle,
    specRules: new AdapterSpecRules({
      pools: poolRepo,
      endpointProblem: (url) => endpointProblem(url, config.webhooks),
    }),
    policy: config.sessions,
    clock: { now },
    newId,
    scrub,
  });
  const faces = new FaceEvidence({
    repos,
    media,
    engine: engine.get,
    now,
    quality: DEFAULT_FACE_QUALITY,
    modelSet: () => modelSets.active(),
  });
  let reader: Promise<DocumentReader> | undefined;
  const documentReader = () =>
    (reader ??= PooledDocumentReader.start({
      deadlineMs: config.documents.deadlineMs,
      limits: config.images.limits,
      gate: decodeGate,
    }));
  const tasks = new DocumentTasks({ repos, media, sessionMedia, reader: documentReader, faces, now });
  const evidence = new SessionEvidence({
    repos,
    poolRepo,
    pools,
    faces,
    documents: tasks,
    calibration,
    modelSets,
    embeddingOf: (key, set) => modelSetRepo.embeddingOf(key, set),
    livenessThreshold: config.face.livenessThreshold,
    now,
  });
  const modelMigration = new ModelMigration({
    repo: modelSetRepo,
    choice: modelSets,
    queue,
    media,
    engine: engine.get,
    now,
    batch: config.face.migrationBatch,
    warn: (message, detail) => logger.warn(detail, message),
  });
  const pipeline = new SessionPipeline({ repos, queue, lifecycle, evidence, tasks, now, newId });
  const quota = new SessionQuota(repos.usage, config.capture, now);
  const zoom = new ZoomLiveness({
    repos,
    sessionMedia,
    lifecycle,
    sessions,
    analyser: async () => new FaceModelFrameAnalyser(await engine.get(), config.images.limits),
    quota,
    now,
    newId,
  });
  const capture = new CaptureService({
    repos,
    sessions,
    documents: tasks,
    sessionMedia,
    lifecycle,
    faces,
    engine: engine.get,
    quality: DEFAULT_FACE_QUALITY,
    quota,
    now,
    newId,
    challengeTtlMs: config.face.challengeTtlMs,
    zoom,
  });

  return Object.freeze({
    config,
    logger,
    database,
    repos,
    poolRepo,
    media,
    queue,
    metrics: createMetrics(),
    apps: new AppService(repos.apps, now),
    sessions,
    pools,
    poolSearch,
    pipeline,
    capture,
    handoffs: new HandoffService({
      repos,
      recordEvent: (id, event, device) => sessions.recordEvent(id, event, device),
      now,
      newId,
      ttlMs: config.page.handoffTtlSec * 1000,
    }),
    pageLinks: new PageLinks(repos, config.page.frameAncestors),
    notifier,
    lifecycle,
    calibration,
    modelSetRepo,
    modelSets,
    modelMigration,
    console: consoleServices,
    faceEngine: engine.get,
    jobSignal,
    probes: [
      { name: 'database', check: async () => void (await repos.apps.get('readiness-probe')) },
      { name: 'face_engine', check: engine.probe },
      { name: 'face_index', check: poolSearch.probe },
    ],
    now,
    async close() {
      await engine.close();
      if (reader) await (await reader.catch(() => null))?.close();
      index.close();
      (media as MediaStore & { close?: () => void }).close?.();
      await database.close();
    },
  });
}
