/** Helpers shared by the commands: config loading with readable errors, logging, exit codes. */
import { ConfigError, type Logger } from '@understudy/core';
import { loadConfig, type LoadedConfig } from '@understudy/config';
import { createLogger } from '@understudy/observability';

import { CliExit } from './exit.js';

export { CliExit, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

export async function loadOrExit(file: string): Promise<LoadedConfig> {
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(err.message);
    throw err;
  }
}

export function logWarnings(loaded: LoadedConfig, logger: Logger): void {
  for (const w of loaded.warnings) logger.warn({ path: w.path, line: w.line }, `config: ${w.message}`);
}

/** JSON logs to stdout (a server's stream); 'stderr' for commands that print their result on stdout. */
export function makeLogger(name: string, level?: string, to: 'stdout' | 'stderr' = 'stdout'): Logger {
  if (to === 'stderr')
    return createLogger({
      name,
      level: level ?? 'error',
      pretty: process.stderr.isTTY === true,
      destination: { write: (line: string) => void process.stderr.write(line) },
    });
  // DNS cluster workers are forked later and read their level from the environment.
  if (level) process.env.UNDERSTUDY_LOG_LEVEL = level;
  return createLogger({ name, ...(level ? { level } : {}) });
}
