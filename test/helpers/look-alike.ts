import { readdirSync } from 'node:fs';
import { dataPath } from './data.js';
import type { LfwPerson } from './lfw.js';

/**
 * A real photo of someone else whose similarity to an enrolled person falls inside a review band: what a
 * familiar face search sends to a person under manual_check FALLBACK. People of lfw-dev are tried in order,
 * skipping `enrolled`; `margin` keeps the pick away from the band's edges (API similarities are rounded to two
 * decimals). About one stranger in ten scores inside the default band of a one-face pool; a photo the search
 * refuses (no single face) counts as NaN and is passed over.
 */
export async function lookAlike(
  enrolled: LfwPerson,
  band: { lower: number; upper: number },
  similarityOf: (photo: string) => Promise<number>,
  options: { margin?: number; tries?: number } = {},
): Promise<{ photo: string; similarity: number }> {
  const { margin = 0.02, tries = 120 } = options;
  const root = dataPath('lfw-dev', 'images');
  const names = readdirSync(root)
    .sort()
    .filter((n) => n !== enrolled.name)
    .slice(0, tries);
  for (const name of names) {
    const photo = `${root}/${name}/${readdirSync(`${root}/${name}`).sort()[0]}`;
    const similarity = await similarityOf(photo);
    if (similarity >= band.lower + margin && similarity < band.upper - margin) return { photo, similarity };
  }
  throw new Error(
    `none of ${names.length} people scores inside [${band.lower}, ${band.upper}) against ${enrolled.name}`,
  );
}
