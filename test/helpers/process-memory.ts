import { readFileSync, writeFileSync } from 'node:fs';

// Memory and liveness of a server process during an attack, read from /proc (Linux).

const status = (pid: number, field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** Resident memory of a process in MiB. */
export const rssMb = (pid: number) => status(pid, 'VmRSS');

/**
 * Watches a process from now on: the highest resident memory it reaches (its VmHWM, reset here to the current
 * VmRSS, and VmRSS sampled every 20 ms in case the reset is not allowed) and the slowest /healthz answer.
 */
export function watchServer(pid: number, baseUrl: string) {
  const baseline = rssMb(pid);
  let sampled = baseline;
  let resetPeak = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    resetPeak = false;
  }
  let slowestHealthMs = 0;
  let healthFailures = 0;
  let running = true;
  const sampler = setInterval(() => (sampled = Math.max(sampled, rssMb(pid))), 20);
  const health = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
        (r) => r.ok,
        () => false,
      );
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      if (!ok) healthFailures++;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    baseline,
    async stop() {
      running = false;
      clearInterval(sampler);
      await health;
      const peak = Math.max(sampled, resetPeak ? status(pid, 'VmHWM') : 0);
      return { peakGrowthMb: peak - baseline, slowestHealthMs, healthFailures };
    },
  };
}
