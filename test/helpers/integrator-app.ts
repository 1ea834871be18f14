import type { AddressInfo } from 'node:net';
import express from 'express';
import type { TestApp } from './server.js';
import { idvClient } from './yoti.js';

// A relying party's web app written the way Yoti's own IDV examples are (the Express app of the Node SDK's
// examples/idv): a controller creates the session with the official SDK and renders a page that embeds
// <api>/web/index.html in an iframe with allow="camera"; success_url renders the session's checks with the
// SDK's getters; error_url shows the yotiErrorCode the client sent. The page also records the postMessage events
// the iframe sends (Yoti's docs show a listener like this one) so tests can read them.

export type SpecFactory = (baseUrl: string) => unknown;

export interface IntegratorApp {
  /** http://localhost:<port>: a different origin (and host) from openidv's http://127.0.0.1:<port>. */
  baseUrl: string;
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const layout = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;

export async function startIntegrator(options: {
  apiUrl: string;
  app: TestApp;
  useCases: Record<string, SpecFactory>;
}): Promise<IntegratorApp> {
  const client = idvClient(options.app, options.apiUrl);
  const server = express();
  let baseUrl = '';

  server.get('/session/:useCase', async (req, res) => {
    const factory = options.useCases[req.params.useCase];
    if (!factory) return void res.status(404).send('no such use case');
    try {
      const session = await client.createSession(factory(baseUrl));
      const iframeUrl = `${options.apiUrl}/web/index.html?sessionID=${session.getSessionId()}&sessionToken=${session.getClientSessionToken()}`;
      res.send(
        layout(
          'IDV session',
          `<div id="session-id">${escapeHtml(session.getSessionId())}</div>
<iframe id="idv" style="border:none;" width="100%" height="750" allow="camera" src="${escapeHtml(iframeUrl)}" allowfullscreen></iframe>
<pre id="events"></pre>
<script>
  window.idvEvents = [];
  window.addEventListener('message', function (event) {
    window.idvEvents.push({ origin: event.origin, data: event.data });
    document.getElementById('events').textContent = JSON.stringify(window.idvEvents);
  });
</script>`,
        ),
      );
    } catch (error) {
      res
        .status(500)
        .send(layout('Error', `<p id="error">${escapeHtml(String((error as Error).message ?? error))}</p>`));
    }
  });

  // success_url: the session's checks as the SDK parses them. Checks finish after the page does, so this
  // waits (briefly) for the session to complete before rendering.
  server.get('/success', async (req, res) => {
    const sessionId = String(req.query.sessionID ?? '');
    const deadline = Date.now() + 90_000;
    let session = await client.getSession(sessionId);
    while (session.getState() !== 'COMPLETED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      session = await client.getSession(sessionId);
    }
    const rows = session
      .getChecks()
      .map(
        // biome-ignore lint/suspicious/noExplicitAny: the SDK's session result reaches this CommonJS import untyped
        (check: any) =>
          `<li data-type="${escapeHtml(check.getType())}">${escapeHtml(check.getType())} ${escapeHtml(check.getState())} ${escapeHtml(check.getReport()?.getRecommendation()?.getValue() ?? '')}</li>`,
      )
      .join('');
    res.send(layout('Success', `<h1 id="state">${escapeHtml(session.getState())}</h1><ul id="checks">${rows}</ul>`));
  });

  server.get('/error', (req, res) => {
    const error = req.query.yotiErrorCode
      ? `Error Code: ${String(req.query.yotiErrorCode)}`
      : 'An unknown error occurred';
    res.send(layout('Error', `<h1 id="error">${escapeHtml(error)}</h1>`));
  });

  server.get('/privacy-policy', (_req, res) => void res.send(layout('Privacy', '<h1>Privacy policy</h1>')));

  const listener = server.listen(0, 'localhost');
  await new Promise<void>((resolve, reject) => listener.once('listening', resolve).once('error', reject));
  baseUrl = `http://localhost:${(listener.address() as AddressInfo).port}`;
  return {
    baseUrl,
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}
