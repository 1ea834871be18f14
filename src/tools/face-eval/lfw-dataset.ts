import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface LfwPair {
  fold: number;
  same: boolean;
  a: string;
  b: string;
}

export interface LfwImage {
  /** Relative id `<Name>/<file>`, also the path under images/. */
  id: string;
  person: string;
  /** Image number parsed from the file name (NNNN), or the position in the sorted listing. */
  index: number;
}

export interface LfwDataset {
  dir: string;
  folds: number;
  pairsPerFoldAndClass: number;
  pairs: LfwPair[];
  /** Every image under images/, sorted by person then number. */
  images: LfwImage[];
}

/** `<Name>_NNNN.jpg`: the LFW naming, with four-digit, 1-based image numbers. */
export function lfwImageId(person: string, index: number): string {
  return `${person}/${person}_${String(index).padStart(4, '0')}.jpg`;
}

/**
 * pairs.txt in the View-2 layout: a header `<folds> <n>`, then for each fold n same-person lines `name i j` and n
 * different-person lines `name1 i name2 j`. Any number of folds; a header holding only `n` means one fold
 * (the View-1 files). Fields may be separated by tabs or spaces.
 */
export function parsePairs(text: string): { folds: number; perFold: number; pairs: LfwPair[] } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const header = (lines.shift() ?? '').split(/\s+/).map(Number);
  const [folds, perFold] = header.length >= 2 ? [header[0]!, header[1]!] : [1, header[0]!];
  if (!Number.isInteger(folds) || !Number.isInteger(perFold) || folds < 1 || perFold < 1) {
    throw new Error('pairs.txt: the first line must be "<folds> <pairs per class>"');
  }
  if (lines.length !== folds * perFold * 2) {
    throw new Error(
      `pairs.txt: expected ${folds * perFold * 2} pair lines for ${folds} folds of ${perFold}, found ${lines.length}`,
    );
  }
  const pairs = lines.map((line, i): LfwPair => {
    const f = line.split(/\s+/);
    const fold = Math.floor(i / (2 * perFold));
    const same = i % (2 * perFold) < perFold;
    if (same && f.length === 3) return { fold, same, a: lfwImageId(f[0]!, +f[1]!), b: lfwImageId(f[0]!, +f[2]!) };
    if (!same && f.length === 4) return { fold, same, a: lfwImageId(f[0]!, +f[1]!), b: lfwImageId(f[2]!, +f[3]!) };
    throw new Error(`pairs.txt line ${i + 2}: expected ${same ? 'name i j' : 'name1 i name2 j'}, got "${line}"`);
  });
  return { folds, perFold, pairs };
}

export async function loadLfwDataset(dir: string): Promise<LfwDataset> {
  const { folds, perFold, pairs } = parsePairs(await readFile(join(dir, 'pairs.txt'), 'utf8'));
  const imagesDir = join(dir, 'images');
  const people: string[] = [];
  for (const entry of await readdir(imagesDir, { withFileTypes: true })) {
    // stat, not the dirent: a person folder may be a symbolic link (subsets built without copying photos).
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await stat(join(imagesDir, entry.name))).isDirectory())) {
      people.push(entry.name);
    }
  }
  people.sort();
  const images: LfwImage[] = [];
  for (const person of people) {
    const files = (await readdir(join(imagesDir, person))).filter((f) => /\.(jpe?g|png|webp)$/i.test(f));
    const numbered = files.map((file, i) => ({ file, index: Number(/_(\d+)\.\w+$/.exec(file)?.[1] ?? i + 1) }));
    numbered.sort((p, q) => p.index - q.index || p.file.localeCompare(q.file));
    for (const { file, index } of numbered) images.push({ id: `${person}/${file}`, person, index });
  }
  const known = new Set(images.map((im) => im.id));
  const missing = pairs.flatMap((p) => [p.a, p.b]).filter((id) => !known.has(id));
  if (missing.length > 0)
    throw new Error(`pairs.txt names ${missing.length} images not under images/, e.g. ${missing[0]}`);
  return { dir, folds, pairsPerFoldAndClass: perFold, pairs, images };
}
