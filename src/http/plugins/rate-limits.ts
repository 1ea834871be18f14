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
}

/**
 * The budget key of an address: IPv4 as is (IPv4-mapped IPv6 included), IPv6 by its /64, the block one
 * subscriber usually holds whole, so rotating through it does not buy a fresh budget per address.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
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
  const limiter = (max: number) => (max > 0 ? app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: (request) => keys.get(request)! }) : null);
  const identityLimit = limiter(config.rateLimitPerMinute);
  const addressLimit = limiter(config.unauthenticatedRateLimitPerMinute);

  /** True (with Retry-After set) when this request takes `key` over its budget. */
  const exceeds = async (limit: typeof identityLimit, request: FastifyRequest, reply: FastifyReply, key: string): Promise<boolean> => {
    if (!limit) return false;
    keys.set(request, key);
    const result = await limit(request);
    if (result.isAllowed || !result.isExceeded) return false;
    void reply.header('retry-after', String(Math.max(1, result.ttlInSeconds)));
    return true;
  };

  return {
    async admit(request, reply, identity) {
      if (await exceeds(identityLimit, request, reply, identity)) {
        limited.inc({ budget: 'identity' });
        throw new AppError('RATE_LIMITED');
      }
    },
    async refuse(request, reply, error) {
      // The refusal may come before the body is read: close the connection rather than read a stranger's upload.
      if (request.headers['content-length'] !== '0' && (request.headers['content-length'] || request.headers['transfer-encoding'])) {
        void reply.header('connection', 'close');
      }
      if (await exceeds(addressLimit, request, reply, `address:${addressKey(request.ip)}`)) {
        limited.inc({ budget: 'address' });
        throw new AppError('RATE_LIMITED');
      }
      throw error;
    },
  };
}
