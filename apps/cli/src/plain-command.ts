/**
 * The command wrapper for commands without a server to run (validate, status, plan, sync, reload, the
 * operator actions, drill, demo fail/restore). It loads nothing heavy (no logger library, no metrics):
 * `validate` must start fast (issue 12). Crash handlers write one JSON line to stderr and exit 1; any
 * other failure becomes one CliExit line (main prints it).
 */
import { CliExit, EXIT_FAILURE } from './commands/exit.js';
import { describeFailure } from './describe-failure.js';

let installed = false;

/** uncaughtException / unhandledRejection: one JSON line on stderr (stdout carries the result), exit 1. */
export function installPlainCrashHandlers(name: string): void {
  if (installed) return;
  installed = true;
  const crash = (msg: string) => (err: unknown) => {
    const e = err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : String(err);
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), name, msg, err: e })}\n`,
    );
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
}

export function createPlainCommand<A extends unknown[]>(
  name: string,
  handler: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    installPlainCrashHandlers(`understudy-${name}`);
    try {
      const code = await handler(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      if (err instanceof CliExit) throw err;
      throw new CliExit(`understudy ${name}: ${describeFailure(err, false)}`, EXIT_FAILURE);
    }
  };
}
