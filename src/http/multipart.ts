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

/** Parses an already-buffered multipart body (kept whole because the signature covers its raw bytes). */
export function parseMultipart(raw: Buffer, contentType: string | undefined, limits = { files: 10, fields: 20 }): Promise<MultipartContent> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType ?? '' }, limits });
    } catch {
      reject(new AppError('UNSUPPORTED_MEDIA_TYPE', 'multipart/form-data with a boundary is required'));
      return;
    }
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => files.push({ field, data: Buffer.concat(chunks), mimeType: info.mimeType }));
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('error', () => reject(validationError([{ property: '$', message: 'malformed multipart body' }])));
    parser.on('close', () => resolve({ files, fields }));
    parser.end(raw);
  });
}

export async function singleFile(raw: unknown, contentType: string | undefined, field: string): Promise<UploadedFile> {
  if (!Buffer.isBuffer(raw)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'multipart/form-data is required');
  const { files } = await parseMultipart(raw, contentType);
  const file = files.find((f) => f.field === field);
  if (!file || file.data.length === 0) throw validationError([{ property: field, message: 'a non-empty file part is required' }]);
  return file;
}
