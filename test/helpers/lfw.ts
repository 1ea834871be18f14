import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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
    const photos = readdirSync(`${root}/${name}`)
      .sort()
      .map((f) => `${root}/${name}/${f}`);
    if (photos.length < minPhotos) continue;
    if (seen++ < skip) continue;
    people.push({ name, photos });
    if (people.length === count) break;
  }
  return people;
}

/**
 * A small LFW-layout folder (images/<Name>/<file> as symlinks, and a one-fold pairs.txt) of `count` people of
 * lfw-dev with `photos` photos each, for commands that evaluate on LFW (`eval faces`, `models eval`). A
 * calibration needs about 50 impostor scores above 0.25: 100 people × 4 photos give ~80 with the shipped set.
 */
export function lfwSubset(dir: string, count: number, photos: number, skip = 0): LfwPerson[] {
  const people = lfwPeople(count, photos, skip).map((p) => ({ name: p.name, photos: p.photos.slice(0, photos) }));
  for (const person of people) {
    mkdirSync(join(dir, 'images', person.name), { recursive: true });
    for (const photo of person.photos) symlinkSync(photo, join(dir, 'images', person.name, basename(photo)));
  }
  const same = people.map((p) => `${p.name}\t1\t2`);
  const different = people.map((p, i) => `${p.name}\t1\t${people[(i + 1) % people.length]!.name}\t1`);
  writeFileSync(join(dir, 'pairs.txt'), `1\t${people.length}\n${[...same, ...different].join('\n')}\n`);
  return people;
}
