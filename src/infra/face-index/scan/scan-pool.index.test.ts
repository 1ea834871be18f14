import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cosine, nearby, randomVector, seededRandom } from '../face-index.test-helpers.js';
import { Rotation, writeCode, writeQueryTables } from './scan-codes.js';
import { instantiateScanKernel } from './scan-kernel.js';
import { WASM_BASE64 } from './scan-kernel.wasm.js';
import { ScanPoolIndex } from './scan-pool.index.js';
import { ScanThreads } from './scan-threads.js';

const unit = (v: Float32Array): Float32Array => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

describe('scan kernel', () => {
  it('is the assembly of scan-kernel.wat as committed', async () => {
    const { assemble } = await import('../../../../scripts/build-wasm.mjs');
    const wat = fileURLToPath(new URL('./scan-kernel.wat', import.meta.url));
    const bytes: Buffer = await assemble(wat);
    expect(bytes.toString('base64')).toBe(WASM_BASE64);
    expect(readFileSync(wat, 'utf8')).toContain('(export "scan")');
  });

  it('scores every code as the sum of its nibbles\' table entries, 16 codes a block', () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
    const k = instantiateScanKernel(memory);
    const bytes = new Uint8Array(memory.buffer);
    const random = seededRandom(1);
    const rows = 64; // 512-bit codes
    const blocks = 5;
    const codes = 4096;
    const out = codes + blocks * rows * 16;
    for (let i = 0; i < rows * 32; i++) bytes[i] = Math.floor(random() * 121);
    for (let i = 0; i < blocks * rows * 16; i++) bytes[codes + i] = Math.floor(random() * 256);
    k.scan(codes, blocks, 0, rows, out);
    const scores = new Uint16Array(memory.buffer, out, blocks * 16);
    for (let code = 0; code < blocks * 16; code++) {
      const block = codes + (code >> 4) * rows * 16;
      let sum = 0;
      for (let p = 0; p < rows; p++) {
        const byte = bytes[block + p * 16 + (code & 15)]!;
        sum += bytes[p * 32 + (byte & 15)]! + bytes[p * 32 + 16 + (byte >> 4)]!;
      }
      expect(scores[code]).toBe(sum);
    }
  });

  it('collects the indices at or above a score in order, and says when there are more than it may take', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const k = instantiateScanKernel(memory);
    const scores = new Uint16Array(memory.buffer, 0, 1003);
    const random = seededRandom(2);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.floor(random() * 15_000);
    const expected = [...scores.keys()].filter((i) => scores[i]! >= 14_000);
    const got = k.collect(0, scores.length, 14_000, 4096, 1000);
    expect([...new Uint32Array(memory.buffer, 4096, got)]).toEqual(expected);
    expect(k.collect(0, scores.length, 14_000, 4096, expected.length - 1)).toBe(expected.length);
    expect(k.collect(0, 1003, 0, 4096, 5000)).toBe(1003); // the n mod 8 tail included
  });

  it('computes float dot products of int16 rows for the re-rank', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const k = instantiateScanKernel(memory);
    const width = 24;
    const rows = new Int16Array(memory.buffer, 0, 3 * width);
    const probe = new Float32Array(memory.buffer, 1024, width);
    const random = seededRandom(3);
    for (let i = 0; i < rows.length; i++) rows[i] = Math.round((random() - 0.5) * 60_000);
    for (let j = 0; j < width; j++) probe[j] = random() - 0.5;
    k.dots(0, 3, width, 1024, 2048);
    const out = new Float32Array(memory.buffer, 2048, 3);
    for (let r = 0; r < 3; r++) {
      let s = 0;
      for (let j = 0; j < width; j++) s += rows[r * width + j]! * probe[j]!;
      expect(out[r]).toBeCloseTo(s, 0);
    }
  });

  it('estimates inner products: the estimate ranks a near copy above unrelated faces', () => {
    const dim = 512;
    const rotation = new Rotation(dim);
    const random = seededRandom(4);
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
    const bytes = new Uint8Array(memory.buffer);
    const rotated = new Float32Array(rotation.width);
    const faces = Array.from({ length: 16 }, () => unit(randomVector(random, dim)));
    faces.forEach((f, lane) => {
      rotation.apply(f, 0, rotated);
      writeCode(rotated, bytes, 4096, lane);
    });
    rotation.apply(unit(nearby(random, faces[9]!, 0.8)), 0, rotated);
    writeQueryTables(rotated, bytes, 0);
    instantiateScanKernel(memory).scan(4096, 1, 0, rotation.width >> 3, 65_536);
    const scores = [...new Uint16Array(memory.buffer, 65_536, 16)];
    expect(scores.indexOf(Math.max(...scores))).toBe(9);
  });
});

describe('ScanPoolIndex', () => {
  it('keeps codes, copies and keys together when faces are removed and the pool grows', () => {
    const dim = 64;
    const index = new ScanPoolIndex({ dimensions: dim, rerank: 10, threads: 1 });
    const random = seededRandom(5);
    const faces = new Map<number, Float32Array>();
    for (let key = 1; key <= 3000; key++) {
      const v = unit(randomVector(random, dim));
      faces.set(key, v);
      index.add(key, v);
    }
    for (let key = 1; key <= 3000; key += 3) {
      expect(index.remove(key)).toBe(true);
      faces.delete(key);
    }
    expect(index.remove(1)).toBe(false);
    expect(index.size).toBe(2000);
    for (const [key, v] of [...faces].filter((_, i) => i % 10 === 0)) {
      const [top] = index.search(v, 1);
      expect(top?.key).toBe(key);
      expect(top!.similarity).toBeCloseTo(1, 4);
    }
    for (let key = 1; key <= 3000; key += 300) expect(index.search(unit(randomVector(random, dim)), 50).some((h) => h.key === key)).toBe(false);
  });

  it('returns cosines of its int16 copies within 1e-4 of float32', () => {
    const dim = 512;
    const index = new ScanPoolIndex({ dimensions: dim, rerank: 50, threads: 1 });
    const random = seededRandom(6);
    const faces = Array.from({ length: 500 }, () => unit(randomVector(random, dim)));
    faces.forEach((f, i) => index.add(i + 1, f));
    for (let q = 0; q < 20; q++) {
      const probe = unit(nearby(random, faces[q * 7]!, 1));
      for (const hit of index.search(probe, 10)) expect(Math.abs(hit.similarity - cosine(faces[hit.key - 1]!, probe))).toBeLessThan(1e-4);
    }
  });

  it.skipIf(availableParallelism() < 2)('shares a large scan with a helper thread and gets the same answer', async () => {
    const dim = 16;
    const n = 40_000; // past the 2,048 blocks at which a helper is woken
    const single = new ScanPoolIndex({ dimensions: dim, rerank: 20, threads: 1 });
    const shared = new ScanPoolIndex({ dimensions: dim, rerank: 20, threads: 2 });
    const random = seededRandom(7);
    const rows = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) rows.set(unit(randomVector(random, dim)), i * dim);
    const keys = Float64Array.from({ length: n }, (_, i) => i + 1);
    single.addMany(keys, rows);
    shared.addMany(keys, rows);
    const threads = ScanThreads.get(2);
    expect(await threads.started()).toBe(1);
    const before = threads.helperJobs;
    for (let q = 0; q < 10; q++) {
      const probe = unit(nearby(random, rows.subarray(q * 997 * dim, (q * 997 + 1) * dim), 0.3));
      expect(shared.search(probe, 5)).toEqual(single.search(probe, 5));
    }
    expect(threads.helperJobs - before).toBe(10);
  });
});
