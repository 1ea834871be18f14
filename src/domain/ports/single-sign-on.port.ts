/** An OpenID Connect relying party: the console's optional single sign-on. */
export interface PendingSignOn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface SignOnIdentity {
  /** `issuer|sub`: stable across email changes. */
  subject: string;
  email: string | null;
  preferredUsername: string | null;
}

export interface SingleSignOn {
  readonly name: string;
  start(redirectUri: string): Promise<{ url: string; pending: PendingSignOn }>;
  /** Verifies the authorization response (state, nonce, PKCE, ID token) and returns who signed in. */
  finish(callbackUrl: URL, pending: PendingSignOn): Promise<SignOnIdentity>;
}
