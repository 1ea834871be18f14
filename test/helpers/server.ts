import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface TestApp {
  sdkId: string;
  privateKeyPem: string;
  webhookSecret: string;
}

export interface RunningServer {
  baseUrl: string;
  apiUrl: string;
  dataDir: string;
  env: Record<string, string>;
  process: ChildProcess;
  cli(args: string[]): Promise<string>;
  createApp(name: string): Promise<TestApp>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

export function tempDataDir(prefix = 'openidv-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts the built server (`dist/`) as a child process on a free port with its own data folder. */
export async function startServer(
  options: { env?: Record<string, string>; dataDir?: string; args?: string[] } = {},
): Promise<RunningServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    OPENIDV_LOG_LEVEL: 'warn',
    OPENIDV_DATA_DIR: dataDir,
    // Test files run two at a time on a 2-core machine: one inference thread per server keeps them from thrashing.
    OPENIDV_FACE_THREADS: '1',
    ...options.env,
  };
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(options.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = () => {
      const m = /listening on (http:\/\/[^/\s]+)\/idverify\/v1/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const cli = async (args: string[]) => (await run(process.execPath, [CLI, ...args], { env })).stdout;
  return {
    baseUrl,
    apiUrl: `${baseUrl}/idverify/v1`,
    dataDir,
    env,
    process: child,
    cli,
    async createApp(name: string) {
      const out = JSON.parse(await cli(['apps', 'create', '--name', name, '--json'])) as {
        sdk_id: string;
        private_key_path: string;
        webhook_secret: string;
      };
      return {
        sdkId: out.sdk_id,
        privateKeyPem: readFileSync(out.private_key_path, 'utf8'),
        webhookSecret: out.webhook_secret,
      };
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await exited;
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    output: () => output,
  };
}
