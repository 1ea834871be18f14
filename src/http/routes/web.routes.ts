import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { PageLink, PageLinks } from '../../domain/capture/page-link.js';
import { AppError } from '../../domain/errors.js';

// The end-user capture page (spec 2.3: <api>/web/index.html?sessionID=…&sessionToken=…), built from src/web into
// dist/web by `npm run build:web`. The URL carries the client token, so: no caching of the page, no referrer,
// and a CSP that lets the page talk to its own origin only (the logger already drops sessionToken from URLs).
// Framing is refused unless the session's app (or the server default) names the origins that may embed it.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

const cspWith = (frameAncestors: readonly string[]) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
    "require-trusted-types-for 'script'",
    'trusted-types',
  ].join('; ');

/**
 * X-Frame-Options cannot list origins, so it goes when some may frame the page (browsers that know CSP obey
 * frame-ancestors first anyway). The camera stays `self`: an embedder delegates it with <iframe allow="camera">,
 * and Chromium then lets this document (its own origin) use it.
 */
function securityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': cspWith(frameAncestors),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    ...(frameAncestors.length ? {} : { 'x-frame-options': 'DENY' }),
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
  };
}
const STATIC_HEADERS = securityHeaders([]);

/** Where the server writes the page's link context (see PageLinks) into index.html. */
const LINK_META = '<meta name="openidv-link" content="">';

const escapeAttribute = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function renderPage(template: string, link: PageLink): string {
  const context = { frame_ancestors: link.frameAncestors, error_url: link.errorUrl, locale: link.locale };
  return template.replace(
    LINK_META,
    `<meta name="openidv-link" content="${escapeAttribute(JSON.stringify(context))}">`,
  );
}

const single = (value: unknown) => (typeof value === 'string' ? value : undefined);

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** dist/web beside the compiled server (dist/http/routes → dist/web), or the repository's dist/web from src. */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, '..', '..', 'web');
  return existsSync(join(built, 'app.js')) ? built : join(here, '..', '..', '..', 'dist', 'web');
}

function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(root)) return assets;
  for (const name of readdirSync(root)) {
    const type = TYPES[extname(name)];
    const path = join(root, name);
    if (!type || !statSync(path).isFile()) continue;
    const body = readFileSync(path);
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

export const webRoutes: FastifyPluginAsync<{ root?: string; links: PageLinks }> = async (app, options) => {
  const root = options.root ?? defaultWebRoot();
  const assets = loadAssets(root);
  const page = assets.get('index.html');
  if (!page) app.log.warn({ root }, 'the capture page is not built (npm run build): /web/index.html will answer 404');
  const template = page?.body.toString('utf8') ?? '';

  const send = (reply: FastifyReply, name: string, ifNoneMatch: string | undefined) => {
    const asset = assets.get(name);
    if (!asset) throw new AppError('NOT_FOUND');
    void reply.headers(STATIC_HEADERS);
    // Assets revalidate cheaply by ETag.
    void reply.header('cache-control', 'no-cache').header('etag', asset.etag);
    if (ifNoneMatch === asset.etag) return reply.status(304).send();
    return reply.type(asset.type).send(asset.body);
  };

  const hide = { schema: { hide: true } };
  // /web and /web/ lead to the page, keeping the query (sessionID, sessionToken).
  for (const path of ['/web', '/web/']) {
    app.get(path, hide, async (request, reply) => {
      const at = request.url.indexOf('?');
      const [pathname, query] = at < 0 ? [request.url, ''] : [request.url.slice(0, at), request.url.slice(at)];
      void reply.headers({ 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
      return reply.redirect(`${pathname.replace(/\/?$/, '/')}index.html${query}`, 302);
    });
  }
  app.get<{ Params: { file: string } }>('/web/:file', hide, async (request, reply) => {
    if (request.params.file !== 'index.html' || !page)
      return send(reply, request.params.file, request.headers['if-none-match']);
    const query = request.query as Record<string, unknown>;
    const link = await options.links.resolve(single(query.sessionID), single(query.sessionToken));
    // The page's URL holds a token: never store it.
    void reply.headers(securityHeaders(link.frameAncestors)).header('cache-control', 'no-store');
    return reply.type(page.type).send(renderPage(template, link));
  });
};
