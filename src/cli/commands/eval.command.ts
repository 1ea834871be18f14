import { Command } from 'commander';
import { evalFacesCommand } from './eval-faces.command.js';
import { evalMrzCommand } from './eval-mrz.command.js';

export function evalCommand(): Command {
  return new Command('eval')
    .description('Measure accuracy of the face engine or the MRZ reader on a labelled folder')
    .addCommand(evalFacesCommand())
    .addCommand(evalMrzCommand());
}
