import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundles = new Map<string, Promise<string>>();

/**
 * A worker-thread entry as JavaScript. From dist/ it is the compiled file beside the module. When the code
 * runs from TypeScript sources (vitest) the worker is bundled once per process with esbuild (a dev
 * dependency, only reached in that case) into node_modules/.cache, where its bare imports still resolve. It is
 * rebuilt once per process so it never lags behind the sources, and renamed into place atomically because
 * parallel test processes share the file.
 */
export function resolveWorkerScript(url: URL): Promise<string> {
  const compiled = fileURLToPath(url).replace(/\.ts$/, '.js');
  if (existsSync(compiled)) return Promise.resolve(compiled);
  const source = fileURLToPath(url).replace(/\.js$/, '.ts');
  let bundled = bundles.get(source);
  if (!bundled) {
    bundled = bundle(source);
    bundles.set(source, bundled);
  }
  return bundled;
}

async function bundle(source: string): Promise<string> {
  const outDir = fileURLToPath(new URL('../../../node_modules/.cache/openidv/', import.meta.url));
  const name = source.split('/').pop()!.replace(/\.ts$/, '');
  const outfile = `${outDir}${name}.mjs`;
  const tmp = `${outDir}${name}.${process.pid}.tmp.mjs`;
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
