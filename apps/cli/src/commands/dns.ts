import { resolve } from 'node:path';
import { createCommand } from '../command.js';
import { redisUrl } from '../redis-mode.js';

export interface DnsOptions {
  config: string;
  redis?: string;
  logLevel?: string;
  /** Overrides dns.cacheFile; "" turns the cache off. */
  cacheFile?: string;
}

/**
 * The DNS role on its own. With --redis (or REDIS_URL) it follows the zone state the leading decider
 * writes to Redis, keeps answering from the last good state while Redis is down, and saves every state it
 * serves to its disk cache; started while Redis is down, it serves that cache (readiness: source
 * disk-cache, degraded) and switches to Redis when it answers. Without a shared backend it serves the
 * state file's last zone state (written by `understudy run`) or, without one, the config on primaries.
 */
export const dnsCommand = createCommand<DnsOptions>({
  name: 'dns',
  handler: async (opts, { run }) => {
    const url = redisUrl(opts.redis);
    const flag = opts.cacheFile;
    await run({
      backend: url ? 'redis' : 'memory',
      ...(url ? { redisUrl: url } : {}),
      roles: new Set(['dns']),
      name: 'dns',
      ...(flag !== undefined ? { cacheFile: flag.trim() === '' ? null : resolve(flag) } : {}),
      running: (app) => {
        const dns = app.dns!;
        const from = !url
          ? ''
          : dns.source === 'disk-cache'
            ? ' (disk cache; Redis down)'
            : ' (following Redis)';
        return {
          msg: `understudy dns running${from}`,
          fields: { dns: dns.addresses(), serial: dns.serial, source: dns.source },
        };
      },
    });
  },
});
