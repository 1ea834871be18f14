import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { CLI, tempDataDir } from './server.js';

// `openidv worker` as a child process, the way startServer runs `serve`: same environment handling, its own data
// folder unless one is given, output captured for failure messages.

export interface RunningWorker {
  pid: number;
  dataDir: string;
  process: ChildProcess;
  /** Resolves with the exit code (null after a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export async function startWorker(
  options: { env?: Record<string, string>; dataDir?: string } = {},
): Promise<RunningWorker> {
  const dataDir = options.dataDir ?? tempDataDir('openidv-worker-');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    OPENIDV_LOG_LEVEL: 'warn',
    OPENIDV_DATA_DIR: dataDir,
    ...options.env,
  };
  const child = spawn(process.execPath, [CLI, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const onData = () => {
      if (output.includes('openidv worker started')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code ?? signal}:\n${output}`));
    });
  });
  return {
    pid: child.pid!,
    dataDir,
    process: child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
    output: () => output,
  };
}
