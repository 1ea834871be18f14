import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasData } from '../helpers/data.js';
import { lfwPeople, lfwSubset } from '../helpers/lfw.js';
import { CLI, ROOT, type RunningServer, startServer, type TestApp, tempDataDir } from '../helpers/server.js';
import { type RunningWorker, startWorker } from '../helpers/worker.js';
import { signedCall } from '../helpers/yoti.js';

// Bring your own model, the whole path on the built server: the shipped embedder installed again under another id
// (same weights, so every score must come out the same after the move), evaluated on a small LFW subset, activated,
// and every face re-embedded by a worker process that is killed with SIGKILL halfway. Searches keep answering
// throughout, each from one set (the one the pool is on), and end with every face and pool on the new set.

const withData = hasData('lfw-dev', 'images');
const run = promisify(execFile);
const SHIPPED = 'faceplugin-0.0.1/ultralight320-mfn512-5pt';
const NEW = 'copy-mfn';
const EMBEDDER = join(ROOT, 'models', 'faceplugin-0.0.1', 'fr_feature.onnx');
const b64 = (path: string) => readFileSync(path).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SearchBody {
  model_set_id: string;
  face_count: number;
  candidates: { applicant_id: string; similarity: number; match: boolean }[];
}

describe.skipIf(!withData)('bring your own model: install, eval, activate, migrate across a kill -9', () => {
  const dataDir = tempDataDir('openidv-byo-model-');
  const lfwDir = mkdtempSync(join(tmpdir(), 'openidv-byo-lfw-'));
  // One job per face and short leases: the kill lands mid-migration and the killed job is taken up again quickly.
  const env = { OPENIDV_JOB_LEASE: '2', OPENIDV_JOB_POLL_MS: '50', OPENIDV_FACE_MIGRATION_BATCH: '1' };
  const people = withData ? lfwPeople(12, 2) : [];
  let server: RunningServer;
  let worker: RunningWorker | undefined;
  let app: TestApp;
  let poolId: string;
  const applicantOf = new Map<string, string>();

  const call = (method: string, endpoint: string, payload?: unknown) =>
    signedCall(server.apiUrl, app, method, endpoint, payload);
  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: server.env,
        maxBuffer: 16 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const search = async (photo: string) => {
    const res = await call('POST', `/pools/${poolId}/search`, { image: { data: b64(photo) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as SearchBody;
  };
  const status = async () =>
    JSON.parse((await cli(['models', 'status', '--json'])).stdout) as {
      active: string;
      done: boolean;
      faces_to_embed: number;
      pools: { poolId: string; modelSetId: string; faces: number; embedded: number }[];
    };
  /** Faces of the store with an embedding under the new set (their own or a re-embedding), read as the worker writes. */
  const embeddedUnderNew = () => {
    const db = new Database(join(dataDir, 'openidv.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare(
          'SELECT SUM(CASE WHEN f.model_set_id = ? OR EXISTS (SELECT 1 FROM face_embeddings e WHERE e.face_key = f.key AND e.model_set_id = ?) THEN 1 ELSE 0 END) AS done, COUNT(*) AS total FROM faces f',
        )
        .get(NEW, NEW) as { done: number; total: number };
      return row;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    lfwSubset(lfwDir, 100, 4, 20);
    server = await startServer({ dataDir, env, args: ['--no-workers'] });
    app = await server.createApp('byo model');
    poolId = (await call('POST', '/pools', { label: 'BLOCKLIST' })).body.id;
    for (const person of people) {
      const created = await call('POST', '/applicants', { face: { data: b64(person.photos[0]!) } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      applicantOf.set(person.name, created.body.id);
      expect((await call('POST', `/pools/${poolId}/applicants`, { applicant_id: created.body.id })).status).toBe(204);
    }
  }, 240_000);

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(lfwDir, { recursive: true, force: true });
  });

  it('refuses a wrong checksum, a missing file, a file that is not a model and wrong dims, installing nothing', async () => {
    const sha = createHash('sha256').update(readFileSync(EMBEDDER)).digest('hex');
    const notModel = join(lfwDir, 'pairs.txt');
    const notModelSha = createHash('sha256').update(readFileSync(notModel)).digest('hex');
    const cases: [string[], RegExp][] = [
      [
        ['--file', EMBEDDER, '--sha256', `${sha.slice(0, 63)}${sha.endsWith('0') ? '1' : '0'}`],
        /checksum mismatch: .* has sha256 [0-9a-f]{64}, not [0-9a-f]{64}/,
      ],
      [['--file', join(lfwDir, 'nope.onnx'), '--sha256', sha], /cannot read .*nope\.onnx: no such file/],
      [['--file', notModel, '--sha256', notModelSha], /not an ONNX model/],
      [
        ['--file', EMBEDDER, '--sha256', sha, '--template', 'shipped', '--dims', '128'],
        /the model gives 512-d embeddings, not 128/,
      ],
      [['--file', EMBEDDER, '--sha256', 'xyz'], /--sha256 must be 64 hexadecimal digits/],
      [['--file', EMBEDDER, '--sha256', sha, '--id', SHIPPED], /is the shipped model set/],
    ];
    for (const [args, message] of cases) {
      const id = args.includes('--id') ? [] : ['--id', 'hostile'];
      const out = await cli(['models', 'install', ...id, ...args]);
      expect(out.code, out.stdout).toBe(1);
      expect(out.stderr).toMatch(message);
      expect(out.stderr).not.toMatch(/\n\s+at /); // a reason, not a stack trace
    }
    expect(existsSync(join(dataDir, 'models')) ? readdirSync(join(dataDir, 'models')) : []).toEqual([]);
    const list = (await cli(['models', 'list'])).stdout;
    expect(list).toContain(`* ${SHIPPED}  active`);
    expect(list).not.toContain('hostile');
  });

  it('installs the shipped embedder as another set, refuses to activate it uncalibrated, and evaluates it', async () => {
    const sha = createHash('sha256').update(readFileSync(EMBEDDER)).digest('hex');
    const installed = await cli([
      'models',
      'install',
      '--id',
      NEW,
      '--file',
      EMBEDDER,
      '--sha256',
      sha,
      '--template',
      'shipped',
    ]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(readdirSync(join(dataDir, 'models'))).toEqual([`${sha}.onnx`]);
    expect((await cli(['models', 'install', '--id', NEW, '--file', EMBEDDER, '--sha256', sha])).stderr).toMatch(
      /already installed/,
    );

    const early = await cli(['models', 'activate', NEW]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/has no calibration: run `openidv models eval/);

    const evaluated = await cli(['models', 'eval', '--id', NEW, '--lfw', lfwDir, '--no-liveness']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/model set\s+copy-mfn/);
    expect(evaluated.stdout).toMatch(/calibration of copy-mfn on openidv-byo-lfw-\S+ stored/);
    expect((await cli(['models', 'list'])).stdout).toMatch(
      / {2}copy-mfn {2}installed {2}shipped {2}512-d {2}calibration: openidv-byo-lfw-/,
    );
  }, 300_000);

  it('moves every face and the pool to the new set in the background, searches answering throughout, across a kill -9', async () => {
    // Before: the pool is on the shipped set; remember each probe's scores.
    const probes = people.slice(0, 4);
    const before = new Map<string, SearchBody>();
    for (const person of probes) {
      const found = await search(person.photos[1]!);
      expect(found.model_set_id).toBe(SHIPPED);
      expect(found.candidates[0]).toMatchObject({ applicant_id: applicantOf.get(person.name), match: true });
      before.set(person.name, found);
    }

    const activated = await cli(['models', 'activate', NEW]);
    expect(activated.code, activated.stderr).toBe(0);
    expect(activated.stdout).toContain(`model set ${NEW} is active; ${people.length} face(s) to re-embed`);
    // No worker yet: nothing has moved, and searches still answer from the shipped set.
    expect((await search(probes[0]!.photos[1]!)).model_set_id).toBe(SHIPPED);
    expect(await status()).toMatchObject({ active: NEW, done: false, faces_to_embed: people.length });

    worker = await startWorker({ dataDir, env });
    let progress = embeddedUnderNew();
    for (const deadline = Date.now() + 120_000; progress.done < 2; progress = embeddedUnderNew()) {
      if (Date.now() > deadline)
        throw new Error(`the worker embedded ${progress.done} faces in 2 minutes:\n${worker.output()}`);
      await sleep(20);
    }
    await worker.stop('SIGKILL');
    worker = undefined;
    const atKill = embeddedUnderNew();
    expect(atKill.done).toBeLessThan(atKill.total); // the kill landed mid-migration

    // With the worker dead the pool stays on the old set; a face enrolled now is embedded under both sets.
    const late = lfwPeople(1, 2, 12)[0]!;
    const created = await call('POST', '/applicants', { face: { data: b64(late.photos[0]!) } });
    expect(created.status).toBe(201);
    applicantOf.set(late.name, created.body.id);
    expect((await call('POST', `/pools/${poolId}/applicants`, { applicant_id: created.body.id })).status).toBe(204);
    const lateFound = await search(late.photos[1]!);
    expect(lateFound.model_set_id).toBe(SHIPPED);
    expect(lateFound.candidates[0]).toMatchObject({ applicant_id: created.body.id, match: true });

    // A new worker takes the killed job up again once its lease runs out; searches answer all along (at least one
    // round of them starts before it is done: it waits for the killed job's lease).
    worker = await startWorker({ dataDir, env });
    for (const deadline = Date.now() + 180_000; ; ) {
      for (const person of [...probes, late]) {
        const found = await search(person.photos[1]!);
        expect([SHIPPED, NEW]).toContain(found.model_set_id);
        expect(found.candidates[0], `${person.name} on ${found.model_set_id}`).toMatchObject({
          applicant_id: applicantOf.get(person.name),
          match: true,
        });
      }
      const now = await status();
      if (now.done) break;
      if (Date.now() > deadline)
        throw new Error(`migration not done after 3 minutes: ${JSON.stringify(now)}\n${worker.output()}`);
    }

    const final = await status();
    expect(final).toMatchObject({ active: NEW, done: true, faces_to_embed: 0 });
    expect(final.pools).toEqual([
      expect.objectContaining({ poolId, modelSetId: NEW, faces: people.length + 1, embedded: people.length + 1 }),
    ]);
    expect(embeddedUnderNew()).toEqual({ done: people.length + 1, total: people.length + 1 });
    const pool = await call('GET', `/pools/${poolId}`);
    expect(pool.body.decision).toMatchObject({ model_set_id: NEW });
    expect(pool.body.decision.calibration_dataset).toMatch(/^openidv-byo-lfw-/);
    expect(pool.body.face_count).toBe(people.length + 1);
    // Same weights: each face was recognised again in its image, so every score is what it was before the move.
    for (const person of probes) {
      const after = await search(person.photos[1]!);
      expect(after.model_set_id).toBe(NEW);
      const was = before.get(person.name)!;
      expect(after.candidates[0]).toEqual(was.candidates[0]);
      // (the late applicant joined the pool since: it may take a place among the others, never change their scores)
      const score = new Map(after.candidates.map((c) => [c.applicant_id, c.similarity]));
      for (const c of was.candidates)
        if (score.has(c.applicant_id)) expect(score.get(c.applicant_id)).toBe(c.similarity);
    }
    expect(worker.output()).not.toMatch(/not found again in its image|cannot be re-embedded/);
  }, 420_000);
});
