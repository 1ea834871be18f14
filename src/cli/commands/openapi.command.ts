import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { generateOpenApi } from '../openapi-document.js';

export function openapiCommand(): Command {
  return new Command('openapi')
    .description('Print the OpenAPI document generated from the route schemas')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { out?: string }) => {
      const text = `${JSON.stringify(await generateOpenApi(), null, 2)}\n`;
      if (opts.out) await writeFile(opts.out, text);
      else process.stdout.write(text);
    });
}
