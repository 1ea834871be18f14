import { readdirSync } from 'node:fs';
import { dataPath } from './data.js';

export interface LfwPerson {
  name: string;
  photos: string[];
}

/** The first `count` people (alphabetically, after `skip`) of lfw-dev with at least `minPhotos` photos. */
export function lfwPeople(count: number, minPhotos: number, skip = 0): LfwPerson[] {
  const root = dataPath('lfw-dev', 'images');
  const people: LfwPerson[] = [];
  let seen = 0;
  for (const name of readdirSync(root).sort()) {
    const photos = readdirSync(`${root}/${name}`).sort().map((f) => `${root}/${name}/${f}`);
    if (photos.length < minPhotos) continue;
    if (seen++ < skip) continue;
    people.push({ name, photos });
    if (people.length === count) break;
  }
  return people;
}
