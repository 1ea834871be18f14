import { createHash, createHmac } from 'node:crypto';
import { DeferJob, type Job, type JobQueue } from '../ports/job-queue.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { WebhookSender } from '../ports/webhook-sender.port.js';
import type { SessionRecord } from '../sessions/session.types.js';

export type Topic =
  | 'RESOURCE_UPDATE'
  | 'TASK_COMPLETION'
  | 'CHECK_COMPLETION'
  | 'SESSION_COMPLETION'
  | 'CLIENT_SESSION_TOKEN_DELETED';

/** Sessions that subscribe without listing topics get these. */
const DEFAULT_TOPICS: Topic[] = [
  'RESOURCE_UPDATE',
  'TASK_COMPLETION',
  'CHECK_COMPLETION',
  'SESSION_COMPLETION',
  'CLIENT_SESSION_TOKEN_DELETED',
];

export const WEBHOOK_JOB = 'webhook.deliver';

/** A stable id per event, so a re-run handler re-creates the same delivery instead of a second one. */
function eventId(sessionId: string, eventKey: string): string {
  const h = createHash('sha256').update(`${sessionId}:${eventKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Standard Webhooks signature: HMAC-SHA256 over `id.timestamp.body` with the app's secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface NotifierDeps {
  repos: Pick<Repositories, 'webhooks' | 'sessions' | 'apps'>;
  queue: Pick<JobQueue, 'enqueue'>;
  sender: WebhookSender;
  now: () => number;
  maxAttempts: number;
}

/**
 * Webhooks of spec section 8, delivered by the job queue at least once, in order per session, with bounded
 * exponential backoff. Each delivery carries a stable `webhook-id` so receivers can drop duplicates.
 */
export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  async notify(
    session: SessionRecord,
    topic: Topic,
    eventKey: string,
    extra: Record<string, string> = {},
  ): Promise<void> {
    const config = session.spec.notifications;
    if (!config) return;
    const topics = config.topics?.length ? config.topics : DEFAULT_TOPICS;
    if (!(topics as string[]).includes(topic)) return;
    const id = eventId(session.id, eventKey);
    const now = this.deps.now();
    await this.deps.repos.webhooks.create(
      {
        id,
        sessionId: session.id,
        topic,
        payload: { session_id: session.id, topic: topic.toLowerCase(), ...extra },
        state: 'pending',
        attempts: 0,
        lastStatus: null,
        lastError: null,
        updatedAt: now,
        deliveredAt: null,
      },
      now,
    );
    await this.deps.queue.enqueue({
      name: WEBHOOK_JOB,
      payload: { deliveryId: id },
      dedupeKey: `webhook:${id}`,
      sessionId: session.id,
      maxAttempts: this.deps.maxAttempts,
    });
  }

  /** Job handler: one delivery attempt. Throws to retry; defers while an earlier event is still pending. */
  async deliver(payload: { deliveryId: string }, job: Job): Promise<void> {
    const { repos } = this.deps;
    const delivery = await repos.webhooks.get(payload.deliveryId);
    if (delivery?.state !== 'pending') return;
    const session = await repos.sessions.getById(delivery.sessionId);
    const config = session?.spec.notifications;
    const app = session ? await repos.apps.get(session.appId) : null;
    if (!session || !config || !app) return;
    if (await repos.webhooks.earlierPending(delivery))
      throw new DeferJob(1000, 'an earlier event of this session is still pending');

    const body = JSON.stringify(delivery.payload);
    const timestamp = Math.floor(this.deps.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(app.webhookSecret, delivery.id, timestamp, body),
      'user-agent': 'openidv-webhooks',
      ...(job.requestId ? { 'x-request-id': job.requestId } : {}),
    };
    if (config.auth_token) {
      headers.authorization =
        config.auth_type === 'BEARER'
          ? `Bearer ${config.auth_token}`
          : `Basic ${Buffer.from(config.auth_token).toString('base64')}`;
    }
    delivery.attempts += 1;
    delivery.updatedAt = this.deps.now();
    try {
      const { status } = await this.deps.sender.post(config.endpoint, body, headers);
      delivery.lastStatus = status;
      if (status >= 200 && status < 300) {
        delivery.state = 'delivered';
        delivery.deliveredAt = this.deps.now();
        delivery.lastError = null;
        await repos.webhooks.update(delivery);
        return;
      }
      delivery.lastError = `HTTP ${status}`;
    } catch (err) {
      delivery.lastError = err instanceof Error ? err.message : String(err);
    }
    if (job.attempts >= job.maxAttempts) delivery.state = 'failed';
    await repos.webhooks.update(delivery);
    throw new Error(`webhook delivery failed: ${delivery.lastError}`);
  }
}
