import { Counter, Gauge } from 'prom-client';
import { WEBHOOK_JOB } from '../domain/notifications/notifier.js';
import type { Container } from './container.js';
import { type JobHandler, JobRunner } from './job-runner.js';
import { runMaintenance } from './maintenance.js';

export interface Workers {
  stop(graceMs?: number): Promise<void>;
}

/** Job workers and periodic maintenance, in `serve` (unless --no-workers) or alone in `openidv worker`. */
export function startWorkers(c: Container): Workers {
  const outcomes = new Counter({
    name: 'openidv_jobs_total',
    help: 'Jobs run, by name and outcome',
    labelNames: ['name', 'outcome'] as const,
    registers: [c.metrics],
  });
  new Gauge({
    name: 'openidv_jobs',
    help: 'Jobs by state',
    labelNames: ['state'] as const,
    registers: [c.metrics],
    async collect() {
      const stats = await c.queue.stats();
      for (const [state, n] of Object.entries(stats)) this.set({ state }, n);
    },
  });
  const handlers: Record<string, JobHandler> = {
    ...(c.pipeline.handlers() as Record<string, JobHandler>),
    ...(c.lifecycle.handlers() as Record<string, JobHandler>),
    ...(c.modelMigration.handlers() as Record<string, JobHandler>),
    [WEBHOOK_JOB]: ((payload: { deliveryId: string }, job) => c.notifier.deliver(payload, job)) as JobHandler,
  };
  const runner = new JobRunner(c.queue, handlers, {
    concurrency: c.config.workers.concurrency,
    leaseMs: c.config.workers.leaseSec * 1000,
    pollMs: c.config.workers.pollMs,
    logger: c.logger.child({ component: 'jobs' }),
    onOutcome: (name, outcome) => outcomes.inc({ name, outcome }),
  });
  const unsubscribe = c.jobSignal.subscribe(() => runner.wake());
  runner.start();

  let maintaining: Promise<void> = Promise.resolve();
  const tick = () => {
    maintaining = runMaintenance(c).catch((err: unknown) => c.logger.error({ err }, 'maintenance failed'));
  };
  const timer = setInterval(tick, c.config.workers.maintenanceMs);
  tick();
  return {
    async stop(graceMs) {
      clearInterval(timer);
      await maintaining;
      unsubscribe();
      await runner.stop(graceMs);
    },
  };
}
