import { loadConfig } from '../../src/config/config.js';
import { Notifier } from '../../src/domain/notifications/notifier.js';
import type { AppRepository } from '../../src/domain/ports/repositories.port.js';
import { ReviewService } from '../../src/domain/review/review.service.js';
import { SessionLifecycle } from '../../src/domain/sessions/lifecycle/session-lifecycle.js';
import { validateSessionSpec } from '../../src/domain/sessions/session-spec.validator.js';
import type { SessionSpecInput } from '../../src/domain/sessions/session-spec.schema.js';
import { MemoryJobQueue } from './memory-job-queue.js';
import { MemoryMediaStore } from './memory-media-store.js';
import { MemorySessionStore } from './memory-repositories.js';
import { MemoryReviewRepository } from './memory-reviews.js';

const POLICY = loadConfig({}).sessions;

/**
 * The session domain on in-memory fakes of its ports: the real lifecycle, notifier and review service over a
 * memory store, queue and media store, with a clock the test moves and ids it can read. Webhook sending is not
 * reached (deliveries stay queued as jobs).
 */
export function sessionWorld() {
  let clock = 1_700_000_000_000;
  let seq = 0;
  const now = () => clock;
  const newId = () => `id-${++seq}`;
  const store = new MemorySessionStore();
  const queue = new MemoryJobQueue();
  const media = new MemoryMediaStore();
  const apps: AppRepository = {
    create: async () => undefined,
    get: async () => null,
    list: async () => [],
    revoke: async () => false,
    setFrameAncestors: async () => false,
  };
  const notifier = new Notifier({ repos: { webhooks: store.webhooks, sessions: store.sessions, apps }, queue, sender: { post: async () => ({ status: 204 }) }, now, maxAttempts: 3 });
  const reviews = new ReviewService({ reviews: new MemoryReviewRepository(), policy: { fourEyesReject: false }, now, newId });
  let scrubs = 0;
  const lifecycle = new SessionLifecycle({
    sessions: store.sessions,
    resources: store.resources,
    work: store.work,
    queue,
    events: notifier,
    media,
    reviews,
    scrub: async () => void scrubs++,
    now,
    newId,
  });
  reviews.onDecided((event) => lifecycle.reviewDecided(event));
  return {
    store,
    queue,
    media,
    notifier,
    reviews,
    lifecycle,
    now,
    newId,
    advance: (ms: number) => void (clock += ms),
    scrubs: () => scrubs,
    /** Webhook topics recorded for a session, in order (one per event: re-sent events keep their id). */
    topics: async (sessionId: string) => (await store.webhooks.list(sessionId)).map((w) => w.topic),
    spec: (input: SessionSpecInput) => validateSessionSpec(input, POLICY, clock),
  };
}
