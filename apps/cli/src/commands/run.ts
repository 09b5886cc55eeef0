import type { LoadedConfig } from '@understudy/config';
import type { Logger } from '@understudy/core';
import { installCrashHandlers, onShutdown } from '@understudy/observability';
import { startEmbedded, type Embedded } from '../embedded.js';
import { loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface RunOptions {
  config: string;
  logLevel?: string;
}

/** Embedded mode: all roles in one process, until SIGTERM/SIGINT. */
export async function runCommand(opts: RunOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const logger = makeLogger('understudy', opts.logLevel ?? loaded.config.logging.level);
  await runEmbeddedUntilSignal(loaded, logger);
}

export async function runEmbeddedUntilSignal(
  loaded: LoadedConfig,
  logger: Logger,
  extraSteps: { name: string; run: () => Promise<void> }[] = [],
): Promise<Embedded> {
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  // Filled in once the app is up; the stand-down hook below needs it.
  const shutdown: { handle?: ReturnType<typeof onShutdown> } = {};
  const app = await startEmbedded({
    loaded,
    logger,
    // Embedded mode has one decider: without it nothing decides, so exit non-zero for a supervisor to restart.
    onStandDown: (reason) => {
      logger.fatal({ reason }, 'the decider stood down; exiting so a supervisor restarts understudy');
      void shutdown.handle?.trigger(`decider stood down: ${reason}`, 1);
    },
  });
  // Understudy stops first, so nothing it tears down afterwards (such as the demo's origins) is seen failing.
  shutdown.handle = onShutdown({
    logger,
    steps: [{ name: 'understudy', run: () => app.close() }, ...extraSteps],
  });
  logger.info(
    {
      dns: app.dns.addresses(),
      ops: app.opsAddress,
      regions: loaded.config.regions,
      configHash: loaded.hash.slice(0, 12),
    },
    'understudy running (embedded mode)',
  );
  return app;
}
