import type {
  CaptureChallenge,
  ChallengeRepository,
  DeviceEventRepository,
  FaceAnalysisRepository,
  FrameLedgerRepository,
  LedgerEntry,
  LivenessFrameRecord,
  LivenessFrameRepository,
  MediaRepository,
  ResourceRepository,
  SessionRepository,
  StoredFaceAnalysis,
  UsageRepository,
  WebhookDelivery,
  WebhookRepository,
  WorkRepository,
} from '../../src/domain/ports/repositories.port.js';
import type {
  CheckRecord,
  DeviceEvent,
  MediaRecord,
  ResourceRecord,
  SessionRecord,
  TaskRecord,
} from '../../src/domain/sessions/session.types.js';

// In-memory fakes of the session repositories for the unit tier. They keep the contracts the SQL repositories are
// held to in test/contract (scoping by app, cascade on delete, copies in and out), not their performance.

const copy = <T>(value: T): T => structuredClone(value);

export class MemorySessionStore {
  readonly sessionRows = new Map<string, SessionRecord>();
  readonly checkRows = new Map<string, CheckRecord>();
  readonly taskRows = new Map<string, TaskRecord>();
  readonly resourceRows = new Map<string, ResourceRecord>();
  readonly mediaRows = new Map<string, MediaRecord>();
  readonly deviceRows: DeviceEvent[] = [];
  readonly analysisRows = new Map<string, StoredFaceAnalysis>();
  readonly challengeRows = new Map<string, CaptureChallenge>();
  readonly webhookRows = new Map<string, WebhookDelivery>();
  /** Usage counters by session, then counter name. */
  readonly usageRows = new Map<string, Map<string, number>>();

  private of<T extends { sessionId: string }>(rows: Map<string, T> | T[], sessionId: string): T[] {
    return [...rows.values()].filter((r) => r.sessionId === sessionId).map(copy);
  }

  readonly sessions: SessionRepository = {
    create: async (session, checks) => {
      this.sessionRows.set(session.id, copy(session));
      for (const c of checks) this.checkRows.set(c.id, copy(c));
    },
    get: async (appId, id) => {
      const s = this.sessionRows.get(id);
      return s && s.appId === appId ? copy(s) : null;
    },
    getById: async (id) => copy(this.sessionRows.get(id) ?? null),
    getByClientToken: async (token) =>
      copy([...this.sessionRows.values()].find((s) => s.clientToken === token) ?? null),
    bundle: async (session) => ({
      session,
      checks: this.of(this.checkRows, session.id),
      tasks: this.of(this.taskRows, session.id),
      resources: this.of(this.resourceRows, session.id),
      media: this.of(this.mediaRows, session.id),
    }),
    update: async (id, patch, at) => {
      const s = this.sessionRows.get(id);
      if (s) this.sessionRows.set(id, { ...s, ...patch, updatedAt: at });
    },
    delete: async (id) => {
      this.sessionRows.delete(id);
      for (const rows of [
        this.checkRows,
        this.taskRows,
        this.resourceRows,
        this.mediaRows,
        this.analysisRows,
        this.challengeRows,
        this.webhookRows,
      ]) {
        for (const [key, row] of rows) if (row.sessionId === id) rows.delete(key);
      }
      this.usageRows.delete(id);
      this.deviceRows.splice(0, this.deviceRows.length, ...this.deviceRows.filter((d) => d.sessionId !== id));
    },
    listPurgeable: async (now, limit) =>
      [...this.sessionRows.values()]
        .filter((s) => s.resourcesExpireAt <= now)
        .slice(0, limit)
        .map(copy),
    listUnfinishedExpired: async (now, limit) =>
      [...this.sessionRows.values()]
        .filter((s) => s.state === 'ONGOING' && s.finishedAt === null && s.tokenExpiresAt <= now)
        .filter((s) => this.of(this.checkRows, s.id).some((c) => c.state !== 'DONE'))
        .slice(0, limit)
        .map(copy),
  };

  readonly resources: ResourceRepository = {
    create: async (r) => void this.resourceRows.set(r.id, copy(r)),
    get: async (sessionId, id) => {
      const r = this.resourceRows.get(id);
      return r && r.sessionId === sessionId ? copy(r) : null;
    },
    list: async (sessionId) => this.of(this.resourceRows, sessionId).sort((a, b) => a.createdAt - b.createdAt),
    update: async (r) => void this.resourceRows.set(r.id, copy(r)),
  };

  readonly work: WorkRepository = {
    getCheck: async (sessionId, id) => this.of(this.checkRows, sessionId).find((c) => c.id === id) ?? null,
    saveCheck: async (c) => void this.checkRows.set(c.id, copy(c)),
    listChecks: async (sessionId) => this.of(this.checkRows, sessionId),
    getTask: async (sessionId, id) => this.of(this.taskRows, sessionId).find((t) => t.id === id) ?? null,
    saveTask: async (t) => void this.taskRows.set(t.id, copy(t)),
    listTasks: async (sessionId) => this.of(this.taskRows, sessionId),
  };

  readonly media: MediaRepository = {
    create: async (m) => void this.mediaRows.set(m.id, copy(m)),
    countOtherSessionsWithDigest: async (sessionId, sha256) =>
      new Set(
        [...this.mediaRows.values()]
          .filter((m) => m.sha256 === sha256 && m.sessionId !== sessionId)
          .map((m) => m.sessionId),
      ).size,
    get: async (sessionId, id) => this.of(this.mediaRows, sessionId).find((m) => m.id === id) ?? null,
    list: async (sessionId) => this.of(this.mediaRows, sessionId),
    delete: async (_sessionId, id) => void this.mediaRows.delete(id),
  };

  readonly devices: DeviceEventRepository = {
    add: async (e) => void this.deviceRows.push(copy(e)),
    list: async (sessionId) => this.of(this.deviceRows, sessionId),
    clear: async (sessionId) =>
      void this.deviceRows.splice(
        0,
        this.deviceRows.length,
        ...this.deviceRows.filter((d) => d.sessionId !== sessionId),
      ),
  };

  readonly analyses: FaceAnalysisRepository = {
    get: async (mediaId) => this.analysisRows.get(mediaId) ?? null,
    save: async (record) => void this.analysisRows.set(record.mediaId, record),
    delete: async (mediaId) => void this.analysisRows.delete(mediaId),
  };

  readonly challenges: ChallengeRepository = {
    create: async (c) => void this.challengeRows.set(c.id, copy(c)),
    get: async (sessionId, id) => this.of(this.challengeRows, sessionId).find((c) => c.id === id) ?? null,
    consume: async (sessionId, id, sha256, at) => {
      const c = this.challengeRows.get(id);
      if (!c || c.sessionId !== sessionId || c.usedAt !== null || c.expiresAt <= at) return false;
      this.challengeRows.set(id, { ...c, usedAt: at, mediaSha256: sha256 });
      return true;
    },
    findByMedia: async (sessionId, sha256) =>
      this.of(this.challengeRows, sessionId).find((c) => c.mediaSha256 === sha256) ?? null,
    reveal: async (sessionId, id, revealed) => {
      const c = this.challengeRows.get(id);
      if (c && c.sessionId === sessionId && c.revealed < revealed) this.challengeRows.set(id, { ...c, revealed });
    },
    finish: async (sessionId, id, at) => {
      const c = this.challengeRows.get(id);
      if (!c || c.sessionId !== sessionId || c.usedAt !== null) return false;
      this.challengeRows.set(id, { ...c, usedAt: at });
      return true;
    },
  };

  readonly frameRows: LivenessFrameRecord[] = [];
  readonly ledgerRows: (LedgerEntry & { appId: string; at: number })[] = [];

  readonly livenessFrames: LivenessFrameRepository = {
    append: async (f) => {
      if (this.frameRows.some((r) => r.challengeId === f.challengeId && r.index === f.index)) return false;
      this.frameRows.push(copy(f));
      return true;
    },
    list: async (sessionId, challengeId) =>
      this.frameRows
        .filter((r) => r.sessionId === sessionId && r.challengeId === challengeId)
        .sort((a, b) => a.index - b.index)
        .map(copy),
    deleteForChallenge: async (sessionId, challengeId) => {
      const kept = this.frameRows.filter((r) => !(r.sessionId === sessionId && r.challengeId === challengeId));
      this.frameRows.splice(0, this.frameRows.length, ...kept);
    },
    purgeReceivedBefore: async (before) => {
      const kept = this.frameRows.filter((r) => r.receivedAt >= before);
      const purged = this.frameRows.length - kept.length;
      this.frameRows.splice(0, this.frameRows.length, ...kept);
      return purged;
    },
  };

  /** The ledger without the word index: every frame of the app is a candidate (the caller tests the distance). */
  readonly frameLedger: FrameLedgerRepository = {
    record: async (appId, capture, frames, at) =>
      void this.ledgerRows.push(
        ...frames.map((f, index) => ({ ...f, captureId: capture.id, sessionId: capture.sessionId, index, appId, at })),
      ),
    candidates: async (appId) =>
      this.ledgerRows.filter((r) => r.appId === appId).map(({ appId: _, at: __, ...entry }) => entry),
    purgeBefore: async (before) => {
      const kept = this.ledgerRows.filter((r) => r.at >= before);
      const purged = this.ledgerRows.length - kept.length;
      this.ledgerRows.splice(0, this.ledgerRows.length, ...kept);
      return purged;
    },
  };

  readonly usage: UsageRepository = {
    consume: async (sessionId, charges, drop) => {
      const counters = this.usageRows.get(sessionId) ?? new Map<string, number>();
      const over = charges.find((c) => (counters.get(c.counter) ?? 0) + c.amount > c.limit);
      if (over) return over.counter;
      for (const c of charges) counters.set(c.counter, (counters.get(c.counter) ?? 0) + c.amount);
      if (drop)
        for (const key of counters.keys()) if (key.startsWith(drop.prefix) && key !== drop.keep) counters.delete(key);
      this.usageRows.set(sessionId, counters);
      return null;
    },
    release: async (sessionId, counter, amount) => {
      const counters = this.usageRows.get(sessionId);
      if (counters) counters.set(counter, Math.max(0, (counters.get(counter) ?? 0) - amount));
    },
  };

  readonly webhooks: WebhookRepository = {
    create: async (d, now) => {
      if (!this.webhookRows.has(d.id)) this.webhookRows.set(d.id, { ...copy(d), createdAt: now });
    },
    get: async (id) => copy(this.webhookRows.get(id) ?? null),
    list: async (sessionId) => this.of(this.webhookRows, sessionId),
    earlierPending: async (d) =>
      [...this.webhookRows.values()].find(
        (w) => w.sessionId === d.sessionId && w.state === 'pending' && w.createdAt < d.createdAt,
      ) ?? null,
    update: async (d) => void this.webhookRows.set(d.id, copy(d)),
  };
}
