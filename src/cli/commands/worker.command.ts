import { Command } from 'commander';
import { createContainer } from '../../runtime/container.js';
import { createLogger } from '../../runtime/logger.js';
import { startWorkers } from '../../runtime/workers.js';
import { configFrom, withDataOption } from '../options.js';

export function workerCommand(): Command {
  return withDataOption(new Command('worker').description('Run job workers only (checks, tasks, webhooks, maintenance), no HTTP')).action(
    async (opts: { data?: string }) => {
      const config = configFrom(opts);
      const logger = createLogger(config.logLevel);
      const container = await createContainer(config, logger);
      container.faceEngine().catch((err: unknown) => logger.error({ err }, 'face engine unavailable'));
      const workers = startWorkers(container);
      process.stdout.write(`openidv worker started (data: ${config.dataDir})\n`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'worker shutting down: finishing in-flight jobs');
        await workers.stop(30_000);
        await container.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    },
  );
}
