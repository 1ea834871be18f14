import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { type Container, createContainer } from '../../src/runtime/container.js';
import { createLogger } from '../../src/runtime/logger.js';
import { importPool, journalPath } from '../../src/runtime/pool-import.js';
import { dataPath, hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';

const withData = hasData('lfw-dev', 'images');

describe.skipIf(!withData)('bulk pool import', () => {
  const root = mkdtempSync(join(tmpdir(), 'openidv-import-'));
  const source = join(root, 'source');
  let c: Container;
  let appId: string;
  let poolId: string;

  beforeAll(async () => {
    mkdirSync(source);
    // Sub-folders: one applicant with several photos each; loose files: one applicant each.
    for (const person of lfwPeople(3, 2, 21)) {
      mkdirSync(join(source, person.name));
      for (const photo of person.photos.slice(0, 2))
        copyFileSync(photo, join(source, person.name, photo.split('/').pop()!));
    }
    copyFileSync(dataPath('faces-deepface', 'img1.jpg'), join(source, 'single.jpg'));
    copyFileSync(dataPath('hard-misc', 'white_noface.png'), join(source, 'noface.png'));
    copyFileSync(dataPath('faces-deepface', 'couple.jpg'), join(source, 'couple.jpg'));
    writeFileSync(join(source, 'notes.txt'), 'not an image');
    c = await createContainer(
      loadConfig({ ...process.env, OPENIDV_DATA_DIR: join(root, 'data'), OPENIDV_FACE_THREADS: '1' }),
      createLogger('silent'),
    );
    appId = (await c.apps.create('import')).app.sdkId;
    poolId = (await c.pools.createPool(appId, 'IMPORTED')).id;
  });

  afterAll(async () => {
    await c?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('enrols usable entries, reports refusals with reasons, and skips finished entries when run again', async () => {
    const first = await importPool(c, { appId, poolId, dir: source, concurrency: 2 });
    expect(first).toMatchObject({ total: 6, enrolled: 4, refused: 2, skipped: 0 });
    expect(Object.fromEntries(first.refusals.map((r) => [r.name, r.code]))).toMatchObject({
      'noface.png': 'NO_FACE_DETECTED',
      'couple.jpg': 'MULTIPLE_FACES_DETECTED',
    });
    expect((await c.pools.getPool(appId, poolId)).size).toBeGreaterThanOrEqual(7);
    const again = await importPool(c, { appId, poolId, dir: source, concurrency: 2 });
    expect(again).toMatchObject({ enrolled: 0, refused: 0, skipped: 6 });
    expect((await c.pools.listMembers(appId, poolId, undefined, 100)).items).toHaveLength(4);
  });

  it('settles an entry interrupted after its applicant was created, without enrolling it twice', async () => {
    const dir = join(root, 'resume');
    mkdirSync(dir);
    copyFileSync(dataPath('faces-deepface', 'img2.jpg'), join(dir, 'a.jpg'));
    copyFileSync(dataPath('faces-deepface', 'img3.jpg'), join(dir, 'b.jpg'));
    const pool = (await c.pools.createPool(appId, 'RESUMED')).id;
    // A crash after a.jpg's applicant was created under its journalled id, before its membership was written.
    const { applicant } = await c.pools.createApplicantWithFaces(
      appId,
      [{ bytes: readFileSync(join(dir, 'a.jpg')) }],
      randomUUID(),
    );
    const journal = journalPath(c.config.dataDir, pool, dir);
    mkdirSync(join(c.config.dataDir, 'imports'), { recursive: true });
    writeFileSync(
      journal,
      `${JSON.stringify({ entry: 'a.jpg', applicant: applicant.id, status: 'pending' })}\n{"entry":"b.jpg","appl`,
    );
    const resumed = await importPool(c, { appId, poolId: pool, dir, concurrency: 1 });
    expect(resumed).toMatchObject({ enrolled: 2, refused: 0 });
    const members = (await c.pools.listMembers(appId, pool, undefined, 100)).items.map((m) => m.applicant.id);
    expect(members).toHaveLength(2);
    expect(members).toContain(applicant.id);
    expect(
      (await c.pools.listApplicants(appId, undefined, 500)).items.filter((a) => a.applicant.id === applicant.id),
    ).toHaveLength(1);
  });
});
