import type { FastifyRequest } from 'fastify';
import type { AppService } from '../../domain/apps/app.service.js';
import { appScope, mayAccessApp } from '../../domain/console/console-user.types.js';
import type { AppRecord } from '../../domain/ports/repositories.port.js';
import { user } from './console-request.js';

/** The apps the signed-in user may see (all of them for admins), and a check for one app id. */
export async function visibleApps(
  request: FastifyRequest,
  apps: AppService,
): Promise<{ apps: AppRecord[]; ids: string[] | null; may: (appId: string) => boolean }> {
  const u = user(request);
  const all = await apps.list();
  const scope = appScope(u);
  const visible = scope ? all.filter((a) => scope.includes(a.sdkId)) : all;
  return { apps: visible, ids: scope, may: (appId) => mayAccessApp(u, appId) };
}

export const appName = (apps: AppRecord[], id: string) => apps.find((a) => a.sdkId === id)?.name ?? id;
