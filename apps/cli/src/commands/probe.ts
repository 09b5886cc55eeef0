import { parseListenAddress } from '@understudy/config';
import type { ListenAddress } from '@understudy/core';
import { createCommand } from '../command.js';
import { requireRedisUrl } from '../redis-mode.js';
import { CliExit, EXIT_USAGE } from './shared.js';

export interface ProbeOptions {
  config: string;
  region: string;
  redis?: string;
  http?: string;
  logLevel?: string;
}

/** "--http host:port" → address; "off" → none; absent → listen.http from the config. */
export function httpListen(flag: string | undefined, fallback: ListenAddress | null): ListenAddress | null {
  if (flag === undefined) return fallback;
  if (flag === 'off') return null;
  try {
    return parseListenAddress(flag);
  } catch (err) {
    throw new CliExit(`--http: ${(err as Error).message}`, EXIT_USAGE);
  }
}

/**
 * A probe worker for one or more regions (comma-separated), publishing result batches to Redis. While
 * Redis is unreachable it keeps checking and keeps the latest result per check, and publishes on reconnect.
 */
export const probeCommand = createCommand<ProbeOptions>({
  name: 'probe',
  handler: async (opts, { loaded, run }) => {
    const { config } = loaded;
    const url = requireRedisUrl(opts.redis, 'probe');
    const regions = opts.region
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const unknown = regions.filter((r) => !config.regions.includes(r));
    if (!regions.length || unknown.length)
      throw new CliExit(
        `--region: ${unknown.length ? unknown.join(', ') : '(none)'} not among the config's regions (${config.regions.join(', ')})`,
        EXIT_USAGE,
      );
    await run({
      backend: 'redis',
      redisUrl: url,
      roles: new Set(['probe']),
      // The Redis client name says which regions this worker probes.
      name: `probe-${regions.join('_')}`,
      regions,
      http: httpListen(opts.http, config.listen.http),
      running: () => ({ msg: 'understudy probe running', fields: { regions } }),
    });
  },
});
