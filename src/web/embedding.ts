// The page inside a relying party's iframe: Yoti's postMessage events to the parent window, and the codes Yoti's
// examples read from error_url (yotiErrorCode). The server writes the origins allowed to frame this session's
// page into <meta name="openidv-link"> (the same list as the CSP's frame-ancestors), so the page only ever
// addresses a window whose origin that list names: never '*'.

export interface LinkContext {
  frameAncestors: string[];
  errorUrl: string | null;
  locale: string | null;
}

export function readLinkContext(): LinkContext {
  const empty: LinkContext = { frameAncestors: [], errorUrl: null, locale: null };
  try {
    const raw = document.querySelector('meta[name="openidv-link"]')?.getAttribute('content');
    if (!raw) return empty;
    const parsed = JSON.parse(raw) as { frame_ancestors?: unknown; error_url?: unknown; locale?: unknown };
    return {
      frameAncestors: Array.isArray(parsed.frame_ancestors)
        ? parsed.frame_ancestors.filter((o): o is string => typeof o === 'string')
        : [],
      errorUrl: typeof parsed.error_url === 'string' ? parsed.error_url : null,
      locale: typeof parsed.locale === 'string' ? parsed.locale : null,
    };
  } catch {
    return empty;
  }
}

/**
 * Yoti's client error codes (its web and mobile SDKs share one table), for openidv's readable codes. Yoti has no
 * code of its own for a declined consent: the user ended the check, which is its 1000 ("the end-user cancelled").
 */
export const YOTI_ERROR_CODES: Record<string, number> = {
  CONSENT_DECLINED: 1000,
  USER_CANCELLED: 1000,
  TOKEN_EXPIRED: 2000,
  SESSION_TOKEN_MISSING: 2003,
  SESSION_ID_MISSING: 2004,
  SERVICE_UNAVAILABLE: 3000,
  NETWORK_ERROR: 3002,
  CAMERA_DENIED: 4000,
  CAMERA_UNAVAILABLE: 5000,
  UNEXPECTED_ERROR: 5004,
  NO_ACCEPTED_DOCUMENT: 5005,
};

export const yotiCode = (code: string): number => YOTI_ERROR_CODES[code] ?? YOTI_ERROR_CODES.UNEXPECTED_ERROR!;

function matches(pattern: string, origin: string): boolean {
  if (!pattern.includes('*')) return pattern === origin;
  // https://*.example.com[:port] matches any subdomain of example.com with that scheme and port (as CSP does).
  const m = /^(https?:\/\/)\*\.([^:]+)(:\d+)?$/.exec(pattern);
  const o = /^(https?:\/\/)([^:/]+)(:\d+)?$/.exec(origin);
  return Boolean(m && o && m[1] === o[1] && (m[3] ?? '') === (o[3] ?? '') && o[2]!.endsWith(`.${m[2]}`));
}

/** The parent's origin when the page is framed and the origin is one the session allows; null otherwise. */
function verifiedParentOrigin(allowed: string[]): string | null {
  const ancestors = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  let candidate = ancestors && ancestors.length > 0 ? ancestors[0]! : null;
  if (!candidate && document.referrer) {
    try {
      candidate = new URL(document.referrer).origin;
    } catch {
      candidate = null;
    }
  }
  return candidate && allowed.some((p) => matches(p, candidate!)) ? candidate : null;
}

export class Embedding {
  readonly framed: boolean;
  private readonly targets: string[];
  /** Each event once: a screen that reports an error at once and again from its button says it once. */
  private readonly sent = new Set<string>();

  constructor(context: LinkContext) {
    this.framed = window.parent !== window;
    const parent = this.framed ? verifiedParentOrigin(context.frameAncestors) : null;
    // Without ancestorOrigins or a referrer (Firefox under a no-referrer parent), each exact allowed origin is
    // addressed in turn: the browser delivers a message only to a parent whose origin is its target.
    this.targets = !this.framed ? [] : parent ? [parent] : context.frameAncestors.filter((o) => !o.includes('*'));
  }

  /** A parent window that can hear the page's events. */
  get canNotify(): boolean {
    return this.targets.length > 0;
  }

  private post(message: { eventType: 'SUCCESS' } | { eventType: 'ERROR'; eventCode: number }): void {
    const key = JSON.stringify(message);
    if (this.sent.has(key)) return;
    this.sent.add(key);
    for (const origin of this.targets) {
      try {
        window.parent.postMessage(message, origin);
      } catch {
        // a malformed target cannot stop the page
      }
    }
  }

  success(): void {
    this.post({ eventType: 'SUCCESS' });
  }

  error(code: string): void {
    this.post({ eventType: 'ERROR', eventCode: yotiCode(code) });
  }
}
