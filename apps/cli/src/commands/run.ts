import type { LoadedConfig } from '@understudy/config';
import type { Logger } from '@understudy/core';
import { installCrashHandlers, onShutdown } from '@understudy/observability';
import { startDistributed } from '../distributed.js';
import { startEmbedded, type Embedded } from '../embedded.js';
import { redisUrl } from '../redis-mode.js';
import { loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface RunOptions {
  config: string;
  redis?: string;
  logLevel?: string;
}

/** All roles in one process, until SIGTERM/SIGINT: embedded, or over Redis with --redis / REDIS_URL. */
export async function runCommand(opts: RunOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const logger = makeLogger('understudy', opts.logLevel ?? loaded.config.logging.level);
  const url = redisUrl(opts.redis);
  if (url) await runDistributedUntilSignal(loaded, logger, url);
  else {
    warnSameHostRegions(loaded, logger);
    await runEmbeddedUntilSignal(loaded, logger);
  }
}

/**
 * Embedded mode runs every region's probes in this one process, so a quorum across regions only
 * guards against flaky checks, not against a network problem near this host (issue 12).
 */
function warnSameHostRegions(loaded: LoadedConfig, logger: Logger): void {
  const regions = loaded.config.regions;
  if (regions.length < 2) return;
  logger.warn(
    { regions },
    `embedded mode probes all ${regions.length} regions from this host: the quorum has no geographic ` +
      'meaning. Run probes in their regions (distributed mode) for that; see docs/production.md',
  );
}

async function runDistributedUntilSignal(loaded: LoadedConfig, logger: Logger, url: string): Promise<void> {
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  const app = await startDistributed({ loaded, logger, redisUrl: url });
  // Unlike embedded mode, losing the lease is not fatal here: this process stands by and may lead again.
  onShutdown({ logger, steps: [{ name: 'understudy', run: () => app.close() }] });
  logger.info(
    {
      dns: app.dns.addresses(),
      ops: app.opsAddress,
      regions: loaded.config.regions,
      configHash: loaded.hash.slice(0, 12),
    },
    'understudy running (distributed mode, all roles over Redis)',
  );
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
