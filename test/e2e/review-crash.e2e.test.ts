import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type APIRequestContext, request } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientApi } from '../helpers/client-api.js';
import { hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';
import { CLI, type RunningServer, startServer, type TestApp, tempDataDir } from '../helpers/server.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import { idvClient, signedCall } from '../helpers/yoti.js';

// manual_check ALWAYS on a liveness check, and a decision that a kill -9 separates from its application: the
// reviewer decides two sessions on a server running no workers, the process is killed before anything applies
// the decisions (for one of them the queued job is removed too, as if the process had died before its listener
// enqueued it), and the server started again on the same data folder applies both (the job, and the maintenance
// pass's replay of decided but unapplied items), completes the sessions and sends their webhooks.

const withData = hasData('lfw-dev', 'images');
const PASSWORD = 'sam reviews the selfies';

/** Signs in to the console over HTTP (cookies kept by Playwright's request context) and returns a form poster. */
async function consoleClient(baseUrl: string) {
  const http: APIRequestContext = await request.newContext({ baseURL: baseUrl });
  const csrfOf = async (path: string) =>
    /name="_csrf" value="([^"]+)"/.exec(await (await http.get(path)).text())?.[1] ?? '';
  const signedIn = await http.post('/console/login', {
    form: { username: 'sam', password: PASSWORD, _csrf: await csrfOf('/console/login'), next: '/console/reviews' },
  });
  expect(signedIn.url()).toContain('/console/reviews');
  return {
    http,
    page: async (path: string) => (await http.get(path)).text(),
    post: async (path: string, form: Record<string, string>) =>
      http.post(path, { form: { ...form, _csrf: await csrfOf(path.replace(/\/decide$/, '')) } }),
  };
}

describe.skipIf(!withData)('manual review across a kill -9', () => {
  const dataDir = tempDataDir('openidv-review-crash-');
  const env = { OPENIDV_WEBHOOK_ALLOW_PRIVATE: 'true', OPENIDV_JOB_LEASE: '2', OPENIDV_JOB_POLL_MS: '50' };
  let server: RunningServer | undefined;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;

  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends ALWAYS liveness checks to review and applies decisions made just before a kill -9 after the restart', async () => {
    receiver = await startWebhookReceiver();
    server = await startServer({ dataDir, env });
    const app: TestApp = await server.createApp('review crash');
    execFileSync(
      process.execPath,
      [CLI, 'users', 'create', '--username', 'sam', '--role', 'reviewer', '--apps', app.sdkId, '--password-stdin'],
      {
        env: server.env,
        input: PASSWORD,
      },
    );

    const ids: string[] = [];
    for (const person of lfwPeople(2, 1, 40)) {
      const spec = {
        requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC', manual_check: 'ALWAYS' } }],
        notifications: { endpoint: receiver.url, topics: ['CHECK_COMPLETION', 'SESSION_COMPLETION'] },
      };
      const created = await signedCall(server.apiUrl, app, 'POST', '/sessions', spec);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await new ClientApi(server.apiUrl, created.body.session_id, created.body.client_session_token).selfieAndFinish(
        readFileSync(person.photos[0]!),
      );
      ids.push(created.body.session_id);
    }

    // Both reach the queue, whatever their score: ALWAYS. Meanwhile the SDK reads them ONGOING, the check CREATED.
    let reviewer = await consoleClient(server.baseUrl);
    const itemOf = new Map<string, string>();
    for (const deadline = Date.now() + 60_000; itemOf.size < ids.length; ) {
      const html = await reviewer.page('/console/reviews');
      for (const m of html.matchAll(
        /href="\/console\/sessions\/([0-9a-f-]{36})">[^<]*<\/a><\/td><td>.*?href="\/console\/reviews\/([0-9a-f-]{36})"/gs,
      ))
        itemOf.set(m[1]!, m[2]!);
      if (Date.now() > deadline)
        throw new Error(`only ${itemOf.size} of ${ids.length} sessions reached the review queue`);
      if (itemOf.size < ids.length) await new Promise((r) => setTimeout(r, 300));
    }
    expect(await reviewer.page('/console/reviews')).toContain('manual_check ALWAYS');
    for (const id of ids) {
      const waiting = await idvClient(app, server.apiUrl).getSession(id);
      expect(waiting.getState()).toBe('ONGOING');
      expect(waiting.getLivenessChecks()[0].getState()).toBe('CREATED');
      expect(waiting.getLivenessChecks()[0].getReport()).toBeUndefined();
    }

    // The same data folder served with no workers: decisions are recorded, nothing applies them; then kill -9.
    await server.stop();
    server = await startServer({ dataDir, env, args: ['--no-workers'] });
    reviewer = await consoleClient(server.baseUrl);
    const [kept, lost] = ids as [string, string];
    for (const [id, decision, reason] of [
      [kept, 'APPROVE', 'a live person, poor light'],
      [lost, 'REJECT', 'a photo of a printed photo'],
    ] as const) {
      const decided = await reviewer.post(`/console/reviews/${itemOf.get(id)}/decide`, { decision, reason });
      expect(decided.status()).toBe(200);
    }
    server.process.kill('SIGKILL');
    await new Promise((r) => server!.process.once('exit', r));
    await reviewer.http.dispose();
    const db = new Database(join(dataDir, 'openidv.db'));
    const unapplied = db
      .prepare(`SELECT session_id FROM review_items WHERE state = 'DECIDED' AND applied_at IS NULL ORDER BY session_id`)
      .all();
    expect(unapplied, 'the kill landed between the decisions and their application').toEqual(
      [...ids].sort().map((session_id) => ({ session_id })),
    );
    expect(db.prepare(`SELECT COUNT(*) AS n FROM checks WHERE state = 'AWAITING_REVIEW'`).get()).toEqual({ n: 2 });
    // For one session the process died before the listener enqueued its job: only the decided row is left.
    db.prepare(`DELETE FROM jobs WHERE name = 'review.apply' AND session_id = ?`).run(lost);
    db.close();

    server = await startServer({ dataDir, env });
    const client = idvClient(app, server.apiUrl);
    const deadline = Date.now() + 60_000;
    for (const id of ids) {
      while ((await client.getSession(id)).getState() !== 'COMPLETED') {
        if (Date.now() > deadline) throw new Error(`session ${id} did not complete after the restart`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const decidedOf = async (id: string) => {
      const report = (await client.getSession(id)).getLivenessChecks()[0].getReport();
      const auth = report.getBreakdown().find((b: { getSubCheck(): string }) => b.getSubCheck() === 'liveness_auth');
      const reason = auth
        .getDetails()
        .find((d: { getName(): string }) => d.getName() === 'review_reason')
        .getValue();
      return [report.getRecommendation().getValue(), auth.getResult(), auth.getProcess(), reason];
    };
    expect(await decidedOf(kept)).toEqual(['APPROVE', 'PASS', 'EXPERT_REVIEW', 'a live person, poor light']);
    expect(await decidedOf(lost)).toEqual(['REJECT', 'FAIL', 'EXPERT_REVIEW', 'a photo of a printed photo']);
    const completions = () =>
      new Set(
        receiver!
          .delivered()
          .filter((w) => w.json.topic === 'session_completion')
          .map((w) => w.json.session_id),
      );
    while (completions().size < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect([...completions()].sort()).toEqual([...ids].sort());
  }, 240_000);
});
