import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let bundled: Promise<string> | undefined;

/**
 * The pool needs the worker as JavaScript. From dist/ it sits next to this file. When the code runs from the
 * TypeScript sources (vitest), there is no .js beside the .ts, so the worker is bundled with esbuild (a dev
 * dependency, only reached in that case) into node_modules/.cache, where its bare imports still resolve. It is
 * rebuilt once per process so it never lags behind the sources, and renamed into place atomically because
 * parallel test processes share the file.
 */
export function resolveWorkerScript(): Promise<string> {
  const compiled = fileURLToPath(new URL('./face-engine.worker.js', import.meta.url));
  if (existsSync(compiled)) return Promise.resolve(compiled);
  bundled ??= bundleFromSources();
  return bundled;
}

async function bundleFromSources(): Promise<string> {
  const source = fileURLToPath(new URL('./face-engine.worker.ts', import.meta.url));
  const outDir = fileURLToPath(new URL('../../../../node_modules/.cache/openidv/', import.meta.url));
  const outfile = `${outDir}face-engine.worker.mjs`;
  const tmp = `${outDir}face-engine.worker.${process.pid}.tmp.mjs`;
  mkdirSync(outDir, { recursive: true });
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [source],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  renameSync(tmp, outfile);
  return outfile;
}
