import { connect } from 'node:net';

export interface RawAnswer {
  /** 0 when the connection failed before any answer. */
  status: number;
  body: string;
  error?: string;
}

export interface RawRequest {
  method: string;
  /** Path and query, sent byte for byte. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  /** Send the headers only and wait for an answer (a body announced but never sent). */
  withholdBody?: boolean;
  /** Connect from this loopback address (127.x.y.z), to play a client at another address. */
  localAddress?: string;
  timeoutMs?: number;
}

/** The status and body of an HTTP/1.1 answer once it is complete (by Content-Length), else null. */
function parseAnswer(data: Buffer): RawAnswer | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = data.subarray(0, end).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const length = status === 204 || status === 304 ? 0 : Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
  const body = data.subarray(end + 4);
  if (Number.isNaN(length) || body.length < length) return null;
  return { status, body: body.subarray(0, length).toString('utf8') };
}

/**
 * One HTTP/1.1 request on a fresh connection, with the body written the way an attacker would: in 1 MB slices,
 * on and on until the server answers or hangs up. The answer is read even when the server closes the connection
 * while the body is still being written (what it does when it refuses a body unread). Never rejects.
 */
export function rawHttp(baseUrl: string, req: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    let error: string | undefined;
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      ...(req.localAddress ? { localAddress: req.localAddress } : {}),
    });
    const settle = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(
      () => settle(parseAnswer(received) ?? { status: 0, body: '', error: 'timeout' }),
      req.timeoutMs ?? 30_000,
    );
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const answer = parseAnswer(received);
      if (answer) settle(answer);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    socket.on('close', () =>
      settle(
        parseAnswer(received) ?? {
          status: 0,
          body: received.toString('utf8'),
          error: error ?? 'closed without an answer',
        },
      ),
    );
    socket.on('connect', () => {
      const body = req.body ?? Buffer.alloc(0);
      const headers: Record<string, string> = { host: url.host, ...req.headers };
      const named = (h: string) => Object.keys(headers).some((k) => k.toLowerCase() === h);
      if (req.chunked) headers['transfer-encoding'] = 'chunked';
      else if ((req.body || req.withholdBody) && !named('content-length'))
        headers['content-length'] = String(body.length);
      socket.write(
        `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n`,
      );
      if (req.withholdBody) return;
      let at = 0;
      const pump = () => {
        while (at < body.length && !settled && socket.writable) {
          const slice = body.subarray(at, at + (1 << 20));
          at += slice.length;
          const framed = req.chunked
            ? [Buffer.from(`${slice.length.toString(16)}\r\n`), slice, Buffer.from('\r\n')]
            : [slice];
          if (!socket.write(Buffer.concat(framed))) return void socket.once('drain', pump);
        }
        if (req.chunked && !settled && socket.writable) socket.write('0\r\n\r\n');
      };
      pump();
    });
  });
}

/** Announces `declared` bytes, sends `sent` of them, and hangs up: a body cut by the network. */
export function hangUpMidBody(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  sent: Buffer,
  declared: number,
): Promise<void> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      const head = Object.entries({ host: url.host, 'content-length': String(declared), ...headers })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
      socket.write(sent, () => setTimeout(() => socket.destroy(), 20));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}
