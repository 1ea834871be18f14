import { Command } from 'commander';
import { evalFacesCommand } from './eval-faces.command.js';
import { evalLivenessCommand } from './eval-liveness.command.js';
import { evalMrzCommand } from './eval-mrz.command.js';

export function evalCommand(): Command {
  return new Command('eval')
    .description('Measure accuracy of the face engine, the MRZ reader or the active liveness engine')
    .addCommand(evalFacesCommand())
    .addCommand(evalMrzCommand())
    .addCommand(evalLivenessCommand());
}
