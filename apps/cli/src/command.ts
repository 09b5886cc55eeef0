/**
 * The command wrapper (in the manner of wrangler's createCommand): every command gets its config loaded
 * (the existing loader, every problem at once), its logger, crash handlers (an uncaught error is logged
 * once as JSON and exits 1) and one error report: a clear line on stderr and an exit code, never a stack
 * for an operator's mistake. program.ts imports each command module only when that command runs.
 */
import type { LoadedConfig } from '@understudy/config';
import type { Logger } from '@understudy/core';
import { installCrashHandlers } from '@understudy/observability';
import type { Assembled } from './assemble/assemble.js';
import { runProcess, type RunProcessOptions } from './assemble/run-process.js';
import { CliExit, EXIT_FAILURE } from './commands/exit.js';
import { loadOrExit, logWarnings, makeLogger } from './commands/shared.js';
import { describeFailure } from './describe-failure.js';

export interface CommandContext {
  /** The config file as given (-c). */
  file: string;
  loaded: LoadedConfig;
  logger: Logger;
  /** Runs the process's roles until a signal, on this config (what a reload re-reads) and logger. */
  run: (opts: ProcessSpec) => Promise<Assembled | null>;
}

export type ProcessSpec = Omit<RunProcessOptions, 'loaded' | 'configFile' | 'logger'>;

export interface CommandSpec<O> {
  /** The logger's name: understudy-<name> ("understudy" for run). */
  name: string;
  handler: (opts: O, ctx: CommandContext) => Promise<number | void>;
}

/** A command that runs on a config file. Resolves when the handler did (a server keeps running after). */
export function createCommand<O extends { config: string; logLevel?: string }>(
  spec: CommandSpec<O>,
): (opts: O) => Promise<void> {
  return async (opts) => {
    const loaded = await loadOrExit(opts.config);
    const logger = makeLogger(
      spec.name === 'run' ? 'understudy' : `understudy-${spec.name}`,
      opts.logLevel ?? loaded.config.logging.level,
    );
    installCrashHandlers(logger);
    logWarnings(loaded, logger);
    await reported(async () => {
      const run = (p: ProcessSpec) => runProcess({ ...p, loaded, configFile: opts.config, logger });
      const code = await spec.handler(opts, { file: opts.config, loaded, logger, run });
      if (typeof code === 'number') process.exitCode = code;
    }, logger);
  };
}

/** Crash handlers on `logger` and one error report around `run` (for a command that makes its own logger). */
export async function withCommand(logger: Logger, run: () => Promise<number | void>): Promise<void> {
  installCrashHandlers(logger);
  await reported(async () => {
    const code = await run();
    if (typeof code === 'number') process.exitCode = code;
  }, logger);
}

/**
 * Turns any failure into one CliExit (main prints its message once): an operator's error (port in use,
 * permissions) as one line; anything else as its message, with the stack in the log at debug level.
 */
async function reported(run: () => Promise<void>, logger: Logger): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof CliExit) throw err;
    logger.debug({ err }, 'command failed');
    throw new CliExit(`understudy: ${describeFailure(err, false)}`, EXIT_FAILURE);
  }
}
