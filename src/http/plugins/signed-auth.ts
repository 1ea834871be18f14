import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { AppError } from '../../domain/errors.js';
import type { AppRecord, Repositories } from '../../domain/ports/repositories.port.js';
import { nonceGuard } from './nonce-guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The relying-party app whose signature this request carries. */
    callerApp?: AppRecord;
  }
}

/**
 * Verifies the Yoti request signature (spec section 2): RSA-SHA256 over
 * `METHOD&<path-and-query after the mount prefix>[&base64(raw body)]`, the key chosen by the `sdkId` query
 * parameter. The raw request target is used byte for byte, never a re-encoded one.
 */
export function signedAuth(deps: { repos: Repositories; config: Config; prefix: string; now: () => number }) {
  const keys = new Map<string, { pem: string; key: KeyObject }>();
  const keyFor = (app: AppRecord): KeyObject => {
    const cached = keys.get(app.sdkId);
    if (cached?.pem === app.publicKeyPem) return cached.key;
    const key = createPublicKey(app.publicKeyPem);
    keys.set(app.sdkId, { pem: app.publicKeyPem, key });
    return key;
  };
  const checkReplay = deps.config.nonceGuard ? nonceGuard({ nonces: deps.repos.nonces, windowMs: deps.config.nonceWindowSec * 1000, now: deps.now }) : null;
  // Guard off: nonces go unrecorded from now on, so a later start must not be dated before this.
  if (!checkReplay) deps.repos.nonces.forgetGuardStart().catch(() => undefined);

  const reject = (request: FastifyRequest, reason: string): never => {
    request.log.info({ reason }, 'signature rejected');
    throw new AppError('UNAUTHORIZED');
  };

  return async function verifySignature(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const rawUrl = request.raw.url ?? '';
    const target = rawUrl.startsWith(deps.prefix) ? rawUrl.slice(deps.prefix.length) : rawUrl;
    const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
    const sdkId = query.get('sdkId');
    const digest = request.headers['x-yoti-auth-digest'];
    if (!sdkId) return reject(request, 'missing sdkId');
    if (typeof digest !== 'string' || !digest) return reject(request, 'missing digest');
    const app = await deps.repos.apps.get(sdkId);
    if (!app || app.revokedAt !== null) return reject(request, 'unknown or revoked app');

    const body = request.rawBody;
    const message = body && body.length > 0 ? `${request.method}&${target}&${body.toString('base64')}` : `${request.method}&${target}`;
    let valid = false;
    try {
      valid = verify('RSA-SHA256', Buffer.from(message), keyFor(app), Buffer.from(digest, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return reject(request, 'bad signature');

    const now = deps.now();
    if (deps.config.maxClockSkewSec > 0) {
      const ts = Number(query.get('timestamp'));
      // Only epoch-millisecond timestamps (the Node SDK's) can be checked; Java sends a monotonic clock.
      if (ts > 1e12 && Math.abs(now - ts) > deps.config.maxClockSkewSec * 1000) return reject(request, 'clock skew');
    }
    const replay = await checkReplay?.(app, query);
    if (replay) return reject(request, replay);
    if (request.bodyParseError) throw new AppError('PAYLOAD_VALIDATION', 'The request body is not valid JSON');
    request.callerApp = app;
  };
}

export function callerOf(request: FastifyRequest): AppRecord {
  if (!request.callerApp) throw new AppError('UNAUTHORIZED');
  return request.callerApp;
}
