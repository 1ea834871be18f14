import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generateOpenApi } from '../../src/http/openapi-document.js';
import { ROOT } from '../helpers/server.js';

it('the committed docs/openapi.json matches the route schemas (regenerate with `npm run openapi`)', async () => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
  expect(await generateOpenApi()).toEqual(committed);
});

it('documents every Yoti endpoint of spec 3.1', async () => {
  const doc = (await generateOpenApi()) as { paths: Record<string, Record<string, unknown>> };
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
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
