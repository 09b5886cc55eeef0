/**
 * Exit codes and CliExit, apart from shared.ts so that the command line (program.ts) can name them without
 * loading the config reader and the logger before a command needs them (issue 12: start-up cost).
 */
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
