import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Face embeddings are biometric data (faces can be approximately rebuilt from them), so they may be encrypted
// at rest with AES-256-GCM under a key from configuration. The first byte says which form a blob has, so a key
// can be introduced without rewriting existing rows.
const PLAIN = 0;
const AES_GCM = 1;

export interface EmbeddingCodec {
  encode(embedding: Float32Array): Buffer;
  decode(blob: Uint8Array): Float32Array;
}

export function createEmbeddingCodec(keyBase64?: string): EmbeddingCodec {
  const key = keyBase64 ? Buffer.from(keyBase64, 'base64') : null;
  if (key && key.length !== 32) throw new Error('OPENIDV_EMBEDDING_KEY must be 32 bytes, base64-encoded');
  return {
    encode(embedding) {
      const plain = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
      if (!key) return Buffer.concat([Buffer.of(PLAIN), plain]);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.of(AES_GCM), iv, cipher.getAuthTag(), body]);
    },
    decode(blob) {
      const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
      let plain: Buffer;
      if (buf[0] === PLAIN) plain = buf.subarray(1);
      else if (buf[0] === AES_GCM) {
        if (!key) throw new Error('an encrypted embedding needs OPENIDV_EMBEDDING_KEY');
        const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1, 13));
        decipher.setAuthTag(buf.subarray(13, 29));
        plain = Buffer.concat([decipher.update(buf.subarray(29)), decipher.final()]);
      } else throw new Error('unknown embedding encoding');
      // Copy into an aligned buffer: a Float32Array view needs 4-byte alignment.
      const out = new Float32Array(plain.length / 4);
      Buffer.from(out.buffer).set(plain);
      return out;
    },
  };
}
