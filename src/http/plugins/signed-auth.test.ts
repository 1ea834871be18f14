import { createVerify, generateKeyPairSync, sign } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { SignedBodyHasher } from './signed-auth.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** Streams `body` cut at `cuts` through the hasher and verifies the Yoti signature of the whole message. */
async function verifiesStreamed(body: Buffer, cuts: number[]): Promise<boolean> {
  const prefix = 'PUT&/sessions/s/resources/face-capture/r/image?sdkId=a&nonce=n&timestamp=1';
  const digest = sign(
    'RSA-SHA256',
    Buffer.from(body.length ? `${prefix}&${body.toString('base64')}` : prefix),
    privateKey,
  );
  const verifier = createVerify('RSA-SHA256').update(prefix);
  const bounds = [0, ...[...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b), body.length];
  const chunks = bounds.slice(1).map((end, i) => body.subarray(bounds[i], end));
  const seen: Buffer[] = [];
  const hasher = new SignedBodyHasher(verifier);
  hasher.on('data', (c: Buffer) => seen.push(c));
  await pipeline(Readable.from(chunks), hasher);
  expect(Buffer.concat(seen).equals(body)).toBe(true);
  return verifier.verify(publicKey, digest);
}

it('verifies the signature of a body however the network cuts it into chunks', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 12 }), async (bytes, cuts) => {
      expect(await verifiesStreamed(Buffer.from(bytes), cuts)).toBe(true);
    }),
    { numRuns: 300 },
  );
  // One byte changed anywhere fails.
  const body = Buffer.from(
    '--b\r\nContent-Disposition: form-data; name="binary-content"; filename="f"\r\n\r\nIMAGE\r\n--b--\r\n',
  );
  const prefix = 'PUT&/x';
  const digest = sign('RSA-SHA256', Buffer.from(`${prefix}&${body.toString('base64')}`), privateKey);
  const tampered = Buffer.from(body);
  tampered[40] = tampered[40]! ^ 1;
  const verifier = createVerify('RSA-SHA256').update(prefix);
  await pipeline(
    Readable.from([tampered.subarray(0, 7), tampered.subarray(7)]),
    new SignedBodyHasher(verifier),
    async (source) => {
      for await (const _ of source) void _;
    },
  );
  expect(verifier.verify(publicKey, digest)).toBe(false);
});
