import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '@readme/openapi-parser';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { generateOpenApi } from '../../src/cli/openapi-document.js';
import { createContainer } from '../../src/runtime/container.js';
import { createLogger } from '../../src/runtime/logger.js';
import { ROOT } from '../helpers/server.js';

interface Doc {
  paths: Record<
    string,
    Record<
      string,
      { requestBody?: { content: Record<string, { schema: { properties?: Record<string, { format?: string }> } }> } }
    >
  >;
  components: { schemas: Record<string, unknown> };
}

const MULTIPART = 'multipart/form-data';

it('the committed docs/openapi.json matches the route schemas (regenerate with `npm run openapi`)', async () => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
  expect(await generateOpenApi()).toEqual(committed);
});

it('is a valid OpenAPI 3.1 document whose every reference resolves (@readme/openapi-parser)', async () => {
  const doc = (await generateOpenApi()) as Doc;
  const result = await validate(structuredClone(doc) as never);
  expect(result.valid, JSON.stringify(result)).toBe(true);
  expect(result.warnings).toEqual([]);
  // Referenced by $id in route schemas: emitted, and referenced as components.
  for (const name of ['Error', 'Applicant', 'PoolDetail', 'PoolSearchResult', 'SessionSpecification', 'SessionResult'])
    expect(Object.keys(doc.components.schemas)).toContain(name);
  expect(JSON.stringify(doc)).not.toMatch(/"\$ref":"(?!#\/components\/schemas\/)/);
});

/** Served routes as `METHOD /path`, as Fastify adds them (HEAD, which Fastify adds beside GET, left out). */
async function servedRoutes(): Promise<string[]> {
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    OPENIDV_DATA_DIR: '/nonexistent-openidv',
    OPENIDV_WORKERS: 'false',
  });
  const container = await createContainer(config, createLogger('silent'));
  const routes: string[] = [];
  const app = await buildApp({
    ...container,
    onRoute: (route) => {
      for (const method of [route.method].flat().filter((m) => m !== 'HEAD')) routes.push(`${method} ${route.url}`);
    },
  });
  await app.close();
  await container.close();
  return routes;
}

it('documents every served route, and every Yoti endpoint of spec 3.1', async () => {
  const doc = (await generateOpenApi()) as Doc;
  const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })),
  );
  // The operator console (/console) is a server-rendered application of its own, kept out of the API's
  // document on purpose (console.plugin.ts; docs/console.md describes it).
  const served = (await servedRoutes()).filter((route) => !/^[A-Z]+ \/console(\/|$)/.test(route));
  expect(served.length).toBeGreaterThan(50);
  const undocumented = served.filter((route) => {
    const [method, path] = route.split(' ') as [string, string];
    // A served pattern (":id", "*") as a concrete path; a documented template ("{id}") as a pattern.
    const concrete = path
      .replace(/:[^/]+/g, 'x')
      .replace(/\*$/, 'x')
      .replace(/(.)\/$/, '$1');
    return !documented.some(
      (d) =>
        d.method === method &&
        new RegExp(`^${d.path.replace(/\{[^}]+\}/g, '[^/]+').replace(/(.)\/$/, '$1')}$`).test(concrete),
    );
  });
  expect(undocumented).toEqual([]);

  const ops = documented.map((d) => `${d.method} ${d.path}`);
  for (const op of [
    'POST /idverify/v1/sessions',
    'GET /idverify/v1/sessions/{sessionId}',
    'DELETE /idverify/v1/sessions/{sessionId}',
    'GET /idverify/v1/sessions/{sessionId}/configuration',
    'GET /idverify/v1/sessions/{sessionId}/media/{mediaId}/content',
    'DELETE /idverify/v1/sessions/{sessionId}/media/{mediaId}/content',
    'GET /idverify/v1/supported-documents',
    'POST /idverify/v1/sessions/{sessionId}/resources/face-capture',
    'PUT /idverify/v1/sessions/{sessionId}/resources/face-capture/{resourceId}/image',
    'GET /idverify/v1/sessions/{sessionId}/tracked-devices',
    'DELETE /idverify/v1/sessions/{sessionId}/tracked-devices',
  ]) {
    expect(ops).toContain(op);
  }
});

it('gives every upload operation a multipart request body with its image part', async () => {
  const doc = (await generateOpenApi()) as Doc;
  const uploads = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => op.requestBody?.content[MULTIPART])
      .map(([method, op]) => ({
        op: `${method.toUpperCase()} ${path}`,
        parts: op.requestBody!.content[MULTIPART]!.schema.properties ?? {},
      })),
  );
  expect(uploads.map((u) => u.op).sort()).toEqual([
    'POST /idverify/v1/client/sessions/{sessionId}/analyse',
    'POST /idverify/v1/client/sessions/{sessionId}/challenges/{challengeId}/frames',
    'POST /idverify/v1/client/sessions/{sessionId}/documents/{resourceId}/pages',
    'POST /idverify/v1/client/sessions/{sessionId}/face-capture',
    'POST /idverify/v1/client/sessions/{sessionId}/liveness',
    'POST /idverify/v1/client/sessions/{sessionId}/supplementary-documents/{resourceId}/pages',
    'PUT /idverify/v1/sessions/{sessionId}/resources/face-capture/{resourceId}/image',
  ]);
  for (const u of uploads)
    expect(
      Object.values(u.parts).some((p) => p.format === 'binary'),
      u.op,
    ).toBe(true);
  // Every route that consumes multipart (its "consumes" becomes the request body's media type) is listed.
  const source = ['client.routes.ts', 'face-capture.routes.ts']
    .map((f) => readFileSync(join(ROOT, 'src', 'http', 'routes', f), 'utf8'))
    .join('\n');
  expect((source.match(/consumes:/g) ?? []).length).toBe(uploads.length);
});
