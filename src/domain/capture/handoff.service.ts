import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';
import type { HandoffRecord, Repositories } from '../ports/repositories.port.js';
import { isRequirementMet } from '../sessions/requirements.js';
import { isTokenActive } from '../sessions/session-token.js';
import type { SessionRecord } from '../sessions/session.types.js';

// Desktop-to-phone hand-off (sdk_config.allow_handoff). The desktop page asks for a link; the phone opens it and
// trades its claim secret, once, for the session's client token; the desktop follows the session through a
// second secret that can only read the hand-off's state. Choices, against a QR code photographed or a link
// forwarded:
// - single use: the claim is an atomic update of an unclaimed row, so a second phone gets BAD_TOKEN;
// - short-lived: OPENIDV_HANDOFF_TTL (10 minutes), never past the session's own token;
// - one live link per session: a new link revokes the unclaimed ones, and a session gets at most
//   MAX_HANDOFFS links, so a script cannot fill the table;
// - bound to its session: the claim names the session id and must match the link's;
// - secrets are 256-bit random and stored only as SHA-256 digests; a failure of any kind reads as BAD_TOKEN.

export const MAX_HANDOFFS = 20;
const MAX_SECRET_LENGTH = 128;

export type HandoffState = 'WAITING' | 'CLAIMED' | 'FINISHED' | 'LEFT' | 'EXPIRED' | 'REPLACED';

export interface HandoffServiceDeps {
  repos: Pick<Repositories, 'handoffs' | 'sessions' | 'resources' | 'devices'>;
  recordEvent(sessionId: string, event: string, device: Record<string, string>): Promise<void>;
  now: () => number;
  newId: () => string;
  ttlMs: number;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

/** The code a phone reported when its user left the check (progress step LEFT:<code>), if any. */
export const LEFT_PREFIX = 'PROGRESS:LEFT:';

export class HandoffService {
  constructor(private readonly deps: HandoffServiceDeps) {}

  async start(session: SessionRecord) {
    if (!session.spec.sdk_config.allow_handoff)
      throw new AppError('FORBIDDEN', 'Hand-off to a phone is not enabled for this session (sdk_config.allow_handoff)');
    const { handoffs } = this.deps.repos;
    if ((await handoffs.countForSession(session.id)) >= MAX_HANDOFFS)
      throw new AppError('CONFLICT', `A session may create at most ${MAX_HANDOFFS} hand-off links`);
    const now = this.deps.now();
    await handoffs.revokeOpen(session.id, now);
    const claim = secret();
    const watch = secret();
    const record: HandoffRecord = {
      id: this.deps.newId(),
      sessionId: session.id,
      claimHash: digest(claim),
      watchHash: digest(watch),
      expiresAt: Math.min(now + this.deps.ttlMs, session.tokenExpiresAt),
      claimedAt: null,
      revokedAt: null,
      createdAt: now,
    };
    await handoffs.create(record);
    return {
      handoff_id: record.id,
      claim_token: claim,
      watch_token: watch,
      expires_at: new Date(record.expiresAt).toISOString(),
    };
  }

  /** The phone's side: the claim secret, once, for the session's client token. */
  async claim(sessionId: string, claimSecret: string, device: Record<string, string>) {
    const now = this.deps.now();
    const record =
      claimSecret.length <= MAX_SECRET_LENGTH
        ? await this.deps.repos.handoffs.findByClaimHash(digest(claimSecret))
        : null;
    const session = record && record.sessionId === sessionId ? await this.deps.repos.sessions.getById(sessionId) : null;
    if (!record || !session || !isTokenActive(session, now) || !(await this.deps.repos.handoffs.claim(record.id, now)))
      throw new AppError('BAD_TOKEN');
    await this.deps.recordEvent(session.id, 'HANDOFF_CLAIMED', device);
    return { client_session_token: session.clientToken };
  }

  /** The desktop's side: where the phone has got to. Works after the session finished, unlike the client token. */
  async status(sessionId: string, handoffId: string, watchSecret: string) {
    const record =
      watchSecret.length <= MAX_SECRET_LENGTH ? await this.deps.repos.handoffs.get(sessionId, handoffId) : null;
    const expected = record ? Buffer.from(record.watchHash, 'hex') : null;
    const given = Buffer.from(digest(watchSecret), 'hex');
    if (!record || !expected || !timingSafeEqual(expected, given)) throw new AppError('BAD_TOKEN');
    const session = await this.deps.repos.sessions.getById(sessionId);
    if (!session) throw new AppError('BAD_TOKEN');
    const resources = await this.deps.repos.resources.list(session.id);
    const left =
      record.claimedAt === null
        ? undefined
        : (await this.deps.repos.devices.list(session.id)).findLast((e) => e.event.startsWith(LEFT_PREFIX));
    const now = this.deps.now();
    let state: HandoffState;
    if (session.finishedAt !== null) state = 'FINISHED';
    else if (left) state = 'LEFT';
    else if (record.claimedAt !== null) state = isTokenActive(session, now) ? 'CLAIMED' : 'EXPIRED';
    else if (record.revokedAt !== null) state = 'REPLACED';
    else state = now < record.expiresAt && isTokenActive(session, now) ? 'WAITING' : 'EXPIRED';
    return {
      state,
      requirements_completed: session.requirements.filter((r) => isRequirementMet(r, resources)).length,
      requirements_total: session.requirements.length,
      ...(state === 'LEFT' ? { error: left!.event.slice(LEFT_PREFIX.length) } : {}),
    };
  }
}
