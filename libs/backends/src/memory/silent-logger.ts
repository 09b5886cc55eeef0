import type { Logger } from '@understudy/core';

/** For stores and buses created without a logger: failures are still handled, just not reported. */
export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
  child: () => silentLogger,
};
