#!/usr/bin/env node
import { Command } from 'commander';
import { appsCommand } from './commands/apps.command.js';
import { evalCommand } from './commands/eval.command.js';
import { modelsCommand } from './commands/models.command.js';
import { openapiCommand } from './commands/openapi.command.js';
import { poolsCommand } from './commands/pools.command.js';
import { serveCommand } from './commands/serve.command.js';
import { usersCommand } from './commands/users.command.js';
import { workerCommand } from './commands/worker.command.js';

const program = new Command('openidv')
  .description('Self-hosted identity verification server speaking the Yoti IDV API')
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(workerCommand());
program.addCommand(appsCommand());
program.addCommand(usersCommand());
program.addCommand(poolsCommand());
program.addCommand(evalCommand());
program.addCommand(modelsCommand());
program.addCommand(openapiCommand());
program.addCommand((await import('./commands/migrate-store.command.js')).migrateStoreCommand());

program.parseAsync(process.argv).catch((err: unknown) => {
  // Validation errors name what is wrong (e.g. which frame origin), not only that something is.
  const details = (err as { errors?: { property: string; message: string }[] }).errors ?? [];
  console.error(
    `openidv: ${err instanceof Error ? err.message : String(err)}${details.map((e) => `\n  ${e.property}: ${e.message}`).join('')}`,
  );
  process.exitCode = 1;
});
