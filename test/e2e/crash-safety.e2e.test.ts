import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientApi } from '../helpers/client-api.js';
import { hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';
import { type RunningServer, startServer, tempDataDir } from '../helpers/server.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import { familiarFaceSearch, idvClient, signedCall, yoti } from '../helpers/yoti.js';

// kill -9 while checks run: after a restart on the same data folder every session completes, no job is lost,
// and each webhook event arrives at least once (duplicates carry the same webhook-id).

const withData = hasData('lfw-dev', 'images');
const SESSIONS = 6;

describe.skipIf(!withData)('crash safety', () => {
  const dataDir = tempDataDir('openidv-crash-');
  const env = { OPENIDV_WEBHOOK_ALLOW_PRIVATE: 'true', OPENIDV_JOB_LEASE: '2', OPENIDV_JOB_POLL_MS: '50' };
  let server: RunningServer | undefined;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;

  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes every session after the server is killed mid-run', async () => {
    receiver = await startWebhookReceiver();
    const people = lfwPeople(SESSIONS, 2, 30);
    server = await startServer({ dataDir, env });
    const app = await server.createApp('crash');
    const poolId = (await signedCall(server.apiUrl, app, 'POST', '/pools', { label: 'crash pool' })).body.id;
    const applicant = await signedCall(server.apiUrl, app, 'POST', '/applicants', {
      face: { data: readFileSync(people[0]!.photos[0]!).toString('base64') },
    });
    await signedCall(server.apiUrl, app, 'POST', `/pools/${poolId}/applicants`, { applicant_id: applicant.body.id });

    const client = idvClient(app, server.apiUrl);
    const ids: string[] = [];
    for (const person of people) {
      const spec = new yoti.SessionSpecificationBuilder()
        .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
        .withRequestedCheck(familiarFaceSearch(poolId, 'NO_MATCH'))
        .withNotifications(
          new yoti.NotificationConfigBuilder()
            .withEndpoint(receiver.url)
            .forCheckCompletion()
            .forSessionCompletion()
            .build(),
        )
        .build();
      const session = await client.createSession(spec);
      const api = new ClientApi(server.apiUrl, session.getSessionId(), session.getClientSessionToken());
      await api.consent();
      await api.liveness(readFileSync(person.photos[1]!));
      ids.push(session.getSessionId());
    }
    // Finish all at once, then kill the process while their checks are queued or running.
    await Promise.all(
      ids.map(async (id) => {
        const token = (await client.getSession(id)).getClientSessionToken();
        await new ClientApi(server!.apiUrl, id, token).finish();
      }),
    );
    server.process.kill('SIGKILL');
    await new Promise((r) => server!.process.once('exit', r));
    const atKill = new Database(join(dataDir, 'openidv.db'), { readonly: true });
    const completedAtKill = (
      atKill.prepare(`SELECT COUNT(*) AS n FROM sessions WHERE state = 'COMPLETED'`).get() as { n: number }
    ).n;
    atKill.close();
    expect(completedAtKill, 'the kill must land while work is still pending').toBeLessThan(SESSIONS);

    server = await startServer({ dataDir, env });
    const restarted = idvClient(app, server.apiUrl);
    const deadline = Date.now() + 90_000;
    for (const id of ids) {
      for (;;) {
        if ((await restarted.getSession(id)).getState() === 'COMPLETED') break;
        if (Date.now() > deadline) throw new Error(`session ${id} did not complete`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const result = await restarted.getSession(id);
      for (const check of result.getChecks()) expect(check.getState()).toBe('DONE');
    }
    const first = await signedCall(server.apiUrl, app, 'GET', `/sessions/${ids[0]}`);
    const ffs = first.body.checks.find((c: { type: string }) => c.type === 'FAMILIAR_FACE_SEARCH');
    expect(ffs.report.recommendation).toEqual({ value: 'REJECT', reason: 'MATCH_FOUND' });

    // Every webhook event delivered at least once; duplicates share a webhook-id and stay rare.
    const expectedEvents = SESSIONS * 3;
    while (
      new Set(receiver.delivered().map((r) => r.headers['webhook-id'])).size < expectedEvents &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const ids2 = receiver.delivered().map((r) => r.headers['webhook-id'] as string);
    expect(new Set(ids2).size).toBe(expectedEvents);
    expect(ids2.length - new Set(ids2).size).toBeLessThanOrEqual(expectedEvents);

    const db = new Database(join(dataDir, 'openidv.db'), { readonly: true });
    const states = db.prepare(`SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`).all() as {
      state: string;
      n: number;
    }[];
    db.close();
    expect(states.filter((s) => s.state === 'dead')).toEqual([]);
  });
});
