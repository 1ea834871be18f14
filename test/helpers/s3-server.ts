import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestS3Server {
  endpoint: string;
  region: string;
  /** s3rver's built-in account; it checks request signatures against it. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./s3rver-child.cjs', import.meta.url));

/**
 * Starts s3rver (an S3-compatible server in Node) on a free loopback port with the given buckets, backed by a
 * temporary folder that stop() removes. Null, with a [skip] message, when it cannot start here.
 */
export async function startS3Server(buckets: string[]): Promise<TestS3Server | null> {
  const dir = mkdtempSync(join(tmpdir(), 'openidv-s3rver-'));
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, dir, ...buckets], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const port = await readyPort(child, 15_000);
    const running = child;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      async stop() {
        await stopChild(running);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    console.warn(`[skip] s3rver could not start on loopback: ${(err as Error).message}`);
    if (child) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function readyPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms ${err.trim()}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch {
          reject(new Error(`unexpected output: ${line.slice(0, 200)}`));
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code} ${err.trim()}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
