import { Command, InvalidArgumentError } from 'commander';
import { startOpsServer } from '../../http/ops-server.js';
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
      .option(
        '--metrics-port <port>',
        'serve /healthz, /readyz and /metrics (queue depth, jobs) on this port; env OPENIDV_METRICS_PORT',
        port,
      ),
  ).action(async (opts: { data?: string; metricsPort?: number }) => {
    const config = configFrom(opts);
    const logger = createLogger(config.logLevel);
    const container = await createContainer(config, logger);
    container.faceEngine().catch((err: unknown) => logger.error({ err }, 'face engine unavailable'));
    // Loaded now rather than at the first FAMILIAR_FACE_SEARCH, so that check does not wait for it.
    container.poolSearch.load().catch((err: unknown) => logger.error({ err }, 'face index load failed'));
    const workers = startWorkers(container);
    // Orchestrators probe workers too; only the operations routes, never the API.
    const metricsPort = opts.metricsPort ?? config.metrics.port;
    const ops = metricsPort === undefined ? null : await startOpsServer(container, metricsPort);
    process.stdout.write(
      `openidv worker started (data: ${config.dataDir}${ops ? `, metrics on port ${metricsPort}` : ''})\n`,
    );
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
