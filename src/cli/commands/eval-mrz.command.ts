import { Command } from 'commander';

// Placeholder until the MRZ evaluation lands.
export function evalMrzCommand(): Command {
  return new Command('mrz').description('Evaluate the MRZ reader on a folder with ground_truth.json (not built yet)');
}
