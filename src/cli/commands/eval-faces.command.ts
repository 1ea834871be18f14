import { Command } from 'commander';

// Placeholder until the face evaluation lands.
export function evalFacesCommand(): Command {
  return new Command('faces').description('Evaluate the face engine on an LFW-layout folder (not built yet)');
}
