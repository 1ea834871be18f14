import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerFor } from '../../src/domain/liveness/active/frame-ledger.js';
import type {
  CaptureChallenge,
  LedgerEntry,
  LedgerFrame,
  Repositories,
} from '../../src/domain/ports/repositories.port.js';
import { createEmbeddingCodec } from '../../src/infra/crypto/embedding-codec.js';
import { openDatabase } from '../../src/infra/db/database.js';
import { migrate } from '../../src/infra/db/migrator.js';
import { createRepositories } from '../../src/infra/db/repositories/index.js';
import { LEDGER_CANDIDATE_CAP } from '../../src/infra/db/repositories/frame-ledger.repository.js';
import { DIALECTS, postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { anApp, aSession } from '../helpers/records.js';

// The storage under active liveness (ZOOM), on SQLite and the machine's PostgreSQL: a challenge's streamed frames
// (one writer per index even when two processes race), its reveal and finish, and the per-tenant replay ledger
// found by multi-index hashing (a near hash shares a 32-bit word with the recorded one).

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const aFrame = (): LedgerFrame => ({ digest: hex(32), perceptualHash: hex(32) });
/** The frame as the ledger returns it: recorded as frame `index` of capture `captureId`. */
const entry = (f: LedgerFrame, captureId: string, index = 0): LedgerEntry => ({
  ...f,
  captureId,
  sessionId: `session of ${captureId}`,
  index,
});
/** Capture `id`, of a session named after it. */
const capture = (id: string) => ({ id, sessionId: `session of ${id}` });

/** The hash with bit `bit` of each listed 32-bit word flipped (bit 0 = the word's lowest). */
function flip(hash: string, flips: [word: number, bit: number][]): string {
  const words = Array.from({ length: 8 }, (_, i) => Number.parseInt(hash.slice(i * 8, i * 8 + 8), 16));
  for (const [w, b] of flips) words[w] = (words[w]! ^ (1 << b)) >>> 0;
  return words.map((w) => w.toString(16).padStart(8, '0')).join('');
}

/** A ZOOM challenge of `sessionId` with a two-step plan, one step revealed. */
const aChallenge = (sessionId: string, patch: Partial<CaptureChallenge> = {}): CaptureChallenge => ({
  id: randomUUID(),
  sessionId,
  expiresAt: 10_000,
  usedAt: null,
  mediaSha256: null,
  createdAt: 1_000,
  requirementId: 'req',
  livenessType: 'ZOOM',
  nonce: hex(16),
  steps: [
    { kind: 'TURN_LEFT', frames: 6, spanMs: 1500 },
    { kind: 'NEAR', frames: 6, spanMs: 1500 },
  ],
  revealed: 1,
  ...patch,
});

const bitsApart = (a: string, b: string) =>
  [...Buffer.from(a, 'hex')].reduce((n, x, i) => {
    let v = x ^ Buffer.from(b, 'hex')[i]!;
    for (; v; v &= v - 1) n++;
    return n;
  }, 0);

for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`liveness storage on ${dialect.name}`, () => {
    let db: TestDatabase;
    let repos: Repositories;

    beforeAll(async () => {
      db = await dialect.create();
      repos = createRepositories(db.database.db, db.database.dialect, createEmbeddingCodec(undefined));
    });
    afterAll(async () => {
      await db?.drop();
    });

    const newApp = async () => {
      const app = anApp();
      await repos.apps.create(app);
      return app.sdkId;
    };
    const newChallenge = async (patch: Partial<CaptureChallenge> = {}) => {
      const session = aSession(await newApp());
      await repos.sessions.create(session, []);
      const challenge = aChallenge(session.id, patch);
      await repos.challenges.create(challenge);
      return challenge;
    };
    const frame = (c: CaptureChallenge, index: number, analysis = `{"i":${index}}`) => ({
      challengeId: c.id,
      sessionId: c.sessionId,
      index,
      receivedAt: 5_000 + index,
      analysis,
    });

    describe('liveness frames', () => {
      it('appends frames and lists them in index order, whatever order they arrived in', async () => {
        const c = await newChallenge();
        for (const i of [2, 0, 1]) expect(await repos.livenessFrames.append(frame(c, i))).toBe(true);
        expect(await repos.livenessFrames.list(c.sessionId, c.id)).toEqual([frame(c, 0), frame(c, 1), frame(c, 2)]);
        // Scoped by session: another session naming this challenge sees nothing.
        const other = await newChallenge();
        expect(await repos.livenessFrames.list(other.sessionId, c.id)).toEqual([]);
      });

      it('refuses a taken index and keeps the first frame', async () => {
        const c = await newChallenge();
        expect(await repos.livenessFrames.append(frame(c, 0, '{"first":true}'))).toBe(true);
        expect(await repos.livenessFrames.append(frame(c, 0, '{"second":true}'))).toBe(false);
        expect((await repos.livenessFrames.list(c.sessionId, c.id)).map((f) => f.analysis)).toEqual(['{"first":true}']);
      });

      it('lets exactly one of two racing appends of one index win', async () => {
        const c = await newChallenge();
        for (let i = 0; i < 20; i++) {
          const results = await Promise.all([
            repos.livenessFrames.append(frame(c, i, '{"a":1}')),
            repos.livenessFrames.append(frame(c, i, '{"b":1}')),
          ]);
          expect(results.filter(Boolean)).toHaveLength(1);
        }
        expect((await repos.livenessFrames.list(c.sessionId, c.id)).map((f) => f.index)).toEqual(
          Array.from({ length: 20 }, (_, i) => i),
        );
      });

      it('refuses a frame of a challenge that does not exist', async () => {
        const c = await newChallenge();
        await expect(repos.livenessFrames.append({ ...frame(c, 0), challengeId: randomUUID() })).rejects.toThrow();
      });

      it('deletes one challenge’s frames, and no other’s', async () => {
        const c = await newChallenge();
        const kept = await newChallenge();
        for (const i of [0, 1]) {
          await repos.livenessFrames.append(frame(c, i));
          await repos.livenessFrames.append(frame(kept, i));
        }
        await repos.livenessFrames.deleteForChallenge(kept.sessionId, c.id); // wrong session: nothing goes
        expect(await repos.livenessFrames.list(c.sessionId, c.id)).toHaveLength(2);
        await repos.livenessFrames.deleteForChallenge(c.sessionId, c.id);
        expect(await repos.livenessFrames.list(c.sessionId, c.id)).toEqual([]);
        expect(await repos.livenessFrames.list(kept.sessionId, kept.id)).toHaveLength(2);
      });

      it('forgets frames received before a bound (streams abandoned mid-way)', async () => {
        const c = await newChallenge();
        await repos.livenessFrames.append({ ...frame(c, 0), receivedAt: 100 });
        await repos.livenessFrames.append({ ...frame(c, 1), receivedAt: 200 });
        expect(await repos.livenessFrames.purgeReceivedBefore(150)).toBe(1);
        expect((await repos.livenessFrames.list(c.sessionId, c.id)).map((f) => f.index)).toEqual([1]);
      });

      it('goes with its session when the session is deleted', async () => {
        const c = await newChallenge();
        await repos.livenessFrames.append(frame(c, 0));
        await repos.sessions.delete(c.sessionId);
        const left = await db.database.db
          .selectFrom('liveness_frames')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('session_id', '=', c.sessionId)
          .executeTakeFirstOrThrow();
        expect(Number(left.n)).toBe(0);
      });
    });

    describe('challenge reveal and finish', () => {
      it('raises revealed and never lowers it', async () => {
        const c = await newChallenge({ revealed: 1 });
        await repos.challenges.reveal(c.sessionId, c.id, 3);
        expect((await repos.challenges.get(c.sessionId, c.id))?.revealed).toBe(3);
        await repos.challenges.reveal(c.sessionId, c.id, 2);
        expect((await repos.challenges.get(c.sessionId, c.id))?.revealed).toBe(3);
        await Promise.all([5, 4, 3].map((n) => repos.challenges.reveal(c.sessionId, c.id, n)));
        expect((await repos.challenges.get(c.sessionId, c.id))?.revealed).toBe(5);
        const other = await newChallenge();
        await repos.challenges.reveal(other.sessionId, c.id, 9);
        expect((await repos.challenges.get(c.sessionId, c.id))?.revealed).toBe(5);
      });

      it('finishes a challenge once, even past its expiry', async () => {
        const c = await newChallenge({ expiresAt: 2_000 });
        const other = await newChallenge();
        expect(await repos.challenges.finish(other.sessionId, c.id, 50_000)).toBe(false);
        expect(await repos.challenges.finish(c.sessionId, c.id, 50_000)).toBe(true);
        expect(await repos.challenges.finish(c.sessionId, c.id, 50_001)).toBe(false);
        expect((await repos.challenges.get(c.sessionId, c.id))?.usedAt).toBe(50_000);
      });

      it('lets exactly one of two racing finishes decide', async () => {
        const c = await newChallenge();
        const results = await Promise.all([
          repos.challenges.finish(c.sessionId, c.id, 3_000),
          repos.challenges.finish(c.sessionId, c.id, 3_001),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('does not finish a challenge a capture already consumed', async () => {
        const c = await newChallenge();
        expect(await repos.challenges.consume(c.sessionId, c.id, hex(32), 3_000)).toBe(true);
        expect(await repos.challenges.finish(c.sessionId, c.id, 3_001)).toBe(false);
      });
    });

    describe('frame ledger', () => {
      it('finds a frame recorded with the same digest', async () => {
        const app = await newApp();
        const [a, b] = [aFrame(), aFrame()];
        await repos.frameLedger.record(app, capture('cap'), [a, b], 1_000);
        // Asked with a hash that shares no word: only the digest can find it.
        const found = await repos.frameLedger.candidates(app, [{ digest: a.digest, perceptualHash: '' }]);
        expect(found).toEqual([entry(a, 'cap', 0)]);
        expect(await repos.frameLedger.candidates(app, [aFrame()])).toEqual([]);
      });

      it('finds a hash within 7 bits whose flips fall in seven different words, with its capture and place', async () => {
        const app = await newApp();
        const recorded = aFrame();
        await repos.frameLedger.record(app, capture('earlier'), [aFrame(), recorded, aFrame()], 1_000);
        const near = flip(
          recorded.perceptualHash,
          [0, 1, 2, 3, 5, 6, 7].map((w): [number, number] => [w, (w * 5) % 32]),
        );
        expect(bitsApart(near, recorded.perceptualHash)).toBe(7);
        const probe = { digest: hex(32), perceptualHash: near };
        expect(await repos.frameLedger.candidates(app, [probe])).toEqual([entry(recorded, 'earlier', 1)]);
        const view = await ledgerFor(repos.frameLedger, app, 'a new session', [probe]);
        expect(view.longestReplay([near], 7 / 256)).toEqual({ frames: 1, captureId: 'earlier' });
        expect(view.longestReplay([near], 6 / 256)).toEqual({ frames: 0 });
        expect(view.hasDigest(probe.digest)).toBe(false);
      });

      it('finds a whole re-sent capture in order, re-encoded, unless it is the same session’s', async () => {
        const app = await newApp();
        const frames = Array.from({ length: 6 }, aFrame);
        await repos.frameLedger.record(app, capture('first'), frames, 1_000);
        await repos.frameLedger.record(app, capture('other'), Array.from({ length: 6 }, aFrame), 1_000);
        const resent = frames.map((f) => ({ digest: hex(32), perceptualHash: flip(f.perceptualHash, [[4, 9]]) }));
        const view = await ledgerFor(repos.frameLedger, app, 'a new session', resent);
        const hashes = resent.map((f) => f.perceptualHash);
        expect(view.longestReplay(hashes, 4 / 256)).toEqual({ frames: 6, captureId: 'first' });
        // The same frames in another order re-send only the longest ordered part.
        expect(view.longestReplay([...hashes.slice(3), ...hashes.slice(0, 3)], 4 / 256).frames).toBe(3);
        // The session that made it is trying again: its hashes are not compared, its bytes still are.
        const own = await ledgerFor(repos.frameLedger, app, 'session of first', [...resent, frames[0]!]);
        expect(own.longestReplay(hashes, 4 / 256)).toEqual({ frames: 0 });
        expect(own.hasDigest(frames[0]!.digest)).toBe(true);
      });

      it('does not return a hash 40 bits away, with every word changed', async () => {
        const app = await newApp();
        const recorded = aFrame();
        await repos.frameLedger.record(app, capture('cap'), [recorded], 1_000);
        const far = flip(
          recorded.perceptualHash,
          Array.from({ length: 8 }, (_, w) => [0, 7, 13, 22, 30].map((b): [number, number] => [w, b])).flat(),
        );
        expect(bitsApart(far, recorded.perceptualHash)).toBe(40);
        expect(await repos.frameLedger.candidates(app, [{ digest: hex(32), perceptualHash: far }])).toEqual([]);
      });

      it('never returns another tenant’s frames', async () => {
        const [mine, theirs] = [await newApp(), await newApp()];
        const shared = aFrame();
        const onlyTheirs = aFrame();
        await repos.frameLedger.record(theirs, capture('cap'), [shared, onlyTheirs], 1_000);
        expect(await repos.frameLedger.candidates(mine, [shared, onlyTheirs])).toEqual([]);
        const view = await ledgerFor(repos.frameLedger, mine, 'a new session', [shared]);
        expect(view.hasDigest(shared.digest)).toBe(false);
        expect(view.longestReplay([shared.perceptualHash], 7 / 256)).toEqual({ frames: 0 });
        // The same frame recorded by both tenants is two entries: each sees its own.
        await repos.frameLedger.record(mine, capture('cap'), [shared], 2_000);
        expect(await repos.frameLedger.candidates(mine, [shared, onlyTheirs])).toEqual([entry(shared, 'cap')]);
        const again = await ledgerFor(repos.frameLedger, mine, 'a new session', [shared]);
        expect(again.longestReplay([shared.perceptualHash], 0)).toEqual({ frames: 1, captureId: 'cap' });
      });

      it('records a frame whose hash is not 64 hex digits by its digest only', async () => {
        const app = await newApp();
        const odd = [
          { digest: hex(32), perceptualHash: '' },
          { digest: hex(32), perceptualHash: 'not-a-hash' },
          { digest: hex(32), perceptualHash: hex(8) },
        ];
        await repos.frameLedger.record(app, capture('cap'), odd, 1_000);
        const rows = await db.database.db
          .selectFrom('liveness_frame_ledger')
          .selectAll()
          .where('app_id', '=', app)
          .execute();
        expect(rows).toHaveLength(3);
        for (const r of rows) expect([r.w0, r.w1, r.w2, r.w3, r.w4, r.w5, r.w6, r.w7]).toEqual(Array(8).fill(null));
        const found = await repos.frameLedger.candidates(app, odd);
        expect(found.map((f) => f.digest).sort()).toEqual(odd.map((f) => f.digest).sort());
      });

      it('stores the words unsigned (a word with its top bit set)', async () => {
        const app = await newApp();
        const recorded = { digest: hex(32), perceptualHash: `ffffffff${hex(28)}` };
        await repos.frameLedger.record(app, capture('cap'), [recorded], 1_000);
        const row = await db.database.db
          .selectFrom('liveness_frame_ledger')
          .select('w0')
          .where('app_id', '=', app)
          .executeTakeFirstOrThrow();
        expect(Number(row.w0)).toBe(0xffffffff);
        const probe = flip(recorded.perceptualHash, [
          [1, 0],
          [2, 0],
          [3, 0],
          [4, 0],
          [5, 0],
          [6, 0],
          [7, 0],
        ]);
        expect(await repos.frameLedger.candidates(app, [{ digest: hex(32), perceptualHash: probe }])).toEqual([
          entry(recorded, 'cap'),
        ]);
      });

      it('keeps one entry per frame: recording it again refreshes its time, also within one capture', async () => {
        const app = await newApp();
        const f = aFrame();
        await repos.frameLedger.record(app, capture('first'), [aFrame(), f, f], 1_000);
        await repos.frameLedger.record(app, capture('second'), [f], 3_000);
        await repos.frameLedger.record(app, capture('third'), [f], 2_000); // an older write never moves it back
        const rows = await db.database.db
          .selectFrom('liveness_frame_ledger')
          .select(['created_at', 'capture_id', 'frame_index'])
          .where('app_id', '=', app)
          .where('digest', '=', f.digest)
          .execute();
        // It stays where it was first seen.
        expect(rows.map((r) => [Number(r.created_at), r.capture_id, Number(r.frame_index)])).toEqual([
          [3_000, 'first', 1],
        ]);
      });

      it('forgets frames recorded before the retention bound', async () => {
        const app = await newApp();
        const [old, recent] = [aFrame(), aFrame()];
        await repos.frameLedger.record(app, capture('cap'), [old], 10_000);
        await repos.frameLedger.record(app, capture('cap'), [recent], 20_000);
        // Other suites' rows are all older: count only this test's.
        expect(await repos.frameLedger.purgeBefore(15_000)).toBeGreaterThanOrEqual(1);
        expect(await repos.frameLedger.candidates(app, [old, recent])).toEqual([entry(recent, 'cap')]);
        expect(await repos.frameLedger.purgeBefore(15_000)).toBe(0);
      });

      it(`returns at most ${LEDGER_CANDIDATE_CAP} candidates, exact copies always among them`, async () => {
        const app = await newApp();
        // Flat frames hash alike: every entry shares the first word with the probe.
        const common = `00000000${hex(28)}`;
        const crowd = Array.from({ length: LEDGER_CANDIDATE_CAP + 100 }, () => ({
          digest: hex(32),
          perceptualHash: `00000000${hex(28)}`,
        }));
        const oldest = crowd[0]!;
        await repos.frameLedger.record(app, capture('cap'), [oldest], 500_000);
        await repos.frameLedger.record(app, capture('cap'), crowd.slice(1), 600_000);
        const found = await repos.frameLedger.candidates(app, [
          { digest: hex(32), perceptualHash: common },
          { digest: oldest.digest, perceptualHash: '' },
        ]);
        expect(found).toHaveLength(LEDGER_CANDIDATE_CAP);
        expect(new Set(found.map((f) => f.digest)).size).toBe(LEDGER_CANDIDATE_CAP);
        expect(found.map((f) => f.digest)).toContain(oldest.digest);
      }, 60_000);
    });
  });
}

describe.each(DIALECTS)('migrations 0010 and 0011 on $name', (dialect) => {
  it('adds the frame tables to a store at 0009, then the capture of each ledger frame', async ({ skip }) => {
    if (!(await dialect.available())) skip();
    const t = dialect.name === 'sqlite' ? await sqliteTestDatabase() : await postgresTestDatabase({ migrate: false });
    // SQLite test databases come migrated: start that one again from an empty file.
    const database = dialect.name === 'sqlite' ? openDatabase(`${t.url}.before-0010`) : t.database;
    try {
      await migrate(database, '0009_liveness_challenges');
      const repos = createRepositories(database.db, database.dialect, createEmbeddingCodec(undefined));
      const app = anApp();
      await repos.apps.create(app);
      const session = aSession(app.sdkId);
      await repos.sessions.create(session, []);
      // As a challenge of 0009 would be stored: no step plan revealed yet.
      const challenge = aChallenge(session.id, { nonce: 'n', steps: null, revealed: 0 });
      await repos.challenges.create(challenge);
      expect(await migrate(database, '0010_liveness_frames')).toEqual(['0010_liveness_frames']);
      expect(
        await repos.livenessFrames.append({
          challengeId: challenge.id,
          sessionId: session.id,
          index: 0,
          receivedAt: 1,
          analysis: '{}',
        }),
      ).toBe(true);
      // A ledger row as 0010 wrote it: no capture, no place.
      const old = aFrame();
      await sql`INSERT INTO liveness_frame_ledger (app_id, digest, phash, created_at)
        VALUES (${app.sdkId}, ${old.digest}, ${old.perceptualHash}, 1)`.execute(database.db);
      expect(await migrate(database)).toEqual(['0011_frame_ledger_capture']);
      // It stands alone: a capture of its own frame.
      expect(await repos.frameLedger.candidates(app.sdkId, [old])).toEqual([
        { ...old, captureId: `digest:${old.digest}`, sessionId: null, index: 0 },
      ]);
      const f = aFrame();
      await repos.frameLedger.record(app.sdkId, capture('cap'), [f], 1);
      expect(await repos.frameLedger.candidates(app.sdkId, [f])).toEqual([entry(f, 'cap')]);
      expect(await migrate(database)).toEqual([]);
    } finally {
      if (database !== t.database) await database.close();
      await t.drop();
    }
  });
});
