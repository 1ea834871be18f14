import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { resolveWorkerScript } from '../../workers/worker-script.js';
import { Ctrl, type PartJob, runPart, scanKernelModule, type ScanKernel, writeJob } from './scan-kernel.js';

/** A helper that has not finished its range by then is presumed stuck; the caller does the range itself. */
const HELPER_TIMEOUT_MS = 2_000;
/** Below this many blocks (16 codes each) waking a helper costs more than it saves. */
const MIN_PARALLEL_BLOCKS = 2_048;
/** A helper that died is replaced at once, then no sooner than this after the last replacement, doubling up to a minute. */
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 60_000;

class Helper {
  readonly ctrl = new Int32Array(new SharedArrayBuffer(Ctrl.length * 4));
  readonly port: MessagePort;
  private worker?: Worker;
  private broken = false;
  private seq = 0;

  constructor(module: WebAssembly.Module, script: Promise<string>) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.unref();
    // Memories attached before the thread is up wait in the port's queue and travel with it.
    script.then(
      (filename) => {
        if (this.broken) return;
        const worker = new Worker(filename, {
          workerData: { ctrl: this.ctrl.buffer, port: port2, module },
          transferList: [port2],
        });
        worker.unref();
        worker.on('error', () => this.stop());
        worker.on('exit', () => this.stop());
        this.worker = worker;
      },
      () => this.stop(),
    );
  }

  /** Jobs started on this helper so far. */
  get jobs(): number {
    return this.seq;
  }

  /** Died, stalled or stopped: its thread is gone and it takes no more jobs. */
  get failed(): boolean {
    return this.broken;
  }

  get starting(): boolean {
    return !this.broken && Atomics.load(this.ctrl, Ctrl.ready) !== 1;
  }

  get ready(): boolean {
    return !this.broken && Atomics.load(this.ctrl, Ctrl.ready) === 1;
  }

  /** What the last finished job's runPart returned. */
  get found(): number {
    return Atomics.load(this.ctrl, Ctrl.found);
  }

  start(memory: number, job: PartJob): void {
    const c = this.ctrl;
    c[Ctrl.memory] = memory;
    writeJob(c, job);
    Atomics.store(c, Ctrl.seq, ++this.seq);
    Atomics.notify(c, Ctrl.seq);
  }

  /** Waits for the job started last; false if it failed or timed out (the caller redoes the range). */
  finish(): boolean {
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.ctrl, Ctrl.done);
      if (done === this.seq) return Atomics.load(this.ctrl, Ctrl.status) === 0;
      const left = deadline - performance.now();
      if (left <= 0) {
        this.stop();
        return false;
      }
      Atomics.wait(this.ctrl, Ctrl.done, done, left);
    }
  }

  /** Ends the thread and takes no more jobs (on error, exit, a stall, or stopHelpers). */
  stop(): void {
    if (this.broken) return;
    this.broken = true;
    void this.worker?.terminate();
  }
}

/**
 * Threads that share the scan of a large pool with the calling thread. The caller blocks until every part
 * is done (a search is synchronous, like the rest of the index). At a million faces the scan is bound by
 * memory bandwidth, so two threads took a search from 10.0 to 6.4 ms here, not to half (bench:search
 * --threads). One set per process and thread count, shared by all pools.
 */
export class ScanThreads {
  private static readonly sets = new Map<number, ScanThreads>();
  private readonly helpers: Helper[] = [];
  private readonly memories = new Map<number, WebAssembly.Memory>();
  private readonly script?: Promise<string>;
  private nextId = 1;
  private restartAt = 0;
  private restartDelay = RESTART_MIN_MS;
  /** Jobs run by helpers since replaced, so that helperJobs only grows. */
  private replacedJobs = 0;

  /** `threads` counts the calling thread: 1 means no helpers. */
  static get(threads: number): ScanThreads {
    const n = Math.max(1, Math.min(Math.floor(threads), availableParallelism()));
    let set = ScanThreads.sets.get(n);
    if (!set) {
      set = new ScanThreads(n - 1);
      ScanThreads.sets.set(n, set);
    }
    return set;
  }

  private constructor(helpers: number) {
    if (helpers === 0) return;
    this.script = resolveWorkerScript(new URL('./scan-helper.worker.js', import.meta.url));
    this.script.catch(() => {}); // each helper marks itself broken
    for (let i = 0; i < helpers; i++) this.helpers.push(new Helper(scanKernelModule(), this.script));
  }

  /**
   * A helper that died or stalled (see HELPER_TIMEOUT_MS) is replaced by a new thread that is given every
   * attached memory; until it is up, the caller scans alone. Replacements back off, so that a thread that
   * cannot start at all is not respawned on every search.
   */
  private replaceFailed(): void {
    if (!this.script || !this.helpers.some((h) => h.failed) || performance.now() < this.restartAt) return;
    this.restartAt = performance.now() + this.restartDelay;
    this.restartDelay = Math.min(RESTART_MAX_MS, this.restartDelay * 2);
    this.helpers.forEach((h, i) => {
      if (!h.failed) return;
      this.replacedJobs += h.jobs;
      const fresh = new Helper(scanKernelModule(), this.script as Promise<string>);
      for (const [id, memory] of this.memories) fresh.port.postMessage({ attach: id, memory });
      this.helpers[i] = fresh;
    });
  }

  /** Stops every helper thread; the next scans replace them as they would threads that died (tests). */
  stopHelpers(): void {
    for (const h of this.helpers) h.stop();
  }

  /** Resolves once every helper is waiting for jobs or has failed (tests and benchmarks). */
  async started(timeoutMs = 10_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.helpers.some((h) => h.starting) && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    return this.helpers.filter((h) => h.ready).length;
  }

  /** Ranges handed to helper threads so far (tests check that a large scan is shared). */
  get helperJobs(): number {
    return this.helpers.reduce((sum, h) => sum + h.jobs, this.replacedJobs);
  }

  /** Makes a pool's memory known to the helpers; returns its id for `scan`. */
  attach(memory: WebAssembly.Memory): number {
    const id = this.nextId++;
    this.memories.set(id, memory);
    for (const h of this.helpers) h.port.postMessage({ attach: id, memory });
    return id;
  }

  detach(id: number): void {
    this.memories.delete(id);
    for (const h of this.helpers) h.port.postMessage({ detach: id });
  }

  /** How many threads should share a scan of `blocks` blocks (16 codes each) now, the caller included. */
  partsFor(blocks: number): number {
    this.replaceFailed();
    return blocks >= MIN_PARALLEL_BLOCKS ? this.helpers.filter((h) => h.ready).length + 1 : 1;
  }

  /**
   * Runs parts[0] on the calling thread and the others on helpers of the pool `id` (`kernel` is the caller's
   * own instance); a part whose helper fails or is not ready is run by the caller. Returns runPart's results.
   */
  run(id: number, kernel: ScanKernel, parts: PartJob[]): number[] {
    const helpers = this.helpers.filter((h) => h.ready).slice(0, parts.length - 1);
    helpers.forEach((h, i) => h.start(id, parts[i + 1]!));
    const found = [runPart(kernel, parts[0]!)];
    for (let i = 1; i < parts.length; i++) {
      const h = helpers[i - 1];
      if (h?.finish()) {
        this.restartDelay = RESTART_MIN_MS;
        found.push(h.found);
      } else found.push(runPart(kernel, parts[i]!));
    }
    return found;
  }
}
