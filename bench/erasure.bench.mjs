// Latency of erasure on request: DELETE /sessions/{id} of sessions holding an uploaded image, on the embedded
// store. The answer waits for the TRUNCATE checkpoint that removes the erased rows' copies from the WAL.
// Usage: npm run bench:erasure [-- --sessions 40]
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { startServer } from './lib/server.mjs';
import { percentile, signedFetch } from './lib/signed.mjs';

const require = createRequire(import.meta.url);
const yoti = require('yoti');
const { values } = parseArgs({ options: { sessions: { type: 'string', default: '40' } } });
const count = Number(values.sessions);

// Workers off: nothing else writes while DELETEs are timed.
const server = await startServer({ args: ['--no-workers'], env: { OPENIDV_FACE_THREADS: '1' } });
try {
  const app = await server.createApp('bench');
  const client = new yoti.IDVClient(app.sdkId, app.privateKeyPem, { apiUrl: server.apiUrl });
  const spec = new yoti.SessionSpecificationBuilder()
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
    .withRequestedCheck(new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build())
    .build();
  // A JPEG-looking image of 300 KB (only its type is sniffed at upload; nothing analyses it with workers off).
  const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(300_000)]);
  const ids = [];
  for (let i = 0; i < count; i++) {
    const id = (await client.createSession(spec)).getSessionId();
    const requirement = (await client.getSessionConfiguration(id))
      .getCapture()
      .getRequiredResources()
      .find((r) => r.getType() === 'FACE_CAPTURE');
    const resource = await client.createFaceCaptureResource(
      id,
      new yoti.CreateFaceCaptureResourcePayloadBuilder().withRequirementId(requirement.getId()).build(),
    );
    await client.uploadFaceCaptureImage(
      id,
      resource.getId(),
      new yoti.UploadFaceCaptureImagePayloadBuilder().forJpegImage().withImageContents(image).build(),
    );
    ids.push(id);
  }
  const times = [];
  for (const id of ids) {
    const t0 = performance.now();
    const res = await signedFetch(server.apiUrl, app, 'DELETE', `/sessions/${id}`);
    times.push(performance.now() - t0);
    if (res.status !== 204) throw new Error(`DELETE answered ${res.status}`);
  }
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        endpoint: 'DELETE /sessions/{id} (session with one 300 KB image)',
        sessions: count,
        latency_ms: {
          p50: +percentile(times, 50).toFixed(1),
          p90: +percentile(times, 90).toFixed(1),
          max: +times.at(-1).toFixed(1),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await server.stop();
}
