#!/usr/bin/env node
// Fetches the face models at install time from the npm registry (the only network this project may use) and
// keeps just the four ONNX files openidv runs. The package itself is not a dependency: its runtime deps are
// babel/eslint/jest/webpack. Nothing is fetched at run time; the server reads models/ only.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'faceplugin-face-recognition-js@0.0.1';
export const MODEL_FILES = {
  'fr_detect.onnx': '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854',
  'fr_landmark.onnx': 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258',
  'fr_feature.onnx': '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
  'fr_liveness.onnx': 'afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d',
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.env.OPENIDV_MODELS_DIR ?? join(root, 'models', 'faceplugin-0.0.1');
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const complete = () =>
  Object.entries(MODEL_FILES).every(([f, sum]) => existsSync(join(target, f)) && sha256(join(target, f)) === sum);

if (complete()) {
  console.log(`openidv: face models present in ${target}`);
} else {
  const work = mkdtempSync(join(tmpdir(), 'openidv-models-'));
  try {
    const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
    execFileSync(npm[0], [...npm.slice(1), 'pack', PACKAGE, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tgz = join(work, 'faceplugin-face-recognition-js-0.0.1.tgz');
    const members = Object.keys(MODEL_FILES).map((f) => `package/model/${f}`);
    execFileSync('tar', ['-xzf', tgz, '-C', work, ...members]);
    mkdirSync(target, { recursive: true });
    for (const [f, sum] of Object.entries(MODEL_FILES)) {
      const got = sha256(join(work, 'package', 'model', f));
      if (got !== sum) throw new Error(`checksum mismatch for ${f}: ${got}`);
      renameSync(join(work, 'package', 'model', f), join(target, f));
    }
    console.log(`openidv: face models installed in ${target}`);
  } catch (err) {
    // A failed model fetch must not break `npm install`: the server reports the engine as unavailable instead.
    console.warn(`openidv: could not install face models (${err.message}); face checks will be unavailable`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
