import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cosine, nearby, randomVector, seededRandom, unit } from '../face-index.test-helpers.js';
import { codeShape, Rotation, writeCode, writeQueryTables } from './scan-codes.js';
import { instantiateScanKernel } from './scan-kernel.js';
import { WASM_BASE64 } from './scan-kernel.wasm.js';
import { ScanPoolIndex } from './scan-pool.index.js';
import { ScanThreads } from './scan-threads.js';

describe('scan kernel', () => {
  it('is the assembly of scan-kernel.wat as committed', async () => {
    const { assemble } = await import('../../../../scripts/build-wasm.mjs');
    const wat = fileURLToPath(new URL('./scan-kernel.wat', import.meta.url));
    const bytes: Buffer = await assemble(wat);
    expect(bytes.toString('base64')).toBe(WASM_BASE64);
    expect(readFileSync(wat, 'utf8')).toContain('(export "scan")');
  });

  it("scores every code as the sum of its nibbles' table entries, 16 codes a block", () => {
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

  it('collects the row numbers at or above a score in order, and says when there are more than it may take', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const k = instantiateScanKernel(memory);
    const scores = new Uint16Array(memory.buffer, 0, 1003);
    const random = seededRandom(2);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.floor(random() * 15_000);
    const expected = [...scores.keys()].filter((i) => scores[i]! >= 14_000);
    const got = k.collect(0, scores.length, 14_000, 4096, 1000, 0);
    expect([...new Uint32Array(memory.buffer, 4096, got)]).toEqual(expected);
    // a part of a pool numbers its rows from its first
    expect(k.collect(0, scores.length, 14_000, 4096, 1000, 5000)).toBe(got);
    expect([...new Uint32Array(memory.buffer, 4096, got)]).toEqual(expected.map((i) => i + 5000));
    expect(k.collect(0, scores.length, 14_000, 4096, expected.length - 1, 0)).toBe(expected.length);
    expect(k.collect(0, 1003, 0, 4096, 5000, 0)).toBe(1003); // the n mod 8 tail included
  });

  it("completes head scores of listed rows with their tail bytes' table entries", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const k = instantiateScanKernel(memory);
    const bytes = new Uint8Array(memory.buffer);
    const random = seededRandom(8);
    const tailBytes = 5;
    const [tables, tail, scoresAt, rowsAt, out] = [0, 2048, 4096, 8192, 12_288];
    for (let i = 0; i < tailBytes * 256; i++) bytes[tables + i] = Math.floor(random() * 241);
    for (let i = 0; i < 300 * tailBytes; i++) bytes[tail + i] = Math.floor(random() * 256);
    const scores = new Uint16Array(memory.buffer, scoresAt, 300);
    for (let i = 0; i < 300; i++) scores[i] = Math.floor(random() * 7000);
    const rows = [299, 0, 17, 17, 150];
    new Uint32Array(memory.buffer, rowsAt, rows.length).set(rows);
    k.refine(rowsAt, rows.length, tail, tailBytes, tables, scoresAt, out);
    const expected = rows.map((r) => {
      let sum = scores[r]!;
      for (let b = 0; b < tailBytes; b++) sum += bytes[tables + b * 256 + bytes[tail + r * tailBytes + b]!]!;
      return sum;
    });
    expect([...new Uint16Array(memory.buffer, out, rows.length)]).toEqual(expected);
  });

  it('computes float dot products of listed int16 rows for the re-rank', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const k = instantiateScanKernel(memory);
    const width = 40; // rows of 80 bytes: some cross a cache line
    const [base, probeAt, listAt, outAt] = [4096, 1024, 2048, 3072];
    const rows = new Int16Array(memory.buffer, base, 50 * width);
    const probe = new Float32Array(memory.buffer, probeAt, width);
    const random = seededRandom(3);
    for (let i = 0; i < rows.length; i++) rows[i] = Math.round((random() - 0.5) * 60_000);
    for (let j = 0; j < width; j++) probe[j] = random() - 0.5;
    const list = [49, 0, 7, 7, ...Array.from({ length: 36 }, (_, i) => i + 10)]; // more than one batch of 32
    new Uint32Array(memory.buffer, listAt, list.length).set(list);
    k.dots(listAt, list.length, base, width, probeAt, outAt);
    const out = new Float32Array(memory.buffer, outAt, list.length);
    list.forEach((r, i) => {
      let s = 0;
      for (let j = 0; j < width; j++) s += rows[r * width + j]! * probe[j]!;
      expect(out[i]).toBeCloseTo(s, 0);
    });
  });

  it('estimates inner products: the estimate ranks a near copy above unrelated faces', () => {
    const dim = 512;
    const rotation = new Rotation(dim);
    const shape = codeShape(rotation.width);
    expect(shape).toEqual({ headRows: 32, tailBytes: 32 });
    const random = seededRandom(4);
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
    const bytes = new Uint8Array(memory.buffer);
    const rotated = new Float32Array(rotation.width);
    const faces = Array.from({ length: 16 }, () => unit(randomVector(random, dim)));
    faces.forEach((f, lane) => {
      rotation.apply(f, 0, rotated);
      writeCode(rotated, shape, bytes, 16_384, lane, 20_480 + lane * shape.tailBytes);
    });
    rotation.apply(unit(nearby(random, faces[9]!, 0.8)), 0, rotated);
    writeQueryTables(rotated, shape, bytes, 0, 1024);
    const k = instantiateScanKernel(memory);
    k.scan(16_384, 1, 0, shape.headRows, 65_536); // tables: head at 0, tail at 1024 (8 KB)
    const rows = new Uint32Array(memory.buffer, 66_048, 16);
    rows.forEach((_, i) => (rows[i] = i));
    k.refine(66_048, 16, 20_480, shape.tailBytes, 1024, 65_536, 66_560);
    // head and whole-code estimates both put the near copy first
    for (const at of [65_536, 66_560]) {
      const scores = [...new Uint16Array(memory.buffer, at, 16)];
      expect(scores.indexOf(Math.max(...scores))).toBe(9);
    }
  });
});

describe('ScanPoolIndex', () => {
  it('keeps codes, copies and keys together when faces are removed and the pool grows', () => {
    const dim = 64;
    const index = new ScanPoolIndex({ dimensions: dim, rerank: 10, shortlist: 40, threads: 1 });
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
    for (let key = 1; key <= 3000; key += 300)
      expect(index.search(unit(randomVector(random, dim)), 50).some((h) => h.key === key)).toBe(false);
  });

  it('returns cosines of its int16 copies within 1e-4 of float32', () => {
    const dim = 512;
    const index = new ScanPoolIndex({ dimensions: dim, rerank: 50, shortlist: 200, threads: 1 });
    const random = seededRandom(6);
    const faces = Array.from({ length: 500 }, () => unit(randomVector(random, dim)));
    faces.forEach((f, i) => index.add(i + 1, f));
    for (let q = 0; q < 20; q++) {
      const probe = unit(nearby(random, faces[q * 7]!, 1));
      for (const hit of index.search(probe, 10))
        expect(Math.abs(hit.similarity - cosine(faces[hit.key - 1]!, probe))).toBeLessThan(1e-4);
    }
  });

  it('still finds the best face when the score sample cannot pick a shortlist (every other face alike)', () => {
    const dim = 16;
    const n = 70_000; // more rows than one collect area holds
    const index = new ScanPoolIndex({ dimensions: dim, rerank: 20, shortlist: 100, threads: 1 });
    const random = seededRandom(12);
    const same = unit(randomVector(random, dim));
    const target = unit(nearby(random, same, 0.5));
    const rows = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) rows.set(i === 40_000 ? target : same, i * dim);
    index.addMany(
      Float64Array.from({ length: n }, (_, i) => i + 1),
      rows,
    );
    // every sampled score is the same, so each threshold lets all 70,000 through: the index ranks them all
    const [top] = index.search(target, 1);
    expect(top?.key).toBe(40_001);
    expect(top!.similarity).toBeCloseTo(1, 4);
  });

  /** Two indexes over the same 40,000 rows (past the 2,048 blocks at which a helper is woken). */
  function singleAndShared(): { single: ScanPoolIndex; shared: ScanPoolIndex; probes: Float32Array[] } {
    const dim = 16;
    const n = 40_000;
    const single = new ScanPoolIndex({ dimensions: dim, rerank: 20, shortlist: 200, threads: 1 });
    const shared = new ScanPoolIndex({ dimensions: dim, rerank: 20, shortlist: 200, threads: 2 });
    const random = seededRandom(7);
    const rows = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) rows.set(unit(randomVector(random, dim)), i * dim);
    const keys = Float64Array.from({ length: n }, (_, i) => i + 1);
    single.addMany(keys, rows);
    shared.addMany(keys, rows);
    const probes = Array.from({ length: 10 }, (_, q) =>
      unit(nearby(random, rows.subarray(q * 997 * dim, (q * 997 + 1) * dim), 0.3)),
    );
    return { single, shared, probes };
  }

  it.skipIf(availableParallelism() < 2)(
    'shares a large scan with a helper thread and gets the same answer',
    async () => {
      const { single, shared, probes } = singleAndShared();
      const threads = ScanThreads.get(2);
      expect(await threads.started()).toBe(1);
      const before = threads.helperJobs;
      for (const probe of probes) expect(shared.search(probe, 5)).toEqual(single.search(probe, 5));
      expect(threads.helperJobs - before).toBe(10);
    },
  );

  it.skipIf(availableParallelism() < 2)('replaces a helper thread that died, and answers alike meanwhile', async () => {
    const { single, shared, probes } = singleAndShared();
    const threads = ScanThreads.get(2);
    expect(await threads.started()).toBe(1);
    threads.stopHelpers();
    const before = threads.helperJobs;
    // The first search after the loss starts a new thread and scans alone while it comes up.
    expect(shared.search(probes[0]!, 5)).toEqual(single.search(probes[0]!, 5));
    expect(threads.helperJobs).toBe(before);
    expect(await threads.started()).toBe(1);
    for (const probe of probes.slice(1)) expect(shared.search(probe, 5)).toEqual(single.search(probe, 5));
    expect(threads.helperJobs - before).toBe(9);
  });
});
