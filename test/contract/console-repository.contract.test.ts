import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleUser } from '../../src/domain/console/console-user.types.js';
import type { ConsoleRepositories } from '../../src/domain/ports/console-repository.port.js';
import type { ReviewItem } from '../../src/domain/review/review.types.js';
import type { Report } from '../../src/domain/sessions/session.types.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { createConsoleRepositories } from '../../src/infra/db/repositories/console/index.js';
import { KyselySessionRepository } from '../../src/infra/db/repositories/session.repository.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { aCheck, anApp, aSession, aSpec } from '../helpers/records.js';

// The console's storage behaves the same on SQLite and PostgreSQL: users and grants, sign-in sessions, the
// review queue's compare-and-set, the append-only audit log, and the session list's filters and keyset pages.

const aUser = (o: Partial<ConsoleUser> = {}): ConsoleUser => ({
  id: randomUUID(),
  username: `user-${randomUUID().slice(0, 8)}`,
  role: 'reviewer',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y',
  oidcSubject: null,
  allApps: false,
  appIds: [],
  failedAttempts: 0,
  lockedUntil: null,
  mustChangePassword: false,
  disabledAt: null,
  lastLoginAt: null,
  createdAt: 1_000,
  updatedAt: 1_000,
  ...o,
});

const anItem = (sessionId: string, appId: string, o: Partial<ReviewItem> = {}): ReviewItem => ({
  id: randomUUID(),
  sessionId,
  appId,
  checkId: randomUUID(),
  checkType: 'FAMILIAR_FACE_SEARCH',
  reason: 'FFS_REVIEW_BAND',
  state: 'OPEN',
  firstDecision: null,
  firstReason: null,
  firstBy: null,
  firstAt: null,
  decision: null,
  decisionReason: null,
  decidedBy: null,
  decidedAt: null,
  appliedAt: null,
  createdAt: 5_000,
  updatedAt: 5_000,
  ...o,
});

const done = (value: string): Report => ({ recommendation: { value: value as 'APPROVE' }, breakdown: [] });

for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`Console repositories on ${dialect.name}`, () => {
    let db: TestDatabase;
    let repos: ConsoleRepositories;
    let apps: KyselyAppRepository;
    let sessions: KyselySessionRepository;

    beforeAll(async () => {
      db = await dialect.create();
      repos = createConsoleRepositories(db.database.db, db.database.dialect);
      apps = new KyselyAppRepository(db.database.db, db.database.dialect);
      sessions = new KyselySessionRepository(db.database.db, db.database.dialect);
    });
    afterAll(async () => {
      await db?.drop();
    });

    const newApp = async () => {
      const app = anApp();
      await apps.create(app);
      return app;
    };

    it('stores users with their app grants, finds them by name and subject, and counts failures atomically', async () => {
      const [a, b] = [await newApp(), await newApp()];
      const user = aUser({ appIds: [a.sdkId] });
      await repos.users.create(user);
      expect(await repos.users.get(user.id)).toEqual(user);
      expect(await repos.users.getByUsername(user.username)).toEqual(user);
      await expect(repos.users.create(aUser({ username: user.username }))).rejects.toThrow();
      await repos.users.setApps(user.id, [b.sdkId, a.sdkId, b.sdkId]);
      await repos.users.update(
        user.id,
        { role: 'viewer', oidcSubject: 'https://idp|42', mustChangePassword: true, lockedUntil: 9_000 },
        2_000,
      );
      const updated = await repos.users.getByOidcSubject('https://idp|42');
      expect(updated).toMatchObject({ role: 'viewer', mustChangePassword: true, lockedUntil: 9_000, updatedAt: 2_000 });
      expect(updated!.appIds.sort()).toEqual([a.sdkId, b.sdkId].sort());
      const counts = await Promise.all([1, 2, 3, 4].map(() => repos.users.addFailure(user.id, 3_000)));
      expect(Math.max(...counts)).toBe(4);
      expect((await repos.users.list()).map((u) => u.id)).toContain(user.id);
      expect(await repos.users.count()).toBeGreaterThanOrEqual(1);
    });

    it('keeps sign-in sessions by token hash, ends one, all of a user, and the expired ones', async () => {
      const user = aUser();
      await repos.users.create(user);
      const base = { userId: user.id, csrfToken: 'c', data: {}, ip: '127.0.0.1', createdAt: 1, lastSeenAt: 1 };
      await repos.signIns.create({ ...base, tokenHash: 'h1', expiresAt: 100 });
      await repos.signIns.create({ ...base, tokenHash: 'h2', expiresAt: 10_000 });
      await repos.signIns.create({ ...base, userId: null, tokenHash: 'h3', data: { state: 's' }, expiresAt: 10_000 });
      expect(await repos.signIns.get('h3')).toMatchObject({ userId: null, data: { state: 's' } });
      await repos.signIns.touch('h2', 50, 20_000);
      expect(await repos.signIns.get('h2')).toMatchObject({ lastSeenAt: 50, expiresAt: 20_000 });
      expect(await repos.signIns.purgeExpired(200)).toBe(1);
      expect(await repos.signIns.get('h1')).toBeNull();
      await repos.signIns.deleteForUser(user.id);
      expect(await repos.signIns.get('h2')).toBeNull();
      expect(await repos.signIns.get('h3')).not.toBeNull();
    });

    it('opens one review item per check, lists the queue by app and state, and lets one decision win', async () => {
      const [a, b] = [await newApp(), await newApp()];
      const sa = aSession(a.sdkId);
      const sb = aSession(b.sdkId);
      await sessions.create(sa, []);
      await sessions.create(sb, []);
      const first = anItem(sa.id, a.sdkId, { createdAt: 10 });
      expect(await repos.reviews.createOrGet(first)).toEqual(first);
      expect(await repos.reviews.createOrGet({ ...first, id: randomUUID(), reason: 'again' })).toEqual(first);
      const other = await repos.reviews.createOrGet(anItem(sb.id, b.sdkId, { createdAt: 20 }));
      const later = await repos.reviews.createOrGet(anItem(sa.id, a.sdkId, { createdAt: 30 }));
      expect(
        (await repos.reviews.listQueue({ appIds: [a.sdkId], states: ['OPEN'], limit: 10 })).map((i) => i.id),
      ).toEqual([first.id, later.id]);
      expect(
        (
          await repos.reviews.listQueue({
            appIds: [a.sdkId, b.sdkId],
            states: ['OPEN'],
            after: { at: 10, id: first.id },
            limit: 10,
          })
        ).map((i) => i.id),
      ).toEqual([other.id, later.id]);
      expect(await repos.reviews.listQueue({ appIds: [], states: ['OPEN'], limit: 10 })).toEqual([]);

      const decided: ReviewItem = {
        ...first,
        state: 'DECIDED',
        decision: 'REJECT',
        decisionReason: 'same person',
        decidedBy: 'ann',
        decidedAt: 40,
        updatedAt: 40,
      };
      const results = await Promise.all([
        repos.reviews.saveDecision(decided, 'OPEN'),
        repos.reviews.saveDecision({ ...decided, decidedBy: 'bob' }, 'OPEN'),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await repos.reviews.get(first.id))!.state).toBe('DECIDED');
      expect((await repos.reviews.listUnapplied(10)).map((i) => i.id)).toContain(first.id);
      await repos.reviews.markApplied(first.id, 50);
      expect((await repos.reviews.listUnapplied(10)).map((i) => i.id)).not.toContain(first.id);
      expect((await repos.reviews.listForSession(sa.id)).map((i) => i.id)).toEqual([first.id, later.id]);
      await sessions.delete(sa.id);
      expect(await repos.reviews.get(first.id)).toBeNull();
    });

    it('appends audit events, searches them newest first, refuses updates and keeps events without retention', async () => {
      const app = await newApp();
      const sid = randomUUID();
      const base = { actor: 'ann', appId: app.sdkId, target: null, detail: '<b>x</b>', ip: '10.0.0.1' };
      await repos.audit.append({ ...base, at: 1_000, action: 'session.view', sessionId: sid, expiresAt: 5_000 });
      await repos.audit.append({ ...base, at: 2_000, action: 'media.view', sessionId: sid, expiresAt: 5_000 });
      await repos.audit.append({ ...base, at: 3_000, action: 'user.create', sessionId: null, actor: 'root' });
      const all = await repos.audit.query({ appIds: [app.sdkId], limit: 10 });
      expect(all.map((e) => e.action)).toEqual(['user.create', 'media.view', 'session.view']);
      expect(
        await repos.audit.query({ appIds: [app.sdkId], sessionId: sid, action: 'media.view', limit: 10 }),
      ).toHaveLength(1);
      expect(await repos.audit.query({ appIds: [app.sdkId], actor: 'root', limit: 10 })).toHaveLength(1);
      expect(await repos.audit.query({ appIds: [app.sdkId], from: 1_500, to: 2_500, limit: 10 })).toHaveLength(1);
      expect(
        (await repos.audit.query({ appIds: [app.sdkId], beforeSeq: all[0]!.seq, limit: 10 })).map((e) => e.action),
      ).toEqual(['media.view', 'session.view']);
      await expect(db.database.db.updateTable('audit_events').set({ actor: 'mallory' }).execute()).rejects.toThrow(
        /append-only/,
      );
      await expect(db.database.db.deleteFrom('audit_events').where('actor', '=', 'root').execute()).rejects.toThrow(
        /append-only/,
      );
      expect(await repos.audit.purgeExpired(6_000)).toBeGreaterThanOrEqual(2);
      expect((await repos.audit.query({ appIds: [app.sdkId], limit: 10 })).map((e) => e.action)).toEqual([
        'user.create',
      ]);
    });

    it('lists sessions newest first by keyset pages, with filters on state, outcome, tracking id, dates and review', async () => {
      const [a, b] = [await newApp(), await newApp()];
      const make = async (
        appId: string,
        at: number,
        tracking: string,
        reports: (string | null)[],
        state: 'ONGOING' | 'COMPLETED' = 'COMPLETED',
      ) => {
        const s = aSession(appId, { createdAt: at, state, spec: aSpec({ user_tracking_id: tracking }) });
        await sessions.create(
          s,
          reports.map((r, i) =>
            aCheck(s.id, { createdAt: at + i, state: r ? 'DONE' : 'CREATED', report: r ? done(r) : null }),
          ),
        );
        return s;
      };
      const approved = await make(a.sdkId, 100, 'alice-1', ['APPROVE', 'APPROVE']);
      const rejected = await make(a.sdkId, 200, 'alice-2', ['APPROVE', 'REJECT']);
      const noResult = await make(a.sdkId, 300, 'bob', ['NOT_AVAILABLE']);
      const pending = await make(a.sdkId, 400, 'carol', ['REJECT', null], 'ONGOING');
      const foreign = await make(b.sdkId, 500, 'alice-3', ['APPROVE']);
      await repos.reviews.createOrGet(anItem(rejected.id, a.sdkId));
      const ids = async (q: Partial<Parameters<ConsoleRepositories['sessionList']['list']>[0]>) =>
        (await repos.sessionList.list({ appIds: [a.sdkId], limit: 10, ...q })).map((r) => r.id);

      expect(await ids({})).toEqual([pending.id, noResult.id, rejected.id, approved.id]);
      expect(await ids({ appIds: [a.sdkId, b.sdkId], trackingId: 'alice' })).toEqual([
        foreign.id,
        rejected.id,
        approved.id,
      ]);
      expect(await ids({ appIds: [] })).toEqual([]);
      expect(await ids({ outcome: 'APPROVE' })).toEqual([approved.id]);
      expect(await ids({ outcome: 'REJECT' })).toEqual([rejected.id]);
      expect(await ids({ outcome: 'NOT_AVAILABLE' })).toEqual([noResult.id]);
      expect(await ids({ outcome: 'PENDING' })).toEqual([pending.id]);
      expect(await ids({ state: 'ONGOING' })).toEqual([pending.id]);
      expect(await ids({ needsReview: true })).toEqual([rejected.id]);
      expect(await ids({ needsReview: false })).toEqual([pending.id, noResult.id, approved.id]);
      expect(await ids({ from: 200, to: 400 })).toEqual([noResult.id, rejected.id]);
      expect(await ids({ sessionId: approved.id })).toEqual([approved.id]);
      expect(await ids({ before: { at: 300, id: noResult.id }, limit: 1 })).toEqual([rejected.id]);
      const [row] = await repos.sessionList.list({ appIds: [a.sdkId], sessionId: rejected.id, limit: 1 });
      expect(row).toMatchObject({
        userTrackingId: 'alice-2',
        openReviews: 1,
        checks: [{ recommendation: 'APPROVE' }, { recommendation: 'REJECT' }],
      });
    });

    it('rotates an active app key and webhook secret, never a revoked one', async () => {
      const app = await newApp();
      expect(await repos.appAdmin.setPublicKey(app.sdkId, 'PEM')).toBe(true);
      expect(await repos.appAdmin.setWebhookSecret(app.sdkId, 'whsec_new')).toBe(true);
      expect(await apps.get(app.sdkId)).toMatchObject({ publicKeyPem: 'PEM', webhookSecret: 'whsec_new' });
      await apps.revoke(app.sdkId, 5);
      expect(await repos.appAdmin.setPublicKey(app.sdkId, 'PEM2')).toBe(false);
      expect(await repos.appAdmin.setWebhookSecret(randomUUID(), 'x')).toBe(false);
    });
  });
}
