#!/usr/bin/env node
// tsc compiles TypeScript only; JSON data shipped with the code (calibration files) and the console's stylesheet
// are copied beside it.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
for (const file of walk(join(root, 'src')).filter((f) => f.endsWith('.json') || f.endsWith('console.css'))) {
  cpSync(file, join(root, 'dist', relative(join(root, 'src'), file)));
}
