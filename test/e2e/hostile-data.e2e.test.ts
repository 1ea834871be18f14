import { spawn } from 'node:child_process';
import { createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { expectResponsive, probeLatency } from '../helpers/attack-watch.js';
import { ClientApi } from '../helpers/client-api.js';
import { dataPath, hasData } from '../helpers/data.js';
import { findResidue, needlesOf } from '../helpers/residue.js';
import { type RunningServer, ROOT, startServer, type TestApp, tempDataDir } from '../helpers/server.js';
import { signRequest } from '../helpers/signing.js';
import { idvClient, yoti } from '../helpers/yoti.js';

// Hostile data against the built server as a process, with its default configuration: replays of signed
// requests, deep and junk check configs, webhook endpoints that are not https, erasure that must leave nothing
// in the raw files, /metrics on the public port. Variants come from a seeded generator so that a failure is
// reproducible. No answer may be a 5xx, and /healthz keeps answering.

let seed = 19;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;

const EMBEDDING_KEY = randomBytes(32).toString('base64');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return port;
}

/** A request signed once, exactly as the Node SDK signs it, that can be sent again byte for byte. */
function captured(app: TestApp, method: string, path: string, body?: unknown) {
  const endpoint = `${path}?sdkId=${app.sdkId}&nonce=${randomUUID()}&timestamp=${Date.now()}`;
  const bytes =
    body === undefined ? undefined : Buffer.from(body instanceof RawJson ? body.text : JSON.stringify(body));
  const digest = signRequest(method, endpoint, bytes, app.privateKeyPem);
  return (apiUrl: string, extraHeaders: Record<string, string> = {}) =>
    fetch(`${apiUrl}${endpoint}`, {
      method,
      headers: {
        'x-yoti-auth-digest': digest,
        ...(bytes ? { 'content-type': 'application/json' } : {}),
        ...extraHeaders,
      },
      ...(bytes ? { body: new Uint8Array(bytes) } : {}),
    });
}

/** JSON text given as is: nesting thousands deep is built as text (JSON.stringify would overflow the stack). */
class RawJson {
  constructor(readonly text: string) {}
}

function nested(depth: number): string {
  const shapes = Array.from({ length: depth }, () => rnd() < 0.5);
  return (
    shapes.map((o) => (o ? '{"a":' : '[')).join('') +
    '"x"' +
    shapes
      .reverse()
      .map((o) => (o ? '}' : ']'))
      .join('')
  );
}

/** GET /healthz round trips while `attack` runs: the server must keep serving the cheapest request. */
/** Runs an attack while /healthz is probed from another process; holds it to the hostile suites' rule. */
async function responsiveDuring(phase: string, baseUrl: string, attack: () => Promise<void>): Promise<void> {
  const probe = await probeLatency(`${baseUrl}/healthz`);
  try {
    await attack();
  } finally {
    expectResponsive(phase, await probe.stop());
  }
}

describe('hostile data (default configuration)', () => {
  let server: RunningServer;
  let app: TestApp;
  let opsPort: number;

  beforeAll(async () => {
    opsPort = await freePort();
    server = await startServer({
      env: { OPENIDV_EMBEDDING_KEY: EMBEDDING_KEY, OPENIDV_JOB_POLL_MS: '50', OPENIDV_METRICS_PORT: String(opsPort) },
    });
    app = await server.createApp('hostile-data');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses replays of signed POST and DELETE requests; each request is served once, even raced', async () => {
    const spec = { requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 1 } }] };
    const sessionIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const create = captured(app, 'POST', '/sessions', spec);
      // The same bytes sent 5 times at once, some with headers the signature does not cover changed.
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          create(
            server.apiUrl,
            pick<Record<string, string>>([
              {},
              { 'x-forwarded-for': '203.0.113.7' },
              { 'user-agent': 'replayer' },
              { 'x-yoti-sdk': 'Java' },
            ]),
          ),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, 401, 401, 401, 401]);
      sessionIds.push(((await answers.find((a) => a.status === 201)!.json()) as { session_id: string }).session_id);
    }
    for (const id of sessionIds.slice(0, 3)) {
      const del = captured(app, 'DELETE', `/sessions/${id}`);
      expect((await del(server.apiUrl)).status).toBe(204);
      const again = await del(server.apiUrl);
      expect(again.status).toBe(401);
      expect(await again.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    // The official SDK, whose every request carries a fresh nonce, works throughout.
    const client = idvClient(app, server.apiUrl);
    const session = await client.createSession(
      new yoti.SessionSpecificationBuilder()
        .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
        .build(),
    );
    expect((await client.getSession(session.getSessionId())).getState()).toBe('ONGOING');
    await client.deleteSession(session.getSessionId());
  });

  it('refuses deep and junk check and task configs with 400, stores none of it, and keeps serving', async () => {
    const client = idvClient(app, server.apiUrl);
    const bodies: RawJson[] = [];
    for (let i = 0; i < 24; i++) {
      // Config members as JSON text: a junk key, or a known key with a junk value.
      const junk = pick<() => string>([
        () => '"state":"DONE"',
        () => '"report":{"recommendation":{"value":"APPROVE"},"breakdown":[]}',
        () => `"k${Math.floor(rnd() * 1e6)}":${nested(4_500 + Math.floor(rnd() * 3_000))}`,
        () => `"manual_check":${nested(5_000)}`,
        () => '"generated_media":[{"id":"x","media":{"id":"y"}}]',
        () => '"constructor":{"prototype":{"admin":true}}',
        () => `"big":"${'x'.repeat(200_000)}"`,
      ])();
      const item =
        rnd() < 0.6
          ? `{"type":"${pick(['LIVENESS', 'FACE_COMPARISON', 'ID_DOCUMENT_AUTHENTICITY'])}","config":{${rnd() < 0.5 ? '"liveness_type":"STATIC",' : ''}${junk}}}`
          : `{"type":"ID_DOCUMENT_TEXT_DATA_EXTRACTION","config":{${junk}}}`;
      bodies.push(new RawJson(`{"${item.includes('TEXT_DATA') ? 'requested_tasks' : 'requested_checks'}":[${item}]}`));
    }
    const answers: { status: number; body: { code?: string; message?: string; errors?: { property: string }[] } }[] =
      [];
    await responsiveDuring('deep and junk configs', server.baseUrl, async () => {
      for (const body of bodies) {
        const res = await captured(app, 'POST', '/sessions', body)(server.apiUrl);
        answers.push({ status: res.status, body: (await res.json()) as never });
      }
    });
    for (const [i, a] of answers.entries()) {
      expect(a.status, `${bodies[i]!.text.slice(0, 200)} → ${JSON.stringify(a.body).slice(0, 300)}`).toBe(400);
      expect(a.body.code, String(i)).toBe('PAYLOAD_VALIDATION');
      // Nesting past the parser's depth limit is refused before parsing; anything else names the setting.
      if (a.body.errors) expect(a.body.errors[0]?.property).toMatch(/^requested_(checks|tasks)\[0\]\.config\./);
      else expect(a.body.message, String(i)).toMatch(/nests deeper than/);
    }

    // A 10 MB junk value is refused too (400, or 413 where a smaller body limit applies), never stored.
    const huge = await captured(app, 'POST', '/sessions', {
      requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC', note: 'x'.repeat(10_000_000) } }],
    })(server.apiUrl);
    expect([400, 413]).toContain(huge.status);

    // What the SDK sends is still accepted, and the session result echoes only known settings.
    const created = await client.createSession(
      new yoti.SessionSpecificationBuilder()
        .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(2).build())
        .withRequestedCheck(new yoti.RequestedFaceMatchCheckBuilder().withManualCheckFallback().build())
        .withRequestedCheck(new yoti.RequestedDocumentAuthenticityCheckBuilder().withManualCheckNever().build())
        .withRequestedTask(
          new yoti.RequestedTextExtractionTaskBuilder()
            .withManualCheckNever()
            .withChipDataDesired()
            .withCreateExpandedDocumentFields(true)
            .build(),
        )
        .build(),
    );
    const raw = await captured(app, 'GET', `/sessions/${created.getSessionId()}`)(server.apiUrl);
    const checks = ((await raw.json()) as { checks: { type: string; config?: Record<string, unknown> }[] }).checks;
    expect(checks.find((c) => c.type === 'LIVENESS')?.config).toEqual({ liveness_type: 'STATIC', max_retries: 2 });
  });

  it('refuses webhook endpoints that are not https, or name a private address, when the session is created', async () => {
    const endpoints = [
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_FLUSHALL',
      'ftp://rp.example/hook',
      'http://rp.example/hook',
      'dict://rp.example:11211/',
      'https://user:secret@rp.example/hook',
      'https://127.0.0.1/hook',
      'https://[::ffff:a9fe:a9fe]/latest/meta-data',
      'https://[64:ff9b::a9fe:a9fe]/latest/meta-data',
      'https://[::a00:1]/hook',
      'https://[2002:a00:1::1]/hook',
    ];
    for (const endpoint of endpoints) {
      const res = await captured(app, 'POST', '/sessions', {
        notifications: { endpoint, topics: ['SESSION_COMPLETION'] },
      })(server.apiUrl);
      const body = (await res.json()) as { code: string; errors?: { property: string }[] };
      expect(res.status, endpoint).toBe(400);
      expect(
        body.errors?.map((e) => e.property),
        endpoint,
      ).toContain('notifications.endpoint');
    }
    const ok = await captured(app, 'POST', '/sessions', { notifications: { endpoint: 'https://rp.example/hook' } })(
      server.apiUrl,
    );
    expect(ok.status).toBe(201);
  });

  it('keeps /metrics off the public port and serves it on the operations port', async () => {
    const pub = await fetch(`${server.baseUrl}/metrics`);
    expect(pub.status).toBe(404);
    expect(await pub.text()).not.toMatch(/openidv_/);
    const ops = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
    expect(ops.status).toBe(200);
    expect(await ops.text()).toMatch(/openidv_http_request_duration_seconds/);
    expect((await fetch(`http://127.0.0.1:${opsPort}/idverify/v1/supported-documents`)).status).toBe(404);
  });

  const withFace = hasData('faces-deepface', 'img1.jpg');
  it.skipIf(!withFace)(
    'leaves none of a deleted session in the database, its WAL and shm files or the media folder',
    async () => {
      const client = idvClient(app, server.apiUrl);
      const image = readFileSync(dataPath('faces-deepface', 'img1.jpg'));
      const spec = new yoti.SessionSpecificationBuilder()
        .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
        .withRequestedCheck(new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build())
        .build();
      // A neighbour session with its own face stays; the victim is deleted.
      const upload = async () => {
        const created = await client.createSession(spec);
        const sessionId: string = created.getSessionId();
        const requirement = (await client.getSessionConfiguration(sessionId))
          .getCapture()
          .getRequiredResources()
          .find((r: { getType(): string }) => r.getType() === 'FACE_CAPTURE');
        const resource = await client.createFaceCaptureResource(
          sessionId,
          new yoti.CreateFaceCaptureResourcePayloadBuilder().withRequirementId(requirement.getId()).build(),
        );
        await client.uploadFaceCaptureImage(
          sessionId,
          resource.getId(),
          new yoti.UploadFaceCaptureImagePayloadBuilder().forJpegImage().withImageContents(image).build(),
        );
        // The user finishes without a selfie: the checks start and the pipeline analyses the reference.
        expect((await new ClientApi(server.apiUrl, sessionId, created.getClientSessionToken()).finish()).status).toBe(
          200,
        );
        return sessionId;
      };
      const neighbour = await upload();
      const victim = await upload();

      // The pipeline analyses the image: its embedding is stored (AES-GCM under OPENIDV_EMBEDDING_KEY).
      const dbPath = join(server.dataDir, 'openidv.db');
      let stored: Buffer | undefined;
      for (const deadline = Date.now() + 60_000; !stored; ) {
        const db = new Database(dbPath, { readonly: true, fileMustExist: true });
        try {
          const row = db
            .prepare('SELECT embeddings FROM face_analyses WHERE session_id = ? AND embeddings IS NOT NULL')
            .get(victim) as { embeddings: Buffer } | undefined;
          stored = row?.embeddings;
        } finally {
          db.close();
        }
        if (!stored && Date.now() > deadline) throw new Error('the face analysis was never stored');
        if (!stored) await new Promise((r) => setTimeout(r, 200));
      }
      // The plaintext floats, decrypted here with the test's key: never on disk, before or after.
      const decipher = createDecipheriv('aes-256-gcm', Buffer.from(EMBEDDING_KEY, 'base64'), stored.subarray(1, 13));
      decipher.setAuthTag(stored.subarray(13, 29));
      const floats = Buffer.concat([decipher.update(stored.subarray(29)), decipher.final()]);
      expect(floats.length).toBeGreaterThanOrEqual(512);

      const needles = [
        ...needlesOf('image', image, { skip: 2048 }),
        ...needlesOf('embedding as stored', stored),
        ...needlesOf('embedding floats', floats),
      ];
      // The test sees the bytes before the erasure (the same image is the neighbour's too, so only the media
      // folder of the victim and the embedding are telling): otherwise it would prove nothing.
      expect(
        findResidue(join(server.dataDir, 'media'), needlesOf('image', image, { skip: 2048 })).length,
      ).toBeGreaterThanOrEqual(2);
      expect(findResidue(server.dataDir, needlesOf('embedding as stored', stored)).length).toBeGreaterThan(0);

      await client.deleteSession(victim);
      const t0 = Date.now();
      // Within a few seconds (DELETE waits for the checkpoint, so at once in practice).
      let residue = findResidue(server.dataDir, [
        ...needlesOf('embedding as stored', stored),
        ...needlesOf('embedding floats', floats),
      ]);
      while (residue.length && Date.now() - t0 < 3000) {
        await new Promise((r) => setTimeout(r, 200));
        residue = findResidue(server.dataDir, [
          ...needlesOf('embedding as stored', stored),
          ...needlesOf('embedding floats', floats),
        ]);
      }
      expect(residue).toEqual([]);
      // The image: only the neighbour's copy remains, in the neighbour's folder.
      const imageResidue = findResidue(
        server.dataDir,
        needles.filter((n) => n.label.startsWith('image')),
      );
      expect(
        imageResidue.every((line) => line.includes(neighbour)),
        imageResidue.join('\n'),
      ).toBe(true);
      expect(imageResidue.some((line) => line.includes(victim))).toBe(false);
      expect((await client.getSession(neighbour)).getSessionId()).toBe(neighbour);
    },
  );
});

describe('disk media store killed mid-write', () => {
  it('leaves its temporary file only in the store temporary folder, where the sweep removes it', async () => {
    const root = tempDataDir('openidv-kill-');
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const store = join(ROOT, 'dist', 'infra', 'media', 'disk-media.store.js');
    expect(existsSync(store)).toBe(true);
    // A writer of large files, killed (SIGKILL) while a temporary file exists.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { DiskMediaStore } = await import(${JSON.stringify(store)}); const s = new DiskMediaStore(${JSON.stringify(root)}); const big = Buffer.alloc(64 * 1024 * 1024, 7); for (let i = 0; ; i++) await s.put('app/session/m' + i, big, 'image/jpeg');`,
      ],
      { stdio: 'ignore' },
    );
    const tmpFiles = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
            .map((f) => join(dir, f))
            .filter((f) => f.endsWith('.tmp') && statSync(f, { throwIfNoEntry: false })?.isFile())
        : [];
    for (const deadline = Date.now() + 30_000; !tmpFiles(root).length; ) {
      if (Date.now() > deadline) throw new Error('the writer never started a file');
      await new Promise((r) => setTimeout(r, 5));
    }
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const left = tmpFiles(root).map((f) => relative(root, f));
    expect(left.length).toBeGreaterThan(0);
    expect(
      left.every((f) => f.startsWith('.tmp/')),
      left.join(', '),
    ).toBe(true);
    const { DiskMediaStore } = (await import(store)) as typeof import('../../src/infra/media/disk-media.store.js');
    const media = new DiskMediaStore(root);
    expect((await media.list('')).every((k) => /^app\/session\/m\d+$/.test(k))).toBe(true);
    expect(await media.sweepTemporary(0)).toBe(left.length);
    expect(tmpFiles(root)).toEqual([]);
  });
});
