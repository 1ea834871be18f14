import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Real photos live outside the repository (never committed); tests that need them skip when absent.
export const dataDir = resolve(
  process.env.OPENIDV_TEST_DATA ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data'),
);

export function dataPath(...parts: string[]): string {
  return join(dataDir, ...parts);
}

export function hasData(...parts: string[]): boolean {
  const present = existsSync(dataPath(...parts));
  if (!present) console.warn(`[skip] test data not found at ${dataPath(...parts)} (set OPENIDV_TEST_DATA)`);
  return present;
}
