import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { AppService } from '../domain/apps/app.service.js';
import type { MediaStore } from '../domain/ports/media-store.port.js';
import type { Repositories } from '../domain/ports/repositories.port.js';
import { SessionService } from '../domain/sessions/session.service.js';
import type { ReadinessProbe } from '../http/routes/ops.routes.js';
import { createMetrics } from '../http/plugins/metrics.js';
import { type Database, openDatabase } from '../infra/db/database.js';
import { migrate } from '../infra/db/migrator.js';
import { createRepositories } from '../infra/db/repositories/index.js';
import { DiskMediaStore } from '../infra/media/disk-media.store.js';

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
  probes: ReadinessProbe[];
  now: () => number;
  close(): Promise<void>;
}

export function createMediaStore(config: Config): MediaStore {
  if (config.media.kind === 'disk') return new DiskMediaStore(config.media.dir);
  throw new Error('S3 media store is not available in this build');
}

export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const now = () => Date.now();
  const database = openDatabase(config.databaseUrl);
  const applied = await migrate(database);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const repos = createRepositories(database.db);
  const media = createMediaStore(config);
  const sessions = new SessionService({ repos, media, policy: config.sessions, clock: { now }, newId: randomUUID });
  const probes: ReadinessProbe[] = [
    {
      name: 'database',
      check: async () => {
        await repos.apps.get('readiness-probe');
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
    probes,
    now,
    async close() {
      await database.close();
    },
  };
}
