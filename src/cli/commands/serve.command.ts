import cluster from 'node:cluster';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { buildApp } from '../../http/app.js';
import { startOpsServer } from '../../http/ops-server.js';
import { type Container, createContainer } from '../../runtime/container.js';
import { prepareConsoleAdmin } from '../../runtime/console-first-look.js';
import { createLogger } from '../../runtime/logger.js';
import { installSafetyNet } from '../../runtime/safety-net.js';
import { startWorkers } from '../../runtime/workers.js';
import { configFrom, withDataOption } from '../options.js';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number');
  return n;
};

/** On first start with an empty registry, a development app lets a newcomer call the API at once. */
async function ensureDevelopmentApp(c: Container): Promise<void> {
  if ((await c.apps.list()).length > 0) return;
  const { app, privateKeyPem } = await c.apps.create('development');
  const keyPath = join(c.config.dataDir, 'keys', `${app.sdkId}.pem`);
  await mkdir(join(c.config.dataDir, 'keys'), { recursive: true, mode: 0o700 });
  await writeFile(keyPath, privateKeyPem ?? '', { mode: 0o600 });
  await chmod(keyPath, 0o600);
  process.stdout.write(
    `\nopenidv: created a development app\n  SDK id:      ${app.sdkId}\n  private key: ${keyPath}\n` +
      `  Use them with the yoti SDK: new IDVClient(sdkId, key, { apiUrl: 'http://<host>:<port>/idverify/v1' })\n\n`,
  );
}

type ServeOptions = {
  data?: string;
  port?: number;
  host?: string;
  workers?: boolean;
  httpProcesses?: number;
  metricsPort?: number;
};

export function serveCommand(): Command {
  return withDataOption(
    new Command('serve')
      .description('Run the HTTP API (and, unless --no-workers, the job workers) on the configured store')
      .option('--port <port>', 'listen port; env OPENIDV_PORT (default 8080)', port)
      .option('--host <host>', 'listen address; env OPENIDV_HOST (default 127.0.0.1)')
      .option('--no-workers', 'serve the API only; run `openidv worker` separately')
      .option(
        '--http-processes <n>',
        'HTTP processes sharing the port (one per core you give the API); env OPENIDV_HTTP_PROCESSES',
        (v) => Number(v),
      )
      .option(
        '--metrics-port <port>',
        'serve /healthz, /readyz and /metrics on this port (not on the API port); env OPENIDV_METRICS_PORT',
        port,
      ),
  ).action(async (opts: ServeOptions) => {
    const processes = opts.httpProcesses ?? Number(process.env.OPENIDV_HTTP_PROCESSES ?? 1);
    if (processes > 1 && cluster.isPrimary) return runPrimary(opts, processes);
    return runServer(opts, cluster.isWorker ? Number(process.env.OPENIDV_PROCESS_INDEX) : 0);
  });
}

/**
 * Several HTTP processes on one port (node:cluster): the API is single-threaded JavaScript, so this is how it
 * uses more than one core. The primary prepares the store once, then only supervises; the first process also
 * runs the job workers (unless --no-workers), the others serve HTTP only.
 */
async function runPrimary(opts: ServeOptions, processes: number): Promise<void> {
  const config = configFrom({ ...opts, workers: opts.workers === false ? false : undefined });
  const container = await createContainer(config, createLogger(config.logLevel));
  await ensureDevelopmentApp(container);
  const consoleNote = await prepareConsoleAdmin(container);
  await container.close();
  let stopping = false;
  let announced = false;
  const fork = (index: number) => {
    // Inference threads are shared out: one per core across all processes unless configured.
    const threads =
      process.env.OPENIDV_FACE_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / processes)));
    const worker = cluster.fork({ OPENIDV_PROCESS_INDEX: String(index), OPENIDV_FACE_THREADS: threads });
    worker.on('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`openidv: HTTP process ${index} exited (${signal ?? code}); restarting\n`);
        fork(index);
      }
    });
  };
  cluster.on('message', (_worker, message: { listening?: string }) => {
    if (message.listening && !announced) {
      announced = true;
      process.stdout.write(
        `openidv listening on ${message.listening}/idverify/v1 (data: ${config.dataDir}, ${processes} HTTP processes)\n`,
      );
      if (consoleNote) process.stdout.write(consoleNote(message.listening));
    }
  });
  for (let i = 0; i < processes; i++) fork(i);
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    cluster.on('exit', () => {
      if (!Object.keys(cluster.workers ?? {}).length) process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function runServer(opts: ServeOptions, index: number): Promise<void> {
  const config = configFrom({ ...opts, workers: opts.workers === false || index > 0 ? false : undefined });
  const logger = createLogger(config.logLevel);
  const container = await createContainer(config, logger);
  if (cluster.isPrimary) await ensureDevelopmentApp(container);
  const consoleNote = cluster.isPrimary ? await prepareConsoleAdmin(container) : null;
  // Models and the face index load in the background; /readyz reports when they are up.
  container
    .faceEngine()
    .catch((err: unknown) => logger.error({ err }, 'face engine unavailable: face checks will fail until it starts'));
  container.poolSearch.load().catch((err: unknown) => logger.error({ err }, 'face index load failed'));
  const app = await buildApp(container);
  installSafetyNet({ logger, metrics: container.metrics });
  const workers = config.workers.inProcess ? startWorkers(container) : null;
  const address = await app.listen({ port: config.port, host: config.host });
  const metricsPort = opts.metricsPort ?? config.metrics.port;
  const ops = metricsPort === undefined ? null : await startOpsServer(container, metricsPort);
  if (ops && index === 0)
    process.stdout.write(`openidv operations (healthz, readyz, metrics) on port ${metricsPort}\n`);
  if (cluster.isWorker) process.send?.({ listening: address });
  else
    process.stdout.write(
      `openidv listening on ${address}/idverify/v1 (data: ${config.dataDir})\n${consoleNote?.(address) ?? ''}`,
    );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await ops?.close();
    await workers?.stop(config.workers.shutdownGraceMs);
    await container.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
