import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { resolveWorkerScript } from '../../workers/worker-script.js';
import { Ctrl, type PartJob, runPart, scanKernelModule, type ScanKernel, writeJob } from './scan-kernel.js';

/** A helper that has not finished its range by then is presumed stuck; the caller does the range itself. */
const HELPER_TIMEOUT_MS = 2_000;
/** Below this many blocks (16 codes each) waking a helper costs more than it saves. */
const MIN_PARALLEL_BLOCKS = 2_048;

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
        const worker = new Worker(filename, {
          workerData: { ctrl: this.ctrl.buffer, port: port2, module },
          transferList: [port2],
        });
        worker.unref();
        worker.on('error', () => this.fail());
        worker.on('exit', () => this.fail());
        this.worker = worker;
      },
      () => this.fail(),
    );
  }

  /** Jobs started on this helper so far. */
  get jobs(): number {
    return this.seq;
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
        this.fail();
        return false;
      }
      Atomics.wait(this.ctrl, Ctrl.done, done, left);
    }
  }

  private fail(): void {
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
  private nextId = 1;

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
    const script = resolveWorkerScript(new URL('./scan-helper.worker.js', import.meta.url));
    script.catch(() => {}); // each helper marks itself broken
    for (let i = 0; i < helpers; i++) this.helpers.push(new Helper(scanKernelModule(), script));
  }

  /** Resolves once every helper is waiting for jobs or has failed (tests and benchmarks). */
  async started(timeoutMs = 10_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.helpers.some((h) => h.starting) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return this.helpers.filter((h) => h.ready).length;
  }

  /** Ranges handed to helper threads so far (tests check that a large scan is shared). */
  get helperJobs(): number {
    return this.helpers.reduce((sum, h) => sum + h.jobs, 0);
  }

  /** Makes a pool's memory known to the helpers; returns its id for `scan`. */
  attach(memory: WebAssembly.Memory): number {
    const id = this.nextId++;
    for (const h of this.helpers) h.port.postMessage({ attach: id, memory });
    return id;
  }

  detach(id: number): void {
    for (const h of this.helpers) h.port.postMessage({ detach: id });
  }

  /** How many threads should share a scan of `blocks` blocks (16 codes each) now, the caller included. */
  partsFor(blocks: number): number {
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
      found.push(h?.finish() ? h.found : runPart(kernel, parts[i]!));
    }
    return found;
  }
}
