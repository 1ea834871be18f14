// Sign codes and query tables of the scan index (scan-pool.index.ts explains the scheme).

/** Table entries are offset by 4·(2·15 − 15) = 60 so that a nibble's table never goes below 0 (max 120). */
const TABLE_OFFSET = 60;
const QUERY_LEVELS = 15;

/**
 * A fixed orthogonal rotation (two rounds of random signs and a normalised Walsh-Hadamard transform) over
 * the embedding zero-padded to a power of two. Rotating spreads every direction over all coordinates, so
 * each sign bit carries about the same information whatever the model's coordinate statistics; being
 * orthogonal, it keeps inner products.
 */
export class Rotation {
  readonly width: number;
  private readonly signs: Float32Array[];

  constructor(readonly dimensions: number) {
    let width = 16;
    while (width < dimensions) width <<= 1;
    this.width = width;
    let state = 0x9e3779b9;
    const next = (): number => {
      // xorshift32: a fixed sequence, so codes are reproducible within and across processes
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    this.signs = [0, 1].map(() => Float32Array.from({ length: width }, () => (next() & 1 ? 1 : -1)));
  }

  /** Writes the rotated src[offset .. +dimensions] into out (length `width`). */
  apply(src: Float32Array, offset: number, out: Float32Array): void {
    out.fill(0);
    out.set(src.subarray(offset, offset + this.dimensions));
    for (const s of this.signs) {
      for (let j = 0; j < this.width; j++) out[j]! *= s[j]!;
      fwht(out);
    }
  }
}

/** In-place Walsh-Hadamard transform scaled by 1/sqrt(n), which makes it orthonormal. */
function fwht(v: Float32Array): void {
  const n = v.length;
  for (let h = 1; h < n; h <<= 1) {
    for (let i = 0; i < n; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const x = v[j]!;
        const y = v[j + h]!;
        v[j] = x + y;
        v[j + h] = x - y;
      }
    }
  }
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < n; i++) v[i]! *= s;
}

/**
 * How a code of `width` bits is split. The head (`headRows` bytes) is laid out in blocks of 16 codes for the
 * full scan; the tail (`tailBytes`) is stored one code after another and read only for the scan's best
 * candidates. Halving what every search streams matters because the scan is bound by memory bandwidth.
 */
export interface CodeShape {
  headRows: number;
  tailBytes: number;
}

export function codeShape(width: number): CodeShape {
  const bytes = width >> 3;
  // The kernel takes head rows two at a time, so a 16-bit code (2 bytes) is all head.
  const headRows = bytes >= 4 ? bytes >> 1 : bytes;
  return { headRows, tailBytes: bytes - headRows };
}

/**
 * Writes the sign code of a rotated vector: its head into lane `lane` (0-15) of the block at `block`, where
 * row p (16 bytes) holds nibble 2p (bits 8p..8p+3) in the low half of byte `lane` and nibble 2p+1 in the high
 * half, bit k of a nibble being the sign of coordinate 4·nibble + k; its tail bytes at `tail`, in order.
 */
export function writeCode(
  rotated: Float32Array,
  shape: CodeShape,
  bytes: Uint8Array,
  block: number,
  lane: number,
  tail: number,
): void {
  const signs = (p: number): number => {
    let byte = 0;
    for (let b = 0; b < 8; b++) if (rotated[8 * p + b]! > 0) byte |= 1 << b;
    return byte;
  };
  for (let p = 0; p < shape.headRows; p++) bytes[block + p * 16 + lane] = signs(p);
  for (let t = 0; t < shape.tailBytes; t++) bytes[tail + t] = signs(shape.headRows + t);
}

/** Copies a code from lane `fromLane` of one block (and its tail) to lane `toLane` of another. */
export function moveCode(
  bytes: Uint8Array,
  shape: CodeShape,
  from: { block: number; lane: number; tail: number },
  to: { block: number; lane: number; tail: number },
): void {
  for (let p = 0; p < shape.headRows; p++) bytes[to.block + p * 16 + to.lane] = bytes[from.block + p * 16 + from.lane]!;
  bytes.copyWithin(to.tail, from.tail, from.tail + shape.tailBytes);
}

/**
 * Writes the query tables for a rotated probe: the probe is quantised to 16 levels u_j over its own range,
 * and nibble table m maps a nibble of a code to 60 + Σ_k bit_k·(2·u_{4m+k} − 15). Summed over all nibbles
 * this is 2·Σ_{bit=1} u − 15·popcount + const, an affine function of Σ_j u_j·s_j with s_j = ±1 the code's
 * signs: the probe's inner product with the code, up to the probe's quantisation. The head's tables (16 bytes
 * each) go at `head`; each tail byte gets one 256-entry table at `tail`, the sum of its two nibble tables
 * (at most 240), so a head score plus the tail tables is the estimate over the whole code.
 */
export function writeQueryTables(
  rotated: Float32Array,
  shape: CodeShape,
  bytes: Uint8Array,
  head: number,
  tail: number,
): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of rotated) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const step = hi > lo ? QUERY_LEVELS / (hi - lo) : 0;
  const weight = new Int32Array(4);
  const nibble = new Uint8Array(32);
  const nibbleTable = (m: number, into: Uint8Array, at: number): void => {
    for (let k = 0; k < 4; k++) weight[k] = 2 * Math.round((rotated[4 * m + k]! - lo) * step) - QUERY_LEVELS;
    for (let v = 0; v < 16; v++) {
      let sum = TABLE_OFFSET;
      for (let k = 0; k < 4; k++) if (v & (1 << k)) sum += weight[k]!;
      into[at + v] = sum;
    }
  };
  for (let m = 0; m < 2 * shape.headRows; m++) nibbleTable(m, bytes, head + m * 16);
  for (let t = 0; t < shape.tailBytes; t++) {
    const m = 2 * (shape.headRows + t);
    nibbleTable(m, nibble, 0);
    nibbleTable(m + 1, nibble, 16);
    const table = tail + t * 256;
    for (let v = 0; v < 256; v++) bytes[table + v] = nibble[v & 15]! + nibble[16 + (v >> 4)]!;
  }
}
