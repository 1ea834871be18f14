import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { createEmbeddingCodec } from './embedding-codec.js';

const vector = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));

it('round-trips plain and encrypted embeddings, and reads plain rows after a key is introduced', () => {
  const plain = createEmbeddingCodec();
  const key = randomBytes(32).toString('base64');
  const encrypted = createEmbeddingCodec(key);
  const blob = encrypted.encode(vector);
  expect(blob.includes(Buffer.from(vector.buffer).subarray(0, 64))).toBe(false);
  expect(encrypted.decode(blob)).toEqual(vector);
  expect(encrypted.decode(plain.encode(vector))).toEqual(vector);
  expect(() => plain.decode(blob)).toThrow(/OPENIDV_EMBEDDING_KEY/);
  expect(() => createEmbeddingCodec(randomBytes(16).toString('base64'))).toThrow();
  const tampered = Buffer.from(blob);
  tampered[40]! ^= 1;
  expect(() => encrypted.decode(tampered)).toThrow();
});
