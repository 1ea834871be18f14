import { align, growTo, instantiateScanKernel, PAGE, type ScanKernel } from './scan-kernel.js';

/** Candidates handed to the kernel per call: the size of each memory's list and output areas. */
const SLICE = 4_096;

interface Part {
  memory: WebAssembly.Memory;
  kernel: ScanKernel;
  /** Rows this memory holds now. */
  capacity: number;
}

/**
 * The int16 copies of a scan pool's embeddings (one absmax scale per face: cosine error about 1e-5, against
 * 2e-3 for int8) that re-rank its best candidates by their real cosine.
 *
 * They live in shared WebAssembly memories so that the kernel reads the candidates' rows where they are: a
 * re-rank touches a thousand rows scattered over a gigabyte, and the kernel first touches a batch of rows with
 * independent loads so that their cache misses overlap (0.2 ms for 1,000 rows here, against 0.6 ms for the same
 * reads from JavaScript, plus the copy that is no longer needed). A memory holds a power of two of rows up to
 * 2 GiB; a pool past that gets another, so a pool has no size limit of its own.
 */
export class FineStore {
  private readonly width: number;
  private readonly dim: number;
  private readonly shift: number;
  private readonly parts: Part[] = [];
  private scales = new Float32Array(0);
  /** Layout of every memory: probe, list and output areas, then the rows. */
  private readonly probeAt = 0;
  private readonly listAt: number;
  private readonly outAt: number;
  private readonly rowsAt: number;

  /** `memoryBytes` bounds one memory's rows (tests make it small to cross memories). */
  constructor(dimensions: number, memoryBytes = 2 ** 31) {
    this.dim = dimensions;
    this.width = Math.ceil(dimensions / 8) * 8; // the kernel's SIMD loop takes 8 values at a time
    this.shift = Math.floor(Math.log2(memoryBytes / (this.width * 2)));
    this.listAt = this.width * 4;
    this.outAt = this.listAt + SLICE * 4;
    this.rowsAt = align(this.outAt + SLICE * 4, 64);
  }

  /** Makes room for rows 0..capacity-1. */
  reserve(capacity: number): void {
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, Math.min(capacity, this.scales.length)));
    this.scales = scales;
    const per = 2 ** this.shift;
    for (let first = 0; first < capacity; first += per) {
      const rows = Math.min(per, capacity - first);
      const index = first >> this.shift;
      let part = this.parts[index];
      if (!part) {
        const maximum = Math.ceil((this.rowsAt + per * this.width * 2) / PAGE);
        const memory = new WebAssembly.Memory({ initial: 1, maximum, shared: true });
        part = { memory, kernel: instantiateScanKernel(memory), capacity: 0 };
        this.parts.push(part);
      }
      if (rows > part.capacity) {
        growTo(part.memory, this.rowsAt + rows * this.width * 2);
        part.capacity = rows;
      }
    }
  }

  write(row: number, unit: Float32Array, offset: number): void {
    let max = 0;
    for (let j = 0; j < this.dim; j++) max = Math.max(max, Math.abs(unit[offset + j]!));
    const q = max > 0 ? 32_767 / max : 0;
    const values = this.rowValues(row);
    for (let j = 0; j < this.dim; j++) values[j] = Math.round(unit[offset + j]! * q);
    this.scales[row] = max / 32_767;
  }

  move(from: number, to: number): void {
    this.rowValues(to).set(this.rowValues(from));
    this.scales[to] = this.scales[from]!;
  }

  /** Cosines of the listed rows with the probe, in list order. */
  similarities(rows: Uint32Array, probe: Float32Array): Float32Array {
    const out = new Float32Array(rows.length);
    for (let start = 0; start < rows.length; ) {
      // a run of rows in one memory, at most SLICE long
      const index = rows[start]! >> this.shift;
      let end = start + 1;
      while (end < rows.length && end - start < SLICE && rows[end]! >> this.shift === index) end++;
      const { memory, kernel } = this.parts[index]!;
      const mask = 2 ** this.shift - 1;
      const list = new Uint32Array(memory.buffer, this.listAt, end - start);
      for (let i = start; i < end; i++) list[i - start] = rows[i]! & mask;
      const p = new Float32Array(memory.buffer, this.probeAt, this.width);
      p.fill(0);
      p.set(probe.subarray(0, this.dim));
      kernel.dots(this.listAt, end - start, this.rowsAt, this.width, this.probeAt, this.outAt);
      const dots = new Float32Array(memory.buffer, this.outAt, end - start);
      for (let i = start; i < end; i++) out[i] = dots[i - start]! * this.scales[rows[i]!]!;
      start = end;
    }
    return out;
  }

  bytes(): number {
    return this.parts.reduce((sum, p) => sum + p.memory.buffer.byteLength, 0) + this.scales.byteLength;
  }

  private rowValues(row: number): Int16Array {
    const part = this.parts[row >> this.shift]!;
    const local = row & (2 ** this.shift - 1);
    return new Int16Array(part.memory.buffer, this.rowsAt + local * this.width * 2, this.width);
  }
}
