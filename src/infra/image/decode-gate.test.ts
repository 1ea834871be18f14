import { describe, expect, it } from 'vitest';
import { DecodeGate } from './decode-gate.js';

/** Work that holds its place until released, recording how much was admitted at once. */
function harness(gate: DecodeGate) {
  let peak = 0;
  const order: string[] = [];
  const releases = new Map<string, () => void>();
  const start = (name: string, cost: number) =>
    gate.run(cost, async () => {
      order.push(name);
      peak = Math.max(peak, gate.inFlightBytes);
      await new Promise<void>((r) => releases.set(name, r));
      return name;
    });
  const release = async (name: string) => {
    while (!releases.has(name)) await new Promise((r) => setImmediate(r));
    releases.get(name)!();
  };
  return { start, release, order, peak: () => peak };
}

describe('DecodeGate', () => {
  it('never admits more estimated memory than its budget, and admits in arrival order', async () => {
    const gate = new DecodeGate(100, 10);
    const h = harness(gate);
    const runs = [h.start('a', 60), h.start('b', 30), h.start('c', 50), h.start('d', 10)];
    await new Promise((r) => setImmediate(r));
    // c does not fit beside a and b; d would, but waits behind c so that a large image is never starved.
    expect(h.order).toEqual(['a', 'b']);
    expect(gate.waitingCount).toBe(2);
    await h.release('a');
    await h.release('b');
    await h.release('c');
    await h.release('d');
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c', 'd']);
    expect(h.order).toEqual(['a', 'b', 'c', 'd']);
    expect(h.peak()).toBeLessThanOrEqual(100);
    expect(gate.inFlightBytes).toBe(0);
  });

  it('refuses at once with ENGINE_OVERLOADED when its queue is full', async () => {
    const gate = new DecodeGate(100, 1);
    const h = harness(gate);
    const first = h.start('a', 100);
    const second = h.start('b', 100);
    await expect(gate.run(1, async () => 'c')).rejects.toMatchObject({
      name: 'FaceEngineError',
      code: 'ENGINE_OVERLOADED',
    });
    await h.release('a');
    await h.release('b');
    await Promise.all([first, second]);
  });

  it('lets one image larger than the whole budget run alone instead of waiting forever', async () => {
    const gate = new DecodeGate(100, 4);
    expect(await gate.run(500, async () => gate.inFlightBytes)).toBe(100);
    expect(gate.inFlightBytes).toBe(0);
  });

  it('gives the memory back when the work fails', async () => {
    const gate = new DecodeGate(100, 4);
    await expect(gate.run(80, async () => Promise.reject(new Error('decoder failed')))).rejects.toThrow(
      'decoder failed',
    );
    expect(await gate.run(80, async () => 'next')).toBe('next');
  });
});
