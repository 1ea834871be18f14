import type { Command } from 'commander';
import { type Config, type ConfigOverrides, loadConfig } from '../config/config.js';

/** Every subcommand takes --data (equivalent to OPENIDV_DATA_DIR) so it works on the server's store. */
export function withDataOption(command: Command): Command {
  return command.option('--data <dir>', 'data folder (SQLite database and media); env OPENIDV_DATA_DIR', undefined);
}

export function configFrom(opts: { data?: string } & Omit<ConfigOverrides, 'dataDir'>): Config {
  const overrides: ConfigOverrides = {};
  if (opts.data) overrides.dataDir = opts.data;
  if (opts.port !== undefined) overrides.port = opts.port;
  if (opts.host !== undefined) overrides.host = opts.host;
  if (opts.workers !== undefined) overrides.workers = opts.workers;
  return loadConfig(process.env, overrides);
}
