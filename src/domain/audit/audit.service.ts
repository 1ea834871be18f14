import type { AuditRepository } from '../ports/console-repository.port.js';
import type { AuditEvent, AuditQuery, NewAuditEvent } from './audit.types.js';

export interface Actor {
  name: string;
  ip: string | null;
}

/**
 * Records who saw or decided what. Events about a session expire with the session's data (its resources TTL),
 * so the audit trail keeps no reference to a session longer than the session itself is kept.
 */
export class AuditService {
  constructor(
    private readonly deps: {
      audit: AuditRepository;
      now: () => number;
    },
  ) {}

  async record(
    actor: Actor,
    action: string,
    about: {
      appId?: string | null;
      sessionId?: string | null;
      target?: string | null;
      detail?: unknown;
      expiresAt?: number | null;
    } = {},
  ): Promise<void> {
    const detail =
      about.detail === undefined
        ? null
        : typeof about.detail === 'string'
          ? about.detail
          : JSON.stringify(about.detail);
    const event: NewAuditEvent = {
      at: this.deps.now(),
      actor: actor.name,
      action,
      appId: about.appId ?? null,
      sessionId: about.sessionId ?? null,
      target: about.target ?? null,
      detail: detail === null ? null : detail.slice(0, 4000),
      ip: actor.ip,
      expiresAt: about.expiresAt ?? null,
    };
    await this.deps.audit.append(event);
  }

  search(query: AuditQuery): Promise<AuditEvent[]> {
    return this.deps.audit.query(query);
  }

  purgeExpired(): Promise<number> {
    return this.deps.audit.purgeExpired(this.deps.now());
  }
}

const CSV_COLUMNS = ['seq', 'at', 'actor', 'action', 'app_id', 'session_id', 'target', 'detail', 'ip'] as const;

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditRow(e: AuditEvent) {
  return {
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    app_id: e.appId,
    session_id: e.sessionId,
    target: e.target,
    detail: e.detail,
    ip: e.ip,
  };
}

export function auditCsv(events: AuditEvent[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of events) {
    const row = auditRow(e);
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
