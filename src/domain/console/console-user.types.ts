// Console users: the people who look at sessions, decide reviews and manage apps and pools.

export const ROLES = ['admin', 'reviewer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface ConsoleUser {
  id: string;
  /** Sign-in name; for single sign-on users, the email or preferred_username claim. */
  username: string;
  role: Role;
  /** argon2id PHC string; null for users who sign in only through single sign-on. */
  passwordHash: string | null;
  /** `issuer|sub` of the OpenID Connect identity linked to this user. */
  oidcSubject: string | null;
  /** Sees every app (admins); others see only the apps in `appIds`. */
  allApps: boolean;
  appIds: string[];
  failedAttempts: number;
  lockedUntil: number | null;
  mustChangePassword: boolean;
  disabledAt: number | null;
  lastLoginAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What each role may do; checked by the HTTP layer before a route runs and by the services that decide. */
export const PERMISSIONS = {
  view: ['admin', 'reviewer', 'viewer'],
  decide: ['admin', 'reviewer'],
  editPools: ['admin', 'reviewer'],
  manageApps: ['admin'],
  manageUsers: ['admin'],
  readAudit: ['admin'],
  tryIt: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function can(user: Pick<ConsoleUser, 'role'>, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(user.role);
}

/** The apps a user may see, for repository filters: null means every app. */
export function appScope(user: Pick<ConsoleUser, 'allApps' | 'appIds'>): string[] | null {
  return user.allApps ? null : user.appIds;
}

export function mayAccessApp(user: Pick<ConsoleUser, 'allApps' | 'appIds'>, appId: string): boolean {
  return user.allApps || user.appIds.includes(appId);
}
