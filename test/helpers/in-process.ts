import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { type Container, createContainer } from '../../src/runtime/container.js';
import { createLogger } from '../../src/runtime/logger.js';
import { signedQuery, signRequest } from './signing.js';

export interface InProcess {
  app: FastifyInstance;
  container: Container;
  sdkId: string;
  privateKeyPem: string;
  /** A signed inject: the request is signed exactly as the SDK would sign it. */
  signed(method: string, path: string, body?: Buffer | string, contentType?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The HTTP layer on a real SQLite file, driven through app.inject() (integration tier). */
export async function inProcessApp(env: Record<string, string> = {}): Promise<InProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'openidv-it-'));
  const config = loadConfig({ OPENIDV_DATA_DIR: dir, OPENIDV_WORKERS: 'false', ...env });
  const container = await createContainer(config, createLogger('silent'));
  const app = await buildApp(container);
  const { app: record, privateKeyPem } = await container.apps.create('integration');
  return {
    app,
    container,
    sdkId: record.sdkId,
    privateKeyPem: privateKeyPem!,
    signed(method, path, body, contentType = 'application/json') {
      const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
      const endpoint = `${path}${path.includes('?') ? '&' : '?'}${signedQuery(record.sdkId)}`;
      return app.inject({
        method: method as 'GET',
        url: `/idverify/v1${endpoint}`,
        headers: {
          'x-yoti-auth-digest': signRequest(method, endpoint, bytes, privateKeyPem!),
          ...(bytes ? { 'content-type': contentType } : {}),
        },
        ...(bytes ? { payload: bytes } : {}),
      });
    },
    async close() {
      await app.close();
      await container.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
