import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JOBS } from '../../src/domain/pipeline/pipeline-jobs.js';
import { WEBHOOK_JOB } from '../../src/domain/notifications/notifier.js';
import { hasData } from '../helpers/data.js';
import { openDocumentCapture } from '../helpers/document-session.js';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';
import { lfwPeople } from '../helpers/lfw.js';
import { syntheticPassport } from '../helpers/synthetic-passport.js';
import { idvClient } from '../helpers/yoti.js';
import { findOcrbFont } from '../../src/tools/ocrb-training/ocrb-synth.js';

// A worker can die between a step's write and the jobs that follow it (scale-out.e2e kills one with SIGKILL). The
// step then runs again once its lease expires and finds its own write: it must still enqueue what follows, or the
// session stays ONGOING for good. The death is injected as a failing enqueue, the point where a killed worker stops.

describe('pipeline steps run again after a worker died mid-step', () => {
  let h: InProcess;
  let sessionId: string;
  let checkId: string;

  const jobs = () =>
    h.container.database.db
      .selectFrom('jobs')
      .select(['name', 'dedupe_key'])
      .where('session_id', '=', sessionId)
      .execute();
  const webhooks = () =>
    h.container.database.db
      .selectFrom('webhook_deliveries')
      .select('topic')
      .where('session_id', '=', sessionId)
      .execute();
  const state = async () => (await h.container.repos.sessions.getById(sessionId))!.state;
  const dieAtNextEnqueue = () =>
    vi.spyOn(h.container.queue, 'enqueue').mockRejectedValueOnce(new Error('worker killed'));

  beforeEach(async () => {
    h = await inProcessApp();
    const spec = {
      requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 1 } }],
      notifications: { endpoint: 'https://hooks.example.com/idv', topics: ['CHECK_COMPLETION', 'SESSION_COMPLETION'] },
    };
    const created = await h.signed('POST', '/sessions', JSON.stringify(spec));
    expect(created.statusCode, created.body).toBe(201);
    sessionId = created.json().session_id;
    checkId = (await h.container.repos.work.listChecks(sessionId))[0]!.id;
    await h.container.pipeline.process(sessionId);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  it('a check found done still sends its webhook and finalises the session', async () => {
    dieAtNextEnqueue();
    await expect(h.container.pipeline.runCheck(sessionId, checkId)).rejects.toThrow('worker killed');
    expect(
      (await h.container.repos.work.getCheck(sessionId, checkId))!.state,
      'the check was saved before the death',
    ).toBe('DONE');
    expect((await jobs()).map((j) => j.dedupe_key)).not.toContain(`finalise:${sessionId}:check:${checkId}`);

    await h.container.pipeline.runCheck(sessionId, checkId);
    expect((await jobs()).filter((j) => j.name === JOBS.finalise).map((j) => j.dedupe_key)).toContain(
      `finalise:${sessionId}:check:${checkId}`,
    );
    expect((await webhooks()).map((w) => w.topic)).toEqual(['CHECK_COMPLETION']);
    expect(
      (await jobs()).filter((j) => j.name === WEBHOOK_JOB),
      'its webhook is queued',
    ).toHaveLength(1);
    await h.container.lifecycle.finalise(sessionId);
    expect(await state()).toBe('COMPLETED');
  });

  it('a session found completed still sends its completion webhook, once', async () => {
    await h.container.pipeline.runCheck(sessionId, checkId);
    dieAtNextEnqueue();
    await expect(h.container.lifecycle.finalise(sessionId)).rejects.toThrow('worker killed');
    expect(await state()).toBe('COMPLETED');

    await h.container.lifecycle.finalise(sessionId);
    await h.container.lifecycle.finalise(sessionId);
    expect((await webhooks()).map((w) => w.topic)).toEqual(['CHECK_COMPLETION', 'SESSION_COMPLETION']);
    expect((await jobs()).filter((j) => j.name === WEBHOOK_JOB)).toHaveLength(2);
  });
});

// The synthetic passport's MRZ is printed in OCR-B (Debian fonts-ocr-b), as in documents.e2e.
describe.skipIf(!hasData('lfw-dev', 'images') || !findOcrbFont())(
  'a document task run again after a worker died mid-task',
  () => {
    let h: InProcess;
    afterEach(async () => {
      vi.restoreAllMocks();
      await h.close();
    });

    it('still lists the portrait and fields media it made before the death', async () => {
      h = await inProcessApp();
      const apiUrl = `${await h.app.listen({ port: 0, host: '127.0.0.1' })}/idverify/v1`;
      const client = idvClient({ sdkId: h.sdkId, privateKeyPem: h.privateKeyPem, webhookSecret: '' }, apiUrl);
      const { id, api, documentId } = await openDocumentCapture(client, apiUrl);
      const { image } = await syntheticPassport(readFileSync(lfwPeople(1, 1, 5)[0]!.photos[0]!));
      expect((await api.page(documentId, image)).status).toBeLessThan(300);
      await h.container.pipeline.process(id);
      const task = (await h.container.repos.work.listTasks(id))[0]!;

      // Dies after the resource was updated with both media, before the task itself was saved.
      vi.spyOn(h.container.repos.work, 'saveTask').mockRejectedValueOnce(new Error('worker killed'));
      await expect(h.container.pipeline.runTask(id, task.id)).rejects.toThrow('worker killed');
      await h.container.pipeline.runTask(id, task.id);

      const done = (await h.container.repos.work.getTask(id, task.id))!;
      expect(done.state).toBe('DONE');
      expect(done.generatedMedia.map((m) => m.type).sort()).toEqual(['IMAGE', 'JSON']);
      const resource = (await h.container.repos.resources.list(id)).find((r) => r.id === documentId)!;
      expect(done.generatedMedia.map((m) => m.id).sort()).toEqual(
        [resource.data.document_fields_media_id, resource.data.document_id_photo_media_id].sort(),
      );
    }, 60_000);
  },
);
