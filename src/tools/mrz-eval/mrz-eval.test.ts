import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateFolder, loadLabels } from './mrz-eval.js';

// The eval harness's figures are only as good as its labels: a label it cannot use must stop it, not drop
// the image from the score.

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

async function folder(truth: string, images: string[] = []): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'openidv-mrz-eval-'));
  await writeFile(path.join(dir, 'ground_truth.json'), truth);
  for (const f of images) await writeFile(path.join(dir, f), 'not read: the checks come first');
  return dir;
}

describe('MRZ eval labels', () => {
  it('reads the three kinds of label', async () => {
    const labels = await loadLabels(
      await folder(
        JSON.stringify({ 'a.jpg': { mrz: ['L1', 'L2'] }, 'b.jpg': { mrz: null }, 'c.jpg': { mrz: 'UNKNOWN' } }),
      ),
    );
    expect(Object.fromEntries(labels)).toEqual({
      'a.jpg': { kind: 'mrz', lines: ['L1', 'L2'] },
      'b.jpg': { kind: 'none' },
      'c.jpg': { kind: 'unknown' },
    });
  });

  it.each([
    ['{bad json', /ground_truth\.json: /],
    ['[1, 2]', /expected an object/],
    ['{"a.jpg": {"mrz": 5}}', /"a\.jpg": mrz must be/],
    ['{"a.jpg": {"mrz": ["only one line"]}}', /"a\.jpg": mrz must be/],
    ['{"a.jpg": {}}', /"a\.jpg": mrz must be/],
  ])('refuses %s', async (truth, message) => {
    await expect(loadLabels(await folder(truth))).rejects.toThrow(message);
  });

  it('refuses labels, checked transcriptions and --only paths naming images the folder lacks', async () => {
    const d = await folder(JSON.stringify({ 'here.jpg': { mrz: null }, 'gone.jpg': { mrz: null } }), ['here.jpg']);
    await expect(evaluateFolder(d, [])).rejects.toThrow(/not found: gone\.jpg$/);
    await writeFile(path.join(d, 'ground_truth.json'), JSON.stringify({ 'here.jpg': { mrz: 'UNKNOWN' } }));
    await expect(evaluateFolder(d, [], { checked: { 'typo.jpg': ['L1', 'L2'] } })).rejects.toThrow(
      /not found: typo\.jpg$/,
    );
    await expect(evaluateFolder(d, [], { only: ['missing.png'] })).rejects.toThrow(/not found: missing\.png$/);
  });
});
