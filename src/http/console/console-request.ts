import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, validationError } from '../../domain/errors.js';
import type { Actor } from '../../domain/audit/audit.service.js';
import { can, type ConsoleUser, type Permission } from '../../domain/console/console-user.types.js';
import type { SignInSession } from '../../domain/ports/console-repository.port.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in console user (console routes only). */
    consoleUser?: ConsoleUser;
    consoleSession?: SignInSession;
  }
}

export const SESSION_COOKIE = 'openidv_console';
/** A sign-in in progress (login form, single sign-on): SameSite=Lax so the provider's redirect back carries it. */
export const PENDING_COOKIE = 'openidv_console_signin';
export const CONSOLE_PREFIX = '/console';

export function user(request: FastifyRequest): ConsoleUser {
  if (!request.consoleUser) throw new AppError('UNAUTHORIZED', 'Sign in first');
  return request.consoleUser;
}

export function requirePermission(request: FastifyRequest, permission: Permission): ConsoleUser {
  const u = user(request);
  if (!can(u, permission)) throw new AppError('FORBIDDEN', 'Your role does not allow this');
  return u;
}

export function actor(request: FastifyRequest): Actor {
  return { name: request.consoleUser?.username ?? 'anonymous', ip: request.ip ?? null };
}

export function secureRequest(request: FastifyRequest, always: boolean): boolean {
  return always || request.protocol === 'https';
}

export function setCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  name: string,
  value: string,
  options: { secureAlways: boolean; lax?: boolean; maxAgeSec?: number },
) {
  void reply.setCookie(name, value, {
    path: CONSOLE_PREFIX,
    httpOnly: true,
    sameSite: options.lax ? 'lax' : 'strict',
    secure: secureRequest(request, options.secureAlways),
    ...(options.maxAgeSec !== undefined ? { maxAge: options.maxAgeSec } : {}),
  });
}

export function clearCookie(reply: FastifyReply, name: string) {
  void reply.clearCookie(name, { path: CONSOLE_PREFIX });
}

/** Form bodies: fields as strings, repeated fields (checkboxes) as arrays. */
export type Form = Record<string, string | string[]>;

export function field(form: unknown, name: string, maxLength = 500): string {
  const value = (form as Form | undefined)?.[name];
  const text = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  if (text.length > maxLength)
    throw validationError([{ property: name, message: `must be at most ${maxLength} characters` }]);
  return text;
}

export function fields(form: unknown, name: string): string[] {
  const value = (form as Form | undefined)?.[name];
  return (Array.isArray(value) ? value : value ? [value] : []).filter((v) => v.length <= 200).slice(0, 200);
}

/** One query parameter as a string, bounded; repeated parameters take the first. */
export function param(query: unknown, name: string, maxLength = 200): string | undefined {
  const value = (query as Record<string, string | string[] | undefined>)[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '') return undefined;
  if (text.length > maxLength)
    throw validationError([{ property: name, message: `must be at most ${maxLength} characters` }]);
  return text;
}

/** Where to go after signing in: a console path only, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/console(\/[A-Za-z0-9/_\-.?=&%]*)?$/.test(next) && !next.includes('//')
    ? next
    : `${CONSOLE_PREFIX}/`;
}

export function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** A YYYY-MM-DD query parameter as epoch ms: its start, or (end) the start of the next day. */
export function dayParam(query: unknown, name: string, end = false): number | undefined {
  const value = param(query, name, 20);
  if (value === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(at)) throw validationError([{ property: name, message: 'must be a date (YYYY-MM-DD)' }]);
  return end ? at + 86400_000 : at;
}
