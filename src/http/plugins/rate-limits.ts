import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../../config/config.js';
import { AppError } from '../../domain/errors.js';

/**
 * Who pays for a request. An authenticated caller (an app whose signature verified, a client session whose token
 * verified) is counted against its own budget, keyed by its canonical id from the database, never by text from
 * the request. Everything that fails or lacks authentication is counted against the connection's address
 * (request.ip: the socket's peer unless OPENIDV_TRUST_PROXY names the proxy in front), so a stranger naming a
 * victim's sdkId or session id spends only its own budget, and a victim is never throttled by someone else.
 */
export interface Admission {
  /** Counts an authenticated request against `identity`'s budget; throws RATE_LIMITED above it. */
  admit(request: FastifyRequest, reply: FastifyReply, identity: string): Promise<void>;
  /** Counts a refused request against its address; throws RATE_LIMITED over budget, else `error`. */
  refuse(request: FastifyRequest, reply: FastifyReply, error: AppError): Promise<never>;
  /** Whether the request's address is over its budget of refusals (nothing is counted). */
  overBudget(request: FastifyRequest): boolean;
}

/**
 * The budget key of an address: IPv4 as is (IPv4-mapped IPv6 included), IPv6 by its /64, the block one
 * subscriber usually holds whole, so rotating through it does not buy a fresh budget per address.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((p) => p.toString(16))
    .join(':')}::/64`;
}

const WINDOW_MS = 60_000;

export async function registerRateLimits(app: FastifyInstance, config: Config, metrics: Registry): Promise<Admission> {
  await app.register(rateLimit, { global: false });
  const limited = new Counter({
    name: 'openidv_rate_limited_total',
    help: 'Requests answered 429, by the budget they exceeded (an authenticated identity, or an address for unauthenticated requests)',
    labelNames: ['budget'] as const,
    registers: [metrics],
  });
  const keys = new WeakMap<FastifyRequest, string>();
  // Addresses over budget, until when: lets a caller refuse before reading a body. Pruned as it grows.
  const overBudgetUntil = new Map<string, number>();
  const markOverBudget = (key: string, ttlSeconds: number) => {
    const now = Date.now();
    if (overBudgetUntil.size >= 10_000)
      for (const [k, until] of overBudgetUntil) if (until <= now) overBudgetUntil.delete(k);
    if (overBudgetUntil.size < 10_000) overBudgetUntil.set(key, now + ttlSeconds * 1000);
  };
  const limiter = (max: number) =>
    max > 0 ? app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: (request) => keys.get(request)! }) : null;
  const identityLimit = limiter(config.rateLimitPerMinute);
  const addressLimit = limiter(config.unauthenticatedRateLimitPerMinute);

  /** The seconds until `key`'s budget resets (Retry-After set) when this request takes it over, else 0. */
  const exceeds = async (
    limit: typeof identityLimit,
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
  ): Promise<number> => {
    if (!limit) return 0;
    keys.set(request, key);
    const result = await limit(request);
    if (result.isAllowed || !result.isExceeded) return 0;
    const retryAfter = Math.max(1, result.ttlInSeconds);
    void reply.header('retry-after', String(retryAfter));
    return retryAfter;
  };
  const addressOf = (request: FastifyRequest) => `address:${addressKey(request.ip)}`;

  return {
    async admit(request, reply, identity) {
      if (await exceeds(identityLimit, request, reply, identity)) {
        limited.inc({ budget: 'identity' });
        throw new AppError('RATE_LIMITED');
      }
    },
    async refuse(request, reply, error) {
      // A refusal before the body is read keeps the connection: Node reads the rest of the body and drops it
      // (no buffering; the request timeout bounds a body that never ends). Closing instead would reset the
      // connection under a client still sending, and it would never see the answer.
      const retryAfter = await exceeds(addressLimit, request, reply, addressOf(request));
      if (retryAfter) {
        markOverBudget(addressOf(request), retryAfter);
        limited.inc({ budget: 'address' });
        throw new AppError('RATE_LIMITED');
      }
      throw error;
    },
    overBudget(request) {
      return (overBudgetUntil.get(addressOf(request)) ?? 0) > Date.now();
    },
  };
}
