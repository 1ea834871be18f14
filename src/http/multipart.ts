import { setImmediate as nextTurn } from 'node:timers/promises';
import busboy from 'busboy';
import { AppError, validationError } from '../domain/errors.js';

export interface UploadedFile {
  field: string;
  data: Buffer;
  mimeType: string;
}

export interface MultipartContent {
  files: UploadedFile[];
  fields: Record<string, string>;
}

// What an upload form may hold: an image, a few frames and three short fields. Anything beyond is refused, not
// silently dropped, so what the engine checks is exactly what was sent.
const LIMITS = { files: 10, fields: 10, fieldSize: 1024, headerPairs: 16 };

const REASONS: Record<string, string> = {
  'Unexpected end of form': 'the body ends before its closing boundary',
  'Unexpected end of file': 'a part ends before its closing boundary',
  'Malformed part header': 'a part header is malformed or longer than 16 KB',
};

// The buffered body is fed to the parser a slice at a time, yielding between slices: busboy takes 100-200 ms
// over 14 MB here, which in one go would stall every other request.
const SLICE = 256 * 1024;

/**
 * A body must open with its boundary and end with the closing one (browsers, the SDKs and curl all send exactly
 * that; RFC 2046 would allow text around it). Checked first, it refuses a cut or garbage body at once instead of
 * after the parser has scanned it all.
 */
function framed(raw: Buffer, contentType: string): boolean {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return true; // busboy accepted a spelling this does not read: let it judge
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  const open = Buffer.from(`--${boundary}`);
  const close = Buffer.from(`--${boundary}--`);
  return (
    raw.subarray(0, open.length).equals(open) &&
    end >= close.length &&
    raw.subarray(end - close.length, end).equals(close)
  );
}

const malformed = (reason: string) =>
  validationError([{ property: '$', message: `malformed multipart body: ${reason}` }]);

/**
 * Parses an already-buffered multipart body (kept whole because the signature covers its raw bytes). Every
 * failure of the parser, including those its file streams report on their own, rejects the promise: an
 * 'error' event without a listener would otherwise end the process.
 */
export function parseMultipart(
  raw: Buffer,
  contentType: string | undefined,
  repeatable: readonly string[] = [],
): Promise<MultipartContent> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType ?? '' }, limits: LIMITS });
    } catch {
      reject(new AppError('UNSUPPORTED_MEDIA_TYPE', 'multipart/form-data with a boundary is required'));
      return;
    }
    if (!framed(raw, contentType ?? '')) {
      reject(malformed('it must open with its boundary and end with the closing boundary'));
      return;
    }
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    const seen = new Set<string>();
    let failed = false;
    const fail = (error: AppError) => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    const once = (name: string) => {
      if (seen.has(name) && !repeatable.includes(name))
        fail(validationError([{ property: name, message: 'is given more than once' }]));
      seen.add(name);
    };
    parser.on('file', (field, stream, info) => {
      once(field);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err: Error) => fail(malformed(REASONS[err.message] ?? 'a part could not be read')));
      stream.on('end', () => files.push({ field, data: Buffer.concat(chunks), mimeType: info.mimeType }));
    });
    parser.on('field', (name, value, info) => {
      once(name);
      if (info.nameTruncated || info.valueTruncated)
        fail(validationError([{ property: name, message: `is longer than ${LIMITS.fieldSize} bytes` }]));
      fields[name] = value;
    });
    parser.on('filesLimit', () => fail(malformed(`more than ${LIMITS.files} file parts`)));
    parser.on('fieldsLimit', () => fail(malformed(`more than ${LIMITS.fields} text fields`)));
    parser.on('error', (err: Error) => fail(malformed(REASONS[err.message] ?? 'it could not be parsed')));
    parser.on('close', () => {
      if (!failed) resolve({ files, fields });
    });
    void (async () => {
      for (let at = 0; at < raw.length && !failed; at += SLICE) {
        parser.write(raw.subarray(at, at + SLICE));
        await nextTurn();
      }
      if (failed) parser.destroy();
      else parser.end();
    })();
  });
}

function nonEmpty(files: UploadedFile[], field: string): UploadedFile {
  const file = files.find((f) => f.field === field);
  if (!file || file.data.length === 0)
    throw validationError([{ property: field, message: 'a non-empty file part (with a filename) is required' }]);
  return file;
}

/** The one required file part `field` of a multipart body, with any `repeatable` parts and the text fields. */
export async function multipartUpload(
  body: unknown,
  contentType: string | undefined,
  field: string,
  repeatable: readonly string[] = [],
) {
  if (!Buffer.isBuffer(body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'multipart/form-data is required');
  const { files, fields } = await parseMultipart(body, contentType, repeatable);
  return { file: nonEmpty(files, field), files, fields };
}
