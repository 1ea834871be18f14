import { WASM_BASE64 } from './scan-kernel.wasm.js';

export interface ScanKernel {
  scan(codes: number, blocks: number, tables: number, rows: number, out: number): void;
  collect(scores: number, n: number, min: number, out: number, cap: number): number;
  dots(rows: number, count: number, width: number, probe: number, out: number): void;
}

let compiled: WebAssembly.Module | undefined;

/** The kernel's module, compiled once per thread on first use (about a kilobyte; synchronous). */
export function scanKernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  return compiled;
}

export function instantiateScanKernel(memory: WebAssembly.Memory, module = scanKernelModule()): ScanKernel {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ScanKernel;
}

/** Slots of a helper's control block (Int32Array over a SharedArrayBuffer). */
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
  codes: 5,
  blocks: 6,
  tables: 7,
  rows: 8,
  out: 9,
  length: 10,
} as const;
