import { describe, expect, it } from 'vitest';
import { flushTinyWeights } from './flush-tiny-weights.js';

// Minimal protobuf writer: enough of ONNX's ModelProto → GraphProto → TensorProto to build a model in the test.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  return [...out, n];
};
const bytesField = (field: number, body: Uint8Array | number[]): number[] => [
  ...varint(field * 8 + 2),
  ...varint(body.length),
  ...body,
];
const varintField = (field: number, value: number): number[] => [...varint(field * 8), ...varint(value)];
const tensor = (dataType: number, raw: ArrayBufferView, name: string): number[] => [
  ...varintField(1, raw.byteLength / (dataType === 1 ? 4 : 8)), // dims
  ...varintField(2, dataType),
  ...bytesField(8, [...Buffer.from(name)]),
  ...bytesField(9, [...new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)]),
];
const model = (...tensors: number[][]): Uint8Array =>
  Uint8Array.from([
    ...varintField(1, 8),
    ...bytesField(
      7,
      tensors.flatMap((t) => bytesField(5, t)),
    ),
  ]);

/** Where a tensor's data sits in the serialised source model. */
const offsetOf = (bytes: Uint8Array, data: ArrayBufferView): number => {
  const offset = Buffer.from(bytes).indexOf(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (offset < 0) throw new Error('tensor bytes not found');
  return offset;
};

describe('flushTinyWeights', () => {
  it('zeroes float weights below 2^-32 and keeps every other byte in place', () => {
    const weights = Float32Array.from([0.5, 1e-20, -3e-12, 2 ** -31, -0.25, 1e-40, 0]);
    const source = model(tensor(1, weights, 'w'));
    const { model: out, flushed } = flushTinyWeights(source);

    expect(flushed).toBe(3);
    expect(out.length).toBe(source.length);
    expect(source).toEqual(model(tensor(1, weights, 'w'))); // the input is not modified
    const offset = offsetOf(source, weights);
    const result = new Float32Array(out.slice(offset, offset + weights.byteLength).buffer);
    expect(Array.from(result)).toEqual([0.5, 0, -0, 2 ** -31, -0.25, 0, 0]);
  });

  it('leaves integer tensors alone even when their bytes look like tiny floats', () => {
    const shape = BigInt64Array.from([1n, 20n, 40n]); // small int64s read as float32 are subnormals
    const source = model(tensor(7, shape, 'shape'), tensor(1, Float32Array.from([1e-30]), 'w'));
    const { model: out, flushed } = flushTinyWeights(source);
    expect(flushed).toBe(1);
    const offset = offsetOf(source, shape);
    expect(Array.from(new BigInt64Array(out.slice(offset, offset + shape.byteLength).buffer))).toEqual([1n, 20n, 40n]);
  });

  it('refuses a truncated model instead of reading past its end', () => {
    const source = model(tensor(1, Float32Array.from([1, 2, 3]), 'w'));
    expect(() => flushTinyWeights(source.slice(0, source.length - 5))).toThrow(/truncated/);
  });
});
