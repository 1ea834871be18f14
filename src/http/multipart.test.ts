import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { multipartUpload, parseMultipart } from './multipart.js';

const TYPE = 'multipart/form-data; boundary=b';
const file = (name: string, data: string, filename = 'f.jpg') =>
  `--b\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n${data}\r\n`;
const field = (name: string, value: string) =>
  `--b\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const END = '--b--\r\n';
const body = (...parts: string[]) => Buffer.from(parts.join(''));

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('parseMultipart', () => {
  it('reads files, repeated frames and fields of a well-formed body', async () => {
    const parsed = await parseMultipart(
      body(field('challenge_id', 'c1'), file('image', 'IMG'), file('frames', 'F1'), file('frames', 'F2'), END),
      TYPE,
      ['frames'],
    );
    expect(parsed.fields).toEqual({ challenge_id: 'c1' });
    expect(parsed.files.map((f) => [f.field, f.data.toString()])).toEqual([
      ['image', 'IMG'],
      ['frames', 'F1'],
      ['frames', 'F2'],
    ]);
  });

  // Cut bodies: refused from their framing before the parser reads them.
  it.each([
    ['inside a file part', body(file('image', 'x'.repeat(5000))).subarray(0, 3000)],
    ['before the closing boundary', body(file('image', 'IMG'))],
    ['inside a part header', Buffer.from('--b\r\nContent-Disposition: form-da')],
    ['after the opening boundary', Buffer.from('--b')],
    ['with a preamble', Buffer.from(`preamble\r\n${file('image', 'IMG')}${END}`)],
  ])('refuses a body cut %s with a 400', async (_where, raw) => {
    const err = await refusal(parseMultipart(raw, TYPE));
    expect(err.status).toBe(400);
    expect(err.errors?.[0]?.message).toMatch(/^malformed multipart body: /);
  });

  // Framed like a whole body, but a part inside is cut: the parser's file stream reports the error on its own,
  // which once ended the process.
  it.each([
    [
      'a file part cut, the form closed without a line break',
      Buffer.from(`--b\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n\r\nDATA--b--`),
    ],
    [
      'a part header cut by the closing boundary',
      Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n--b--\r\n'),
    ],
  ])('refuses %s with a 400', async (_what, raw) => {
    const err = await refusal(parseMultipart(raw, TYPE));
    expect(err.status).toBe(400);
    expect(err.errors?.[0]?.message).toMatch(/^malformed multipart body: (a part|the body)/);
  });

  it('answers any cut of a valid body, closed again or not, with its parts or a 400, without ending the process', async () => {
    const whole = body(
      field('capture_method', 'UPLOAD'),
      file('image', 'a'.repeat(300)),
      file('frames', 'b'.repeat(200)),
      END,
    );
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: whole.length - 9 }),
        fc.constantFrom('', '--b--', '\r\n--b--'),
        async (cut, close) => {
          const outcome = await parseMultipart(Buffer.concat([whole.subarray(0, cut), Buffer.from(close)]), TYPE, [
            'frames',
          ]).then(
            () => 'parsed',
            (e: unknown) => (e instanceof AppError ? String(e.status) : 'crash'),
          );
          outcomes.add(outcome);
          expect(['parsed', '400']).toContain(outcome);
        },
      ),
      { numRuns: 300 },
    );
    expect(outcomes).toEqual(new Set(['parsed', '400']));
  });

  it('refuses a part header over 16 KB, too many parts, an over-long field and a repeated single part', async () => {
    const longHeader = `--b\r\nContent-Disposition: form-data; name="image"; filename="${'h'.repeat(20_000)}"\r\n\r\nx\r\n${END}`;
    expect((await refusal(parseMultipart(Buffer.from(longHeader), TYPE))).errors?.[0]?.message).toContain('16 KB');
    const many = body(...Array.from({ length: 11 }, (_, i) => file('frames', String(i))), END);
    expect((await refusal(parseMultipart(many, TYPE, ['frames']))).errors?.[0]?.message).toContain(
      'more than 10 file parts',
    );
    const fields = body(...Array.from({ length: 11 }, (_, i) => field(`f${i}`, 'v')), END);
    expect((await refusal(parseMultipart(fields, TYPE))).errors?.[0]?.message).toContain('more than 10 text fields');
    expect(
      (await refusal(parseMultipart(body(field('challenge_id', 'c'.repeat(2000)), END), TYPE))).errors?.[0],
    ).toMatchObject({ property: 'challenge_id' });
    expect(
      (await refusal(parseMultipart(body(file('image', 'A'), file('image', 'B'), END), TYPE))).errors?.[0],
    ).toEqual({ property: 'image', message: 'is given more than once' });
    expect(
      (await refusal(parseMultipart(body(field('challenge_id', 'a'), field('challenge_id', 'b'), END), TYPE)))
        .errors?.[0]?.property,
    ).toBe('challenge_id');
  });

  it('refuses a missing or mis-declared boundary with 415 and garbage with 400', async () => {
    expect((await refusal(parseMultipart(body(file('image', 'A'), END), 'multipart/form-data'))).status).toBe(415);
    expect(
      (await refusal(parseMultipart(body(file('image', 'A'), END), 'multipart/form-data; boundary=zz'))).status,
    ).toBe(400);
  });
});

describe('multipartUpload', () => {
  it('wants the named part as a file with a filename', async () => {
    const err = await refusal(multipartUpload(body(field('image', 'not a file'), END), TYPE, 'image'));
    expect(err.errors?.[0]).toMatchObject({ property: 'image', message: expect.stringContaining('filename') });
    expect((await refusal(multipartUpload('{}', TYPE, 'image'))).status).toBe(415);
    const { file: image } = await multipartUpload(body(file('image', 'IMG'), END), TYPE, 'image');
    expect(image.data.toString()).toBe('IMG');
  });
});
