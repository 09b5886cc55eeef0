/** Helpers shared by the commands: config loading with readable errors, logging, exit codes. */
import { ConfigError, type Logger } from '@understudy/core';
import { loadConfig, type LoadedConfig } from '@understudy/config';
import { createLogger } from '@understudy/observability';

import { configPath } from './config-path.js';
import { logFormatFromEnv } from './log-format.js';
import { CliExit } from './exit.js';

export { CliExit, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

/** `file` is `-c`; without it the config is discovered (config-path.ts). */
export async function loadOrExit(file: string | undefined): Promise<LoadedConfig> {
  try {
    return await loadConfig(configPath(file));
  } catch (err) {
    if (err instanceof ConfigError) {
      // A file that cannot be read at all is one line naming it, not a one-problem report.
      const only = err.problems.length === 1 ? err.problems[0]! : null;
      if (only?.path === '' && only.message.startsWith('cannot read config file'))
        throw new CliExit(`understudy: ${only.message}`);
      throw new CliExit(err.message);
    }
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
  // --log-format reaches here (and the workers) through the environment: see log-format.ts.
  return createLogger({ name, ...(level ? { level } : {}), format: logFormatFromEnv() });
}
