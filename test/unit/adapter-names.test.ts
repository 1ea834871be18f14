import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// CONTRIBUTING.md: a class implementing a port lives in `<qualifier>.<role>.ts`, the role being the port's name or
// its last words in kebab-case (disk-media.store.ts: MediaStore; session.repository.ts: SessionRepository).

const INFRA = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/infra');

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Each adapter class of infra with the ports (interfaces imported from domain/ports) it implements. */
function adapters(): { file: string; ports: string[] }[] {
  return files(INFRA).flatMap((file) => {
    const source = readFileSync(file, 'utf8');
    const fromPorts = new Set(
      [...source.matchAll(/import (?:type )?\{([^}]*)\} from '[./]*\/domain\/ports\/[^']+'/g)].flatMap((m) =>
        m[1]!.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim()),
      ),
    );
    return [...source.matchAll(/export class \w+ implements ([\w\s,]+)\{/g)]
      .map((m) =>
        m[1]!
          .split(',')
          .map((n) => n.trim())
          .filter((n) => fromPorts.has(n)),
      )
      .filter((ports) => ports.length > 0)
      .map((ports) => ({ file: relative(INFRA, file), ports }));
  });
}

it('names every port adapter of infra <qualifier>.<port role>.ts', () => {
  const found = adapters();
  expect(found.length).toBeGreaterThan(25);
  const misnamed = found.filter(({ file, ports }) => {
    const stem = basename(file, '.ts');
    const role = stem.includes('.') ? stem.slice(stem.lastIndexOf('.') + 1) : null;
    return !role || !ports.some((p) => kebab(p) === role || kebab(p).endsWith(`-${role}`));
  });
  expect(misnamed).toEqual([]);
});
