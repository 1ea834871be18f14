import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SignInSession, SignInSessionRepository } from '../ports/console-repository.port.js';
import type { ConsoleUser } from './console-user.types.js';

export interface SignInPolicy {
  /** A signed-in session ends after this long without a request. */
  idleMs: number;
  /** …and after this long whatever happens. */
  absoluteMs: number;
}

/** Pending sign-ins (the login form's CSRF token, single sign-on state) live this long. */
const PENDING_MS = 10 * 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const newToken = () => randomBytes(32).toString('base64url');

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ResolvedSignIn {
  session: SignInSession;
  user: ConsoleUser | null;
}

/**
 * Console sign-in sessions. The cookie holds a random token; the database holds only its hash (a copy of the
 * table gives no live session). Every sign-in gets a new token, so a token planted before sign-in (session
 * fixation) never becomes a signed-in one. Each session has its own CSRF token for forms.
 */
export class SignInService {
  constructor(
    private readonly deps: {
      sessions: SignInSessionRepository;
      users: { get(id: string): Promise<ConsoleUser | null> };
      policy: SignInPolicy;
      now: () => number;
    },
  ) {}

  /** A session for a sign-in in progress (no user yet). Returns the cookie token. */
  async startPending(
    ip: string | null,
    data: Record<string, string> = {},
  ): Promise<{ token: string; session: SignInSession }> {
    return this.create(null, ip, data, PENDING_MS);
  }

  async signIn(
    user: ConsoleUser,
    ip: string | null,
    previousToken?: string,
  ): Promise<{ token: string; session: SignInSession }> {
    if (previousToken) await this.deps.sessions.delete(hashToken(previousToken));
    return this.create(user.id, ip, {}, this.deps.policy.idleMs);
  }

  private async create(userId: string | null, ip: string | null, data: Record<string, string>, ttl: number) {
    const token = newToken();
    const now = this.deps.now();
    const session: SignInSession = {
      tokenHash: hashToken(token),
      userId,
      csrfToken: newToken(),
      data,
      ip,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + ttl,
    };
    await this.deps.sessions.create(session);
    return { token, session };
  }

  /** The live session of a cookie token, its idle time extended; null when unknown, expired or the user is disabled. */
  async resolve(token: string | undefined): Promise<ResolvedSignIn | null> {
    if (!token || token.length > 100) return null;
    const session = await this.deps.sessions.get(hashToken(token));
    const now = this.deps.now();
    if (!session) return null;
    if (session.expiresAt <= now || (session.userId && now - session.createdAt >= this.deps.policy.absoluteMs)) {
      await this.deps.sessions.delete(session.tokenHash);
      return null;
    }
    if (!session.userId) return { session, user: null };
    const user = await this.deps.users.get(session.userId);
    if (!user || user.disabledAt !== null) {
      await this.deps.sessions.delete(session.tokenHash);
      return null;
    }
    // Extend the idle window at most once a minute: not a write per request.
    if (now - session.lastSeenAt > 60_000)
      await this.deps.sessions.touch(
        session.tokenHash,
        now,
        Math.min(now + this.deps.policy.idleMs, session.createdAt + this.deps.policy.absoluteMs),
      );
    return { session, user };
  }

  async end(token: string | undefined): Promise<void> {
    if (token) await this.deps.sessions.delete(hashToken(token));
  }

  /** Ends every session of a user (disabled, password changed). */
  async endAll(userId: string): Promise<void> {
    await this.deps.sessions.deleteForUser(userId);
  }

  purgeExpired(): Promise<number> {
    return this.deps.sessions.purgeExpired(this.deps.now());
  }
}
