import { loadConfig } from '../config/config.js';
import { createContainer } from '../runtime/container.js';
import { createLogger } from '../runtime/logger.js';
import { buildApp } from '../http/app.js';

/** The OpenAPI document as served, built on a throwaway in-memory store. */
export async function generateOpenApi(): Promise<unknown> {
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    OPENIDV_DATA_DIR: '/nonexistent-openidv',
    OPENIDV_WORKERS: 'false',
  });
  const container = await createContainer(config, createLogger('silent'));
  const app = await buildApp(container);
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
    await container.close();
  }
}
