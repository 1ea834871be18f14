#!/usr/bin/env node
import { Command } from 'commander';
import { evalCommand } from './commands/eval.command.js';

const program = new Command('openidv')
  .description('Self-hosted identity verification server speaking the Yoti IDV API')
  .showHelpAfterError();

program.addCommand(evalCommand());

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
