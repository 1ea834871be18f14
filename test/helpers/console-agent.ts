import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

// A browser stand-in for the console over app.inject(): keeps cookies and the page's CSRF token.

export class ConsoleAgent {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (token) this.csrf = token;
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } }),
    );
  }

  /** A form POST; the CSRF token of the last page is added unless `_csrf` is given (or null to leave it out). */
  async post(
    url: string,
    form: Record<string, string | string[] | null> = {},
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    const withToken = '_csrf' in form ? form : { ...form, _csrf: this.csrf };
    for (const [k, v] of Object.entries(withToken))
      for (const x of v === null ? [] : Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/console/login');
    return this.post('/console/login', { username, password, next: '/console/sessions' });
  }
}
