import { WASM_BASE64 } from './scan-kernel.wasm.js';

export interface ScanKernel {
  scan(codes: number, blocks: number, tables: number, rows: number, out: number): void;
  collect(scores: number, n: number, min: number, out: number, cap: number, first: number): number;
  refine(rows: number, count: number, tail: number, bytes: number, tables: number, scores: number, out: number): number;
  dots(list: number, count: number, base: number, width: number, probe: number, out: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** The kernel's module, compiled once per thread on first use (about a kilobyte; synchronous). */
export function scanKernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  return compiled;
}

/** Bytes of a WebAssembly memory page. */
export const PAGE = 65_536;

/** Grows a memory so that it holds at least `bytes`. */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) memory.grow(pages);
}

export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

export function instantiateScanKernel(memory: WebAssembly.Memory, module = scanKernelModule()): ScanKernel {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ScanKernel;
}

/**
 * One thread's share of a search: scan a range of blocks into their scores, collect the range's rows scoring
 * at least `min` (at most `cap`, as u32 at `list`) and complete their estimates with their tails (u16 at
 * `refined`). All positions are byte offsets into the pool's memory.
 */
export interface PartJob {
  codes: number;
  blocks: number;
  tables: number;
  rows: number;
  out: number;
  min: number;
  first: number;
  count: number;
  list: number;
  cap: number;
  scores: number;
  tail: number;
  tailBytes: number;
  tailTables: number;
  refined: number;
}

const JOB_FIELDS = [
  'codes',
  'blocks',
  'tables',
  'rows',
  'out',
  'min',
  'first',
  'count',
  'list',
  'cap',
  'scores',
  'tail',
  'tailBytes',
  'tailTables',
  'refined',
] as const;

/** Runs a part; returns the rows it collected (more than `cap`: too many, nothing refined). */
export function runPart(kernel: ScanKernel, j: PartJob): number {
  kernel.scan(j.codes, j.blocks, j.tables, j.rows, j.out);
  const got = kernel.collect(j.out, j.count, j.min, j.list, j.cap, j.first);
  if (got <= j.cap) kernel.refine(j.list, got, j.tail, j.tailBytes, j.tailTables, j.scores, j.refined);
  return got;
}

/** Slots of a helper's control block (Int32Array over a SharedArrayBuffer), then the job's fields. */
export const Ctrl = {
  /** Job number, bumped by the caller to start a job. */
  seq: 0,
  /** Job number the helper finished last. */
  done: 1,
  /** 1 once the helper waits for jobs. */
  ready: 2,
  /** 0 ok, 1 failed (the caller then does the range itself). */
  status: 3,
  /** Memory id (see ScanThreads.attach), or -1 to stop the helper. */
  memory: 4,
  /** What runPart returned. */
  found: 5,
  job: 6,
  length: 6 + JOB_FIELDS.length,
} as const;

export function writeJob(ctrl: Int32Array, job: PartJob): void {
  JOB_FIELDS.forEach((name, i) => (ctrl[Ctrl.job + i] = job[name]));
}

export function readJob(ctrl: Int32Array): PartJob {
  return Object.fromEntries(JOB_FIELDS.map((name, i) => [name, ctrl[Ctrl.job + i]!])) as unknown as PartJob;
}
