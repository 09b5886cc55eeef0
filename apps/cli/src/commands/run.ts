import type { LoadedConfig } from '@understudy/config';
import type { Logger } from '@understudy/core';
import type { RoleName } from '../assemble/types.js';
import { createCommand } from '../command.js';
import { redisUrl } from '../redis-mode.js';

export interface RunOptions {
  config: string;
  redis?: string;
  logLevel?: string;
}

export const ALL_ROLES: ReadonlySet<RoleName> = new Set(['dns', 'decider', 'probe', 'dashboard']);

/** All roles in one process, until SIGTERM/SIGINT: embedded, or over Redis with --redis / REDIS_URL. */
export const runCommand = createCommand<RunOptions>({
  name: 'run',
  handler: async (opts, { loaded, logger, run }) => {
    const url = redisUrl(opts.redis);
    if (!url) warnSameHostRegions(loaded, logger);
    await run({
      backend: url ? 'redis' : 'memory',
      ...(url ? { redisUrl: url } : {}),
      roles: ALL_ROLES,
      name: 'run',
      running: (app) => ({
        // Over Redis, losing the lease is not fatal: this process stands by and may lead again.
        msg: url
          ? 'understudy running (distributed mode, all roles over Redis)'
          : 'understudy running (embedded mode)',
        fields: { dns: app.dns?.addresses(), regions: app.loaded.config.regions },
      }),
    });
  },
});

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
