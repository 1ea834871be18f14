import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Looks for erased bytes in the raw files of an install (database, its WAL and shared-memory files, media
// folder): what a disk image or a backup of the data folder would reveal, whatever SQL or the API say.

/**
 * Distinct windows of a byte string: a match of any of them means (part of) the bytes survived. `skip` leaves
 * out a prefix other files share (an image format's header).
 */
export function needlesOf(
  label: string,
  bytes: Uint8Array,
  options: { skip?: number; width?: number; count?: number } = {},
): { label: string; bytes: Buffer }[] {
  const { skip = 0, width = 48, count = 4 } = options;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset + skip, bytes.byteLength - skip);
  if (buf.length <= width) return [{ label, bytes: buf }];
  const step = Math.floor((buf.length - width) / (count - 1));
  return Array.from({ length: count }, (_, i) => ({
    label: `${label}@${skip + i * step}`,
    bytes: buf.subarray(i * step, i * step + width),
  }));
}

function filesUnder(path: string): string[] {
  let info;
  try {
    info = statSync(path);
  } catch {
    return [];
  }
  if (info.isFile()) return [path];
  if (!info.isDirectory()) return [];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

/** Every file under `root` holding one of the needles, as `file: needle label` lines (empty when clean). */
export function findResidue(root: string, needles: { label: string; bytes: Buffer }[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(root)) {
    const data = readFileSync(file);
    for (const n of needles) if (data.includes(n.bytes)) found.push(`${relative(root, file)}: ${n.label}`);
  }
  return found;
}
