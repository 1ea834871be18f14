import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { AppError } from '../../domain/errors.js';
import type { AppRecord, Repositories } from '../../domain/ports/repositories.port.js';
import type { Admission } from './rate-limits.js';
import { parseJsonBody } from './raw-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The relying-party app whose signature this request carries. */
    callerApp?: AppRecord;
  }
}

const NONCE_RETENTION_MS = 7 * 86400_000;

interface Claim {
  app: AppRecord;
  target: string;
  query: URLSearchParams;
  digest: string;
}

/**
 * Verifies the Yoti request signature (spec section 2): RSA-SHA256 over
 * `METHOD&<path-and-query after the mount prefix>[&base64(raw body)]`, the key chosen by the `sdkId` query
 * parameter. The raw request target is used byte for byte, never a re-encoded one.
 *
 * Two hooks: `onRequest` refuses, before a byte of the body is read, a request that names no known app or
 * carries no signature; `preValidation` verifies the signature over the buffered raw bytes, and only then counts
 * the request against the app's rate budget and parses its JSON. Every refusal counts against the connection's
 * address instead, so a stranger can neither spend an app's budget nor make the server parse what it sent.
 */
export function signedAuth(deps: { repos: Repositories; config: Config; prefix: string; now: () => number; admission: Admission }) {
  const keys = new Map<string, { pem: string; key: KeyObject }>();
  const keyFor = (app: AppRecord): KeyObject => {
    const cached = keys.get(app.sdkId);
    if (cached?.pem === app.publicKeyPem) return cached.key;
    const key = createPublicKey(app.publicKeyPem);
    keys.set(app.sdkId, { pem: app.publicKeyPem, key });
    return key;
  };
  const claims = new WeakMap<FastifyRequest, Claim>();
  let lastNoncePurge = 0;

  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: string): Promise<never> => {
    request.log.info({ reason }, 'signature rejected');
    return deps.admission.refuse(request, reply, new AppError('UNAUTHORIZED'));
  };

  async function identifyCaller(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const rawUrl = request.raw.url ?? '';
    const target = rawUrl.startsWith(deps.prefix) ? rawUrl.slice(deps.prefix.length) : rawUrl;
    const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
    const sdkId = query.get('sdkId');
    const digest = request.headers['x-yoti-auth-digest'];
    if (!sdkId) return refuse(request, reply, 'missing sdkId');
    if (typeof digest !== 'string' || !digest) return refuse(request, reply, 'missing digest');
    const app = await deps.repos.apps.get(sdkId);
    if (!app || app.revokedAt !== null) return refuse(request, reply, 'unknown or revoked app');
    claims.set(request, { app, target, query, digest });
  }

  async function verifySignature(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { app, target, query, digest } = claims.get(request)!;
    const body = request.rawBody;
    const message = body && body.length > 0 ? `${request.method}&${target}&${body.toString('base64')}` : `${request.method}&${target}`;
    let valid = false;
    try {
      valid = verify('RSA-SHA256', Buffer.from(message), keyFor(app), Buffer.from(digest, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return refuse(request, reply, 'bad signature');

    const now = deps.now();
    if (deps.config.maxClockSkewSec > 0) {
      const ts = Number(query.get('timestamp'));
      // Only epoch-millisecond timestamps (the Node SDK's) can be checked; Java sends a monotonic clock.
      if (ts > 1e12 && Math.abs(now - ts) > deps.config.maxClockSkewSec * 1000) return refuse(request, reply, 'clock skew');
    }
    if (deps.config.nonceGuard) {
      const nonce = query.get('nonce');
      if (!nonce) return refuse(request, reply, 'missing nonce');
      if (!(await deps.repos.nonces.remember(app.sdkId, nonce, now))) return refuse(request, reply, 'replayed nonce');
      if (now - lastNoncePurge > 3600_000) {
        lastNoncePurge = now;
        await deps.repos.nonces.purgeBefore(now - NONCE_RETENTION_MS);
      }
    }
    request.callerApp = app;
    await deps.admission.admit(request, reply, `app:${app.sdkId}`);
    parseJsonBody(request);
  }

  return { onRequest: identifyCaller, preValidation: verifySignature };
}

export function callerOf(request: FastifyRequest): AppRecord {
  if (!request.callerApp) throw new AppError('UNAUTHORIZED');
  return request.callerApp;
}
