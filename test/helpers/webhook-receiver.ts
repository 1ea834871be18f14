import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, string>;
  status: number;
}

/** A webhook endpoint on loopback that records what it receives; `failFirst` answers 500 that many times. */
export async function startWebhookReceiver(options: { failFirst?: number } = {}) {
  const received: ReceivedWebhook[] = [];
  let failures = options.failFirst ?? 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = failures > 0 ? 500 : 204;
      if (failures > 0) failures--;
      received.push({ headers: req.headers, body, json: JSON.parse(body || '{}'), status });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    delivered: () => received.filter((r) => r.status < 300),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
