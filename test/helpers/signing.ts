import { randomUUID, sign } from 'node:crypto';

// An independent implementation of the Yoti request signature, for negative tests that must tamper with a
// request after signing (the SDK cannot be made to do that).
export function signRequest(
  method: string,
  endpointWithQuery: string,
  body: Buffer | undefined,
  privateKeyPem: string,
): string {
  const message = body?.length
    ? `${method}&${endpointWithQuery}&${body.toString('base64')}`
    : `${method}&${endpointWithQuery}`;
  return sign('RSA-SHA256', Buffer.from(message), privateKeyPem).toString('base64');
}

export function signedQuery(sdkId: string): string {
  return `sdkId=${encodeURIComponent(sdkId)}&nonce=${randomUUID()}&timestamp=${Date.now()}`;
}

export interface RawResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Signs a request, lets the test tamper with what is sent afterwards, and sends it. */
export async function rawSignedFetch(
  apiUrl: string,
  opts: {
    method: string;
    path: string;
    body?: Buffer;
    contentType?: string;
    sdkId: string;
    privateKeyPem: string;
    tamper?: (sent: { path: string; body: Buffer | undefined }) => { path: string; body: Buffer | undefined };
  },
): Promise<RawResponse> {
  const sep = opts.path.includes('?') ? '&' : '?';
  const signedPath = `${opts.path}${sep}${signedQuery(opts.sdkId)}`;
  const digest = signRequest(opts.method, signedPath, opts.body, opts.privateKeyPem);
  const sent = opts.tamper ? opts.tamper({ path: signedPath, body: opts.body }) : { path: signedPath, body: opts.body };
  const res = await fetch(`${apiUrl}${sent.path}`, {
    method: opts.method,
    headers: {
      'x-yoti-auth-digest': digest,
      accept: 'application/json',
      ...(sent.body ? { 'content-type': opts.contentType ?? 'application/json' } : {}),
    },
    ...(sent.body ? { body: new Uint8Array(sent.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}
