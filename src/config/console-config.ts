// The operator console's settings (read by loadConfig; documented in docs/deployment.md and docs/console.md).

type Env = Record<string, string | undefined>;

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** Label of the sign-in button. */
  readonly name: string;
  /** Where the provider sends the browser back; default: <request origin>/console/sso/callback. */
  readonly redirectUrl: string | undefined;
  /** Role of a console user created at first single sign-on; null: only users an admin created may sign in. */
  readonly autoCreateRole: 'admin' | 'reviewer' | 'viewer' | null;
  /** Allow an http:// issuer (local test providers only). */
  readonly allowHttp: boolean;
}

export interface ConsoleConfig {
  readonly enabled: boolean;
  /** A signed-in session ends after this long idle, and after absoluteMs in any case. */
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** Failed sign-ins in a row that lock an account, and for how long. */
  readonly maxFailures: number;
  readonly lockoutMs: number;
  /** A REJECT needs a second reviewer. */
  readonly fourEyesReject: boolean;
  /** Secure cookies: `auto` sets Secure when the request came over https (directly or by X-Forwarded-Proto). */
  readonly secureCookies: 'auto' | 'always';
  readonly oidc: OidcConfig | null;
}

export function consoleConfig(
  env: Env,
  read: { int(name: string, fallback: number, min?: number): number; bool(name: string, fallback: boolean): boolean },
  fail: (message: string) => never,
): ConsoleConfig {
  const issuer = env.OPENIDV_CONSOLE_OIDC_ISSUER || undefined;
  let oidc: OidcConfig | null = null;
  if (issuer) {
    const clientId = env.OPENIDV_CONSOLE_OIDC_CLIENT_ID;
    if (!clientId) fail('OPENIDV_CONSOLE_OIDC_CLIENT_ID is required with OPENIDV_CONSOLE_OIDC_ISSUER');
    const role = env.OPENIDV_CONSOLE_OIDC_AUTO_CREATE_ROLE || 'none';
    if (!['none', 'admin', 'reviewer', 'viewer'].includes(role))
      fail(`OPENIDV_CONSOLE_OIDC_AUTO_CREATE_ROLE must be none, viewer, reviewer or admin, got "${role}"`);
    const allowHttp = read.bool('OPENIDV_CONSOLE_OIDC_ALLOW_HTTP', false);
    if (!issuer.startsWith('https://') && !allowHttp)
      fail(
        'OPENIDV_CONSOLE_OIDC_ISSUER must be https:// (or set OPENIDV_CONSOLE_OIDC_ALLOW_HTTP=true for a local test provider)',
      );
    oidc = {
      issuer,
      clientId: clientId!,
      clientSecret: env.OPENIDV_CONSOLE_OIDC_CLIENT_SECRET || undefined,
      name: env.OPENIDV_CONSOLE_OIDC_NAME || 'single sign-on',
      redirectUrl: env.OPENIDV_CONSOLE_OIDC_REDIRECT_URL || undefined,
      autoCreateRole: role === 'none' ? null : (role as OidcConfig['autoCreateRole']),
      allowHttp,
    };
  }
  const secure = env.OPENIDV_CONSOLE_SECURE_COOKIES || 'auto';
  if (secure !== 'auto' && secure !== 'always')
    fail(`OPENIDV_CONSOLE_SECURE_COOKIES must be auto or always, got "${secure}"`);
  return {
    enabled: read.bool('OPENIDV_CONSOLE', true),
    idleMs: read.int('OPENIDV_CONSOLE_IDLE_TIMEOUT', 30 * 60, 60) * 1000,
    absoluteMs: read.int('OPENIDV_CONSOLE_SESSION_LIFETIME', 12 * 3600, 60) * 1000,
    maxFailures: read.int('OPENIDV_CONSOLE_MAX_FAILURES', 5, 1),
    lockoutMs: read.int('OPENIDV_CONSOLE_LOCKOUT', 15 * 60, 1) * 1000,
    fourEyesReject: read.bool('OPENIDV_CONSOLE_FOUR_EYES_REJECT', false),
    secureCookies: secure as ConsoleConfig['secureCookies'],
    oidc,
  };
}
