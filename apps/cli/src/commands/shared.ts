/** Helpers shared by the commands: config loading with readable errors, logging, exit codes. */
import { ConfigError, type Logger } from '@understudy/core';
import { loadConfig, type LoadedConfig } from '@understudy/config';
import { createLogger } from '@understudy/observability';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Thrown by commands to end with a message and an exit code, without a stack trace. */
export class CliExit extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

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

export function makeLogger(name: string, level?: string): Logger {
  // DNS cluster workers are forked later and read their level from the environment.
  if (level) process.env.UNDERSTUDY_LOG_LEVEL = level;
  return createLogger({ name, ...(level ? { level } : {}) });
}
