import { randomBytes } from 'node:crypto';
import { AppError, validationError } from '../errors.js';
import type { ConsoleUserRepository } from '../ports/console-repository.port.js';
import type { PasswordHasher } from '../ports/password-hasher.port.js';
import type { SignOnIdentity } from '../ports/single-sign-on.port.js';
import { type ConsoleUser, ROLES, type Role } from './console-user.types.js';

export interface LockoutPolicy {
  /** Consecutive failed sign-ins that lock an account. */
  maxFailures: number;
  lockoutMs: number;
}

export const MIN_PASSWORD_LENGTH = 12;

/** A one-time password (96 random bits): shown once, replaced by the user at first sign-in. */
export const oneTimePassword = (): string => randomBytes(12).toString('base64url');
const USERNAME = /^[A-Za-z0-9._@+-]{1,128}$/;

export interface NewUser {
  username: string;
  role: Role;
  password?: string;
  appIds?: string[];
  allApps?: boolean;
  /** A one-time password: the user must choose a new one at first sign-in. */
  temporary?: boolean;
}

export type SignInResult =
  | { ok: true; user: ConsoleUser }
  | { ok: false; reason: 'BAD_CREDENTIALS' | 'LOCKED' | 'DISABLED' | 'SSO_ONLY' };

/** Console users, their passwords (argon2id) and the lock-out after repeated failures. */
export class ConsoleUserService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly deps: {
      users: ConsoleUserRepository;
      hasher: PasswordHasher;
      lockout: LockoutPolicy;
      now: () => number;
      newId: () => string;
      /** Apps that exist; grants to unknown apps are refused. */
      appExists: (id: string) => Promise<boolean>;
    },
  ) {}

  static checkPassword(password: string): void {
    if (password.length < MIN_PASSWORD_LENGTH)
      throw validationError([{ property: 'password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }]);
    if (password.length > 1024)
      throw validationError([{ property: 'password', message: 'must be at most 1024 characters' }]);
  }

  private async checkApps(appIds: string[]): Promise<void> {
    for (const id of appIds)
      if (!(await this.deps.appExists(id)))
        throw validationError([{ property: 'apps', message: `no app with SDK id ${id}` }]);
  }

  async create(input: NewUser): Promise<ConsoleUser> {
    const username = input.username.trim();
    if (!USERNAME.test(username))
      throw validationError([{ property: 'username', message: 'must be 1-128 letters, digits or . _ @ + -' }]);
    if (!(ROLES as readonly string[]).includes(input.role))
      throw validationError([{ property: 'role', message: `must be one of ${ROLES.join(', ')}` }]);
    if (await this.deps.users.getByUsername(username))
      throw new AppError('CONFLICT', 'A console user with this name exists');
    if (input.password !== undefined) ConsoleUserService.checkPassword(input.password);
    const appIds = [...new Set(input.appIds ?? [])];
    await this.checkApps(appIds);
    const now = this.deps.now();
    const user: ConsoleUser = {
      id: this.deps.newId(),
      username,
      role: input.role,
      passwordHash: input.password !== undefined ? await this.deps.hasher.hash(input.password) : null,
      oidcSubject: null,
      // Admins manage apps and users, so they see every app whatever the grants say.
      allApps: input.role === 'admin' || Boolean(input.allApps),
      appIds,
      failedAttempts: 0,
      lockedUntil: null,
      mustChangePassword: Boolean(input.temporary),
      disabledAt: null,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.users.create(user);
    return user;
  }

  list(): Promise<ConsoleUser[]> {
    return this.deps.users.list();
  }

  count(): Promise<number> {
    return this.deps.users.count();
  }

  get(id: string): Promise<ConsoleUser | null> {
    return this.deps.users.get(id);
  }

  async require(username: string): Promise<ConsoleUser> {
    const user = await this.deps.users.getByUsername(username);
    if (!user) throw new AppError('NOT_FOUND', 'No console user with this name');
    return user;
  }

  async setDisabled(user: ConsoleUser, disabled: boolean): Promise<void> {
    await this.deps.users.update(
      user.id,
      { disabledAt: disabled ? this.deps.now() : null, failedAttempts: 0, lockedUntil: null },
      this.deps.now(),
    );
  }

  async setRoleAndApps(user: ConsoleUser, role: Role, appIds: string[], allApps: boolean): Promise<void> {
    if (!(ROLES as readonly string[]).includes(role))
      throw validationError([{ property: 'role', message: `must be one of ${ROLES.join(', ')}` }]);
    await this.checkApps(appIds);
    await this.deps.users.update(user.id, { role, allApps: role === 'admin' || allApps }, this.deps.now());
    await this.deps.users.setApps(user.id, appIds);
  }

  async setPassword(user: ConsoleUser, password: string, temporary = false): Promise<void> {
    ConsoleUserService.checkPassword(password);
    const hash = await this.deps.hasher.hash(password);
    await this.deps.users.update(
      user.id,
      { passwordHash: hash, mustChangePassword: temporary, failedAttempts: 0, lockedUntil: null },
      this.deps.now(),
    );
  }

  /**
   * Password sign-in. An unknown name costs a hash verification too, so timing does not tell which names exist;
   * a locked account is refused without checking the password, so guessing cannot continue during the lock.
   */
  async signIn(username: string, password: string): Promise<SignInResult> {
    const user = await this.deps.users.getByUsername(username.trim());
    const now = this.deps.now();
    if (!user) {
      this.dummyHash ??= this.deps.hasher.hash('not a password of anyone');
      await this.deps.hasher.verify(await this.dummyHash, password);
      return { ok: false, reason: 'BAD_CREDENTIALS' };
    }
    if (user.disabledAt !== null) return { ok: false, reason: 'DISABLED' };
    if (user.lockedUntil !== null && user.lockedUntil > now) return { ok: false, reason: 'LOCKED' };
    if (!user.passwordHash) return { ok: false, reason: 'SSO_ONLY' };
    if (!(await this.deps.hasher.verify(user.passwordHash, password))) {
      const failures = await this.deps.users.addFailure(user.id, now);
      if (failures >= this.deps.lockout.maxFailures) {
        await this.deps.users.update(
          user.id,
          { lockedUntil: now + this.deps.lockout.lockoutMs, failedAttempts: 0 },
          now,
        );
        return { ok: false, reason: 'LOCKED' };
      }
      return { ok: false, reason: 'BAD_CREDENTIALS' };
    }
    await this.deps.users.update(user.id, { failedAttempts: 0, lockedUntil: null, lastLoginAt: now }, now);
    return { ok: true, user: { ...user, failedAttempts: 0, lockedUntil: null, lastLoginAt: now } };
  }

  /**
   * Single sign-on: the identity is linked to the user it was linked to before, else to the user whose name is
   * its email (or preferred username) and who has no other link yet; else, when allowed, a new user with the
   * default role and no apps. Disabled users stay out.
   */
  async signInWithIdentity(identity: SignOnIdentity, autoCreateRole: Role | null): Promise<SignInResult> {
    const now = this.deps.now();
    let user = await this.deps.users.getByOidcSubject(identity.subject);
    if (!user) {
      const name = identity.email ?? identity.preferredUsername;
      const named = name ? await this.deps.users.getByUsername(name) : null;
      if (named && named.oidcSubject === null) {
        await this.deps.users.update(named.id, { oidcSubject: identity.subject }, now);
        user = { ...named, oidcSubject: identity.subject };
      } else if (!named && name && autoCreateRole && USERNAME.test(name)) {
        user = await this.create({ username: name, role: autoCreateRole });
        await this.deps.users.update(user.id, { oidcSubject: identity.subject }, now);
      }
    }
    if (!user) return { ok: false, reason: 'BAD_CREDENTIALS' };
    if (user.disabledAt !== null) return { ok: false, reason: 'DISABLED' };
    await this.deps.users.update(user.id, { lastLoginAt: now }, now);
    return { ok: true, user };
  }
}
