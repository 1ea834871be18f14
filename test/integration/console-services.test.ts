import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCsv } from '../../src/domain/audit/audit.service.js';
import { ConsoleUserService } from '../../src/domain/console/console-user.service.js';
import { SignInService } from '../../src/domain/console/sign-in.service.js';
import type { ConsoleRepositories } from '../../src/domain/ports/console-repository.port.js';
import type { ReviewDecided } from '../../src/domain/review/review.types.js';
import { ReviewService } from '../../src/domain/review/review.service.js';
import { Argon2PasswordHasher } from '../../src/infra/console/argon2-password.hasher.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { createConsoleRepositories } from '../../src/infra/db/repositories/console/index.js';
import { KyselySessionRepository } from '../../src/infra/db/repositories/session.repository.js';
import { sqliteTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { anApp, aSession } from '../helpers/records.js';

// The console's domain services on a real SQLite database and the real argon2id hasher.

describe('console services', () => {
  let db: TestDatabase;
  let repos: ConsoleRepositories;
  let clock = 1_000_000;
  const now = () => clock;
  let session: { id: string; appId: string };

  beforeAll(async () => {
    db = await sqliteTestDatabase();
    repos = createConsoleRepositories(db.database.db, 'sqlite');
    const app = anApp();
    await new KyselyAppRepository(db.database.db, 'sqlite').create(app);
    const s = aSession(app.sdkId);
    await new KyselySessionRepository(db.database.db, 'sqlite').create(s, []);
    session = { id: s.id, appId: app.sdkId };
  });
  afterAll(async () => {
    await db?.drop();
  });

  const users = () =>
    new ConsoleUserService({
      users: repos.users,
      hasher: new Argon2PasswordHasher(),
      lockout: { maxFailures: 3, lockoutMs: 60_000 },
      now,
      newId: randomUUID,
      appExists: async (id) => id === session.appId,
    });

  it('hashes passwords with argon2id and locks an account after repeated failures, even for the right password', async () => {
    const service = users();
    const user = await service.create({ username: 'lock-me', role: 'reviewer', password: 'a long enough password' });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await service.signIn('lock-me', 'a long enough password')).ok).toBe(true);
    for (let i = 0; i < 2; i++)
      expect(await service.signIn('lock-me', 'wrong')).toEqual({ ok: false, reason: 'BAD_CREDENTIALS' });
    expect(await service.signIn('lock-me', 'wrong')).toEqual({ ok: false, reason: 'LOCKED' });
    expect(await service.signIn('lock-me', 'a long enough password')).toEqual({ ok: false, reason: 'LOCKED' });
    clock += 60_001;
    expect((await service.signIn('lock-me', 'a long enough password')).ok).toBe(true);
    expect(await service.signIn('nobody', 'whatever')).toEqual({ ok: false, reason: 'BAD_CREDENTIALS' });
    await expect(service.create({ username: 'short', role: 'viewer', password: 'short' })).rejects.toThrow(/payload/i);
    await expect(service.create({ username: 'bad name <x>', role: 'viewer' })).rejects.toThrow();
    await expect(service.create({ username: 'grant', role: 'viewer', appIds: ['not-an-app'] })).rejects.toThrow();
  });

  it('links a single sign-on identity to the user named by its email, and creates none unless allowed', async () => {
    const service = users();
    await service.create({ username: 'sso@example.com', role: 'viewer' });
    const linked = await service.signInWithIdentity(
      { subject: 'https://idp|1', email: 'sso@example.com', preferredUsername: null },
      null,
    );
    expect(linked.ok && linked.user.username).toBe('sso@example.com');
    expect(
      (
        await service.signInWithIdentity(
          { subject: 'https://idp|2', email: 'stranger@example.com', preferredUsername: null },
          null,
        )
      ).ok,
    ).toBe(false);
    const created = await service.signInWithIdentity(
      { subject: 'https://idp|3', email: 'new@example.com', preferredUsername: null },
      'viewer',
    );
    expect(created.ok && created.user.role).toBe('viewer');
  });

  it('gives every sign-in a new token, refuses a planted one, and ends sessions after the idle time', async () => {
    const service = users();
    const user = await service.create({ username: 'fixate', role: 'viewer', password: 'a long enough password' });
    const signIns = new SignInService({
      sessions: repos.signIns,
      users: service,
      policy: { idleMs: 60_000, absoluteMs: 3_600_000 },
      now,
    });
    const pending = await signIns.startPending('127.0.0.1');
    const signed = await signIns.signIn(user, '127.0.0.1', pending.token);
    expect(signed.token).not.toBe(pending.token);
    expect(await signIns.resolve(pending.token)).toBeNull();
    expect((await signIns.resolve(signed.token))?.user?.id).toBe(user.id);
    expect(await signIns.resolve('planted-by-an-attacker')).toBeNull();
    clock += 60_001;
    expect(await signIns.resolve(signed.token)).toBeNull();
  });

  it('four-eyes: a REJECT waits for a second, different reviewer, and the decided event fires once with both names', async () => {
    const reviews = new ReviewService({
      reviews: repos.reviews,
      policy: { fourEyesReject: true },
      now,
      newId: randomUUID,
    });
    const events: ReviewDecided[] = [];
    reviews.onDecided((e) => void events.push(e));
    const check = { id: randomUUID(), type: 'FAMILIAR_FACE_SEARCH' };
    const item = await reviews.openReview(session, check, 'ALWAYS');
    expect((await reviews.openReview(session, check, 'ALWAYS')).id).toBe(item.id);
    await expect(reviews.decide(item.id, 'ann', 'REJECT', '  ')).rejects.toThrow();
    expect((await reviews.decide(item.id, 'ann', 'REJECT', 'same face as applicant 7')).state).toBe('AWAITING_SECOND');
    expect(events).toHaveLength(0);
    await expect(reviews.decide(item.id, 'ann', 'REJECT', 'me again')).rejects.toThrow(/second reviewer/);
    const final = await reviews.decide(item.id, 'bob', 'REJECT', 'confirmed');
    expect(final).toMatchObject({ state: 'DECIDED', decision: 'REJECT', firstBy: 'ann', decidedBy: 'bob' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      checkId: check.id,
      decision: 'REJECT',
      decidedBy: ['ann', 'bob'],
      reason: 'confirmed',
    });
    await expect(reviews.decide(item.id, 'carol', 'APPROVE', '')).rejects.toThrow(/already decided/);
    expect((await reviews.listUnapplied()).map((i) => i.id)).toContain(item.id);
    await reviews.markApplied(item.id);
    expect((await reviews.listUnapplied()).map((i) => i.id)).not.toContain(item.id);
  });

  it('keeps a decision whose listener failed, and lists it as unapplied for the recovery sweep', async () => {
    const failures: string[] = [];
    const reviews = new ReviewService({
      reviews: repos.reviews,
      policy: { fourEyesReject: false },
      now,
      newId: randomUUID,
      onListenerError: (_e, item) => failures.push(item.id),
    });
    reviews.onDecided(() => {
      throw new Error('queue down');
    });
    const item = await reviews.openReview(session, { id: randomUUID(), type: 'LIVENESS' }, 'ALWAYS');
    expect((await reviews.decide(item.id, 'ann', 'APPROVE', '')).state).toBe('DECIDED');
    expect(failures).toEqual([item.id]);
    expect((await reviews.listUnapplied()).map((i) => i.id)).toContain(item.id);
  });

  it('without four-eyes one reviewer decides; two at once cannot both win', async () => {
    const reviews = new ReviewService({
      reviews: repos.reviews,
      policy: { fourEyesReject: false },
      now,
      newId: randomUUID,
    });
    const item = await reviews.openReview(session, { id: randomUUID(), type: 'LIVENESS' }, 'LIVENESS_NEAR_THRESHOLD');
    const outcomes = await Promise.allSettled([
      reviews.decide(item.id, 'ann', 'APPROVE', ''),
      reviews.decide(item.id, 'bob', 'REJECT', 'printed photo'),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('exports audit events as CSV with formula cells neutralised', () => {
    const csv = auditCsv([
      {
        seq: 1,
        at: 0,
        actor: 'ann',
        action: 'review.decide',
        appId: null,
        sessionId: 's',
        target: null,
        detail: '=HYPERLINK("x"),"quoted"',
        ip: null,
        expiresAt: null,
      },
    ]);
    expect(csv).toBe(
      'seq,at,actor,action,app_id,session_id,target,detail,ip\r\n1,1970-01-01T00:00:00.000Z,ann,review.decide,,s,,"\'=HYPERLINK(""x""),""quoted""",\r\n',
    );
  });
});
