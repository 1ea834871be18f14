import type { Repositories } from '../ports/repositories.port.js';

/** What the server tells the capture page before the page has said anything (it is written into the HTML). */
export interface PageLink {
  /** Origins allowed to frame the page: its CSP frame-ancestors, and the targets of its postMessage events. */
  frameAncestors: readonly string[];
  /** Where a user whose link no longer works can go back (the session's error_url). */
  errorUrl: string | null;
  /** sdk_config.locale, for the language of a page whose link no longer works. */
  locale: string | null;
}

/**
 * Resolves a page URL (?sessionID=…&sessionToken=…) to its session's app. Only the pair decides: an unknown
 * session, a foreign one and a wrong token all get the server default, so nobody learns whether a session
 * exists without holding its token. A token that was valid stays good for this (after finish or expiry, not
 * after deletion): a user opening a used link still gets the relying party's way back and a frameable page.
 */
export class PageLinks {
  constructor(
    private readonly repos: Pick<Repositories, 'sessions' | 'apps'>,
    private readonly defaultFrameAncestors: readonly string[],
  ) {}

  private get fallback(): PageLink {
    return { frameAncestors: this.defaultFrameAncestors, errorUrl: null, locale: null };
  }

  async resolve(sessionId: string | undefined, token: string | undefined): Promise<PageLink> {
    if (!sessionId || !token || token.length > 256) return this.fallback;
    const session = await this.repos.sessions.getByClientToken(token);
    if (!session || session.id !== sessionId) return this.fallback;
    const app = await this.repos.apps.get(session.appId);
    if (!app || app.revokedAt !== null) return this.fallback;
    const sdk = session.spec.sdk_config;
    return {
      frameAncestors: app.frameAncestors ?? this.defaultFrameAncestors,
      errorUrl: sdk.error_url ?? null,
      locale: sdk.locale ?? null,
    };
  }
}
