import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage } from '../../bench/lib/hostile-images.mjs';
import { openDocumentCapture, waitUntilCompleted } from '../helpers/document-session.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { idvClient, signedCall } from '../helpers/yoti.js';

// Images at the edges of what the decoders accept, sent as document page, page frame, preview and selfie of
// one session: every request answers below 500, the session completes, and each check says NOT_AVAILABLE
// with a reason instead of a guess. (A 20000 × 60 strip once kept the document reader busy for 117 s.)

const cases: { name: string; make: () => Promise<Buffer>; documentReason?: string }[] = [
  { name: '1 × 1 px', make: () => solidImage(1, 1), documentReason: 'IMAGE_RESOLUTION_TOO_LOW' },
  { name: '20000 × 60 px strip', make: () => solidImage(20000, 60) },
  { name: '16000 × 16000 px PNG of 0.8 MB', make: () => solidImage(16000, 16000) },
  {
    name: 'CMYK JPEG',
    make: () =>
      sharp({ create: { width: 900, height: 600, channels: 3, background: '#abc' } })
        .toColourspace('cmyk')
        .jpeg()
        .toBuffer(),
  },
  {
    name: '16-bit PNG with alpha',
    make: () =>
      sharp({ create: { width: 900, height: 600, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.3 } } })
        .toColourspace('rgb16')
        .png()
        .toBuffer(),
  },
  {
    name: 'JPEG cut short',
    make: async () => (await solidImage(1200, 800, 'jpeg')).subarray(0, 700),
    documentReason: 'UNABLE_TO_LOAD',
  },
];

describe('hostile images through a whole session', () => {
  let server: RunningServer;
  let app: TestApp;
  beforeAll(async () => {
    server = await startServer({ env: { OPENIDV_JOB_POLL_MS: '50' } });
    app = await server.createApp('hostile');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each(cases)(
    '$name',
    async ({ make, documentReason }) => {
      const image = await make();
      const client = idvClient(app, server.apiUrl);
      const { id, api, documentId } = await openDocumentCapture(client, server.apiUrl);
      const answers = [
        await api.page(documentId, image, 'UPLOAD', [image]),
        await api.completeDocument(documentId),
        await api.analyse(image),
        await api.liveness(image, { kind: 'raw' }),
        await api.finish(),
      ];
      for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBeLessThan(500);

      await waitUntilCompleted(client, id);
      const checks: { type: string; report: { recommendation: { value: string; reason?: string } } }[] = (
        await signedCall(server.apiUrl, app, 'GET', `/sessions/${id}`)
      ).body.checks;
      expect(checks.map((c) => c.type).sort()).toEqual([
        'ID_DOCUMENT_AUTHENTICITY',
        'ID_DOCUMENT_FACE_MATCH',
        'LIVENESS',
      ]);
      for (const c of checks)
        expect(c.report.recommendation, c.type).toMatchObject({ value: 'NOT_AVAILABLE', reason: expect.any(String) });
      if (documentReason)
        expect(checks.find((c) => c.type === 'ID_DOCUMENT_AUTHENTICITY')?.report.recommendation.reason).toBe(
          documentReason,
        );
    },
    60_000,
  );
});
