import { validationError } from '../../../domain/errors.js';

// Opaque keyset cursors: (time, id) of the last item of the previous page.
export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { at: number; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    /* fall through */
  }
  throw validationError([{ property: 'cursor', message: 'is not a cursor returned by this API' }]);
}
