import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandoffRecord } from '../../src/domain/ports/repositories.port.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { KyselyHandoffRepository } from '../../src/infra/db/repositories/handoff.repository.js';
import { KyselySessionRepository } from '../../src/infra/db/repositories/session.repository.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { anApp, aSession } from '../helpers/records.js';

// The capture page's stored state on every adapter: an app's frame origins, and hand-off links (single-use
// claims that race safely, revocation, erasure with their session).
for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`capture page state on ${dialect.name}`, () => {
    let db: TestDatabase;
    let apps: KyselyAppRepository;
    let sessions: KyselySessionRepository;
    let handoffs: KyselyHandoffRepository;

    beforeAll(async () => {
      db = await dialect.create();
      const k = db.database.db;
      apps = new KyselyAppRepository(k, db.database.dialect);
      sessions = new KyselySessionRepository(k, db.database.dialect);
      handoffs = new KyselyHandoffRepository(k);
    });
    afterAll(async () => {
      await db?.drop();
    });

    const newSession = async () => {
      const app = anApp();
      await apps.create(app);
      const session = aSession(app.sdkId);
      await sessions.create(session, []);
      return session;
    };
    const aHandoff = (sessionId: string, o: Partial<HandoffRecord> = {}): HandoffRecord => ({
      id: randomUUID(),
      sessionId,
      claimHash: randomUUID(),
      watchHash: randomUUID(),
      expiresAt: 10_000,
      claimedAt: null,
      revokedAt: null,
      createdAt: 1_000,
      ...o,
    });

    it("stores an app's frame origins: default (null), none ([]) and a list", async () => {
      const app = anApp({ frameAncestors: ['https://a.example'] });
      await apps.create(app);
      expect((await apps.get(app.sdkId))?.frameAncestors).toEqual(['https://a.example']);
      expect(await apps.setFrameAncestors(app.sdkId, [])).toBe(true);
      expect((await apps.get(app.sdkId))?.frameAncestors).toEqual([]);
      expect(await apps.setFrameAncestors(app.sdkId, null)).toBe(true);
      expect((await apps.get(app.sdkId))?.frameAncestors).toBeNull();
      expect(await apps.setFrameAncestors(randomUUID(), null)).toBe(false);
    });

    it('claims a hand-off once, even when two claims race, and never an expired or revoked one', async () => {
      const session = await newSession();
      const h = aHandoff(session.id);
      await handoffs.create(h);
      expect(await handoffs.findByClaimHash(h.claimHash)).toEqual(h);
      expect(await handoffs.get(session.id, h.id)).toEqual(h);
      expect(await handoffs.get(randomUUID(), h.id)).toBeNull();
      const raced = await Promise.all([handoffs.claim(h.id, 2_000), handoffs.claim(h.id, 2_001)]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect((await handoffs.get(session.id, h.id))?.claimedAt).not.toBeNull();

      const expired = aHandoff(session.id, { expiresAt: 3_000 });
      await handoffs.create(expired);
      expect(await handoffs.claim(expired.id, 3_000)).toBe(false);

      const open = aHandoff(session.id);
      await handoffs.create(open);
      await handoffs.revokeOpen(session.id, 4_000);
      expect((await handoffs.get(session.id, open.id))?.revokedAt).toBe(4_000);
      // A claimed link is history, not revoked.
      expect((await handoffs.get(session.id, h.id))?.revokedAt).toBeNull();
      expect(await handoffs.claim(open.id, 4_001)).toBe(false);
      expect(await handoffs.countForSession(session.id)).toBe(3);
    });

    it('erases hand-offs with their session', async () => {
      const session = await newSession();
      const h = aHandoff(session.id);
      await handoffs.create(h);
      await sessions.delete(session.id);
      expect(await handoffs.findByClaimHash(h.claimHash)).toBeNull();
      expect(await handoffs.countForSession(session.id)).toBe(0);
    });
  });
}
