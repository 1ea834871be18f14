import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tesseractJsDataDir } from '../../src/infra/ocr/tesseract-js.engine.js';

// Proves the tesseract.js adapter never touches the network and never caches language data in the working
// directory: the engine runs in a child process whose sockets, DNS and fetch throw, in the main thread and
// in tesseract.js's worker thread alike (and inside an empty network namespace where the OS allows one).

const root = path.resolve(import.meta.dirname, '..', '..');
const work = path.join(root, 'node_modules', '.cache', 'openidv-mrz-offline-test');
let cwd = '';

const BLOCKER = `
const net = require('node:net');
const tls = require('node:tls');
const dns = require('node:dns');
const { threadId } = require('node:worker_threads');
const deny = (what) => { process.stderr.write('NETWORK_ATTEMPT ' + what + ' (thread ' + threadId + ')\\n'); throw new Error('network blocked by test: ' + what); };
globalThis.fetch = async (url) => deny('fetch ' + url);
net.Socket.prototype.connect = function () { deny('socket connect'); };
tls.connect = () => deny('tls connect');
dns.lookup = () => deny('dns lookup');
dns.promises.lookup = async () => deny('dns lookup');
process.stderr.write('BLOCKER_ACTIVE thread ' + threadId + '\\n');
`;

// Every worker thread gets the blocker too (preloads do not reach worker threads by themselves).
const PRELOAD = (blocker: string): string => `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
require(${JSON.stringify(blocker)});
const wt = require('node:worker_threads');
const Original = wt.Worker;
wt.Worker = class extends Original {
  constructor(file, options = {}) {
    super(file, { ...options, execArgv: [...(options.execArgv ?? []), '--require', ${JSON.stringify(blocker)}] });
  }
};
`;

const SCRIPT = `
import sharp from 'sharp';
import { TesseractJsEngine } from './engine.mjs';
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="80"><rect width="100%" height="100%" fill="white"/><text x="10" y="55" font-family="monospace" font-size="40">P&lt;UTOERIKSSON&lt;&lt;ANNA</text></svg>';
const image = await sharp(Buffer.from(svg)).png().toBuffer();
for (const model of ['lstm', 'legacy']) {
  const engine = new TesseractJsEngine({ model });
  const text = await engine.recognize({ image, psm: 7, whitelist: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<' });
  await engine.close();
  console.log(model + ':' + text.trim());
}
`;

beforeAll(async () => {
  mkdirSync(work, { recursive: true });
  await build({
    entryPoints: [path.join(root, 'src/infra/ocr/tesseract-js.engine.ts')],
    outfile: path.join(work, 'engine.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
  writeFileSync(path.join(work, 'blocker.cjs'), BLOCKER);
  writeFileSync(path.join(work, 'preload.mjs'), PRELOAD(path.join(work, 'blocker.cjs')));
  writeFileSync(path.join(work, 'run.mjs'), SCRIPT);
  cwd = mkdtempSync(path.join(os.tmpdir(), 'openidv-ocr-cwd-'));
});

afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('tesseract.js adapter offline', () => {
  it('points langPath at the npm package, never at a URL', () => {
    for (const model of ['lstm', 'legacy'] as const) {
      const dir = tesseractJsDataDir(model);
      expect(path.isAbsolute(dir)).toBe(true);
      expect(existsSync(path.join(dir, 'eng.traineddata.gz'))).toBe(true);
    }
  });

  it('recognises with every socket, DNS lookup and fetch blocked, and leaves no traineddata in the CWD', () => {
    // An empty network namespace is the strongest guard; containers that forbid it still get the blocker.
    const isolated = spawnSync('unshare', ['-rn', 'true']).status === 0;
    const args = ['--import', path.join(work, 'preload.mjs'), path.join(work, 'run.mjs')];
    const res = isolated
      ? spawnSync('unshare', ['-rn', process.execPath, ...args], { cwd, encoding: 'utf8', timeout: 120_000 })
      : spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });
    expect(res.stderr).not.toContain('NETWORK_ATTEMPT');
    expect(res.status, res.stderr).toBe(0);
    // The blocker ran in the main thread and in tesseract.js's worker threads.
    expect(res.stderr.match(/BLOCKER_ACTIVE thread [1-9]/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(res.stdout).toMatch(/^lstm:.+/m);
    expect(res.stdout).toMatch(/^legacy:.+/m);
    expect(readdirSync(cwd).filter((f) => f.includes('traineddata'))).toEqual([]);
  }, 120_000);
});
