import { Command, InvalidArgumentError } from 'commander';
import Fastify from 'fastify';
import { opsRoutes } from '../../http/routes/ops.routes.js';
import { createContainer } from '../../runtime/container.js';
import { createLogger } from '../../runtime/logger.js';
import { startWorkers } from '../../runtime/workers.js';
import { configFrom, withDataOption } from '../options.js';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number');
  return n;
};

export function workerCommand(): Command {
  return withDataOption(
    new Command('worker')
      .description('Run job workers only (checks, tasks, webhooks, maintenance), no API')
      .option('--metrics-port <port>', 'serve /healthz, /readyz and /metrics (queue depth, jobs) on this port', port),
  ).action(async (opts: { data?: string; metricsPort?: number }) => {
    const config = configFrom(opts);
    const logger = createLogger(config.logLevel);
    const container = await createContainer(config, logger);
    container.faceEngine().catch((err: unknown) => logger.error({ err }, 'face engine unavailable'));
    // Loaded now rather than at the first FAMILIAR_FACE_SEARCH, so that check does not wait for it.
    container.poolSearch.load().catch((err: unknown) => logger.error({ err }, 'face index load failed'));
    const workers = startWorkers(container);
    // Orchestrators probe workers too; only the operations routes, never the API.
    const ops = opts.metricsPort === undefined ? null : Fastify({ logger: false });
    if (ops) {
      await ops.register(opsRoutes, { metrics: container.metrics, probes: container.probes });
      await ops.listen({ port: opts.metricsPort!, host: config.host });
    }
    process.stdout.write(`openidv worker started (data: ${config.dataDir}${ops ? `, metrics on port ${opts.metricsPort}` : ''})\n`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'worker shutting down: finishing in-flight jobs');
      await ops?.close();
      await workers.stop(config.workers.shutdownGraceMs);
      await container.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}
