import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/domain/ports/face-engine.port.js';
import { createFaceEngine } from '../../src/infra/face/face-engine.factory.js';
import { defaultModelsDir } from '../../src/infra/face/model-set.js';
import { loadSubjects, type Subject } from '../../src/tools/liveness-eval/liveness-evaluation.js';
import {
  type AttemptOutcome,
  type CameraSource,
  headStandIn,
  photoMovedAsPlane,
  recorded,
  stillPhoto,
  streamAttempt,
} from '../../src/tools/liveness-eval/served-attempt.js';
import { seededRng } from '../../src/tools/liveness-eval/triangle-raster.js';
import { ClientApi } from '../helpers/client-api.js';
import { dataDir, hasData } from '../helpers/data.js';
import { postOversize } from '../helpers/oversize.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { idvClient, yoti } from '../helpers/yoti.js';

// Issue 20, part 3 served: a LIVENESS check with liveness_type ZOOM, driven over HTTP in real time by subjects
// rendered from LFW photos (test/helpers/zoom-stand-ins.ts says what each stands for), read back with the official
// SDK. The head stand-in passes and its result parses as Yoti's ZOOM shape; a photo tilted as a plane and a still
// photo are rejected; a capture sent again is caught by the tenant's frame ledger, and only that tenant's. Hostile
// requests to the frame route get Yoti-shape 4xx answers and leave the challenge usable.

const ready = existsSync(join(defaultModelsDir(), 'fr_landmark.onnx')) && hasData('lfw-dev', 'images');

interface Breakdown {
  getSubCheck(): string;
  getResult(): string;
  getDetails(): { getName(): string; getValue(): string }[];
}
interface Check {
  getType(): string;
  getReport(): { getRecommendation(): { getValue(): string }; getBreakdown(): Breakdown[] };
  getGeneratedMedia(): { getId(): string; getType(): string }[];
}

describe.skipIf(!ready)('ZOOM liveness over the client API', () => {
  let server: RunningServer;
  let app: TestApp;
  let otherApp: TestApp;
  let engine: FaceEngine;
  let subjects: Subject[];
  let passed: AttemptOutcome | undefined;

  beforeAll(async () => {
    engine = await createFaceEngine({ inProcess: true });
    [server, subjects] = await Promise.all([
      startServer({ env: { OPENIDV_JOB_POLL_MS: '50' } }),
      loadSubjects(engine, dataDir, 'held-out', 40).then((s) => s.slice(0, 3)),
    ]);
    app = await server.createApp('zoom');
    otherApp = await server.createApp('zoom-other-tenant');
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await engine?.close();
  });

  async function openSession(maxRetries = 2, tenant: TestApp = app) {
    const spec = new yoti.SessionSpecificationBuilder()
      .withClientSessionTokenTtl(600)
      .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forZoomLiveness().withMaxRetries(maxRetries).build())
      .withSdkConfig(new yoti.SdkConfigBuilder().withAllowsCameraAndUpload().build())
      .build();
    const session = await idvClient(tenant, server.apiUrl).createSession(spec);
    const api = new ClientApi(server.apiUrl, session.getSessionId(), session.getClientSessionToken());
    expect((await api.consent()).status).toBe(200);
    return { id: session.getSessionId() as string, api, tenant };
  }

  /** Attempts until one is not RETRY (at most the session's attempts). */
  async function attempts(api: ClientApi, source: () => CameraSource): Promise<AttemptOutcome[]> {
    const outcomes: AttemptOutcome[] = [];
    for (;;) {
      const outcome = await streamAttempt(api, source());
      outcomes.push(outcome);
      if (outcome.status !== 200 || outcome.body.state !== 'RETRY') return outcomes;
    }
  }

  async function finished(id: string, api: ClientApi, tenant: TestApp = app) {
    await api.finish();
    const client = idvClient(tenant, server.apiUrl);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const result = await client.getSession(id);
      const check = (result.getLivenessChecks() as Check[])[0];
      if (result.getState() === 'COMPLETED' && check) return { result, check, client };
      if (Date.now() > deadline) throw new Error(`session ${id} did not complete`);
      await sleep(150);
    }
  }

  const sub = (check: Check, name: string) =>
    check
      .getReport()
      .getBreakdown()
      .find((b) => b.getSubCheck() === name);
  const detail = (b: Breakdown | undefined, name: string) =>
    b
      ?.getDetails()
      .find((d) => d.getName() === name)
      ?.getValue();

  it('passes the head stand-in; the SDK parses the ZOOM resource, its frames and the evidence JSON', async () => {
    const { id, api } = await openSession(2);
    const config = await api.configuration();
    expect(config.body.requirements).toContainEqual(
      expect.objectContaining({ type: 'LIVENESS', liveness_type: 'ZOOM' }),
    );
    const rng = seededRng(101);
    const outcomes = await attempts(api, () => headStandIn(subjects[0]!, rng));
    const last = outcomes.at(-1)!;
    expect(last.body.state, JSON.stringify(last.body)).toBe('PASSED');
    passed = last;

    const { result, check, client } = await finished(id, api);
    expect(check.getReport().getRecommendation().getValue()).toBe('APPROVE');
    for (const name of [
      'liveness_auth',
      'challenge_response',
      'depth_parallax',
      'identity_consistency',
      'frame_ledger',
    ])
      expect(sub(check, name)?.getResult(), name).toBe('PASS');
    expect(detail(sub(check, 'liveness_auth'), 'assurance')).toBe('ZOOM_CHALLENGE_RESPONSE');

    const zoom = result.getResources().getZoomLivenessResources();
    expect(zoom).toHaveLength(outcomes.length);
    const frames = zoom.at(-1).getFrames();
    expect(frames.length).toBe(4); // one audit frame per step met
    const sent = new Set(last.sent.map((b) => Buffer.from(b).toString('base64')));
    for (const frame of frames) {
      const media = await client.getMediaContent(id, frame.getMedia().getId());
      expect(media.getMimeType()).toBe('image/jpeg');
      expect(sent.has(media.getContent().toString('base64'))).toBe(true);
    }
    const [generated] = check.getGeneratedMedia();
    expect(generated?.getType()).toBe('JSON');
    const evidence = JSON.parse((await client.getMediaContent(id, generated!.getId())).getContent().toString());
    expect(evidence).toMatchObject({ liveness_type: 'ZOOM', result: 'APPROVE' });
    expect(evidence.sub_checks.map((c: { name: string }) => c.name)).toContain('depth_parallax');
    expect(evidence.frames.length).toBe(last.sent.length);
    // A passed capture cannot be taken again.
    expect((await api.challenge()).status).toBe(401); // the token died with finish()
  }, 240_000);

  it('rejects a photo tilted as a plane in answer to every prompt', async () => {
    const { id, api } = await openSession(1);
    const rng = seededRng(202);
    const outcomes = await attempts(api, () => photoMovedAsPlane(subjects[1]!, rng));
    expect(outcomes.map((o) => o.body.state)).toEqual(['RETRY', 'FAILED']);
    expect((await api.challenge()).body).toMatchObject({ code: 'MAX_RETRIES_EXCEEDED' });
    const { check } = await finished(id, api);
    expect(check.getReport().getRecommendation().getValue()).toBe('REJECT');
    expect(sub(check, 'liveness_auth')?.getResult()).toBe('FAIL');
    // The card may fail the moves themselves; when it made them, the parallax test is what catches it.
    const moved = sub(check, 'challenge_response')?.getResult() === 'PASS';
    if (moved) expect(sub(check, 'depth_parallax')?.getResult()).toBe('FAIL');
  }, 240_000);

  it('rejects a still photo: the first head turn never comes', async () => {
    const { id, api } = await openSession(1);
    const rng = seededRng(303);
    const [first] = await attempts(api, () => stillPhoto(subjects[2]!, rng));
    expect(first!.body).toMatchObject({ state: 'RETRY', reason: 'STEP_LATE', steps_met: 1, attempts_remaining: 1 });
    const { check } = await finished(id, api);
    expect(check.getReport().getRecommendation().getValue()).toBe('REJECT');
    expect(sub(check, 'challenge_response')?.getResult()).toBe('FAIL');
  }, 240_000);

  it("catches a capture sent again in the same tenant's ledger, and not in another tenant's", async () => {
    expect(passed, 'needs the stand-in capture of the first test').toBeDefined();
    const replay = async (tenant: TestApp, quality?: number) => {
      const { id, api } = await openSession(1, tenant);
      const { sent } = await streamAttempt(api, recorded(passed!.sent, quality));
      return { check: (await finished(id, api, tenant)).check, frames: sent.length };
    };
    const { check: same } = await replay(app);
    const ledger = sub(same, 'frame_ledger');
    expect(same.getReport().getRecommendation().getValue()).toBe('REJECT');
    expect(ledger?.getResult()).toBe('FAIL');
    expect(Number(detail(ledger, 'frames_seen_before'))).toBeGreaterThan(0);
    // Re-encoded: no byte is the same, but the frames re-send the first capture in its order.
    const reencoded = await replay(app, 80);
    const near = sub(reencoded.check, 'frame_ledger');
    expect(near?.getResult()).toBe('FAIL');
    expect(detail(near, 'frames_seen_before')).toBe('0');
    expect(Number(detail(near, 'frames_resending_one_capture'))).toBeGreaterThanOrEqual(0.85 * reencoded.frames);
    // Another tenant's ledger has never seen these frames (the replay may still fail on its own repeated frames).
    const { check: other } = await replay(otherApp);
    expect(detail(sub(other, 'frame_ledger'), 'frames_seen_before')).toBe('0');
    expect(detail(sub(other, 'frame_ledger'), 'frames_resending_one_capture')).toBe('0');
  }, 240_000);

  it('keeps no frame analysis once an attempt is decided, and none of a deleted session', async () => {
    const framesOf = (sessionId: string) => {
      const db = new Database(join(server.dataDir, 'openidv.db'), { readonly: true });
      try {
        return (
          db.prepare('SELECT COUNT(*) AS n FROM liveness_frames WHERE session_id = ?').get(sessionId) as {
            n: number;
          }
        ).n;
      } finally {
        db.close();
      }
    };
    const { id, api } = await openSession(1);
    const source = headStandIn(subjects[0]!, seededRng(505));
    const { challenge_id: cid, nonce } = (await api.challenge()).body;
    for (let i = 0; i < 3; i++) expect((await api.zoomFrame(cid, nonce, await source.frame(i * 150))).status).toBe(200);
    expect(framesOf(id)).toBe(3); // an attempt in progress: its analyses wait for the decision
    await idvClient(app, server.apiUrl).deleteSession(id);
    expect(framesOf(id)).toBe(0);
    const decided = await openSession(1);
    await streamAttempt(decided.api, stillPhoto(subjects[1]!, seededRng(506)));
    expect(framesOf(decided.id)).toBe(0);
  }, 120_000);

  describe('hostile requests to the frame route', () => {
    it('answers each with a Yoti-shape 4xx and leaves the challenge usable', async () => {
      const { api } = await openSession(2);
      const frame = await headStandIn(subjects[0]!, seededRng(404)).frame(0);
      const started = await api.challenge();
      expect(started.status).toBe(201);
      const { challenge_id: cid, nonce } = started.body;
      const refused = [
        await api.zoomFrame(cid, 'wrong-nonce', frame),
        await api.zoomFrame('unknown-challenge', nonce, frame),
        await api.zoomFrame(cid, nonce, frame, {}),
        await api.zoomFrame(cid, nonce, Buffer.from('%PDF-1.7\n<< /JS (app.alert(1)) >>\n%%EOF')),
        await api.zoomFrame(cid, nonce, Buffer.from('<html><script>alert(1)</script></html>')),
        await api.zoomFrame(cid, nonce, frame.subarray(0, Math.floor(frame.length / 3))),
        await api.zoomFrame(cid, nonce, frame, { nonce, extra: 'x'.repeat(2000) }),
      ];
      expect(refused.map((r) => r.status)).toEqual([409, 409, 400, 422, 422, 422, 400]);
      for (const r of refused) expect(r.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      // Another session's token cannot feed this challenge, even with its nonce.
      const { api: stranger } = await openSession(2);
      const foreign = new ClientApi(server.apiUrl, stranger.sessionId, stranger.token);
      expect((await foreign.zoomFrame(cid, nonce, frame)).status).toBe(409);
      // A STATIC burst cannot answer a ZOOM session.
      expect((await api.liveness(Buffer.from(frame))).status).toBe(409);
      // Too large a body is refused before it is read.
      const url = `${server.apiUrl}/client/sessions/${api.sessionId}/challenges/${cid}/frames`;
      const oversize = await postOversize(
        url,
        { 'x-client-session-token': api.token, 'content-type': 'multipart/form-data; boundary=x' },
        64 * 1024 * 1024,
      );
      expect(oversize.status).toBe(413);
      // Two frames at once: one is taken, the other refused or taken after it; never a 5xx.
      const racing = await Promise.all([
        api.zoomFrame(cid, nonce, frame),
        api.zoomFrame(cid, nonce, Buffer.from(await headStandIn(subjects[0]!, seededRng(405)).frame(0))),
      ]);
      for (const r of racing) expect([200, 409]).toContain(r.status);
      expect(racing.some((r) => r.status === 200)).toBe(true);
      // The challenge still works after all of it.
      const next = await api.zoomFrame(cid, nonce, await headStandIn(subjects[0]!, seededRng(406)).frame(100));
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ state: 'IN_PROGRESS', face: 'OK', steps_total: 4 });
    }, 120_000);
  });
});
