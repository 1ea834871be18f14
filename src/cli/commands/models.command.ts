import { Command, InvalidArgumentError } from 'commander';
import { ALIGNMENT_TEMPLATES, type AlignmentTemplate } from '../../domain/models/model-set.types.js';
import { activateModelSet } from '../../domain/models/model-migration.js';
import { parseFaceCalibration } from '../../infra/face/calibration/face-calibration.js';
import { MODEL_SET_ID } from '../../infra/face/model-set.js';
import { type Container, createContainer, embedderResolver } from '../../runtime/container.js';
import { createLogger } from '../../runtime/logger.js';
import { installModelSet } from '../../tools/model-sets/model-install.js';
import { configFrom, withDataOption } from '../options.js';
import { evaluateFaces } from './eval-faces.command.js';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const template = (v: string): AlignmentTemplate => {
  if (!(ALIGNMENT_TEMPLATES as readonly string[]).includes(v))
    throw new InvalidArgumentError(`expected one of ${ALIGNMENT_TEMPLATES.join(', ')}`);
  return v as AlignmentTemplate;
};

/** Opens the store (migrating it), runs `fn`, closes it. */
async function withStore<T>(opts: { data?: string }, fn: (c: Container) => Promise<T>): Promise<T> {
  const c = await createContainer(configFrom(opts), createLogger('warn'));
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

function installCommand(): Command {
  return withDataOption(
    new Command('install')
      .description('Install a face embedder (ONNX) as a model set: checksum verified, file copied into the data folder')
      .requiredOption('--id <id>', 'the model set id (stored with every embedding it makes)')
      .requiredOption('--file <file.onnx>', 'the embedder: an aligned 1×3×112×112 face in, one embedding out')
      .requiredOption('--sha256 <hex>', 'the SHA-256 the file must have')
      .option(
        '--template <name>',
        `alignment and input: ${ALIGNMENT_TEMPLATES.join(' or ')} (default arcface112)`,
        template,
        'arcface112',
      )
      .option('--dims <n>', 'embedding size the model must give', positiveInt),
  ).action(
    async (o: {
      data?: string;
      id: string;
      file: string;
      sha256: string;
      template: AlignmentTemplate;
      dims?: number;
    }) => {
      await withStore(o, async (c) => {
        const record = await installModelSet(
          { repo: c.modelSetRepo, dataDir: c.config.dataDir, now: c.now },
          { id: o.id, file: o.file, sha256: o.sha256, template: o.template, ...(o.dims ? { dims: o.dims } : {}) },
        );
        process.stdout.write(
          `installed model set ${record.id} (${record.template}, ${record.dimensions}-d) from ${record.embedderFile}\n`,
        );
        process.stdout.write(
          `next: openidv models eval --id ${record.id} --lfw DIR, then openidv models activate ${record.id}\n`,
        );
      });
    },
  );
}

function evalCommand(): Command {
  return withDataOption(
    new Command('eval')
      .description(
        'Evaluate an installed model set on an LFW-layout folder (as `eval faces`) and store its calibration',
      )
      .requiredOption('--id <id>', 'the installed model set')
      .requiredOption(
        '--lfw <dir>',
        'folder with pairs.txt and images/ (people the set will not be judged on elsewhere)',
      )
      .option('--json <file>', 'write the full report as JSON')
      .option('--threads <n>', 'worker threads (default: one per core)', positiveInt)
      .option('--no-liveness', 'skip the passive liveness score (faster)'),
  ).action(
    async (o: { data?: string; id: string; lfw: string; json?: string; threads?: number; liveness: boolean }) => {
      await withStore(o, async (c) => {
        if (o.id !== MODEL_SET_ID && !(await c.modelSetRepo.get(o.id)))
          throw new Error(`no model set ${o.id} is installed (see \`openidv models list\`)`);
        if (o.id === MODEL_SET_ID)
          throw new Error(
            `${o.id} is the shipped set: its calibration ships with openidv (or OPENIDV_FACE_CALIBRATION)`,
          );
        const calibration = await evaluateFaces({
          lfw: o.lfw,
          liveness: o.liveness,
          modelSetId: o.id,
          modelSets: embedderResolver(c.modelSetRepo),
          ...(o.json ? { json: o.json } : {}),
          ...(o.threads ? { threads: o.threads } : {}),
        });
        parseFaceCalibration(calibration);
        await c.modelSetRepo.setCalibration(o.id, calibration, c.now());
        process.stdout.write(
          `calibration of ${o.id} on ${calibration.dataset.name} stored (${calibration.impostor.pairs} impostor, ${calibration.genuine.pairs} genuine pairs)\n`,
        );
      });
    },
  );
}

function listCommand(): Command {
  return withDataOption(new Command('list').description('The installed model sets and which one is active')).action(
    async (o: { data?: string }) => {
      await withStore(o, async (c) => {
        const active = await c.modelSets.active();
        const rows = [
          {
            id: MODEL_SET_ID,
            state: active === MODEL_SET_ID ? 'active' : 'installed',
            template: 'shipped',
            dims: 512,
            calibration: 'shipped',
            file: '(shipped)',
          },
          ...(await c.modelSetRepo.list()).map((s) => ({
            id: s.id,
            state: s.id === active ? 'active' : s.state === 'active' ? 'installed' : s.state,
            template: s.template,
            dims: s.dimensions,
            calibration:
              s.calibration === null
                ? 'none'
                : String((s.calibration as { dataset?: { name?: string } }).dataset?.name ?? 'yes'),
            file: s.embedderFile,
          })),
        ];
        const pinned = c.config.face.modelSet ? ` (pinned by OPENIDV_FACE_MODEL_SET)` : '';
        for (const r of rows)
          process.stdout.write(
            `${r.id === active ? '*' : ' '} ${r.id}  ${r.state}${r.id === active ? pinned : ''}  ${r.template}  ${r.dims}-d  calibration: ${r.calibration}  ${r.file}\n`,
          );
      });
    },
  );
}

function statusCommand(): Command {
  return withDataOption(
    new Command('status')
      .description('Progress of the move to the active model set, per pool')
      .option('--json', 'print JSON'),
  ).action(async (o: { data?: string; json?: boolean }) => {
    await withStore(o, async (c) => {
      const active = await c.modelSets.active();
      const pools = await c.modelSetRepo.progress(active);
      const pending = await c.modelSetRepo.countFacesToEmbed(active);
      const done = pools.every((p) => p.modelSetId === active);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ active, done, faces_to_embed: pending, pools })}\n`);
        return;
      }
      process.stdout.write(
        `active model set ${active}: ${done ? 'every pool is on it' : 'migration under way'}; faces still to embed: ${pending}\n`,
      );
      for (const p of pools) {
        const state =
          p.modelSetId === active ? 'on the active set' : `on ${p.modelSetId}, ${p.embedded}/${p.faces} faces embedded`;
        process.stdout.write(`  ${p.poolId}  ${p.label} (app ${p.appId}): ${state}\n`);
      }
    });
  });
}

function activateCommand(): Command {
  return withDataOption(
    new Command('activate')
      .description('Make a calibrated model set the active one; workers re-embed every face and move each pool to it')
      .argument('<id>'),
  ).action(async (id: string, o: { data?: string }) => {
    await withStore(o, async (c) => {
      if (c.config.face.modelSet && c.config.face.modelSet !== id) {
        throw new Error(`OPENIDV_FACE_MODEL_SET pins ${c.config.face.modelSet}: unset it (or set it to ${id}) first`);
      }
      await activateModelSet(
        { repo: c.modelSetRepo, migration: c.modelMigration, shippedId: MODEL_SET_ID, now: c.now },
        id,
      );
      const pending = await c.modelSetRepo.countFacesToEmbed(id);
      process.stdout.write(
        `model set ${id} is active; ${pending} face(s) to re-embed by the workers (openidv models status)\n`,
      );
    });
  });
}

export function modelsCommand(): Command {
  return new Command('models')
    .description('Face model sets: install your own embedder, evaluate it, activate it and follow the migration')
    .addCommand(installCommand())
    .addCommand(evalCommand())
    .addCommand(listCommand())
    .addCommand(statusCommand())
    .addCommand(activateCommand());
}
