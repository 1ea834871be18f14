#!/usr/bin/env node
// Bundles the end-user capture page (src/web) into dist/web, which web.routes.ts serves. Type-checking is done
// by `tsc -p src/web/tsconfig.json` before this runs (esbuild strips types without checking them).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'web');

// A clean folder: copy-assets.mjs copies every src/**/*.json (so also this folder's tsconfig.json) beside the code.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'main.ts'), styles: join(here, 'styles.css') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  // Phones a few years old (iOS 15, Android Chrome 90): getUserMedia, createImageBitmap, aspect-ratio.
  target: ['chrome90', 'edge90', 'firefox90', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'icon.svg']) copyFileSync(join(here, file), join(out, file));
