// Starts the built server as a child process for benchmarks (same approach as the e2e tests).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'main.js');

export async function startServer({ env: extra = {}, args = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'openidv-bench-'));
  const env = { ...process.env, OPENIDV_LOG_LEVEL: 'warn', OPENIDV_DATA_DIR: dataDir, ...extra };
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const baseUrl = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d;
      const m = /listening on (http:\/\/[^/\s]+)\/idverify\/v1/.exec(output);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  const cli = async (a) => (await run(process.execPath, [CLI, ...a], { env })).stdout;
  return {
    baseUrl,
    apiUrl: `${baseUrl}/idverify/v1`,
    dataDir,
    pid: child.pid,
    cli,
    async createApp(name) {
      const out = JSON.parse(await cli(['apps', 'create', '--name', name, '--json']));
      return { sdkId: out.sdk_id, privateKeyPem: readFileSync(out.private_key_path, 'utf8') };
    },
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
