// Starts the built server as a child process for benchmarks (same approach as the e2e tests).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'main.js');

export function benchDataDir() {
  return mkdtempSync(join(tmpdir(), 'openidv-bench-'));
}

/** Registers an app on a data folder (the server need not run) and returns its id and key. */
export async function createApp(dataDir, name, extraEnv = {}) {
  const env = { ...process.env, OPENIDV_DATA_DIR: dataDir, ...extraEnv };
  const out = JSON.parse(
    (await run(process.execPath, [CLI, 'apps', 'create', '--name', name, '--json'], { env })).stdout,
  );
  return { sdkId: out.sdk_id, privateKeyPem: readFileSync(out.private_key_path, 'utf8') };
}

export async function startServer({
  env: extra = {},
  args = [],
  dataDir = benchDataDir(),
  command = 'serve',
  nodeArgs = [],
  cli = CLI,
} = {}) {
  const env = { ...process.env, OPENIDV_LOG_LEVEL: 'warn', OPENIDV_DATA_DIR: dataDir, ...extra };
  const child = spawn(
    process.execPath,
    [...nodeArgs, cli, command, ...(command === 'serve' ? ['--port', '0'] : []), ...args],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  const baseUrl = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d;
      const m = /listening on (http:\/\/[^/\s]+)\/idverify\/v1/.exec(output);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  return {
    baseUrl,
    apiUrl: `${baseUrl}/idverify/v1`,
    dataDir,
    pid: child.pid,
    createApp: (name) => createApp(dataDir, name, extra),
    /** Resident memory in MB of the server and its child processes (HTTP processes of --http-processes). */
    rss() {
      const pids = [child.pid];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === child.pid) pids.push(Number(entry));
        } catch {
          // the process ended meanwhile
        }
      }
      const kb = pids.reduce((sum, pid) => {
        try {
          return sum + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
        } catch {
          return sum;
        }
      }, 0);
      return Math.round(kb / 1024);
    },
    async stop({ keepData = false } = {}) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
