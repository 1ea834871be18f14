#!/usr/bin/env node
import { Command } from 'commander';
import { appsCommand } from './commands/apps.command.js';
import { evalCommand } from './commands/eval.command.js';
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
program.addCommand(openapiCommand());
program.addCommand((await import('./commands/migrate-store.command.js')).migrateStoreCommand());

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`openidv: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
