import pino, { type Logger } from 'pino';

// Requests are logged without headers (signatures, tokens, credentials) and URLs lose their client-token
// query parameter.
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'openidv' },
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
      },
    },
    destination,
  );
}

export function redactUrl(url: string): string {
  return url.replace(/([?&](?:sessionToken|token)=)[^&]*/gi, '$1[redacted]');
}
