import * as oidc from 'openid-client';
import type { PendingSignOn, SignOnIdentity, SingleSignOn } from '../../domain/ports/single-sign-on.port.js';

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Shown on the sign-in button. */
  name: string;
  /** Allow an http:// issuer (tests and local providers only). */
  allowHttp: boolean;
}

/**
 * The console's OpenID Connect relying party (authorization code flow with PKCE, state and nonce), built on
 * `openid-client`. The provider's metadata is discovered on first use and kept; a failed discovery is retried
 * on the next sign-in.
 */
export class OidcSingleSignOn implements SingleSignOn {
  private config: Promise<oidc.Configuration> | undefined;

  constructor(private readonly options: OidcOptions) {}

  get name(): string {
    return this.options.name;
  }

  private configuration(): Promise<oidc.Configuration> {
    this.config ??= oidc
      .discovery(
        new URL(this.options.issuer),
        this.options.clientId,
        this.options.clientSecret,
        undefined,
        this.options.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        this.config = undefined;
        throw err;
      });
    return this.config;
  }

  async start(redirectUri: string): Promise<{ url: string; pending: PendingSignOn }> {
    const config = await this.configuration();
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  async finish(callbackUrl: URL, pending: PendingSignOn): Promise<SignOnIdentity> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider returned no ID token');
    // Providers that conform ID token claims (oidc-provider does by default) put email and names only in the
    // userinfo response, fetched with the access token and bound to the ID token's subject.
    const info: Record<string, unknown> =
      claims.email || claims.preferred_username
        ? claims
        : await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
    return {
      subject: `${claims.iss}|${claims.sub}`,
      email: info.email_verified === false ? null : text(info.email),
      preferredUsername: text(info.preferred_username),
    };
  }
}
