import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layer rules of CONTRIBUTING.md ("Layout"), checked on every relative import in src/: type-only and
// dynamic imports and colocated tests included. Imports of files outside src/ (scripts, bench helpers) are
// not a layer's business and are left out.

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** What each top-level folder of src/ may import besides itself. The one table; CONTRIBUTING.md repeats it. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  shared: [],
  domain: ['shared'],
  config: ['domain', 'shared'],
  infra: ['domain', 'config', 'shared'],
  http: ['domain', 'config', 'shared'],
  runtime: ['domain', 'config', 'infra', 'shared'],
  tools: ['domain', 'config', 'infra', 'shared'],
  cli: ['domain', 'config', 'infra', 'http', 'runtime', 'tools', 'shared'],
  web: [],
};

/** Layers whose areas (first-level folders, e.g. infra/mrz, infra/ocr) must not import each other in a loop. */
const ACYCLIC_AREAS = ['infra', 'tools'];

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import in src/ of a file in src/, as paths relative to src/. */
function sourceImports(): Import[] {
  return sourceFiles(SRC).flatMap((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => ({ from: relative(SRC, file), to: relative(SRC, resolve(dirname(file), i.fileName)) }))
      .filter((i) => !i.to.startsWith('..'));
  });
}

const layerOf = (path: string) => path.split(sep)[0]!;
/** infra/mrz/mrz-reader.ts → infra/mrz; a file directly in a layer folder is its own area. */
const areaOf = (path: string) => path.split(sep).slice(0, 2).join('/');

/** The groups of nodes that reach each other (Tarjan's strongly connected components of more than one node). */
function cycles(edges: [string, string][]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const [a, b] of edges) if (a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      group.push(w);
    } while (w !== v);
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import direction', () => {
  const imports = sourceImports();

  it('reads the imports of every source file, and has a rule for every folder of src/', () => {
    expect(imports.length).toBeGreaterThan(1000);
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(Object.keys(MAY_IMPORT).sort()).toEqual(folders.map((e) => e.name).sort());
  });

  it('follows the layer rules', () => {
    const wrong = imports
      .filter(({ from, to }) => layerOf(from) !== layerOf(to) && !MAY_IMPORT[layerOf(from)]!.includes(layerOf(to)))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between layers, nor between the areas of infra and tools', () => {
    expect(cycles(imports.map(({ from, to }) => [layerOf(from), layerOf(to)]))).toEqual([]);
    const areaImports = imports.filter(
      ({ from, to }) => ACYCLIC_AREAS.includes(layerOf(from)) && layerOf(from) === layerOf(to),
    );
    expect(cycles(areaImports.map(({ from, to }) => [areaOf(from), areaOf(to)]))).toEqual([]);
  });

  it('finds a loop however long, and only the nodes on it', () => {
    expect(
      cycles([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['c', 'd'],
        ['d', 'e'],
      ]),
    ).toEqual([['a', 'b', 'c']]);
    expect(
      cycles([
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
      ]),
    ).toEqual([]);
  });
});
