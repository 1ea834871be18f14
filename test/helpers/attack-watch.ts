import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

// Watching a server process while a test attacks it: /healthz latency from a separate process (with an idle
// control server probed alternately, to tell the server's delay from the shared machine's), and its resident
// memory from /proc (Linux). One rule for every hostile suite: expectResponsive().

export interface Latencies {
  /** The latency of each answer in ms. */
  latencies: number[];
  /** Probes that failed or took over 5 s. */
  failures: number;
}

export interface LatencyProbe {
  /** Stops probing; what the target answered, and what an idle control process answered meanwhile. */
  stop(): Promise<{ target: Latencies; control: Latencies }>;
}

/**
 * Polls `url` every `everyMs` from a separate process on fresh connections, so the figures are the server's and
 * not this test process's event loop, which is busy producing the attack. Each probe of the target is followed
 * by one of an idle control server (a bare node:http process): on a shared machine the control shows how much of
 * a latency is the machine's load rather than the server's work.
 */
export async function probeLatency(url: string, everyMs = 5): Promise<LatencyProbe> {
  const source = `
    const http = require('node:http');
    let stopping = false;
    process.on('SIGTERM', () => { stopping = true; });
    const once = (target) => new Promise((resolve) => {
      const started = performance.now();
      const r = http.get(target, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode === 200 ? (performance.now() - started).toFixed(1) : 'FAIL')); });
      r.setTimeout(5000, () => { r.destroy(); resolve('FAIL'); });
      r.on('error', () => resolve('FAIL'));
    });
    const control = require('node:child_process').spawn(process.execPath, ['-e', "require('node:http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port)); })"], { stdio: ['ignore', 'pipe', 'inherit'] });
    control.stdout.once('data', async (port) => {
      const controlUrl = 'http://127.0.0.1:' + port + '/';
      while (!stopping) {
        process.stdout.write('T ' + (await once(process.argv[1])) + '\\n');
        process.stdout.write('C ' + (await once(controlUrl)) + '\\n');
        await new Promise((r) => setTimeout(r, ${everyMs}));
      }
      control.kill();
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['-e', source, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const probed = () => output.split('\n').filter((l) => l.startsWith('C ')).length;
  const whenProbed = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (probed() >= n || child.exitCode !== null ? resolve() : setTimeout(check, 2));
      check();
    });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  const of = (tag: string): Latencies => {
    const values = output
      .split('\n')
      .filter((l) => l.startsWith(`${tag} `))
      .map((l) => l.slice(2));
    return {
      latencies: values.filter((v) => v !== 'FAIL').map(Number),
      failures: values.filter((v) => v === 'FAIL').length,
    };
  };
  // Probing has begun before the attack does, and a short attack still gets a few probes around it.
  await whenProbed(1);
  return {
    async stop() {
      await whenProbed(3);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      return { target: of('T'), control: of('C') };
    },
  };
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;
};

export const median = (values: number[]): number => percentile(values, 0.5);

/** What the attack may add to /healthz at the 95th percentile, over the idle control's own figure. */
export const HEALTHZ_BUDGET_MS = 250;

export const latencyFigures = ({ latencies, failures }: Latencies) =>
  `${latencies.length} probes, median ${median(latencies)} ms, p95 ${percentile(latencies, 0.95)} ms, max ${Math.max(...latencies)} ms, failed ${failures}`;

/**
 * /healthz answered every probe, within 1 s, and at the 95th percentile within 250 ms more than an idle control
 * process answered meanwhile. The machine these tests run on is shared (load averages of 15-25 on 2 cores were
 * seen while other work ran, when an idle process's probes alone peaked at 60-760 ms), so what is held to 250 ms
 * is what the attack adds; on a quiet machine the control's p95 is a few ms. Before the issue-19 fixes the
 * process died or stalled for seconds, which fails every bound.
 */
export function expectResponsive(
  phase: string,
  { target, control }: { target: Latencies; control: Latencies },
  log = console.log,
) {
  log(`[hostile] ${phase}: /healthz ${latencyFigures(target)}; idle control meanwhile ${latencyFigures(control)}`);
  expect(target.failures, phase).toBe(0);
  expect(target.latencies.length, phase).toBeGreaterThanOrEqual(3);
  expect(percentile(target.latencies, 0.95), phase).toBeLessThan(
    HEALTHZ_BUDGET_MS + percentile(control.latencies, 0.95),
  );
  expect(Math.max(...target.latencies), phase).toBeLessThan(1000);
}

const status = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** Resident memory of a process in MiB. */
export const rssMb = (pid: number) => status(pid, 'VmRSS');

/**
 * Watches a process from now on: the highest resident memory it reaches (its VmHWM, reset here to the current
 * VmRSS, and VmRSS sampled every 20 ms in case the reset is not allowed) and its /healthz latencies.
 */
export async function watchServer(pid: number, baseUrl: string) {
  const baseline = rssMb(pid);
  let sampled = baseline;
  let resetPeak = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    resetPeak = false;
  }
  const sampler = setInterval(() => (sampled = Math.max(sampled, rssMb(pid))), 20);
  const health = await probeLatency(`${baseUrl}/healthz`);
  return {
    baseline,
    async stop() {
      clearInterval(sampler);
      const probes = await health.stop();
      const peak = Math.max(sampled, resetPeak ? status(pid, 'VmHWM') : 0);
      return { peakGrowthMb: peak - baseline, health: probes };
    },
  };
}
