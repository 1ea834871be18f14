import { validationError } from '../../domain/errors.js';

// Opaque keyset cursors of the console's lists: (time, id) of the last row shown.
export function encodeKey(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeKey(cursor: string | undefined): { at: number; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string' && id.length <= 200) return { at, id };
  } catch {
    /* fall through */
  }
  throw validationError([{ property: 'cursor', message: 'is not a cursor of this list' }]);
}
