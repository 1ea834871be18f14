import { createPublicKey, createVerify, type KeyObject, type Verify } from 'node:crypto';
import { finished, Transform, type TransformCallback } from 'node:stream';
import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import type { Config } from '../../config/config.js';
import { AppError } from '../../domain/errors.js';
import type { AppRecord, Repositories } from '../../domain/ports/repositories.port.js';
import type { Admission } from './rate-limits.js';
import { parseJsonBody } from './raw-body.js';
import { nonceGuard } from './nonce-guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The relying-party app whose signature this request carries. */
    callerApp?: AppRecord;
  }
}

/**
 * Feeds the signed message `&<base64 of the body>` to the verifier while the body streams in: an upload's signed
 * message is never built as one string 4/3 of its size. The hashing runs in slices of at most 2 ms per turn of
 * the event loop, not inside the read callbacks: libuv reads up to 2 MB per socket per turn, and hashing that
 * for several uploads at once held other requests back by 100 ms and more. The stream ends once all is hashed.
 */
export class SignedBodyHasher extends Transform {
  private carry = Buffer.alloc(0);
  private started = false;
  private readonly pending: Buffer[] = [];
  private draining = false;
  private flushed: TransformCallback | null = null;

  constructor(private readonly verifier: Verify) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (chunk.length > 0) {
      this.pending.push(chunk);
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => this.drain());
      }
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.flushed = callback;
    if (!this.draining) this.finish();
  }

  private drain(): void {
    const until = performance.now() + 2;
    while (this.pending.length && !this.destroyed && performance.now() < until) this.hash(this.pending.shift()!);
    if (this.pending.length && !this.destroyed) return void setImmediate(() => this.drain());
    this.draining = false;
    if (this.flushed) this.finish();
  }

  private hash(chunk: Buffer): void {
    if (!this.started) this.verifier.update('&');
    this.started = true;
    // Complete the 3-byte group left over from the last chunk, then encode whole groups straight from this one.
    const head = this.carry.length ? Math.min(3 - this.carry.length, chunk.length) : 0;
    if (head) {
      this.carry = Buffer.concat([this.carry, chunk.subarray(0, head)]);
      if (this.carry.length < 3) return;
      this.verifier.update(this.carry.toString('base64'));
    }
    const end = chunk.length - ((chunk.length - head) % 3);
    this.verifier.update(chunk.subarray(head, end).toString('base64'));
    this.carry = Buffer.from(chunk.subarray(end));
  }

  private finish(): void {
    if (this.carry.length) this.verifier.update(this.carry.toString('base64'));
    this.carry = Buffer.alloc(0);
    const callback = this.flushed!;
    this.flushed = null;
    callback();
  }
}

interface Claim {
  app: AppRecord;
  query: URLSearchParams;
  digest: string;
  /** Holds `METHOD&<target>`, then the body's part of the message as it arrives. */
  verifier: Verify;
}

/**
 * Verifies the Yoti request signature (spec section 2): RSA-SHA256 over
 * `METHOD&<path-and-query after the mount prefix>[&base64(raw body)]`, the key chosen by the `sdkId` query
 * parameter. The raw request target is used byte for byte, never a re-encoded one.
 *
 * Three hooks: `onRequest` refuses, before a byte of the body is read, a request that names no known app or
 * carries no signature; `preParsing` hashes the body as it arrives; `preValidation` verifies the signature, and
 * only then counts the request against the app's rate budget and parses its JSON. Every refusal counts against the connection's
 * address instead, so a stranger can neither spend an app's budget nor make the server parse what it sent.
 */
export function signedAuth(deps: {
  repos: Repositories;
  config: Config;
  prefix: string;
  now: () => number;
  admission: Admission;
}) {
  const keys = new Map<string, { pem: string; key: KeyObject }>();
  const keyFor = (app: AppRecord): KeyObject => {
    const cached = keys.get(app.sdkId);
    if (cached?.pem === app.publicKeyPem) return cached.key;
    const key = createPublicKey(app.publicKeyPem);
    keys.set(app.sdkId, { pem: app.publicKeyPem, key });
    return key;
  };
  const claims = new WeakMap<FastifyRequest, Claim>();
  const checkReplay = deps.config.nonceGuard
    ? nonceGuard({ nonces: deps.repos.nonces, windowMs: deps.config.nonceWindowSec * 1000, now: deps.now })
    : null;
  // Guard off: nonces go unrecorded from now on, so a later start must not be dated before this.
  if (!checkReplay) deps.repos.nonces.forgetGuardStart().catch(() => undefined);

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
    // An address that keeps failing may not make the server read another upload-sized body before it signs one.
    const length = Number(request.headers['content-length'] ?? (request.headers['transfer-encoding'] ? Infinity : 0));
    if (length > deps.config.jsonBodyLimit && deps.admission.overBudget(request))
      return refuse(request, reply, 'large body from an address over budget');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${request.method}&${target}`);
    claims.set(request, { app, query, digest, verifier });
  }

  async function hashBody(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: RequestPayload,
  ): Promise<RequestPayload> {
    // Fastify reads no body of these methods, so none is signed.
    if (request.method === 'GET' || request.method === 'HEAD') return payload;
    const hasher = new SignedBodyHasher(claims.get(request)!.verifier);
    payload.pipe(hasher);
    // An aborted upload's error goes on to the body reader.
    finished(payload, (err) => err && hasher.destroy(err));
    // Answered before the body was read (415, 413 from Content-Length): read the rest and drop it, as Node does
    // for a body nobody reads, or the connection would stay paused until the client gives up.
    reply.raw.once('finish', () => {
      if (!request.raw.complete) {
        payload.unpipe(hasher);
        payload.resume();
      }
    });
    return hasher;
  }

  async function verifySignature(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { app, query, digest, verifier } = claims.get(request)!;
    let valid = false;
    try {
      valid = verifier.verify(keyFor(app), Buffer.from(digest, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return refuse(request, reply, 'bad signature');

    const now = deps.now();
    if (deps.config.maxClockSkewSec > 0) {
      const ts = Number(query.get('timestamp'));
      // Only epoch-millisecond timestamps (the Node SDK's) can be checked; Java sends a monotonic clock.
      if (ts > 1e12 && Math.abs(now - ts) > deps.config.maxClockSkewSec * 1000)
        return refuse(request, reply, 'clock skew');
    }
    const replay = await checkReplay?.(app, query);
    if (replay) return refuse(request, reply, replay);
    request.callerApp = app;
    await deps.admission.admit(request, reply, `app:${app.sdkId}`);
    parseJsonBody(request);
  }

  return { onRequest: identifyCaller, preParsing: hashBody, preValidation: verifySignature };
}

export function callerOf(request: FastifyRequest): AppRecord {
  if (!request.callerApp) throw new AppError('UNAUTHORIZED');
  return request.callerApp;
}
